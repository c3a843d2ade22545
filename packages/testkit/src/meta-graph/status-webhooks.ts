import { metaJson, signMetaWebhook } from '../meta-webhook.js';
import { postBody } from '../post-body.js';

/** Where the fake reports statuses, as Meta posts them to the app's webhook. */
export interface StatusWebhookTarget {
  /** The receiver's webhook URL, e.g. `http://127.0.0.1:3001/webhook`. */
  url: string;
  /** The app secret the receiver checks X-Hub-Signature-256 with. */
  appSecret: string;
  /** Pause between delivery attempts while the receiver does not answer 200 (default 250 ms). */
  retryMs?: number;
  /** How long a status is offered before the fake gives up (default 2 minutes). */
  giveUpMs?: number;
  /** Wait before the first offer, as Meta's statuses come some time after the send (default 0). */
  delayMs?: number;
  /**
   * What Meta reports after `sent` for a message, in order: `delivered`, `read`, or
   * `failed` with an error code (a message Meta took and could not deliver, e.g. 131026).
   * None by default.
   */
  followUps?: (message: SentMessage) => FollowUpStatus[];
}

/** A status Meta posts after `sent`. */
export type FollowUpStatus = { status: 'delivered' | 'read' } | { status: 'failed'; code: number; title?: string };

export interface StatusDelivery {
  messageId: string;
  /** `sent`, `delivered`, `read` or `failed`. */
  status: string;
  /** `failed`: the error code reported. */
  errorCode?: number;
  callbackData?: string;
  attempts: number;
  /** True once the receiver answered 200. */
  delivered: boolean;
}

export interface SentMessage {
  messageId: string;
  phoneNumberId: string;
  recipient: string;
  callbackData?: string;
}

/**
 * The `sent` status webhook Meta posts after it takes a message, carrying back the
 * message's `biz_opaque_callback_data`. Like Meta, it keeps offering a status the receiver
 * refuses or cannot take (a gateway restarting), until it is answered 200 or too old.
 */
export function createStatusReporter() {
  let target: StatusWebhookTarget | undefined;
  let closed = false;
  const deliveries: StatusDelivery[] = [];
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

  async function offer(
    message: SentMessage,
    to: StatusWebhookTarget,
    delivery: StatusDelivery,
    status: FollowUpStatus | { status: 'sent' } = { status: 'sent' },
  ): Promise<void> {
    const body = metaJson({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'fake-waba',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550100000', phone_number_id: message.phoneNumberId },
                statuses: [
                  {
                    id: message.messageId,
                    status: status.status,
                    timestamp: String(Math.floor(Date.now() / 1000)),
                    recipient_id: message.recipient,
                    ...(message.callbackData !== undefined ? { biz_opaque_callback_data: message.callbackData } : {}),
                    ...(status.status === 'failed'
                      ? {
                          errors: [
                            {
                              code: status.code,
                              title: status.title ?? `Error ${status.code}`,
                              message: status.title ?? `Error ${status.code}`,
                              error_data: { details: status.title ?? `Error ${status.code}` },
                            },
                          ],
                        }
                      : {}),
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    const headers = { 'content-type': 'application/json', 'x-hub-signature-256': signMetaWebhook(body, to.appSecret) };
    if (to.delayMs && status.status === 'sent') await sleep(to.delayMs);
    const giveUpAt = Date.now() + (to.giveUpMs ?? 120_000);
    while (!closed && Date.now() < giveUpAt) {
      delivery.attempts += 1;
      try {
        const res = await postBody(to.url, headers, body);
        if (res.status === 200) {
          delivery.delivered = true;
          return;
        }
      } catch {
        // Connection refused or reset: the receiver is down; offer again.
      }
      await sleep(to.retryMs ?? 250);
    }
  }

  return {
    /** Report every later successful send to `to`; undefined stops reporting. */
    reportTo(to: StatusWebhookTarget | undefined): void {
      target = to;
    },
    /** Called by the fake for each message it took. */
    sent(message: SentMessage): void {
      if (!target || closed) return;
      const to = target;
      const record = (status: FollowUpStatus | { status: 'sent' }): StatusDelivery => {
        const delivery: StatusDelivery = {
          messageId: message.messageId,
          status: status.status,
          ...(status.status === 'failed' ? { errorCode: status.code } : {}),
          callbackData: message.callbackData,
          attempts: 0,
          delivered: false,
        };
        deliveries.push(delivery);
        return delivery;
      };
      // In order, each once the one before was taken, as a phone reports them.
      const chain = [{ status: 'sent' as const }, ...(to.followUps?.(message) ?? [])];
      void (async () => {
        for (const status of chain) await offer(message, to, record(status), status);
      })();
    },
    deliveries: (): readonly StatusDelivery[] => deliveries,
    reset(): void {
      deliveries.length = 0;
    },
    close(): void {
      closed = true;
    },
  };
}
