-- The built-in back-office (BILLING_PROVIDER=local) and what every provider keeps here:
-- payment receipts and the statement documents the gateway fetches.

CREATE TABLE customers (
  customer_id      text PRIMARY KEY,
  name             text,
  document_number  text,
  -- The document number without spaces, dots and dashes: what a typed number is matched on.
  document_key     text,
  phones           text[] NOT NULL DEFAULT '{}',
  -- Last ten digits of each phone: `+57 300 123 4567` and `3001234567` are one number.
  phone_keys       text[] NOT NULL DEFAULT '{}',
  status           text NOT NULL DEFAULT 'active',
  plan_id          text,
  cutoff_date      date,
  city             text,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customers_document_key ON customers (document_key);
CREATE INDEX customers_phone_keys ON customers USING gin (phone_keys);

CREATE TABLE plans (
  plan_id        text PRIMARY KEY,
  name           text NOT NULL,
  price_minor    bigint,
  download       text,
  upload         text,
  updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE invoices (
  invoice_id     text PRIMARY KEY,
  customer_id    text NOT NULL,
  number         text,
  issued_on      date,
  due_on         date,
  total_minor    bigint NOT NULL,
  state          text NOT NULL,
  paid_on        date,
  document_url   text,
  description    text,
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invoices_customer ON invoices (customer_id, state);

CREATE TABLE payments (
  payment_id     bigserial PRIMARY KEY,
  invoice_id     text NOT NULL,
  customer_id    text NOT NULL,
  amount_minor   bigint NOT NULL,
  method         text NOT NULL,
  reference      text NOT NULL,
  paid_at        timestamptz NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE payment_methods (
  method_id      text PRIMARY KEY,
  name           text NOT NULL
);
INSERT INTO payment_methods (method_id, name) VALUES
  ('cash', 'Efectivo'), ('transfer', 'Transferencia'), ('card', 'Tarjeta'), ('pse', 'PSE');

CREATE TABLE payment_points (
  point_id       text PRIMARY KEY,
  name           text NOT NULL,
  address        text NOT NULL,
  city           text,
  hours          text,
  latitude       double precision,
  longitude      double precision,
  methods        text[] NOT NULL DEFAULT '{}',
  updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Payment receipts customers sent: the bytes, their hash (a duplicate is recognised), and
-- the decision staff took, exactly once.
CREATE TABLE receipts (
  receipt_id      bigserial PRIMARY KEY,
  correlation_id  text NOT NULL UNIQUE,
  sha256          text NOT NULL,
  chat_id         text NOT NULL,
  phone           text NOT NULL,
  language        text NOT NULL,
  customer_id     text,
  media_id        text NOT NULL,
  mime_type       text NOT NULL,
  size_bytes      integer NOT NULL,
  bytes           bytea NOT NULL,
  caption         text,
  -- pending, confirming (the back-office call is under way or its outcome unknown), confirmed, rejected
  state           text NOT NULL DEFAULT 'pending',
  received_at     timestamptz NOT NULL DEFAULT now(),
  decided_at      timestamptz,
  decision        jsonb,
  result          jsonb
);
CREATE UNIQUE INDEX receipts_sha256 ON receipts (sha256);
CREATE INDEX receipts_state ON receipts (state, received_at);

-- Statement PDFs made for a customer, fetched by the gateway to upload to WhatsApp.
CREATE TABLE documents (
  document_id     text PRIMARY KEY,
  customer_id     text NOT NULL,
  invoice_id      text NOT NULL,
  mime_type       text NOT NULL,
  filename        text NOT NULL,
  bytes           bytea NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);
