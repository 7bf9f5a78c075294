/**
 * The life of one demo appeal: its whole timeline (assignment, work, resolution, the citizen's
 * confirmation, escalations, reassignments, repeated calls) is drawn first, then cut at `now`.
 * Whatever lies after `now` has not happened yet, so recent appeals are naturally still open and
 * late ones naturally overdue; every column is then read off the events that did happen.
 */
import type { WorkCalendar } from '../deadlines/due.ts';
import type { Zone } from '../deadlines/zone.ts';
import { nextOfficeMorning } from './local-time.ts';
import type { Rng } from './random.ts';
import type { IncidentType, Resolution, SeedEvent, Status } from './types.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export interface LifeInput {
  created: number;
  due: number;
  now: number;
  type: IncidentType;
  emergency: boolean;
  /** The norm counts working days (offices keep office hours) rather than hours on the clock. */
  workingDayNorm: boolean;
  /** Probability of missing the deadline, before reassignments. */
  lateChance: number;
  /** A category for questions outside the city's competence: most are rejected as such. */
  outsideCompetence: boolean;
  calendar: WorkCalendar;
  /** The city's zone: local office hours per instant (daylight saving included). */
  zone: Zone;
  /**
   * Registered by a dispatcher (phone, walk-in, web, app): the routed service receives it at
   * intake (issue 18). Messenger appeals wait for the dispatcher's triage.
   */
  atIntake?: boolean;
}

export interface Life {
  status: Status;
  resolution: Resolution | null;
  assigned_at: Date | null;
  started_at: Date | null;
  resolved_at: Date | null;
  closed_at: Date | null;
  rating: number | null;
  escalation_level: number;
  reassign_count: number;
  reporter_count: number;
  updated_at: Date;
  events: SeedEvent[];
}

interface Step {
  action: SeedEvent['action'];
  from: Status | null;
  to: Status | null;
  at: number;
  note: string | null;
  rating?: number;
}

const RATING_ON_TIME = { 5: 0.5, 4: 0.28, 3: 0.1, 2: 0.05, 1: 0.07 } as const;
const RATING_LATE = { 5: 0.14, 4: 0.2, 3: 0.26, 2: 0.18, 1: 0.22 } as const;

