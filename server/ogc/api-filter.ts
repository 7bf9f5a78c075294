import { SCHEMA_JSON } from './queryables.ts';
import { CRS84 } from './params.ts';

/**
 * The OpenAPI of OGC API – Features Part 3 and of `sortby`: the items' `filter`, `filter-lang`,
 * `filter-crs` and `sortby` parameters, and the queryables and sortables paths.
 */

const query = (name: string, description: string, schema: object) => ({ name, in: 'query', required: false, description, schema });

export const FILTER_PARAMETERS = [
  query(
    'filter',
    "A CQL2 text filter on the queryables, e.g. `status = 'in_progress' AND S_INTERSECTS(geometry, BBOX(71.3,42.8,71.5,42.95))`.",
    { type: 'string' },
  ),
  query('filter-lang', 'The filter language: CQL2 text only.', { type: 'string', enum: ['cql2-text'], default: 'cql2-text' }),
  query('filter-crs', 'Coordinates in the filter are longitude, latitude (CRS84).', { type: 'string', enum: [CRS84], default: CRS84 }),
  query('sortby', 'Sortable properties, comma-separated, `-` for descending, e.g. `-priority,created_at`. Pages by offset.', {
    type: 'string',
  }),
];

/** JSON Schema of the queryables and sortables documents. */
const schemaDocument = {
  type: 'object',
  required: ['$schema', 'type', 'properties'],
  properties: {
    $schema: { type: 'string' },
    $id: { type: 'string' },
    type: { type: 'string', enum: ['object'] },
    title: { type: 'string' },
    properties: { type: 'object', additionalProperties: { type: 'object', required: ['title'] } },
    additionalProperties: { type: 'boolean' },
  },
};

export function schemaPaths(id: 'incidents' | 'districts', f: object, errors: object) {
  const path = (kind: 'queryables' | 'sortables', summary: string) => ({
    get: {
      tags: ['Data'],
      summary,
      operationId: `${kind}_${id}`,
      parameters: [f],
      responses: {
        '200': {
          description: 'A JSON Schema of the properties.',
          content: { [SCHEMA_JSON]: { schema: schemaDocument }, 'text/html': { schema: { type: 'string' } } },
        },
        ...errors,
      },
    },
  });
  return {
    [`/collections/${id}/queryables`]: path('queryables', `What a filter on ${id} may name`),
    [`/collections/${id}/sortables`]: path('sortables', `What sortby on ${id} may name`),
  };
}
