import type { ChatOption } from './webhook-payloads.js';

interface Rendered {
  lines: string[];
  options: ChatOption[];
}

type Row = { id: string; title: string; description?: string };

/**
 * What the customer would see on the phone for one Graph API send, as terminal lines, and
 * the options it offers (reply buttons, list rows), numbered from 1 in the order shown.
 */
export function renderGraphMessage(body: Record<string, unknown>, messageId: string): Rendered {
  const type = String(body.type ?? '');
  if (type === 'text') {
    const text = body.text as { body: string };
    return { lines: [`bot: ${text.body}`], options: [] };
  }
  if (type === 'interactive') {
    const interactive = body.interactive as {
      type: string;
      header?: { text?: string };
      body: { text: string };
      footer?: { text?: string };
      action: {
        buttons?: { reply: { id: string; title: string } }[];
        button?: string;
        sections?: { title?: string; rows: Row[] }[];
      };
    };
    const lines = [
      ...(interactive.header?.text ? [`bot: *${interactive.header.text}*`] : []),
      `bot: ${interactive.body.text}`,
    ];
    const options: ChatOption[] = [];
    if (interactive.type === 'button') {
      for (const { reply } of interactive.action.buttons ?? []) {
        options.push({ kind: 'button_reply', id: reply.id, title: reply.title, messageId });
        lines.push(`   [${options.length}] ${reply.title}`);
      }
    } else if (interactive.type === 'list') {
      lines.push(`   (${interactive.action.button ?? 'options'})`);
      for (const section of interactive.action.sections ?? []) {
        if (section.title) lines.push(`   ${section.title}`);
        for (const row of section.rows) {
          options.push({ kind: 'list_reply', id: row.id, title: row.title, messageId });
          lines.push(`   [${options.length}] ${row.title}${row.description ? ` - ${row.description}` : ''}`);
        }
      }
    }
    if (interactive.footer?.text) lines.push(`   ${interactive.footer.text}`);
    return { lines, options };
  }
  if (type === 'template') {
    const template = body.template as { name: string; language?: { code?: string } };
    return { lines: [`bot (template ${template.name}, ${template.language?.code ?? '?'})`], options: [] };
  }
  if (type === 'location') {
    const place = body.location as { latitude: number; longitude: number; name?: string; address?: string };
    const label = [place.name, place.address].filter(Boolean).join(', ');
    return {
      lines: [`bot sent a location: ${label ? `${label} ` : ''}(${place.latitude}, ${place.longitude})`],
      options: [],
    };
  }
  const media = body[type] as { link?: string; id?: string; caption?: string } | undefined;
  if (media) {
    return {
      lines: [`bot sent ${type}: ${media.link ?? media.id ?? ''}${media.caption ? ` "${media.caption}"` : ''}`],
      options: [],
    };
  }
  return { lines: [`bot sent a ${type || 'message'} the chat cannot show`], options: [] };
}
