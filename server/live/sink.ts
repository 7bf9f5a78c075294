import type { ServerResponse } from 'node:http';
import type { SSEStreamingApi } from 'hono/streaming';

/**
 * Where a live stream's bytes go. Two implementations: straight onto Node's response (the
 * server: one `write` per message, no web-stream machinery, which is most of the cost when a
 * message goes to a thousand screens), and Hono's SSE stream (`app.request()` in tests, other
 * runtimes).
 */
export interface Sink {
  /** Queues a chunk; false once the stream is closed. */
  write(chunk: Uint8Array | string): boolean;
  /** Bytes (Node) or chunks (Hono) queued and not yet taken by the client. */
  backlog(): number;
  close(): void;
  /** Called once when the client goes away or the stream is closed. */
  onClose(fn: () => void): void;
}

/** The headers of an event stream: no caching, no buffering or compression by a proxy. */
export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
  connection: 'keep-alive',
} as const;

export function nodeSink(res: ServerResponse): Sink {
  res.writeHead(200, SSE_HEADERS);
  res.flushHeaders();
  // small frames go out at once rather than waiting for more to fill a packet
  res.socket?.setNoDelay(true);
  return {
    write: (chunk) => {
      if (res.destroyed || res.writableEnded) return false;
      res.write(chunk);
      return true;
    },
    backlog: () => res.writableLength,
    close: () => res.end(),
    onClose: (fn) => {
      if (res.destroyed) fn();
      else res.once('close', fn);
    },
  };
}

export function honoSink(stream: SSEStreamingApi): Sink {
  let queued = 0;
  return {
    write: (chunk) => {
      if (stream.closed || stream.aborted) return false;
      queued++;
      void stream.write(chunk).finally(() => queued--);
      return true;
    },
    backlog: () => queued,
    close: () => void stream.close(),
    onClose: (fn) => stream.onAbort(fn),
  };
}
