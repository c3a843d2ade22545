import type { WhatsAppTemplatesFile } from '@helpline/contracts';
import { httpErrors, type Logger } from '@helpline/runtime';
import { type Audience, type AudienceSource, resolveAudience } from './audience.js';
import { type BroadcastContent, newBroadcastId } from './broadcast-message.js';
import type { BroadcastReport, BroadcastRow, BroadcastStore } from './broadcast-store.js';
import type { Dispatcher } from './dispatcher.js';
import type { WindowClient } from './window-client.js';

export interface BroadcastPlan {
  id?: string;
  dryRun: boolean;
  state: BroadcastRow['state'] | 'dry_run';
  kind: BroadcastContent['kind'];
  recipients: number;
  /** Numbers in the audience that cannot be WhatsApp numbers (too short, too long). */
  unusable: number;
  /** Free text only: the recipients inside their 24-hour window now (the others are skipped). */
  reachableNow?: number;
  startAt: string;
  /** A dry run's first recipients, to check the audience. */
  sample?: { phone: string; customerId?: string; name?: string }[];
}

export interface BroadcastsDeps {
  store: BroadcastStore;
  audience: AudienceSource;
  windows: WindowClient;
  dispatcher: Dispatcher;
  templates: WhatsAppTemplatesFile;
  countryCode: string;
  clock: () => Date;
  logger: Logger;
}

export interface CreateInput {
  content: BroadcastContent;
  audience: Audience;
  startAt?: Date;
  dryRun: boolean;
  source: 'api' | 'deployment';
}

/** Broadcasts as staff use them: plan or store one, cancel it, read its report. */
export function createBroadcasts(deps: BroadcastsDeps) {
  /** Free text: how many recipients are inside their window now (the gateway knows). */
  async function reachable(recipients: readonly { phone: string }[]): Promise<number> {
    try {
      return (await deps.windows.open(recipients.map((r) => r.phone))).size;
    } catch (error) {
      deps.logger.warn({ err: error }, 'the gateway could not say which chats are inside their window');
      throw httpErrors.unavailable(
        'the gateway cannot say now which chats are inside their 24-hour window; nothing was stored, try again',
      );
    }
  }

  return {
    async create(input: CreateInput): Promise<BroadcastPlan> {
      const now = deps.clock();
      const startAt = input.startAt && input.startAt.getTime() > now.getTime() ? input.startAt : now;
      const { recipients, unusable } = await resolveAudience(input.audience, deps.audience, deps.countryCode);
      const reachableNow =
        input.content.kind === 'text' && recipients.length > 0 ? await reachable(recipients) : undefined;
      const plan = {
        kind: input.content.kind,
        recipients: recipients.length,
        unusable,
        ...(reachableNow !== undefined ? { reachableNow } : {}),
        startAt: startAt.toISOString(),
      };
      if (input.dryRun) {
        return { ...plan, dryRun: true, state: 'dry_run', sample: recipients.slice(0, 20) };
      }
      const row = await deps.store.create(
        {
          id: newBroadcastId(now),
          kind: input.content.kind,
          content: input.content,
          audience: input.audience,
          source: input.source,
          startAt,
          recipients,
        },
        now,
      );
      deps.logger.info(
        { broadcastId: row.id, recipients: recipients.length, kind: row.kind, startAt: row.startAt },
        'broadcast stored',
      );
      return { ...plan, id: row.id, dryRun: false, state: row.state };
    },
    cancel: (id: string) => deps.dispatcher.cancel(id),
    report: (id: string): Promise<BroadcastReport | undefined> => deps.store.report(id),
    list: (limit: number, offset: number) => deps.store.list(limit, offset),
  };
}
export type Broadcasts = ReturnType<typeof createBroadcasts>;
