import { MAX_YEAR, MIN_YEAR, parseInstant } from '../instants.ts';
import { bad } from './errors.ts';
import type { RequestQuery } from './queries.ts';

const DAY_MS = 86_400_000;
/** DESIGN: GET requests covers 90 days by default and at most. */
const WINDOW_DAYS = 90;
const MAX_PAGE_SIZE = 1000;

function parseDate(v: string | undefined, name: string): Date | undefined {
  if (v === undefined || v === '') return undefined;
  const at = parseInstant(v);
  if (!at) throw bad(`${name} must be a W3C date-time in ${MIN_YEAR}–${MAX_YEAR}, e.g. 2026-11-01T00:00:00Z`);
  return new Date(at.ms);
}

function parseInt10(v: string | undefined, name: string, min: number, max: number, dflt: number): number {
  if (v === undefined || v === '') return dflt;
  if (!/^\d{1,9}$/.test(v) || Number(v) < min || Number(v) > max) throw bad(`${name} must be an integer from ${min} to ${max}`);
  return Number(v);
}

/** The GET requests parameters (DESIGN: 90-day default and maximum window). */
export function requestQuery(q: Record<string, string | undefined>, categoryId: (code: string) => number | undefined): RequestQuery {
  const out: RequestQuery = { start: new Date(0), end: new Date(), page: 1, pageSize: 50 };
  if (q.service_request_id !== undefined) {
    const ids = q.service_request_id.split(',').map((s) => s.trim());
    if (!ids.length || ids.length > 100 || ids.some((s) => !/^\d{1,15}$/.test(s)))
      throw bad('service_request_id must be a comma-separated list of up to 100 request ids');
    out.ids = ids.map(Number);
  }
  if (q.service_code) {
    const codes = q.service_code.split(',').map((s) => s.trim());
    out.categoryIds = codes.map((code) => {
      const id = categoryId(code);
      if (id === undefined) throw bad(`Unknown service_code: ${code}`);
      return id;
    });
  }
  const start = parseDate(q.start_date, 'start_date');
  const end = parseDate(q.end_date, 'end_date');
  out.end = end ?? (start ? new Date(Math.min(start.getTime() + WINDOW_DAYS * DAY_MS, Date.now())) : new Date());
  out.start = start ?? new Date(out.end.getTime() - WINDOW_DAYS * DAY_MS);
  if (out.start > out.end) throw bad('start_date must not be after end_date');
  if (out.end.getTime() - out.start.getTime() > WINDOW_DAYS * DAY_MS) throw bad(`The date window may span at most ${WINDOW_DAYS} days`);
  if (q.status) {
    const st = q.status.split(',').map((s) => s.trim());
    if (st.some((s) => s !== 'open' && s !== 'closed')) throw bad('status must be open or closed');
    out.status = st as ('open' | 'closed')[];
  }
  out.updatedAfter = parseDate(q.updated_after, 'updated_after');
  out.updatedBefore = parseDate(q.updated_before, 'updated_before');
  out.page = parseInt10(q.page, 'page', 1, 100_000, 1);
  out.pageSize = parseInt10(q.page_size, 'page_size', 1, MAX_PAGE_SIZE, 50);
  return out;
}
