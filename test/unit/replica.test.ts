import { describe, expect, it } from 'vitest';
import { isReplicaFailure } from '../../server/db/replica.ts';

/** Which failures of a read on the replica send it to the primary (server/db/replica.ts). */
describe('isReplicaFailure', () => {
  const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

  it('retries on the primary when the replica cannot be reached or went away', () => {
    expect(isReplicaFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5433'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isReplicaFailure(pgError('57P01', 'terminating connection due to administrator command'))).toBe(true);
    expect(isReplicaFailure(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isReplicaFailure(new Error('timeout exceeded when trying to connect'))).toBe(true);
  });

  it("retries a query the standby cancelled for replay's sake, not an ordinary serialization failure", () => {
    expect(isReplicaFailure(pgError('40001', 'canceling statement due to conflict with recovery'))).toBe(true);
    expect(isReplicaFailure(pgError('40001', 'could not serialize access due to concurrent update'))).toBe(false);
  });

  it('leaves errors of the query itself alone (they would fail on the primary too)', () => {
    expect(isReplicaFailure(pgError('42601', 'syntax error at or near "FROM"'))).toBe(false);
    expect(isReplicaFailure(pgError('57014', 'canceling statement due to statement timeout'))).toBe(false);
    expect(isReplicaFailure(undefined)).toBe(false);
  });
});
