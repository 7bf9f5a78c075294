import type pg from 'pg';
import { log } from '../log.ts';
import { redact } from '../privacy/redact.ts';
import { PUBLIC_NOTE_SQL } from '../privacy/visibility.ts';
import type { Button, ChannelAdapter, ChannelName } from './adapter.ts';
import { EXPIRE_AFTER_MS, expire } from './conversation.ts';
import { type Lang, say } from './messages.ts';
import { saveConversation, staleConversations } from './store.ts';

/** How often the server looks for results to send and conversations to close (ms). */
export const NOTIFY_EVERY_MS = 5_000;

/** The rating buttons of a feedback link: 1–5 and "not solved". */
export const ratingButtons = (tokenId: number, lang: Lang): Button[] => [
  ...[1, 2, 3, 4, 5].map((n) => ({ id: `rate:${tokenId}:${n}`, title: String(n) })),
  { id: `dispute:${tokenId}`, title: say(lang, 'dispute') },
];

/**
 * The result of every resolved appeal filed through a bot, sent once to its chat with buttons
 * to rate it or dispute it. It rides on the lifecycle's feedback links: resolving an appeal
 * issues a link per reporter, and each link of a messenger reporter is offered here once
 * (channel_notifications), so an instance that restarts or a second instance sends nothing twice.
 * Returns how many were sent.
 */
export async function sendResults(pool: pg.Pool, adapters: Map<ChannelName, ChannelAdapter>): Promise<number> {
  const { rows } = await pool.query<{
    token_id: number;
    number: string;
    channel: ChannelName;
    chat_id: string;
    lang: Lang;
    note: string | null;
  }>(
    `SELECT t.id AS token_id, i.number, cc.channel, cc.chat_id, cc.lang,
            (SELECT ${PUBLIC_NOTE_SQL} FROM incident_events e WHERE e.incident_id = i.id AND e.to_status = 'resolved'
              ORDER BY e.id DESC LIMIT 1) AS note
       FROM incident_feedback_tokens t
       JOIN channel_contacts cc ON cc.reporter_id = t.reporter_id
       JOIN incidents i ON i.id = t.incident_id
      WHERE t.used_at IS NULL AND t.expires_at > now() AND i.status = 'resolved'
        AND NOT EXISTS (SELECT 1 FROM channel_notifications n WHERE n.token_id = t.id)
      ORDER BY t.id LIMIT 100`,
  );
  let sent = 0;
  for (const r of rows) {
    const adapter = adapters.get(r.channel);
    if (!adapter) continue;
    const claimed = await pool.query('INSERT INTO channel_notifications (token_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING 1', [
      r.token_id,
    ]);
    if (!claimed.rowCount) continue;
    try {
      await adapter.send(r.chat_id, {
        text: say(r.lang, 'resolved', { number: r.number, note: redact(r.note) ?? say(r.lang, 'resolvedNoNote') }),
        buttons: ratingButtons(r.token_id, r.lang),
      });
      sent++;
    } catch (err) {
      // Not delivered: forget the claim so that the next sweep tries again.
      await pool.query('DELETE FROM channel_notifications WHERE token_id = $1', [r.token_id]);
      log.warn({ err: (err as Error).message, channel: r.channel }, 'result not delivered');
    }
  }
  return sent;
}

/** Conversations left mid-way for a day: closed with a polite word. Returns how many. */
export async function closeStaleConversations(pool: pg.Pool, adapters: Map<ChannelName, ChannelAdapter>, ms = EXPIRE_AFTER_MS) {
  let closed = 0;
  for (const c of await staleConversations(pool, ms)) {
    const r = expire(c.state, { categories: [] });
    await saveConversation(pool, { channel: c.channel, userId: c.user_id, chatId: c.chat_id }, r.state);
    closed++;
    const adapter = adapters.get(c.channel);
    for (const m of r.replies) await adapter?.send(c.chat_id, m).catch(() => undefined);
  }
  return closed;
}

/** Both sweeps, for the server's timer; never throws. */
export async function runChannelSweeps(pool: pg.Pool, adapters: Map<ChannelName, ChannelAdapter>): Promise<void> {
  if (!adapters.size) return;
  try {
    await sendResults(pool, adapters);
    await closeStaleConversations(pool, adapters);
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'channel sweep failed');
  }
}
