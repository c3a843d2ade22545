import { type AccountRequestInput, type InboundMessage, parseAccountReplyId } from '@helpline/contracts';
import type { ChatRecord } from './chat-records.js';
import type { CommandName } from './commands.js';
import type { MenuChoice } from './texts.js';

type Base = 'correlationId' | 'replyTo' | 'phone' | 'requestedAt';
type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What a message asks of the accounts service: an `AccountRequest` without its address. Plain data. */
export type AccountAsk = Without<AccountRequestInput, Base>;

/** The menu rows and commands the accounts service answers (it replaced their placeholder texts). */
const MENU_ASKS: Partial<Record<MenuChoice, AccountAsk>> = {
  billing: { kind: 'billing_menu' },
  change_password: { kind: 'password_change' },
  improve_plan: { kind: 'plans' },
};
const COMMAND_ASKS: Partial<Record<CommandName, AccountAsk>> = {
  invoices: { kind: 'invoices' },
  debt: { kind: 'debt' },
  payment_points: { kind: 'payment_points' },
};

// A caption that says the picture is a payment proof ("comprobante de pago", "recibo", ...).
// Letters, not \b: JavaScript's \b does not see "é" as part of a word ("pagué").
const RECEIPT_CAPTION =
  /(?<!\p{L})(pago|pagu[eé]|comprobante|recibo|consignaci[oó]n|transferencia|soporte de pago|payment|receipt|paid)(?!\p{L})/iu;

export function menuAsk(choice: MenuChoice): AccountAsk | undefined {
  return MENU_ASKS[choice];
}

export function commandAsk(command: CommandName): AccountAsk | undefined {
  return COMMAND_ASKS[command];
}

/** A reply to one of the accounts service's own lists or buttons (`acct.` ids). */
export function replyAsk(message: InboundMessage): AccountAsk | undefined {
  return parseAccountReplyId(message.reply?.id);
}

/**
 * Messages that only mean something to the accounts service because of what it asked, or
 * because of what they are: the awaited document number, a receipt (an image or PDF while a
 * receipt is awaited, or captioned as one), a shared location (the nearest payment points).
 */
export function contextualAsk(message: InboundMessage, chat: ChatRecord | undefined): AccountAsk | undefined {
  if (chat?.mode === 'awaiting_account' && message.type === 'text') {
    return { kind: 'identify', text: message.text.slice(0, 256) };
  }
  const media = message.media;
  const receiptType = message.type === 'image' || (message.type === 'document' && /pdf/i.test(media?.mimeType ?? ''));
  if (receiptType && media?.id && media.mimeType) {
    const captioned = RECEIPT_CAPTION.test(media.caption ?? message.text);
    if (chat?.mode === 'awaiting_receipt' || captioned) {
      return {
        kind: 'receipt',
        media: {
          mediaId: media.id,
          mimeType: media.mimeType,
          ...(media.filename ? { filename: media.filename.slice(0, 240) } : {}),
          ...(media.caption ? { caption: media.caption.slice(0, 1024) } : {}),
        },
      };
    }
  }
  if (message.type === 'location' && message.location && chat?.mode !== 'awaiting_description') {
    return {
      kind: 'payment_points',
      location: { latitude: message.location.latitude, longitude: message.location.longitude },
    };
  }
  return undefined;
}
