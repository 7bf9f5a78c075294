import { AppError } from '../errors.ts';

export interface HashGateOptions {
  /** Hashes running at once. Each scrypt takes a libuv thread and ~32 MiB for tens of ms. */
  concurrency: number;
  /** Hashes waiting for a slot; beyond it a sign-in is refused at once (503). */
  queue: number;
  /** Seconds a refused client is told to wait (Retry-After). */
  retryAfterSeconds?: number;
  /** The refusal's code and message (a sign-in's by default): the same gate bounds other costly work too. */
  busy?: { code: string; message: string };
  /**
   * After a task that took t ms its slot stays idle for t × `rest` ms before the next task may
   * have it (the answer is not held back): with one slot and a rest of 1, the tasks of this gate
   * take at most half of one core however many are asked for.
   */
  rest?: number;
}

/**
 * Bounds the password hashing of sign-ins. Without it a flood of anonymous sign-ins runs as
 * many scrypt hashes at once as it sends requests: they take every libuv thread and both cores,
 * and every other answer of the API waits behind them. With it at most `concurrency` hashes run,
 * `queue` wait in order, and the rest are turned away with 503 `sign_in_busy` before any work.
 */
export class HashGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly retryAfter: number;

  constructor(private readonly options: HashGateOptions) {
    this.retryAfter = options.retryAfterSeconds ?? 5;
  }

  /** Runs `task` when a slot is free; 503 at once when the queue is full. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.options.concurrency) {
      if (this.waiting.length >= this.options.queue) {
        const { code, message } = this.options.busy ?? {
          code: 'sign_in_busy',
          message: 'Too many sign-ins at once; try again in a few seconds.',
        };
        throw new AppError(503, code, message, [], {
          'Retry-After': String(this.retryAfter),
        });
      }
      // The slot is handed over by the task that ends (see finally), so `running` stays counted.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    const started = performance.now();
    try {
      return await task();
    } finally {
      const release = () => {
        const next = this.waiting.shift();
        if (next) next();
        else this.running--;
      };
      const rest = (this.options.rest ?? 0) * (performance.now() - started);
      if (rest >= 1) setTimeout(release, rest).unref();
      else release();
    }
  }

  /** Hashes running and waiting now. */
  stats(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }
}

/** The gate of this process's sign-in hashes: 2 at once, 64 waiting. */
export const SIGN_IN_GATE_OPTIONS: HashGateOptions = { concurrency: 2, queue: 64 };

/**
 * The same kind of gate before a sign-in's database work (counting the attempt, finding the
 * user): a flood of sign-ins holds at most 3 pooled connections, so other requests do not queue
 * behind hundreds of sign-in statements for a connection. Its queue is long enough that a flood
 * from one address is still counted (and answered 429) rather than turned away.
 */
export const SIGN_IN_DB_GATE_OPTIONS: HashGateOptions = { concurrency: 3, queue: 512 };
