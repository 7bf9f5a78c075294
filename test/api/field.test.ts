import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedFieldProof } from '../../server/seed/field-demo.ts';
import { upsertUser } from '../../server/users.ts';
import { testApp } from '../helpers/app.ts';
import { lifecycleKit } from '../helpers/lifecycle.ts';

/**
 * The field app's API (issue 24): the work list and actions stay within the executor's service,
 * resolving needs the category's proof photos (geodata/taraz/proof.json: a pothole asks for a
 * photo before and after, within 150 m), far-away or too-old proof is flagged for the
 * supervisor, photos are stored without EXIF and are never public unless published, and an
 * action sent twice with one Idempotency-Key applies once.
 */
const photoDir = mkdtempSync(join(tmpdir(), 'jardem-photos-'));
afterAll(() => rmSync(photoDir, { recursive: true, force: true }));
const t = testApp({ JARDEM_PHOTO_DIR: photoDir, JARDEM_PHOTO_MAX_MB: '0.5' });
const { kit, post, inStatus, create, must, version, count } = lifecycleKit(t, 26);

let otherExecutor = '';
beforeAll(async () => {
  await upsertUser(
    t.pool,
    {
      login: 'field-other-exec',
      name: 'Другая бригада',
      role: 'executor',
      password: 'field-test-password-1',
      serviceCode: kit.otherService,
    },
    true,
  );
  otherExecutor = await t.login('field-other-exec', 'field-test-password-1');
});

/** A JPEG of `w`×`h` with EXIF (camera, time, GPS at [lng, lat]) that must not survive the upload. */
async function jpegWithExif(w = 2400, h = 1800, at = '2026:12:01 10:20:30', gps: [number, number] = [71.375, 42.9]) {
  const dms = (v: number) => {
    const d = Math.floor(v);
    const m = Math.floor((v - d) * 60);
    const s = Math.round(((v - d) * 60 - m) * 60 * 100);
    return `${d}/1 ${m}/1 ${s}/100`;
  };
  return sharp({ create: { width: w, height: h, channels: 3, background: '#7a5230' } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'SecretCam', Model: 'Serial-12345', Artist: 'Crew chief' },
      IFD2: { DateTimeOriginal: at },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: dms(gps[1]), GPSLongitudeRef: 'E', GPSLongitude: dms(gps[0]) },
    })
    .toBuffer();
}

const plainJpeg = () =>
  sharp({ create: { width: 640, height: 480, channels: 3, background: '#335577' } })
    .jpeg()
    .toBuffer();

/** Uploads a photo as multipart; `fields` are the form's text fields. */
async function upload(id: number, cookie: string, fields: Record<string, string>, bytes?: Buffer, headers: Record<string, string> = {}) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set('photo', new Blob([new Uint8Array(bytes ?? (await plainJpeg()))], { type: 'image/jpeg' }), 'photo.jpg');
  return t.json(`/api/field/incidents/${id}/photos`, { method: 'POST', headers: { cookie, ...headers }, body: form });
}

/** The appeal's point, [lng, lat]. */
async function pointOf(id: number): Promise<[number, number]> {
  return (await t.json(`/api/incidents/${id}`)).body.geometry.coordinates;
}

/** A point `metres` east of `p` (small distances; Taraz's latitude). */
const east = (p: [number, number], metres: number): [number, number] => [
  p[0] + metres / (111_320 * Math.cos((p[1] * Math.PI) / 180)),
  p[1],
];

const now = () => new Date().toISOString();

