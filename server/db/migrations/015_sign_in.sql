-- Sign-in attempts, counted before the password is hashed (issue 15, findings 4 and 5).
-- One row per counter:
--   kind 'pair'    (login, address): wrong passwords of one login from one address; locks that pair only;
--   kind 'address' (address, login ''): attempts from one address at any login; locks the address;
--   kind 'login'   (login, address ''): attempts at one login from anywhere, per minute; slows it, never locks.
-- A sign-in from an unknown address (in-process requests) counts with address ''.
CREATE TABLE sign_in_attempts (
  kind         text NOT NULL CHECK (kind IN ('pair', 'address', 'login')),
  login        text NOT NULL,
  address      text NOT NULL,
  attempts     integer NOT NULL DEFAULT 0,
  window_start timestamptz NOT NULL DEFAULT now(),
  locked_until timestamptz,
  last_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, login, address)
);
CREATE INDEX sign_in_attempts_locked_idx ON sign_in_attempts (locked_until) WHERE locked_until IS NOT NULL;

-- Replaced by sign_in_attempts; nothing else reads it.
DROP TABLE login_failures;

-- Accounts created by demo seeding (password jardem-demo): refused at sign-in when demo mode is off.
ALTER TABLE users ADD COLUMN is_demo boolean NOT NULL DEFAULT false;
