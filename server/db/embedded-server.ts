/**
 * The embedded database process: PGlite with PostGIS, persisted in a folder and served on a
 * loopback port through pglite-socket, so the API talks to it with `pg` exactly as it talks to
 * PostgreSQL. It runs in its own process because PGlite executes WebAssembly on the calling
 * thread: a heavy query here must not freeze the API's requests and event streams.
 *
 * Started by `startEmbeddedDatabase` (embedded.ts) with the folder in JARDEM_EMBEDDED_DIR; it
 * reports `{ type: 'ready', port }` over IPC and stops on SIGTERM or when its parent goes away.
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { postgis } from '@electric-sql/pglite-postgis';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const dir = process.env.JARDEM_EMBEDDED_DIR;
if (!dir) throw new Error('JARDEM_EMBEDDED_DIR is not set');
mkdirSync(dir, { recursive: true });

const db = await PGlite.create({ dataDir: dir, extensions: { postgis, pg_trgm } });
await db.exec('CREATE EXTENSION IF NOT EXISTS postgis');
// pglite-socket (0.2.11) queues single protocol messages, first come first served, and keeps
// to one connection only while `db.isInTransaction()` (an explicit BEGIN ... COMMIT). Between
// a connection's Parse and its Sync (node-postgres pipelines Parse, Bind, Describe, Execute,
// Sync for every parameterised query) that is false, so another connection's messages could
// run in between — a BEGIN in particular makes the queue stick to that other connection, whose
// Parse replaces the first one's unnamed statement. The first connection then gets another
// query's rows or "portal does not exist". We report "in a transaction" from the first message
// of a pipeline to its end (Sync, a simple Query, Terminate, CopyDone/CopyFail, or a start-up or
// password message, after which the client waits), so a pipeline runs undivided.
// PGlite also answers an error inside a pipeline with a ReadyForQuery of its own, and another one
// at the Sync. The client takes the first as the end of its next statement (the ROLLBACK it
// sends on the error), and from then on every answer on that connection belongs to the
// statement before. ReadyForQuery only ever answers a Sync, a simple Query or the start-up, so
// it is dropped from the answers to the other steps of a pipeline.
// Both are reproduced by test/api/pglite-socket-pipelines.test.ts.
const EXTENDED_STEP = new Set([0x50 /* P */, 0x42 /* B */, 0x44 /* D */, 0x45 /* E */, 0x43 /* C */, 0x48 /* H */]);
const READY_FOR_QUERY = 0x5a; /* Z */

/** Passes a stream of backend messages through, without its ReadyForQuery messages. */
function withoutReadyForQuery(emit: (chunk: Uint8Array) => void): (chunk: Uint8Array) => void {
  let header = new Uint8Array(0); // a message header (type, int32 length) split across chunks
  let pass = 0; // bytes of the current message still to pass on
  let drop = 0; // bytes of the current message still to drop
  return (chunk) => {
    const out: Uint8Array[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (pass > 0 || drop > 0) {
        const n = Math.min(pass || drop, chunk.length - i);
        if (pass > 0) {
          out.push(chunk.subarray(i, i + n));
          pass -= n;
        } else drop -= n;
        i += n;
        continue;
      }
      const take = chunk.subarray(i, i + 5 - header.length);
      header = Buffer.concat([header, take]);
      i += take.length;
      if (header.length < 5) break;
      const body = Buffer.from(header).readInt32BE(1) - 4;
      if (header[0] === READY_FOR_QUERY) drop = body;
      else {
        out.push(header);
        pass = body;
      }
      header = new Uint8Array(0);
    }
    if (out.length) emit(Buffer.concat(out));
  };
}

const PIPELINE_END = new Set([0, 0x53 /* S */, 0x51 /* Q */, 0x58 /* X */, 0x70 /* p */, 0x63 /* c */, 0x66 /* f */]);
let inPipeline = false;
const guarded = new Proxy(db, {
  get(target, prop) {
    if (prop === 'isInTransaction') return () => inPipeline || target.isInTransaction();
    if (prop === 'execProtocolRawStream') {
      return async (message: Uint8Array, options: Parameters<PGlite['execProtocolRawStream']>[1]) => {
        const filtered =
          EXTENDED_STEP.has(message[0]) && options?.onRawData
            ? { ...options, onRawData: withoutReadyForQuery(options.onRawData) }
            : options;
        try {
          return await target.execProtocolRawStream(message, filtered);
        } finally {
          inPipeline = !PIPELINE_END.has(message[0]);
        }
      };
    }
    if (prop === 'exec') {
      // The queue's clean-up after a connection drops mid-pipeline (a ROLLBACK) ends the pipeline too.
      return async (...args: Parameters<PGlite['exec']>) => {
        inPipeline = false;
        return target.exec(...args);
      };
    }
    const value = Reflect.get(target, prop, target);
    return typeof value === 'function' ? value.bind(target) : value;
  },
});
const server = new PGLiteSocketServer({
  db: guarded,
  host: '127.0.0.1',
  port: Number(process.env.JARDEM_EMBEDDED_PORT ?? 0),
  maxConnections: 64,
});
await server.start();
const port = Number(server.getServerConn().split(':').pop());
process.send?.({ type: 'ready', port });

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server.stop().catch(() => undefined);
  await db.close().catch(() => undefined);
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