export function live(rng: Rng, x: LifeInput): Life {
  const t0 = x.created;
  const steps: Step[] = [{ action: 'created', from: null, to: 'new', at: t0, note: null }];
  const norm = Math.max(x.due - t0, 30 * MIN);

  if (x.type === 'information_request' && rng.chance(0.7)) {
    // Answered on the call: closed at intake, a few minutes after registration.
    const at = Math.min(t0 + rng.range(2, 12) * MIN, x.now);
    if (rng.chance(0.2)) steps.push({ action: 'feedback', from: null, to: null, at, note: null, rating: rng.chance(0.8) ? 5 : 4 });
    steps.push({ action: 'transition', from: 'new', to: 'closed', at, note: 'Консультация дана на линии' });
    return settle(steps, x.now, 'consulted');
  }

  if (rng.chance(x.outsideCompetence ? 0.6 : 0.035)) {
    const kind = x.outsideCompetence ? 'out_of_competence' : rng.weighted({ duplicate: 0.45, out_of_competence: 0.4, spam: 0.15 });
    if (kind === 'out_of_competence') {
      const a = t0 + rng.logNormal(30, 0.9) * MIN;
      steps.push({ action: 'transition', from: 'new', to: 'assigned', at: a, note: 'Передано в службу' });
      steps.push({
        action: 'transition',
        from: 'assigned',
        to: 'rejected',
        at: a + rng.range(2, 72) * HOUR,
        note: 'Вне компетенции: заявителю разъяснено, куда обращаться',
      });
    } else if (kind === 'duplicate') {
      steps.push({
        action: 'transition',
        from: 'new',
        to: 'rejected',
        at: t0 + Math.min(rng.logNormal(40, 1) * MIN, 2 * DAY),
        note: 'Дубликат: проблема уже зарегистрирована',
      });
    } else {
      steps.push({ action: 'transition', from: 'new', to: 'rejected', at: t0 + rng.range(1, 20) * MIN, note: 'Ложное обращение (спам)' });
    }
    return settle(steps, x.now, kind);
  }

  const reassigns = Number(rng.weighted({ 0: 0.84, 1: 0.11, 2: 0.035, 3: 0.01, 4: 0.005 }));
  const late = rng.chance(Math.min(0.85, x.lateChance * (1 + 0.6 * reassigns)));
  const stuck = late && rng.chance(0.12);
  let resolvedAt: number;
  if (late) {
    let overrun = norm * rng.logNormal(0.4, 0.9) + rng.range(0.5, 36) * HOUR;
    if (stuck) overrun += rng.range(15, 90) * DAY;
    resolvedAt = x.due + overrun;
  } else {
    resolvedAt = t0 + norm * (0.08 + 0.9 * Math.pow(rng.float(), 0.9));
  }
  const span = resolvedAt - t0;

  // Assignment: minutes for emergencies, the next office morning for office-hours services.
  let assign: number;
  if (x.emergency) assign = t0 + rng.range(1, 12) * MIN;
  else if (x.workingDayNorm) assign = nextOfficeMorning(t0 + rng.logNormal(30, 0.8) * MIN, x.calendar, x.zone) + rng.range(0, 90) * MIN;
  else assign = t0 + rng.logNormal(20, 0.8) * MIN;
  assign = Math.min(assign, t0 + 0.25 * span);
  if (x.atIntake) assign = t0;
  steps.push({ action: 'transition', from: 'new', to: 'assigned', at: assign, note: 'Передано в службу' });

  // Bounced between services before anyone takes it.
  let last = assign;
  for (let i = 0; i < reassigns; i++) {
    last = Math.min(last + rng.logNormal(5, 1) * HOUR, last + (resolvedAt - last) * 0.3);
    steps.push({ action: 'assigned', from: null, to: null, at: last, note: 'Переадресовано: не по профилю службы' });
  }
  // A stuck appeal waits, assigned and untouched, for most of its delay.
  const startDelay = stuck
    ? rng.range(0.3, 0.8) * (resolvedAt - last)
    : x.emergency
      ? rng.range(10, 60) * MIN
      : rng.logNormal(0.12 * norm, 0.7);
  const start = last + Math.min(startDelay, 0.8 * (resolvedAt - last));
  steps.push({ action: 'transition', from: 'assigned', to: 'in_progress', at: start, note: 'Принято в работу' });

  if (late) {
    // Supervisors escalate some appeals once the deadline has passed.
    const p1 = stuck ? 0.85 : 0.45;
    const l1 = x.due + rng.range(1, 24) * HOUR;
    if (rng.chance(p1) && l1 < resolvedAt) {
      steps.push({ action: 'escalated', from: null, to: null, at: l1, note: 'Эскалация: уровень 1, срок исполнения истёк' });
      const l2 = l1 + rng.range(1, 4) * DAY;
      if (rng.chance(stuck ? 0.6 : 0.3) && l2 < resolvedAt)
        steps.push({ action: 'escalated', from: null, to: null, at: l2, note: 'Эскалация: уровень 2, доложено руководству' });
    }
  }

  const resolution: Resolution = x.type === 'information_request' ? 'consulted' : rng.chance(0.05) ? 'not_confirmed' : 'fixed';
  const resolvedNote =
    resolution === 'fixed' ? 'Устранено' : resolution === 'consulted' ? 'Заявителю дан ответ' : 'Факты не подтвердились при выезде';
  steps.push({ action: 'transition', from: 'in_progress', to: 'resolved', at: resolvedAt, note: resolvedNote });

  let finalResolved = resolvedAt;
  if (resolution === 'fixed' && rng.chance(0.03)) {
    // The citizen says it is not fixed: reopened, worked on again, resolved again.
    const reopened = resolvedAt + rng.range(3, 72) * HOUR;
    const restarted = reopened + rng.range(1, 24) * HOUR;
    finalResolved = restarted + rng.range(3, 96) * HOUR;
    steps.push({
      action: 'transition',
      from: 'resolved',
      to: 'reopened',
      at: reopened,
      note: 'Заявитель сообщил, что проблема не устранена',
    });
    steps.push({ action: 'transition', from: 'reopened', to: 'in_progress', at: restarted, note: 'Повторно принято в работу' });
    steps.push({ action: 'transition', from: 'in_progress', to: 'resolved', at: finalResolved, note: resolvedNote });
  }

  const bucket = rng.float();
  const wait = bucket < 0.35 ? rng.range(10 * MIN, 8 * HOUR) : bucket < 0.65 ? rng.range(8 * HOUR, 5 * DAY) : rng.range(5 * DAY, 15 * DAY);
  const closedAt = finalResolved + wait;
  if (rng.chance(resolution === 'not_confirmed' ? 0.3 : 0.5)) {
    const lateDone = finalResolved > x.due;
    const rating = Number(rng.weighted(lateDone ? RATING_LATE : RATING_ON_TIME));
    steps.push({ action: 'feedback', from: null, to: null, at: closedAt, note: null, rating });
  }
  steps.push({
    action: 'transition',
    from: 'resolved',
    to: 'closed',
    at: closedAt,
    note: wait > 10 * DAY ? 'Закрыто по истечении срока подтверждения' : 'Заявитель подтвердил выполнение',
  });

  const reporters = Number(
    rng.weighted(x.emergency ? { 1: 0.7, 2: 0.14, 3: 0.08, 4: 0.05, 5: 0.03 } : { 1: 0.87, 2: 0.08, 3: 0.03, 4: 0.013, 5: 0.007 }),
  );
  for (let i = 1; i < reporters; i++) {
    steps.push({
      action: 'reporter_added',
      from: null,
      to: null,
      at: t0 + rng.float() * Math.min(span, 3 * DAY),
      note: 'Повторное обращение по той же проблеме',
    });
  }
  return settle(steps, x.now, resolution);
}

