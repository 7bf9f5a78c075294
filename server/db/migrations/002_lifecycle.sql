-- Jardem schema, part 2: the life of an appeal after intake — idempotent intake, citizens'
-- feedback links and ratings, and the indexes the lifecycle's periodic work reads.

-- A retried POST with the same Idempotency-Key (per user) returns the first answer instead of
-- creating a second appeal. The key row is claimed in the same transaction as the insert, so
-- a concurrent retry waits on the primary key and then reads the stored answer.
CREATE TABLE idempotency_keys (
  user_id      integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
  -- SHA-256 of the validated request: the same key with another body is refused.
  request_hash text NOT NULL,
  incident_id  bigint REFERENCES incidents (id) ON DELETE CASCADE,
  status       smallint,
  response     jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- One link per reporter of a resolved appeal (its merged duplicates' reporters included), to
-- rate the result or dispute it without signing in. Only a SHA-256 of the token is stored; the
-- token is an HMAC of `nonce` under the server's key (JARDEM_SECRET), so staff can be shown the
-- link again while a copy of the database alone opens nothing.
CREATE TABLE incident_feedback_tokens (
  id          bigserial PRIMARY KEY,
  token_hash  text NOT NULL UNIQUE,
  nonce       text NOT NULL,
  incident_id bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  reporter_id bigint REFERENCES incident_reporters (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz
);
CREATE INDEX incident_feedback_tokens_incident_idx ON incident_feedback_tokens (incident_id);

-- Every rating, comment and dispute, from a link or taken by a dispatcher on the phone. The
-- appeal's `rating` is the rounded mean of its ratings. Comments may hold personal data: staff only.
CREATE TABLE incident_feedback (
  id          bigserial PRIMARY KEY,
  incident_id bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  token_id    bigint REFERENCES incident_feedback_tokens (id) ON DELETE SET NULL,
  via         text NOT NULL CHECK (via IN ('link', 'phone')),
  rating      smallint CHECK (rating BETWEEN 1 AND 5),
  comment     text CHECK (length(comment) <= 2000),
  disputed    boolean NOT NULL DEFAULT false,
  actor_id    integer REFERENCES users (id),
  at          timestamptz NOT NULL DEFAULT now(),
  CHECK (rating IS NOT NULL OR disputed)
);
CREATE INDEX incident_feedback_incident_idx ON incident_feedback (incident_id);

-- Resolved appeals waiting for the citizen: the periodic auto-close reads only these.
CREATE INDEX incidents_resolved_waiting_idx ON incidents (resolved_at) WHERE status = 'resolved';
