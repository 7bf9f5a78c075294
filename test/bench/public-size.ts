// npm run bench:public — the first-load bytes of the citizens' pages (issue 20): /public (its
// HTML, entry script, preloaded chunks and CSS, before the map section fetches MapLibre) and
// the server-rendered feedback page (one HTML answer, no script). Raw and gzip-compressed, as
// the server sends them to a browser that accepts gzip. Builds the client first if needed.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { feedbackPage } from '../../server/public/feedback-html.ts';
import { PAGE_LANGS } from '../../server/public/feedback-texts.ts';

execFileSync(process.execPath, ['scripts/build-if-needed.mjs'], { stdio: 'inherit' });

const DIR = 'dist/client';
const size = (buf: Buffer | string) => {
  const b = typeof buf === 'string' ? Buffer.from(buf) : buf;
  return { raw: b.length, gzip: gzipSync(b, { level: 6 }).length };
};
const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;

/** The files a browser fetches for an HTML entry before any dynamic import. */
function firstLoad(html: string) {
  const files = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
  return files.map((f) => ({ file: f, ...size(readFileSync(DIR + f)) }));
}

const portalHtml = readFileSync(`${DIR}/public.html`, 'utf8');
const portal = [{ file: '/public (HTML)', ...size(portalHtml) }, ...firstLoad(portalHtml)];
const staff = firstLoad(readFileSync(`${DIR}/index.html`, 'utf8'));

const view = {
  number: '109-2026-000123',
  category: { code: 'roads.pothole', name: { kk: 'Жолдағы шұңқыр', ru: 'Яма на дороге', en: 'Pothole' } },
  status: 'resolved',
  resolution_note: 'Яму заделали горячим асфальтом, участок 2 × 1,5 м.',
  created_at: new Date(),
  resolved_at: new Date(),
  expires_at: new Date(Date.now() + 15 * 86_400_000),
  answered: false,
  can_rate: true,
  can_dispute: true,
};
const feedback = PAGE_LANGS.map((lang) => ({
  file: `/feedback/<token> (HTML, ${lang})`,
  ...size(feedbackPage({ kind: 'view', view, form: 'x'.repeat(50) }, lang, 'Asia/Almaty')),
}));

const total = (rows: { raw: number; gzip: number }[]) =>
  rows.reduce((a, r) => ({ raw: a.raw + r.raw, gzip: a.gzip + r.gzip }), { raw: 0, gzip: 0 });
console.log('/public, first load (before the map):');
for (const r of portal) console.log(`  ${r.file.padEnd(44)} ${kb(r.raw).padStart(9)} ${kb(r.gzip).padStart(9)} gzip`);
const p = total(portal);
console.log(`  ${'total'.padEnd(44)} ${kb(p.raw).padStart(9)} ${kb(p.gzip).padStart(9)} gzip`);
console.log('/feedback/<token>, the whole page (no script, no other file):');
for (const r of feedback) console.log(`  ${r.file.padEnd(44)} ${kb(r.raw).padStart(9)} ${kb(r.gzip).padStart(9)} gzip`);
const s = total(staff);
console.log(`For comparison, the staff app's first load (index.html's files): ${kb(s.raw)}, ${kb(s.gzip)} gzip`);
