import type { InboundMessage } from '@helpline/contracts';
import type { Logger } from '@helpline/runtime';
import type { Counter } from 'prom-client';
import type { GatewayMedia } from './gateway-media.js';
import type { Transcriber } from './transcribers.js';

export type VoiceNoteResult =
  | { kind: 'transcribed'; text: string; provider: Transcriber['name'] }
  /** No provider that can transcribe has a key: the customer is asked to write. */
  | { kind: 'no_provider' }
  /** Download or every transcriber failed, or nothing was said: the customer is asked to write. */
  | { kind: 'failed'; reason: string };

export interface VoiceNotes {
  /** Whether a message is a voice note (or any audio) with nothing written: what needs hearing. */
  needsHearing(message: InboundMessage): boolean;
  hear(message: InboundMessage, language: 'es' | 'en' | undefined): Promise<VoiceNoteResult>;
}

/** Longest transcript kept: a minute of speech is about 1,000 characters. */
const MAX_TRANSCRIPT_CHARS = 4_000;

/**
 * Voice notes: downloaded through the gateway, then given to each transcriber in order
 * until one answers (each with its own deadline), passing over those that cannot take the
 * audio's format or size. The transcript becomes the message's text.
 */
export function createVoiceNotes(deps: {
  media: GatewayMedia;
  transcribers: readonly Transcriber[];
  timeoutMs: number;
  logger: Logger;
  outcomes: Counter<'provider' | 'outcome'>;
}): VoiceNotes {
  return {
    // Group (Baileys) media is not served by the gateway's media endpoint: those stay as they were.
    needsHearing: (message) =>
      message.channel !== 'group' &&
      message.type === 'audio' &&
      message.media?.id !== undefined &&
      message.text.trim() === '',

    async hear(message, language) {
      if (deps.transcribers.length === 0) {
        deps.outcomes.inc({ provider: 'none', outcome: 'no_provider' });
        return { kind: 'no_provider' };
      }
      const mediaId = message.media?.id ?? '';
      let audio: { bytes: Buffer; contentType: string };
      try {
        audio = await deps.media.download(mediaId, message.channel, AbortSignal.timeout(deps.timeoutMs));
      } catch (error) {
        deps.logger.warn({ err: (error as Error).message }, 'voice note not downloaded');
        deps.outcomes.inc({ provider: 'none', outcome: 'download_failed' });
        return { kind: 'failed', reason: 'download' };
      }
      const mimeType = message.media?.mimeType ?? audio.contentType;
      for (const transcriber of deps.transcribers) {
        const refusal = transcriber.refuses({ bytes: audio.bytes, mimeType });
        if (refusal) {
          // Known before calling (a format or a size it does not take): the next one may.
          deps.outcomes.inc({ provider: transcriber.name, outcome: 'unsupported' });
          deps.logger.warn({ provider: transcriber.name, reason: refusal }, 'transcriber cannot take this audio');
          continue;
        }
        try {
          const text = (
            await transcriber.transcribe(
              { bytes: audio.bytes, mimeType, ...(language ? { language } : {}) },
              AbortSignal.timeout(deps.timeoutMs),
            )
          )
            .trim()
            .slice(0, MAX_TRANSCRIPT_CHARS);
          if (!text) {
            deps.outcomes.inc({ provider: transcriber.name, outcome: 'empty' });
            return { kind: 'failed', reason: 'nothing heard' };
          }
          deps.outcomes.inc({ provider: transcriber.name, outcome: 'transcribed' });
          return { kind: 'transcribed', text, provider: transcriber.name };
        } catch (error) {
          deps.outcomes.inc({ provider: transcriber.name, outcome: 'error' });
          deps.logger.warn({ provider: transcriber.name, err: (error as Error).message }, 'transcription failed');
        }
      }
      return { kind: 'failed', reason: 'every transcriber failed' };
    },
  };
}