/** Keeps the steps that happened by `now` and reads the appeal's columns off them. */
function settle(all: Step[], now: number, resolution: Resolution): Life {
  const steps = all.filter((s) => s.at <= now).sort((a, b) => a.at - b.at);
  let status: Status = 'new';
  let assigned: number | null = null;
  let started: number | null = null;
  let resolved: number | null = null;
  let closed: number | null = null;
  let rating: number | null = null;
  let escalation = 0;
  let reassigns = 0;
  let reporters = 1;
  const events: SeedEvent[] = [];
  for (const s of steps) {
    if (s.action === 'transition') {
      status = s.to!;
      if (status === 'assigned' && assigned === null) assigned = s.at;
      if (status === 'in_progress' && started === null) started = s.at;
      if (status === 'resolved') resolved = s.at;
      if (status === 'reopened') resolved = null;
      if (status === 'closed' || status === 'rejected') closed = s.at;
    } else if (s.action === 'escalated') escalation = Math.min(3, escalation + 1);
    else if (s.action === 'assigned') reassigns++;
    else if (s.action === 'reporter_added') reporters++;
    else if (s.action === 'feedback') rating = s.rating ?? null;
    const note = s.action === 'feedback' ? `Оценка заявителя: ${s.rating}` : s.note;
    events.push({ action: s.action, from_status: s.from, to_status: s.to, at: new Date(s.at), note });
  }
  // Closed at intake: resolved and closed in the same moment.
  if (status === 'closed' && resolved === null) resolved = closed;
  if (status === 'rejected') resolved = null;
  const final = status === 'resolved' || status === 'closed' || status === 'rejected';
  const date = (t: number | null) => (t === null ? null : new Date(t));
  return {
    status,
    resolution: final ? resolution : null,
    assigned_at: date(assigned),
    started_at: date(started),
    resolved_at: date(resolved),
    closed_at: date(closed),
    rating: status === 'closed' ? rating : null,
    escalation_level: escalation,
    reassign_count: reassigns,
    reporter_count: reporters,
    updated_at: new Date(steps[steps.length - 1].at),
    events,
  };
}
