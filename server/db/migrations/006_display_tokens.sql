-- Wall screens open without typing: an admin issues a revocable display token (only its hash is
-- stored) bound to a `display` user; /wall?token=... exchanges it for a long session. Revoking
-- the token ends every session it opened.
CREATE TABLE display_tokens (
  id           serial PRIMARY KEY,
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  token_hash   text NOT NULL UNIQUE,
  user_id      integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_by   integer REFERENCES users (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);

ALTER TABLE sessions ADD COLUMN display_token_id integer REFERENCES display_tokens (id) ON DELETE CASCADE;
