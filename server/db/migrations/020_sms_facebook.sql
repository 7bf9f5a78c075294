-- Facebook Messenger joins the messenger channels; SMS to phone and walk-in reporters goes
-- through an outbox written in the transaction of the event that causes it.

ALTER TABLE channel_conversations DROP CONSTRAINT channel_conversations_channel_check;
ALTER TABLE channel_conversations ADD CONSTRAINT channel_conversations_channel_check
  CHECK (channel IN ('telegram', 'whatsapp', 'facebook'));
ALTER TABLE channel_contacts DROP CONSTRAINT channel_contacts_channel_check;
ALTER TABLE channel_contacts ADD CONSTRAINT channel_contacts_channel_check
  CHECK (channel IN ('telegram', 'whatsapp', 'facebook'));

-- The language a caller asked to be answered in (texts exist in Kazakh and Russian; unset: Russian).
ALTER TABLE incident_reporters ADD COLUMN lang text CHECK (lang IN ('kk', 'ru'));

-- What this deployment sends, written at start-up from the configuration (server/sms/settings.ts):
-- the triggers below read it, so that nothing piles up while no SMS gateway is configured.
CREATE TABLE sms_settings (
  id             boolean PRIMARY KEY DEFAULT true CHECK (id),
  enabled        boolean NOT NULL DEFAULT false,
  status_changes boolean NOT NULL DEFAULT false
);
INSERT INTO sms_settings DEFAULT VALUES;

-- One SMS to one phone. The text is rendered when it is sent (a feedback link's token is never
-- stored: it comes from the link's nonce and the server's key). Personal data: the phone lives
-- here and in incident_reporters only, never in a public or open-data query.
--   pending → sending → sent → delivered | undelivered;  pending → failed | cancelled;
--   sending → failed (the process stopped mid-send: not resent, so it is never sent twice).
CREATE TABLE sms_outbox (
  id              bigserial PRIMARY KEY,
  incident_id     bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  reporter_id     bigint REFERENCES incident_reporters (id) ON DELETE CASCADE,
  token_id        bigint REFERENCES incident_feedback_tokens (id) ON DELETE CASCADE,
  kind            text NOT NULL CHECK (kind IN ('registered', 'resolved', 'status')),
  status_to       text,
  phone           text NOT NULL CHECK (length(phone) <= 40),
  lang            text NOT NULL DEFAULT 'ru' CHECK (lang IN ('kk', 'ru')),
  -- Non-urgent messages wait out the quiet hours.
  urgent          boolean NOT NULL,
  state           text NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'cancelled')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  claimed_at      timestamptz,
  sent_at         timestamptz,
  done_at         timestamptz,
  segments        integer,
  error           text CHECK (length(error) <= 500),
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sms_outbox_due_idx ON sms_outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX sms_outbox_sending_idx ON sms_outbox (claimed_at) WHERE state = 'sending';
CREATE INDEX sms_outbox_incident_idx ON sms_outbox (incident_id);
-- A feedback link is texted once.
CREATE UNIQUE INDEX sms_outbox_token_idx ON sms_outbox (token_id) WHERE token_id IS NOT NULL;

-- The parts an SMS centre accepted (a long text is several), by the centre's message id: its
-- delivery receipts name them.
CREATE TABLE sms_parts (
  outbox_id   bigint NOT NULL REFERENCES sms_outbox (id) ON DELETE CASCADE,
  part        smallint NOT NULL,
  provider_id text NOT NULL CHECK (length(provider_id) <= 100),
  state       text NOT NULL DEFAULT 'sent' CHECK (state IN ('sent', 'delivered', 'undelivered')),
  PRIMARY KEY (outbox_id, part)
);
CREATE INDEX sms_parts_provider_idx ON sms_parts (provider_id);

-- Who gets an SMS: a reporter with a phone, of an appeal taken on the phone or at the desk
-- (a messenger's reporter has a contact and hears from the bot instead).
CREATE FUNCTION sms_enqueue_registered() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT (SELECT enabled FROM sms_settings) THEN RETURN NULL; END IF;
  INSERT INTO sms_outbox (incident_id, reporter_id, kind, phone, lang, urgent)
  SELECT r.incident_id, r.id, 'registered', r.phone, coalesce(r.lang, 'ru'), true
    FROM new_reporters r JOIN incidents i ON i.id = r.incident_id
   WHERE r.phone IS NOT NULL AND r.contact IS NULL AND i.channel IN ('phone', 'walk_in')
     -- A question answered on the call needs no number.
     AND i.status <> 'closed';
  RETURN NULL;
END $$;
CREATE TRIGGER sms_registered AFTER INSERT ON incident_reporters
  REFERENCING NEW TABLE AS new_reporters FOR EACH STATEMENT EXECUTE FUNCTION sms_enqueue_registered();

-- Resolving issues a feedback link per reporter (server/lifecycle/tokens.ts): each one of a
-- caller is texted, outside the quiet hours.
CREATE FUNCTION sms_enqueue_resolved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT (SELECT enabled FROM sms_settings) THEN RETURN NULL; END IF;
  INSERT INTO sms_outbox (incident_id, reporter_id, token_id, kind, phone, lang, urgent)
  SELECT t.incident_id, r.id, t.id, 'resolved', r.phone, coalesce(r.lang, 'ru'), false
    FROM new_tokens t JOIN incident_reporters r ON r.id = t.reporter_id JOIN incidents i ON i.id = r.incident_id
   WHERE r.phone IS NOT NULL AND r.contact IS NULL AND i.channel IN ('phone', 'walk_in');
  RETURN NULL;
END $$;
CREATE TRIGGER sms_resolved AFTER INSERT ON incident_feedback_tokens
  REFERENCING NEW TABLE AS new_tokens FOR EACH STATEMENT EXECUTE FUNCTION sms_enqueue_resolved();

-- Other status changes, when the deployment asks for them: one text per phone of the appeal's
-- callers (and of the duplicates merged into it). "resolved" has its own text with the link.
CREATE FUNCTION sms_enqueue_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT (SELECT enabled AND status_changes FROM sms_settings) THEN RETURN NULL; END IF;
  INSERT INTO sms_outbox (incident_id, reporter_id, kind, status_to, phone, lang, urgent)
  SELECT DISTINCT ON (e.id, r.phone) e.incident_id, r.id, 'status', e.to_status, r.phone, coalesce(r.lang, 'ru'), false
    FROM new_events e
    JOIN incident_reporters r ON r.incident_id = e.incident_id OR r.incident_id IN (SELECT c.id FROM incidents c WHERE c.parent_id = e.incident_id)
    JOIN incidents i ON i.id = r.incident_id
   WHERE e.action IN ('transition', 'assigned') AND e.to_status IS NOT NULL AND e.from_status IS NOT NULL
     AND e.to_status IS DISTINCT FROM e.from_status AND e.to_status IN ('assigned', 'in_progress', 'reopened', 'closed', 'rejected')
     -- Merged into another appeal is not "rejected" for the caller: they hear of the other one.
     AND NOT (e.to_status = 'rejected' AND e.data->>'resolution' = 'duplicate')
     AND r.phone IS NOT NULL AND r.contact IS NULL AND i.channel IN ('phone', 'walk_in')
   ORDER BY e.id, r.phone, r.id;
  RETURN NULL;
END $$;
CREATE TRIGGER sms_status AFTER INSERT ON incident_events
  REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION sms_enqueue_status();
