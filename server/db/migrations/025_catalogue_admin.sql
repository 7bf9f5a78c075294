-- The city edits its catalogue (issue 19, item 3): categories, services, routing rules and the
-- working calendar change from /admin while the server runs.
--
-- * catalogue_state.version moves (in the editing transaction) with every change, so that each
--   instance sees a change at its next check and drops its cached lists (server/catalogue/version.ts).
-- * Rows carry their own version for optimistic concurrency: an edit names the version it read,
--   and a stale one is refused (409).
-- * catalogue_changes keeps every change: who, when, what, and the row before and after as JSON.
-- * categories.extra keeps the pack's fields this schema has no column for (synonyms, answers,
--   ...), so that edits, exports and imports carry them untouched.

CREATE TABLE catalogue_state (
  id      boolean PRIMARY KEY DEFAULT true CHECK (id),
  version bigint NOT NULL DEFAULT 1
);
INSERT INTO catalogue_state (id, version) VALUES (true, 1);

ALTER TABLE categories ADD COLUMN extra jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(extra) = 'object');
ALTER TABLE categories ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE categories ADD COLUMN retired_at timestamptz;
ALTER TABLE services ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE routing_rules ADD COLUMN version integer NOT NULL DEFAULT 1;

CREATE TABLE catalogue_changes (
  id       bigserial PRIMARY KEY,
  at       timestamptz NOT NULL DEFAULT now(),
  user_id  integer REFERENCES users (id) ON DELETE SET NULL,
  -- The login as it was, so the log still says who after an account is renamed or removed.
  login    text,
  entity   text NOT NULL CHECK (entity IN ('category', 'service', 'routing', 'holiday', 'catalogue')),
  code     text NOT NULL,
  action   text NOT NULL CHECK (action IN ('create', 'update', 'move', 'retire', 'restore', 'delete', 'import')),
  before   jsonb,
  after    jsonb,
  -- catalogue_state.version after this change
  version  bigint NOT NULL
);
CREATE INDEX catalogue_changes_entity_idx ON catalogue_changes (entity, code, id);
