import type { BaileysEventEmitter, BaileysEventMap, UserFacingSocketConfig, WASocket } from '@whiskeysockets/baileys';

/**
 * The part of Baileys' socket that group mode uses, picked from Baileys' own `WASocket` so
 * that a signature change in Baileys breaks the build here (and in the testkit's fake,
 * typed the same way) instead of in production. `ev` is Baileys' emitter interface without
 * the buffering extras only Baileys itself calls.
 */
export type GroupSocket = Pick<
  WASocket,
  'sendMessage' | 'requestPairingCode' | 'groupFetchAllParticipating' | 'groupMetadata' | 'end' | 'user'
> & {
  ev: BaileysEventEmitter;
  signalRepository: { lidMapping: Pick<WASocket['signalRepository']['lidMapping'], 'getPNForLID'> };
};

/** Makes a socket: `makeWASocket` in production, a fake in tests. */
export type GroupSocketFactory = (config: UserFacingSocketConfig) => GroupSocket;

/** Baileys' disconnect error carries the reason as a Boom `output.statusCode`. */
export function disconnectCode(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('output' in error)) return undefined;
  const output = (error as { output?: { statusCode?: unknown } }).output;
  return typeof output?.statusCode === 'number' ? output.statusCode : undefined;
}

/** Adds a listener to the socket's emitter and returns its removal. */
export function listen<T extends keyof BaileysEventMap>(
  socket: GroupSocket,
  event: T,
  listener: (arg: BaileysEventMap[T]) => void,
): () => void {
  socket.ev.on(event, listener);
  return () => socket.ev.off(event, listener);
}
