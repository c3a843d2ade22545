import type { OutboundContent, OutboundMessage } from '@helpline/contracts';
import { CodedError, ERRORS, type Logger, PermanentError, withDeadline } from '@helpline/runtime';
import { isJidGroup, type WAMessage } from '@whiskeysockets/baileys';
import type { ChannelSender } from '../outbound/channel-sender.js';
import type { GroupMetrics } from './group-metrics.js';
import type { GroupSocket } from './group-socket.js';
import { jidUser } from './lid-directory.js';
import type { QuoteStore } from './quote-store.js';
import type { SendThrottle } from './send-throttle.js';

export interface GroupSenderOptions {
  /** The open socket, or undefined while the session is not open. */
  socket: () => GroupSocket | undefined;
  /** The session state, for the error when it is not open. */
  state: () => string;
  allowedGroups: ReadonlySet<string>;
  quotes: QuoteStore;
  throttle: SendThrottle;
  metrics: GroupMetrics;
  sendTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** A mention as the contracts carry it (a JID, or a bare phone number) -> a JID. */
export function mentionJid(mention: string): string {
  return mention.includes('@') ? mention : `${mention.replace(/\D/g, '')}@s.whatsapp.net`;
}

/** Buttons and lists do not exist in groups on a linked device: they become numbered text. */
export function groupText(content: OutboundContent): string {
  switch (content.kind) {
    case 'text':
      return content.body;
    case 'buttons':
      return [content.header, content.body, ...content.buttons.map((b, i) => `${i + 1}. ${b.title}`), content.footer]
        .filter(Boolean)
        .join('\n');
    case 'list':
      return [
        content.header,
        content.body,
        ...content.sections.flatMap((s) =>
          s.rows.map((r) => (r.description ? `• ${r.title}: ${r.description}` : `• ${r.title}`)),
        ),
        content.footer,
      ]
        .filter(Boolean)
        .join('\n');
    default:
      throw new PermanentError('unsupported_content', `content kind ${content.kind} cannot be sent into a group`);
  }
}

/**
 * The `group` channel: text into an allow-listed group, mentioning the reporter (the
 * `@number` in the text is what WhatsApp renders as a mention) and quoting the message it
 * answers, no sooner than GROUP_MIN_INTERVAL_MS after the group's previous message.
 */
export function createGroupSender(options: GroupSenderOptions): ChannelSender {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const sendTimeoutMs = options.sendTimeoutMs ?? 30_000;
  return {
    async send(message: OutboundMessage, log: Logger) {
      if (!isJidGroup(message.to))
        throw new PermanentError('not_a_group', `group channel needs a group JID, got ${message.to}`);
      if (!options.allowedGroups.has(message.to)) {
        throw new PermanentError('group_not_allowed', `group ${message.to} is not in WHATSAPP_GROUP_IDS`);
      }
      let text = groupText(message.content);
      const quote = message.replyTo ? await options.quotes.recall(message.replyTo) : undefined;
      // A reporter named by phone is mentioned by the JID the group knows them by (their
      // LID, in groups that address members by LID), or WhatsApp shows no mention.
      const asInGroup = (jid: string): string =>
        quote?.phone && jidUser(jid) === quote.phone ? quote.participant : jid;
      const mentions = [...new Set((message.mentions ?? []).map(mentionJid).map(asInGroup))];
      const missing = mentions.filter((jid) => !text.includes(`@${jidUser(jid)}`));
      if (missing.length > 0) text = `${missing.map((jid) => `@${jidUser(jid)}`).join(' ')} ${text}`;

      let quoted: WAMessage | undefined;
      if (message.replyTo) {
        quoted = {
          key: {
            remoteJid: message.to,
            id: message.replyTo,
            fromMe: false,
            participant: quote?.participant ?? mentions[0],
          },
          message: { conversation: quote?.text ?? '' },
        };
      }

      const socket = options.socket();
      if (!socket)
        throw new CodedError(ERRORS.group_not_connected, `group session is not open (${options.state()}); will retry`);
      const waitMs = await options.throttle.reserve(message.to);
      if (waitMs > 0) {
        log.debug({ waitMs }, 'waiting for the group minimum interval');
        await sleep(waitMs);
      }
      // The socket may have closed while waiting.
      const live = options.socket();
      if (!live)
        throw new CodedError(ERRORS.group_not_connected, `group session is not open (${options.state()}); will retry`);
      try {
        const sent = await withDeadline(
          live.sendMessage(message.to, { text, mentions }, quoted ? { quoted } : undefined),
          sendTimeoutMs,
          'sending into the group',
        );
        options.metrics.sent.inc({ outcome: 'sent' });
        return { messageId: sent?.key.id ?? undefined };
      } catch (error) {
        options.metrics.sent.inc({ outcome: 'failed' });
        throw error;
      }
    },
  };
}
