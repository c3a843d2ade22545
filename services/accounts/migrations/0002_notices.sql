-- Notices (issue 16): each scheduled or restore notice once per (customer, invoice, kind),
-- and the customers who asked for no notices.

-- One row per notice ever decided. The row is written (state `claimed`) before the message is
-- queued and moved to `queued` after: a run that died in between leaves `claimed`, which the
-- next run queues again under the same job id (the queue and the gateway's send guard drop
-- the second copy), so a notice is neither lost nor sent twice.
CREATE TABLE notices (
  customer_id    text NOT NULL,
  invoice_id     text NOT NULL,
  kind           text NOT NULL,
  -- The outbound job's correlation id (also meta.notice.id).
  notice_id      text NOT NULL UNIQUE,
  chat_id        text NOT NULL,
  business_date  date NOT NULL,
  state          text NOT NULL CHECK (state IN ('claimed', 'queued')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  queued_at      timestamptz,
  PRIMARY KEY (customer_id, invoice_id, kind)
);
CREATE INDEX notices_claimed ON notices (state) WHERE state = 'claimed';

-- Opt-out of notices, per chat (wa_id). The Redis set the gateway reads at send time is a
-- mirror of the rows with opted_out = true, rebuilt from here at every start.
CREATE TABLE notice_opt_outs (
  chat_id      text PRIMARY KEY,
  opted_out    boolean NOT NULL,
  source       text NOT NULL,
  changed_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX notice_opt_outs_changed ON notice_opt_outs (changed_at);

-- Each completed run: the last one is the metric helpline_notices_last_run_timestamp_seconds.
CREATE TABLE notice_runs (
  run_id         bigserial PRIMARY KEY,
  business_date  date NOT NULL,
  trigger        text NOT NULL,
  finished_at    timestamptz NOT NULL DEFAULT now(),
  counts         jsonb NOT NULL
);

-- The language each chat last wrote in (from its account requests): notices go out in it.
CREATE TABLE chat_languages (
  chat_id     text PRIMARY KEY,
  language    text NOT NULL,
  seen_at     timestamptz NOT NULL DEFAULT now()
);
