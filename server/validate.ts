import { validator } from 'hono/validator';
import type { z } from 'zod';
import { badRequest, validationError } from './errors.ts';

/**
 * Validates a request part with a zod schema; failures become 400s naming the parameter.
 * Query strings arrive as strings (or string arrays for repeated keys): schemas coerce.
 */
export function validQuery<T extends z.ZodType>(schema: T) {
  return validator('query', (value) => {
    const r = schema.safeParse(value);
    if (!r.success) throw validationError(r.error, 'query parameter');
    return r.data as z.output<T>;
  });
}

export function validJson<T extends z.ZodType>(schema: T) {
  return validator('json', (value) => {
    const r = schema.safeParse(value);
    if (!r.success) throw validationError(r.error, 'request body');
    return r.data as z.output<T>;
  });
}

export function validParam<T extends z.ZodType>(schema: T) {
  return validator('param', (value) => {
    const r = schema.safeParse(value);
    if (!r.success) throw validationError(r.error, 'path parameter');
    return r.data as z.output<T>;
  });
}

export { badRequest };
