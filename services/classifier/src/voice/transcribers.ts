import { GoogleGenAI } from '@google/genai';
import OpenAI, { toFile } from 'openai';
import type { ClassifierConfig } from '../config.js';
import { geminiCutOff } from '../providers/gemini-provider.js';
import { geminiThinkingConfig } from '../providers/gemini-thinking.js';
import { ProviderFailure } from '../providers/provider-failure.js';

/** A provider that turns a voice note into its words. */
export interface Transcriber {
  readonly name: 'openai' | 'gemini';
  readonly model: string;
  /** Why this provider cannot take this audio (its format, its size), known before any call; undefined when it can. */
  refuses(audio: { bytes: Buffer; mimeType: string }): string | undefined;
  transcribe(audio: { bytes: Buffer; mimeType: string; language?: 'es' | 'en' }, signal: AbortSignal): Promise<string>;
}

/** "audio/ogg; codecs=opus" -> "audio/ogg". */
const baseType = (mimeType: string) => mimeType.split(';')[0]?.trim().toLowerCase() || 'application/octet-stream';

// OpenAI infers the format from the file name and takes flac, mp3, mp4, mpeg, mpga, m4a,
// ogg, wav and webm only; WhatsApp's voice notes are Ogg Opus. Any other type (AMR, which
// WhatsApp also carries) is refused before the call, so the next transcriber gets it.
const EXTENSIONS: Record<string, string> = {
  'audio/ogg': 'ogg',
  'audio/opus': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'audio/mpga': 'mpga',
  'audio/mp4': 'm4a',
  'audio/m4a': 'm4a',
  'audio/x-m4a': 'm4a',
  'audio/aac': 'm4a',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/webm': 'webm',
  'audio/flac': 'flac',
  'audio/x-flac': 'flac',
  'video/mp4': 'mp4',
  'video/webm': 'webm',
};

/** OpenAI's transcription endpoint (`/v1/audio/transcriptions`), SDK retries off like the chain's. */
function openAiTranscriber(config: ClassifierConfig, apiKey: string): Transcriber {
  const client = new OpenAI({ apiKey, baseURL: config.OPENAI_BASE_URL, maxRetries: 0 });
  return {
    name: 'openai',
    model: config.OPENAI_TRANSCRIBE_MODEL,
    refuses(audio) {
      const type = baseType(audio.mimeType);
      return EXTENSIONS[type]
        ? undefined
        : `OpenAI transcribes flac, mp3, mp4, mpeg, mpga, m4a, ogg, wav and webm, not ${type}`;
    },
    async transcribe(audio, signal) {
      const type = baseType(audio.mimeType);
      const file = await toFile(audio.bytes, `voice-note.${EXTENSIONS[type] ?? 'ogg'}`, { type });
      const result = await client.audio.transcriptions.create(
        { file, model: config.OPENAI_TRANSCRIBE_MODEL, ...(audio.language ? { language: audio.language } : {}) },
        { signal },
      );
      return result.text;
    },
  };
}

const GEMINI_INSTRUCTION =
  'Transcribe this voice note word for word, in the language it is spoken. Answer with the transcript only: no translation, no comments, no quotation marks. If nothing intelligible is said, answer with nothing.';

/**
 * Gemini takes at most 20 MB in one request, prompt included, and inline data travels as
 * base64 (4 bytes for every 3). The instruction and the JSON around it take well under the
 * margin kept here.
 */
const GEMINI_REQUEST_MAX_BYTES = 20_000_000;
const GEMINI_REQUEST_MARGIN_BYTES = 16_384;
export const GEMINI_INLINE_AUDIO_MAX_BYTES = Math.floor(
  ((GEMINI_REQUEST_MAX_BYTES - GEMINI_REQUEST_MARGIN_BYTES) / 4) * 3,
);

/** Gemini with the audio as inline data beside one instruction. */
function geminiTranscriber(config: ClassifierConfig, apiKey: string): Transcriber {
  const client = new GoogleGenAI({
    apiKey,
    httpOptions: {
      ...(config.GEMINI_BASE_URL ? { baseUrl: config.GEMINI_BASE_URL } : {}),
      retryOptions: { attempts: 1 },
    },
  });
  const thinkingConfig = geminiThinkingConfig(config.GEMINI_MODEL, config.GEMINI_THINKING_BUDGET);
  return {
    name: 'gemini',
    model: config.GEMINI_MODEL,
    refuses(audio) {
      return audio.bytes.length > GEMINI_INLINE_AUDIO_MAX_BYTES
        ? `${audio.bytes.length} bytes of audio exceed Gemini's 20 MB inline request once base64-encoded`
        : undefined;
    },
    async transcribe(audio, signal) {
      const response = await client.models.generateContent({
        model: config.GEMINI_MODEL,
        contents: [
          {
            role: 'user',
            parts: [
              { text: GEMINI_INSTRUCTION },
              { inlineData: { mimeType: baseType(audio.mimeType), data: audio.bytes.toString('base64') } },
            ],
          },
        ],
        config: {
          temperature: 0,
          maxOutputTokens: config.MAX_TOKENS,
          ...(thinkingConfig ? { thinkingConfig } : {}),
          abortSignal: signal,
        },
      });
      // A transcript stopped at the limit is missing words (or is nothing but thoughts).
      const cutOff = geminiCutOff(response, config.MAX_TOKENS);
      if (cutOff)
        throw new ProviderFailure('gemini', 'output_limit', `transcript stopped at the output limit (${cutOff})`);
      return response.text ?? '';
    },
  };
}

/** The providers that can transcribe, in CLASSIFIER_PROVIDERS order, with a key. Anthropic takes no audio. */
export function createTranscribers(config: ClassifierConfig): Transcriber[] {
  const transcribers: Transcriber[] = [];
  for (const name of config.CLASSIFIER_PROVIDERS) {
    if (name === 'openai' && config.OPENAI_API_KEY) transcribers.push(openAiTranscriber(config, config.OPENAI_API_KEY));
    if (name === 'gemini' && config.GOOGLE_API_KEY) transcribers.push(geminiTranscriber(config, config.GOOGLE_API_KEY));
  }
  return transcribers;
}
