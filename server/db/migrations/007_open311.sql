-- Open311 GeoReport v2: partners (city apps, portals) post requests with an API key that an
-- admin issues. Only the key's hash is stored; revoking it stops further posts at once.
CREATE TABLE api_keys (
  id          serial PRIMARY KEY,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  key_hash    text NOT NULL UNIQUE,
  created_by  integer REFERENCES users (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
