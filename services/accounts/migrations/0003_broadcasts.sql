-- Broadcasts (issue 16): one row per broadcast and one per recipient, so that the report
-- (queued, sent, delivered, read, failed by Meta's error code, skipped) is read from what
-- happened to each recipient, and a cancel stops what is not yet sent without losing the
-- record of what went. Numbered 0003: 0002 is the scheduled notices' migration.

CREATE TABLE broadcasts (
  broadcast_id    text PRIMARY KEY,
  -- scheduled (start time ahead), running, cancelled, done
  state           text NOT NULL,
  -- template or text
  kind            text NOT NULL,
  -- The outbound content as sent to every recipient (a template's parameters per recipient
  -- are filled from `values` and the recipient's own name).
  content         jsonb NOT NULL,
  audience        jsonb NOT NULL,
  -- What the deployment's POST /broadcast sent, when it came that way (target_group).
  source          text NOT NULL DEFAULT 'api',
  start_at        timestamptz NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  cancelled_at    timestamptz,
  finished_at     timestamptz,
  total           integer NOT NULL
);
CREATE INDEX broadcasts_state ON broadcasts (state, start_at);

CREATE TABLE broadcast_recipients (
  broadcast_id         text NOT NULL REFERENCES broadcasts (broadcast_id),
  seq                  integer NOT NULL,
  phone                text NOT NULL,
  customer_id          text,
  name                 text,
  -- pending, queued (handed to the gateway), sent, delivered, read, failed,
  -- skipped_opted_out, skipped_no_consent, skipped_window, cancelled
  state                text NOT NULL DEFAULT 'pending',
  provider_message_id  text,
  error_code           text,
  error_title          text,
  queued_at            timestamptz,
  updated_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (broadcast_id, seq),
  UNIQUE (broadcast_id, phone)
);
CREATE INDEX broadcast_recipients_pending ON broadcast_recipients (broadcast_id, seq) WHERE state = 'pending';
CREATE INDEX broadcast_recipients_queued ON broadcast_recipients (queued_at) WHERE state = 'queued';
CREATE INDEX broadcast_recipients_provider ON broadcast_recipients (provider_message_id)
  WHERE provider_message_id IS NOT NULL;

-- The router each customer of the built-in store hangs from (as MIKROTIK_ROUTERS names it):
-- the "on a router" audience and the outage notices.
ALTER TABLE customers ADD COLUMN router text;
CREATE INDEX customers_router ON customers (lower(router));

-- Outages (issue 16): a general outage on one router, detected by the network service or
-- declared by staff. At most one open per router. Customers on it who wrote in the last
-- hours are told once (`outage`), and told again when it ends (`outage_resolved`).
CREATE TABLE outages (
  outage_id    text PRIMARY KEY,
  router       text NOT NULL,
  -- open, resolved
  state        text NOT NULL DEFAULT 'open',
  -- detected (network), manual (staff)
  source       text NOT NULL,
  -- router_down, failing_diagnoses, manual
  cause        text NOT NULL,
  reason       text,
  opened_at    timestamptz NOT NULL,
  resolved_at  timestamptz,
  resolved_by  text
);
CREATE UNIQUE INDEX outages_one_open_per_router ON outages (lower(router)) WHERE state = 'open';
CREATE INDEX outages_opened ON outages (opened_at DESC);

CREATE TABLE outage_notices (
  outage_id    text NOT NULL REFERENCES outages (outage_id),
  phone        text NOT NULL,
  customer_id  text,
  -- outage, outage_resolved
  kind         text NOT NULL,
  queued_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (outage_id, phone, kind)
);
