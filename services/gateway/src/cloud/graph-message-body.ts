import { jobIds, type OutboundContent, type OutboundMessage } from '@helpline/contracts';

type Json = Record<string, unknown>;

/** Drops undefined members: Graph refuses some empty fields (an empty header, a null footer). */
function defined(o: Json): Json {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function content(c: Exclude<OutboundContent, { kind: 'mark_read' }>): Json {
  switch (c.kind) {
    case 'text':
      return { type: 'text', text: { body: c.body, preview_url: c.previewUrl } };
    case 'buttons':
      return {
        type: 'interactive',
        interactive: defined({
          type: 'button',
          header: c.header ? { type: 'text', text: c.header } : undefined,
          body: { text: c.body },
          footer: c.footer ? { text: c.footer } : undefined,
          action: { buttons: c.buttons.map((b) => ({ type: 'reply', reply: { id: b.id, title: b.title } })) },
        }),
      };
    case 'list':
      return {
        type: 'interactive',
        interactive: defined({
          type: 'list',
          header: c.header ? { type: 'text', text: c.header } : undefined,
          body: { text: c.body },
          footer: c.footer ? { text: c.footer } : undefined,
          action: {
            button: c.buttonText,
            sections: c.sections.map((s) =>
              defined({
                title: s.title,
                rows: s.rows.map((r) => defined({ id: r.id, title: r.title, description: r.description })),
              }),
            ),
          },
        }),
      };
    case 'template':
      return {
        type: 'template',
        template: defined({ name: c.name, language: { code: c.language }, components: c.components }),
      };
    case 'media': {
      // Captions exist for image, video and document; filenames for documents only.
      const caption = c.mediaType === 'audio' || c.mediaType === 'sticker' ? undefined : c.caption;
      const filename = c.mediaType === 'document' ? c.filename : undefined;
      // A `ref` is resolved to an uploaded media id by the sender before the body is built.
      return { type: c.mediaType, [c.mediaType]: defined({ id: c.id, link: c.link, caption, filename }) };
    }
    case 'location':
      return {
        type: 'location',
        location: defined({ latitude: c.latitude, longitude: c.longitude, name: c.name, address: c.address }),
      };
  }
}

/**
 * Other apps on the same WhatsApp Business Account may send messages with callback data
 * of their own, and their statuses reach this webhook too: ours carry this prefix.
 */
const CALLBACK_PREFIX = 'helpline:';

/**
 * What a message is sent with as `biz_opaque_callback_data`, which Meta returns untouched in
 * the message's status webhooks: `helpline:` and the outbound job id
 * (`<correlationId>-<purpose>`). It ties a delivery report to its story (and to the send
 * guard) even after the wamid record has expired, and lets whoever reads the Graph traffic
 * tell which message a reply answers. Meta allows 512 characters; ids are far shorter.
 */
export function callbackDataFor(message: Pick<OutboundMessage, 'correlationId' | 'purpose'>): string {
  return `${CALLBACK_PREFIX}${jobIds.outbound(message.correlationId, message.purpose)}`.slice(0, 512);
}

/** The outbound job id a status's callback data names, when it is ours. */
export function outboundJobIdOf(callbackData: string | undefined): string | undefined {
  return callbackData?.startsWith(CALLBACK_PREFIX) ? callbackData.slice(CALLBACK_PREFIX.length) : undefined;
}

/** The JSON body of `POST /{phone-number-id}/messages` for one outbound message. */
export function graphMessageBody(message: OutboundMessage): Json {
  const c = message.content;
  if (c.kind === 'mark_read') {
    return defined({
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: c.messageId,
      typing_indicator: c.typing ? { type: 'text' } : undefined,
    });
  }
  return defined({
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: message.to,
    context: message.replyTo ? { message_id: message.replyTo } : undefined,
    biz_opaque_callback_data: callbackDataFor(message),
    ...content(c),
  });
}

/** Content WhatsApp allows only inside the 24-hour window (everything but templates and read marks). */
export function isFreeForm(c: OutboundContent): boolean {
  return c.kind !== 'template' && c.kind !== 'mark_read';
}
