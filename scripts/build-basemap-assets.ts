/**
 * Makes the base map's glyphs and sprite (server/basemap/assets/), kept in the project so that
 * the map needs no internet: `npx tsx scripts/build-basemap-assets.ts` (needs Chromium:
 * CHROMIUM_PATH, default /usr/bin/chromium, and Debian's fonts-dejavu-core).
 *
 * Glyphs: MapLibre's SDF glyph ranges (glyphs.proto), drawn by @mapbox/tiny-sdf in the browser
 * — the same code MapLibre uses for glyphs it draws itself — at 24 px with a 3 px border and an
 * 8 px radius, the conventions of server glyphs, from DejaVu Sans (Book and Bold; Latin,
 * Cyrillic with the Kazakh letters, the 2021 Kazakh Latin letters, punctuation). Only code
 * points the font's own character map has are drawn: a missing one is left to MapLibre.
 * DejaVu's licence (Bitstream Vera, free to redistribute and modify) allows shipping them.
 *
 * Sprite: the style's few icons (place and station dots) at 1× and 2×.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PbfWriter } from 'pbf';
import { chromium } from 'playwright-core';

const OUT = new URL('../server/basemap/assets/', import.meta.url);
const FONTS = [
  { stack: 'Jardem Sans Regular', file: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf' },
  { stack: 'Jardem Sans Bold', file: '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf' },
];
/**
 * Ranges drawn: Basic Latin + Latin-1, Latin Extended-A (ğ ı ş ū of Kazakh Latin), Cyrillic
 * (with ә ғ қ ң ө ұ ү һ і), General Punctuation (– — « » …), Letterlike Symbols (№).
 */
const RANGES = [0, 256, 1024, 8192, 8448];
/** MapLibre's server-glyph origin sits this far above the baseline (its GlyphManager calibrates local glyphs by 27.5). */
const TOP_ADJUSTMENT = 27;

/** The code points a TrueType font maps (its cmap, format 4: the Basic Multilingual Plane). */
function codePoints(ttf: Buffer): Set<number> {
  const tables = ttf.readUInt16BE(4);
  let cmap = -1;
  for (let i = 0; i < tables; i++)
    if (ttf.toString('latin1', 12 + i * 16, 16 + i * 16) === 'cmap') cmap = ttf.readUInt32BE(12 + i * 16 + 8);
  if (cmap < 0) throw new Error('no cmap table');
  const out = new Set<number>();
  const n = ttf.readUInt16BE(cmap + 2);
  for (let i = 0; i < n; i++) {
    const platform = ttf.readUInt16BE(cmap + 4 + i * 8);
    const encoding = ttf.readUInt16BE(cmap + 6 + i * 8);
    const at = cmap + ttf.readUInt32BE(cmap + 8 + i * 8);
    if (platform !== 3 || encoding !== 1 || ttf.readUInt16BE(at) !== 4) continue;
    const segs = ttf.readUInt16BE(at + 6) / 2;
    const ends = at + 14;
    const starts = ends + segs * 2 + 2;
    const deltas = starts + segs * 2;
    const offsets = deltas + segs * 2;
    for (let s = 0; s < segs; s++) {
      const [end, start] = [ttf.readUInt16BE(ends + s * 2), ttf.readUInt16BE(starts + s * 2)];
      const delta = ttf.readInt16BE(deltas + s * 2);
      const offset = ttf.readUInt16BE(offsets + s * 2);
      for (let c = start; c <= end && c !== 0xffff; c++) {
        const glyph = offset === 0 ? (c + delta) & 0xffff : ttf.readUInt16BE(offsets + s * 2 + offset + (c - start) * 2);
        if (glyph !== 0) out.add(c);
      }
    }
  }
  return out;
}

interface Drawn {
  id: number;
  bitmap: number[];
  width: number;
  height: number;
  left: number;
  top: number;
  advance: number;
}

/** glyphs.proto: glyphs { fontstack stacks = 1 } fontstack { name = 1, range = 2, glyph glyphs = 3 } glyph { id 1, bitmap 2, width 3, height 4, left 5 (sint), top 6 (sint), advance 7 }. */
function encodeRange(stack: string, start: number, glyphs: Drawn[]): Uint8Array {
  const pbf = new PbfWriter();
  pbf.writeMessage(
    1,
    () => {
      pbf.writeStringField(1, stack);
      pbf.writeStringField(2, `${start}-${start + 255}`);
      for (const g of glyphs) {
        pbf.writeMessage(
          3,
          () => {
            pbf.writeVarintField(1, g.id);
            if (g.width && g.height) pbf.writeBytesField(2, Uint8Array.from(g.bitmap));
            pbf.writeVarintField(3, g.width);
            pbf.writeVarintField(4, g.height);
            pbf.writeSVarintField(5, g.left);
            pbf.writeSVarintField(6, g.top);
            pbf.writeVarintField(7, g.advance);
          },
          undefined,
        );
      }
    },
    undefined,
  );
  return pbf.finish();
}

