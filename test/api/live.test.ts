import { describe, expect, inject, it } from 'vitest';
import { LiveHub, type LiveEvent } from '../../server/live/hub.ts';
import { testApp } from '../helpers/app.ts';

const t = testApp();

interface Sse {
  event: string;
  id?: string;
  data: any;
}

/** Reads SSE messages from a response until `until` says stop (or the time runs out). */
async function collect(res: Response, until: (all: Sse[]) => boolean, ms = 8000): Promise<Sse[]> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const out: Sse[] = [];
  let buf = '';
  const deadline = Date.now() + ms;
  try {
    while (!until(out) && Date.now() < deadline) {
      const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()))]);
      if (!chunk || chunk.done) break;
      buf += chunk.value;
      let cut: number;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        const msg: Sse = { event: 'message', data: '' };
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) msg.event = line.slice(7);
          else if (line.startsWith('id: ')) msg.id = line.slice(4);
          else if (line.startsWith('data: ')) msg.data += line.slice(6);
        }
        if (msg.data) {
          msg.data = JSON.parse(msg.data);
          out.push(msg);
        }
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return out;
}

async function createIncident(): Promise<number> {
  const { rows } = await t.pool.query(
    `INSERT INTO incidents (number, type, category_id, channel, priority, description, geom, due_at)
     VALUES (incident_number('109', now()), 'complaint', (SELECT id FROM categories WHERE depth = 1 ORDER BY id LIMIT 1), 'phone', 3,
             'Live test appeal', ST_SetSRID(ST_MakePoint(71.378, 42.9), 4326), now() + interval '1 day')
     RETURNING id`,
  );
  return rows[0].id;
}

describe('GET /api/live', () => {
  it('sends ready and stats, then an incident created after connecting, without personal data', async () => {
    const res = await t.request('/api/live');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    let id = 0;
    const events = await collect(res, (all) => {
      if (all.some((e) => e.event === 'ready') && id === 0) void createIncident().then((x) => (id = x));
      return all.some((e) => e.event === 'incident.created' && e.data.id === id);
    });
    expect(events[0].event).toBe('ready');
    const stats = events.find((e) => e.event === 'stats')!;
    expect(stats.data.open).toBeGreaterThan(0);
    const created = events.find((e) => e.event === 'incident.created' && e.data.id === id)!;
    expect(created).toBeTruthy();
    expect(Number(created.id)).toBeGreaterThan(Number(events[0].id));
    expect(created.data).toMatchObject({ status: 'new', channel: 'phone', district: expect.any(String) });
    for (const key of Object.keys(created.data)) expect(key).not.toMatch(/reporter|phone|name|description|address/);
  });

  it('replays what a reconnecting client missed, from Last-Event-ID', async () => {
    const first = await collect(await t.request('/api/live'), (all) => all.some((e) => e.event === 'ready'));
    const lastId = first.find((e) => e.event === 'ready')!.id!;
    const missed = await createIncident();
    await t.pool.query(
      `UPDATE incidents SET status = 'rejected', resolution = 'spam', closed_at = now(), version = version + 1 WHERE id = $1`,
      [missed],
    );
    const again = await collect(await t.request('/api/live', { headers: { 'Last-Event-ID': lastId } }), (all) =>
      all.some((e) => e.event === 'incident.updated' && e.data.id === missed),
    );
    const kinds = again.filter((e) => e.data.id === missed).map((e) => `${e.event}:${e.data.status}`);
    expect(kinds).toEqual(['incident.created:new', 'incident.updated:rejected']);
    const ids = again.filter((e) => e.id).map((e) => Number(e.id));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(ids[0]).toBeGreaterThan(Number(lastId));
  });

  it('rejects a malformed Last-Event-ID', async () => {
    const { status, body } = await t.json('/api/live', { headers: { 'Last-Event-ID': 'yesterday' } });
    expect(status).toBe(400);
    expect(body.error.message).toContain('Last-Event-ID');
  });
});

describe('LiveHub across instances', () => {
  it('wakes a second instance at commit: by NOTIFY on PostgreSQL, by polling on the embedded engine', async () => {
    const postgres = t.engine === 'postgres';
    // On PostgreSQL the poll is made too slow to matter: only LISTEN/NOTIFY can deliver in time.
    const other = new LiveHub({
      pool: t.pool,
      engine: t.engine,
      databaseUrl: postgres ? inject('databaseUrl') : undefined,
      pollMs: postgres ? 60_000 : 100,
    });
    await other.ensureStarted();
    const seen: LiveEvent[] = [];
    other.subscribe((e) => seen.push(e));
    const t0 = Date.now();
    const id = await createIncident();
    while (!seen.some((e) => e.data.id === id) && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 20));
    await other.stop();
    expect(seen.map((e) => e.data.id)).toContain(id);
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});
