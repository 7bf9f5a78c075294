-- A counter that moves with every statement that changes incidents, so that caches of data
-- derived from them (the vector tiles) can tell in one cheap read that they are stale, across
-- processes and instances, instead of scanning the table. A sequence never blocks and never
-- deadlocks writers (a counter row would serialise them); its value is read with
-- `SELECT last_value FROM incident_changes_seq`. nextval() runs before the writer commits:
-- readers allow for that (see server/tiles/cache.ts).
CREATE SEQUENCE incident_changes_seq;

CREATE FUNCTION incident_changes_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM nextval('incident_changes_seq');
  RETURN NULL;
END $$;

CREATE TRIGGER incidents_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON incidents
  FOR EACH STATEMENT EXECUTE FUNCTION incident_changes_bump();
