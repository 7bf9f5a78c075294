-- Where incidents changed, for the vector tile caches (server/tiles/cache.ts): every statement
-- that writes incidents leaves the positions it touched, old and new, so that a cache drops only
-- the tiles holding them instead of every tile. Under a live city's steady trickle of changes
-- the other tiles stay cached. A row without a position means "everywhere": a truncation, a
-- bulk load, or a statement touching more rows than is worth listing.
CREATE TABLE incident_tile_changes (
  id  bigserial PRIMARY KEY,
  at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  lng float8,
  lat float8
);
CREATE INDEX incident_tile_changes_at_idx ON incident_tile_changes (at);

-- Beyond this many rows in one statement, one "everywhere" row instead.
CREATE FUNCTION incident_tile_changes_limit() RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 5000';

-- One function for the three statement triggers: the transition tables a statement has
-- (new_rows for insert and update, old_rows for update and delete), read only where they exist.
CREATE FUNCTION incident_tile_changes_record() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  touched bigint;
BEGIN
  IF TG_OP = 'DELETE' THEN
    SELECT count(*) INTO touched FROM old_rows;
  ELSE
    SELECT count(*) INTO touched FROM new_rows;
  END IF;
  IF touched > incident_tile_changes_limit() OR coalesce(current_setting('jardem.bulk_load', true), '') = 'on' THEN
    INSERT INTO incident_tile_changes (lng, lat) VALUES (NULL, NULL);
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO incident_tile_changes (lng, lat) SELECT ST_X(geom), ST_Y(geom) FROM new_rows;
  ELSIF TG_OP = 'UPDATE' THEN
    -- The new position of every changed row, and the old one of a row that moved.
    INSERT INTO incident_tile_changes (lng, lat)
    SELECT ST_X(n.geom), ST_Y(n.geom) FROM new_rows n
    UNION ALL
    SELECT ST_X(o.geom), ST_Y(o.geom) FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE NOT ST_Equals(o.geom, n.geom);
  ELSE
    INSERT INTO incident_tile_changes (lng, lat) SELECT ST_X(geom), ST_Y(geom) FROM old_rows;
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION incident_tile_changes_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO incident_tile_changes (lng, lat) VALUES (NULL, NULL);
  RETURN NULL;
END $$;

CREATE TRIGGER incidents_tile_changes_insert AFTER INSERT ON incidents
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION incident_tile_changes_record();
CREATE TRIGGER incidents_tile_changes_update AFTER UPDATE ON incidents
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION incident_tile_changes_record();
CREATE TRIGGER incidents_tile_changes_delete AFTER DELETE ON incidents
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION incident_tile_changes_record();
CREATE TRIGGER incidents_tile_changes_truncate AFTER TRUNCATE ON incidents
  FOR EACH STATEMENT EXECUTE FUNCTION incident_tile_changes_truncate();
