-- Live events: an outbox written by a trigger in the same transaction as the change, so an
-- event exists exactly when its change committed. Its id is the SSE event id: a reconnecting
-- screen replays from Last-Event-ID, across server restarts. On PostgreSQL, NOTIFY (delivered
-- at commit) wakes every instance; the embedded engine polls. No personal data goes here.
CREATE TABLE live_events (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  kind        text NOT NULL CHECK (kind IN ('incident.created', 'incident.updated')),
  incident_id bigint NOT NULL,
  payload     jsonb NOT NULL
);
CREATE INDEX live_events_at_idx ON live_events (at);

CREATE FUNCTION incident_live_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  event_id bigint;
BEGIN
  -- Bulk loads (demo history, imports) set jardem.bulk_load = on and make no events.
  IF coalesce(current_setting('jardem.bulk_load', true), '') = 'on' THEN
    RETURN NULL;
  END IF;
  INSERT INTO live_events (kind, incident_id, payload)
  SELECT CASE TG_OP WHEN 'INSERT' THEN 'incident.created' ELSE 'incident.updated' END, NEW.id,
         jsonb_build_object(
           'id', NEW.id, 'number', NEW.number, 'type', NEW.type, 'category', c.code, 'sphere', s.code,
           'channel', NEW.channel, 'status', NEW.status, 'resolution', NEW.resolution, 'priority', NEW.priority,
           'district', d.code, 'service', sv.code, 'created_at', NEW.created_at, 'due_at', NEW.due_at,
           'updated_at', NEW.updated_at, 'emergency', c.emergency, 'escalation_level', NEW.escalation_level,
           'lng', ST_X(NEW.geom), 'lat', ST_Y(NEW.geom), 'version', NEW.version)
    FROM categories c
    LEFT JOIN categories s ON s.id = c.sphere_id
    LEFT JOIN districts d ON d.id = NEW.district_id
    LEFT JOIN services sv ON sv.id = NEW.service_id
   WHERE c.id = NEW.category_id
  RETURNING id INTO event_id;
  PERFORM pg_notify('jardem_live', event_id::text);
  RETURN NULL;
END $$;

CREATE TRIGGER incidents_live AFTER INSERT OR UPDATE ON incidents
  FOR EACH ROW EXECUTE FUNCTION incident_live_event();
