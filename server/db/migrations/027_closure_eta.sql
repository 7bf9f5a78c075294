-- Verified closure and honest ETAs (issue 24, items 4 and 5).
--
-- incident_etas: the expected resolution time each appeal was given (from the durations model
-- the deadline risk uses: the median time to resolve of similar appeals, as at its creation),
-- recorded by the ETA job while the appeal is open; once it resolves the job adds what happened,
-- so that the estimates can be judged. One row per appeal: its first estimate and first resolution.
CREATE TABLE incident_etas (
  incident_id  bigint PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
  category_id  integer NOT NULL REFERENCES categories (id),
  given_at     timestamptz NOT NULL DEFAULT now(),
  -- The estimate: when the appeal was expected to be resolved (UTC).
  eta_at       timestamptz NOT NULL,
  basis        text NOT NULL CHECK (basis IN ('category_district', 'category', 'sphere')),
  sample_n     integer NOT NULL CHECK (sample_n > 0),
  -- Filled by the job at resolution: hours from creation predicted and taken, and |difference|.
  resolved_at  timestamptz,
  predicted_h  double precision CHECK (predicted_h IS NULL OR predicted_h >= 0),
  actual_h     double precision CHECK (actual_h IS NULL OR actual_h >= 0),
  error_h      double precision CHECK (error_h IS NULL OR error_h >= 0),
  CHECK ((resolved_at IS NULL) = (actual_h IS NULL) AND (actual_h IS NULL) = (error_h IS NULL))
);
CREATE INDEX incident_etas_open_idx ON incident_etas (incident_id) WHERE resolved_at IS NULL;
CREATE INDEX incident_etas_resolved_idx ON incident_etas (category_id, resolved_at) WHERE resolved_at IS NOT NULL;

-- The accuracy of the estimates per category over the job's window, as the job last computed it:
-- mean absolute error (hours) and the share within ±25 % of the time actually taken.
CREATE TABLE eta_accuracy (
  category_id  integer PRIMARY KEY REFERENCES categories (id) ON DELETE CASCADE,
  n            integer NOT NULL CHECK (n > 0),
  mae_h        double precision NOT NULL CHECK (mae_h >= 0),
  within25     double precision NOT NULL CHECK (within25 BETWEEN 0 AND 1),
  window_days  integer NOT NULL CHECK (window_days > 0),
  computed_at  timestamptz NOT NULL DEFAULT now()
);
