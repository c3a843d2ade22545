import { type InboundMessage, isOneToOneChannel } from '@helpline/contracts';

/**
 * The sender's phone, when the message discloses one: the gateway's `senderPhone`, else a
 * one-to-one chat's `from` (Cloud API or Twilio: a wa_id is the phone's digits), else a group JID of the phone form
 * (`573001234567@s.whatsapp.net`). A LID (`...@lid`) or a username is not a phone.
 */
export function senderPhoneOf(message: InboundMessage): string | undefined {
  if (message.senderPhone && /^\d{7,15}$/.test(message.senderPhone)) return message.senderPhone;
  if (isOneToOneChannel(message.channel) && /^\d{7,15}$/.test(message.from)) return message.from;
  const jid = /^(\d{7,15})(?::\d+)?@s\.whatsapp\.net$/.exec(message.from);
  return jid?.[1];
}

/**
 * A known customer can be diagnosed: the gateway matched a customer id, or a one-to-one
 * chat (Cloud API, Twilio) carries the customer's phone. The second is deliberately generous: the network's
 * customer directory, not this service, knows customers by phone. When it cannot tell
 * (phone not found, router not configured or unreachable) the network opens the ticket,
 * because every DiagnosticRequest asks for one on failure (see route-message.ts).
 */
export function isKnownCustomer(message: InboundMessage): boolean {
  if (message.customer?.customerId) return true;
  return isOneToOneChannel(message.channel) && senderPhoneOf(message) !== undefined;
}

/** What a group answer writes to mention the reporter: `@` and the user part of the JID. */
export function mentionTag(jid: string): string {
  return `@${jid.split('@')[0]?.split(':')[0] ?? jid}`;
}
