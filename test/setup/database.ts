import type pg from 'pg';
import { prepareDatabase } from '../../server/boot.ts';

/** Size of the deterministic demo history every API test run starts from. */
export const TEST_HISTORY = 3000;

/** Migrations, the Taraz pack, a small deterministic history and the demo users. */
export async function prepareTestDatabase(pool: pg.Pool): Promise<void> {
  await prepareDatabase(pool, { city: 'taraz', demo: true, demoCount: TEST_HISTORY, seed: 42 });
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    engine: 'postgres' | 'pglite';
    baseUrl: string;
  }
}
