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
              defined({ title: s.title, rows: s.rows.map((r) => defined({ id: r.id, title: r.title, description: r.description })) }),
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
      return { type: c.mediaType, [c.mediaType]: defined({ id: c.id, link: c.link, caption, filename }) };
    }
  }
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
    // Meta returns this string, untouched, in the message's status webhooks: the outbound
    // job id (`<correlationId>-<purpose>`) ties a delivery report to its story even after
    // the wamid record has expired, and lets whoever reads the Graph traffic tell which
    // message a reply answers. At most 512 characters; ids are far shorter.
    biz_opaque_callback_data: jobIds.outbound(message.correlationId, message.purpose).slice(0, 512),
    ...content(c),
  });
}

/** Content WhatsApp allows only inside the 24-hour window (everything but templates and read marks). */
export function isFreeForm(c: OutboundContent): boolean {
  return c.kind !== 'template' && c.kind !== 'mark_read';
}
