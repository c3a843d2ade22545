-- Documents and photos a customer sent in a chat with an open ticket (issue 15). The local
-- store keeps a reference to the channel's media (its id, the channel to fetch it through the
-- gateway, type, size, name, SHA-256), not the bytes. One customer message, one attachment:
-- the message id is unique, so a job that runs twice records it once.
CREATE TABLE attachments (
  id bigserial PRIMARY KEY,
  ticket_id bigint NOT NULL REFERENCES tickets (id),
  message_id text NOT NULL UNIQUE,
  media_id text NOT NULL,
  channel text NOT NULL,
  filename text NOT NULL,
  mime_type text NOT NULL,
  size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
  sha256 text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_ticket ON attachments (ticket_id);
