-- The city tiles' pre-aggregated copy of the backlog (issue 23, part 3). A tile at zoom 11–12
-- groups its open appeals into 8 × 8 cells; at 10 million appeals a z11 tile holds ~46,000 of
-- them, and grouping that many rows costs ~25 ms whatever the query. Here the open appeals are
-- summed per fixed grid square (2^15 per side of the Web Mercator square: 1,223 m at the equator,
-- ~900 m in Taraz; a z12 tile's cell is exactly one square, a z11 cell 2 × 2 of them) and per
-- sphere, so a tile sums a few thousand rows instead.
--
-- It is kept by statement triggers on open_incident_points (migration 012), which is itself
-- kept in the writer's transaction: every insert, update or delete of the copy appends one row
-- per touched (square, sphere) with the change (+ for new rows, − for old ones). Writers only
-- append, so they never wait for each other's rows; open_incident_cells_settle() folds the
-- rows of a square and sphere into one (the server runs it every few seconds), and readers
-- sum whatever rows there are, so a tile is exact whether or not the fold has run.
--
-- Two of a cell's figures move with the clock: `overdue` (active and due_at < now()) and the
-- heat weight (grows with age up to 30 days). The rows carry only what does not: an appeal's
-- flags `lapsed` (its deadline had passed) and `aged` (30 days old) are facts that, once true,
-- stay true until its deadline or creation time is edited (a BEFORE UPDATE trigger recomputes
-- them then). The cells count the lapsed active appeals and sum the weight terms split by
-- `aged`: weight = Σ(5 − p) + [Σ_aged (5 − p)·30 d + Σ_not aged (5 − p)·(now − created)] / 10 d.
-- The settle function sets the flags that have become true; a tile adds the few appeals whose
-- flag should be true but is not yet (a partial index each finds them), so the clock is read at
-- the tile's own now(), as before.

ALTER TABLE open_incident_points ADD COLUMN lapsed boolean NOT NULL DEFAULT false;
ALTER TABLE open_incident_points ADD COLUMN aged boolean NOT NULL DEFAULT false;
UPDATE open_incident_points SET lapsed = due_at < now(), aged = created_at <= now() - interval '2592000 seconds';
CREATE INDEX open_incident_points_unlapsed_idx ON open_incident_points (due_at) WHERE NOT lapsed;
CREATE INDEX open_incident_points_unaged_idx ON open_incident_points (created_at) WHERE NOT aged;

-- An edited deadline or creation time: the flags are facts about the old values.
CREATE FUNCTION open_incident_points_flags() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.due_at IS DISTINCT FROM OLD.due_at THEN NEW.lapsed := NEW.due_at < now(); END IF;
  IF NEW.created_at IS DISTINCT FROM OLD.created_at THEN NEW.aged := NEW.created_at <= now() - interval '2592000 seconds'; END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER open_incident_points_flags BEFORE UPDATE OF due_at, created_at ON open_incident_points
  FOR EACH ROW EXECUTE FUNCTION open_incident_points_flags();

CREATE TABLE open_incident_cells (
  -- The square: column and row of the 2^15 grid of Web Mercator, from the top left.
  gx        integer NOT NULL,
  gy        integer NOT NULL,
  sphere_id integer,
  n         integer NOT NULL,          -- open appeals
  sx        float8 NOT NULL,           -- their summed Mercator x, y (a cell's point is the mean)
  sy        float8 NOT NULL,
  sid       bigint NOT NULL,           -- their summed ids: the id itself when n = 1
  la        integer NOT NULL,          -- active ones flagged lapsed (overdue)
  q         integer NOT NULL,          -- Σ (5 − priority)
  qa        integer NOT NULL,          -- Σ (5 − priority) of those flagged aged
  qc        numeric NOT NULL           -- Σ (5 − priority) · epoch(created_at) of those not flagged aged
);
CREATE INDEX open_incident_cells_square_idx ON open_incident_cells (gx, gy);

CREATE FUNCTION open_incident_cells_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO open_incident_cells (gx, gy, sphere_id, n, sx, sy, sid, la, q, qa, qc)
    SELECT floor((x + 20037508.342789244) * 32768 / 40075016.685578488)::int AS gx, floor((20037508.342789244 - y) * 32768 / 40075016.685578488)::int AS gy, sphere_id, count(*)::int AS n, sum(x) AS sx, sum(y) AS sy,
           sum(id)::bigint AS sid, (count(*) FILTER (WHERE lapsed AND status IN ('new','assigned','in_progress','reopened')))::int AS la,
           sum(5 - priority)::int AS q, (coalesce(sum(5 - priority) FILTER (WHERE aged), 0))::int AS qa,
           coalesce(sum((5 - priority) * extract(epoch FROM created_at)) FILTER (WHERE NOT aged), 0) AS qc
      FROM new_rows GROUP BY 1, 2, 3;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO open_incident_cells (gx, gy, sphere_id, n, sx, sy, sid, la, q, qa, qc)
    SELECT floor((x + 20037508.342789244) * 32768 / 40075016.685578488)::int AS gx, floor((20037508.342789244 - y) * 32768 / 40075016.685578488)::int AS gy, sphere_id, -count(*)::int AS n, -sum(x) AS sx, -sum(y) AS sy,
           -sum(id)::bigint AS sid, -(count(*) FILTER (WHERE lapsed AND status IN ('new','assigned','in_progress','reopened')))::int AS la,
           -sum(5 - priority)::int AS q, -(coalesce(sum(5 - priority) FILTER (WHERE aged), 0))::int AS qa,
           -coalesce(sum((5 - priority) * extract(epoch FROM created_at)) FILTER (WHERE NOT aged), 0) AS qc
      FROM old_rows GROUP BY 1, 2, 3;
  ELSE
    INSERT INTO open_incident_cells (gx, gy, sphere_id, n, sx, sy, sid, la, q, qa, qc)
    SELECT gx, gy, sphere_id, sum(n)::int, sum(sx), sum(sy), sum(sid)::bigint, sum(la)::int, sum(q)::int, sum(qa)::int, sum(qc)
      FROM (SELECT floor((x + 20037508.342789244) * 32768 / 40075016.685578488)::int AS gx, floor((20037508.342789244 - y) * 32768 / 40075016.685578488)::int AS gy, sphere_id, count(*)::int AS n, sum(x) AS sx, sum(y) AS sy,
           sum(id)::bigint AS sid, (count(*) FILTER (WHERE lapsed AND status IN ('new','assigned','in_progress','reopened')))::int AS la,
           sum(5 - priority)::int AS q, (coalesce(sum(5 - priority) FILTER (WHERE aged), 0))::int AS qa,
           coalesce(sum((5 - priority) * extract(epoch FROM created_at)) FILTER (WHERE NOT aged), 0) AS qc
      FROM new_rows GROUP BY 1, 2, 3
            UNION ALL
            SELECT floor((x + 20037508.342789244) * 32768 / 40075016.685578488)::int AS gx, floor((20037508.342789244 - y) * 32768 / 40075016.685578488)::int AS gy, sphere_id, -count(*)::int AS n, -sum(x) AS sx, -sum(y) AS sy,
           -sum(id)::bigint AS sid, -(count(*) FILTER (WHERE lapsed AND status IN ('new','assigned','in_progress','reopened')))::int AS la,
           -sum(5 - priority)::int AS q, -(coalesce(sum(5 - priority) FILTER (WHERE aged), 0))::int AS qa,
           -coalesce(sum((5 - priority) * extract(epoch FROM created_at)) FILTER (WHERE NOT aged), 0) AS qc
      FROM old_rows GROUP BY 1, 2, 3) d
     GROUP BY gx, gy, sphere_id
    HAVING sum(n) <> 0 OR sum(sx) <> 0 OR sum(sy) <> 0 OR sum(sid) <> 0 OR sum(la) <> 0 OR sum(q) <> 0 OR sum(qa) <> 0 OR sum(qc) <> 0;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER open_incident_cells_insert AFTER INSERT ON open_incident_points
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION open_incident_cells_sync();
CREATE TRIGGER open_incident_cells_update AFTER UPDATE ON open_incident_points
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION open_incident_cells_sync();
CREATE TRIGGER open_incident_cells_delete AFTER DELETE ON open_incident_points
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION open_incident_cells_sync();

CREATE FUNCTION open_incident_cells_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE open_incident_cells;
  RETURN NULL;
END $$;
CREATE TRIGGER open_incident_cells_truncate AFTER TRUNCATE ON open_incident_points
  FOR EACH STATEMENT EXECUTE FUNCTION open_incident_cells_truncate();

-- Sets the flags that have become true and folds each square and sphere's rows into one. Run
-- by the server every few seconds (one instance at a time); tiles are exact without it, only
-- slower as rows pile up.
CREATE FUNCTION open_incident_cells_settle() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF NOT pg_try_advisory_xact_lock(23028) THEN RETURN; END IF;
  UPDATE open_incident_points SET lapsed = true WHERE NOT lapsed AND due_at < now();
  UPDATE open_incident_points SET aged = true WHERE NOT aged AND created_at <= now() - interval '2592000 seconds';
  WITH twice AS (
    SELECT gx, gy, sphere_id FROM open_incident_cells GROUP BY 1, 2, 3 HAVING count(*) > 1 OR sum(n) = 0
  ), gone AS (
    DELETE FROM open_incident_cells c USING twice t
     WHERE c.gx = t.gx AND c.gy = t.gy AND c.sphere_id IS NOT DISTINCT FROM t.sphere_id
    RETURNING c.*
  )
  INSERT INTO open_incident_cells (gx, gy, sphere_id, n, sx, sy, sid, la, q, qa, qc)
  SELECT gx, gy, sphere_id, sum(n)::int, sum(sx), sum(sy), sum(sid)::bigint, sum(la)::int, sum(q)::int, sum(qa)::int, sum(qc) FROM gone GROUP BY gx, gy, sphere_id HAVING sum(n) <> 0;
END $$;

-- Refills the cells from the copy (after open_incident_points_rebuild(), or a load without
-- triggers); the copy's rebuild calls it.
CREATE FUNCTION open_incident_cells_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE open_incident_points SET lapsed = true WHERE NOT lapsed AND due_at < now();
  UPDATE open_incident_points SET aged = true WHERE NOT aged AND created_at <= now() - interval '2592000 seconds';
  TRUNCATE open_incident_cells;
  INSERT INTO open_incident_cells (gx, gy, sphere_id, n, sx, sy, sid, la, q, qa, qc)
  SELECT floor((x + 20037508.342789244) * 32768 / 40075016.685578488)::int AS gx, floor((20037508.342789244 - y) * 32768 / 40075016.685578488)::int AS gy, sphere_id, count(*)::int AS n, sum(x) AS sx, sum(y) AS sy,
           sum(id)::bigint AS sid, (count(*) FILTER (WHERE lapsed AND status IN ('new','assigned','in_progress','reopened')))::int AS la,
           sum(5 - priority)::int AS q, (coalesce(sum(5 - priority) FILTER (WHERE aged), 0))::int AS qa,
           coalesce(sum((5 - priority) * extract(epoch FROM created_at)) FILTER (WHERE NOT aged), 0) AS qc
      FROM open_incident_points GROUP BY 1, 2, 3;
END $$;

CREATE OR REPLACE FUNCTION open_incident_points_rebuild() RETURNS void LANGUAGE sql AS $$
  DELETE FROM open_incident_points;
  INSERT INTO open_incident_points (id, number, type, category_id, sphere_id, channel, status, priority, district_id,
                                    service_id, created_at, due_at, geom, g, x, y)
  SELECT i.id, i.number, i.type, i.category_id, c.sphere_id, i.channel, i.status, i.priority, i.district_id, i.service_id,
         i.created_at, i.due_at, i.geom, i.g, ST_X(i.g), ST_Y(i.g)
    FROM (SELECT *, ST_Transform(geom, 3857) AS g FROM incidents WHERE is_open) i JOIN categories c ON c.id = i.category_id;
  SELECT open_incident_cells_rebuild();
$$;

SELECT open_incident_cells_rebuild();
ANALYZE open_incident_cells;

-- Intake (issue 23, part 3): the rollup pass of an insert planned its large statement afresh on
-- each of a connection's first five appeals (PostgreSQL's custom plans, ~4 ms each at 10
-- million appeals, 0.6 ms with the cached generic plan). The plan does not depend on the
-- values, so the insert trigger uses the generic plan from the first appeal on.
ALTER FUNCTION incident_rollup_after_insert() SET plan_cache_mode = force_generic_plan;

-- The routed service of a category in a district, as before (migration 001), in PL/pgSQL: a
-- SQL function that cannot be inlined is planned again on every call (0.5 ms per appeal at
-- intake); PL/pgSQL keeps the plan for the session.
CREATE OR REPLACE FUNCTION route_service(p_category integer, p_district integer) RETURNS integer LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (
    WITH RECURSIVE path(id, parent_id, default_service_id, depth) AS (
      SELECT id, parent_id, default_service_id, depth FROM categories WHERE id = p_category
      UNION ALL
      SELECT c.id, c.parent_id, c.default_service_id, c.depth FROM categories c JOIN path p ON c.id = p.parent_id
    )
    SELECT service_id FROM (
      SELECT r.service_id, p.depth, (r.district_id IS NOT NULL) AS specific, 1 AS source
        FROM path p JOIN routing_rules r ON r.category_id = p.id
       WHERE r.district_id IS NULL OR r.district_id = p_district
      UNION ALL
      SELECT p.default_service_id, p.depth, false, 2 FROM path p WHERE p.default_service_id IS NOT NULL
    ) candidates
    ORDER BY depth DESC, specific DESC, source
    LIMIT 1);
END $$;
