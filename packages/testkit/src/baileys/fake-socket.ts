import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type {
  AnyMessageContent,
  BaileysEventEmitter,
  BaileysEventMap,
  ConnectionState,
  GroupMetadata,
  MessageUpsertType,
  MiscMessageGenerationOptions,
  UserFacingSocketConfig,
  WAMessage,
  WASocket,
} from '@whiskeysockets/baileys';

/**
 * The part of Baileys' socket a group adapter uses, typed from Baileys' own `WASocket`, so
 * that a change of any of these signatures in Baileys breaks the build of the fake (and of
 * whatever is typed the same way) rather than production. `ev` is Baileys' emitter
 * interface without the buffering extras only the real socket needs.
 */
export type FakeableBaileysSocket = Pick<
  WASocket,
  'sendMessage' | 'requestPairingCode' | 'groupFetchAllParticipating' | 'groupMetadata' | 'end' | 'user'
> & {
  ev: BaileysEventEmitter;
  signalRepository: { lidMapping: Pick<WASocket['signalRepository']['lidMapping'], 'getPNForLID'> };
};

/** One `sendMessage` call as the fake received it. */
export interface FakeSentMessage {
  jid: string;
  content: AnyMessageContent;
  options: MiscMessageGenerationOptions | undefined;
  /** The message the fake answered with (its key id is the sent message id). */
  result: WAMessage;
  at: number;
}

/** An error shaped like Baileys' Boom disconnect errors: `output.statusCode` carries the reason. */
export class FakeDisconnectError extends Error {
  readonly output: { statusCode: number; payload: { statusCode: number; error: string; message: string } };
  constructor(statusCode: number, message = `connection closed (${statusCode})`) {
    super(message);
    this.name = 'FakeDisconnectError';
    this.output = { statusCode, payload: { statusCode, error: 'Disconnect', message } };
  }
}

/**
 * A stand-in for Baileys 7's socket: the same events on a real EventEmitter and the same
 * method signatures, driven by the test (`showQr`, `open`, `close`, `receive`, `mapLid`).
 */
export class FakeBaileysSocket implements FakeableBaileysSocket {
  /** The configuration the adapter built the socket with (auth state, caches, ...). */
  readonly config: UserFacingSocketConfig;
  readonly ev: BaileysEventEmitter;
  readonly sent: FakeSentMessage[] = [];
  readonly pairingCodeRequests: string[] = [];
  user: WASocket['user'] = undefined;
  ended = false;
  endedWith: Error | undefined;

  private readonly emitter = new EventEmitter();
  private readonly lids = new Map<string, string>();
  private readonly groups = new Map<string, GroupMetadata>();
  private readonly sendFailures: Error[] = [];
  groupFetches = 0;
  groupMetadataFetches = 0;

  readonly signalRepository: FakeableBaileysSocket['signalRepository'];

  constructor(config: UserFacingSocketConfig) {
    this.config = config;
    const emitter = this.emitter;
    // Typed through Baileys' interface: listeners and payloads must match BaileysEventMap.
    this.ev = {
      on: (event, listener) => void emitter.on(event, listener),
      off: (event, listener) => void emitter.off(event, listener),
      removeAllListeners: (event) => void emitter.removeAllListeners(event),
      emit: (event, arg) => emitter.emit(event, arg),
    };
    this.signalRepository = {
      lidMapping: {
        getPNForLID: async (lid: string) => this.lids.get(lid.split('@')[0]?.split(':')[0] ?? lid) ?? null,
      },
    };
  }

  // --- the socket's own API -------------------------------------------------------------

  sendMessage = async (
    jid: string,
    content: AnyMessageContent,
    options?: MiscMessageGenerationOptions,
  ): Promise<WAMessage | undefined> => {
    if (this.ended) throw new FakeDisconnectError(428, 'Connection Closed');
    const failure = this.sendFailures.shift();
    if (failure) throw failure;
    const text = 'text' in content && typeof content.text === 'string' ? content.text : '';
    const mentions = 'mentions' in content && Array.isArray(content.mentions) ? content.mentions : undefined;
    const result: WAMessage = {
      key: { remoteJid: jid, fromMe: true, id: `FAKE${randomUUID().replaceAll('-', '').slice(0, 16).toUpperCase()}` },
      messageTimestamp: Math.floor(Date.now() / 1000),
      message: {
        extendedTextMessage: {
          text,
          contextInfo: {
            mentionedJid: mentions,
            stanzaId: options?.quoted?.key.id,
            participant: options?.quoted?.key.participant,
            quotedMessage: options?.quoted?.message,
          },
        },
      },
    };
    this.sent.push({ jid, content, options, result, at: Date.now() });
    return result;
  };

  requestPairingCode = async (phoneNumber: string, _customPairingCode?: string): Promise<string> => {
    this.pairingCodeRequests.push(phoneNumber);
    return 'FAKE1234';
  };

  groupFetchAllParticipating = async (): Promise<{ [jid: string]: GroupMetadata }> => {
    this.groupFetches += 1;
    return Object.fromEntries(this.groups);
  };

