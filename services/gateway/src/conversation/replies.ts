import type { Channel, Language, OutboundMessageInput } from '@helpline/contracts';
import { fillText, MENU_CHOICES, type MenuChoice, type TextBook } from './texts.js';

/** Reply ids the conversation recognises when they come back as button or list replies. */
export const REPLY_IDS = {
  /** The accepted notice's version travels in the id: an old notice's button does not count. */
  consentAccept: (version: string) => `consent.accept.${version}`,
  consentDecline: 'consent.decline',
  menu: (choice: MenuChoice) => `menu.${choice}`,
};

export type ConsentReply = { kind: 'accept'; version: string } | { kind: 'decline' };

export function parseConsentReply(id: string | undefined): ConsentReply | undefined {
  if (!id) return undefined;
  if (id === REPLY_IDS.consentDecline) return { kind: 'decline' };
  const prefix = 'consent.accept.';
  return id.startsWith(prefix) ? { kind: 'accept', version: id.slice(prefix.length) } : undefined;
}

/** The menu choice a list reply names; `null` for a `menu.` id this version does not know. */
export function parseMenuReply(id: string | undefined): MenuChoice | null | undefined {
  if (!id?.startsWith('menu.')) return undefined;
  const choice = id.slice('menu.'.length);
  return (MENU_CHOICES as readonly string[]).includes(choice) ? (choice as MenuChoice) : null;
}

export interface ReplyAddress {
  chatId: string;
  /** The inbound message (or event) the answer belongs to: its job id derives from it. */
  correlationId: string;
  language: Language;
  /** The channel the chat wrote on (cloud or twilio); cloud when not said. */
  channel?: Channel;
}

/** Builds the conversation's own messages from the text book; nothing customer-facing lives here. */
export function createReplies(texts: TextBook, options: { noticeVersion: string; handoffHours: number }) {
  const base = (to: ReplyAddress, purpose: string) => ({
    correlationId: to.correlationId,
    purpose,
    channel: to.channel ?? ('cloud' as const),
    to: to.chatId,
  });

  return {
    privacyNotice(to: ReplyAddress): OutboundMessageInput {
      const t = texts[to.language].privacy;
      return {
        ...base(to, 'privacy_notice'),
        content: {
          kind: 'buttons',
          header: t.header,
          body: t.body,
          footer: fillText(t.footer, { version: options.noticeVersion }),
          buttons: [
            { id: REPLY_IDS.consentAccept(options.noticeVersion), title: t.accept },
            { id: REPLY_IDS.consentDecline, title: t.decline },
          ],
        },
      };
    },

    menu(to: ReplyAddress): OutboundMessageInput {
      const t = texts[to.language].menu;
      return {
        ...base(to, 'menu'),
        content: {
          kind: 'list',
          header: t.header,
          body: t.body,
          footer: t.footer,
          buttonText: t.button,
          sections: [
            {
              title: t.section,
              rows: MENU_CHOICES.map((choice) => ({
                id: REPLY_IDS.menu(choice),
                title: t.rows[choice].title,
                description: t.rows[choice].description || undefined,
              })),
            },
          ],
        },
      };
    },

    /** A plain text from the book; `purpose` also names the job. */
    text(to: ReplyAddress, purpose: string, pick: (book: TextBook[Language]) => string): OutboundMessageInput {
      const body = fillText(pick(texts[to.language]), { hours: options.handoffHours, version: options.noticeVersion });
      return { ...base(to, purpose), content: { kind: 'text', body } };
    },
  };
}

export type Replies = ReturnType<typeof createReplies>;
