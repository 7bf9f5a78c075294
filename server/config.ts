import { z } from 'zod';
import { missingSmsSettings, SMS_CONFIG_FIELDS } from './sms/config.ts';

/**
 * Settings, read once from the environment and validated. Every variable is documented in
 * `.env.example`; a wrong value stops the process with a message naming the variable.
 */
const booleanFlag = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const ConfigFields = z.object({
  /** Port of the HTTP server (API and client on one port). */
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  /** Interface to bind; loopback by default, 0.0.0.0 behind a proxy or in a container. */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** postgres://... of a PostgreSQL with PostGIS. Unset: the embedded PGlite database. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  /**
   * postgres://... of a streaming replica of DATABASE_URL: stale-tolerant reads (tiles, statistics,
   * OGC API, exports, Open311 GET) go there while it is up and close behind. Unset: all on DATABASE_URL.
   */
  DATABASE_REPLICA_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  /**
   * Milliseconds the replica may lag before reads go back to the primary. At most 9 s: the tile
   * cache looks for changes arriving on the replica for 10 s after one (server/tiles/cache.ts).
   */
  JARDEM_REPLICA_MAX_LAG_MS: z.coerce.number().int().min(100).max(9000).default(5000),
  /** Milliseconds between two checks of the replica's health and lag. */
  JARDEM_REPLICA_CHECK_MS: z.coerce.number().int().min(200).max(60_000).default(2000),
  /** Folder for the embedded database (only used without DATABASE_URL). */
  JARDEM_DATA_DIR: z.string().min(1).default('./data'),
  /** City pack loaded into an empty database: a folder name under geodata/, or a path to a pack folder. */
  JARDEM_CITY: z
    .string()
    .regex(/^([a-z0-9_-]+|\.{0,2}\/.*)$/, 'a folder name under geodata/, or a path starting with / or ./')
    .default('taraz'),
  /** `production` turns demo mode off unless JARDEM_DEMO asks for it. */
  NODE_ENV: z.string().optional(),
  /**
   * Demo mode: an empty database gets demo history and demo users with a known password; off,
   * the demo users cannot sign in. Unset: on for a loopback HOST outside production (a laptop),
   * off otherwise (see demoByDefault).
   */
  JARDEM_DEMO: booleanFlag.optional(),
  /** Number of demo appeals generated on first start in demo mode. */
  JARDEM_DEMO_COUNT: z.coerce.number().int().min(0).max(2_000_000).default(20_000),
  /** Milliseconds a client has to send a request's headers (slow senders are cut; server/http-timeouts.ts). */
  JARDEM_HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(10_000),
  /** Milliseconds a client has to send a whole request, body included (not the answer: event streams stay open). */
  JARDEM_HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
  /** Milliseconds an idle kept-alive connection stays open between requests. */
  JARDEM_HTTP_KEEPALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
  /** Connections in the pool to PostgreSQL. */
  JARDEM_DB_POOL: z.coerce.number().int().min(1).max(200).default(10),
  /** Session lifetime in hours. */
  JARDEM_SESSION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(12),
  /**
   * Secure cookies and HSTS. Unset: on when JARDEM_PUBLIC_URL is https. (Behind a trusted
   * proxy, X-Forwarded-Proto: https also marks that request's cookie Secure.)
   */
  JARDEM_SECURE_COOKIES: booleanFlag.optional(),
  /**
   * Behind a reverse proxy: the client address is the last X-Forwarded-For entry (else the
   * socket's), and X-Forwarded-Host/-Proto name this site. Off, those headers are ignored.
   */
  JARDEM_TRUST_PROXY: booleanFlag.default(false),
  /** Requests per minute one client address may make to the API, Open311, OGC and tiles (0 = no limit). */
  JARDEM_RATE_LIMIT: z.coerce.number().int().min(0).max(1_000_000).default(30000),
  /** Megabytes of computed answers (districts, statistics, hotspots, map clusters) kept in memory per database; 0 keeps none. */
  JARDEM_RESPONSE_CACHE_MB: z.coerce.number().min(0).max(4096).default(8),
  /** Failed sign-ins of one login from one address before that pair is locked for JARDEM_LOGIN_LOCK_MINUTES. */
  JARDEM_LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  /** Failed sign-ins from one client address (any login) before that address is locked. */
  JARDEM_LOGIN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(30),
  /**
   * Sign-in attempts at one login per minute from all addresses together; beyond it the login is
   * slowed (429 until the minute ends), never locked.
   */
  JARDEM_LOGIN_ATTEMPTS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(20),
  /** Minutes a (login, address) pair or an address stays locked; attempts are also counted within this window. */
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
  /**
   * Base URL the public reaches this server at (photos sent to the bots are linked from there).
   * Set, it is also the base of the links /ogc and /open311 advertise; unset, they follow the request.
   */
  JARDEM_PUBLIC_URL: z
    .string()
    .regex(/^https?:\/\/[^/]+(\/.*)?$/, 'an http(s) URL')
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  /** Telegram bot token (from @BotFather). Unset: no Telegram bot. */
  TELEGRAM_BOT_TOKEN: z.string().min(20).optional(),
  /** The secret_token given to setWebhook: 1–256 of A-Z a-z 0-9 _ -. Required with a bot token. */
  TELEGRAM_WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,256}$/, '16–256 characters of A-Z a-z 0-9 _ -')
    .optional(),
  /** Bot API base URL (a local Bot API server, or a fake one in tests). */
  TELEGRAM_API_BASE: z.string().url().default('https://api.telegram.org'),
  /** WhatsApp Cloud API access token. Unset: no WhatsApp bot. */
  WHATSAPP_TOKEN: z.string().min(10).optional(),
  /** The Meta app's secret: checks X-Hub-Signature-256. Required with a token. */
  WHATSAPP_APP_SECRET: z.string().min(16).optional(),
  /** The verify token typed into the Meta app's webhook settings. Required with a token. */
  WHATSAPP_VERIFY_TOKEN: z.string().min(8).optional(),
  /** The id of the business phone number that sends. Required with a token. */
  WHATSAPP_PHONE_NUMBER_ID: z
    .string()
    .regex(/^[0-9]{1,32}$/, 'digits')
    .optional(),
  /** Graph API base URL including its version. */
  WHATSAPP_API_BASE: z.string().url().default('https://graph.facebook.com/v21.0'),
  /** Facebook Page access token (Messenger Platform). Unset: no Messenger bot. */
  FACEBOOK_PAGE_TOKEN: z.string().min(10).optional(),
  /** The Meta app's secret: checks X-Hub-Signature-256. Required with a Page token. */
  FACEBOOK_APP_SECRET: z.string().min(16).optional(),
  /** The verify token typed into the app's Messenger webhook settings. Required with a Page token. */
  FACEBOOK_VERIFY_TOKEN: z.string().min(8).optional(),
  /** Graph API base URL including its version. */
  FACEBOOK_API_BASE: z.string().url().default('https://graph.facebook.com/v21.0'),
  ...SMS_CONFIG_FIELDS,
  // h-field: photos taken as proof of work (server/field/store.ts, docs/operations.md).
  /** Where photos are kept: `dir` (a directory). S3-compatible storage is not implemented yet. */
  JARDEM_PHOTO_STORE: z.enum(['dir'], { message: 'only "dir" is implemented (S3-compatible storage is not yet)' }).default('dir'),
  /** The photo directory; unset: `photos/` under JARDEM_DATA_DIR. */
  JARDEM_PHOTO_DIR: z.string().min(1).optional(),
  /** Largest photo upload (a whole multipart body), in MiB; larger: 413. */
  JARDEM_PHOTO_MAX_MB: z.coerce.number().min(0.1).max(64).default(8),
  /** pino log level. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

const DEFAULT_PUBLIC_URL = 'http://127.0.0.1:8787';

/** A loopback interface: only this machine can reach the server. */
export const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);

