-- Jardem schema, part 1: the city (districts, categories, services, routing, calendar),
-- appeals with their reporters and audit trail, users and sessions.
-- Geometry is EPSG:4326, coordinates [lng, lat]; distances in metres via geography; times UTC.

CREATE TABLE city_settings (
  key   text PRIMARY KEY,
  value jsonb NOT NULL
);

CREATE TABLE districts (
  id          serial PRIMARY KEY,
  code        text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9_-]{1,64}$'),
  name_kk     text NOT NULL,
  name_ru     text NOT NULL,
  name_en     text NOT NULL,
  population  integer CHECK (population IS NULL OR population >= 0),
  approximate boolean NOT NULL DEFAULT false,
  source      text,
  geom        geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom))
);
CREATE INDEX districts_geom_gix ON districts USING gist (geom);

CREATE TABLE services (
  id       serial PRIMARY KEY,
  code     text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9_.-]{1,64}$'),
  name_kk  text NOT NULL,
  name_ru  text NOT NULL,
  name_en  text NOT NULL,
  kind     text,
  phone    text,
  email    text,
  active   boolean NOT NULL DEFAULT true
);

-- A tree: sphere (depth 0) -> category (1) -> kind (2). Deadline norm is either hours on the
-- clock or working days (skipping weekends and the holidays in calendar_days).
CREATE TABLE categories (
  id                 serial PRIMARY KEY,
  code               text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9_.]{1,128}$'),
  parent_id          integer REFERENCES categories (id),
  sphere_id          integer REFERENCES categories (id),
  depth              smallint NOT NULL CHECK (depth BETWEEN 0 AND 4),
  sort               integer NOT NULL DEFAULT 0,
  name_kk            text NOT NULL,
  name_ru            text NOT NULL,
  name_en            text NOT NULL,
  icon               text,
  color              text CHECK (color IS NULL OR color ~ '^#[0-9a-fA-F]{6}$'),
  norm_hours         integer CHECK (norm_hours > 0),
  norm_working_days  integer CHECK (norm_working_days > 0),
  priority           smallint NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 4),
  default_service_id integer REFERENCES services (id),
  duplicate_radius_m integer NOT NULL DEFAULT 100 CHECK (duplicate_radius_m BETWEEN 1 AND 5000),
  duplicate_window_h integer NOT NULL DEFAULT 72 CHECK (duplicate_window_h BETWEEN 1 AND 8760),
  emergency          boolean NOT NULL DEFAULT false,
  active             boolean NOT NULL DEFAULT true,
  CHECK (norm_hours IS NULL OR norm_working_days IS NULL)
);
CREATE INDEX categories_parent_idx ON categories (parent_id);

-- Routing: (category, district) -> service. A NULL district applies city-wide.
CREATE TABLE routing_rules (
  id          serial PRIMARY KEY,
  category_id integer NOT NULL REFERENCES categories (id),
  district_id integer REFERENCES districts (id),
  service_id  integer NOT NULL REFERENCES services (id)
);
CREATE UNIQUE INDEX routing_rules_key ON routing_rules (category_id, coalesce(district_id, 0));

-- Non-working days (public holidays) and working days moved onto a weekend (transfers).
CREATE TABLE calendar_days (
  day     date PRIMARY KEY,
  kind    text NOT NULL CHECK (kind IN ('holiday', 'workday')),
  name_kk text,
  name_ru text,
  name_en text
);

