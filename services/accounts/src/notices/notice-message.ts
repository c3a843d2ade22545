import { createHash } from 'node:crypto';
import {
  jobIds,
  type Language,
  NOTICE_STOP_BUTTON_ID,
  type OutboundMessageInput,
  type TemplatePurpose,
} from '@helpline/contracts';
import type { Producer } from '@helpline/runtime';
import { CodedError, ERRORS } from '@helpline/runtime';
import { fill, type Texts } from '../conversation/texts.js';
import type { NoticeKey } from './notice-ledger.js';

/** Which text each purpose says (its placeholders are the values' names). */
const TEXT_OF: Partial<Record<TemplatePurpose, keyof Texts>> = {
  due_reminder: 'noticeDueReminder',
  overdue: 'noticeOverdue',
  cut_off: 'noticeCutOff',
  restored: 'noticeRestored',
};

/**
 * A notice's id, stable for its key: the outbound job's correlation id and `meta.notice.id`.
 * Readable parts for staff, a hash of the exact key (the chat included, which is not
 * spelled out: a phone number has no place in job ids and logs) so that ids cleaned of
 * odd characters never collide.
 */
export function noticeIdOf(key: NoticeKey): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 60);
  const hash = createHash('sha256')
    .update(`${key.customerId}\u0000${key.invoiceId}\u0000${key.kind}\u0000${key.chatId}`)
    .digest('hex');
  return `notice-${key.kind}-${clean(key.customerId)}-${clean(key.invoiceId)}-${hash.slice(0, 12)}`;
}

export interface NoticeDraft {
  purpose: TemplatePurpose;
  noticeId: string;
  chatId: string;
  customerId: string;
  language: Language;
  /** The template parameters' values by name, also the text's placeholders. */
  values: Record<string, string>;
}

/** The text the customer reads inside the 24-hour window (outside it, the purpose's template). */
export function noticeText(draft: NoticeDraft, texts: Texts): string {
  const key = TEXT_OF[draft.purpose];
  if (!key) throw new CodedError(ERRORS.internal_error, `no notice text for purpose ${draft.purpose}`);
  return fill(texts[key], draft.values).slice(0, 1024);
}

/**
 * The outbound message of a notice: its text with one quick-reply button that stops
 * notices, marked `meta.notice` (purpose, id, values) so that the gateway checks opt-out
 * and consent at send time and fills the purpose's template outside the window.
 */
export function noticeMessage(draft: NoticeDraft, texts: Texts): OutboundMessageInput {
  return {
    correlationId: draft.noticeId,
    purpose: draft.purpose,
    channel: 'cloud',
    channelFromChat: true,
    to: draft.chatId,
    content: {
      kind: 'buttons',
      body: noticeText(draft, texts),
      buttons: [{ id: NOTICE_STOP_BUTTON_ID, title: texts.noticeStopButton }],
    },
    meta: {
      customerId: draft.customerId,
      notice: { purpose: draft.purpose, id: draft.noticeId, values: draft.values },
    },
  };
}

/** Queues a notice under its own job id: queued twice, it is one job (and one send). */
export async function queueNotice(outbound: Producer<'outbound'>, draft: NoticeDraft, texts: Texts): Promise<void> {
  await outbound.add(noticeMessage(draft, texts), { jobId: jobIds.outbound(draft.noticeId, draft.purpose) });
}
