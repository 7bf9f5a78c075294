-- Jardem schema, part 3: analytics. Rollups that answer statistics over long periods from a
-- few thousand rows instead of millions of appeals, kept exact by triggers in the same
-- transaction as every change, and the functions that define and rebuild them.
--
-- What an appeal contributes ("contributions", incident_rollup_contrib):
--   on the city day of created_at   created, its current status (st_*), information requests,
--                                   first-call resolutions (closed at intake, never assigned);
--   on the day of resolved_at       resolved (not rejected), resolved on time (resolved_at <= due_at),
--                                   the time it took (sum and a histogram bucket), its rating;
--   on the day of closed_at         closed, or rejected;
--   on the day of each reopening    reopened (from incident_events, to_status = 'reopened').
-- All of it is a function of the appeal's current row (and its reopen events), counted under
-- its current district, sphere, service and channel: a change moves the contribution, so the
-- rollups always equal what a query over the appeals themselves would count.
--
-- Two rollups, each a few hundred rows a day however many appeals there are:
--   incident_rollup          per district, sphere (the top of the category tree) and service,
--                            with the histogram of resolution times in columns h0 … h59;
--   incident_channel_rollup  per district and channel.
-- Finer filters (a category below its sphere, type, status, an area, text) are counted from
-- the appeals (server/stats/rollup.ts).
--
-- Days follow the city's calendar: the time zone of the city pack (city_settings 'city').
-- Two grains: 'd' rows per day and 'm' rows per calendar month (day = the 1st), so a year is
-- read from 12 monthly rows per combination plus the days at its edges.

-- The time zone of the city's calendar.
CREATE FUNCTION incident_rollup_tz() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce((SELECT value->>'timezone' FROM city_settings WHERE key = 'city'), 'UTC')
$$;

-- Durations in log-spaced buckets, three per doubling: bucket b >= 1 holds [2^(b/3), 2^((b+1)/3))
-- minutes, bucket 0 everything under 2^(1/3) minutes, bucket 59 everything from 2^(59/3)
-- minutes (about 580 days) on. A median read from them is off by at most one bucket's width,
-- 2^(1/3) - 1 = 26 %, and by a few per cent when interpolated (server/stats/histogram.ts).
CREATE FUNCTION incident_duration_bucket(seconds double precision) RETURNS smallint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN seconds < 60 THEN 0 ELSE least(59, floor(3 * ln(seconds / 60.0) / ln(2.0)))::smallint END
$$;

-- What one appeal contributes, as up to three rows at the instants they count on (see above).
-- `sgn` is +1 to add the appeal, -1 to take it away.
CREATE FUNCTION incident_rollup_contrib(
  sgn integer, p_created timestamptz, p_resolved timestamptz, p_closed timestamptz, p_due timestamptz,
  p_assigned timestamptz, p_status text, p_type text, p_rating smallint)
