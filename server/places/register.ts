/**
 * Address register import: a city's own register or an OpenAddresses-style file, as CSV (with
 * longitude/latitude columns) or GeoJSON (the feature's geometry, or mapped columns), with a
 * column mapping like `geodata:import`. Rows with a house number become addresses; rows with
 * only a name become points of interest.
 */
import { readFileSync } from 'node:fs';
import type { Geometry } from 'geojson';
import type pg from 'pg';
import { finishImport, insertPlaces, placeRow, replaceSource, type ImportCounts, type PlaceInput } from './store.ts';

/** Which column holds what. `lng`/`lat` may be left out for GeoJSON (the geometry is used). */
export interface RegisterMapping {
  street: string;
  housenumber: string;
  lng?: string;
  lat?: string;
  name?: string;
  nameKk?: string;
  nameRu?: string;
  nameEn?: string;
  oldName?: string;
  class?: string;
  ref?: string;
}

/** OpenAddresses' column names. */
export const OPENADDRESSES: RegisterMapping = { street: 'STREET', housenumber: 'NUMBER', lng: 'LON', lat: 'LAT', ref: 'HASH' };
/** OSM tags, for GeoJSON exports of OpenStreetMap (Overpass). */
export const OSM_TAGS: RegisterMapping = {
  street: 'addr:street',
  housenumber: 'addr:housenumber',
  name: 'name',
  nameKk: 'name:kk',
  nameRu: 'name:ru',
  nameEn: 'name:en',
  oldName: 'old_name',
  ref: 'id',
};

/** Parses `street=COL,housenumber=COL,...` over a default mapping. */
export function parseMapping(spec: string | undefined, base: RegisterMapping): RegisterMapping {
  const keys: Record<string, keyof RegisterMapping> = {
    street: 'street',
    housenumber: 'housenumber',
    lng: 'lng',
    lon: 'lng',
    lat: 'lat',
    name: 'name',
    'name:kk': 'nameKk',
    'name:ru': 'nameRu',
    'name:en': 'nameEn',
    old_name: 'oldName',
    class: 'class',
    ref: 'ref',
  };
  const m: RegisterMapping = { ...base };
  for (const pair of (spec ?? '').split(',').filter(Boolean)) {
    const i = pair.indexOf('=');
    const key = keys[pair.slice(0, i).trim()];
    if (i < 1 || !key) throw new Error(`--map expects KEY=COLUMN with KEY one of ${Object.keys(keys).join(', ')}; got "${pair}"`);
    m[key] = pair.slice(i + 1).trim();
  }
  return m;
}

/** Parses CSV text (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes) into records by header. */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  const [header, ...body] = rows.filter((r) => r.some((f) => f !== ''));
  if (!header) return [];
  const names = header.map((h) => h.replace(/^\ufeff/, '').trim());
  return body.map((r) => Object.fromEntries(names.map((h, i) => [h, r[i] ?? ''])));
}

interface Record_ {
  properties: Record<string, unknown>;
  geometry: Geometry | null;
}

/** Reads a register file: CSV rows or GeoJSON features, each as properties plus a geometry if any. */
export function readRegister(file: string): Record_[] {
  const text = readFileSync(file, 'utf8');
  if (/\.(geo)?json$/i.test(file)) {
    const json = JSON.parse(text);
    if (json?.type !== 'FeatureCollection' || !Array.isArray(json.features)) throw new Error(`${file} is not a GeoJSON FeatureCollection`);
    return json.features.map((f: { properties?: Record<string, unknown>; geometry?: Geometry | null; id?: unknown }) => ({
      properties: { id: f.id, ...(f.properties ?? {}) },
      geometry: f.geometry ?? null,
    }));
  }
  return parseCsv(text).map((r) => ({ properties: r, geometry: null }));
}

const text = (v: unknown): string | undefined => (v === undefined || v === null || String(v).trim() === '' ? undefined : String(v).trim());

/** The places a register row describes (an address, and a POI when it has a name too); none without a position. */
export function registerPlaces(r: Record_, m: RegisterMapping): PlaceInput[] {
  const p = r.properties;
  let geometry = r.geometry;
  if (m.lng && m.lat && text(p[m.lng]) !== undefined) {
    const lng = Number(p[m.lng]);
    const lat = Number(p[m.lat]);
    geometry =
      Number.isFinite(lng) && Number.isFinite(lat) && Math.abs(lng) <= 180 && Math.abs(lat) <= 90
        ? { type: 'Point', coordinates: [lng, lat] }
        : null;
  }
  if (!geometry) return [];
  const names = {
    name: m.name ? text(p[m.name]) : undefined,
    kk: m.nameKk ? text(p[m.nameKk]) : undefined,
    ru: m.nameRu ? text(p[m.nameRu]) : undefined,
    en: m.nameEn ? text(p[m.nameEn]) : undefined,
    old: m.oldName ? text(p[m.oldName]) : undefined,
  };
  for (const k of Object.keys(names) as (keyof typeof names)[]) if (names[k] === undefined) delete names[k];
  const housenumber = text(p[m.housenumber]);
  const ref = m.ref ? (text(p[m.ref]) ?? null) : null;
  const cls = m.class ? (text(p[m.class]) ?? null) : null;
  const out: PlaceInput[] = [];
  if (housenumber) out.push({ kind: 'address', ref, class: cls, names, street: text(p[m.street]) ?? null, housenumber, geometry });
  if (Object.keys(names).length) out.push({ kind: 'poi', ref, class: cls, names, geometry });
  return out;
}

export interface RegisterResult extends ImportCounts {
  /** Rows left out: no position, or neither a house number nor a name. */
  skipped: number;
}

/** Imports a register file under `source`, replacing its previous import (in the caller's transaction). */
export async function importRegister(
  client: pg.PoolClient,
  file: string,
  mapping: RegisterMapping,
  source: string,
  batch = 1000,
): Promise<RegisterResult> {
  const records = readRegister(file);
  await replaceSource(client, source);
  let skipped = 0;
  let rows: NonNullable<ReturnType<typeof placeRow>>[] = [];
  for (const r of records) {
    const found = registerPlaces(r, mapping)
      .map(placeRow)
      .filter((x) => x !== null);
    if (!found.length) skipped++;
    rows.push(...found);
    if (rows.length >= batch) {
      await insertPlaces(client, source, rows);
      rows = [];
    }
  }
  await insertPlaces(client, source, rows);
  return { ...(await finishImport(client, source, file.split('/').pop() ?? file)), skipped };
}
