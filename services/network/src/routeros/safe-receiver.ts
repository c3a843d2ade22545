import { WireDecoder } from './wire-decoder.js';

/** The parts of node-routeros' (untyped, internal) Receiver that the guard touches. */
interface ReceiverInternals {
  tags: Map<string, { callback: (packet: string[]) => void }>;
  processRawData: (data: Buffer) => void;
}

/** Replies node-routeros cannot take, handled here and counted as router errors. `!empty` is not one: it is RouterOS 7.18+'s normal "no rows". */
export type ReceiverAnomaly = 'unknown_tag' | 'unknown_reply' | 'untagged';

export interface SafeReceiverHooks {
  /** `!fatal` arrived: the router is closing the connection, with this reason. */
  onFatal(reason: string): void;
  /** The stream cannot be decoded or a reply handler threw: the connection must go. */
  onBroken(error: unknown): void;
  /** Something node-routeros would crash on, handled here; for metrics. */
  onAnomaly(kind: ReceiverAnomaly): void;
  /** A `!trap` for a tag, with its category, before the channel sees it. */
  onTrap(tag: string, message: string, category: string | undefined): void;
}

const KNOWN_REPLIES = new Set(['!re', '!done', '!trap']);

/**
 * Replaces the Receiver's byte handling on one connection, so that nothing the router sends
 * can throw out of the socket's data event (which would end the process):
 * - `!empty` (RouterOS 7.18+, "no rows") is dropped; its `!done` follows and settles the
 *   command. node-routeros would call it an unknown reply and throw.
 * - A reply word it does not know becomes a `!trap` + `!done` for its command, so the
 *   command fails instead of the process.
 * - A sentence for a tag nobody waits for (a late answer to a cancelled command) is
 *   dropped; node-routeros throws UNREGISTEREDTAG.
 * - `!fatal` is reported, and the caller fails every waiting command.
 */
export function installSafeReceiver(receiver: unknown, hooks: SafeReceiverHooks): { failAll(message: string): void } {
  const internals = receiver as ReceiverInternals;
  const decoder = new WireDecoder();

  const deliver = (tag: string, packet: string[]) => {
    const reader = internals.tags.get(tag);
    if (!reader) {
      hooks.onAnomaly('unknown_tag');
      return;
    }
    reader.callback(packet);
  };

  const dispatch = (words: string[]) => {
    const reply = words[0] ?? '';
    if (reply === '!fatal') {
      hooks.onFatal(words.slice(1).join(' ') || 'fatal');
      return;
    }
    const tagWord = words.find((w) => w.startsWith('.tag='));
    const attributes = words.slice(1).filter((w) => !w.startsWith('.tag='));
    if (tagWord === undefined) {
      hooks.onAnomaly('untagged');
      return;
    }
    const tag = tagWord.slice(5);
    // RouterOS 7.18+ says "no rows" with `!empty` before `!done`: normal, so neither
    // delivered (node-routeros would throw on it) nor counted as an error.
    if (reply === '!empty') return;
    if (!KNOWN_REPLIES.has(reply)) {
      hooks.onAnomaly('unknown_reply');
      if (!internals.tags.has(tag)) return;
      const message = `unknown reply word ${reply.slice(0, 32)}`;
      hooks.onTrap(tag, message, 'unknown_reply');
      deliver(tag, ['!trap', `=message=${message}`]);
      deliver(tag, ['!done']);
      return;
    }
    if (reply === '!trap') {
      const get = (key: string) => attributes.find((a) => a.startsWith(`=${key}=`))?.slice(key.length + 2);
      hooks.onTrap(tag, get('message') ?? 'trap', get('category'));
    }
    deliver(tag, [reply, ...attributes]);
  };

  internals.processRawData = (data: Buffer) => {
    try {
      for (const sentence of decoder.push(data)) dispatch(sentence);
    } catch (error) {
      hooks.onBroken(error);
    }
  };

  return {
    /** Ends every waiting command with a trap, so node-routeros' own promises settle too. */
    failAll(message: string) {
      for (const [tag, reader] of [...internals.tags.entries()]) {
        try {
          reader.callback(['!trap', `=message=${message}`]);
          reader.callback(['!done']);
        } catch {
          // A reader that throws is already gone; the others still get their answer.
        }
        internals.tags.delete(tag);
      }
    },
  };
}
