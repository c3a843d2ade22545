// What routing decided and enqueued, and what it needs to do so: shared by the router and
// the modules it calls.
import type { Producer } from '@helpline/runtime';
import type { ClassifierMetrics } from '../chain/classifier-metrics.js';
import type { ReplyTexts } from './reply-texts.js';

export type RoutingAction =
  | 'diagnostics'
  | 'ticket'
  | 'handoff'
  | 'greeting'
  | 'ack_only'
  | 'answer'
  | 'not_found'
  | 'ask_to_write'
  /** Not a routing of its own: the message joined a burst whose first message answers for it. */
  | 'merged'
  /** A customer's account question: the accounts service answers it. */
  | 'accounts';

export interface EnqueuedJob {
  queue: 'diagnostics' | 'tickets' | 'outbound' | 'accounts';
  jobId: string;
  /** The job was already there (a retried inbound job): nothing new was added. */
  duplicate: boolean;
}

export interface RoutingOutcome {
  action: RoutingAction;
  jobs: EnqueuedJob[];
  /** Why a ticket the classification asked for was not opened. */
  note?: string;
}

export interface RouterDeps {
  diagnostics: Producer<'diagnostics'>;
  tickets: Producer<'tickets'>;
  outbound: Producer<'outbound'>;
  /** The accounts service's queue: a customer's billing, account and sales messages go there. */
  accounts?: Producer<'accounts'>;
  replies: ReplyTexts;
  metrics: ClassifierMetrics;
  clock: () => Date;
}
