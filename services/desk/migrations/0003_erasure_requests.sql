-- Data-removal requests (DELETE /api/conversations/:chatId) and how far each got: one row per
-- chat, the outcome of every service. A request that did not reach every service stays
-- incomplete (completed_at NULL) until it is repeated: GET /api/erasures lists those, and
-- helpline_desk_erasures_incomplete counts them for the HelplineErasureIncomplete alert. The row
-- is the controller's record that the request was made and carried out (Ley 1581, art. 17).
CREATE TABLE erasure_requests (
  chat_id            text PRIMARY KEY,
  first_requested_at timestamptz NOT NULL,
  last_attempt_at    timestamptz NOT NULL,
  attempts           integer NOT NULL DEFAULT 1,
  completed_at       timestamptz,
  outcome            jsonb NOT NULL
);
CREATE INDEX erasure_requests_incomplete ON erasure_requests (first_requested_at) WHERE completed_at IS NULL;
