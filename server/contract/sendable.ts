/**
 * What a handler may hand to `c.json()` for an answer of schema type T: the same shape, with a
 * Date wherever the answer has a string (JSON.stringify writes a Date as its ISO 8601 string).
 * `{...} satisfies Sendable<Answer>` lets tsc catch a handler drifting from its documented schema.
 */
export type Sendable<T> = T extends string
  ? string | Date
  : T extends readonly (infer U)[]
    ? readonly Sendable<U>[]
    : T extends object
      ? { [K in keyof T]: Sendable<T[K]> }
      : T;
