/**
 * A value loaded from the database and kept per pool for a while (reference lists, the
 * calendar, labels): every caller within `ttlMs` shares one load; a failed load is forgotten at
 * once so the next caller tries again.
 */
export function cachedPerPool<P extends object, T>(ttlMs: number, load: (pool: P) => Promise<T>) {
  const entries = new WeakMap<P, { at: number; value: Promise<T> }>();
  return {
    get(pool: P): Promise<T> {
      const hit = entries.get(pool);
      if (hit && Date.now() - hit.at < ttlMs) return hit.value;
      const value = load(pool);
      entries.set(pool, { at: Date.now(), value });
      value.catch(() => entries.delete(pool));
      return value;
    },
    invalidate(pool: P): void {
      entries.delete(pool);
    },
  };
}
