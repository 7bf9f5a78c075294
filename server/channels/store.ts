import type pg from 'pg';
import type { ChannelName } from './adapter.ts';
import type { CategoryOption, State } from './conversation.ts';
import type { Lang } from './messages.ts';

/**
 * The bots' data in the database: conversations (so that a restart loses nothing), handled
 * updates (so that a redelivery is answered once), the per-user flood counter, the contacts of
 * appeals filed through a bot, and the photos they sent.
 */

export interface Conversation {
  state: State;
  updatedAt: Date;
}

/** Claims an update by its messenger id; false when it was handled already. */
export async function claimUpdate(pool: pg.Pool, channel: ChannelName, updateId: string, userId: string): Promise<boolean> {
  const r = await pool.query(
    'INSERT INTO channel_updates (channel, update_id, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1',
    [channel, updateId, userId],
  );
  return (r.rowCount ?? 0) > 0;
}

/** Forgets a claim (its handling failed), so that a redelivery is handled. */
export async function unclaimUpdate(pool: pg.Pool, channel: ChannelName, updateId: string): Promise<void> {
  await pool.query('DELETE FROM channel_updates WHERE channel = $1 AND update_id = $2', [channel, updateId]);
}

/** Updates from this user in the last minute (the one being handled included). */
export async function recentUpdates(pool: pg.Pool, channel: ChannelName, userId: string): Promise<number> {
  const r = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM channel_updates WHERE channel = $1 AND user_id = $2 AND received_at > now() - interval '1 minute'`,
    [channel, userId],
  );
  return r.rows[0].n;
}

export async function loadConversation(pool: pg.Pool, channel: ChannelName, userId: string): Promise<Conversation | null> {
  const r = await pool.query<{ state: State; updated_at: Date }>(
    'SELECT state, updated_at FROM channel_conversations WHERE channel = $1 AND user_id = $2',
    [channel, userId],
  );
  return r.rows[0] ? { state: r.rows[0].state, updatedAt: r.rows[0].updated_at } : null;
}

/**
 * Writes the conversation's state. With `fromStep`, only if the stored step is still that one
 * (false otherwise): two presses of "confirm" cannot both file an appeal.
 */
export async function saveConversation(
  pool: pg.Pool,
  key: { channel: ChannelName; userId: string; chatId: string },
  state: State,
  fromStep?: string,
): Promise<boolean> {
  if (fromStep) {
    const r = await pool.query(
      `UPDATE channel_conversations SET state = $3, lang = $4, chat_id = $5, updated_at = now()
        WHERE channel = $1 AND user_id = $2 AND state->>'step' = $6`,
      [key.channel, key.userId, state, state.lang ?? null, key.chatId, fromStep],
    );
    return (r.rowCount ?? 0) > 0;
  }
  await pool.query(
    `INSERT INTO channel_conversations (channel, user_id, chat_id, lang, state) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (channel, user_id) DO UPDATE SET chat_id = EXCLUDED.chat_id, lang = EXCLUDED.lang, state = EXCLUDED.state, updated_at = now()`,
    [key.channel, key.userId, key.chatId, state.lang ?? null, state],
  );
  return true;
}

/** Conversations left mid-way for longer than `ms`. */
export async function staleConversations(pool: pg.Pool, ms: number, limit = 100) {
  const r = await pool.query<{ channel: ChannelName; user_id: string; chat_id: string; state: State }>(
    `SELECT channel, user_id, chat_id, state FROM channel_conversations
      WHERE updated_at < now() - $1 * interval '1 millisecond' AND state->>'step' <> 'idle' ORDER BY updated_at LIMIT $2`,
    [ms, limit],
  );
  return r.rows;
}

/** Spheres and their categories with kk/ru/en names, as the bots offer them. */
export async function botCategories(pool: pg.Pool): Promise<CategoryOption[]> {
  const r = await pool.query<{ code: string; parent: string | null; kk: string; ru: string; en: string }>(
    `SELECT c.code, p.code AS parent, c.name_kk AS kk, c.name_ru AS ru, c.name_en AS en
       FROM categories c LEFT JOIN categories p ON p.id = c.parent_id
      WHERE c.active AND c.depth <= 1 ORDER BY c.depth, c.sort, c.code`,
  );
  return r.rows.map((c) => ({ code: c.code, parent: c.parent, name: { kk: c.kk, ru: c.ru, en: c.en } }));
}

/** Whether a point ([lng, lat], degrees) lies in one of the city's districts. */
export async function insideCity(pool: pg.Pool, lng: number, lat: number): Promise<boolean> {
  const r = await pool.query('SELECT 1 FROM districts WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326)) LIMIT 1', [
    lng,
    lat,
  ]);
  return (r.rowCount ?? 0) > 0;
}

/**
 * Where an appeal with a typed address only is put on the map until a dispatcher moves it: a
 * point surely inside the city (on the surface of the first district), [lng, lat].
 */
export async function cityPoint(pool: pg.Pool): Promise<[number, number]> {
  const r = await pool.query<{ lng: number; lat: number }>(
    'SELECT ST_X(p) AS lng, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM districts ORDER BY id LIMIT 1) t',
  );
  return [r.rows[0].lng, r.rows[0].lat];
}

/**
 * Marks an appeal whose typed address the geocoder did not place (or the citizen refused the
 * place found): an internal note with the address as typed and `data.place_check`, which the
 * appeal panel shows as "place to check". Its point stays at cityPoint() until a dispatcher moves it.
 */
export async function markPlaceToCheck(db: pg.Pool | pg.PoolClient, incidentId: number, typed: string): Promise<void> {
  await db.query(`INSERT INTO incident_events (incident_id, action, note, data, visibility) VALUES ($1, 'commented', $2, $3, 'internal')`, [
    incidentId,
    typed || null,
    { place_check: true },
  ]);
}

/** Records who filed an appeal through which chat: a reporter row (personal data) and the chat. */
export async function addContact(
  db: pg.Pool | pg.PoolClient,
  c: { incidentId: number; channel: ChannelName; userId: string; chatId: string; lang: Lang; name?: string },
): Promise<void> {
  // A WhatsApp id is the user's phone number in international form.
  const phone = c.channel === 'whatsapp' ? `+${c.userId}` : null;
  const r = await db.query<{ id: number }>(
    'INSERT INTO incident_reporters (incident_id, name, phone, contact) VALUES ($1, $2, $3, $4) RETURNING id',
    [c.incidentId, c.name?.slice(0, 200) ?? null, phone, `${c.channel}:${c.userId}`],
  );
  await db.query(
    'INSERT INTO channel_contacts (incident_id, reporter_id, channel, user_id, chat_id, lang) VALUES ($1, $2, $3, $4, $5, $6)',
    [c.incidentId, r.rows[0].id, c.channel, c.userId, c.chatId, c.lang],
  );
}

/** The chats to answer for an appeal (its own reporters' and those of duplicates merged into it). */
export async function contactsOf(pool: pg.Pool, incidentId: number) {
  const r = await pool.query<{ channel: ChannelName; chat_id: string; lang: Lang }>(
    `SELECT DISTINCT ON (channel, chat_id) channel, chat_id, lang FROM channel_contacts
      WHERE incident_id = $1 OR incident_id IN (SELECT id FROM incidents WHERE parent_id = $1)
      ORDER BY channel, chat_id, id DESC`,
    [incidentId],
  );
  return r.rows;
}

/** A feedback link offered to this messenger user, with what is needed to use it. */
export async function tokenForUser(pool: pg.Pool, tokenId: number, channel: ChannelName, userId: string) {
  const r = await pool.query<{ nonce: string; number: string }>(
    `SELECT t.nonce, i.number FROM incident_feedback_tokens t
       JOIN channel_contacts cc ON cc.reporter_id = t.reporter_id
       JOIN incidents i ON i.id = t.incident_id
      WHERE t.id = $1 AND cc.channel = $2 AND cc.user_id = $3 LIMIT 1`,
    [tokenId, channel, userId],
  );
  return r.rows[0] ?? null;
}

export async function savePhoto(pool: pg.Pool, key: string, contentType: string, bytes: Buffer): Promise<void> {
  await pool.query('INSERT INTO channel_photos (key, content_type, bytes) VALUES ($1, $2, $3)', [key, contentType, bytes]);
}

export async function loadPhoto(pool: pg.Pool, key: string) {
  const r = await pool.query<{ content_type: string; bytes: Buffer }>('SELECT content_type, bytes FROM channel_photos WHERE key = $1', [
    key,
  ]);
  return r.rows[0] ?? null;
}

/** A staff member's reply sent through the messengers, in the appeal's history (the chat ids are not). */
export async function recordReply(
  pool: pg.Pool,
  incidentId: number,
  actorId: number,
  text: string,
  channels: string[],
  visibility: string,
) {
  await pool.query(
    `INSERT INTO incident_events (incident_id, actor_id, action, note, data, visibility) VALUES ($1, $2, 'commented', $3, $4, $5)`,
    [incidentId, actorId, text, { reply: true, channels }, visibility],
  );
}
