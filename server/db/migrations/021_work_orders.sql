-- Work orders: several services at one appeal (issue 18). The lead is the appeal itself (its
-- service_id, status and due_at, its events): it is never stored twice, so it cannot drift. The
-- rows here are the co-executors: each with its own deadline, status, executor and history.
--   open → in_progress → done;  open | in_progress → released;  done | released → open (reopened).
CREATE TABLE work_orders (
  id          bigserial PRIMARY KEY,
  incident_id bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  service_id  integer NOT NULL REFERENCES services (id),
  status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'done', 'released')),
  due_at      timestamptz NOT NULL,
  -- Who took it (an executor of the service), once taken.
  executor_id integer REFERENCES users (id) ON DELETE SET NULL,
  -- What the service is asked to do.
  task        text NOT NULL CHECK (length(task) BETWEEN 1 AND 2000),
  -- The last note (done, released, reopened); every note stays in work_order_events.
  note        text CHECK (length(note) <= 2000),
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  integer REFERENCES users (id) ON DELETE SET NULL,
  started_at  timestamptz,
  finished_at timestamptz,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  version     integer NOT NULL DEFAULT 1,
  UNIQUE (incident_id, service_id)
);
-- The control view and the queue read a service's pending work orders by deadline.
CREATE INDEX work_orders_pending_idx ON work_orders (service_id, due_at) WHERE status IN ('open', 'in_progress');
CREATE INDEX work_orders_incident_idx ON work_orders (incident_id);

-- Every change to a work order, as a row (who, when, from → to, note).
CREATE TABLE work_order_events (
  id            bigserial PRIMARY KEY,
  work_order_id bigint NOT NULL REFERENCES work_orders (id) ON DELETE CASCADE,
  at            timestamptz NOT NULL DEFAULT now(),
  actor_id      integer REFERENCES users (id) ON DELETE SET NULL,
  action        text NOT NULL CHECK (action IN ('created', 'take', 'done', 'release', 'reopen', 'lead')),
  from_status   text,
  to_status     text NOT NULL,
  note          text CHECK (length(note) <= 2000)
);
CREATE INDEX work_order_events_order_idx ON work_order_events (work_order_id, id);

-- An appeal assigned at intake (issue 18) already told its caller it is registered: the
-- assignment that comes with it sends no second SMS (data.at_intake on its event).
CREATE OR REPLACE FUNCTION sms_enqueue_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT (SELECT enabled AND status_changes FROM sms_settings) THEN RETURN NULL; END IF;
  INSERT INTO sms_outbox (incident_id, reporter_id, kind, status_to, phone, lang, urgent)
  SELECT DISTINCT ON (e.id, r.phone) e.incident_id, r.id, 'status', e.to_status, r.phone, coalesce(r.lang, 'ru'), false
    FROM new_events e
    JOIN incident_reporters r ON r.incident_id = e.incident_id OR r.incident_id IN (SELECT c.id FROM incidents c WHERE c.parent_id = e.incident_id)
    JOIN incidents i ON i.id = r.incident_id
   WHERE e.action IN ('transition', 'assigned') AND e.to_status IS NOT NULL AND e.from_status IS NOT NULL
     AND e.to_status IS DISTINCT FROM e.from_status AND e.to_status IN ('assigned', 'in_progress', 'reopened', 'closed', 'rejected')
     AND NOT coalesce((e.data->>'at_intake')::boolean, false)
     -- Merged into another appeal is not "rejected" for the caller: they hear of the other one.
     AND NOT (e.to_status = 'rejected' AND e.data->>'resolution' = 'duplicate')
     AND r.phone IS NOT NULL AND r.contact IS NULL AND i.channel IN ('phone', 'walk_in')
   ORDER BY e.id, r.phone, r.id;
  RETURN NULL;
END $$;
