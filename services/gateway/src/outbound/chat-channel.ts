import type { Channel, OutboundMessage } from '@helpline/contracts';
import type { ChatRecord } from '../conversation/chat-records.js';

export type OneToOneChannel = 'cloud' | 'twilio';

export interface ChatChannelDeps {
  /** The chats' records (the channel each last wrote on), in the order asked. */
  chats(chatIds: readonly string[]): Promise<(Pick<ChatRecord, 'channel'> | undefined)[]>;
  /** The channels this gateway can send on. */
  enabled: Partial<Record<Channel, unknown>>;
}

/**
 * Which channel a message a service started itself goes on (`channelFromChat`): the one
 * the chat last wrote on, read at send time so a notice queued before the customer moved
 * to the other number follows them; else the deployment's own, the Cloud API when it is
 * configured, Twilio otherwise. A channel that is off is never chosen while another is on.
 */
export function createChatChannels(deps: ChatChannelDeps) {
  const on = (channel: OneToOneChannel) => deps.enabled[channel] !== undefined;
  const deploymentChannel = (): OneToOneChannel | undefined =>
    on('cloud') ? 'cloud' : on('twilio') ? 'twilio' : undefined;
  const choose = (chat: Pick<ChatRecord, 'channel'> | undefined): OneToOneChannel | undefined =>
    chat?.channel && on(chat.channel) ? chat.channel : deploymentChannel();

  return {
    /** The channel of each chat, in the order asked (the deployment's for a chat that never wrote). */
    async of(chatIds: readonly string[]): Promise<(OneToOneChannel | undefined)[]> {
      return (await deps.chats(chatIds)).map(choose);
    },

    /** The message as it goes: on its chat's channel when it asks for it, unchanged otherwise. */
    async resolve(message: OutboundMessage): Promise<OutboundMessage> {
      if (!message.channelFromChat) return message;
      const [chat] = await deps.chats([message.to]);
      const channel = choose(chat);
      return channel && channel !== message.channel ? { ...message, channel } : message;
    },
  };
}
export type ChatChannels = ReturnType<typeof createChatChannels>;