describe('the work list and actions stay within the executor’s service', () => {
  it('lists the service’s open appeals by deadline, with distance from where the user stands, and none of another service', async () => {
    const mine = await inStatus('assigned');
    const theirs = await create();
    await must(theirs.id, 'admin', { to: 'assigned', service: kit.otherService });
    const here = await pointOf(mine.id);
    const res = await t.json(`/api/field/work?sort=distance&near=${here[0]},${here[1]}`, { headers: { cookie: kit.cookie.executor } });
    expect(res.status).toBe(200);
    const ids = res.body.items.map((i: { id: number }) => i.id);
    expect(ids).toContain(mine.id);
    expect(ids).not.toContain(theirs.id);
    const item = res.body.items.find((i: { id: number }) => i.id === mine.id);
    expect(item).toMatchObject({
      status: 'assigned',
      category: 'roads.pothole',
      service: kit.executorService,
      address: expect.any(String),
      proof: { before: true, after: true, farM: 150 },
    });
    expect(item.distance_m).toBeLessThan(5);
    // Sorted by distance: non-decreasing.
    const d = res.body.items.map((i: { distance_m: number }) => i.distance_m);
    expect(d).toEqual([...d].sort((a: number, b: number) => a - b));
    // The other crew sees theirs, not mine.
    const other = await t.json('/api/field/work', { headers: { cookie: otherExecutor } });
    expect(other.body.items.map((i: { id: number }) => i.id)).toContain(theirs.id);
    expect(other.body.items.map((i: { id: number }) => i.id)).not.toContain(mine.id);
    // Officials and anonymous callers have no work list; unknown parameters are refused.
    expect((await t.json('/api/field/work', { headers: { cookie: kit.cookie.official } })).status).toBe(403);
    expect((await t.json('/api/field/work')).status).toBe(401);
    expect((await t.json('/api/field/work?colour=red', { headers: { cookie: kit.cookie.executor } })).status).toBe(400);
  });

  it('refuses take, pause, photos and resolve on another service’s appeal, and changes nothing', async () => {
    const a = await inStatus('assigned');
    const v = await version(a.id);
    const before = await count('SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1', [a.id]);
    expect((await post(`/api/field/incidents/${a.id}/take`, { version: v }, otherExecutor)).status).toBe(403);
    expect((await post(`/api/field/incidents/${a.id}/pause`, { reason: 'parts' }, otherExecutor)).status).toBe(403);
    expect((await upload(a.id, otherExecutor, { kind: 'before' })).status).toBe(403);
    expect((await post(`/api/field/incidents/${a.id}/resolve`, { version: v, note: 'x' }, otherExecutor)).status).toBe(403);
    expect((await t.json(`/api/field/incidents/${a.id}/proof`, { headers: { cookie: otherExecutor } })).status).toBe(404);
    expect(await count('SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1', [a.id])).toBe(before);
    expect(await count('SELECT count(*)::int AS n FROM incident_photos WHERE incident_id = $1', [a.id])).toBe(0);
    expect(await version(a.id)).toBe(v);
  });
});

describe('proof of work', () => {
  it('refuses to resolve without the photos the category asks for, then resolves on the spot without flags', async () => {
    const a = await inStatus('assigned');
    const here = await pointOf(a.id);
    const took = await post(
      `/api/field/incidents/${a.id}/take`,
      { version: await version(a.id), acted_at: now(), position: here },
      kit.cookie.executor,
    );
    expect(took.status).toBe(200);
    expect(took.body.properties.status).toBe('in_progress');
    const none = await post(
      `/api/field/incidents/${a.id}/resolve`,
      { version: await version(a.id), note: 'Яма заделана' },
      kit.cookie.executor,
    );
    expect(none.status).toBe(400);
    expect(none.body.error.code).toBe('proof_required');
    expect(none.body.error.details.map((d: { kind: string }) => d.kind).sort()).toEqual(['after', 'before']);
    const spot = { lng: String(here[0]), lat: String(here[1]), accuracy: '8', taken_at: now() };
    expect((await upload(a.id, kit.cookie.executor, { kind: 'before', ...spot })).status).toBe(201);
    const onlyBefore = await post(
      `/api/field/incidents/${a.id}/resolve`,
      { version: await version(a.id), note: 'Яма заделана' },
      kit.cookie.executor,
    );
    expect(onlyBefore.body.error.details.map((d: { kind: string }) => d.kind)).toEqual(['after']);
    expect((await upload(a.id, kit.cookie.executor, { kind: 'after', ...spot })).status).toBe(201);
    const done = await post(
      `/api/field/incidents/${a.id}/resolve`,
      { version: await version(a.id), note: 'Яма заделана', acted_at: now(), position: east(here, 20), accuracy: 10 },
      kit.cookie.executor,
    );
    expect(done.status).toBe(200);
    expect(done.body.properties.status).toBe('resolved');
    expect(done.body.checks).toMatchObject({ flags: [], far_m: 150 });
    expect(done.body.checks.distance_m).toBeGreaterThan(15);
    expect(done.body.checks.distance_m).toBeLessThan(25);
  });

  it('flags a resolution made far from the appeal, and the supervisor sees the flag', async () => {
    const a = await inStatus('in_progress');
    const here = await pointOf(a.id);
    for (const kind of ['before', 'after']) {
      expect((await upload(a.id, kit.cookie.executor, { kind, lng: String(here[0]), lat: String(here[1]), taken_at: now() })).status).toBe(
        201,
      );
    }
    const res = await post(
      `/api/field/incidents/${a.id}/resolve`,
      { version: await version(a.id), note: 'Сделано', position: east(here, 2000) },
      kit.cookie.executor,
    );
    expect(res.status).toBe(200);
    expect(res.body.checks.flags).toEqual(['far']);
    expect(res.body.checks.distance_m).toBeGreaterThan(1900);
    const review = await t.json(`/api/field/incidents/${a.id}/proof`, { headers: { cookie: kit.cookie.supervisor } });
    expect(review.status).toBe(200);
    expect(review.body.checks.at(-1).flags).toEqual(['far']);
    expect(review.body.photos).toHaveLength(2);
  });

  it('flags a photo taken before the appeal existed, and one without a position', async () => {
    const a = await inStatus('in_progress');
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    for (const kind of ['before', 'after'])
      expect((await upload(a.id, kit.cookie.executor, { kind, taken_at: yesterday })).status).toBe(201);
    const res = await post(`/api/field/incidents/${a.id}/resolve`, { version: await version(a.id), note: 'Сделано' }, kit.cookie.executor);
    expect(res.status).toBe(200);
    expect(res.body.checks.flags.sort()).toEqual(['no_position', 'photo_before_appeal']);
  });
});

