import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../context.ts';
import { AppError } from '../errors.ts';
import { holdsPersonalData } from './redact.ts';

/** An appeal's registration number (e.g. 109-2026-000123): digits anyone may search by. */
const APPEAL_NUMBER = /\b\d{2,4}-\d{4}-\d{4,8}\b/g;
/** Seven or more digits in a run (spaces, dots, dashes and brackets between them): a phone's tail, an IIN's. */
const LONG_DIGITS = /\d(?:[\s().-]*\d){6,}/;

/** Whether a search text asks after a person: a phone (or a large part of one), an e-mail, an IIN. */
export function searchesPersonalData(q: string): boolean {
  const rest = q.replace(APPEAL_NUMBER, ' ');
  return holdsPersonalData(rest) || rest.includes('@') || LONG_DIGITS.test(rest);
}

/**
 * The text search `q` runs over descriptions and addresses as written. A reader without
 * personal-data rights gets them redacted, but a match alone would tell that an appeal holds a
 * given phone or e-mail: such a search is refused (400) unless the request's scope may read
 * personal data. Runs after the access check, which puts the scope on the request.
 */
export const personalDataSearchGuard = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const values = c.req.queries('q') ?? [];
    if (values.some(searchesPersonalData) && (c.get('scope')?.personalData.kind ?? 'none') === 'none') {
      throw new AppError(400, 'personal_data_search', 'Searching by a phone number, e-mail or IIN needs a staff account.', [
        { path: 'q', message: 'holds what looks like personal data' },
      ]);
    }
    await next();
  });
