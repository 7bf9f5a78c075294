import { Hono } from 'hono';
import { type RequestScope, scopeCondition } from '../auth/scope.ts';
import { getCatalog } from '../catalog.ts';
import type { AppEnv, Deps } from '../context.ts';
import { AppError } from '../errors.ts';
import { incidentConditions, type IncidentFilter, IncidentFilterSchema } from '../incidents/filters.ts';
import { log } from '../log.ts';
import { publicText } from '../privacy/visibility.ts';
import { validQuery } from '../validate.ts';
import { BOM, csvLine } from './csv.ts';
import { CSV_FIELDS, publicFeature, type PublicIncidentRow } from './public-incident.ts';
import { publicIncidentBatches } from './rows.ts';

/**
 * Exports running at once in this process. On PostgreSQL each holds a pooled connection until
 * its client has read the last byte, so a few slow downloads must not take the whole pool.
 */
export const MAX_CONCURRENT_EXPORTS = 2;

const FREE_TEXT = new Set([CSV_FIELDS.indexOf('address'), CSV_FIELDS.indexOf('description')]);

/** A streamed body: pulls the next chunk only when the client has taken the previous one. */
function streamBody(chunks: AsyncGenerator<string>, done: () => void): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let closed = false;
  const finish = () => {
    if (!closed) {
      closed = true;
      done();
    }
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await chunks.next();
        if (next.done) {
          finish();
          controller.close();
        } else {
          controller.enqueue(encoder.encode(next.value));
        }
      } catch (err) {
        finish();
        log.error({ err }, 'export failed mid-stream');
        controller.error(err);
      }
    },
    async cancel() {
      finish();
      await chunks.return(undefined);
    },
  });
}

async function* redactedBatches(batches: AsyncGenerator<PublicIncidentRow[]>): AsyncGenerator<PublicIncidentRow[]> {
  for await (const batch of batches) yield batch.map(publicText);
}

/**
 * Reads the first batch now, before the answer's status and header go out: a request the
 * database cannot answer is then an error status, never a 200 cut after the header line.
 * The batches are closed when the returned generator is, wherever it stopped.
 */
async function primed<T>(batches: AsyncGenerator<T>): Promise<AsyncGenerator<T>> {
  const first = await batches.next();
  return (async function* () {
    try {
      if (first.done) return;
      yield first.value;
      yield* batches;
    } finally {
      await batches.return(undefined);
    }
  })();
}

async function* csvChunks(batches: AsyncGenerator<PublicIncidentRow[]>): AsyncGenerator<string> {
  yield BOM + csvLine(CSV_FIELDS);
  for await (const batch of batches) {
    yield batch
      .map((row) =>
        csvLine(
          CSV_FIELDS.map((f) => row[f]),
          FREE_TEXT,
        ),
      )
      .join('');
  }
}

async function* geojsonChunks(batches: AsyncGenerator<PublicIncidentRow[]>): AsyncGenerator<string> {
  yield `{"type":"FeatureCollection","timeStamp":${JSON.stringify(new Date().toISOString())},"features":[`;
  let first = true;
  for await (const batch of batches) {
    const text = batch.map((row) => JSON.stringify(publicFeature(row))).join(',\n');
    yield (first ? '\n' : ',\n') + text;
    first = false;
  }
  yield '\n]}\n';
}

/**
 * GET /api/exports/incidents.csv and .geojson?<incident filters>: every matching appeal in the
 * caller's scope, streamed, without personal data. Filters mean what they mean in GET /api/incidents.
 */
export function exportRoutes({ pool, engine }: Deps) {
  let running = 0;
  const start = async (format: 'csv' | 'geojson', filter: IncidentFilter, scope: RequestScope, method: string) => {
    // The filters, within the caller's scope (a supervisor exports their districts, an executor their service).
    const where = scopeCondition(scope.appeals, incidentConditions(filter, await getCatalog(pool)));
    const day = new Date().toISOString().slice(0, 10);
    const headers = {
      'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8; header=present' : 'application/geo+json; charset=utf-8',
      'Content-Disposition': `attachment; filename="jardem-incidents-${day}.${format}"`,
      'Cache-Control': 'no-store',
    };
    // A HEAD request never reads a body: start no cursor for it.
    if (method === 'HEAD') return new Response(null, { headers });
    if (running >= MAX_CONCURRENT_EXPORTS) {
      throw new AppError(429, 'too_many_requests', 'Too many exports are running; try again in a minute.', [], { 'Retry-After': '30' });
    }
    running++;
    const rows = publicIncidentBatches(pool, engine, where);
    let primedRows: AsyncGenerator<PublicIncidentRow[]>;
    try {
      primedRows = await primed(rows);
    } catch (err) {
      running--;
      throw err;
    }
    // An export is a file that leaves the system: its free text is redacted for every role
    // (staff read phones and names as written in the app, never in a file).
    const batches = redactedBatches(primedRows);
    const body = streamBody(format === 'csv' ? csvChunks(batches) : geojsonChunks(batches), () => {
      running--;
      // A client gone before the first chunk was pulled: close the cursor opened above.
      void rows.return(undefined).catch(() => undefined);
    });
    return new Response(body, { headers });
  };
  return new Hono<AppEnv>()
    .get('/incidents.csv', validQuery(IncidentFilterSchema), (c) => start('csv', c.req.valid('query'), c.get('scope'), c.req.method))
    .get('/incidents.geojson', validQuery(IncidentFilterSchema), (c) =>
      start('geojson', c.req.valid('query'), c.get('scope'), c.req.method),
    );
}
