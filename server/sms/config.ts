import { z } from 'zod';
import { parseQuietHours } from './quiet.ts';

const flag = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * The SMS settings (server/config.ts takes them in; each is documented in `.env.example`).
 * SMS_PROVIDER unset: no SMS is queued or sent.
 */
export const SMS_CONFIG_FIELDS = {
  /** `smpp` (an operator's SMS centre) or `http` (a provider's HTTP gateway). Unset: no SMS. */
  SMS_PROVIDER: z.enum(['smpp', 'http']).optional(),
  /** The sender the phone shows: an alphanumeric name (up to 11) or a number. */
  SMS_SENDER: z
    .string()
    .regex(/^([A-Za-z0-9 ._-]{1,11}|\+?[0-9]{1,15})$/, 'a name of up to 11 letters and digits, or a number')
    .default('109'),
  /** Also text callers when their appeal is assigned, taken, reopened, closed or rejected. */
  SMS_STATUS_CHANGES: flag.default(false),
  /** Hours of the city's day (local time) in which non-urgent SMS wait, e.g. 22:00-08:00; `off` for none. */
  SMS_QUIET_HOURS: z
    .string()
    .refine((s) => {
      try {
        parseQuietHours(s);
        return true;
      } catch {
        return false;
      }
    }, 'HH:MM-HH:MM or off')
    .default('22:00-08:00'),
  /** Attempts before an SMS is given up. */
  SMS_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** Seconds before the first retry; doubling after each failure, up to an hour. */
  SMS_RETRY_SECONDS: z.coerce.number().min(0.01).max(3600).default(30),
  /** SMPP: smpp://host:port (ssmpp:// for TLS) of the operator's SMS centre. */
  SMS_SMPP_URL: z
    .string()
    .regex(/^ssmpp?:\/\/[^/\s]+$/, 'smpp://host:port')
    .optional(),
  /** SMPP: the system_id and password of the bind (from the operator). */
  SMS_SMPP_SYSTEM_ID: z.string().min(1).max(15).optional(),
  SMS_SMPP_PASSWORD: z.string().min(1).max(8).optional(),
  /** SMPP: the system_type, if the operator asks for one. */
  SMS_SMPP_SYSTEM_TYPE: z.string().max(12).optional(),
  /** SMPP: submit_sm waiting for an answer at once (the window the operator allows). */
  SMS_SMPP_WINDOW: z.coerce.number().int().min(1).max(100).default(10),
  /** SMPP: submit_sm per second (the operator's contracted rate). */
  SMS_SMPP_RATE: z.coerce.number().min(0.1).max(1000).default(10),
  /** SMPP: seconds between enquire_link (keep-alive). */
  SMS_SMPP_ENQUIRE_LINK_SECONDS: z.coerce.number().min(1).max(600).default(30),
  /** HTTP: the provider's endpoint that takes one SMS per POST of JSON. */
  SMS_HTTP_URL: z
    .string()
    .regex(/^https?:\/\/\S+$/, 'an http(s) URL')
    .optional(),
  /** HTTP: the bearer token of that endpoint. */
  SMS_HTTP_TOKEN: z.string().min(8).optional(),
};

type SmsFields = { [K in keyof typeof SMS_CONFIG_FIELDS]: z.infer<(typeof SMS_CONFIG_FIELDS)[K]> };

/** The settings each provider needs (server/config.ts reports the missing ones). */
export function missingSmsSettings(c: Partial<SmsFields>): (keyof SmsFields)[] {
  if (c.SMS_PROVIDER === 'smpp') return (['SMS_SMPP_URL', 'SMS_SMPP_SYSTEM_ID', 'SMS_SMPP_PASSWORD'] as const).filter((k) => !c[k]);
  if (c.SMS_PROVIDER === 'http') return (['SMS_HTTP_URL', 'SMS_HTTP_TOKEN'] as const).filter((k) => !c[k]);
  return [];
}
