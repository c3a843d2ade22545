import type { AccountRequest, Language } from '@helpline/contracts';
import type { Database, Logger, Producer, Redis } from '@helpline/runtime';
import type { BillingProvider } from '../billing/billing-provider.js';
import type { TextBook } from '../conversation/texts.js';
import { businessDate } from './business-day.js';
import { type ChatLanguages, createChatLanguages } from './chat-languages.js';
import { createNoticeLedger, type NoticeLedger } from './notice-ledger.js';
import { noticeIdOf, queueNotice } from './notice-message.js';
import type { NoticeMetrics } from './notice-metrics.js';
import { createOptOutStore, type OptOutStore } from './opt-out-store.js';
import { type NoticeRunReport, type NoticeRunRequest, runNotices } from './run-notices.js';

export interface NoticesDeps {
  db: Database;
  redis: Redis;
  prefix: string;
  billing: BillingProvider;
  outbound: Producer<'outbound'>;
  texts: TextBook;
  metrics: NoticeMetrics;
  logger: Logger;
  clock: () => Date;
  enabled: boolean;
  timeZone: string;
  daysBeforeDue: number;
  countryCode: string;
}

export interface RestoredInput {
  customerId: string;
  invoiceId: string;
  /** The chat the payment came from (the receipt's), told in `language`. */
  chatId: string;
  language: Language;
  /** The account's other chats (its other phones), told in the language each last wrote in. */
  otherChatIds?: readonly string[];
  customerName: string;
}

/** The notices part of the accounts service, assembled: runs, restore, opt-out, languages. */
export interface Notices {
  readonly ledger: NoticeLedger;
  readonly optOuts: OptOutStore;
  readonly languages: ChatLanguages;
  readonly enabled: boolean;
  /** Today's business date (BUSINESS_TIMEZONE). */
  today(): string;
  run(request: NoticeRunRequest): Promise<NoticeRunReport>;
  /** The `restored` notice after a confirmed payment reactivated the service; once per (customer, invoice, chat). */
  restored(input: RestoredInput): Promise<'queued' | 'already_queued' | 'disabled'>;
  /** The customer's "stop" / "start"; the confirmation is the caller's to send. */
  optOut(request: Extract<AccountRequest, { kind: 'notices_opt_out' | 'notices_opt_in' }>): Promise<void>;
}

export function createNotices(deps: NoticesDeps): Notices {
  const ledger = createNoticeLedger(deps.db);
  const optOuts = createOptOutStore(deps.db, deps.redis, deps.prefix);
  const languages = createChatLanguages(deps.db);
  const runDeps = {
    billing: deps.billing,
    ledger,
    optOuts,
    languages,
    outbound: deps.outbound,
    texts: deps.texts,
    metrics: deps.metrics,
    logger: deps.logger,
    daysBeforeDue: deps.daysBeforeDue,
    countryCode: deps.countryCode,
  };
  return {
    ledger,
    optOuts,
    languages,
    enabled: deps.enabled,
    today: () => businessDate(deps.clock(), deps.timeZone),
    run: (request) => runNotices(runDeps, request),
    async restored(input) {
      if (!deps.enabled) return 'disabled';
      const others = [...new Set(input.otherChatIds ?? [])].filter((c) => c !== input.chatId);
      const known = await languages.of(others);
      const today = businessDate(deps.clock(), deps.timeZone);
      let queued = false;
      for (const chatId of [input.chatId, ...others]) {
        const language = chatId === input.chatId ? input.language : (known.get(chatId) ?? 'es');
        const key = { customerId: input.customerId, invoiceId: input.invoiceId, kind: 'restored' as const, chatId };
        const claim = await ledger.claim(key, noticeIdOf(key), today);
        if (claim.state === 'queued') continue;
        await queueNotice(
          deps.outbound,
          {
            purpose: 'restored',
            noticeId: claim.noticeId,
            chatId,
            customerId: input.customerId,
            language,
            values: { customer_name: input.customerName },
          },
          deps.texts[language],
        );
        await ledger.markQueued(claim.noticeId);
        deps.metrics.notice('restored', 'queued');
        queued = true;
      }
      return queued ? 'queued' : 'already_queued';
    },
    async optOut(request) {
      const out = request.kind === 'notices_opt_out';
      await optOuts.set(request.replyTo.chatId, out, 'customer');
      deps.logger.info({ optedOut: out }, 'notices preference changed by the customer');
    },
  };
}
