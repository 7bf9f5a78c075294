import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { FieldApiError, readAnswer, send } from './api.ts';

/**
 * Actions taken in the field, kept in IndexedDB until the server has them: each with its own
 * Idempotency-Key (a replay after a lost answer is applied once), the time and the position of
 * the device when it was taken. Sent in the order taken; a refusal (the appeal went to another
 * service: 403; it changed: 409) moves the action to the "not sent" list instead of dropping it.
 */
export type ActionKind = 'take' | 'pause' | 'resume' | 'resolve' | 'photo';

export interface OutboxItem {
  seq?: number;
  /** The Idempotency-Key. */
  key: string;
  kind: ActionKind;
  incidentId: number;
  number: string;
  path: string;
  /** A JSON body, or a photo's fields and file (sent as multipart). */
  body?: unknown;
  photo?: { blob: Blob; fields: Record<string, string> };
  /** When and where the action was taken (ISO 8601; [lng, lat]). */
  at: string;
  position: [number, number] | null;
  state: 'pending' | 'failed';
  error?: { status: number; code: string; message: string };
}

interface FieldDb extends DBSchema {
  outbox: { key: number; value: OutboxItem };
  kv: { key: string; value: unknown };
}

let dbp: Promise<IDBPDatabase<FieldDb>> | null = null;
export function db(): Promise<IDBPDatabase<FieldDb>> {
  dbp ??= openDB<FieldDb>('jardem-field', 1, {
    upgrade(d) {
      d.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
      d.createObjectStore('kv');
    },
  });
  return dbp;
}

export async function enqueue(item: Omit<OutboxItem, 'seq' | 'state' | 'key'>): Promise<OutboxItem> {
  const full: OutboxItem = { ...item, key: crypto.randomUUID(), state: 'pending' };
  full.seq = (await (await db()).add('outbox', full)) as number;
  return full;
}

export async function allItems(): Promise<OutboxItem[]> {
  return (await db()).getAll('outbox');
}

export async function discard(seq: number): Promise<void> {
  await (await db()).delete('outbox', seq);
}

/** A failed action sent again (as the same action: same key). */
export async function retry(seq: number): Promise<void> {
  const d = await db();
  const item = await d.get('outbox', seq);
  if (item) await d.put('outbox', { ...item, state: 'pending', error: undefined });
}

export async function kvGet<T>(key: string): Promise<T | undefined> {
  return (await (await db()).get('kv', key)) as T | undefined;
}
export async function kvSet(key: string, value: unknown): Promise<void> {
  await (await db()).put('kv', value, key);
}

/** Statuses after which sending again cannot help: the action is kept as "not sent". */
const FINAL = (status: number) => status >= 400 && status < 500 && status !== 408 && status !== 429 && status !== 401;

let running: Promise<number> | null = null;

/**
 * Sends what is pending, in order; stops at the first network failure (still offline) or
 * server trouble (5xx, 429, signed out). Resolves with how many were sent. One run at a time.
 */
export function flush(): Promise<number> {
  running ??= (async () => {
    let sent = 0;
    try {
      const d = await db();
      // Items queued while this run goes are sent by it too (read again after each one).
      const tried = new Set<number>();
      for (;;) {
        const item = (await d.getAll('outbox')).find((i) => i.state === 'pending' && !tried.has(i.seq!));
        if (!item) break;
        tried.add(item.seq!);
        let res: Response;
        try {
          const body = item.photo ? formOf(item.photo) : item.body;
          res = await send(item.path, body, item.key);
        } catch {
          break; // no connection
        }
        if (res.ok) {
          await d.delete('outbox', item.seq!);
          sent++;
          continue;
        }
        if (!FINAL(res.status)) break;
        const err = await readAnswer(res).then(
          () => null,
          (e: unknown) => e,
        );
        const e = err instanceof FieldApiError ? err : new FieldApiError(res.status, 'error', res.statusText);
        await d.put('outbox', { ...item, state: 'failed', error: { status: e.status, code: e.code, message: e.message } });
      }
    } finally {
      running = null;
    }
    return sent;
  })();
  return running;
}

function formOf(p: { blob: Blob; fields: Record<string, string> }): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(p.fields)) form.set(k, v);
  form.set('photo', p.blob, 'photo.jpg');
  return form;
}