RETURNS TABLE (at timestamptz, created integer, st_new integer, st_assigned integer, st_in_progress integer,
               st_resolved integer, st_reopened integer, st_closed integer, st_rejected integer,
               info_requests integer, first_call integer, first_call_info integer,
               resolved integer, resolved_on_time integer, duration_s bigint, rating_sum integer, ratings integer,
               bucket smallint, closed integer, rejected integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT p_created, sgn,
         sgn * (p_status = 'new')::int, sgn * (p_status = 'assigned')::int, sgn * (p_status = 'in_progress')::int,
         sgn * (p_status = 'resolved')::int, sgn * (p_status = 'reopened')::int, sgn * (p_status = 'closed')::int,
         sgn * (p_status = 'rejected')::int,
         sgn * (p_type = 'information_request')::int,
         sgn * (p_status = 'closed' AND p_assigned IS NULL)::int,
         sgn * (p_status = 'closed' AND p_assigned IS NULL AND p_type = 'information_request')::int,
         0, 0, 0::bigint, 0, 0, NULL::smallint, 0, 0
  UNION ALL
  SELECT p_resolved, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
         sgn * (p_status <> 'rejected')::int,
         sgn * (p_status <> 'rejected' AND p_resolved <= p_due)::int,
         CASE WHEN p_status <> 'rejected' THEN sgn * round(extract(epoch FROM p_resolved - p_created))::bigint ELSE 0 END,
         sgn * coalesce(p_rating, 0), sgn * (p_rating IS NOT NULL)::int,
         CASE WHEN p_status <> 'rejected' THEN incident_duration_bucket(extract(epoch FROM p_resolved - p_created)::float8) END,
         0, 0
   WHERE p_resolved IS NOT NULL
  UNION ALL
  SELECT p_closed, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0::bigint, 0, 0, NULL::smallint,
         sgn * (p_status = 'closed')::int, sgn * (p_status = 'rejected')::int
   WHERE p_closed IS NOT NULL AND p_status IN ('closed', 'rejected')
$$;

-- Counters per (grain, day, district, sphere, service). district_id 0: outside every district;
-- service_id 0: no service. No foreign keys: a rollup never blocks a reference change. A sphere
-- is read from categories.sphere_id when the appeal is counted: after a city pack moves a
-- category to another sphere, run incident_rollup_rebuild().
CREATE TABLE incident_rollup (
  grain            char(1) NOT NULL CHECK (grain IN ('d', 'm')),
  day              date NOT NULL,
  district_id      integer NOT NULL,
  sphere_id        integer NOT NULL,
  service_id       integer NOT NULL,
  created          integer NOT NULL DEFAULT 0,
  st_new           integer NOT NULL DEFAULT 0,
  st_assigned      integer NOT NULL DEFAULT 0,
  st_in_progress   integer NOT NULL DEFAULT 0,
  st_resolved      integer NOT NULL DEFAULT 0,
  st_reopened      integer NOT NULL DEFAULT 0,
  st_closed        integer NOT NULL DEFAULT 0,
  st_rejected      integer NOT NULL DEFAULT 0,
  info_requests    integer NOT NULL DEFAULT 0,
  first_call       integer NOT NULL DEFAULT 0,
  first_call_info  integer NOT NULL DEFAULT 0,
  resolved         integer NOT NULL DEFAULT 0,
  resolved_on_time integer NOT NULL DEFAULT 0,
  duration_s       bigint NOT NULL DEFAULT 0,
  rating_sum       integer NOT NULL DEFAULT 0,
  ratings          integer NOT NULL DEFAULT 0,
  closed           integer NOT NULL DEFAULT 0,
  rejected         integer NOT NULL DEFAULT 0,
  reopened         integer NOT NULL DEFAULT 0,
  -- resolutions of the day (month) by duration bucket: h<b> counts bucket b (incident_duration_bucket)
  h0               integer NOT NULL DEFAULT 0,
  h1               integer NOT NULL DEFAULT 0,
  h2               integer NOT NULL DEFAULT 0,
  h3               integer NOT NULL DEFAULT 0,
  h4               integer NOT NULL DEFAULT 0,
  h5               integer NOT NULL DEFAULT 0,
  h6               integer NOT NULL DEFAULT 0,
  h7               integer NOT NULL DEFAULT 0,
  h8               integer NOT NULL DEFAULT 0,
  h9               integer NOT NULL DEFAULT 0,
  h10              integer NOT NULL DEFAULT 0,
  h11              integer NOT NULL DEFAULT 0,
  h12              integer NOT NULL DEFAULT 0,
  h13              integer NOT NULL DEFAULT 0,
  h14              integer NOT NULL DEFAULT 0,
  h15              integer NOT NULL DEFAULT 0,
  h16              integer NOT NULL DEFAULT 0,
  h17              integer NOT NULL DEFAULT 0,
  h18              integer NOT NULL DEFAULT 0,
  h19              integer NOT NULL DEFAULT 0,
  h20              integer NOT NULL DEFAULT 0,
  h21              integer NOT NULL DEFAULT 0,
  h22              integer NOT NULL DEFAULT 0,
  h23              integer NOT NULL DEFAULT 0,
  h24              integer NOT NULL DEFAULT 0,
  h25              integer NOT NULL DEFAULT 0,
  h26              integer NOT NULL DEFAULT 0,
  h27              integer NOT NULL DEFAULT 0,
  h28              integer NOT NULL DEFAULT 0,
  h29              integer NOT NULL DEFAULT 0,
  h30              integer NOT NULL DEFAULT 0,
  h31              integer NOT NULL DEFAULT 0,
  h32              integer NOT NULL DEFAULT 0,
  h33              integer NOT NULL DEFAULT 0,
  h34              integer NOT NULL DEFAULT 0,
  h35              integer NOT NULL DEFAULT 0,
  h36              integer NOT NULL DEFAULT 0,
  h37              integer NOT NULL DEFAULT 0,
  h38              integer NOT NULL DEFAULT 0,
  h39              integer NOT NULL DEFAULT 0,
  h40              integer NOT NULL DEFAULT 0,
  h41              integer NOT NULL DEFAULT 0,
  h42              integer NOT NULL DEFAULT 0,
  h43              integer NOT NULL DEFAULT 0,
  h44              integer NOT NULL DEFAULT 0,
  h45              integer NOT NULL DEFAULT 0,
  h46              integer NOT NULL DEFAULT 0,
  h47              integer NOT NULL DEFAULT 0,
  h48              integer NOT NULL DEFAULT 0,
  h49              integer NOT NULL DEFAULT 0,
  h50              integer NOT NULL DEFAULT 0,
  h51              integer NOT NULL DEFAULT 0,
  h52              integer NOT NULL DEFAULT 0,
  h53              integer NOT NULL DEFAULT 0,
  h54              integer NOT NULL DEFAULT 0,
  h55              integer NOT NULL DEFAULT 0,
  h56              integer NOT NULL DEFAULT 0,
  h57              integer NOT NULL DEFAULT 0,
  h58              integer NOT NULL DEFAULT 0,
  h59              integer NOT NULL DEFAULT 0,
  PRIMARY KEY (grain, day, district_id, sphere_id, service_id)
);

-- The same counters per (grain, day, district, channel).
CREATE TABLE incident_channel_rollup (
  grain            char(1) NOT NULL CHECK (grain IN ('d', 'm')),
  day              date NOT NULL,
  district_id      integer NOT NULL,
  channel          text NOT NULL,
  created          integer NOT NULL DEFAULT 0,
  st_new           integer NOT NULL DEFAULT 0,
  st_assigned      integer NOT NULL DEFAULT 0,
  st_in_progress   integer NOT NULL DEFAULT 0,
  st_resolved      integer NOT NULL DEFAULT 0,
  st_reopened      integer NOT NULL DEFAULT 0,
  st_closed        integer NOT NULL DEFAULT 0,
  st_rejected      integer NOT NULL DEFAULT 0,
  info_requests    integer NOT NULL DEFAULT 0,
  first_call       integer NOT NULL DEFAULT 0,
  first_call_info  integer NOT NULL DEFAULT 0,
  resolved         integer NOT NULL DEFAULT 0,
  resolved_on_time integer NOT NULL DEFAULT 0,
  duration_s       bigint NOT NULL DEFAULT 0,
  rating_sum       integer NOT NULL DEFAULT 0,
  ratings          integer NOT NULL DEFAULT 0,
  closed           integer NOT NULL DEFAULT 0,
  rejected         integer NOT NULL DEFAULT 0,
  reopened         integer NOT NULL DEFAULT 0,
  PRIMARY KEY (grain, day, district_id, channel)
);

-- The edges of a period are counted from the appeals themselves: these find them fast.
CREATE INDEX incidents_closed_idx ON incidents (closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX incident_events_reopened_idx ON incident_events (at) WHERE to_status = 'reopened';

-- One appeal as the rollup sees it. with_state: add its contributions; with_reopens: add its
-- reopen events (read from incident_events). sgn +1 adds, -1 takes away.
CREATE TYPE incident_rollup_item AS (
  sgn integer, id bigint, with_state boolean, with_reopens boolean,
  district_id integer, category_id integer, service_id integer, channel text,
  created_at timestamptz, resolved_at timestamptz, closed_at timestamptz, due_at timestamptz, assigned_at timestamptz,
  status text, type text, rating smallint);

-- Adds the items' contributions to both grains of both rollups. Keys are summed first, so an
-- update that changes nothing counted writes nothing, and are written in key order, so that
-- concurrent writers lock rollup rows in the same order. Increments under INSERT ... ON CONFLICT
-- DO UPDATE are exact under concurrency: a second writer of the same row waits for the first
-- to commit or roll back, then adds to the row as it then is.
CREATE FUNCTION incident_rollup_apply(items incident_rollup_item[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  tz text := incident_rollup_tz();
BEGIN
  WITH c AS (
    SELECT coalesce(it.district_id, 0) AS district_id, coalesce(cat.sphere_id, cat.id) AS sphere_id,
           coalesce(it.service_id, 0) AS service_id, it.channel, (k.at AT TIME ZONE tz)::date AS day, k.bucket,
           k.created, k.st_new, k.st_assigned, k.st_in_progress, k.st_resolved, k.st_reopened, k.st_closed, k.st_rejected,
           k.info_requests, k.first_call, k.first_call_info, k.resolved, k.resolved_on_time, k.duration_s, k.rating_sum,
           k.ratings, k.closed, k.rejected, 0 AS reopened
      FROM unnest(items) it
      JOIN categories cat ON cat.id = it.category_id
     CROSS JOIN LATERAL incident_rollup_contrib(it.sgn, it.created_at, it.resolved_at, it.closed_at, it.due_at,
                                                it.assigned_at, it.status, it.type, it.rating) k
     WHERE it.with_state
    UNION ALL
    SELECT coalesce(it.district_id, 0), coalesce(cat.sphere_id, cat.id), coalesce(it.service_id, 0), it.channel,
           (e.at AT TIME ZONE tz)::date, NULL::smallint, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0::bigint, 0, 0, 0, 0, it.sgn
      FROM unnest(items) it
      JOIN categories cat ON cat.id = it.category_id
      JOIN incident_events e ON e.incident_id = it.id AND e.to_status = 'reopened'
     WHERE it.with_reopens
  ), g AS MATERIALIZED (
    -- per key of both rollups, both grains and duration bucket: the counters
    SELECT v.grain, v.day, c.district_id, c.sphere_id, c.service_id, c.channel, c.bucket,
           sum(c.created)::int AS created, sum(c.st_new)::int AS st_new, sum(c.st_assigned)::int AS st_assigned,
           sum(c.st_in_progress)::int AS st_in_progress, sum(c.st_resolved)::int AS st_resolved,
           sum(c.st_reopened)::int AS st_reopened, sum(c.st_closed)::int AS st_closed,
           sum(c.st_rejected)::int AS st_rejected, sum(c.info_requests)::int AS info_requests,
           sum(c.first_call)::int AS first_call, sum(c.first_call_info)::int AS first_call_info,
           sum(c.resolved)::int AS resolved, sum(c.resolved_on_time)::int AS resolved_on_time,
           sum(c.duration_s)::bigint AS duration_s, sum(c.rating_sum)::int AS rating_sum,
           sum(c.ratings)::int AS ratings, sum(c.closed)::int AS closed, sum(c.rejected)::int AS rejected,
           sum(c.reopened)::int AS reopened
      FROM c CROSS JOIN LATERAL (VALUES ('d', c.day), ('m', c.day - (extract(day FROM c.day)::int - 1))) v(grain, day)
     GROUP BY 1, 2, 3, 4, 5, 6, 7
  ), by_channel AS (
    INSERT INTO incident_channel_rollup AS r (grain, day, district_id, channel,
        created, st_new, st_assigned, st_in_progress, st_resolved, st_reopened, st_closed, st_rejected,
        info_requests, first_call, first_call_info, resolved, resolved_on_time, duration_s, rating_sum, ratings,
        closed, rejected, reopened)
    SELECT grain, day, district_id, channel,
           sum(created), sum(st_new), sum(st_assigned), sum(st_in_progress), sum(st_resolved), sum(st_reopened),
           sum(st_closed), sum(st_rejected), sum(info_requests), sum(first_call), sum(first_call_info),
           sum(resolved), sum(resolved_on_time), sum(duration_s), sum(rating_sum), sum(ratings), sum(closed),
           sum(rejected), sum(reopened)
      FROM g GROUP BY 1, 2, 3, 4
    HAVING (sum(created), sum(st_new), sum(st_assigned), sum(st_in_progress), sum(st_resolved), sum(st_reopened),
            sum(st_closed), sum(st_rejected), sum(info_requests), sum(first_call), sum(first_call_info),
            sum(resolved), sum(resolved_on_time), sum(duration_s), sum(rating_sum), sum(ratings), sum(closed),
            sum(rejected), sum(reopened))
           IS DISTINCT FROM (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0::bigint, 0, 0, 0, 0, 0)
     ORDER BY 1, 2, 3, 4
    ON CONFLICT (grain, day, district_id, channel) DO UPDATE SET
      created = r.created + EXCLUDED.created, st_new = r.st_new + EXCLUDED.st_new,
      st_assigned = r.st_assigned + EXCLUDED.st_assigned,
      st_in_progress = r.st_in_progress + EXCLUDED.st_in_progress,
      st_resolved = r.st_resolved + EXCLUDED.st_resolved, st_reopened = r.st_reopened + EXCLUDED.st_reopened,
      st_closed = r.st_closed + EXCLUDED.st_closed, st_rejected = r.st_rejected + EXCLUDED.st_rejected,
      info_requests = r.info_requests + EXCLUDED.info_requests, first_call = r.first_call + EXCLUDED.first_call,
      first_call_info = r.first_call_info + EXCLUDED.first_call_info, resolved = r.resolved + EXCLUDED.resolved,
      resolved_on_time = r.resolved_on_time + EXCLUDED.resolved_on_time,
      duration_s = r.duration_s + EXCLUDED.duration_s, rating_sum = r.rating_sum + EXCLUDED.rating_sum,
      ratings = r.ratings + EXCLUDED.ratings, closed = r.closed + EXCLUDED.closed,
      rejected = r.rejected + EXCLUDED.rejected, reopened = r.reopened + EXCLUDED.reopened
  ), by_service AS (
    -- the resolutions per bucket become the columns h0 … h59
    SELECT grain, day, district_id, sphere_id, service_id,
           sum(created)::int AS created, sum(st_new)::int AS st_new, sum(st_assigned)::int AS st_assigned,
           sum(st_in_progress)::int AS st_in_progress, sum(st_resolved)::int AS st_resolved,
           sum(st_reopened)::int AS st_reopened, sum(st_closed)::int AS st_closed,
           sum(st_rejected)::int AS st_rejected, sum(info_requests)::int AS info_requests,
           sum(first_call)::int AS first_call, sum(first_call_info)::int AS first_call_info,
           sum(resolved)::int AS resolved, sum(resolved_on_time)::int AS resolved_on_time,
           sum(duration_s)::bigint AS duration_s, sum(rating_sum)::int AS rating_sum,
           sum(ratings)::int AS ratings, sum(closed)::int AS closed, sum(rejected)::int AS rejected,
           sum(reopened)::int AS reopened,
           coalesce(sum(resolved) FILTER (WHERE bucket = 0), 0)::int AS h0,
           coalesce(sum(resolved) FILTER (WHERE bucket = 1), 0)::int AS h1,
           coalesce(sum(resolved) FILTER (WHERE bucket = 2), 0)::int AS h2,
           coalesce(sum(resolved) FILTER (WHERE bucket = 3), 0)::int AS h3,
           coalesce(sum(resolved) FILTER (WHERE bucket = 4), 0)::int AS h4,
           coalesce(sum(resolved) FILTER (WHERE bucket = 5), 0)::int AS h5,
           coalesce(sum(resolved) FILTER (WHERE bucket = 6), 0)::int AS h6,
           coalesce(sum(resolved) FILTER (WHERE bucket = 7), 0)::int AS h7,
           coalesce(sum(resolved) FILTER (WHERE bucket = 8), 0)::int AS h8,
           coalesce(sum(resolved) FILTER (WHERE bucket = 9), 0)::int AS h9,
           coalesce(sum(resolved) FILTER (WHERE bucket = 10), 0)::int AS h10,
           coalesce(sum(resolved) FILTER (WHERE bucket = 11), 0)::int AS h11,
           coalesce(sum(resolved) FILTER (WHERE bucket = 12), 0)::int AS h12,
           coalesce(sum(resolved) FILTER (WHERE bucket = 13), 0)::int AS h13,
           coalesce(sum(resolved) FILTER (WHERE bucket = 14), 0)::int AS h14,
           coalesce(sum(resolved) FILTER (WHERE bucket = 15), 0)::int AS h15,
           coalesce(sum(resolved) FILTER (WHERE bucket = 16), 0)::int AS h16,
           coalesce(sum(resolved) FILTER (WHERE bucket = 17), 0)::int AS h17,
           coalesce(sum(resolved) FILTER (WHERE bucket = 18), 0)::int AS h18,
           coalesce(sum(resolved) FILTER (WHERE bucket = 19), 0)::int AS h19,
           coalesce(sum(resolved) FILTER (WHERE bucket = 20), 0)::int AS h20,
           coalesce(sum(resolved) FILTER (WHERE bucket = 21), 0)::int AS h21,
           coalesce(sum(resolved) FILTER (WHERE bucket = 22), 0)::int AS h22,
           coalesce(sum(resolved) FILTER (WHERE bucket = 23), 0)::int AS h23,
           coalesce(sum(resolved) FILTER (WHERE bucket = 24), 0)::int AS h24,
           coalesce(sum(resolved) FILTER (WHERE bucket = 25), 0)::int AS h25,
           coalesce(sum(resolved) FILTER (WHERE bucket = 26), 0)::int AS h26,
           coalesce(sum(resolved) FILTER (WHERE bucket = 27), 0)::int AS h27,
           coalesce(sum(resolved) FILTER (WHERE bucket = 28), 0)::int AS h28,
           coalesce(sum(resolved) FILTER (WHERE bucket = 29), 0)::int AS h29,
           coalesce(sum(resolved) FILTER (WHERE bucket = 30), 0)::int AS h30,
           coalesce(sum(resolved) FILTER (WHERE bucket = 31), 0)::int AS h31,
           coalesce(sum(resolved) FILTER (WHERE bucket = 32), 0)::int AS h32,
           coalesce(sum(resolved) FILTER (WHERE bucket = 33), 0)::int AS h33,
           coalesce(sum(resolved) FILTER (WHERE bucket = 34), 0)::int AS h34,
           coalesce(sum(resolved) FILTER (WHERE bucket = 35), 0)::int AS h35,
           coalesce(sum(resolved) FILTER (WHERE bucket = 36), 0)::int AS h36,
           coalesce(sum(resolved) FILTER (WHERE bucket = 37), 0)::int AS h37,
           coalesce(sum(resolved) FILTER (WHERE bucket = 38), 0)::int AS h38,
           coalesce(sum(resolved) FILTER (WHERE bucket = 39), 0)::int AS h39,
           coalesce(sum(resolved) FILTER (WHERE bucket = 40), 0)::int AS h40,
           coalesce(sum(resolved) FILTER (WHERE bucket = 41), 0)::int AS h41,
           coalesce(sum(resolved) FILTER (WHERE bucket = 42), 0)::int AS h42,
           coalesce(sum(resolved) FILTER (WHERE bucket = 43), 0)::int AS h43,
           coalesce(sum(resolved) FILTER (WHERE bucket = 44), 0)::int AS h44,
           coalesce(sum(resolved) FILTER (WHERE bucket = 45), 0)::int AS h45,
           coalesce(sum(resolved) FILTER (WHERE bucket = 46), 0)::int AS h46,
           coalesce(sum(resolved) FILTER (WHERE bucket = 47), 0)::int AS h47,
           coalesce(sum(resolved) FILTER (WHERE bucket = 48), 0)::int AS h48,
           coalesce(sum(resolved) FILTER (WHERE bucket = 49), 0)::int AS h49,
           coalesce(sum(resolved) FILTER (WHERE bucket = 50), 0)::int AS h50,
           coalesce(sum(resolved) FILTER (WHERE bucket = 51), 0)::int AS h51,
           coalesce(sum(resolved) FILTER (WHERE bucket = 52), 0)::int AS h52,
           coalesce(sum(resolved) FILTER (WHERE bucket = 53), 0)::int AS h53,
           coalesce(sum(resolved) FILTER (WHERE bucket = 54), 0)::int AS h54,
           coalesce(sum(resolved) FILTER (WHERE bucket = 55), 0)::int AS h55,
           coalesce(sum(resolved) FILTER (WHERE bucket = 56), 0)::int AS h56,
           coalesce(sum(resolved) FILTER (WHERE bucket = 57), 0)::int AS h57,
           coalesce(sum(resolved) FILTER (WHERE bucket = 58), 0)::int AS h58,
           coalesce(sum(resolved) FILTER (WHERE bucket = 59), 0)::int AS h59
      FROM g GROUP BY 1, 2, 3, 4, 5
  )
  INSERT INTO incident_rollup AS r SELECT * FROM by_service
   WHERE (created, st_new, st_assigned, st_in_progress, st_resolved, st_reopened, st_closed, st_rejected,
          info_requests, first_call, first_call_info, resolved, resolved_on_time, duration_s, rating_sum,
          ratings, closed, rejected, reopened)
         IS DISTINCT FROM (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0::bigint, 0, 0, 0, 0, 0)
      OR (h0, h1, h2, h3, h4, h5, h6, h7, h8, h9, h10, h11, h12, h13, h14, h15, h16, h17, h18, h19, h20, h21,
          h22, h23, h24, h25, h26, h27, h28, h29, h30, h31, h32, h33, h34, h35, h36, h37, h38, h39, h40, h41,
          h42, h43, h44, h45, h46, h47, h48, h49, h50, h51, h52, h53, h54, h55, h56, h57, h58, h59)
         IS DISTINCT FROM (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                           0, 0)
   ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (grain, day, district_id, sphere_id, service_id) DO UPDATE SET
    created = r.created + EXCLUDED.created, st_new = r.st_new + EXCLUDED.st_new,
    st_assigned = r.st_assigned + EXCLUDED.st_assigned,
    st_in_progress = r.st_in_progress + EXCLUDED.st_in_progress,
    st_resolved = r.st_resolved + EXCLUDED.st_resolved, st_reopened = r.st_reopened + EXCLUDED.st_reopened,
    st_closed = r.st_closed + EXCLUDED.st_closed, st_rejected = r.st_rejected + EXCLUDED.st_rejected,
    info_requests = r.info_requests + EXCLUDED.info_requests, first_call = r.first_call + EXCLUDED.first_call,
    first_call_info = r.first_call_info + EXCLUDED.first_call_info, resolved = r.resolved + EXCLUDED.resolved,
    resolved_on_time = r.resolved_on_time + EXCLUDED.resolved_on_time,
    duration_s = r.duration_s + EXCLUDED.duration_s, rating_sum = r.rating_sum + EXCLUDED.rating_sum,
    ratings = r.ratings + EXCLUDED.ratings, closed = r.closed + EXCLUDED.closed,
    rejected = r.rejected + EXCLUDED.rejected, reopened = r.reopened + EXCLUDED.reopened,
    h0 = r.h0 + EXCLUDED.h0, h1 = r.h1 + EXCLUDED.h1, h2 = r.h2 + EXCLUDED.h2, h3 = r.h3 + EXCLUDED.h3,
    h4 = r.h4 + EXCLUDED.h4, h5 = r.h5 + EXCLUDED.h5, h6 = r.h6 + EXCLUDED.h6, h7 = r.h7 + EXCLUDED.h7,
    h8 = r.h8 + EXCLUDED.h8, h9 = r.h9 + EXCLUDED.h9, h10 = r.h10 + EXCLUDED.h10, h11 = r.h11 + EXCLUDED.h11,
    h12 = r.h12 + EXCLUDED.h12, h13 = r.h13 + EXCLUDED.h13, h14 = r.h14 + EXCLUDED.h14,
    h15 = r.h15 + EXCLUDED.h15, h16 = r.h16 + EXCLUDED.h16, h17 = r.h17 + EXCLUDED.h17,
    h18 = r.h18 + EXCLUDED.h18, h19 = r.h19 + EXCLUDED.h19, h20 = r.h20 + EXCLUDED.h20,
    h21 = r.h21 + EXCLUDED.h21, h22 = r.h22 + EXCLUDED.h22, h23 = r.h23 + EXCLUDED.h23,
    h24 = r.h24 + EXCLUDED.h24, h25 = r.h25 + EXCLUDED.h25, h26 = r.h26 + EXCLUDED.h26,
    h27 = r.h27 + EXCLUDED.h27, h28 = r.h28 + EXCLUDED.h28, h29 = r.h29 + EXCLUDED.h29,
    h30 = r.h30 + EXCLUDED.h30, h31 = r.h31 + EXCLUDED.h31, h32 = r.h32 + EXCLUDED.h32,
    h33 = r.h33 + EXCLUDED.h33, h34 = r.h34 + EXCLUDED.h34, h35 = r.h35 + EXCLUDED.h35,
    h36 = r.h36 + EXCLUDED.h36, h37 = r.h37 + EXCLUDED.h37, h38 = r.h38 + EXCLUDED.h38,
    h39 = r.h39 + EXCLUDED.h39, h40 = r.h40 + EXCLUDED.h40, h41 = r.h41 + EXCLUDED.h41,
    h42 = r.h42 + EXCLUDED.h42, h43 = r.h43 + EXCLUDED.h43, h44 = r.h44 + EXCLUDED.h44,
    h45 = r.h45 + EXCLUDED.h45, h46 = r.h46 + EXCLUDED.h46, h47 = r.h47 + EXCLUDED.h47,
    h48 = r.h48 + EXCLUDED.h48, h49 = r.h49 + EXCLUDED.h49, h50 = r.h50 + EXCLUDED.h50,
    h51 = r.h51 + EXCLUDED.h51, h52 = r.h52 + EXCLUDED.h52, h53 = r.h53 + EXCLUDED.h53,
    h54 = r.h54 + EXCLUDED.h54, h55 = r.h55 + EXCLUDED.h55, h56 = r.h56 + EXCLUDED.h56,
    h57 = r.h57 + EXCLUDED.h57, h58 = r.h58 + EXCLUDED.h58, h59 = r.h59 + EXCLUDED.h59;
END $$;

-- Recomputes the rollups from the appeals and their events, in chunks of 50,000 appeals.
-- Writers wait meanwhile (SHARE locks); readers do not. For repairs, a change of the city's
-- time zone, or after deleting appeals (see incidents_rollup_delete).
CREATE FUNCTION incident_rollup_rebuild() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  lo bigint;
  hi bigint;
  step constant integer := 50000;
BEGIN
  LOCK TABLE incidents, incident_events IN SHARE MODE;
  DELETE FROM incident_rollup;
  DELETE FROM incident_channel_rollup;
  SELECT min(id), max(id) INTO lo, hi FROM incidents;
  IF lo IS NULL THEN
    RETURN;
  END IF;
  FOR s IN 0 .. (hi - lo) / step LOOP
    PERFORM incident_rollup_apply(ARRAY(
      SELECT ROW(1, i.id, true, true, i.district_id, i.category_id, i.service_id, i.channel, i.created_at, i.resolved_at,
                 i.closed_at, i.due_at, i.assigned_at, i.status, i.type, i.rating)::incident_rollup_item
        FROM incidents i WHERE i.id >= lo + s * step AND i.id < lo + (s + 1) * step));
  END LOOP;
END $$;

-- New appeals: one pass per statement (the demo loader inserts 2,000 at a time), in chunks of
-- 50,000 for very large statements.
CREATE FUNCTION incident_rollup_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  lo bigint;
  hi bigint;
  step constant integer := 50000;
BEGIN
  SELECT min(id), max(id) INTO lo, hi FROM new_rows;
  IF lo IS NULL THEN
    RETURN NULL;
  END IF;
  FOR s IN 0 .. (hi - lo) / step LOOP
    PERFORM incident_rollup_apply(ARRAY(
      SELECT ROW(1, n.id, true, false, n.district_id, n.category_id, n.service_id, n.channel, n.created_at, n.resolved_at,
                 n.closed_at, n.due_at, n.assigned_at, n.status, n.type, n.rating)::incident_rollup_item
        FROM new_rows n WHERE n.id >= lo + s * step AND n.id < lo + (s + 1) * step));
  END LOOP;
  RETURN NULL;
END $$;

-- Changed appeals: the old row taken away, the new one added, for rows where anything counted
-- changed; their reopen events move too when a dimension changed. A statement changing more
-- than 50,000 counted rows (a boundary import re-deriving every district) rebuilds instead.
CREATE FUNCTION incident_rollup_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  items incident_rollup_item[];
BEGIN
  items := ARRAY(
    SELECT v.item
      FROM old_rows o JOIN new_rows n ON n.id = o.id
     CROSS JOIN LATERAL (SELECT (o.district_id, o.category_id, o.service_id, o.channel)
                                IS DISTINCT FROM (n.district_id, n.category_id, n.service_id, n.channel) AS moved) m
     CROSS JOIN LATERAL (VALUES
       (ROW(-1, o.id, true, m.moved, o.district_id, o.category_id, o.service_id, o.channel, o.created_at, o.resolved_at,
            o.closed_at, o.due_at, o.assigned_at, o.status, o.type, o.rating)::incident_rollup_item),
       (ROW(1, n.id, true, m.moved, n.district_id, n.category_id, n.service_id, n.channel, n.created_at, n.resolved_at,
            n.closed_at, n.due_at, n.assigned_at, n.status, n.type, n.rating)::incident_rollup_item)) v(item)
     WHERE (o.district_id, o.category_id, o.service_id, o.channel, o.created_at, o.resolved_at, o.closed_at, o.due_at,
            o.assigned_at, o.status, o.type, o.rating)
           IS DISTINCT FROM (n.district_id, n.category_id, n.service_id, n.channel, n.created_at, n.resolved_at, n.closed_at,
                             n.due_at, n.assigned_at, n.status, n.type, n.rating));
  IF cardinality(items) > 100000 THEN
    PERFORM incident_rollup_rebuild();
  ELSIF cardinality(items) > 0 THEN
    PERFORM incident_rollup_apply(items);
  END IF;
  RETURN NULL;
END $$;

-- Deleted appeals (not part of the product, which keeps history; tests and repairs): their
-- state is taken away per statement, their reopen events per row before the cascade deletes them.
CREATE FUNCTION incident_rollup_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM incident_rollup_apply(ARRAY(
    SELECT ROW(-1, o.id, true, false, o.district_id, o.category_id, o.service_id, o.channel, o.created_at, o.resolved_at,
               o.closed_at, o.due_at, o.assigned_at, o.status, o.type, o.rating)::incident_rollup_item
      FROM old_rows o));
  RETURN NULL;
END $$;

CREATE FUNCTION incident_rollup_before_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM incident_events e WHERE e.incident_id = OLD.id AND e.to_status = 'reopened') THEN
    PERFORM incident_rollup_apply(ARRAY[ROW(-1, OLD.id, false, true, OLD.district_id, OLD.category_id, OLD.service_id,
      OLD.channel, OLD.created_at, OLD.resolved_at, OLD.closed_at, OLD.due_at, OLD.assigned_at, OLD.status, OLD.type,
      OLD.rating)::incident_rollup_item]);
  END IF;
  RETURN OLD;
END $$;

-- Reopen events as they are written (in the transaction of the transition they record),
-- counted under the appeal's dimensions of that moment.
CREATE FUNCTION incident_rollup_after_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  tz text;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM new_events WHERE to_status = 'reopened') THEN
    RETURN NULL;
  END IF;
  tz := incident_rollup_tz();
  WITH e AS MATERIALIZED (
    SELECT v.grain, v.day, coalesce(i.district_id, 0) AS district_id, coalesce(cat.sphere_id, cat.id) AS sphere_id,
           coalesce(i.service_id, 0) AS service_id, i.channel
      FROM new_events ev
      JOIN incidents i ON i.id = ev.incident_id
      JOIN categories cat ON cat.id = i.category_id
     CROSS JOIN LATERAL (SELECT (ev.at AT TIME ZONE tz)::date AS d) d
     CROSS JOIN LATERAL (VALUES ('d', d.d), ('m', d.d - (extract(day FROM d.d)::int - 1))) v(grain, day)
     WHERE ev.to_status = 'reopened'
  ), by_service AS (
    INSERT INTO incident_rollup AS r (grain, day, district_id, sphere_id, service_id, reopened)
    SELECT grain, day, district_id, sphere_id, service_id, count(*) FROM e GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (grain, day, district_id, sphere_id, service_id) DO UPDATE SET reopened = r.reopened + EXCLUDED.reopened
  )
  INSERT INTO incident_channel_rollup AS r (grain, day, district_id, channel, reopened)
  SELECT grain, day, district_id, channel, count(*) FROM e GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
  ON CONFLICT (grain, day, district_id, channel) DO UPDATE SET reopened = r.reopened + EXCLUDED.reopened;
  RETURN NULL;
END $$;

-- TRUNCATE fires no row triggers: empty the rollups with the appeals (or their reopen counts
-- with the events).
CREATE FUNCTION incident_rollup_after_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'incidents' THEN
    DELETE FROM incident_rollup;
    DELETE FROM incident_channel_rollup;
    ELSE
    UPDATE incident_rollup SET reopened = 0 WHERE reopened <> 0;
    UPDATE incident_channel_rollup SET reopened = 0 WHERE reopened <> 0;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER incidents_rollup_truncate AFTER TRUNCATE ON incidents
  FOR EACH STATEMENT EXECUTE FUNCTION incident_rollup_after_truncate();
CREATE TRIGGER incident_events_rollup_truncate AFTER TRUNCATE ON incident_events
  FOR EACH STATEMENT EXECUTE FUNCTION incident_rollup_after_truncate();
CREATE TRIGGER incidents_rollup_insert AFTER INSERT ON incidents
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION incident_rollup_after_insert();
CREATE TRIGGER incidents_rollup_update AFTER UPDATE ON incidents
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION incident_rollup_after_update();
CREATE TRIGGER incidents_rollup_delete AFTER DELETE ON incidents
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION incident_rollup_after_delete();
CREATE TRIGGER incidents_rollup_delete_reopens BEFORE DELETE ON incidents
  FOR EACH ROW EXECUTE FUNCTION incident_rollup_before_delete();
CREATE TRIGGER incident_events_rollup AFTER INSERT ON incident_events
  REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION incident_rollup_after_event();

-- Existing appeals (a database migrated with history in it).
SELECT incident_rollup_rebuild();
