// The three channels (Cloud API, Twilio, group mode), each from its own builder, and one
// sender per enabled channel. Each client that needs closing is added to the service base's
// resources here, in the order the gateway has always closed them.
import type { Channel } from '@helpline/contracts';
import type { ServiceBase } from '@helpline/runtime';
import type { Redis } from 'ioredis';
import type { ChannelStores } from './channel-stores.js';
import { buildCloudChannel } from './cloud/build-cloud-channel.js';
import type { GraphClient } from './cloud/graph-client.js';
import type { GatewayConfig } from './config.js';
import { buildGroupMode, type GroupChannel } from './groups/group-channel.js';
import type { GroupSocketFactory } from './groups/group-socket.js';
import type { MessageSink } from './ingest/message-sink.js';
import type { DocumentUrlSigner } from './media/signed-document-urls.js';
import type { GatewayMetrics } from './metrics/gateway-metrics.js';
import type { ChannelSender } from './outbound/channel-sender.js';
import { buildTwilioChannel } from './twilio/build-twilio-channel.js';
import type { TwilioClient } from './twilio/twilio-client.js';

export interface ChannelParts {
  base: ServiceBase<GatewayConfig>;
  /** The sends connection: sends ride out a Redis blip. */
  redis: Redis;
  stores: ChannelStores;
  /** Where group mode hands its inbound messages. */
  sink: MessageSink;
  gatewayMetrics: GatewayMetrics;
  documentUrls?: DocumentUrlSigner;
  /** What tests put in place of a channel's client, its group mode or its sender. */
  given: {
    graph?: GraphClient;
    twilio?: TwilioClient;
    groups?: GroupChannel;
    senders?: Partial<Record<Channel, ChannelSender>>;
    groupSocketFactory?: GroupSocketFactory;
  };
}

export interface Channels {
  graph?: GraphClient;
  twilio?: TwilioClient;
  groups?: GroupChannel;
  senders: Partial<Record<Channel, ChannelSender>>;
}

export function buildChannels(parts: ChannelParts): Channels {
  const { base, stores, given } = parts;
  const { config, keyPrefix, clock } = base;
  const cloud = buildCloudChannel({
    config,
    redis: parts.redis,
    keyPrefix,
    window: stores.conversationWindow,
    errorLog: stores.sendErrors,
    metrics: parts.gatewayMetrics,
    clock,
    ...(given.graph ? { graph: given.graph } : {}),
    templates: stores.templates,
  });
  if (cloud.graph) base.addResource({ name: 'graph client', close: () => cloud.graph?.close() });
  const twilioChannel = buildTwilioChannel({
    config,
    ...(parts.documentUrls ? { documentUrls: parts.documentUrls } : {}),
    redis: parts.redis,
    keyPrefix,
    window: stores.twilioWindow,
    options: stores.numberedOptions,
    templates: stores.templates,
    errorLog: stores.twilioSendErrors,
    metrics: parts.gatewayMetrics,
    clock,
    ...(given.twilio ? { client: given.twilio } : {}),
  });
  const twilio = twilioChannel.client;
  if (twilio) base.addResource({ name: 'twilio client', close: () => twilio.close() });
  const groups =
    given.groups ??
    buildGroupMode({
      base,
      config,
      sink: parts.sink,
      socketFactory: given.groupSocketFactory,
      keyPrefix: `${keyPrefix}:groups:`,
    });
  if (groups) base.addResource({ name: 'group channel', close: () => groups.stop() });
  const senders: Partial<Record<Channel, ChannelSender>> = { ...given.senders };
  if (cloud.sender && !senders.cloud) senders.cloud = cloud.sender;
  if (twilioChannel.sender && !senders.twilio) senders.twilio = twilioChannel.sender;
  if (groups && !senders.group) senders.group = groups.sender;
  return { graph: cloud.graph, twilio, groups, senders };
}
