import { z } from 'zod';
import { CorrelationId, IsoDateTime, NonEmptyId } from './common.js';
import { Identifier, Text } from './text.js';
import { Channel } from './taxonomy.js';

/**
 * A document or photo a customer sent in a chat, to be attached to the chat's open ticket.
 * It carries the media *reference* only: the tickets service downloads the bytes through the
 * gateway's `GET /api/media/:mediaId?channel=...` when it attaches, so no file rides Redis.
 * Shares the `tickets` queue with `TicketRequest`, told apart by `kind`.
 */
export const TicketAttachmentRequest = z.object({
  kind: z.literal('attach'),
  /** The customer's message that carried the media: one message, one attachment. */
  messageId: NonEmptyId.max(256),
  correlationId: CorrelationId,
  /** The chat whose open ticket receives it. */
  chat: z.object({ channel: Channel, chatId: NonEmptyId }),
  media: z.object({
    /** The channel's media id, as `GET /api/media/:mediaId` takes it. */
    id: Identifier.trim().regex(/^[A-Za-z0-9._-]{1,128}$/, 'expected a media id (letters, digits, . _ -, at most 128)'),
    mimeType: Text.max(255).optional(),
    /** The customer's file name (documents); photos have none and are named after the message. */
    filename: Text.max(255).optional(),
    caption: Text.max(4096).optional(),
  }),
  sentAt: IsoDateTime,
});
export type TicketAttachmentRequest = z.infer<typeof TicketAttachmentRequest>;
export type TicketAttachmentRequestInput = z.input<typeof TicketAttachmentRequest>;
