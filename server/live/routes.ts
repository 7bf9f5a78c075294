import type { ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { type Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AlertSnapshot } from '../alerts/queries.ts';
import type { AppEnv } from '../context.ts';
import { AppError, badRequest } from '../errors.ts';
import { log } from '../log.ts';
import { alertsItem, batchedFeed, directFeed, eventItem, type Feed, type FeedItem, statsItem } from './feed.ts';
import type { LiveHub } from './hub.ts';
import type { LiveStats } from './kpis.ts';
import { honoSink, nodeSink, SSE_HEADERS, type Sink } from './sink.ts';
import type { SnapshotTicker } from './snapshot.ts';

/** Milliseconds between `ping` events: proxies keep idle streams open, clients see a dead link. */
export const HEARTBEAT_MS = 15_000;
/** Open streams one instance serves; more get 503 and come back later (the stream is public). */
export const MAX_STREAMS = 10_000;
/**
 * Anonymous streams one client address may hold open at once; more get 429. A public map needs
 * one per browser tab; wall screens sign in (display tokens) and are not counted here.
 */
export const MAX_ANONYMOUS_STREAMS_PER_ADDRESS = 16;
/**
 * Anonymous streams receive their messages in batches this many milliseconds apart (one write
 * per batch instead of one per message); signed-in screens get each message at once.
 */
export const ANONYMOUS_BATCH_MS = 250;
/** A client with this many bytes not yet taken (it stopped reading) is dropped; it reconnects and replays. */
const MAX_BACKLOG_BYTES = 4 * 1024 * 1024;
/** The same for the Hono stream, counted in messages. */
const MAX_BACKLOG_CHUNKS = 2000;
/** Replays longer than this are replaced by a `reset` (reload everything) event. */
const MAX_REPLAY = 5000;

const encoder = new TextEncoder();
const PING = encoder.encode('event: ping\ndata: {}\n\n');

export interface LiveSources {
  /** Where a request comes from (the client's address, or a trusted proxy's X-Forwarded-For). */
  addressOf?: (c: Context) => string | null;
  hub: LiveHub;
  kpis: SnapshotTicker<LiveStats>;
  alerts: SnapshotTicker<AlertSnapshot>;
}

/**
 * GET /api/live — Server-Sent Events, after commit and without personal data:
 *
 * - `incident.created`, `incident.updated`: an appeal changed (id = the outbox id);
 * - `stats`: the city's and each district's KPIs, when they change (at most once a second);
 * - `alerts`: the current alerts, when they change (at most once a second);
 * - `ready` (to a new client: the id to resume from), `reset` (to a returning client whose
 *   missed events are gone: reload everything), `ping` every 15 s.
 *
 * A client reconnecting with `Last-Event-ID` (or `?lastEventId=`) first receives every event it
 * missed; `stats` and `alerts` follow at once on every connection.
 */
export function liveRoutes(sources: LiveSources) {
  const open = { streams: 0 };
  const anonymousBy = new Map<string, number>();
  const feeds = { direct: directFeed(sources), batched: batchedFeed(sources, ANONYMOUS_BATCH_MS) };
  return new Hono<AppEnv>().get('/', async (c) => {
    const raw = c.req.header('Last-Event-ID') ?? c.req.query('lastEventId');
    if (raw !== undefined && !/^\d{1,15}$/.test(raw)) {
      throw badRequest('Invalid Last-Event-ID: expected the numeric id of a previous event.', [
        { path: 'Last-Event-ID', message: 'not an event id' },
      ]);
    }
    if (open.streams >= MAX_STREAMS) {
      c.header('Retry-After', '30');
      throw new AppError(503, 'live_busy', 'Too many live streams on this server; try again shortly.');
    }
    // An anonymous client holds a bounded number of streams: thousands from a few addresses
    // would have every event formatted onto each of them, at the cost of everyone else.
    const address = c.get('user') ? null : (sources.addressOf?.(c) ?? null);
    if (address !== null && (anonymousBy.get(address) ?? 0) >= MAX_ANONYMOUS_STREAMS_PER_ADDRESS) {
      c.header('Retry-After', '30');
      throw new AppError(429, 'too_many_streams', 'Too many live streams from this address; close some or sign in.');
    }
    await sources.hub.ensureStarted();
    if (address !== null) anonymousBy.set(address, (anonymousBy.get(address) ?? 0) + 1);
    const released = () => {
      if (address === null) return;
      const n = (anonymousBy.get(address) ?? 1) - 1;
      if (n > 0) anonymousBy.set(address, n);
      else anonymousBy.delete(address);
    };
    const after = raw === undefined ? null : Number(raw);
    const feed = address === null ? feeds.direct : feeds.batched;
    // On Node's server, write straight onto the response; elsewhere through Hono's stream.
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    if (outgoing) {
      session(nodeSink(outgoing), MAX_BACKLOG_BYTES, after, sources, feed, open, released).catch((err: Error) =>
        log.warn({ err: err.message }, 'live: a stream failed'),
      );
      return RESPONSE_ALREADY_SENT;
    }
    for (const [k, v] of Object.entries(SSE_HEADERS)) if (k !== 'connection') c.header(k, v);
    return streamSSE(c, (stream) => session(honoSink(stream), MAX_BACKLOG_CHUNKS, after, sources, feed, open, released));
  });
}

/** One client's stream, from the catch-up to the end. */
async function session(
  sink: Sink,
  maxBacklog: number,
  after: number | null,
  { hub, kpis, alerts }: LiveSources,
  feed: Feed,
  open: { streams: number },
  released: () => void = () => undefined,
) {
  open.streams++;
  let live = false;
  let closed = false;
  let wake: () => void = () => undefined;
  const write = (frame: Uint8Array | string) => {
    if (closed) return;
    if (sink.backlog() > maxBacklog || !sink.write(frame)) finish(true);
  };
  const note = (event: string, lastEventId: number) =>
    write(`event: ${event}\ndata: ${JSON.stringify({ lastEventId })}\nid: ${lastEventId}\n\n`);
  /** Events already sent by the catch-up: the feed's first batches may carry them again. */
  const sent = new Set<number>();
  const deliver = (items: readonly FeedItem[], bytes: Uint8Array) => {
    if (sent.size === 0) return write(bytes);
    let repeated = false;
    for (const i of items) if (i.kind === 'event' && sent.has(i.id)) repeated = true;
    if (!repeated) {
      sent.clear(); // the feed has moved past the catch-up
      return write(bytes);
    }
    for (const i of items) if (i.kind !== 'event' || !sent.has(i.id)) write(i.frame);
  };

  // Subscribe before catching up, so that nothing falls between the replay and the live feed;
  // what arrives meanwhile is kept and sent once the stream is live.
  const pending: FeedItem[] = [];
  const unsubscribe = feed.subscribe((items, bytes) => (live ? deliver(items, bytes) : pending.push(...items)));
  const unregister = hub.onStop(() => finish(true));
  function finish(end: boolean) {
    if (closed) return;
    closed = true;
    open.streams--;
    released();
    unsubscribe();
    unregister();
    wake();
    if (end) sink.close();
  }
  sink.onClose(() => finish(false));

  try {
    write('retry: 2000\n\n');
    if (after === null) {
      // Tell a fresh client where it stands, so that its first reconnect replays from here.
      note('ready', hub.lastId);
    } else {
      const missed = (await hub.lostSince(after)) ? null : await hub.replay(after, MAX_REPLAY + 1);
      if (!missed || missed.length > MAX_REPLAY) {
        note('reset', hub.lastId);
        for (const i of pending) if (i.kind === 'event') sent.add(i.id); // the reset covers them
      } else {
        for (const e of missed) {
          sent.add(e.id);
          write(eventItem(e).frame);
        }
      }
    }
    // Snapshots that arrived before these are older than them; later ones follow.
    const snapshotsFrom = pending.length;
    write(statsItem(await kpis.latest()).frame);
    write(alertsItem(await alerts.latest()).frame);
    // Messages that arrived meanwhile, unless the replay already carried them.
    pending.forEach((i, n) => {
      if (i.kind === 'event' ? !sent.has(i.id) : n >= snapshotsFrom) write(i.frame);
      if (i.kind === 'event') sent.add(i.id);
    });
    pending.length = 0;
    live = true;
    while (!closed) {
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, HEARTBEAT_MS).unref();
      });
      if (!closed) write(PING);
    }
  } finally {
    finish(true);
  }
}
