-- Tickets opened for a chat and their status, from the tickets service's events
-- (ticket_opened, ticket_status): what "has open ticket" reads. Keyed by the ticket, with the
-- chat it was opened for; a status may arrive before its opening and is kept all the same.
CREATE TABLE tickets (
  ticket_id   text PRIMARY KEY,
  channel     text NOT NULL,
  chat_id     text NOT NULL,
  number      text,
  provider    text,
  status      text NOT NULL,
  open        boolean NOT NULL,
  opened_at   timestamptz,
  updated_at  timestamptz NOT NULL
);
CREATE INDEX tickets_chat ON tickets (chat_id, channel) WHERE open;
