import { createHmac, randomUUID } from 'node:crypto';

/** A chat option the customer can pick by number: a reply button or a list row. */
export interface ChatOption {
  kind: 'button_reply' | 'list_reply';
  id: string;
  title: string;
  /** The bot message that offered it (the reply's context). */
  messageId: string;
}

export interface Customer {
  phone: string;
  name: string;
}

interface Envelope {
  phoneNumberId: string;
  customer: Customer;
}

const seconds = () => String(Math.floor(Date.now() / 1000));

function wrap(envelope: Envelope, value: Record<string, unknown>) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'local-waba',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550000000', phone_number_id: envelope.phoneNumberId },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

/** The webhook Meta would send for a customer's message: typed text, or a picked option. */
export function customerMessage(envelope: Envelope, input: string | ChatOption) {
  const base = { from: envelope.customer.phone, id: `wamid.local.${randomUUID()}`, timestamp: seconds() };
  const message =
    typeof input === 'string'
      ? { ...base, type: 'text', text: { body: input } }
      : {
          ...base,
          type: 'interactive',
          context: { from: envelope.phoneNumberId, id: input.messageId },
          interactive: { type: input.kind, [input.kind]: { id: input.id, title: input.title } },
        };
  return wrap(envelope, {
    contacts: [{ profile: { name: envelope.customer.name }, wa_id: envelope.customer.phone }],
    messages: [message],
  });
}

/** The one message a `customerMessage` payload carries (its `id` is the wamid). */
export function messageOf(payload: ReturnType<typeof customerMessage>): Record<string, unknown> & { id: string } {
  const value = payload.entry[0]?.changes[0]?.value as
    | { messages?: (Record<string, unknown> & { id: string })[] }
    | undefined;
  const message = value?.messages?.[0];
  if (!message) throw new Error('the payload carries no message');
  return message;
}

/** The webhook Meta would send when a bot message reaches the customer's phone or is read. */
export function deliveryStatus(envelope: Envelope, messageId: string, status: 'delivered' | 'read') {
  return wrap(envelope, {
    statuses: [{ id: messageId, status, timestamp: seconds(), recipient_id: envelope.customer.phone }],
  });
}

/** Serialised as Meta does (non-ASCII escaped) and signed over exactly those bytes. */
export function signedBody(payload: unknown, appSecret: string): { body: string; signature: string } {
  const body = JSON.stringify(payload).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  const signature = `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
  return { body, signature };
}