describe('photos', () => {
  it('strips EXIF, keeps its time and position in the table, and resizes to 1600 px', async () => {
    const a = await inStatus('in_progress');
    const res = await upload(a.id, kit.cookie.executor, { kind: 'before' }, await jpegWithExif());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ width: 1600, height: 1200, taken_at: '2026-12-01T10:20:30.000Z', published: false });
    expect(res.body.position[0]).toBeCloseTo(71.375, 3);
    expect(res.body.position[1]).toBeCloseTo(42.9, 3);
    const got = await t.request(res.body.url, { headers: { cookie: kit.cookie.executor } });
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('image/jpeg');
    const bytes = Buffer.from(await got.arrayBuffer());
    const meta = await sharp(bytes).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.xmp).toBeUndefined();
    expect(bytes.includes(Buffer.from('SecretCam'))).toBe(false);
    // The file on disk is the stripped one too.
    const [dir] = readdirSync(photoDir).filter((d) => d === String(a.id));
    const file = readdirSync(join(photoDir, dir))[0];
    expect(readFileSync(join(photoDir, dir, file)).includes(Buffer.from('Serial-12345'))).toBe(false);
  });

  it('refuses a body over the limit (413), a file that is not an image (415) and a photo without kind (400)', async () => {
    const a = await inStatus('in_progress');
    const big = Buffer.alloc(700 * 1024, 7);
    const tooBig = await upload(a.id, kit.cookie.executor, { kind: 'after' }, big);
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error.code).toBe('payload_too_large');
    const text = await upload(a.id, kit.cookie.executor, { kind: 'after' }, Buffer.from('not an image at all'));
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('unsupported_media_type');
    const noKind = await upload(a.id, kit.cookie.executor, {});
    expect(noKind.status).toBe(400);
    expect(await count('SELECT count(*)::int AS n FROM incident_photos WHERE incident_id = $1', [a.id])).toBe(0);
  });

  it('is never public unless a supervisor publishes it', async () => {
    const a = await inStatus('in_progress');
    const up = await upload(a.id, kit.cookie.executor, { kind: 'after' });
    const url = up.body.url;
    expect((await t.request(url)).status).toBe(404);
    expect((await t.request(url, { headers: { cookie: kit.cookie.official } })).status).toBe(404);
    expect((await t.request(url, { headers: { cookie: otherExecutor } })).status).toBe(404);
    expect((await t.request(url, { headers: { cookie: kit.cookie.supervisor } })).status).toBe(200);
    // An executor cannot publish; the supervisor can, and withdraw it again.
    expect((await post(`/api/field/photos/${up.body.id}/publish`, { published: true }, kit.cookie.executor)).status).toBe(403);
    const pub = await post(`/api/field/photos/${up.body.id}/publish`, { published: true }, kit.cookie.supervisor);
    expect(pub.status).toBe(200);
    expect(pub.body.published).toBe(true);
    expect((await t.request(url)).status).toBe(200);
    await post(`/api/field/photos/${up.body.id}/publish`, { published: false }, kit.cookie.supervisor);
    expect((await t.request(url)).status).toBe(404);
  });
});

