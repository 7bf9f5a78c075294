import type { AlertSnapshot } from '../alerts/queries.ts';
import type { LiveEvent, LiveHub } from './hub.ts';
import type { LiveStats } from './kpis.ts';
import type { SnapshotTicker } from './snapshot.ts';

/** One message of a live stream, with its SSE frame encoded once for every stream. */
export type FeedItem = { kind: 'event'; id: number; frame: Uint8Array } | { kind: 'stats' | 'alerts'; frame: Uint8Array };

/**
 * What a stream hears: messages in the order they happened, handed over one at a time or in
 * batches. `bytes` is the batch's frames already joined, so that a batch costs one write per
 * stream however many messages it holds.
 */
export type FeedListener = (items: readonly FeedItem[], bytes: Uint8Array) => void;

export interface Feed {
  subscribe(fn: FeedListener): () => void;
}

export interface FeedSources {
  hub: LiveHub;
  kpis: SnapshotTicker<LiveStats>;
  alerts: SnapshotTicker<AlertSnapshot>;
}

const encoder = new TextEncoder();
/** Each message is formatted and encoded once, however many streams it goes to. */
const frames = new WeakMap<object, Uint8Array>();

/** The SSE frame of `source` (an event or a snapshot), cached while the object lives. */
export function frameOf(source: object, event: string, data: unknown, id?: number): Uint8Array {
  let frame = frames.get(source);
  if (!frame) {
    // JSON has no raw newlines, so the data fits on one `data:` line
    frame = encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n${id === undefined ? '' : `id: ${id}\n`}\n`);
    frames.set(source, frame);
  }
  return frame;
}

export const eventItem = (e: LiveEvent): FeedItem => ({ kind: 'event', id: e.id, frame: frameOf(e, e.kind, e.data, e.id) });
export const statsItem = (k: LiveStats): FeedItem => ({ kind: 'stats', frame: frameOf(k, 'stats', k) });
export const alertsItem = (a: AlertSnapshot): FeedItem => ({ kind: 'alerts', frame: frameOf(a, 'alerts', a) });

/** Listens to the three sources while anyone listens to `emit`'s feed. */
function sourceFeed(sources: FeedSources, deliver: (item: FeedItem) => void, onIdle: () => void) {
  let stop: (() => void) | undefined;
  return {
    start() {
      if (stop) return;
      const off = [
        sources.hub.subscribe((e) => deliver(eventItem(e))),
        sources.kpis.subscribe((k) => deliver(statsItem(k))),
        sources.alerts.subscribe((a) => deliver(alertsItem(a))),
      ];
      stop = () => off.forEach((f) => f());
    },
    stop() {
      stop?.();
      stop = undefined;
      onIdle();
    },
  };
}

/** Every message at once, to each listener on its own (signed-in screens: walls, the control room). */
export function directFeed(sources: FeedSources): Feed {
  const listeners = new Set<FeedListener>();
  const feed = sourceFeed(
    sources,
    (item) => {
      for (const fn of listeners) fn([item], item.frame);
    },
    () => undefined,
  );
  return {
    subscribe(fn) {
      listeners.add(fn);
      feed.start();
      return () => {
        listeners.delete(fn);
        if (listeners.size === 0) feed.stop();
      };
    },
  };
}

/**
 * Messages gathered for `everyMs` and handed to every listener as one batch: anonymous streams,
 * where a public map does not need a dot within a quarter of a second and a thousand streams
 * would otherwise cost one write per message per stream (issue 15's flood of public streams).
 */
export function batchedFeed(sources: FeedSources, everyMs: number): Feed {
  const listeners = new Set<FeedListener>();
  let items: FeedItem[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    const batch = items;
    items = [];
    if (batch.length === 0) return;
    const bytes = batch.length === 1 ? batch[0].frame : Buffer.concat(batch.map((i) => i.frame));
    for (const fn of listeners) fn(batch, bytes);
  };
  const feed = sourceFeed(
    sources,
    (item) => {
      items.push(item);
      timer ??= setTimeout(flush, everyMs);
    },
    () => {
      clearTimeout(timer);
      timer = undefined;
      items = [];
    },
  );
  return {
    subscribe(fn) {
      listeners.add(fn);
      feed.start();
      return () => {
        listeners.delete(fn);
        if (listeners.size === 0) feed.stop();
      };
    },
  };
}
