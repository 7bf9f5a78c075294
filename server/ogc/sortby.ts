import type { CollectionId } from './collections.ts';
import { QUERYABLES, queryableOf } from './queryables.ts';
import { AppError } from '../errors.ts';

/**
 * `sortby` (OGC API – Features Part 8, draft; as OGC API – Records has it): a comma-separated
 * list of sortable properties, each ascending unless prefixed with `-` (`+` is ascending; in a
 * URL it may arrive as a space). At most MAX_KEYS keys.
 */
export interface SortKey {
  name: string;
  desc: boolean;
}

const MAX_KEYS = 5;

const sortError = (message: string) =>
  new AppError(400, 'invalid_parameter', `Invalid query parameter sortby: ${message}`, [{ path: 'sortby', message }]);

export function parseSortby(text: string, id: CollectionId): SortKey[] {
  const keys = text.split(',').map((part) => {
    const m = /^\s*([+-]?)\s*([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(part);
    if (!m) throw sortError(`"${part}" is not a property name with an optional + or - before it`);
    const q = queryableOf(id, m[2]);
    if (!q?.sortable) {
      const names = Object.entries(QUERYABLES[id])
        .filter(([, v]) => v.sortable)
        .map(([k]) => k);
      throw sortError(`${id} cannot be sorted by "${m[2]}"; it can by ${names.join(', ')} (see its sortables)`);
    }
    return { name: m[2], desc: m[1] === '-' };
  });
  if (keys.length > MAX_KEYS) throw sortError(`at most ${MAX_KEYS} keys`);
  if (new Set(keys.map((k) => k.name)).size !== keys.length) throw sortError('a property is named twice');
  return keys;
}

/**
 * ORDER BY of the keys, then the row id, so that equal keys keep one order from page to page.
 * Nulls (an appeal not yet resolved) sort as the largest values, PostgreSQL's default, so that
 * `-created_at` reads the (created_at DESC, id DESC) index as the default order does.
 */
export function orderBySql(keys: SortKey[], id: CollectionId): string {
  const alias = id === 'incidents' ? 'i' : 'd';
  const parts = keys.map((k) => `${QUERYABLES[id][k.name].sql} ${k.desc ? 'DESC' : 'ASC'}`);
  return [...parts, `${alias}.id ${keys[0]?.desc ? 'DESC' : 'ASC'}`].join(', ');
}
