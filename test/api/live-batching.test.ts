/**
 * Issue 15: a thousand anonymous streams cost the server one write per message per stream, and
 * normal reads waited. Anonymous streams now receive the messages of each quarter second as one
 * batch (one write); signed-in screens still get each message on its own, at once. Nothing is
 * lost or repeated either way.
 */
import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers/app.ts';

const t = testApp({ JARDEM_TRUST_PROXY: 'true' });

/** Reads raw chunks until `until` holds for the text so far (or the time runs out). */
async function chunks(res: Response, until: (text: string) => boolean, ms = 8000): Promise<string[]> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const out: string[] = [];
  const deadline = Date.now() + ms;
  try {
    while (!until(out.join('')) && Date.now() < deadline) {
      const next = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()))]);
      if (!next || next.done) break;
      out.push(next.value);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return out;
}

/** Five appeals committed in one statement: the hub reads them as one run of events. */
async function createFive(): Promise<number[]> {
  const { rows } = await t.pool.query<{ id: number }>(
    `INSERT INTO incidents (number, type, category_id, channel, priority, description, geom, due_at)
     SELECT incident_number('109', now()), 'complaint', (SELECT id FROM categories WHERE depth = 1 ORDER BY id LIMIT 1), 'phone', 3,
            'Batch test appeal ' || g, ST_SetSRID(ST_MakePoint(71.378, 42.9), 4326), now() + interval '1 day'
       FROM generate_series(1, 5) g
     RETURNING id`,
  );
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

const createdIds = (text: string) =>
  [...text.matchAll(/event: incident\.created\ndata: (\{.*\})/g)].map((m) => JSON.parse(m[1]).id as number);

async function watch(headers: Record<string, string>) {
  const res = await t.request('/api/live', { headers });
  expect(res.status).toBe(200);
  let ids: number[] = [];
  let started = false;
  const got = await chunks(res, (text) => {
    if (!started && text.includes('event: alerts')) {
      started = true;
      void createFive().then((x) => (ids = x));
    }
    return ids.length > 0 && ids.every((id) => createdIds(text).includes(id));
  });
  const mine = createdIds(got.join('')).filter((id) => ids.includes(id));
  const holding = got.filter((c) => createdIds(c).some((id) => ids.includes(id)));
  return { ids, mine, holding };
}

describe('live streams: batches for anonymous streams', () => {
  it('hands an anonymous stream the messages of a moment in one write, each once and in order', async () => {
    const { ids, mine, holding } = await watch({ 'x-forwarded-for': '198.51.100.60' });
    expect(mine).toEqual(ids);
    expect(holding).toHaveLength(1);
  });

  it('gives a signed-in screen each message on its own', async () => {
    const cookie = await t.login('official');
    const { ids, mine, holding } = await watch({ 'x-forwarded-for': '198.51.100.61', cookie });
    expect(mine).toEqual(ids);
    expect(holding).toHaveLength(5);
  });
});
