import { describe, expect, it } from 'vitest';
import { STATUSES, type Status } from '../../server/domain/statuses.ts';
import type { Role } from '../../server/domain/roles.ts';
import {
  type Actor,
  actsOnAppeals,
  allowedMoves,
  findAction,
  findMove,
  inScope,
  type IncidentState,
  MAX_ESCALATION,
  RULES,
} from '../../server/lifecycle/machine.ts';

const state = (status: Status, over: Partial<IncidentState> = {}): IncidentState => ({
  status,
  type: 'complaint',
  escalationLevel: 0,
  ...over,
});
const moves = (actor: Actor, status: Status, over: Partial<IncidentState> = {}) =>
  allowedMoves(actor, state(status, over)).map((m) => `${m.action}→${m.to ?? '='}`);

// Every actor's moves from every status of a complaint: the whole policy in one table.
const POLICY: Record<Actor, Partial<Record<Status, string[]>>> = {
  admin: {
    new: ['assign→assigned', 'reject→rejected', 'escalate→='],
    assigned: ['reassign→assigned', 'take→in_progress', 'reject→rejected', 'escalate→='],
    in_progress: ['reassign→assigned', 'resolve→resolved', 'reject→rejected', 'escalate→='],
    resolved: ['close→closed', 'reopen→reopened'],
    reopened: ['assign→assigned', 'take→in_progress', 'reject→rejected', 'escalate→='],
  },
  dispatcher: {
    new: ['assign→assigned', 'reject→rejected'],
    assigned: ['reject→rejected'],
    resolved: ['reopen→reopened'],
    reopened: ['assign→assigned'],
  },
  supervisor: {
    new: ['assign→assigned', 'reject→rejected', 'escalate→='],
    assigned: ['reassign→assigned', 'reject→rejected', 'escalate→='],
    in_progress: ['reassign→assigned', 'reject→rejected', 'escalate→='],
    resolved: ['close→closed', 'reopen→reopened'],
    reopened: ['assign→assigned', 'reject→rejected', 'escalate→='],
  },
  executor: {
    assigned: ['reassign→assigned', 'take→in_progress'],
    in_progress: ['reassign→assigned', 'resolve→resolved'],
    reopened: ['take→in_progress'],
  },
  official: {},
  display: {},
  citizen: { resolved: ['dispute→reopened'], closed: ['dispute→reopened'] },
  system: { resolved: ['expire→closed'] },
};

describe('the state machine', () => {
  for (const [actor, byStatus] of Object.entries(POLICY) as [Actor, Partial<Record<Status, string[]>>][]) {
    it.each(STATUSES.map((s) => [s]))(`${actor} from %s`, (status) => {
      expect(moves(actor, status)).toEqual(byStatus[status] ?? []);
    });
  }

  it('lets information requests be closed as consulted from new, by staff who answer calls', () => {
    for (const actor of ['admin', 'dispatcher', 'supervisor'] as const) {
      expect(findMove(actor, state('new', { type: 'information_request' }), 'closed')?.action).toBe('consult');
      expect(findMove(actor, state('new'), 'closed')).toBeNull();
    }
    expect(findMove('executor', state('new', { type: 'information_request' }), 'closed')).toBeNull();
  });

  it('states what each move needs', () => {
    expect(findMove('executor', state('in_progress'), 'resolved')?.requires).toEqual(['note']);
    expect(findMove('supervisor', state('in_progress'), 'assigned')?.requires).toEqual(['service']);
    expect(findMove('executor', state('in_progress'), 'assigned')?.requires).toEqual(['service', 'note']);
    expect(findMove('dispatcher', state('new'), 'rejected')?.requires).toEqual(['reason']);
    expect(findMove('dispatcher', state('new'), 'assigned')?.requires).toEqual([]);
  });

  it('stops escalation at the highest level', () => {
    expect(findAction('supervisor', state('assigned', { escalationLevel: MAX_ESCALATION - 1 }), 'escalate')).not.toBeNull();
    expect(findAction('supervisor', state('assigned', { escalationLevel: MAX_ESCALATION }), 'escalate')).toBeNull();
  });

  it('never leaves a final status for staff, and every target is a status', () => {
    for (const actor of ['admin', 'dispatcher', 'supervisor', 'executor'] as const) {
      expect(moves(actor, 'closed')).toEqual([]);
      expect(moves(actor, 'rejected')).toEqual([]);
    }
    for (const r of RULES) if (r.to) expect(STATUSES).toContain(r.to);
  });

  it('knows which roles act at all', () => {
    expect(['admin', 'dispatcher', 'supervisor', 'executor', 'official', 'display'].filter((r) => actsOnAppeals(r as Role))).toEqual([
      'admin',
      'dispatcher',
      'supervisor',
      'executor',
    ]);
  });

  it('does not mutate its input', () => {
    const s = Object.freeze(state('assigned'));
    expect(() => allowedMoves('admin', s)).not.toThrow();
  });
});

describe('scopes', () => {
  const where = { districtId: 3, serviceId: 7 };
  it.each([
    [{ role: 'admin', districtIds: [], serviceId: null }, true],
    [{ role: 'dispatcher', districtIds: [], serviceId: null }, true],
    [{ role: 'supervisor', districtIds: [1, 3], serviceId: null }, true],
    [{ role: 'supervisor', districtIds: [1, 2], serviceId: null }, false],
    [{ role: 'executor', districtIds: [], serviceId: 7 }, true],
    [{ role: 'executor', districtIds: [], serviceId: 8 }, false],
    [{ role: 'executor', districtIds: [], serviceId: null }, false],
    [{ role: 'official', districtIds: [3], serviceId: 7 }, false],
    [{ role: 'display', districtIds: [], serviceId: null }, false],
  ] as const)('%j → %s', (user, expected) => {
    expect(inScope({ ...user, districtIds: [...user.districtIds] }, where)).toBe(expected);
  });

  it('puts appeals without a district outside every supervisor’s scope', () => {
    expect(inScope({ role: 'supervisor', districtIds: [1], serviceId: null }, { districtId: null, serviceId: 1 })).toBe(false);
  });
});
