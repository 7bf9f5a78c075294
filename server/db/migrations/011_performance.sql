-- Performance at Astana's scale (10 million appeals): indexes that answer the questions about
-- the backlog from the index alone (index-only scans, no visit to scattered heap pages), and
-- vacuum often enough on incidents that index-only scans stay index-only.
-- Everything here is partial on is_open: the backlog, not the history, sets its size.

-- Open and overdue per district (/api/districts, the control room's KPIs).
CREATE INDEX IF NOT EXISTS incidents_open_district_cover_idx
  ON incidents (district_id) INCLUDE (status, due_at) WHERE is_open;

-- The map's aggregates over every open appeal (clusters, low-zoom tiles): position, category,
-- and the properties they weigh and colour by.
CREATE INDEX IF NOT EXISTS incidents_open_map_cover_idx
  ON incidents (category_id) INCLUDE (geom, priority, created_at, status, due_at, id) WHERE is_open;

-- The visibility map must be current for index-only scans: vacuum incidents after about 1 %
-- of it changed or was added, not the default 20 % (2 million rows at 10 million).
ALTER TABLE incidents SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_insert_scale_factor = 0.01,
                           autovacuum_analyze_scale_factor = 0.02);