CREATE TABLE users (
  id            serial PRIMARY KEY,
  login         text NOT NULL UNIQUE CHECK (login ~ '^[a-zA-Z0-9_.@-]{2,64}$'),
  name          text NOT NULL,
  role          text NOT NULL CHECK (role IN ('admin', 'dispatcher', 'supervisor', 'executor', 'official', 'display')),
  password_hash text,
  district_ids  integer[] NOT NULL DEFAULT '{}',
  service_id    integer REFERENCES services (id),
  disabled      boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- Only a SHA-256 of the session token is stored: a leaked table does not open sessions.
CREATE TABLE sessions (
  token_hash   text PRIMARY KEY,
  user_id      integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE SEQUENCE incident_number_seq;

CREATE TABLE incidents (
  id               bigserial PRIMARY KEY,
  number           text NOT NULL UNIQUE,
  type             text NOT NULL CHECK (type IN ('complaint', 'incident', 'problem', 'service_request', 'information_request')),
  category_id      integer NOT NULL REFERENCES categories (id),
  channel          text NOT NULL CHECK (channel IN ('phone', 'telegram', 'whatsapp', 'facebook', 'web', 'app', 'walk_in')),
  status           text NOT NULL DEFAULT 'new'
                   CHECK (status IN ('new', 'assigned', 'in_progress', 'resolved', 'closed', 'reopened', 'rejected')),
  -- "Open" is any non-final status; stored so that partial indexes and queries share one predicate.
  is_open          boolean GENERATED ALWAYS AS (status NOT IN ('closed', 'rejected')) STORED,
  resolution       text CHECK (resolution IN ('fixed', 'consulted', 'not_confirmed', 'duplicate', 'out_of_competence', 'spam')),
  priority         smallint NOT NULL CHECK (priority BETWEEN 1 AND 4),
  description      text NOT NULL CHECK (length(description) BETWEEN 1 AND 4000),
  address          text CHECK (length(address) <= 500),
  geom             geometry(Point, 4326) NOT NULL,
  district_id      integer REFERENCES districts (id),
  service_id       integer REFERENCES services (id),
  parent_id        bigint REFERENCES incidents (id),
  reporter_count   integer NOT NULL DEFAULT 1 CHECK (reporter_count >= 0),
  photo_url        text,
  rating           smallint CHECK (rating BETWEEN 1 AND 5),
  feedback_comment text,
  escalation_level smallint NOT NULL DEFAULT 0 CHECK (escalation_level BETWEEN 0 AND 3),
  reassign_count   integer NOT NULL DEFAULT 0,
  created_at       timestamptz NOT NULL DEFAULT now(),
  assigned_at      timestamptz,
  started_at       timestamptz,
  resolved_at      timestamptz,
  closed_at        timestamptz,
  due_at           timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  created_by       integer REFERENCES users (id),
  version          integer NOT NULL DEFAULT 1,
  CHECK (status <> 'rejected' OR resolution IN ('duplicate', 'out_of_competence', 'spam')),
  CHECK (resolved_at IS NULL OR resolved_at >= created_at),
  CHECK (closed_at IS NULL OR closed_at >= created_at)
);

-- History: keyset listing newest first, and time filters.
CREATE INDEX incidents_created_idx ON incidents (created_at DESC, id DESC);
CREATE INDEX incidents_geom_gix ON incidents USING gist (geom);
CREATE INDEX incidents_category_created_idx ON incidents (category_id, created_at DESC);
CREATE INDEX incidents_parent_idx ON incidents (parent_id) WHERE parent_id IS NOT NULL;
-- Open appeals only: these stay small however long the history grows.
CREATE INDEX incidents_open_geom_gix ON incidents USING gist (geom) WHERE is_open;
CREATE INDEX incidents_open_district_due_idx ON incidents (district_id, due_at) WHERE is_open;
CREATE INDEX incidents_open_service_due_idx ON incidents (service_id, due_at) WHERE is_open;
CREATE INDEX incidents_open_created_idx ON incidents (created_at DESC, id DESC) WHERE is_open;
CREATE INDEX incidents_open_due_idx ON incidents (due_at, id) WHERE is_open;
CREATE INDEX incidents_open_category_idx ON incidents (category_id) WHERE is_open;
CREATE INDEX incidents_resolved_idx ON incidents (resolved_at) WHERE resolved_at IS NOT NULL;

-- Personal data, kept apart from the appeal: never joined into public or open-data queries.
CREATE TABLE incident_reporters (
  id           bigserial PRIMARY KEY,
  incident_id  bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  name         text CHECK (length(name) <= 200),
  phone        text CHECK (length(phone) <= 40),
  contact      text CHECK (length(contact) <= 200),
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incident_reporters_incident_idx ON incident_reporters (incident_id);

-- The audit trail: every change to an appeal is a row here.
CREATE TABLE incident_events (
  id          bigserial PRIMARY KEY,
  incident_id bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  at          timestamptz NOT NULL DEFAULT now(),
  actor_id    integer REFERENCES users (id),
  action      text NOT NULL CHECK (action IN ('created', 'transition', 'assigned', 'escalated', 'commented',
                                              'feedback', 'merged', 'reporter_added', 'district_changed')),
  from_status text,
  to_status   text,
  note        text,
  data        jsonb
);
CREATE INDEX incident_events_incident_idx ON incident_events (incident_id, id);

-- The district is derived from the point in PostGIS and stored (boundary points: lowest id).
CREATE FUNCTION incident_set_district() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.district_id := (SELECT d.id FROM districts d WHERE ST_Intersects(d.geom, NEW.geom) ORDER BY d.id LIMIT 1);
  RETURN NEW;
END $$;
CREATE TRIGGER incidents_district BEFORE INSERT OR UPDATE OF geom ON incidents
  FOR EACH ROW EXECUTE FUNCTION incident_set_district();

-- Categories below `root` (inclusive), for "category with descendants" filters.
CREATE FUNCTION category_subtree(root integer) RETURNS SETOF integer LANGUAGE sql STABLE AS $$
  WITH RECURSIVE t(id) AS (
    SELECT root
    UNION ALL
    SELECT c.id FROM categories c JOIN t ON c.parent_id = t.id
  ) SELECT id FROM t
$$;

-- The most specific routing wins: the deepest category on the path from the appeal's category
-- up to its sphere; at one depth a district rule, then a city-wide rule, then the category's
-- default service.
CREATE FUNCTION route_service(p_category integer, p_district integer) RETURNS integer LANGUAGE sql STABLE AS $$
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
  LIMIT 1
$$;
-- Who read a reporter's name and phone, and when (Kazakhstan's personal-data law).
CREATE TABLE personal_data_reads (
  id          bigserial PRIMARY KEY,
  user_id     integer NOT NULL REFERENCES users (id),
  incident_id bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX personal_data_reads_incident_idx ON personal_data_reads (incident_id);

-- The public number of an appeal: "<prefix>-<year in the city's calendar>-<sequence>", e.g.
-- 109-2026-000123. The sequence is global and padded to six digits, never cut, so numbers stay
-- unique past 999999.
CREATE FUNCTION incident_number(prefix text, at timestamptz) RETURNS text LANGUAGE sql VOLATILE AS $$
  SELECT prefix || '-' || to_char(at, 'YYYY') || '-' || lpad(s, greatest(6, length(s)), '0')
    FROM (SELECT nextval('incident_number_seq')::text AS s) n
$$;
