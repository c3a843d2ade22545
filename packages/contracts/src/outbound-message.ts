import { z } from 'zod';
import { CorrelationId, NonEmpty, NonEmptyId } from './common.js';
import { Text } from './text.js';
import { Classification } from './classification.js';
import { Channel } from './taxonomy.js';
import { TemplatePurpose } from './whatsapp-templates.js';

// Limits are WhatsApp's own (Cloud API reference): a message over them is refused by Meta
// with a 400, so they are refused here before the job is ever stored.

export const TextContent = z.object({
  kind: z.literal('text'),
  body: NonEmpty.max(4096),
  previewUrl: z.boolean().default(false),
});

export const ReplyButton = z.object({
  id: NonEmptyId.max(256),
  title: NonEmpty.max(20),
});

export const ButtonsContent = z.object({
  kind: z.literal('buttons'),
  header: Text.max(60).optional(),
  body: NonEmpty.max(1024),
  footer: Text.max(60).optional(),
  buttons: z.array(ReplyButton).min(1).max(3),
});

export const ListRow = z.object({
  id: NonEmptyId.max(200),
  title: NonEmpty.max(24),
  description: Text.max(72).optional(),
});

export const ListContent = z
  .object({
    kind: z.literal('list'),
    header: Text.max(60).optional(),
    body: NonEmpty.max(4096),
    footer: Text.max(60).optional(),
    /** The label of the button that opens the list. */
    buttonText: NonEmpty.max(20),
    sections: z
      .array(z.object({ title: Text.max(24).optional(), rows: z.array(ListRow).min(1) }))
      .min(1)
      .max(10),
  })
  .refine((l) => l.sections.reduce((n, s) => n + s.rows.length, 0) <= 10, {
    message: 'a list has at most 10 rows in all',
    path: ['sections'],
  });

export const TemplateContent = z.object({
  kind: z.literal('template'),
  name: NonEmptyId.max(512),
  /** Template language code, for example `es` or `en_US`. */
  language: NonEmptyId,
  /** Graph API template components (header/body/button parameters), passed through. */
  components: z.array(z.record(Text, z.unknown())).optional(),
});

/**
 * A document another Helpline service made (a statement PDF), sent by reference: the gateway
 * fetches its bytes from that service's internal `GET /api/documents/:id` with the operator
 * token, uploads them through the Cloud API's `POST /{phone-number-id}/media` and sends the
 * message by the media id Meta gives. The bytes never travel through Redis.
 */
export const DocumentReference = z.object({
  service: z.enum(['accounts']),
  id: NonEmpty.max(128).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only'),
});
export type DocumentReference = z.infer<typeof DocumentReference>;

export const MediaContent = z
  .object({
    kind: z.literal('media'),
    mediaType: z.enum(['image', 'video', 'audio', 'document', 'sticker']),
    /** An uploaded media id, a public link, or a Helpline document reference: exactly one. */
    id: NonEmptyId.optional(),
    link: z.url().optional(),
    ref: DocumentReference.optional(),
    caption: Text.max(1024).optional(),
    filename: Text.max(240).optional(),
  })
  .refine((m) => [m.id, m.link, m.ref].filter(Boolean).length === 1, {
    message: 'needs exactly one of id, link or ref',
  })
  .refine((m) => !m.ref || m.mediaType === 'document', {
    message: 'a reference is sent as a document',
    path: ['ref'],
  });

/** A place on the map (Cloud API `location` message): a payment point, for example. */
export const LocationContent = z.object({
  kind: z.literal('location'),
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  name: Text.max(1000).optional(),
  address: Text.max(1000).optional(),
});

/** Marks the customer's message as read and, optionally, shows the typing indicator. */
export const MarkReadContent = z.object({
  kind: z.literal('mark_read'),
  messageId: NonEmptyId,
  typing: z.boolean().default(false),
});

export const OutboundContent = z.discriminatedUnion('kind', [
  TextContent,
  ButtonsContent,
  ListContent,
  TemplateContent,
  MediaContent,
  MarkReadContent,
  LocationContent,
]);
export type OutboundContent = z.infer<typeof OutboundContent>;

