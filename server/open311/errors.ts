import { AppError } from '../errors.ts';

/**
 * Open311's refusals are AppErrors like everywhere else: errors.ts answers them in GeoReport v2's
 * shape under /open311 (renderOpen311Error). Messages are the spec's words for the field at fault.
 */
export const bad = (message: string) => new AppError(400, 'bad_request', message);
export const unknown = (message: string) => new AppError(404, 'not_found', message);
export const refused = (message: string) => new AppError(403, 'forbidden', message);
