-- The map's own narrow copy of the backlog: one row per open appeal, with the columns the
-- incident filters read (not the text searched by `q`) and the point already in Web Mercator.
-- Vector tiles over open appeals read this table, not incidents: at 10 million appeals the
-- open ones lie scattered over gigabytes of history, one heap page each, while here they sit
-- together in a few megabytes that stay in memory. Kept by a row trigger in the writer's own
-- transaction, so a tile never shows what did not commit. Its size follows the backlog alone.
CREATE TABLE open_incident_points (
  id          bigint PRIMARY KEY,
  number      text NOT NULL,
  type        text NOT NULL,
  category_id integer NOT NULL,
  -- The category's sphere (categories.sphere_id), so that the map groups by sphere at once.
  sphere_id   integer,
  channel     text NOT NULL,
  status      text NOT NULL,
  -- Always true; named as in incidents so that the incident filters apply here unchanged.
  is_open     boolean NOT NULL DEFAULT true CHECK (is_open),
  priority    smallint NOT NULL,
  district_id integer,
  service_id  integer,
  created_at  timestamptz NOT NULL,
  due_at      timestamptz NOT NULL,
  geom        geometry(Point, 4326) NOT NULL,
  -- The point in EPSG:3857: as a geometry for street-level tiles (GiST), and as two plain
  -- numbers that low-zoom tiles group tens of thousands of rows by without reading geometries.
  g           geometry(Point, 3857) NOT NULL,
  x           float8 NOT NULL,
  y           float8 NOT NULL
);
CREATE INDEX open_incident_points_g_gix ON open_incident_points USING gist (g);
CREATE INDEX open_incident_points_x_idx ON open_incident_points (x);

CREATE FUNCTION open_incident_points_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND (TG_OP = 'DELETE' OR NOT NEW.is_open) THEN
    DELETE FROM open_incident_points WHERE id = OLD.id;
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.is_open THEN
    INSERT INTO open_incident_points (id, number, type, category_id, sphere_id, channel, status, priority, district_id,
                                      service_id, created_at, due_at, geom, g, x, y)
    SELECT NEW.id, NEW.number, NEW.type, NEW.category_id, (SELECT c.sphere_id FROM categories c WHERE c.id = NEW.category_id),
           NEW.channel, NEW.status, NEW.priority, NEW.district_id, NEW.service_id, NEW.created_at, NEW.due_at, NEW.geom,
           p.g, ST_X(p.g), ST_Y(p.g)
      FROM (SELECT ST_Transform(NEW.geom, 3857) AS g) p
    ON CONFLICT (id) DO UPDATE
      SET number = EXCLUDED.number, type = EXCLUDED.type, category_id = EXCLUDED.category_id,
          sphere_id = EXCLUDED.sphere_id, channel = EXCLUDED.channel,
          status = EXCLUDED.status, priority = EXCLUDED.priority, district_id = EXCLUDED.district_id,
          service_id = EXCLUDED.service_id, created_at = EXCLUDED.created_at, due_at = EXCLUDED.due_at,
          geom = EXCLUDED.geom, g = EXCLUDED.g, x = EXCLUDED.x, y = EXCLUDED.y;
  END IF;
  RETURN NULL;
END $$;

-- New appeals: one statement for all the rows a statement inserted (intake commits in groups).
CREATE FUNCTION open_incident_points_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO open_incident_points (id, number, type, category_id, sphere_id, channel, status, priority, district_id,
                                    service_id, created_at, due_at, geom, g, x, y)
  SELECT n.id, n.number, n.type, n.category_id, c.sphere_id, n.channel, n.status, n.priority, n.district_id, n.service_id,
         n.created_at, n.due_at, n.geom, n.g, ST_X(n.g), ST_Y(n.g)
    FROM (SELECT *, ST_Transform(geom, 3857) AS g FROM new_rows WHERE is_open) n JOIN categories c ON c.id = n.category_id;
  RETURN NULL;
END $$;
CREATE TRIGGER incidents_open_points_insert AFTER INSERT ON incidents
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION open_incident_points_insert();
-- Only changes the copy holds: a comment or a rating leaves it alone.
CREATE TRIGGER incidents_open_points_update AFTER UPDATE ON incidents
  FOR EACH ROW WHEN ((OLD.is_open OR NEW.is_open) AND
    (OLD.number, OLD.type, OLD.category_id, OLD.channel, OLD.status, OLD.priority, OLD.district_id, OLD.service_id,
     OLD.created_at, OLD.due_at, OLD.geom::text)
    IS DISTINCT FROM
    (NEW.number, NEW.type, NEW.category_id, NEW.channel, NEW.status, NEW.priority, NEW.district_id, NEW.service_id,
     NEW.created_at, NEW.due_at, NEW.geom::text))
  EXECUTE FUNCTION open_incident_points_sync();
CREATE TRIGGER incidents_open_points_delete AFTER DELETE ON incidents
  FOR EACH ROW WHEN (OLD.is_open) EXECUTE FUNCTION open_incident_points_sync();

CREATE FUNCTION open_incident_points_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE open_incident_points;
  RETURN NULL;
END $$;
CREATE TRIGGER incidents_open_points_truncate AFTER TRUNCATE ON incidents
  FOR EACH STATEMENT EXECUTE FUNCTION open_incident_points_truncate();

-- A category moved to another sphere takes its open appeals with it.
CREATE FUNCTION open_incident_points_spheres() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE open_incident_points p SET sphere_id = c.sphere_id
    FROM categories c WHERE c.id = p.category_id AND p.sphere_id IS DISTINCT FROM c.sphere_id;
  RETURN NULL;
END $$;
CREATE TRIGGER categories_open_points_sphere AFTER UPDATE OF sphere_id ON categories
  FOR EACH STATEMENT EXECUTE FUNCTION open_incident_points_spheres();

-- Refills the copy from the appeals: after a load that ran without triggers
-- (session_replication_role = replica, as the benchmark's bulk history does).
CREATE FUNCTION open_incident_points_rebuild() RETURNS void LANGUAGE sql AS $$
  DELETE FROM open_incident_points;
  INSERT INTO open_incident_points (id, number, type, category_id, sphere_id, channel, status, priority, district_id,
                                    service_id, created_at, due_at, geom, g, x, y)
  SELECT i.id, i.number, i.type, i.category_id, c.sphere_id, i.channel, i.status, i.priority, i.district_id, i.service_id,
         i.created_at, i.due_at, i.geom, i.g, ST_X(i.g), ST_Y(i.g)
    FROM (SELECT *, ST_Transform(geom, 3857) AS g FROM incidents WHERE is_open) i JOIN categories c ON c.id = i.category_id;
$$;

SELECT open_incident_points_rebuild();
ANALYZE open_incident_points;
