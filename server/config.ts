import { z } from 'zod';

/**
 * Settings, read once from the environment and validated. Every variable is documented in
 * `.env.example`; a wrong value stops the process with a message naming the variable.
 */
const booleanFlag = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const ConfigSchema = z.object({
  /** Port of the HTTP server (API and client on one port). */
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  /** Interface to bind; loopback by default, 0.0.0.0 behind a proxy or in a container. */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** postgres://... of a PostgreSQL with PostGIS. Unset: the embedded PGlite database. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  /** Folder for the embedded database (only used without DATABASE_URL). */
  JARDEM_DATA_DIR: z.string().min(1).default('./data'),
  /** City pack loaded into an empty database (a folder name under geodata/). */
  JARDEM_CITY: z
    .string()
    .regex(/^[a-z0-9_-]+$/, 'a folder name under geodata/')
    .default('taraz'),
  /** Demo mode: an empty database gets demo history and demo users with a known password. */
  JARDEM_DEMO: booleanFlag.default(true),
  /** Number of demo appeals generated on first start in demo mode. */
  JARDEM_DEMO_COUNT: z.coerce.number().int().min(0).max(2_000_000).default(20_000),
  /** Connections in the pool to PostgreSQL. */
  JARDEM_DB_POOL: z.coerce.number().int().min(1).max(200).default(10),
  /** Session lifetime in hours. */
  JARDEM_SESSION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(12),
  /** Set when served over HTTPS so that cookies carry the Secure flag (also set per request by X-Forwarded-Proto: https). */
  JARDEM_SECURE_COOKIES: booleanFlag.default(false),
  /** Behind a reverse proxy: the client address is the last X-Forwarded-For entry (else the socket's). */
  JARDEM_TRUST_PROXY: booleanFlag.default(false),
  /** Requests per minute one client address may make to the API, Open311, OGC and tiles (0 = no limit). */
  JARDEM_RATE_LIMIT: z.coerce.number().int().min(0).max(1_000_000).default(30000),
  /** Failed sign-ins of one login before it is locked for JARDEM_LOGIN_LOCK_MINUTES. */
  JARDEM_LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  /** Failed sign-ins from one client address (any login) before that address is locked. */
  JARDEM_LOGIN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(30),
  /** Minutes a login or an address stays locked; failures are also counted within this window. */
  JARDEM_LOGIN_LOCK_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  /** Extra origins the page may load map tiles, styles and fonts from (comma-separated), besides JARDEM_BASEMAP_URL's. */
  JARDEM_TILE_ORIGINS: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s;']+$/, 'origins like https://tiles.example.org, comma-separated')))
    .default([]),
  /**
   * Key for citizens' feedback links (HMAC), at least 32 characters; the same on every instance.
   * Unset: a fixed key in demo mode, else a random key per start (links shown to staff change).
   */
  JARDEM_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  /** Optional MapLibre style URL for an online base map; the offline base map is the fallback. */
  JARDEM_BASEMAP_URL: z.string().url().optional(),
  /** pino log level. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {}

/** Parses the environment; throws a ConfigError that says which variable to set and how. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ConfigSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration; fix these environment variables (see .env.example):\n${lines.join('\n')}`);
  }
  return parsed.data;
}
