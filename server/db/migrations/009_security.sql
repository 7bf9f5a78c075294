-- Failed sign-ins, counted per login and per client address (`key` is 'login:<login>' or
-- 'addr:<address>'), so that guessing passwords meets a temporary lockout on every instance.
CREATE TABLE login_failures (
  key          text PRIMARY KEY,
  failures     integer NOT NULL DEFAULT 0,
  window_start timestamptz NOT NULL DEFAULT now(),
  locked_until timestamptz
);
