-- The self-hosted base map (server/basemap/): a base-map feature keeps its names in every
-- language the source gives ({"name", "kk", "ru", "en"}), so a tile carries name_kk, name_ru and
-- name_en and the map labels streets in the interface's language. `name` stays the local name.
ALTER TABLE basemap_features ADD COLUMN names jsonb NOT NULL DEFAULT '{}'::jsonb;
UPDATE basemap_features SET names = jsonb_build_object('name', name) WHERE name IS NOT NULL;
-- Tiles below zoom 14 carry no buildings, the bulk of the rows: their own index leaves them out.
CREATE INDEX basemap_features_nobuildings_geom_idx ON basemap_features USING gist (geom) WHERE layer <> 'buildings';