const require = createRequire(import.meta.url);
const tinySdf = readFileSync(require.resolve('@mapbox/tiny-sdf'), 'utf8').replace('export default class', 'window.TinySDF = class');

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage();
await page.route('http://assets.local/**', async (route) => {
  const name = new URL(route.request().url()).pathname.slice(1);
  if (name === '') return route.fulfill({ body: '<!doctype html><title>assets</title>', contentType: 'text/html' });
  const font = FONTS[Number(name)];
  return route.fulfill({ body: readFileSync(font.file), contentType: 'font/ttf' });
});
await page.goto('http://assets.local/');
// tsx keeps function names with a helper the page does not have.
await page.evaluate('window.__name = (f) => f');
await page.addScriptTag({ content: tinySdf });

for (const [i, font] of FONTS.entries()) {
  const covered = codePoints(readFileSync(font.file));
  await page.evaluate(
    async ([url, family]) => {
      const face = new FontFace(family, `url(${url})`);
      document.fonts.add(await face.load());
    },
    [`http://assets.local/${i}`, `JardemGlyphs${i}`],
  );
  mkdirSync(new URL(`fonts/${font.stack}/`, OUT), { recursive: true });
  for (const start of RANGES) {
    const ids = Array.from({ length: 256 }, (_, k) => start + k).filter((c) => covered.has(c) && c >= 32);
    const drawn = await page.evaluate(
      ([family, ids, topAdjustment]) => {
        const sdf = new (window as any).TinySDF({ fontSize: 24, buffer: 3, radius: 8, cutoff: 0.25, fontFamily: family });
        return (ids as number[]).map((id) => {
          const g = sdf.draw(String.fromCodePoint(id));
          return {
            id,
            bitmap: Array.from(g.data as Uint8ClampedArray),
            width: g.glyphWidth,
            height: g.glyphHeight,
            left: g.glyphLeft,
            top: g.glyphTop - (topAdjustment as number),
            advance: Math.round(g.glyphAdvance),
          };
        });
      },
      [`JardemGlyphs${i}`, ids, TOP_ADJUSTMENT] as const,
    );
    writeFileSync(new URL(`fonts/${font.stack}/${start}-${start + 255}.pbf`, OUT), encodeRange(font.stack, start, drawn));
    console.log(`${font.stack} ${start}-${start + 255}: ${drawn.length} glyphs`);
  }
}

// The sprite: a place dot (a settlement or microdistrict label's anchor) and a station dot.
for (const ratio of [1, 2]) {
  const { png, index } = await page.evaluate((r) => {
    const icons: Record<string, (ctx: CanvasRenderingContext2D, s: number) => void> = {
      'place-dot': (ctx, s) => {
        ctx.beginPath();
        ctx.arc(s / 2, s / 2, s / 2 - 1.5 * r, 0, 2 * Math.PI);
        ctx.fillStyle = '#5b6673';
        ctx.fill();
        ctx.lineWidth = 1.5 * r;
        ctx.strokeStyle = '#ffffff';
        ctx.stroke();
      },
      'station-dot': (ctx, s) => {
        ctx.fillStyle = '#ffffff';
        ctx.fillRect(r, r, s - 2 * r, s - 2 * r);
        ctx.lineWidth = 2 * r;
        ctx.strokeStyle = '#4a5563';
        ctx.strokeRect(r, r, s - 2 * r, s - 2 * r);
      },
    };
    const size = 10 * r;
    const canvas = document.createElement('canvas');
    canvas.width = size * Object.keys(icons).length;
    canvas.height = size;
    const ctx = canvas.getContext('2d')!;
    const index: Record<string, { x: number; y: number; width: number; height: number; pixelRatio: number }> = {};
    Object.entries(icons).forEach(([name, draw], k) => {
      ctx.save();
      ctx.translate(k * size, 0);
      draw(ctx, size);
      ctx.restore();
      index[name] = { x: k * size, y: 0, width: size, height: size, pixelRatio: r };
    });
    return { png: canvas.toDataURL('image/png').split(',')[1], index };
  }, ratio);
  const suffix = ratio === 1 ? '' : `@${ratio}x`;
  writeFileSync(new URL(`sprite${suffix}.png`, OUT), Buffer.from(png, 'base64'));
  writeFileSync(new URL(`sprite${suffix}.json`, OUT), `${JSON.stringify(index, null, 2)}\n`);
}
await browser.close();
