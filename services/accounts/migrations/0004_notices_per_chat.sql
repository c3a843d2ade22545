-- Notices (issue 16): a notice goes to every phone of the account, not only the first, so
-- it is decided once per (customer, invoice, kind, chat). Rows written before keep their
-- chat, so a notice already sent to the first phone is not sent to it again.
-- (0003 is the broadcasts' migration on another branch.)
ALTER TABLE notices DROP CONSTRAINT notices_pkey;
ALTER TABLE notices ADD PRIMARY KEY (customer_id, invoice_id, kind, chat_id);
