/**
 * The catalogue's version (catalogue_state.version, migration 025) and the caches that hang on
 * it. Every instance keeps the city's lists in memory (catalog.ts, stats labels, the working
 * calendar); an edit in /admin moves the version inside its transaction, so the change is
 * visible exactly when the edit commits. Each instance reads the version at most once per
 * CHECK_MS (readers arriving together share the read) and drops the caches registered here when
 * it moved: an edit on one instance reaches the others within a second, without a restart and
 * without LISTEN/NOTIFY (which does not cross pglite-socket). The editing instance drops its own
 * at once (catalogueChanged).
 */

interface Queryable {
  query: (text: string) => Promise<{ rows: { version: string }[] }>;
}

/** The version is read at most this often per pool (milliseconds). */
const CHECK_MS = 1000;

interface PoolState {
  seen: string | null;
  checkedAt: number;
  checking: Promise<void> | null;
}

const states = new WeakMap<object, PoolState>();
const invalidators: ((pool: never) => void)[] = [];

/** Registers a cache to drop when the catalogue changes (called once per module). */
export function onCatalogueChange<P extends object>(invalidate: (pool: P) => void): void {
  invalidators.push(invalidate as (pool: never) => void);
}

function dropAll(pool: object): void {
  for (const f of invalidators) (f as (p: object) => void)(pool);
}

/**
 * Makes sure the caches of `pool` are not older than the catalogue: reads the version when the
 * last read is older than CHECK_MS and drops the caches when it moved. Cheap to call on every read.
 */
export async function syncCatalogue(pool: object): Promise<void> {
  let s = states.get(pool);
  if (!s) states.set(pool, (s = { seen: null, checkedAt: 0, checking: null }));
  if (Date.now() - s.checkedAt < CHECK_MS) return;
  const state = s;
  state.checking ??= (pool as Queryable)
    .query('SELECT version::text AS version FROM catalogue_state')
    .then(({ rows }) => {
      const v = rows[0]?.version ?? null;
      if (state.seen !== null && v !== state.seen) dropAll(pool);
      state.seen = v;
      state.checkedAt = Date.now();
    })
    .finally(() => (state.checking = null));
  await state.checking;
}

/** After a change committed on this instance: drop the caches now, and read the version again at the next check. */
export function catalogueChanged(pool: object): void {
  dropAll(pool);
  const s = states.get(pool);
  if (s) s.checkedAt = 0;
}
