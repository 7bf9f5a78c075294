import { validator } from 'hono/validator';
import type { z } from 'zod';
import { badRequest, validationError } from './errors.ts';
import { withSchema } from './openapi/registry.ts';

/**
 * Validates a request part with a zod schema; failures become 400s naming the parameter.
 * Query strings arrive as strings (or string arrays for repeated keys): schemas coerce.
 * Each validator carries its schema, from which /api/openapi.json describes the route.
 */
export function validQuery<T extends z.ZodType>(schema: T) {
  return withSchema(
    validator('query', (value) => {
      const r = schema.safeParse(value);
      if (!r.success) throw validationError(r.error, 'query parameter');
      return r.data as z.output<T>;
    }),
    'query',
    schema,
  );
}

export function validJson<T extends z.ZodType>(schema: T) {
  return withSchema(
    validator('json', (value) => {
      const r = schema.safeParse(value);
      if (!r.success) throw validationError(r.error, 'request body');
      return r.data as z.output<T>;
    }),
    'json',
    schema,
  );
}

export function validParam<T extends z.ZodType>(schema: T) {
  return withSchema(
    validator('param', (value) => {
      const r = schema.safeParse(value);
      if (!r.success) throw validationError(r.error, 'path parameter');
      return r.data as z.output<T>;
    }),
    'param',
    schema,
  );
}

export { badRequest };
