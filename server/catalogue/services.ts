import type pg from 'pg';
import { conflict, notFound } from '../errors.ts';
import { checkVersion, inChange, snapshot, type Editor } from './change.ts';
import { serviceByCode, type ServiceRow } from './queries.ts';
import type { NewService, ServicePatch } from './schemas.ts';

/** Adds a service (a utility or a city body that executes appeals). */
export async function createService(pool: pg.Pool, editor: Editor, input: NewService): Promise<ServiceRow> {
  return inChange(pool, editor, async (tx) => {
    if (await serviceByCode(tx.db, input.code)) throw conflict(`The code ${input.code} is taken.`, [{ path: 'code', message: 'taken' }]);
    await tx.db.query(
      'INSERT INTO services (code, name_kk, name_ru, name_en, kind, phone, email, active) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [
        input.code,
        input.name.kk,
        input.name.ru,
        input.name.en,
        input.kind ?? null,
        input.phone ?? null,
        input.email ?? null,
        input.active ?? true,
      ],
    );
    const after = (await serviceByCode(tx.db, input.code))!;
    await tx.log('service', input.code, 'create', undefined, snapshot(after));
    return after;
  });
}

/** What still sends appeals to a service: active categories whose default it is, and routing rules. */
export async function serviceUses(db: Pick<pg.Pool, 'query'>, id: number): Promise<{ categories: string[]; rules: number }> {
  const { rows } = await db.query<{ categories: string[]; rules: number }>(
    `SELECT ARRAY(SELECT code FROM categories WHERE default_service_id = $1 AND active ORDER BY code LIMIT 20) AS categories,
            (SELECT count(*)::int FROM routing_rules WHERE service_id = $1) AS rules`,
    [id],
  );
  return rows[0];
}

/**
 * Edits a service's names, kind, contacts or `active`. A service that active categories or
 * routing rules still send appeals to cannot be made inactive (409 names them): appeals would
 * be routed to a body nobody watches.
 */
export async function patchService(pool: pg.Pool, editor: Editor, code: string, patch: ServicePatch): Promise<ServiceRow> {
  return inChange(pool, editor, async (tx) => {
    const before = await serviceByCode(tx.db, code, true);
    if (!before) throw notFound('Service');
    checkVersion('service', before.version, patch.version);
    if (patch.active === false && before.active) {
      const uses = await serviceUses(tx.db, before.id);
      if (uses.categories.length || uses.rules) {
        throw conflict(`Appeals are still routed to ${code}: reassign its categories and rules first.`, [
          {
            path: 'active',
            message: `default service of ${uses.categories.join(', ') || 'no category'}; target of ${uses.rules} routing rule(s)`,
          },
        ]);
      }
    }
    await tx.db.query(
      `UPDATE services SET name_kk = coalesce($2, name_kk), name_ru = coalesce($3, name_ru), name_en = coalesce($4, name_en),
              kind = CASE WHEN $5 THEN $6 ELSE kind END, phone = CASE WHEN $7 THEN $8 ELSE phone END,
              email = CASE WHEN $9 THEN $10 ELSE email END, active = coalesce($11, active), version = version + 1
        WHERE id = $1`,
      [
        before.id,
        patch.name?.kk ?? null,
        patch.name?.ru ?? null,
        patch.name?.en ?? null,
        patch.kind !== undefined,
        patch.kind ?? null,
        patch.phone !== undefined,
        patch.phone ?? null,
        patch.email !== undefined,
        patch.email ?? null,
        patch.active ?? null,
      ],
    );
    const after = (await serviceByCode(tx.db, code))!;
    const action = patch.active === false && before.active ? 'retire' : patch.active === true && !before.active ? 'restore' : 'update';
    await tx.log('service', code, action, snapshot(before), snapshot(after));
    return after;
  });
}
