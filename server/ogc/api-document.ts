import { FIELD_INFO, PROPERTY_FIELDS } from '../exports/public-incident.ts';
import { STATUSES } from '../domain/statuses.ts';
import { CHANNELS, INCIDENT_TYPES } from '../incidents/filters.ts';
import { DEFAULT_LIMIT, MAX_LIMIT } from './params.ts';
import { MAX_OFFSET } from './queries.ts';
import { FILTER_PARAMETERS, schemaPaths } from './api-filter.ts';
import { ogcSchemas, schemaRef } from './schemas.ts';

/** Media type of the API description, as OGC API – Features asks for OpenAPI 3.0 in JSON. */
export const OPENAPI_30_JSON = 'application/vnd.oai.openapi+json;version=3.0';

const list = (values: readonly string[] | undefined, description: string) => ({
  in: 'query',
  required: false,
  style: 'form',
  explode: false,
  description,
  schema: { type: 'array', items: values ? { type: 'string', enum: [...values] } : { type: 'string' } },
});

/** Parameters shared by the items paths (inline, not $ref: clients such as GDAL read them directly). */
const ITEMS_PARAMETERS = [
  {
    name: 'limit',
    in: 'query',
    required: false,
    style: 'form',
    explode: false,
    description: `Features per page; larger values are lowered to ${MAX_LIMIT}. Follow the \`next\` link for more.`,
    schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT },
  },
  {
    name: 'bbox',
    in: 'query',
    required: false,
    style: 'form',
    explode: false,
    description: 'minLng,minLat,maxLng,maxLat in WGS 84 (CRS84), or six numbers with heights.',
    schema: { type: 'array', minItems: 4, maxItems: 6, items: { type: 'number' } },
  },
  {
    name: 'datetime',
    in: 'query',
    required: false,
    style: 'form',
    explode: false,
    description: 'An RFC 3339 instant or interval (`start/end`, `../end`, `start/..`); a date alone means its whole day.',
    schema: { type: 'string' },
  },
  {
    name: 'f',
    in: 'query',
    required: false,
    style: 'form',
    explode: false,
    description: 'Output format; by default the Accept header decides.',
    schema: { type: 'string', enum: ['json', 'html'] },
  },
];

const INCIDENT_FILTERS = [
  { name: 'status', ...list([...STATUSES, 'open', 'overdue'], 'Statuses; `open` is every non-final status.') },
  { name: 'type', ...list(INCIDENT_TYPES, 'Types of appeal.') },
  { name: 'category', ...list(undefined, 'Category codes (with their subcategories).') },
  { name: 'service', ...list(undefined, 'Service codes.') },
  { name: 'district', ...list(undefined, 'District codes.') },
  { name: 'channel', ...list(CHANNELS, 'Channels.') },
  { name: 'q', in: 'query', required: false, description: 'Text in the number, description or address.', schema: { type: 'string' } },
  {
    name: 'offset',
    in: 'query',
    required: false,
    description: `Features to skip (at most ${MAX_OFFSET}; not with \`cursor\`). The next links then carry offset, and past ${MAX_OFFSET} a cursor.`,
    schema: { type: 'integer', minimum: 0, maximum: MAX_OFFSET },
  },
  {
    name: 'cursor',
    in: 'query',
    required: false,
    description: 'Page position; taken from the `next` and `prev` links.',
    schema: { type: 'string' },
  },
];

/** A JSON answer (or its HTML page) whose body follows components/schemas/`schema`. */
const json = (description: string, schema: string, type = 'application/json') => ({
  description,
  content: { [type]: { schema: schemaRef(schema) } },
});
const withHtml = (description: string, schema: string, type = 'application/json') => ({
  description,
  content: { [type]: { schema: schemaRef(schema) }, 'text/html': { schema: { type: 'string' } } },
});
const errors = {
  '400': json('Invalid parameter: an OGC exception `{"code", "description"}`, with Jardem\'s `error` object.', 'exception'),
  '404': json('Not found (an OGC exception).', 'exception'),
};

/** JSON Schema of a district feature's properties. */
const districtPropertiesSchema = {
  type: 'object',
  required: ['code', 'name_kk', 'name_ru', 'name_en'],
  properties: {
    code: { type: 'string' },
    name_kk: { type: 'string' },
    name_ru: { type: 'string' },
    name_en: { type: 'string' },
    population: { type: 'integer', nullable: true },
    approximate: { type: 'boolean', description: 'Boundaries drawn by the project, not official.' },
  },
};

