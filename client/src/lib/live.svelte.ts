/**
 * The client of GET /api/live (Server-Sent Events) for screens that run for days: it reconnects
 * by itself after a network blip or a server restart, with backoff, and resumes from the last
 * event id it saw, so nothing committed meanwhile is missed. Its memory stays flat: one
 * EventSource at a time, a fixed set of handlers, a bounded set of seen ids.
 */

// What the stream carries: one definition with the server (server/contract), read here as types.
import type { AlertSnapshot } from '../../../server/contract/alerts.ts';
import type { LiveEventKind, LiveIncident } from '../../../server/contract/live.ts';
import type { LiveStats } from '../../../server/contract/kpis.ts';
export type { Alert, AlertKind, AlertSnapshot } from '../../../server/contract/alerts.ts';
export type { LiveIncident } from '../../../server/contract/live.ts';
export type { LiveStats } from '../../../server/contract/kpis.ts';

export type IncidentEventKind = LiveEventKind;
export type LiveStatus = 'connecting' | 'online' | 'offline';

export interface LiveHandlers {
  stats?: (stats: LiveStats) => void;
  alerts?: (alerts: AlertSnapshot) => void;
  incident?: (kind: IncidentEventKind, incident: LiveIncident) => void;
  /** The events missed while away are gone (or the server is another one): reload everything. */
  reset?: () => void;
  /** The stream is open again after being down (not called for the first connection). */
  reconnected?: () => void;
}

export interface LiveOptions {
  url?: string;
  /** sessionStorage key of the last event id (null: keep it in memory only) */
  storageKey?: string | null;
  /** Reconnect when nothing (not even a ping, sent every 15 s) arrived for this long (ms). */
  watchdogMs?: number;
  /** First and longest wait before reconnecting (ms); the wait doubles in between. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** How many event ids are remembered to drop repeats (a replay may repeat a few). */
const SEEN_IDS = 1000;

export class LiveClient {
  status = $state<LiveStatus>('connecting');
  /** when the status last changed */
  statusSince = $state(new Date());
  /** number of times the stream has (re)opened */
  connections = $state(0);

  #handlers: LiveHandlers;
  #url: string;
  #storageKey: string | null;
  #watchdogMs: number;
  #minBackoff: number;
  #maxBackoff: number;
  #backoff: number;
  #source: EventSource | null = null;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #watchdog: ReturnType<typeof setTimeout> | undefined;
  #lastId: number | null = null;
  /** ring buffer + set of recently seen outbox ids */
  #seen = new Set<number>();
  #seenOrder: number[] = new Array<number>(SEEN_IDS);
  #seenAt = 0;
  #running = false;

  constructor(handlers: LiveHandlers, opts: LiveOptions = {}) {
    this.#handlers = handlers;
    this.#url = opts.url ?? '/api/live';
    this.#storageKey = opts.storageKey === undefined ? 'jardem.live.lastEventId' : opts.storageKey;
    this.#watchdogMs = opts.watchdogMs ?? 45_000;
    this.#minBackoff = opts.minBackoffMs ?? 1000;
    this.#maxBackoff = opts.maxBackoffMs ?? 30_000;
    this.#backoff = this.#minBackoff;
    this.#lastId = this.#readStoredId();
  }

