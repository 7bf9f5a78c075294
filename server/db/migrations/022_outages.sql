-- Outages and planned works (issue 18, item 3): areas where a service is off (an emergency) or
-- works are planned, with a notice for callers in kk/ru/en. A call from inside an active outage of
-- its service is answered with the notice and linked here instead of opening new work.
-- Geometry is EPSG:4326; times UTC.

CREATE TABLE outages (
  id              bigserial PRIMARY KEY,
  kind            text NOT NULL CHECK (kind IN ('emergency', 'planned')),
  -- The area: drawn on the map, or the union of buffers around picked streets or addresses.
  geom            geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
  -- How the area was made: {"kind":"drawn"} or {"kind":"places","places":[ids],"buffer_m":n}.
  area_source     jsonb NOT NULL DEFAULT '{"kind":"drawn"}'::jsonb,
  starts_at       timestamptz NOT NULL,
  expected_end_at timestamptz NOT NULL,
  -- Set when the service is back (closed); an outage past expected_end_at without it raises an alert.
  ended_at        timestamptz,
  notice_kk       text CHECK (length(notice_kk) <= 2000),
  notice_ru       text CHECK (length(notice_ru) <= 2000),
  notice_en       text CHECK (length(notice_en) <= 2000),
  -- Calls answered from this outage at intake (outage_calls), kept in the transaction that links them.
  call_count      integer NOT NULL DEFAULT 0 CHECK (call_count >= 0),
  -- Estimated at each change of the area: addresses inside (when the gazetteer has addresses),
  -- and people (district population × the share of the district covered).
  affected_addresses integer,
  affected_people    integer,
  created_by      integer REFERENCES users (id) ON DELETE SET NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  version         integer NOT NULL DEFAULT 1,
  CHECK (expected_end_at > starts_at),
  CHECK (ended_at IS NULL OR ended_at >= starts_at),
  CHECK (coalesce(notice_kk, notice_ru, notice_en) IS NOT NULL)
);
-- Point-in-outage at intake: the open outages' areas only.
CREATE INDEX outages_open_geom_gix ON outages USING gist (geom) WHERE ended_at IS NULL;
CREATE INDEX outages_geom_gix ON outages USING gist (geom);
CREATE INDEX outages_open_end_idx ON outages (expected_end_at) WHERE ended_at IS NULL;

-- The services an outage concerns (one or more).
CREATE TABLE outage_services (
  outage_id  bigint NOT NULL REFERENCES outages (id) ON DELETE CASCADE,
  service_id integer NOT NULL REFERENCES services (id),
  PRIMARY KEY (outage_id, service_id)
);
CREATE INDEX outage_services_service_idx ON outage_services (service_id, outage_id);

-- Appeals answered from an outage (closed at intake as consulted): one outage per appeal.
CREATE TABLE outage_calls (
  incident_id bigint PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
  outage_id   bigint NOT NULL REFERENCES outages (id) ON DELETE CASCADE,
  linked_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outage_calls_outage_idx ON outage_calls (outage_id);

-- Every change of an outage as a row: who, when, what (the register keeps its history).
CREATE TABLE outage_events (
  id        bigserial PRIMARY KEY,
  outage_id bigint NOT NULL REFERENCES outages (id) ON DELETE CASCADE,
  at        timestamptz NOT NULL DEFAULT now(),
  actor_id  integer REFERENCES users (id) ON DELETE SET NULL,
  action    text NOT NULL CHECK (action IN ('created', 'updated', 'closed')),
  -- The fields changed, with their new values (the area as "area": true, not its coordinates).
  data      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX outage_events_outage_idx ON outage_events (outage_id, at);
