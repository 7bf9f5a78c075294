import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { importDistricts, type SourceFeature } from '../../server/geodata/import.ts';
import { testApp } from '../helpers/app.ts';
import { hostileValue } from '../helpers/fuzz.ts';
import { probeTally } from '../helpers/probes.ts';

/**
 * Invalid GeoJSON on boundary import: each run imports hostile features in a transaction (as
 * the CLI does); the import must fail with a message naming the feature, and after the
 * rollback districts and appeals are as they were. Seeds as in fuzz.test.ts.
 */
const t = testApp();
const seed = Number(process.env.JARDEM_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const FIELDS = { code: 'code', nameKk: 'kk', nameRu: 'ru', nameEn: 'en' };

const square = [
  [71.3, 42.8],
  [71.31, 42.8],
  [71.31, 42.81],
  [71.3, 42.8],
];
const badGeometry = fc.oneof(
  fc.constant(null),
  fc.record({ type: fc.constantFrom('Polygon', 'MultiPolygon', 'Point', 'polygon', ''), coordinates: hostileValue }),
  fc.record({
    type: fc.constant('Polygon'),
    coordinates: fc.constantFrom(
      [[...square.slice(0, 2), [Number.NaN, 1], square[0]]],
      [square.slice(0, 3)],
      [[[71.3, 'x'], ...square.slice(1)]],
      [],
    ),
  }),
);
const feature = fc.record({
  properties: fc.record({ code: fc.constantFrom('fuzz-a', 'fuzz-b', ''), en: hostileValue }),
  geometry: badGeometry,
});

describe('boundary import with invalid GeoJSON', () => {
  it('fails with a message naming the feature and leaves the database as it was', { timeout: 300_000 }, async () => {
    const snapshot = async () =>
      (
        await t.pool.query(
          `SELECT (SELECT md5(string_agg(code || ST_AsText(geom), ',' ORDER BY code)) FROM districts) AS d, (SELECT md5(string_agg(id || ':' || coalesce(district_id, 0), ',' ORDER BY id)) FROM incidents) AS i`,
        )
      ).rows[0];
    const before = await snapshot();
    console.log(`import fuzz: seeds 8 and ${seed}`);
    // Imports tried; appeals or districts not as they were after the rollbacks count as lost.
    const tally = probeTally('import-fuzz.test.ts', 'invalid GeoJSON on boundary import');
    try {
      for (const s of [8, seed]) {
        await fc.assert(
          fc.asyncProperty(fc.array(feature, { minLength: 1, maxLength: 3 }), async (features) => {
            tally.tried++;
            const client = await t.pool.connect();
            try {
              await client.query('BEGIN');
              const outcome = await importDistricts(client, features as SourceFeature[], FIELDS).then(
                () => 'accepted',
                (err: Error) => err.message,
              );
              // An import that fails without naming the feature is this probe's "5xx".
              if (!/^(Feature \d+|Two features)/.test(outcome)) tally.fiveXX++;
              expect(outcome).toMatch(/^(Feature \d+|Two features)/);
            } finally {
              await client.query('ROLLBACK');
              client.release();
            }
          }),
          { seed: s, numRuns: 25, endOnFailure: true },
        );
      }
      const after = await snapshot();
      if (after.i !== before.i || after.d !== before.d) tally.lost++;
      expect(after).toEqual(before);
    } finally {
      tally.record();
    }
  });
});
