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
import { postgis } from '@electric-sql/pglite-postgis';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const dir = process.env.JARDEM_EMBEDDED_DIR;
if (!dir) throw new Error('JARDEM_EMBEDDED_DIR is not set');
mkdirSync(dir, { recursive: true });

const db = await PGlite.create({ dataDir: dir, extensions: { postgis } });
await db.exec('CREATE EXTENSION IF NOT EXISTS postgis');
const server = new PGLiteSocketServer({
  db,
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
