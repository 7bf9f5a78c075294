import { AppError, badRequest } from '../errors.ts';
import { IDEMPOTENCY_KEY } from '../lifecycle/intake.ts';
import type { Db } from '../lifecycle/duplicates.ts';

/**
 * Idempotency keys of actions on an appeal (transitions, pause, resolve from the field, photo
 * uploads): the field app sends each queued action with a key of its own, and a replay of an
 * action already applied (the answer was lost with the connection) is not applied again.
 * Callers hold the appeal's row lock, so two replays of one key cannot both pass.
 */

/** The header's value, checked (400 for a malformed key); undefined when absent. */
export function actionKeyOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(header)) {
    throw badRequest('Invalid Idempotency-Key: 1–200 printable ASCII characters.', [
      { path: 'Idempotency-Key', message: 'not a valid key' },
    ]);
  }
  return header;
}

/** Whether this user already applied `key` (to this appeal); 422 when the key was used for another appeal or action. */
export async function alreadyApplied(db: Db, userId: number, key: string, incidentId: number, action: string): Promise<boolean> {
  const { rows } = await db.query<{ incident_id: string; action: string }>(
    'SELECT incident_id, action FROM field_action_keys WHERE user_id = $1 AND key = $2',
    [userId, key],
  );
  if (!rows[0]) return false;
  if (Number(rows[0].incident_id) !== incidentId || rows[0].action !== action) {
    throw new AppError(422, 'idempotency_key_reused', 'This Idempotency-Key was already used for a different request.', [
      { path: 'Idempotency-Key', message: 'use a new key for a new action' },
    ]);
  }
  return true;
}

/** Records the key in the transaction that applied the action. */
export async function recordKey(db: Db, userId: number, key: string, incidentId: number, action: string): Promise<void> {
  await db.query('INSERT INTO field_action_keys (user_id, key, incident_id, action) VALUES ($1, $2, $3, $4)', [
    userId,
    key,
    incidentId,
    action,
  ]);
}
