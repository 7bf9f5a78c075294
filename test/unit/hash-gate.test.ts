import { describe, expect, it } from 'vitest';
import { AppError } from '../../server/errors.ts';
import { HashGate } from '../../server/auth/hash-gate.ts';

/** A task that finishes when told to, so the test controls what is running. */
function held() {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return { done, release };
}

describe('HashGate', () => {
  it('runs at most `concurrency` tasks at once and queues the next ones in order', async () => {
    const gate = new HashGate({ concurrency: 2, queue: 3 });
    const tasks = Array.from({ length: 5 }, () => held());
    const started: number[] = [];
    const runs = tasks.map((task, i) =>
      gate.run(async () => {
        started.push(i);
        await task.done;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(gate.stats()).toEqual({ running: 2, waiting: 3 });
    tasks[1].release();
    await runs[1];
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toEqual([0, 1, 2]);
    for (const task of tasks) task.release();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(gate.stats()).toEqual({ running: 0, waiting: 0 });
  });

  it('turns work away with 503 sign_in_busy and Retry-After beyond the queue, without running it', async () => {
    const gate = new HashGate({ concurrency: 2, queue: 64 });
    const hold = held();
    let ran = 0;
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, () =>
        gate.run(async () => {
          ran++;
          await hold.done;
        }),
      ).map((p, i) => (i === 199 ? (hold.release(), p) : p)),
    );
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(200 - 2 - 64);
    const err = (refused[0] as PromiseRejectedResult).reason as AppError;
    expect(err).toBeInstanceOf(AppError);
    expect(err.status).toBe(503);
    expect(err.code).toBe('sign_in_busy');
    expect(Number(err.headers['Retry-After'])).toBeGreaterThan(0);
    expect(ran).toBe(66);
  });

  it('frees its slot when a task fails', async () => {
    const gate = new HashGate({ concurrency: 1, queue: 1 });
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(async () => 'next')).toBe('next');
    expect(gate.stats()).toEqual({ running: 0, waiting: 0 });
  });

  it('with a rest, keeps the slot idle as long as the last task ran, without holding its answer back', async () => {
    const gate = new HashGate({ concurrency: 1, queue: 4, rest: 1 });
    const ran: number[] = [];
    const work = (ms: number) => async () => {
      ran.push(performance.now());
      await new Promise((r) => setTimeout(r, ms));
      return performance.now();
    };
    const first = gate.run(work(120));
    const second = gate.run(work(10));
    const firstDone = await first;
    // the first answer comes back at once; the second starts only after a rest as long as the first ran
    expect(gate.stats()).toEqual({ running: 1, waiting: 1 });
    await second;
    expect(ran[1] - firstDone).toBeGreaterThanOrEqual(100);
    expect(ran[1] - ran[0]).toBeGreaterThanOrEqual(220);
  });
});
