/**
 * Every coded error of Helpline, declared once (in the manner of fastify's lib/errors.js):
 * its code, the HTTP status the app's error handler answers with, and whether retrying can
 * help (workers retry or fail at once by it; breakers do not count a non-retryable error
 * against the provider). `answer` is the `error` field of the HTTP body when it differs
 * from the code, so that answers clients already read stay as they were.
 *
 * Add a code here and a row to docs/errors.md; a runtime test fails when the two disagree.
 */
export interface ErrorDeclaration {
  readonly code: string;
  readonly statusCode: number;
  readonly retryable: boolean;
  /** One line for docs/errors.md. */
  readonly description: string;
  /** The `error` field of the HTTP answer; the code when absent. */
  readonly answer?: string;
}

const declarations = new Map<string, ErrorDeclaration>();

function declare(
  code: string,
  statusCode: number,
  retryable: boolean,
  description: string,
  answer?: string,
): ErrorDeclaration {
  if (declarations.has(code)) throw new Error(`error code ${code} declared twice`);
  const declaration = { code, statusCode, retryable, description, ...(answer ? { answer } : {}) };
  declarations.set(code, declaration);
  return declaration;
}

export const ERRORS = {
  // Generic HTTP answers (runtime).
  bad_request: declare('bad_request', 400, false, 'The request does not fit its schema, or its body is not JSON.'),
  unauthorized: declare('unauthorized', 401, false, 'Missing or wrong bearer token.'),
  forbidden: declare('forbidden', 403, false, 'The request is understood and refused.'),
  not_found: declare('not_found', 404, false, 'No such route or resource.'),
  conflict: declare('conflict', 409, false, 'The request conflicts with the current state.'),
  payload_too_large: declare('payload_too_large', 413, false, 'The body is larger than the route accepts.'),
  unsupported_media_type: declare(
    'unsupported_media_type',
    415,
    false,
    'The body has a content type the route does not read.',
  ),
  unprocessable: declare('unprocessable', 422, false, 'The request is well formed but cannot be carried out.'),
  internal_error: declare('internal_error', 500, true, 'A fault of the service; details are in its log only.'),
  unavailable: declare('unavailable', 503, true, 'A store or queue the request needs does not answer now; try again.'),
  operator_api_disabled: declare(
    'operator_api_disabled',
    503,
    false,
    'Operator routes are closed until API_TOKEN is set.',
  ),
  // Queues and deadlines (runtime).
  invalid_payload: declare(
    'invalid_payload',
    422,
    false,
    'A job payload does not fit its queue contract; the job fails at once.',
  ),
  queue_unavailable: declare(
    'queue_unavailable',
    503,
    true,
    'Redis did not take the job in time; nothing was acknowledged.',
    'unavailable',
  ),
  deadline_exceeded: declare(
    'deadline_exceeded',
    503,
    true,
    'A call did not finish within its deadline.',
    'unavailable',
  ),
  queue_add_failed: declare(
    'queue_add_failed',
    500,
    true,
    'Adding a job failed for a reason that is neither Redis away nor the payload (a surprise); logged once with its cause.',
    'internal_error',
  ),
  // Gateway.
  webhook_disabled: declare('webhook_disabled', 503, false, 'POST /webhook while META_APP_SECRET is unset.'),
  whatsapp_unavailable: declare('whatsapp_unavailable', 502, true, 'WhatsApp (group mode) did not answer a request.'),
  window_closed: declare(
    'window_closed',
    422,
    false,
    'Outside the 24-hour window with no WHATSAPP_WINDOW_TEMPLATE set.',
  ),
  invalid_signature: declare('invalid_signature', 401, false, 'A webhook without a valid X-Hub-Signature-256.'),
  group_mode_disabled: declare('group_mode_disabled', 404, false, 'Group routes while BAILEYS_ENABLED is off.'),
  already_linked: declare('already_linked', 409, false, 'The WhatsApp account is already linked.'),
  no_qr_pending: declare('no_qr_pending', 409, false, 'No QR code is waiting to be scanned.'),
  pairing_by_code: declare('pairing_by_code', 409, false, 'The session is pairing by code, not by QR.'),
  session_not_open: declare('session_not_open', 409, false, 'The group session is not open.'),
  channel_disabled: declare(
    'channel_disabled',
    422,
    false,
    'An outbound message for a channel that is not configured.',
  ),
  unsupported_content: declare('unsupported_content', 422, false, 'A content kind the group channel cannot send.'),
  not_a_group: declare('not_a_group', 422, false, 'A group message whose recipient is not a group JID.'),
  group_not_allowed: declare('group_not_allowed', 422, false, 'A group message to a group not in WHATSAPP_GROUP_IDS.'),
  invalid_group_message: declare(
    'invalid_group_message',
    422,
    false,
    'A spooled group message that does not fit the inbound contract.',
  ),
  send_retry: declare(
    'send_retry',
    503,
    true,
    'A send that may be retried: the provider asked to, or its outcome is unknown.',
  ),
  send_in_progress: declare('send_in_progress', 503, true, 'Another attempt is sending this outbound job right now.'),
  observers_failed: declare(
    'observers_failed',
    503,
    true,
    'A message was sent but recording it failed; recording is retried, the send is not.',
  ),
  group_not_connected: declare(
    'group_not_connected',
    503,
    true,
    'The group socket is not connected; the send is retried.',
  ),
  // Gateway: the channels' providers. `providerCode` keeps Meta's or Twilio's own number.
  graph_refused: declare(
    'graph_refused',
    422,
    false,
    "The Graph API refused a request and retrying cannot help (a 4xx, or a Meta error code such as 131026); the error's providerCode is Meta's number.",
  ),
  graph_unavailable: declare(
    'graph_unavailable',
    502,
    true,
    "The Graph API answered with an error retrying may fix (5xx, 408, 429, Meta's rate limits 4, 80007, 130429, 131056).",
  ),
  graph_unreachable: declare(
    'graph_unreachable',
    503,
    true,
    'The Graph API gave no answer (connection refused or reset, no answer in time).',
  ),
  twilio_refused: declare(
    'twilio_refused',
    422,
    false,
    "Twilio's Messages API refused a request and retrying cannot help (a 4xx, or a Twilio error code such as 63016); the error's providerCode is Twilio's number.",
  ),
  twilio_unavailable: declare(
    'twilio_unavailable',
    502,
    true,
    "Twilio's Messages API answered with an error retrying may fix (5xx, 408, 429, Twilio's 20429, 63018, 30001).",
  ),
  twilio_unreachable: declare(
    'twilio_unreachable',
    503,
    true,
    "Twilio's Messages API gave no answer (connection refused or reset, no answer in time).",
  ),
  twilio_content_failed: declare(
    'twilio_content_failed',
    502,
    true,
    "Twilio's Content API did not make the content for buttons or a list; they go as numbered text instead.",
  ),
  media_too_large: declare(
    'media_too_large',
    413,
    false,
    "An inbound message's media is larger than MEDIA_MAX_BYTES (GET /api/media).",
  ),
  media_upstream: declare(
    'media_upstream',
    502,
    true,
    "The channel holding an inbound message's media (or, for another service, the gateway) did not answer or failed.",
  ),
  channel_not_configured: declare(
    'channel_not_configured',
    503,
    false,
    'GET /api/media names a channel this gateway has no credentials for.',
  ),
  auth_state_unstored: declare(
    'auth_state_unstored',
    503,
    true,
    "A write of the group session's auth state (Baileys creds and keys) did not reach Redis.",
  ),
  document_source_failed: declare(
    'document_source_failed',
    502,
    true,
    'The service holding a document sent by reference failed to serve it (5xx, 429); the send is retried.',
  ),
  // Network.
  router_unavailable: declare(
    'router_unavailable',
    503,
    true,
    'A router did not answer usefully: no connection, a timeout, a dropped or undecodable connection, its breaker open, no free slot.',
  ),
  router_login_failed: declare(
    'router_login_failed',
    502,
    true,
    'A router refused the login (MIKROTIK_USER / MIKROTIK_PASSWORD, or its login limit); it counts against the router so a wrong password does not hammer it.',
  ),
  router_refused: declare(
    'router_refused',
    422,
    false,
    'A router answered !trap: it is up and refused the command (the command or its value is wrong for it).',
  ),
  unsafe_value: declare(
    'unsafe_value',
    422,
    false,
    "A value for a router command (an address, a user name) failed its check before reaching the wire; the error's field names it.",
  ),
  unknown_router: declare(
    'unknown_router',
    422,
    false,
    "The customer's record names none of the several configured routers (MIKROTIK_ROUTERS), or none at all.",
  ),
  diagnosis_busy: declare(
    'diagnosis_busy',
    503,
    true,
    'A diagnosis for the same customer is running; try again shortly.',
    'unavailable',
  ),
  accounts_unavailable: declare(
    'accounts_unavailable',
    502,
    true,
    'The accounts service did not take a detected outage (POST /api/outages answered an error).',
  ),
  wisphub_refused: declare('wisphub_refused', 502, false, 'WispHub refused the request (bad key or URL).'),
  directory_unavailable: declare(
    'directory_unavailable',
    503,
    true,
    'The customer directory (WispHub) did not answer or refused an operator request; try again later.',
    'unavailable',
  ),
  wisphub_unavailable: declare(
    'wisphub_unavailable',
    502,
    true,
    'WispHub did not answer usefully (no answer in time, 5xx, 429, a body that is not the expected JSON, its breaker open).',
  ),
  // Classifier.
  provider_refused: declare(
    'provider_refused',
    502,
    false,
    'An LLM or speech provider refused the request (400, 422, a wrong key); the chain passes it over and its breaker ignores it.',
  ),
  provider_unavailable: declare(
    'provider_unavailable',
    503,
    true,
    'An LLM or speech provider did not answer in time, was rate limited, failed (5xx) or could not be reached.',
  ),
  provider_invalid_answer: declare(
    'provider_invalid_answer',
    502,
    true,
    "An LLM answered something that is not a classification (not JSON, empty, outside the answer's schema, a refusal).",
  ),
  no_knowledge_dir: declare(
    'no_knowledge_dir',
    409,
    false,
    'POST /api/knowledge/reload while KNOWLEDGE_DIR is not set: there is no knowledge base to reload.',
  ),
  // Tickets.
  crm_refused: declare(
    'crm_refused',
    422,
    false,
    'The CRM refused the request; retrying cannot fix it.',
    'unprocessable',
  ),
  crm_unavailable: declare(
    'crm_unavailable',
    503,
    true,
    'The CRM cannot answer now (5xx, 429, network, breaker open).',
  ),
  ticket_busy: declare(
    'ticket_busy',
    503,
    true,
    'Another attempt is creating this ticket (or its contact) now.',
    'crm_unavailable',
  ),
  managed_in_crm: declare(
    'managed_in_crm',
    409,
    false,
    'Ticket statuses are changed in Zoho Desk, not through the API.',
  ),
  // Gateway: documents by reference and Twilio.
  document_source_unset: declare(
    'document_source_unset',
    500,
    false,
    'A document sent by reference names a service whose URL (ACCOUNTS_URL) is not configured.',
  ),
  document_unavailable: declare(
    'document_unavailable',
    502,
    false,
    'The service holding a document sent by reference does not have it (404) or refused it.',
  ),
  document_too_large: declare(
    'document_too_large',
    413,
    false,
    'A document sent by reference is larger than the Cloud API media upload accepts.',
  ),
  twilio_media_id: declare(
    'twilio_media_id',
    422,
    false,
    'Twilio sends media by public URL only; the message names a Cloud API media id or a document by reference.',
  ),
  twilio_template_unmapped: declare(
    'twilio_template_unmapped',
    422,
    false,
    'The template has no Twilio Content SID in WHATSAPP_TEMPLATES_FILE.',
  ),
  twilio_mark_read: declare('twilio_mark_read', 422, false, 'Twilio has no read receipt to send.'),
  recipient_invalid: declare(
    'recipient_invalid',
    422,
    false,
    'The channel says the recipient cannot receive WhatsApp messages (a Twilio recipient error code).',
  ),
  wrong_account: declare(
    'wrong_account',
    403,
    false,
    "A Twilio webhook whose AccountSid is not this gateway's Twilio account.",
  ),
  // Accounts.
  backoffice_refused: declare(
    'backoffice_refused',
    502,
    false,
    'The back-office (WispHub) refused to register the payment; the receipt stays pending.',
  ),
  backoffice_uncertain: declare(
    'backoffice_uncertain',
    502,
    false,
    "The back-office's answer to a payment registration was lost: the payment may be registered; check before anything else.",
  ),
  media_not_found: declare(
    'media_not_found',
    404,
    false,
    "The gateway does not know an inbound message's media id (GET /api/media; a receipt, a voice note or a ticket attachment): expired or never received.",
  ),
  attachment_too_large: declare(
    'attachment_too_large',
    413,
    false,
    "A document or photo for a chat's open ticket is larger than the CRM accepts (TICKETS_ATTACHMENT_MAX_BYTES, Zoho Desk 20 MB).",
  ),
  receipt_being_confirmed: declare(
    'receipt_being_confirmed',
    409,
    true,
    "An erasure met a receipt whose payment is being registered now; the rest is erased, repeat once staff's decision is recorded.",
  ),
  broadcast_content: declare(
    'broadcast_content',
    422,
    false,
    "A broadcast's content cannot be built: neither template nor text, a purpose WHATSAPP_TEMPLATES_FILE does not map, a template value missing.",
    'unprocessable',
  ),
  notices_not_queued: declare(
    'notices_not_queued',
    503,
    true,
    "Some of a run's notices could not be queued; the run is retried (notices already queued are not repeated).",
  ),
  receipt_too_large: declare(
    'receipt_too_large',
    413,
    false,
    'A payment receipt is larger than RECEIPT_MAX_BYTES; the customer is told, nothing is retried.',
  ),
  receipt_wrong_type: declare(
    'receipt_wrong_type',
    415,
    false,
    'A payment receipt is not an image (JPEG, PNG, WebP) or a PDF; the customer is told, nothing is retried.',
  ),
  gateway_unavailable: declare(
    'gateway_unavailable',
    502,
    true,
    'The gateway did not answer a request of another service, or answered with an error.',
  ),
  // Desk.
  erasure_incomplete: declare(
    'erasure_incomplete',
    502,
    true,
    'A data-removal request reached some services and not others; the answer names each, repeat it (every step is safe to repeat).',
  ),
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** Every declaration, in the order declared. */
export function errorCatalogue(): readonly ErrorDeclaration[] {
  return [...declarations.values()];
}

/** The declaration of a code, when it is declared. */
export function declarationOf(code: string): ErrorDeclaration | undefined {
  return declarations.get(code);
}