/**
 * Demo mode unless asked for: on for `npm start` on a laptop (loopback HOST, not production),
 * off for a production start or one reachable from other machines, where well-known demo
 * passwords would be an open door.
 */
const demoByDefault = (c: { NODE_ENV?: string; HOST: string }) => c.NODE_ENV !== 'production' && isLoopback(c.HOST);

/** A bot is configured whole or not at all. */
const ConfigSchema = ConfigFields.superRefine((c, ctx) => {
  const need = (when: unknown, keys: (keyof typeof c)[]) => {
    if (!when) return;
    for (const k of keys) if (!c[k]) ctx.addIssue({ code: 'custom', path: [k], message: 'required when the bot is configured' });
  };
  need(c.TELEGRAM_BOT_TOKEN, ['TELEGRAM_WEBHOOK_SECRET']);
  need(c.WHATSAPP_TOKEN, ['WHATSAPP_APP_SECRET', 'WHATSAPP_VERIFY_TOKEN', 'WHATSAPP_PHONE_NUMBER_ID']);
  need(c.FACEBOOK_PAGE_TOKEN, ['FACEBOOK_APP_SECRET', 'FACEBOOK_VERIFY_TOKEN']);
  for (const k of missingSmsSettings(c))
    ctx.addIssue({ code: 'custom', path: [k], message: `required with SMS_PROVIDER=${c.SMS_PROVIDER}` });
  if (c.DATABASE_REPLICA_URL && !c.DATABASE_URL)
    ctx.addIssue({ code: 'custom', path: ['DATABASE_REPLICA_URL'], message: 'a replica needs its primary in DATABASE_URL' });
}).transform((c) => ({
  ...c,
  JARDEM_DEMO: c.JARDEM_DEMO ?? demoByDefault(c),
  JARDEM_PUBLIC_URL: c.JARDEM_PUBLIC_URL ?? DEFAULT_PUBLIC_URL,
  /** Whether JARDEM_PUBLIC_URL was given (else links follow the request: server/public-url.ts). */
  JARDEM_PUBLIC_URL_SET: c.JARDEM_PUBLIC_URL !== undefined,
  JARDEM_SECURE_COOKIES: c.JARDEM_SECURE_COOKIES ?? (c.JARDEM_PUBLIC_URL ?? DEFAULT_PUBLIC_URL).startsWith('https://'),
}));

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
