-- Messenger intake (Telegram, WhatsApp): conversations with the bots, the updates already
-- handled, who filed which appeal through which chat, and what was sent on resolution.
-- Messenger user and chat ids are personal data (a WhatsApp id is a phone number): they live
-- only in these tables and in incident_reporters, never in public or open-data queries.

-- One conversation per messenger user; a restart mid-conversation loses nothing.
CREATE TABLE channel_conversations (
  channel    text NOT NULL CHECK (channel IN ('telegram', 'whatsapp')),
  user_id    text NOT NULL CHECK (length(user_id) <= 64),
  chat_id    text NOT NULL CHECK (length(chat_id) <= 64),
  lang       text CHECK (lang IN ('kk', 'ru', 'en')),
  state      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel, user_id)
);
CREATE INDEX channel_conversations_updated_idx ON channel_conversations (updated_at);

-- Every update handled, by the messenger's own id: a redelivered update is answered once.
-- Also the per-user flood counter (updates of the last minute).
CREATE TABLE channel_updates (
  channel     text NOT NULL,
  update_id   text NOT NULL CHECK (length(update_id) <= 200),
  user_id     text,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel, update_id)
);
CREATE INDEX channel_updates_user_idx ON channel_updates (channel, user_id, received_at);

-- The chat an appeal came from: where replies and the result go.
CREATE TABLE channel_contacts (
  id          bigserial PRIMARY KEY,
  incident_id bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  reporter_id bigint REFERENCES incident_reporters (id) ON DELETE CASCADE,
  channel     text NOT NULL CHECK (channel IN ('telegram', 'whatsapp')),
  user_id     text NOT NULL,
  chat_id     text NOT NULL,
  lang        text NOT NULL CHECK (lang IN ('kk', 'ru', 'en')),
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX channel_contacts_incident_idx ON channel_contacts (incident_id);
CREATE INDEX channel_contacts_reporter_idx ON channel_contacts (reporter_id);

-- A feedback link offered through a messenger (the result with rating buttons), sent once.
CREATE TABLE channel_notifications (
  token_id bigint PRIMARY KEY REFERENCES incident_feedback_tokens (id) ON DELETE CASCADE,
  sent_at  timestamptz NOT NULL DEFAULT now()
);

-- Photos citizens sent to a bot, served by an unguessable key as the appeal's photo_url.
CREATE TABLE channel_photos (
  key          text PRIMARY KEY CHECK (key ~ '^[A-Za-z0-9_-]{22,64}$'),
  content_type text NOT NULL,
  bytes        bytea NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
