// npm run docs:probes — rewrites the table of hostile probes in docs/security.md from what the
// tests recorded under test/.probes (test/helpers/probes.ts); `npm test` runs it after a full run.
import { readFileSync, writeFileSync } from 'node:fs';
import { PROBES_DIR, readProbes, withProbesTable } from '../test/helpers/probes-doc.ts';

const path = 'docs/security.md';
const lines = readProbes(PROBES_DIR);
writeFileSync(path, withProbesTable(readFileSync(path, 'utf8'), lines));
console.log(`${path}: probes table rewritten from ${lines.length} records`);
