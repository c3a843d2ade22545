import { buildSignedWebhookRequest } from '@helpline/testkit';
import { APP_SECRET, PHONE_NUMBER_ID } from './harness.js';

/** A Cloud API webhook body carrying one `messages` change with this `value` (messages, statuses, contacts). */
export function messagesChange(value: Record<string, unknown>) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

/** One customer's text message as Meta posts it. */
export function textChange(input: { id: string; from: string; body: string; atMs?: number; name?: string }) {
  return messagesChange({
    contacts: [{ profile: { name: input.name ?? 'Cliente' }, wa_id: input.from }],
    messages: [
      {
        from: input.from,
        id: input.id,
        timestamp: String(Math.floor((input.atMs ?? Date.now()) / 1000)),
        type: 'text',
        text: { body: input.body },
      },
    ],
  });
}

/** `app.inject` options for a body signed with the test app secret. */
export function signedWebhook(body: unknown) {
  const request = buildSignedWebhookRequest({ body, appSecret: APP_SECRET });
  return { method: 'POST' as const, url: '/webhook', payload: request.payload, headers: request.headers };
}
