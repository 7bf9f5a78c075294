import { describe, expect, it } from 'vitest';
import { stepCount, stepKind } from '../../client/src/wall/rotation.ts';
import { findWorkOrderMove, holdingService, leadStatus, mayActOnWorkOrder, workOrderMoves } from '../../server/workorders/machine.ts';

describe('work order machine (issue 18)', () => {
  it('lets an executor take, finish and release, but not reopen', () => {
    expect(workOrderMoves('executor', 'open').map((m) => m.to)).toEqual(['in_progress', 'released']);
    expect(workOrderMoves('executor', 'in_progress').map((m) => m.to)).toEqual(['done', 'released']);
    expect(findWorkOrderMove('executor', 'done', 'open')).toBeNull();
    expect(findWorkOrderMove('dispatcher', 'done', 'open')).toMatchObject({ action: 'reopen', requires: ['note'] });
    expect(workOrderMoves('official', 'open')).toEqual([]);
  });

  it("scopes: an executor to their own service's work order, a supervisor to their districts", () => {
    const exe = { role: 'executor' as const, districtIds: [], serviceId: 7 };
    expect(mayActOnWorkOrder(exe, { districtId: 1, serviceId: 7 })).toBe(true);
    expect(mayActOnWorkOrder(exe, { districtId: 1, serviceId: 8 })).toBe(false);
    const sup = { role: 'supervisor' as const, districtIds: [1], serviceId: null };
    expect(mayActOnWorkOrder(sup, { districtId: 2, serviceId: 7 })).toBe(false);
  });

  it('names the pending work order furthest past due as holding, else the lead', () => {
    const now = new Date('2026-12-03T12:00:00Z');
    const at = (h: number) => new Date(+now + h * 3600_000);
    const orders = [
      { service: 'roads_main', status: 'open' as const, due_at: at(-1) },
      { service: 'vodokanal', status: 'in_progress' as const, due_at: at(-3) },
      { service: 'akimat_housing', status: 'done' as const, due_at: at(-9) },
    ];
    expect(holdingService('teplokommunenergo', orders, now)).toEqual({ service: 'vodokanal', reason: 'overdue_work_order' });
    expect(holdingService('teplokommunenergo', orders.slice(2), now)).toEqual({ service: 'teplokommunenergo', reason: 'lead' });
    expect(leadStatus('reopened')).toBe('open');
    expect(leadStatus('closed')).toBe('done');
  });
});

describe('wall rotation with the coordination page', () => {
  it('comes after the districts, and is left out when asked', () => {
    expect(stepCount(4, true)).toBe(6);
    expect(stepKind(0, 4, true)).toEqual({ kind: 'city' });
    expect(stepKind(4, 4, true)).toEqual({ kind: 'district', i: 3 });
    expect(stepKind(5, 4, true)).toEqual({ kind: 'coordination' });
    expect(stepCount(4, false)).toBe(5);
    expect(stepKind(5, 4, false)).toEqual({ kind: 'city' });
  });
});
