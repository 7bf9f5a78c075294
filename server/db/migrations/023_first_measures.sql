-- Emergencies' first measures (issue 18, item 4): the checklists of the city pack
-- (first-measures.json), the measures ticked on each appeal, hand-overs to emergency services
-- (101, 103, 104, 112 ...) with the receiving operator's name, and the acknowledgement that
-- releases the wall. Every change is also an event row in the appeal's history.

-- The emergency services a dispatcher hands over to, by the number citizens dial.
CREATE TABLE emergency_services (
  code    text PRIMARY KEY CHECK (code ~ '^[0-9]{2,4}$'),
  name_kk text NOT NULL,
  name_ru text NOT NULL,
  name_en text NOT NULL,
  sort    integer NOT NULL DEFAULT 0
);

-- A category's checklist (a kind uses its nearest ancestor's list). Reloaded with the pack.
CREATE TABLE first_measures (
  id          serial PRIMARY KEY,
  category_id integer NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
  code        text NOT NULL CHECK (code ~ '^[a-z0-9_]{1,40}$'),
  sort        integer NOT NULL,
  name_kk     text NOT NULL,
  name_ru     text NOT NULL,
  name_en     text NOT NULL,
  handover    text REFERENCES emergency_services (code),
  UNIQUE (category_id, code)
);

-- A measure ticked on an appeal: when it was done (as the ticker says, never in the future)
-- and who ticked it. Unticking deletes the row; both are events.
CREATE TABLE incident_measures (
  incident_id bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  measure     text NOT NULL CHECK (measure ~ '^[a-z0-9_]{1,40}$'),
  done_at     timestamptz NOT NULL,
  done_by     integer REFERENCES users (id),
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (incident_id, measure)
);

-- A hand-over to an emergency service. The operator's name is staff data of another service:
-- shown to those who act on the appeal, never on public surfaces (not in events' notes).
CREATE TABLE incident_handovers (
  id          bigserial PRIMARY KEY,
  incident_id bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  service     text NOT NULL REFERENCES emergency_services (code),
  operator    text NOT NULL CHECK (length(operator) BETWEEN 1 AND 120),
  handed_at   timestamptz NOT NULL,
  by_user     integer REFERENCES users (id),
  note        text CHECK (length(note) <= 1000),
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incident_handovers_incident_idx ON incident_handovers (incident_id, id);

-- An emergency the control room has taken in: the wall lets go of it.
CREATE TABLE emergency_acks (
  incident_id bigint PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
  acked_at    timestamptz NOT NULL DEFAULT now(),
  acked_by    integer REFERENCES users (id)
);

-- Emergencies that were open before this migration are not "new": they do not hold the wall.
INSERT INTO emergency_acks (incident_id, acked_at, acked_by)
SELECT i.id, now(), NULL FROM incidents i JOIN categories c ON c.id = i.category_id WHERE c.emergency AND i.is_open;

-- New kinds of events. The allowed list is extended as it stands, so that other migrations that
-- extend it too keep their kinds whatever order they are applied in.
DO $$
DECLARE
  def text;
  name text;
BEGIN
  SELECT conname, pg_get_constraintdef(oid) INTO name, def FROM pg_constraint
   WHERE conrelid = 'incident_events'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%action%'
   ORDER BY conname LIMIT 1;
  EXECUTE format('ALTER TABLE incident_events DROP CONSTRAINT %I', name);
  EXECUTE format('ALTER TABLE incident_events ADD CONSTRAINT %I CHECK ((%s) OR action IN (%L, %L, %L, %L))',
                 name, regexp_replace(def, '^CHECK \((.*)\)$', '\1'),
                 'measure_done', 'measure_undone', 'handed_over', 'emergency_acknowledged');
END $$;
