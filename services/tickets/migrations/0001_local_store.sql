-- The built-in ticket store (CRM_PROVIDER=local), in the tickets service's own schema.
-- Forward-only: a change is a new file, never an edit of this one.

-- Departments come from LOCAL_TICKET_DEPARTMENTS; the service writes them here at start so
-- tickets can reference them and staff can query names. One no longer configured is kept,
-- disabled, since old tickets still name it.
CREATE TABLE departments (
  id text PRIMARY KEY,
  name text NOT NULL,
  enabled boolean NOT NULL DEFAULT true
);

-- Numbers are taken from this row inside the creating transaction: a create that rolls back
-- gives its number back, so numbers have no gaps and are never used twice.
CREATE TABLE counters (
  name text PRIMARY KEY,
  value bigint NOT NULL CHECK (value >= 0)
);
INSERT INTO counters (name, value) VALUES ('ticket', 0), ('contact', 0);

CREATE TABLE contacts (
  id text PRIMARY KEY,            -- 'C' and a number, as the Redis store wrote them
  name text,
  phone text,                     -- digits, country code first (see src/contacts/phone.ts)
  email text,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- One contact per phone.
CREATE UNIQUE INDEX contacts_phone_key ON contacts (phone) WHERE phone IS NOT NULL;

CREATE TABLE tickets (
  id bigint PRIMARY KEY,          -- also the number a customer quotes
  idempotency_key text NOT NULL UNIQUE,
  status text NOT NULL,
  department_id text REFERENCES departments (id),
  contact_id text NOT NULL REFERENCES contacts (id),
  subject text NOT NULL,
  description text NOT NULL,
  priority text NOT NULL,
  category text NOT NULL,
  channel text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX tickets_contact_idx ON tickets (contact_id, created_at DESC);
CREATE INDEX tickets_status_idx ON tickets (status, created_at DESC);

-- The one-time move of tickets the Redis store held before this version: one row once done.
CREATE TABLE redis_import (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  tickets integer NOT NULL,
  contacts integer NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now()
);
