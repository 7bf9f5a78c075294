/**
 * Demo outages (issue 18): a heating outage, a cold-water outage and planned road works, each
 * along a street of the demo layout (the demo gazetteer, source 'demo'), so that a demo call from
 * a house on that street finds its outage. Each outage's service is the one its category is routed
 * to in that street's district. Marked `"demo": true` in area_source and rebuilt at every start in
 * demo mode, relative to now. None is past its expected end: a new alert would take the wall to
 * its district at start (the alert itself is shown by test/api/outages-register.test.ts).
 */
import type pg from 'pg';
import { withTransaction } from '../db/pool.ts';
import { createOutage } from '../outages/queries.ts';
import type { OutageKind } from '../outages/schema.ts';

interface DemoOutage {
  kind: OutageKind;
  /** The category whose routed service is off (its district: the street's). */
  category: string;
  /** Hours from now: start and expected end (negative: in the past). */
  from: number;
  to: number;
  /** Metres around the street. */
  buffer: number;
  notice: (street: string) => { kk: string; ru: string; en: string };
}

const DEMO: DemoOutage[] = [
  {
    kind: 'emergency',
    category: 'heating.no_heating',
    from: -3,
    to: 5,
    buffer: 60,
    notice: (s) => ({
      kk: `${s}: жылу трассасындағы апат, жылу берілмейді. Бригада жұмыс істеп жатыр. (демо)`,
      ru: `${s}: авария на теплотрассе, отопление отключено. Бригада на месте. (демо)`,
      en: `${s}: a burst heating main, the heating is off. A crew is on site. (demo)`,
    }),
  },
  {
    kind: 'emergency',
    category: 'cold_water.none',
    from: -2,
    to: 3,
    buffer: 50,
    notice: (s) => ({
      kk: `${s}: су құбырын жөндеу, суық су берілмейді. (демо)`,
      ru: `${s}: ремонт водовода, холодной воды нет. (демо)`,
      en: `${s}: water main repair, no cold water. (demo)`,
    }),
  },
  {
    kind: 'planned',
    category: 'roads.pothole',
    from: -20,
    to: 52,
    buffer: 25,
    notice: (s) => ({
      kk: `${s}: жоспарлы жол жөндеу, қозғалыс шектелген. (демо)`,
      ru: `${s}: плановый ремонт дороги, движение ограничено. (демо)`,
      en: `${s}: planned road repair, traffic restricted. (demo)`,
    }),
  },
];

/** Replaces the demo outages with fresh ones along demo streets; how many were made. */
export async function loadDemoOutages(pool: pg.Pool): Promise<number> {
  return withTransaction(pool, async (db) => {
    await db.query(`DELETE FROM outages WHERE area_source->>'demo' = 'true'`);
    // Streets of different districts, the longest first: one per outage.
    const { rows: streets } = await db.query<{ id: string; name: string; district_id: number }>(
      `SELECT DISTINCT ON (p.district_id) p.id, coalesce(p.names->>'ru', p.names->>'name') AS name, p.district_id
         FROM places p
        WHERE p.source = 'demo' AND p.kind = 'street' AND p.district_id IS NOT NULL
        ORDER BY p.district_id, ST_Length(p.geom::geography) DESC, p.id`,
    );
    const { rows: admin } = await db.query<{ id: number }>(`SELECT id FROM users WHERE role = 'admin' ORDER BY id LIMIT 1`);
    let made = 0;
    const now = Date.now();
    for (const [i, o] of DEMO.entries()) {
      const street = streets[i];
      if (!street) break;
      const { rows } = await db.query<{ code: string | null }>(
        `SELECT s.code FROM services s WHERE s.id = route_service((SELECT id FROM categories WHERE code = $1), $2)`,
        [o.category, street.district_id],
      );
      if (!rows[0]?.code) continue;
      const hours = (h: number) => new Date(now + h * 3600_000).toISOString();
      const id = await createOutage(
        db,
        {
          kind: o.kind,
          services: [rows[0].code],
          places: { ids: [Number(street.id)], buffer_m: o.buffer },
          starts_at: hours(o.from),
          expected_end_at: hours(o.to),
          notice: o.notice(street.name),
        },
        admin[0]?.id ?? null,
      );
      await db.query(`UPDATE outages SET area_source = area_source || '{"demo": true}'::jsonb WHERE id = $1`, [id]);
      made++;
    }
    return made;
  });
}