describe('idempotency keys', () => {
  it('applies a take, a pause and a transition sent twice with one key once', async () => {
    const a = await inStatus('assigned');
    const v = await version(a.id);
    const key = `field-take-${a.id}`;
    const first = await post(`/api/field/incidents/${a.id}/take`, { version: v, acted_at: now() }, kit.cookie.executor, {
      'Idempotency-Key': key,
    });
    const again = await post(`/api/field/incidents/${a.id}/take`, { version: v, acted_at: now() }, kit.cookie.executor, {
      'Idempotency-Key': key,
    });
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await count(`SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1 AND data->>'action' = 'take'`, [a.id])).toBe(
      1,
    );
    const pk = `field-pause-${a.id}`;
    for (let i = 0; i < 2; i++)
      await post(`/api/field/incidents/${a.id}/pause`, { reason: 'parts', note: 'Нет асфальта' }, kit.cookie.executor, {
        'Idempotency-Key': pk,
      });
    expect(await count(`SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1 AND data->>'action' = 'pause'`, [a.id])).toBe(
      1,
    );
    const work = await t.json('/api/field/work', { headers: { cookie: kit.cookie.executor } });
    expect(work.body.items.find((i: { id: number }) => i.id === a.id).paused).toMatchObject({ reason: 'parts', note: 'Нет асфальта' });
    // The key of another action is refused rather than replayed.
    const reused = await post(`/api/field/incidents/${a.id}/resume`, {}, kit.cookie.executor, { 'Idempotency-Key': pk });
    expect(reused.status).toBe(422);

    // POST /transitions takes the key too.
    const b = await inStatus('assigned');
    const vb = await version(b.id);
    const tk = `transition-${b.id}`;
    const t1 = await post(`/api/incidents/${b.id}/transitions`, { to: 'in_progress', version: vb }, kit.cookie.executor, {
      'Idempotency-Key': tk,
    });
    const t2 = await post(`/api/incidents/${b.id}/transitions`, { to: 'in_progress', version: vb }, kit.cookie.executor, {
      'Idempotency-Key': tk,
    });
    expect(t1.status).toBe(200);
    expect(t2.status).toBe(200);
    expect(t2.headers.get('idempotent-replayed')).toBe('true');
    expect(t2.body.properties.version).toBe(vb + 1);
    expect(await count(`SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1 AND to_status = 'in_progress'`, [b.id])).toBe(
      1,
    );
    const bad = await post(`/api/incidents/${b.id}/transitions`, { to: 'resolved', version: vb + 1, note: 'x' }, kit.cookie.executor, {
      'Idempotency-Key': 'k'.repeat(201),
    });
    expect(bad.status).toBe(400);
  });

  it('answers a queued action on an appeal reassigned meanwhile with 403, not a silent success', async () => {
    const a = await inStatus('assigned');
    const v = await version(a.id);
    await must(a.id, 'admin', { to: 'assigned', service: kit.otherService });
    const res = await post(`/api/field/incidents/${a.id}/take`, { version: v, acted_at: now() }, kit.cookie.executor, {
      'Idempotency-Key': `late-${a.id}`,
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
  });
});

describe('demo proof of work', () => {
  it('gives most fixed demo resolutions a field check, flags exactly those farther than their category’s distance, and is stable', async () => {
    const a = await inStatus('resolved');
    await seedFieldProof(t.pool, 'taraz');
    const { rows } = await t.pool.query(
      `SELECT c.flags, c.distance_m, c.far_m FROM incident_resolution_checks c
        JOIN incidents i ON i.id = c.incident_id WHERE i.resolution = 'fixed' AND c.resolved_by IS NULL`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.flags.includes('far')).toBe(Number(r.distance_m) > r.far_m);
    expect(rows.some((r) => r.flags.includes('far'))).toBe(true);
    // Run again: no appeal gets a second demo check.
    await seedFieldProof(t.pool, 'taraz');
    expect(
      await count(
        `SELECT count(*)::int AS n FROM (SELECT incident_id FROM incident_resolution_checks WHERE resolved_by IS NULL
          GROUP BY incident_id HAVING count(*) > 1) x`,
      ),
    ).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM incident_resolution_checks WHERE incident_id = $1', [a.id])).toBeLessThanOrEqual(1);
  });
});