const TYPE_OF = { string: 'string', integer: 'integer', number: 'number', boolean: 'boolean', 'date-time': 'string' } as const;

/** JSON Schema of an incident feature's properties. */
export const incidentPropertiesSchema = () => ({
  type: 'object',
  properties: Object.fromEntries(
    PROPERTY_FIELDS.map((f) => {
      const info = FIELD_INFO[f];
      return [
        f,
        { type: TYPE_OF[info.type], title: info.title, ...(info.type === 'date-time' ? { format: 'date-time' } : {}), nullable: true },
      ];
    }),
  ),
});

function collectionPaths(id: 'incidents' | 'districts', title: string, extraFilters: object[]) {
  const feature = id === 'incidents' ? 'incident' : 'district';
  return {
    [`/collections/${id}`]: {
      get: {
        tags: ['Data'],
        summary: `The ${title} collection: its extent and links`,
        operationId: `describe_${id}`,
        parameters: [ITEMS_PARAMETERS[3]],
        responses: { '200': withHtml('Collection metadata.', 'collection'), ...errors },
      },
    },
    [`/collections/${id}/items`]: {
      get: {
        tags: ['Data'],
        summary: `Features of ${title}`,
        operationId: `items_${id}`,
        parameters: [...ITEMS_PARAMETERS, ...FILTER_PARAMETERS, ...extraFilters],
        responses: {
          '200': withHtml(
            'A GeoJSON FeatureCollection with numberMatched, numberReturned and links.',
            `${feature}FeatureCollection`,
            'application/geo+json',
          ),
          ...errors,
        },
      },
    },
    [`/collections/${id}/items/{featureId}`]: {
      get: {
        tags: ['Data'],
        summary: `One feature of ${title}`,
        operationId: `item_${id}`,
        parameters: [{ name: 'featureId', in: 'path', required: true, schema: { type: 'string' } }, ITEMS_PARAMETERS[3]],
        responses: { '200': withHtml('A GeoJSON Feature.', `${feature}Feature`, 'application/geo+json'), ...errors },
      },
    },
    ...schemaPaths(id, ITEMS_PARAMETERS[3], errors),
  };
}

/** The OpenAPI 3.0 description of /ogc, with `base` the absolute URL of /ogc. */
export function ogcApiDocument(base: string) {
  const f = ITEMS_PARAMETERS[3];
  return {
    openapi: '3.0.3',
    info: {
      title: 'Jardem — OGC API – Features',
      version: '1.0.0',
      description:
        "Appeals to the city's 109 centre and the city's districts as OGC API – Features Part 1 (Core, GeoJSON, HTML, OpenAPI 3.0) " +
        'and Part 3 (queryables, CQL2 text filters), with sortby. ' +
        'No personal data: reporters are never published.',
    },
    servers: [{ url: base }],
    tags: [{ name: 'Capabilities' }, { name: 'Data' }],
    paths: {
      '/': {
        get: {
          tags: ['Capabilities'],
          summary: 'Landing page',
          operationId: 'getLandingPage',
          parameters: [f],
          responses: { '200': withHtml('Links to the API description, conformance and collections.', 'landingPage'), ...errors },
        },
      },
      '/conformance': {
        get: {
          tags: ['Capabilities'],
          summary: 'Conformance classes implemented',
          operationId: 'getConformanceDeclaration',
          parameters: [f],
          responses: { '200': withHtml('The list of conformance classes.', 'confClasses'), ...errors },
        },
      },
      '/api': {
        get: {
          tags: ['Capabilities'],
          summary: 'This API description',
          operationId: 'getApiDescription',
          parameters: [f],
          responses: {
            '200': {
              description: 'OpenAPI 3.0',
              content: { [OPENAPI_30_JSON]: { schema: { type: 'object' } }, 'text/html': { schema: { type: 'string' } } },
            },
          },
        },
      },
      '/collections': {
        get: {
          tags: ['Capabilities'],
          summary: 'The collections',
          operationId: 'getCollections',
          parameters: [f],
          responses: { '200': withHtml('Collections with their extents.', 'collections'), ...errors },
        },
      },
      ...collectionPaths('incidents', 'appeals (incidents)', INCIDENT_FILTERS),
      ...collectionPaths('districts', 'districts', [
        {
          name: 'offset',
          in: 'query',
          required: false,
          description: 'Features to skip; taken from the `next` and `prev` links.',
          schema: { type: 'integer', minimum: 0 },
        },
      ]),
    },
    components: { schemas: ogcSchemas(incidentPropertiesSchema(), districtPropertiesSchema) },
  };
}
