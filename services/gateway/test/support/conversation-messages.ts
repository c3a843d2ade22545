import { type InboundMessage, InboundMessage as InboundSchema } from '@helpline/contracts';

let sequence = 0;

/** A unique wamid-like id. */
export function nextWamid(): string {
  sequence += 1;
  return `wamid.HBgMNTczMDAxMTEyMjMzFQIAEhgg${Date.now().toString(36)}${sequence}`;
}

/** A normalised Cloud API text message, as the webhook hands it to the sink. */
export function cloudText(chatId: string, text: string, at: Date, over: Partial<InboundMessage> = {}): InboundMessage {
  const id = over.id ?? nextWamid();
  return InboundSchema.parse({
    id,
    correlationId: id,
    channel: 'cloud',
    chatId,
    from: chatId,
    senderPhone: chatId,
    senderName: 'Ana',
    text,
    type: 'text',
    sentAt: at.toISOString(),
    receivedAt: at.toISOString(),
    ...over,
  });
}

/** A tap on a reply button or a list row. */
export function cloudReply(
  chatId: string,
  kind: 'button_reply' | 'list_reply',
  replyId: string,
  title: string,
  at: Date,
): InboundMessage {
  return cloudText(chatId, title, at, {
    type: 'interactive',
    rawType: 'interactive',
    reply: { kind, id: replyId, title },
  });
}
