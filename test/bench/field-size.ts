// npm run bench:field — the bytes of the crews' field app (/field, issue 24): its first load
// (HTML, entry script, preloaded chunks, CSS: what a phone fetches before anything else), what
// opening the map tab adds (MapLibre and the map view, loaded on demand), and the service
// worker with its manifest. Raw and gzip-compressed, as the server sends them to a browser that
// accepts gzip. Builds the client first if needed.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

execFileSync(process.execPath, ['scripts/build-if-needed.mjs'], { stdio: 'inherit' });

const DIR = 'dist/client';
const size = (b: Buffer) => ({ raw: b.length, gzip: gzipSync(b, { level: 6 }).length });
const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
type Row = { file: string; raw: number; gzip: number };
const row = (file: string): Row => ({ file, ...size(readFileSync(DIR + file)) });

const html = readFileSync(`${DIR}/field.html`, 'utf8');
const first = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
const firstSet = new Set(first);

/** Chunks a script imports dynamically (Vite writes them as "assets/x.js" or "./x.js"), transitively. */
function dynamicChunks(file: string, seen = new Set<string>()): string[] {
  const code = readFileSync(DIR + file, 'utf8');
  for (const m of code.matchAll(/["'`](?:\.\/|\/?assets\/)([\w.-]+\.(?:js|css))["'`]/g)) {
    const f = `/assets/${m[1]}`;
    if (firstSet.has(f) || seen.has(f)) continue;
    seen.add(f);
    if (f.endsWith('.js')) dynamicChunks(f, seen);
  }
  return [...seen];
}

const firstRows = [{ file: '/field (HTML)', ...size(Buffer.from(html)) }, ...first.map(row)];
const lazyRows = first
  .filter((f) => f.endsWith('.js'))
  .flatMap((f) => dynamicChunks(f))
  .map(row);
const swRows = [
  '/field-sw.js',
  ...new Set([...readFileSync(`${DIR}/field-sw.js`, 'utf8').matchAll(/(workbox-[a-f0-9]+)/g)].map((m) => `/${m[1]}.js`)),
  '/field.webmanifest',
].map(row);

const total = (rows: Row[]) => rows.reduce((a, r) => ({ raw: a.raw + r.raw, gzip: a.gzip + r.gzip }), { raw: 0, gzip: 0 });
const print = (title: string, rows: Row[]) => {
  console.log(title);
  for (const r of rows) console.log(`  ${r.file.padEnd(44)} ${kb(r.raw).padStart(9)} ${kb(r.gzip).padStart(9)} gzip`);
  const t = total(rows);
  console.log(`  ${'total'.padEnd(44)} ${kb(t.raw).padStart(9)} ${kb(t.gzip).padStart(9)} gzip`);
};
print('/field, first load (list, details, actions, offline queue; no map):', firstRows);
print('Loaded on demand (the map tab: MapLibre, the base map style, the map view; the first photo: the EXIF reader):', lazyRows);
print('Service worker and manifest (installed after the first load):', swRows);
