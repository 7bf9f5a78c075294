import { beforeAll } from 'vitest';
import type { testApp } from './app.ts';

type T = ReturnType<typeof testApp>;

export const ROLES = ['admin', 'dispatcher', 'supervisor', 'executor', 'official', 'display'] as const;
export type DemoRole = (typeof ROLES)[number];

export interface District {
  id: number;
  code: string;
  lng: number;
  lat: number;
}

/**
 * What the lifecycle tests share: cookies of every demo role, the supervisor's districts and
 * one outside them, the executor's service and another one, and helpers that create appeals
 * and move them. Each test file passes its own `salt` so that the points it registers do not
 * fall on another file's (files run in parallel on one database).
 */
export function lifecycleKit(t: T, salt: number) {
  const kit = {
    cookie: {} as Record<DemoRole, string>,
    inside: undefined as unknown as District,
    outside: undefined as unknown as District,
    executorService: '',
    otherService: '',
    seq: 0,
  };

  beforeAll(async () => {
    for (const r of ROLES) kit.cookie[r] = await t.login(r);
    const meta = (await t.json('/api/meta')).body;
    const sup = (await t.json('/api/auth/me', { headers: { cookie: kit.cookie.supervisor } })).body.user;
    const districts: District[] = meta.districts;
    kit.inside = districts.find((d) => sup.districtIds.includes(d.id))!;
    kit.outside = districts.find((d) => !sup.districtIds.includes(d.id))!;
    const exe = (await t.json('/api/auth/me', { headers: { cookie: kit.cookie.executor } })).body.user;
    const { rows } = await t.pool.query('SELECT code, id = $1 AS mine FROM services WHERE active ORDER BY code', [exe.serviceId]);
    kit.executorService = rows.find((r) => r.mine).code;
    kit.otherService = rows.find((r) => !r.mine).code;
  });

  /** A point near the district's inner point, distinct per call and per file (~100 m steps). */
  const spot = (d: District): [number, number] => {
    const n = ++kit.seq;
    const angle = salt * 2.399 + n * 0.7;
    const r = 0.0004 + 0.0003 * (n % 5);
    return [d.lng + r * Math.cos(angle), d.lat + r * Math.sin(angle) * 0.7];
  };

  const post = (path: string, body: unknown, cookie?: string, headers: Record<string, string> = {}) =>
    t.json(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}), ...headers },
      body: JSON.stringify(body),
    });

  /** A valid intake body; `over` replaces fields. */
  const intake = (over: Record<string, unknown> = {}, where: District = kit.inside) => ({
    type: 'complaint',
    category: 'roads.pothole',
    channel: 'phone',
    description: `lifecycle test ${salt}-${kit.seq}`,
    location: { type: 'Point', coordinates: spot(where) },
    address: 'ул. Толе би, 1',
    reporter: { name: 'Тест Тестов', phone: '+7 701 000 00 00' },
    ...over,
  });

  /** Registers an appeal as the dispatcher (201 expected) and returns the answer. */
  const create = async (over: Record<string, unknown> = {}, where: District = kit.inside) => {
    const res = await post('/api/incidents', intake(over, where), kit.cookie.dispatcher);
    if (res.status !== 201) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  const version = async (id: number): Promise<number> => (await t.json(`/api/incidents/${id}`)).body.properties.version;

  /** POST /transitions with the current version unless one is given. */
  const move = async (id: number, role: DemoRole, body: Record<string, unknown>) =>
    post(`/api/incidents/${id}/transitions`, { version: await version(id), ...body }, kit.cookie[role]);

  /** Moves and insists on a 200. */
  const must = async (id: number, role: DemoRole, body: Record<string, unknown>) => {
    const res = await move(id, role, body);
    if (res.status !== 200) throw new Error(`${role} → ${JSON.stringify(body)}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  /** An appeal brought to `status` by the roles that normally do it, with the executor's service. */
  const inStatus = async (status: string, where: District = kit.inside, over: Record<string, unknown> = {}) => {
    // Kept for triage (issue 18: otherwise the routed service receives it at once), so each status is reached by its own move.
    const a = await create({ triage: true, ...over }, where);
    if (status === 'new') return a;
    if (status === 'rejected') return (await must(a.id, 'admin', { to: 'rejected', reason: 'spam' }), a);
    await must(a.id, 'admin', { to: 'assigned', service: kit.executorService });
    if (status === 'assigned') return a;
    await must(a.id, 'admin', { to: 'in_progress' });
    if (status === 'in_progress') return a;
    await must(a.id, 'admin', { to: 'resolved', note: 'Яма заделана' });
    if (status === 'resolved') return a;
    if (status === 'reopened') return (await must(a.id, 'admin', { to: 'reopened', note: 'Заявитель: не устранено' }), a);
    await must(a.id, 'admin', { to: 'closed' });
    return a;
  };

  const count = async (sql: string, values: unknown[] = []) => (await t.pool.query(sql, values)).rows[0].n as number;

  return { kit, spot, post, intake, create, version, move, must, inStatus, count };
}
