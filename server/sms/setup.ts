import type pg from 'pg';
import type { Config } from '../config.ts';
import { linkKey } from '../lifecycle/tokens.ts';
import { HttpGateway } from './http-gateway.ts';
import { SmsOutbox } from './outbox.ts';
import { parseQuietHours } from './quiet.ts';
import type { SmsSender } from './sender.ts';
import { SmppSender } from './smpp.ts';

/** How often the outbox looks for messages to send (ms). */
export const SMS_EVERY_MS = 2_000;

/**
 * What the database queues (table sms_settings, read by the outbox triggers): nothing while no
 * provider is configured, so that no backlog of stale texts waits for one. Every instance of a
 * deployment has the same settings; the last one started writes them.
 */
export async function applySmsSettings(pool: pg.Pool, s: { enabled: boolean; statusChanges: boolean }): Promise<void> {
  await pool.query('UPDATE sms_settings SET enabled = $1, status_changes = $2', [s.enabled, s.enabled && s.statusChanges]);
}

/** The configured gateway, or undefined without SMS_PROVIDER. */
export function createSmsSender(config: Config): SmsSender | undefined {
  if (config.SMS_PROVIDER === 'http') {
    return new HttpGateway({ url: config.SMS_HTTP_URL!, token: config.SMS_HTTP_TOKEN!, sender: config.SMS_SENDER });
  }
  if (config.SMS_PROVIDER === 'smpp') {
    return new SmppSender({
      url: config.SMS_SMPP_URL!,
      systemId: config.SMS_SMPP_SYSTEM_ID!,
      password: config.SMS_SMPP_PASSWORD!,
      systemType: config.SMS_SMPP_SYSTEM_TYPE,
      sender: config.SMS_SENDER,
      window: config.SMS_SMPP_WINDOW,
      ratePerSecond: config.SMS_SMPP_RATE,
      enquireLinkMs: config.SMS_SMPP_ENQUIRE_LINK_SECONDS * 1000,
      responseTimeoutMs: 30_000,
      reconnectMs: 1_000,
      throttleBackoffMs: 1_000,
      throttleRetries: 5,
      bindWaitMs: 10_000,
    });
  }
  return undefined;
}

/** The outbox over a sender, with the configuration's rules. */
export function createSmsOutbox(config: Config, pool: pg.Pool, sender: SmsSender): SmsOutbox {
  return new SmsOutbox(pool, {
    sender,
    linkKey: linkKey(config),
    publicUrl: config.JARDEM_PUBLIC_URL,
    quietHours: parseQuietHours(config.SMS_QUIET_HOURS),
    maxAttempts: config.SMS_MAX_ATTEMPTS,
    retryBaseMs: config.SMS_RETRY_SECONDS * 1000,
    batch: 50,
    interruptedAfterMs: 10 * 60_000,
  });
}

/** At start-up: writes the settings and, with a provider, starts the outbox. */
export async function startSms(config: Config, pool: pg.Pool): Promise<SmsOutbox | undefined> {
  const sender = createSmsSender(config);
  await applySmsSettings(pool, { enabled: Boolean(sender), statusChanges: config.SMS_STATUS_CHANGES });
  if (!sender) return undefined;
  const outbox = createSmsOutbox(config, pool, sender);
  outbox.start(SMS_EVERY_MS);
  return outbox;
}
