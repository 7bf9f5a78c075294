// Renders the field app's PNG icons (client/public/field-icon-*.png) from its SVG icon.
// Run after changing client/public/field-icon.svg: `npx tsx scripts/field-icons.ts`.
import sharp from 'sharp';

const svg = 'client/public/field-icon.svg';
for (const size of [192, 512]) {
  await sharp(svg, { density: 300 }).resize(size, size).png({ compressionLevel: 9 }).toFile(`client/public/field-icon-${size}.png`);
}
