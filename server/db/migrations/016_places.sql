-- Places: the city's gazetteer (addresses, streets, places and microdistricts, points of
-- interest) for the geocoder (server/places/), and what a self-hosted base map will draw.
-- Every row belongs to one import `source` ('osm', a register's name, 'demo'): a re-import of
-- a source deletes its rows and writes the new ones in one transaction.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE places (
  id          bigserial PRIMARY KEY,
  source      text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('address', 'street', 'place', 'poi', 'district')),
  -- What a place or POI is: OSM's place=* or amenity/shop/office/... value (school, clinic, bus_stop, suburb...).
  class       text,
  -- The source's id of the object ("n123", "w456" for OSM; a register's row number).
  ref         text,
  -- Names as the source gives them: {"name", "kk", "ru", "en", "old", "alt"} (any may be missing).
  names       jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- An address's street as written (addr:street), and its house number as written ("24а/1").
  street      text,
  housenumber text,
  -- The normalised name (server/places/normalise.ts): of the street for an address, else of the
  -- place itself. An address's key is its street's key when the import found that street.
  street_key  text,
  -- The normalised house number ("24а/1", "12к2") and its leading number.
  house_key   text,
  house_num   integer,
  -- Every normalised name of a street, place or POI (name, kk, ru, en, old, alt).
  keys        text[] NOT NULL DEFAULT '{}',
  -- Addresses and POIs are points (a building's point on surface); streets are (multi)lines.
  geom        geometry(Geometry, 4326) NOT NULL,
  district_id integer REFERENCES districts (id) ON DELETE SET NULL
);
CREATE INDEX places_source_idx ON places (source);
CREATE INDEX places_address_idx ON places (street_key, house_key) WHERE kind = 'address';
CREATE INDEX places_named_idx ON places (street_key) WHERE kind <> 'address';
CREATE INDEX places_geom_idx ON places USING gist (geom) WHERE kind <> 'address';
-- Reverse geocoding: the nearest address by KNN.
CREATE INDEX places_address_geom_idx ON places USING gist (geom) WHERE kind = 'address';

-- The vocabulary searched by trigrams: every normalised name (term) → the key the places and
-- addresses carry (street_key). Old, alternative and other-language names of a street lead to its
-- addresses this way. Rebuilt at the end of every import (server/places/store.ts).
CREATE TABLE place_terms (
  term       text NOT NULL,
  street_key text NOT NULL,
  PRIMARY KEY (term, street_key)
);
-- GiST, not GIN: the search takes the nearest terms by trigram distance (KNN, `<->` and `<<->`),
-- a few index pages, where a similarity filter over GIN rechecks every loosely matching term.
CREATE INDEX place_terms_trgm_idx ON place_terms USING gist (term gist_trgm_ops);

-- Base-map features kept from an OpenStreetMap import for the self-hosted base map (not served yet).
CREATE TABLE basemap_features (
  id     bigserial PRIMARY KEY,
  source text NOT NULL,
  layer  text NOT NULL CHECK (layer IN ('roads', 'buildings', 'water', 'parks', 'rail')),
  class  text,
  name   text,
  geom   geometry(Geometry, 4326) NOT NULL
);
CREATE INDEX basemap_features_source_idx ON basemap_features (source);
CREATE INDEX basemap_features_geom_idx ON basemap_features USING gist (geom);

-- One row per imported source: when, from which file, how many of each.
CREATE TABLE place_imports (
  source      text PRIMARY KEY,
  file        text,
  imported_at timestamptz NOT NULL DEFAULT now(),
  counts      jsonb NOT NULL DEFAULT '{}'::jsonb
);
