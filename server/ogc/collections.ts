import type pg from 'pg';
import type { Link } from './html.ts';
import { CRS84, type Bbox } from './params.ts';
import { districtExtent, incidentExtent } from './queries.ts';
import { SCHEMA_JSON } from './queryables.ts';

export const GEOJSON = 'application/geo+json';
export const JSON_TYPE = 'application/json';
export const HTML = 'text/html';

export const CONFORMANCE = [
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
  // Part 3: queryables and `filter` in CQL2 text (server/ogc/cql2.peggy, cql2-sql.ts).
  'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables',
  'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter',
  'http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter',
  'http://www.opengis.net/spec/cql2/1.0/conf/cql2-text',
  'http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2',
  'http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators',
  'http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions',
  'http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus',
  'http://www.opengis.net/spec/cql2/1.0/conf/property-property',
];

const GREGORIAN = 'http://www.opengis.net/def/uom/ISO-8601/0/Gregorian';

const QUERYABLES_REL = 'http://www.opengis.net/def/rel/ogc/1.0/queryables';
/** Part 8 (sorting, a draft) and OGC API – Records name the sortables so. */
const SORTABLES_REL = 'http://www.opengis.net/def/rel/ogc/1.0/sortables';

export type CollectionId = 'incidents' | 'districts';

export const COLLECTIONS: Record<CollectionId, { title: string; description: string }> = {
  incidents: {
    title: 'Appeals to the 109 centre',
    description:
      'Every registered appeal (complaint, incident, problem, service or information request) with its category, status, ' +
      'deadline and place; newest first. No personal data. Filter with bbox, datetime (registration time) and status, type, ' +
      'category, service, district, channel, q, or with a CQL2 filter on the queryables; sort with sortby.',
  },
  districts: {
    title: 'City districts',
    description: "The city's districts with names in Kazakh, Russian and English and their population.",
  },
};

export const isCollectionId = (id: string): id is CollectionId => id === 'incidents' || id === 'districts';

interface Extent {
  bbox: Bbox | null;
  start?: Date | null;
}

const TTL_MS = 60_000;
const extents = new WeakMap<pg.Pool, { at: number; value: Promise<Record<CollectionId, Extent>> }>();

/** Extents change slowly: read them at most once a minute per database. */
export function collectionExtents(pool: pg.Pool): Promise<Record<CollectionId, Extent>> {
  const hit = extents.get(pool);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
  const value = Promise.all([incidentExtent(pool), districtExtent(pool)]).then(([incidents, districts]) => ({ incidents, districts }));
  extents.set(pool, { at: Date.now(), value });
  value.catch(() => extents.delete(pool));
  return value;
}

/** The collection document: id, title, extent in CRS84 and links to its items. */
export function collectionDocument(base: string, id: CollectionId, extent: Extent) {
  const href = `${base}/collections/${id}`;
  const links: Link[] = [
    { href: `${href}?f=json`, rel: 'self', type: JSON_TYPE, title: 'This collection as JSON' },
    { href: `${href}?f=html`, rel: 'alternate', type: HTML, title: 'This collection as HTML' },
    { href: `${href}/items?f=json`, rel: 'items', type: GEOJSON, title: 'Features as GeoJSON' },
    { href: `${href}/items?f=html`, rel: 'items', type: HTML, title: 'Features as HTML' },
    { href: `${href}/queryables`, rel: QUERYABLES_REL, type: SCHEMA_JSON, title: 'What filter may name' },
    { href: `${href}/sortables`, rel: SORTABLES_REL, type: SCHEMA_JSON, title: 'What sortby may name' },
  ];
  return {
    id,
    title: COLLECTIONS[id].title,
    description: COLLECTIONS[id].description,
    links,
    extent: {
      spatial: { bbox: extent.bbox ? [extent.bbox] : [[-180, -90, 180, 90]], crs: CRS84 },
      ...(id === 'incidents' ? { temporal: { interval: [[extent.start ? extent.start.toISOString() : null, null]], trs: GREGORIAN } } : {}),
    },
    itemType: 'feature',
    crs: [CRS84],
    storageCrs: CRS84,
  };
}