  groupMetadata = async (jid: string): Promise<GroupMetadata> => {
    this.groupMetadataFetches += 1;
    const group = this.groups.get(jid);
    if (!group) throw new FakeDisconnectError(404, `item-not-found: ${jid}`);
    return group;
  };

  end = async (error: Error | undefined): Promise<void> => {
    if (this.ended) return;
    this.ended = true;
    this.endedWith = error;
    this.emit('connection.update', { connection: 'close', lastDisconnect: { error, date: new Date() } });
  };

  // --- test controls --------------------------------------------------------------------

  emit<T extends keyof BaileysEventMap>(event: T, arg: BaileysEventMap[T]): void {
    this.ev.emit(event, arg);
  }

  /** WhatsApp offers a pairing QR (the adapter shows it and serves it at /api/qr). */
  showQr(qr = `2@${randomUUID()},fake-noise-key,fake-identity-key,fake-adv-secret`): string {
    this.emit('connection.update', { connection: 'connecting', qr });
    return qr;
  }

  /** The connection opens as the given account (`<phone>@s.whatsapp.net`). */
  open(meId = '5491100000000:1@s.whatsapp.net', update: Partial<ConnectionState> = {}): void {
    this.user = { id: meId, name: 'Helpline' };
    this.emit('connection.update', { connection: 'open', ...update });
  }

  /** The connection closes with a DisconnectReason code (Baileys' `lastDisconnect.error.output.statusCode`). */
  close(statusCode: number): void {
    this.ended = true;
    this.emit('connection.update', {
      connection: 'close',
      lastDisconnect: { error: new FakeDisconnectError(statusCode), date: new Date() },
    });
  }

  /** Messages arrive (`messages.upsert`, `notify` unless said otherwise). */
  receive(messages: WAMessage[], type: MessageUpsertType = 'notify'): void {
    this.emit('messages.upsert', { messages, type });
  }

  /**
   * Teaches the socket a LID -> phone mapping. With `announce` the `lid-mapping.update`
   * event is emitted, as Baileys 7 does when it learns one; without it only
   * `signalRepository.lidMapping.getPNForLID` knows it.
   */
  mapLid(lid: string, pn: string, announce = true): void {
    this.lids.set(lid.split('@')[0] ?? lid, pn);
    if (announce) this.emit('lid-mapping.update', { lid, pn });
  }

  /** A group the linked account is in (answered by groupFetchAllParticipating / groupMetadata). */
  addGroup(group: Pick<GroupMetadata, 'id' | 'subject'> & Partial<GroupMetadata>): GroupMetadata {
    const full: GroupMetadata = { owner: undefined, participants: [], ...group };
    this.groups.set(full.id, full);
    return full;
  }

  /** The next `sendMessage` rejects with this error. */
  failNextSend(error: Error = new FakeDisconnectError(428, 'Connection Closed')): void {
    this.sendFailures.push(error);
  }

  listenerCount(event: keyof BaileysEventMap): number {
    return this.emitter.listenerCount(event);
  }
}

/** A socket factory with Baileys' `makeWASocket` signature that hands out fakes and keeps them. */
export interface FakeBaileysSocketFactory {
  (config: UserFacingSocketConfig): FakeBaileysSocket;
  readonly sockets: FakeBaileysSocket[];
  /** The newest socket made; throws when none was made yet. */
  latest(): FakeBaileysSocket;
  /** Resolves with the n-th socket (1-based) once the adapter has made it. */
  waitForSocket(n: number, timeoutMs?: number): Promise<FakeBaileysSocket>;
  /** Called on each new socket before the adapter sees it (add groups, LID mappings...). */
  onCreate?: (socket: FakeBaileysSocket) => void;
}

export function createFakeBaileysSocketFactory(
  onCreate?: (socket: FakeBaileysSocket) => void,
): FakeBaileysSocketFactory {
  const sockets: FakeBaileysSocket[] = [];
  const waiters: Array<{ n: number; resolve: (s: FakeBaileysSocket) => void }> = [];
  const factory = ((config: UserFacingSocketConfig) => {
    const socket = new FakeBaileysSocket(config);
    factory.onCreate?.(socket);
    sockets.push(socket);
    for (const waiter of waiters.splice(0)) {
      if (sockets.length >= waiter.n) waiter.resolve(sockets[waiter.n - 1]!);
      else waiters.push(waiter);
    }
    return socket;
  }) as FakeBaileysSocketFactory;
  Object.defineProperty(factory, 'sockets', { value: sockets });
  factory.onCreate = onCreate;
  factory.latest = () => {
    const socket = sockets.at(-1);
    if (!socket) throw new Error('no fake Baileys socket was made yet');
    return socket;
  };
  factory.waitForSocket = (n, timeoutMs = 5_000) => {
    if (sockets.length >= n) return Promise.resolve(sockets[n - 1]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`socket #${n} was not made within ${timeoutMs} ms (made ${sockets.length})`)),
        timeoutMs,
      );
      waiters.push({
        n,
        resolve: (s) => {
          clearTimeout(timer);
          resolve(s);
        },
      });
    });
  };
  return factory;
}

// Compile-time proof that Baileys' real socket has every member the fake imitates.
type Assignable<T extends FakeableBaileysSocket> = T;
export type RealSocketIsFakeable = Assignable<WASocket>;
