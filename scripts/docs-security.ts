// npm run docs:security — rewrites the access matrix table in docs/security.md from server/auth/matrix.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { withMatrixTable } from '../server/auth/matrix-doc.ts';

const path = 'docs/security.md';
writeFileSync(path, withMatrixTable(readFileSync(path, 'utf8')));
console.log(`${path}: access matrix table rewritten`);
