/**
 * Response schemas of /ogc/api (OpenAPI 3.0 Schema Objects), after the schemas OGC API –
 * Features Part 1 publishes (link, landingPage, confClasses, collections, collection,
 * featureCollectionGeoJSON, featureGeoJSON, exception), so that the OGC checker's GeoJSON rules
 * and OpenAPI-driven clients can check what the service answers. Referenced as
 * `#/components/schemas/<name>`.
 */

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const link = {
  type: 'object',
  required: ['href', 'rel'],
  properties: {
    href: { type: 'string' },
    rel: { type: 'string' },
    type: { type: 'string' },
    hreflang: { type: 'string' },
    title: { type: 'string' },
  },
};

const links = { type: 'array', items: ref('link') };

/** Any GeoJSON geometry (the service writes Points for appeals and MultiPolygons for districts). */
const geometryGeoJSON = {
  type: 'object',
  nullable: true,
  required: ['type'],
  properties: {
    type: {
      type: 'string',
      enum: ['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'GeometryCollection'],
    },
    coordinates: { type: 'array' },
    geometries: { type: 'array', items: { type: 'object' } },
  },
};

const featureGeoJSON = {
  type: 'object',
  required: ['type', 'geometry', 'properties'],
  properties: {
    type: { type: 'string', enum: ['Feature'] },
    id: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
    geometry: ref('geometryGeoJSON'),
    properties: { type: 'object', nullable: true },
    links,
  },
};

const featureCollectionGeoJSON = {
  type: 'object',
  required: ['type', 'features'],
  properties: {
    type: { type: 'string', enum: ['FeatureCollection'] },
    features: { type: 'array', items: ref('featureGeoJSON') },
    links,
    timeStamp: { type: 'string', format: 'date-time' },
    numberMatched: { type: 'integer', minimum: 0 },
    numberReturned: { type: 'integer', minimum: 0 },
  },
};

/** A feature of a collection whose properties follow `propertiesSchema`. */
const featureOf = (propertiesSchema: string) => ({
  allOf: [ref('featureGeoJSON'), { type: 'object', properties: { properties: ref(propertiesSchema) } }],
});

const collectionsOf = (featureSchema: string) => ({
  allOf: [ref('featureCollectionGeoJSON'), { type: 'object', properties: { features: { type: 'array', items: ref(featureSchema) } } }],
});

const collection = {
  type: 'object',
  required: ['id', 'links'],
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    description: { type: 'string' },
    links,
    extent: {
      type: 'object',
      properties: {
        spatial: {
          type: 'object',
          properties: {
            bbox: {
              type: 'array',
              minItems: 1,
              items: { type: 'array', minItems: 4, maxItems: 6, items: { type: 'number' } },
            },
            crs: { type: 'string' },
          },
        },
        temporal: {
          type: 'object',
          properties: {
            interval: {
              type: 'array',
              minItems: 1,
              items: { type: 'array', minItems: 2, maxItems: 2, items: { type: 'string', format: 'date-time', nullable: true } },
            },
            trs: { type: 'string' },
          },
        },
      },
    },
    itemType: { type: 'string' },
    crs: { type: 'array', items: { type: 'string' } },
  },
};

/** The schemas, with `incidentProperties` and `districtProperties` describing each collection's fields. */
export function ogcSchemas(incidentProperties: object, districtProperties: object) {
  return {
    link,
    landingPage: {
      type: 'object',
      required: ['links'],
      properties: { title: { type: 'string' }, description: { type: 'string' }, links },
    },
    confClasses: {
      type: 'object',
      required: ['conformsTo'],
      properties: { conformsTo: { type: 'array', items: { type: 'string' } } },
    },
    collections: {
      type: 'object',
      required: ['links', 'collections'],
      properties: { links, collections: { type: 'array', items: ref('collection') } },
    },
    collection,
    geometryGeoJSON,
    featureGeoJSON,
    featureCollectionGeoJSON,
    incidentProperties,
    districtProperties,
    incidentFeature: featureOf('incidentProperties'),
    districtFeature: featureOf('districtProperties'),
    incidentFeatureCollection: collectionsOf('incidentFeature'),
    districtFeatureCollection: collectionsOf('districtFeature'),
    /** OGC API's exception; the `error` object is the shape of the rest of Jardem's API. */
    exception: {
      type: 'object',
      required: ['code'],
      properties: {
        code: { type: 'string' },
        description: { type: 'string' },
        error: {
          type: 'object',
          required: ['code', 'message'],
          properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'array', items: { type: 'object' } } },
        },
      },
    },
  };
}

export { ref as schemaRef };