  /** The newest event id seen (also kept in sessionStorage), or null before the first. */
  get lastEventId(): number | null {
    return this.#lastId;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    addEventListener('online', this.#onOnline);
    addEventListener('offline', this.#onOffline);
    this.#connect();
  }

  stop(): void {
    this.#running = false;
    removeEventListener('online', this.#onOnline);
    removeEventListener('offline', this.#onOffline);
    clearTimeout(this.#retry);
    clearTimeout(this.#watchdog);
    this.#close();
  }

  #connect(): void {
    clearTimeout(this.#retry);
    this.#close();
    if (!this.#running) return;
    const url = this.#lastId === null ? this.#url : `${this.#url}?lastEventId=${this.#lastId}`;
    const es = new EventSource(url, { withCredentials: true });
    this.#source = es;
    es.onopen = () => {
      if (es !== this.#source) return;
      this.#backoff = this.#minBackoff;
      this.connections++;
      this.#setStatus('online');
      this.#arm();
      if (this.connections > 1) this.#handlers.reconnected?.();
    };
    // Any error: drop this EventSource and reconnect on our own schedule, with the last id
    // in the URL. (A browser's own retry gives up on an HTTP error such as a proxy's 502.)
    es.onerror = () => {
      if (es !== this.#source) return;
      this.#setStatus('offline');
      this.#scheduleReconnect();
    };
    const on = (type: string, fn: (data: unknown, id: number | null) => void) =>
      es.addEventListener(type, (e) => {
        if (es !== this.#source) return;
        const m = e as MessageEvent<string>;
        this.#arm();
        const id = m.lastEventId ? Number(m.lastEventId) : null;
        let data: unknown;
        try {
          data = JSON.parse(m.data);
        } catch {
          return;
        }
        fn(data, id);
      });
    on('ready', (_d, id) => this.#remember(id, true));
    on('ping', () => undefined);
    on('reset', (_d, id) => {
      this.#seen.clear();
      // a reset may move the id back (a new database): the server's word counts
      this.#remember(id, true);
      this.#handlers.reset?.();
    });
    on('stats', (d) => this.#handlers.stats?.(d as LiveStats));
    on('alerts', (d) => this.#handlers.alerts?.(d as AlertSnapshot));
    for (const kind of ['incident.created', 'incident.updated'] as const) {
      on(kind, (d, id) => {
        if (id !== null) {
          if (this.#seen.has(id)) return;
          this.#markSeen(id);
          this.#remember(id);
        }
        this.#handlers.incident?.(kind, d as LiveIncident);
      });
    }
  }

  #close(): void {
    if (!this.#source) return;
    this.#source.onopen = null;
    this.#source.onerror = null;
    this.#source.close();
    this.#source = null;
  }

  #scheduleReconnect(): void {
    this.#close();
    clearTimeout(this.#watchdog);
    clearTimeout(this.#retry);
    if (!this.#running) return;
    // full jitter around the current step, so that many screens do not return at once
    const wait = this.#backoff / 2 + Math.random() * (this.#backoff / 2);
    this.#backoff = Math.min(this.#backoff * 2, this.#maxBackoff);
    this.#retry = setTimeout(() => this.#connect(), wait);
  }

  /** Restarts the silence timer: a stream that stays quiet past it is taken as dead. */
  #arm(): void {
    clearTimeout(this.#watchdog);
    this.#watchdog = setTimeout(() => {
      this.#setStatus('offline');
      this.#scheduleReconnect();
    }, this.#watchdogMs);
  }

  #onOnline = () => {
    if (this.status === 'online') return;
    this.#backoff = this.#minBackoff;
    this.#connect();
  };

  #onOffline = () => {
    this.#setStatus('offline');
    this.#close();
    clearTimeout(this.#watchdog);
    clearTimeout(this.#retry);
    // Browsers say "offline" for a lost network; keep trying slowly in case they are wrong.
    this.#retry = setTimeout(() => this.#connect(), this.#maxBackoff);
  };

  #setStatus(s: LiveStatus): void {
    if (this.status === s) return;
    this.status = s;
    this.statusSince = new Date();
  }

  #markSeen(id: number): void {
    const old = this.#seenOrder[this.#seenAt];
    if (old !== undefined) this.#seen.delete(old);
    this.#seenOrder[this.#seenAt] = id;
    this.#seenAt = (this.#seenAt + 1) % SEEN_IDS;
    this.#seen.add(id);
  }

  /** Keeps `id` as the place to resume from: only forward, unless the server says so (`force`). */
  #remember(id: number | null, force = false): void {
    if (id === null || !Number.isSafeInteger(id)) return;
    if (!force && this.#lastId !== null && id <= this.#lastId) return;
    this.#lastId = id;
    if (!this.#storageKey) return;
    try {
      sessionStorage.setItem(this.#storageKey, String(id));
    } catch {
      // storage unavailable: memory only
    }
  }

  #readStoredId(): number | null {
    if (!this.#storageKey) return null;
    try {
      const v = Number(sessionStorage.getItem(this.#storageKey));
      return Number.isSafeInteger(v) && v > 0 ? v : null;
    } catch {
      return null;
    }
  }
}
