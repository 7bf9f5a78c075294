-- Work in the field (issue 24): photos taken on the spot as proof of work, the checks each
-- resolution from the field app passed or failed, and idempotency keys of the field actions
-- (take, pause, resolve) so that an action queued offline and replayed is applied once.

-- One photo of an appeal. The file lives in the photo store (a directory, server/field/store.ts)
-- under `storage_key`, re-encoded without EXIF: what EXIF held that matters (when, where) is here.
-- Never public unless a supervisor publishes it (`published_at`).
CREATE TABLE incident_photos (
  id           bigserial PRIMARY KEY,
  incident_id  bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  kind         text NOT NULL CHECK (kind IN ('before', 'after')),
  -- When the photo was taken, as the device's clock (or the image's EXIF) says; UTC.
  taken_at     timestamptz NOT NULL,
  -- Where the device stood ([lng, lat], WGS 84), and how sure it was (metres); NULL: no fix.
  position     geometry(Point, 4326),
  accuracy_m   real CHECK (accuracy_m IS NULL OR accuracy_m >= 0),
  uploaded_by  integer REFERENCES users (id),
  uploaded_at  timestamptz NOT NULL DEFAULT now(),
  storage_key  text NOT NULL UNIQUE CHECK (length(storage_key) BETWEEN 1 AND 300),
  content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/webp')),
  size_bytes   integer NOT NULL CHECK (size_bytes > 0),
  width        integer NOT NULL CHECK (width > 0),
  height       integer NOT NULL CHECK (height > 0),
  published    boolean NOT NULL DEFAULT false,
  published_by integer REFERENCES users (id),
  published_at timestamptz
);
CREATE INDEX incident_photos_incident_idx ON incident_photos (incident_id, id);

-- A resolution made from the field: where the device stood, how far that is from the appeal,
-- which photos prove it, and what the supervisor should look at (`flags`: `far` — farther
-- than the category's distance; `photo_before_appeal` — a photo taken before the appeal existed;
-- `no_position` — the device gave no position).
CREATE TABLE incident_resolution_checks (
  id            bigserial PRIMARY KEY,
  incident_id   bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  event_id      bigint REFERENCES incident_events (id) ON DELETE CASCADE,
  resolved_by   integer REFERENCES users (id),
  -- When the executor acted (the device's time; a queued action keeps its own) and when it arrived.
  acted_at      timestamptz NOT NULL,
  received_at   timestamptz NOT NULL DEFAULT now(),
  position      geometry(Point, 4326),
  distance_m    double precision,
  far_m         integer NOT NULL,
  photo_ids     bigint[] NOT NULL DEFAULT '{}',
  flags         text[] NOT NULL DEFAULT '{}'
    CHECK (flags <@ ARRAY['far', 'photo_before_appeal', 'no_position']::text[])
);
CREATE INDEX incident_resolution_checks_incident_idx ON incident_resolution_checks (incident_id, id);

-- Field actions already applied, by the user's key: a replay answers the appeal as it is now
-- instead of acting twice. Kept as long as intake's keys (housekeeping may prune both).
CREATE TABLE field_action_keys (
  user_id      integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
  incident_id  bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  action       text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);
CREATE INDEX field_action_keys_created_idx ON field_action_keys (created_at);