/** Which notice a message is: its purpose, its own idempotency id, and its broadcast if any. */
export const NoticeRef = z.object({
  purpose: TemplatePurpose,
  /** The notice's id, unique per (customer, invoice or incident or broadcast, kind). */
  id: NonEmptyId.max(200),
  /** The broadcast it belongs to, when it is one recipient of a broadcast. */
  broadcastId: NonEmptyId.max(64).optional(),
  /**
   * The values its template's parameters are filled from, by name (`customer_name`,
   * `amount`, `due_date`, ...; see WHATSAPP_TEMPLATES_FILE): outside the 24-hour window the
   * gateway sends the purpose's template with them instead of the text.
   */
  values: z
    .record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a value name such as customer_name'), Text.max(1024))
    .optional(),
});
export type NoticeRef = z.infer<typeof NoticeRef>;

export const OutboundMessage = z.object({
  correlationId: CorrelationId,
  /** Why this message is sent (`ack`, `diagnosis`, `ticket`, `menu`, ...); part of the job id. */
  purpose: NonEmpty.max(64).regex(/^[a-z0-9_.-]+$/, 'lowercase letters, digits, _ . - only'),
  channel: Channel,
  /**
   * Send on the channel the chat last wrote on (Cloud API or Twilio, from the gateway's chat
   * record at send time), or on the deployment's own when the chat never wrote or that
   * channel is off (the Cloud API when configured, else Twilio). For messages a service
   * starts itself (notices, broadcasts, outage notices, receipt decisions), which answer no
   * inbound message. `channel` is then only what a gateway older than this field uses.
   * Optional, added later: older jobs still validate.
   */
  channelFromChat: z.boolean().optional(),
  /** wa_id or business-scoped user id (cloud), group JID (group). */
  to: NonEmptyId,
  content: OutboundContent,
  /** JIDs to mention (groups). */
  mentions: z.array(NonEmptyId).optional(),
  /** The message this one replies to (Cloud: context.message_id; groups: quoted). */
  replyTo: NonEmptyId.optional(),
  /**
   * What the gateway records beside the message: the classification for the conversation
   * log, and a request to hand the chat to a person. Optional so that a producer that has
   * nothing to say sends nothing.
   */
  meta: z
    .object({
      classification: Classification.optional(),
      handoff: z.boolean().optional(),
      /**
       * The customer's id in the customer directory, when the producer identified the
       * customer (network's diagnosis, a ticket's contact). Optional, added after the first
       * release: the gateway records it on the chat so staff and /api/stats know which
       * chats belong to a known customer; older jobs without it still validate.
       */
      customerId: NonEmptyId.max(128).optional(),
      /**
       * The customer's voice note as the classifier transcribed it: the gateway keeps it on
       * the voice note's log entry (beside the audio reference) and in later history.
       */
      transcript: Text.max(8_000).optional(),
      /**
       * What the chat waits for once this message is out (the accounts service asks a
       * question): `account_identity`, the next text is a document number or customer id;
       * `payment_receipt`, the next image or PDF is a payment receipt; `none` ends the wait.
       * The gateway keeps it on the chat and routes the answer to `accounts`.
       */
      awaiting: z.enum(['account_identity', 'payment_receipt', 'none']).optional(),
      /**
       * The classifier's assistant wrote this text: who (a provider, or `knowledge` for an
       * entry's own text) and from which knowledge entries (their headings). Recorded in the
       * conversation log beside the message. Optional, added later; older jobs still validate.
       */
      answer: z
        .object({
          source: z.enum(['openai', 'gemini', 'anthropic', 'knowledge']),
          entries: z.array(NonEmpty.max(300)).max(10),
        })
        .optional(),
      /**
       * This message is a notice (issue 16): a scheduled reminder, an outage notice or one
       * recipient of a broadcast. At send time the gateway skips it (and says so with a
       * `notice_skipped` conversation event) when the chat has no Ley 1581 consent or the
       * customer opted out of notices, so nothing already queued slips through an opt-out.
       * Messages the customer asked for never carry it. Optional, added later.
       */
      notice: NoticeRef.optional(),
    })
    .optional(),
});
export type OutboundMessage = z.infer<typeof OutboundMessage>;
export type OutboundMessageInput = z.input<typeof OutboundMessage>;
