import { booleanPointInPolygon } from '@turf/turf';
import type { MultiPolygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { dueAt } from '../../server/deadlines/due.ts';
import { generateHistory } from '../../server/seed/generate.ts';
import type { SeedCategory, SeedCity, SeedIncident } from '../../server/seed/types.ts';

/** Two adjacent square districts west and east of 71.35° E, sharing a boundary. */
const square = (w: number, s: number, e: number, n: number): MultiPolygon => ({
  type: 'MultiPolygon',
  coordinates: [
    [
      [
        [w, s],
        [e, s],
        [e, n],
        [w, n],
        [w, s],
      ],
    ],
  ],
});

const cat = (id: number, code: string, extra: Partial<SeedCategory> = {}): SeedCategory => {
  const parts = code.split('.');
  return {
    id,
    code,
    parentCode: parts.length > 1 ? parts.slice(0, -1).join('.') : null,
    sphereCode: parts[0],
    depth: parts.length - 1,
    normHours: null,
    normWorkingDays: 10,
    priority: 3,
    emergency: false,
    ...extra,
  };
};

const CITY: SeedCity = {
  districts: [
    { id: 1, code: 'west', population: 60_000, polygon: square(71.3, 42.88, 71.35, 42.92) },
    { id: 2, code: 'east', population: 40_000, polygon: square(71.35, 42.88, 71.4, 42.92) },
  ],
  categories: [
    cat(1, 'heating', { normHours: 24, normWorkingDays: null, priority: 2 }),
    cat(2, 'heating.no_heating', { normHours: 12, normWorkingDays: null, priority: 1, emergency: true }),
    cat(3, 'heating.low_temperature', { normHours: 48, normWorkingDays: null, priority: 2 }),
    cat(4, 'garbage', { normWorkingDays: 3 }),
    cat(5, 'garbage.missed', { normHours: 24, normWorkingDays: null }),
    cat(6, 'garbage.dump', { normWorkingDays: 5 }),
    cat(7, 'landscaping'),
    cat(8, 'landscaping.trees'),
    cat(9, 'landscaping.trees.pruning', { normWorkingDays: 15, priority: 4 }),
    cat(10, 'landscaping.trees.fallen', { normHours: 12, normWorkingDays: null, priority: 2 }),
    cat(11, 'pension', { normWorkingDays: 1, priority: 4 }),
    cat(12, 'pension.balance', { normWorkingDays: 1, priority: 4 }),
    cat(13, 'flooding', { normHours: 4, normWorkingDays: null, priority: 1, emergency: true }),
    cat(14, 'flooding.street', { normHours: 6, normWorkingDays: null, priority: 1, emergency: true }),
    cat(15, 'lifts', { normHours: 24, normWorkingDays: null, priority: 2 }),
    cat(16, 'lifts.stuck', { normHours: 2, normWorkingDays: null, priority: 1, emergency: true }),
  ],
  calendar: {
    holidays: new Set(['2025-01-01', '2025-01-02', '2025-03-21', '2025-03-22', '2025-05-01', '2025-12-16']),
    workdays: new Set(),
  },
  zone: 300,
};

const NOW = new Date('2025-11-24T09:00:00Z');
const run = (count: number, seed: string | number = 109, months = 12) => [...generateHistory({ count, months, seed, now: NOW }, CITY)];
const rows = run(20_000);
const byId = new Map(CITY.categories.map((c) => [c.id, c]));
const OPEN = new Set(['new', 'assigned', 'in_progress', 'resolved', 'reopened']);
const WORKING = new Set(['new', 'assigned', 'in_progress', 'reopened']);
const share = (list: SeedIncident[], pred: (r: SeedIncident) => boolean) => list.filter(pred).length / list.length;
const localMonth = (d: Date) => new Date(d.getTime() + 300 * 60_000).getUTCMonth() + 1;

describe('generateHistory', () => {
  it('yields exactly `count` appeals in creation order', () => {
    expect(rows).toHaveLength(20_000);
    for (let i = 1; i < rows.length; i++) expect(rows[i].created_at.getTime()).toBeGreaterThanOrEqual(rows[i - 1].created_at.getTime());
    expect(run(0)).toEqual([]);
  });

  it('is deterministic: the same seed gives identical output, another seed a different one', () => {
    const a = JSON.stringify(run(2000, 'demo'));
    expect(JSON.stringify(run(2000, 'demo'))).toBe(a);
    expect(JSON.stringify(run(2000, 'other'))).not.toBe(a);
  });

  it('keeps every timestamp at or before now and in lifecycle order', () => {
    const now = NOW.getTime();
    const start = new Date(NOW).setUTCMonth(NOW.getUTCMonth() - 12);
    const problems: string[] = [];
    const check = (ok: boolean, what: string, r: SeedIncident) => {
      if (!ok && problems.length < 10) problems.push(`${what}: ${JSON.stringify(r)}`);
    };
    for (const r of rows) {
      const chain = [r.created_at, r.assigned_at, r.started_at, r.resolved_at, r.closed_at]
        .filter((d): d is Date => d !== null)
        .map((d) => d.getTime());
      check(
        chain.every((t, i) => i === 0 || t >= chain[i - 1]),
        'created ≤ assigned ≤ started ≤ resolved ≤ closed',
        r,
      );
      check(r.created_at.getTime() >= start && Math.max(...chain) <= now, 'within [now - months, now]', r);
      const latest = Math.max(...chain, ...r.events.map((e) => e.at.getTime()));
      check(r.updated_at.getTime() === latest && latest <= now, 'updated_at is the latest moment', r);
      // The audit trail: starts with "created", in time order, and its last transition is the status.
      check(
        r.events[0].action === 'created' && r.events[0].to_status === 'new' && r.events[0].at.getTime() === r.created_at.getTime(),
        'first event',
        r,
      );
      check(
        r.events.every((e, i) => i === 0 || e.at >= r.events[i - 1].at),
        'events in order',
        r,
      );
      const transitions = r.events.filter((e) => e.action === 'transition' || e.action === 'created');
      check(transitions.at(-1)!.to_status === r.status, 'last transition is the status', r);
      check(r.reassign_count === r.events.filter((e) => e.action === 'assigned').length, 'reassign_count', r);
      check(r.escalation_level === r.events.filter((e) => e.action === 'escalated').length, 'escalation_level', r);
      check(r.reporter_count === 1 + r.events.filter((e) => e.action === 'reporter_added').length, 'reporter_count', r);
    }
    expect(problems).toEqual([]);
  });

  it('keeps status, resolution and the other columns within the schema', () => {
    const problems: string[] = [];
    const check = (ok: boolean, what: string, r: SeedIncident) => {
      if (!ok && problems.length < 10) problems.push(`${what}: ${JSON.stringify(r)}`);
    };
    for (const r of rows) {
      const c = byId.get(r.category_id)!;
      check(r.priority === c.priority, 'priority from the category', r);
      const norm = c.normHours ? { hours: c.normHours } : { workingDays: c.normWorkingDays! };
      check(r.due_at.getTime() === dueAt(r.created_at, norm, CITY.calendar, 300).getTime(), 'due_at = dueAt(created_at, norm)', r);
      check(r.description.length >= 1 && r.description.length <= 4000 && r.address.length <= 500, 'text lengths', r);
      check(r.escalation_level >= 0 && r.escalation_level <= 3, 'escalation_level 0..3', r);
      check(r.rating === null || (r.rating >= 1 && r.rating <= 5 && r.status === 'closed'), 'rating 1..5 on closed appeals', r);
      if (r.status === 'rejected') {
        check(
          ['duplicate', 'out_of_competence', 'spam'].includes(r.resolution!) && r.closed_at !== null && r.resolved_at === null,
          'rejected',
          r,
        );
      } else if (r.status === 'closed') {
        check(
          ['fixed', 'consulted', 'not_confirmed'].includes(r.resolution!) && r.resolved_at !== null && r.closed_at !== null,
          'closed',
          r,
        );
      } else if (r.status === 'resolved') {
        check(r.resolution !== null && r.resolved_at !== null && r.closed_at === null, 'resolved, awaiting the citizen', r);
      } else {
        check(r.resolution === null && r.resolved_at === null && r.closed_at === null, 'open', r);
      }
      const atIntake = r.status === 'closed' && r.resolution === 'consulted' && r.assigned_at === null;
      check(r.status === 'new' || r.status === 'rejected' || atIntake || r.assigned_at !== null, 'assigned_at once past "new"', r);
      check(r.reporter.name.length > 0 && (r.reporter.phone === null || /^\+7 7\d{2,3} /.test(r.reporter.phone)), 'reporter', r);
    }
    expect(problems).toEqual([]);
  });

  it('leaves a realistic backlog: a few percent open, mostly recent, some of it overdue', () => {
    const open = rows.filter((r) => OPEN.has(r.status));
    const openShare = open.length / rows.length;
    expect(openShare).toBeGreaterThan(0.01);
    expect(openShare).toBeLessThan(0.06);
    const overdue = share(open, (r) => WORKING.has(r.status) && r.due_at < NOW);
    expect(overdue).toBeGreaterThan(0);
    expect(overdue).toBeLessThan(0.5);
    // Most of the backlog is from the last month.
    expect(share(open, (r) => NOW.getTime() - r.created_at.getTime() < 31 * 86_400_000)).toBeGreaterThan(0.6);
    // About 80 % of the resolved appeals met their deadline; about 3 % were rejected.
    const done = rows.filter((r) => r.resolved_at && r.status !== 'rejected');
    expect(share(done, (r) => r.resolved_at! <= r.due_at)).toBeGreaterThan(0.7);
    expect(share(done, (r) => r.resolved_at! <= r.due_at)).toBeLessThan(0.9);
    expect(share(rows, (r) => r.status === 'rejected')).toBeGreaterThan(0.015);
    expect(share(rows, (r) => r.status === 'rejected')).toBeLessThan(0.05);
  });

  it('puts every point inside the district it names (the lowest id on a shared boundary)', () => {
    for (const r of rows) {
      const holders = CITY.districts.filter((d) => booleanPointInPolygon([r.lng, r.lat], d.polygon));
      expect(holders.length).toBeGreaterThan(0);
      expect(r.district_id).toBe(holders[0].id);
      expect(Math.round(r.lng * 1e6) / 1e6).toBe(r.lng);
    }
    // The bigger district gets more appeals.
    expect(share(rows, (r) => r.district_id === 1)).toBeGreaterThan(0.5);
  });

  it('concentrates part of each sphere on hotspots', () => {
    // On a grid of ~400 m cells (20 × 11 over the city) an even spread puts ~2 % of a sphere in
    // its 5 busiest cells; hotspots put several times more there. Pension questions are not tied to places.
    const top5 = (sphere: string) => {
      const list = rows.filter((r) => byId.get(r.category_id)!.sphereCode === sphere);
      const cells = new Map<string, number>();
      for (const r of list) {
        const k = `${Math.floor(r.lng / 0.005)}:${Math.floor(r.lat / 0.0036)}`;
        cells.set(k, (cells.get(k) ?? 0) + 1);
      }
      const counts = [...cells.values()].sort((a, b) => b - a);
      return counts.slice(0, 5).reduce((a, b) => a + b, 0) / list.length;
    };
    expect(top5('heating')).toBeGreaterThan(0.1);
    expect(top5('garbage')).toBeGreaterThan(0.1);
    expect(top5('pension')).toBeLessThan(top5('heating'));
  });

  it('answers about 70 % of information requests on the call', () => {
    const info = rows.filter((r) => r.type === 'information_request');
    const consulted = share(
      info,
      (r) =>
        r.status === 'closed' &&
        r.resolution === 'consulted' &&
        r.closed_at!.getTime() - r.created_at.getTime() <= 15 * 60_000 &&
        r.resolved_at!.getTime() === r.closed_at!.getTime(),
    );
    expect(consulted).toBeGreaterThan(0.6);
    expect(consulted).toBeLessThan(0.8);
  });

  it('follows the seasons: heating in January, not in July', () => {
    const heatingShare = (month: number) => {
      const inMonth = rows.filter((r) => localMonth(r.created_at) === month);
      return share(inMonth, (r) => byId.get(r.category_id)!.sphereCode === 'heating');
    };
    expect(heatingShare(1)).toBeGreaterThan(3 * heatingShare(7));
    const landscaping = (month: number) =>
      share(
        rows.filter((r) => localMonth(r.created_at) === month),
        (r) => byId.get(r.category_id)!.sphereCode === 'landscaping',
      );
    expect(landscaping(6)).toBeGreaterThan(landscaping(1));
  });

  it('follows the week and the day: fewer on Sundays, few at night', () => {
    const local = (r: SeedIncident) => new Date(r.created_at.getTime() + 300 * 60_000);
    const sunday = share(rows, (r) => local(r).getUTCDay() === 0);
    const monday = share(rows, (r) => local(r).getUTCDay() === 1);
    expect(sunday).toBeLessThan(0.8 * monday);
    const night = share(rows, (r) => local(r).getUTCHours() >= 1 && local(r).getUTCHours() < 5);
    expect(night).toBeLessThan(0.05);
  });

  it('mixes channels and types roughly as specified', () => {
    const expected = { phone: 0.6, telegram: 0.12, whatsapp: 0.1, web: 0.06, app: 0.06, facebook: 0.03, walk_in: 0.03 };
    for (const [channel, p] of Object.entries(expected)) {
      const got = share(rows, (r) => r.channel === channel);
      expect(Math.abs(got - p), `${channel}: ${got}`).toBeLessThan(Math.max(0.02, 0.25 * p));
    }
    const types = { complaint: 0.4, problem: 0.15, incident: 0.1, service_request: 0.15, information_request: 0.2 };
    for (const [type, p] of Object.entries(types)) {
      const got = share(rows, (r) => r.type === type);
      expect(Math.abs(got - p), `${type}: ${got}`).toBeLessThan(0.05);
    }
    // Emergencies are filed as incidents far more often than the rest.
    const emergency = rows.filter((r) => byId.get(r.category_id)!.emergency);
    expect(share(emergency, (r) => r.type === 'incident')).toBeGreaterThan(0.3);
  });

  it('rates about 45 % of resolved appeals, mostly well, worse when late', () => {
    const resolved = rows.filter((r) => r.resolved_at);
    const rated = resolved.filter((r) => r.rating !== null);
    expect(rated.length / resolved.length).toBeGreaterThan(0.35);
    expect(rated.length / resolved.length).toBeLessThan(0.55);
    const mean = (list: SeedIncident[]) => list.reduce((s, r) => s + r.rating!, 0) / list.length;
    expect(mean(rated)).toBeGreaterThan(3.5);
    expect(mean(rated.filter((r) => r.resolved_at! > r.due_at))).toBeLessThan(mean(rated.filter((r) => r.resolved_at! <= r.due_at)));
    expect(share(rows, (r) => r.reassign_count === 0)).toBeGreaterThan(0.8);
    expect(share(rows, (r) => r.reporter_count === 1)).toBeGreaterThan(0.8);
    expect(rows.some((r) => r.escalation_level > 0)).toBe(true);
  });
});
