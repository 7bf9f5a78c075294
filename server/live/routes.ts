import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AppEnv } from '../context.ts';
import { badRequest } from '../errors.ts';
import type { LiveEvent, LiveHub } from './hub.ts';
import type { KpiTicker } from './kpis.ts';

/** Seconds between heartbeat comments, so that proxies keep idle streams open. */
export const HEARTBEAT_MS = 15_000;

/**
 * GET /api/live — Server-Sent Events: `incident.created` and `incident.updated` (after commit,
 * with the outbox id as event id) and `stats` (the city's KPIs when they change, at most once
 * a second). A client reconnecting with `Last-Event-ID` (or `?lastEventId=`) first receives
 * every event it missed.
 */
export function liveRoutes(hub: LiveHub, kpis: KpiTicker) {
  return new Hono<AppEnv>().get('/', async (c) => {
    const raw = c.req.header('Last-Event-ID') ?? c.req.query('lastEventId');
    if (raw !== undefined && !/^\d{1,15}$/.test(raw)) {
      throw badRequest('Invalid Last-Event-ID: expected the numeric id of a previous event.', [
        { path: 'Last-Event-ID', message: 'not an event id' },
      ]);
    }
    await hub.ensureStarted();
    c.header('X-Accel-Buffering', 'no');
    c.header('Cache-Control', 'no-cache, no-transform');
    return streamSSE(c, async (stream) => {
      let open = true;
      let sentUpTo = raw === undefined ? hub.lastId : Number(raw);
      const pending: LiveEvent[] = [];
      let live = false;
      const send = async (e: LiveEvent) => {
        if (e.id > sentUpTo) sentUpTo = e.id;
        await stream.writeSSE({ id: String(e.id), event: e.kind, data: JSON.stringify(e.data) });
      };
      // Subscribe before replaying so that nothing falls between the replay and the live feed.
      const unsubscribe = hub.subscribe((e) => {
        if (!live) pending.push(e);
        else if (open) void send(e).catch(() => undefined);
      });
      const unsubscribeKpis = kpis.subscribe((k) => {
        if (open && live) void stream.writeSSE({ event: 'stats', data: JSON.stringify(k) }).catch(() => undefined);
      });
      let wake: () => void = () => undefined;
      const finish = () => {
        open = false;
        unsubscribe();
        unsubscribeKpis();
        wake();
      };
      const unregister = hub.onStop(() => {
        finish();
        void stream.close();
      });
      stream.onAbort(() => {
        finish();
        unregister();
      });

      await stream.write('retry: 2000\n\n');
      if (raw !== undefined) for (const e of await hub.replay(sentUpTo)) await send(e);
      else {
        // Tell a fresh client where it stands, so that its first reconnect replays from here.
        await stream.writeSSE({ event: 'ready', id: String(sentUpTo), data: JSON.stringify({ lastEventId: sentUpTo }) });
      }
      await stream.writeSSE({ event: 'stats', data: JSON.stringify(await kpis.latest()) });
      // Events that arrived meanwhile; the replay may already have covered some of them.
      while (pending.length) {
        const e = pending.shift()!;
        if (e.id > sentUpTo || raw === undefined) await send(e);
      }
      live = true;
      while (open) {
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, HEARTBEAT_MS).unref();
        });
        if (open) await stream.write(': heartbeat\n\n').catch(finish);
      }
    });
  });
}
