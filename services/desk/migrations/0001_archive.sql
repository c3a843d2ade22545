-- The conversation archive: what the gateway's event stream says, kept as long as the
-- deployment keeps it (ARCHIVE_RETENTION_DAYS), in the desk's own schema.

-- Every event applied, by its id: a batch read twice (a desk killed before XACK, a
-- reclaimed pending entry) applies nothing twice. chat_id lets an erasure take the ids too.
CREATE TABLE archived_events (
  id text PRIMARY KEY,
  chat_id text NOT NULL,
  archived_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX archived_events_chat ON archived_events (chat_id);
CREATE INDEX archived_events_archived_at ON archived_events (archived_at);

-- One row per chat (channel + chat id). `conversation` counts its conversations: staff's
-- close ends one and the next message starts the next.
CREATE TABLE chats (
  id bigserial PRIMARY KEY,
  channel text NOT NULL,
  chat_id text NOT NULL,
  customer_id text,
  name text,
  state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'handoff', 'closed')),
  conversation integer NOT NULL DEFAULT 1,
  conversation_started_at timestamptz NOT NULL,
  first_message_at timestamptz,
  last_message_at timestamptz,
  last_direction text CHECK (last_direction IN ('inbound', 'outbound')),
  closed_at timestamptz,
  UNIQUE (channel, chat_id)
);
CREATE INDEX chats_last_message ON chats (last_message_at DESC, id DESC);
CREATE INDEX chats_customer ON chats (customer_id) WHERE customer_id IS NOT NULL;
CREATE INDEX chats_chat_id ON chats (chat_id);

-- Both directions. search_text is the text folded (lower case, accents removed) by the
-- desk before insert: a stored folded column rather than the unaccent extension, which is
-- not in every server's contrib nor in an embedded PGlite, so one migration serves both.
CREATE TABLE messages (
  id bigserial PRIMARY KEY,
  message_id text NOT NULL UNIQUE,
  chat_ref bigint NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
  conversation integer NOT NULL,
  direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  kind text NOT NULL,
  body text NOT NULL,
  media_id text,
  mime_type text,
  classification jsonb,
  correlation_id text,
  purpose text,
  reply_to text,
  provider_message_id text,
  customer_id text,
  skipped text,
  at timestamptz NOT NULL,
  search_text text NOT NULL,
  search tsvector GENERATED ALWAYS AS (to_tsvector('spanish', search_text)) STORED
);
CREATE INDEX messages_chat_at ON messages (chat_ref, at DESC, id DESC);
CREATE INDEX messages_at ON messages (at, id);
CREATE INDEX messages_provider ON messages (provider_message_id) WHERE provider_message_id IS NOT NULL;
CREATE INDEX messages_correlation ON messages (correlation_id) WHERE correlation_id IS NOT NULL;
CREATE INDEX messages_search ON messages USING gin (search);

-- Delivery statuses by the channel's message id: a status may be archived before the
-- message it belongs to (the webhook raced the worker), so it is joined, not updated in.
CREATE TABLE delivery_statuses (
  provider_message_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('sent', 'delivered', 'read', 'played', 'failed')),
  rank smallint NOT NULL,
  chat_id text NOT NULL,
  at timestamptz NOT NULL,
  error_code integer,
  error_title text,
  PRIMARY KEY (provider_message_id, status)
);
CREATE INDEX delivery_statuses_chat ON delivery_statuses (chat_id);

-- Consent evidence (Ley 1581 de 2012, Decreto 1377 de 2013): append-only, kept through
-- erasure and retention (docs/services/desk.md says why).
CREATE TABLE consent_records (
  id bigserial PRIMARY KEY,
  event_id text NOT NULL UNIQUE,
  channel text NOT NULL,
  chat_id text NOT NULL,
  decision text NOT NULL CHECK (decision IN ('given', 'declined', 'withdrawn')),
  notice_version text NOT NULL,
  notice_sha256 text NOT NULL,
  notice_text text,
  notice_language text,
  message_id text NOT NULL,
  at timestamptz NOT NULL,
  archived_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consent_records_chat ON consent_records (chat_id, at);
CREATE INDEX consent_records_at ON consent_records (at);

CREATE FUNCTION consent_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'consent_records is append-only: evidence is never changed or deleted';
END
$$;
CREATE TRIGGER consent_records_append_only BEFORE UPDATE OR DELETE ON consent_records
  FOR EACH ROW EXECUTE FUNCTION consent_records_append_only();

CREATE TABLE handoffs (
  id bigserial PRIMARY KEY,
  event_id text NOT NULL UNIQUE,
  chat_ref bigint NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
  conversation integer NOT NULL,
  reason text NOT NULL,
  started_at timestamptz NOT NULL,
  until timestamptz,
  ended_at timestamptz,
  end_reason text
);
CREATE INDEX handoffs_chat ON handoffs (chat_ref, started_at DESC);
CREATE INDEX handoffs_started ON handoffs (started_at);

-- Stream entries that are not a valid event of any known version: kept for an operator
-- (acknowledging them without a trace would drop them; leaving them pending would replay
-- them forever). GET /api/archive/rejected lists them.
CREATE TABLE rejected_events (
  stream_id text PRIMARY KEY,
  reason text NOT NULL,
  raw text NOT NULL,
  rejected_at timestamptz NOT NULL DEFAULT now()
);
