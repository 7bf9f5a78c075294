-- Who may read a note. Staff write notes for each other (internal: the default) and, on the
-- moves meant for the citizen (resolve, consult, reject, a messenger reply), for the citizen
-- (public). Public surfaces show only public notes, and those through the redaction step of
-- server/privacy/redact.ts; staff with personal-data rights see every note as written.
ALTER TABLE incident_events
  ADD COLUMN visibility text NOT NULL DEFAULT 'internal' CHECK (visibility IN ('internal', 'public'));

-- The visibility a note of this kind gets when nobody chose one (the backfill below and the
-- demo history): public only where the note was already sent to the citizen before this
-- migration: a resolution (sent with the feedback link and by the bots), an answer given on
-- the call (consult: new → closed), and a messenger reply. Rejections, reassignments,
-- escalations, merges and all the rest stay internal: they were typed for colleagues.
CREATE FUNCTION default_note_visibility(action text, from_status text, to_status text, data jsonb)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN action = 'transition' AND to_status = 'resolved' THEN 'public'
    WHEN action = 'transition' AND from_status = 'new' AND to_status = 'closed'
         AND coalesce(data ->> 'action', 'consult') = 'consult' THEN 'public'
    WHEN action = 'commented' AND coalesce(data ->> 'reply', 'false') = 'true' THEN 'public'
    ELSE 'internal'
  END
$$;

UPDATE incident_events SET visibility = 'public'
 WHERE note IS NOT NULL AND default_note_visibility(action, from_status, to_status, data) = 'public';

-- Misses of the public status look-up (a number without the right second factor), per client
-- address in a fixed ten-minute window, so that numbers cannot be enumerated. In the database:
-- the count survives a restart and every instance sees the same one. One row per address;
-- rows of windows that ended are deleted when a new window starts (server/lifecycle/miss-counter.ts).
CREATE TABLE public_lookup_misses (
  address      text PRIMARY KEY,
  window_start timestamptz NOT NULL,
  misses       integer NOT NULL
);
CREATE INDEX public_lookup_misses_window_idx ON public_lookup_misses (window_start);
