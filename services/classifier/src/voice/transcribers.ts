import { GoogleGenAI } from '@google/genai';
import OpenAI, { toFile } from 'openai';
import type { ClassifierConfig } from '../config.js';

/** A provider that turns a voice note into its words. */
export interface Transcriber {
  readonly name: 'openai' | 'gemini';
  readonly model: string;
  transcribe(audio: { bytes: Buffer; mimeType: string; language?: 'es' | 'en' }, signal: AbortSignal): Promise<string>;
}

/** "audio/ogg; codecs=opus" -> "audio/ogg". */
const baseType = (mimeType: string) => mimeType.split(';')[0]?.trim().toLowerCase() || 'application/octet-stream';

// OpenAI infers the format from the file name; WhatsApp's voice notes are Ogg Opus.
const EXTENSIONS: Record<string, string> = {
  'audio/ogg': 'ogg',
  'audio/opus': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'audio/mp4': 'm4a',
  'audio/m4a': 'm4a',
  'audio/aac': 'm4a',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/webm': 'webm',
  'audio/flac': 'flac',
  'audio/amr': 'amr',
};

/** OpenAI's transcription endpoint (`/v1/audio/transcriptions`), SDK retries off like the chain's. */
function openAiTranscriber(config: ClassifierConfig, apiKey: string): Transcriber {
  const client = new OpenAI({ apiKey, baseURL: config.OPENAI_BASE_URL, maxRetries: 0 });
  return {
    name: 'openai',
    model: config.OPENAI_TRANSCRIBE_MODEL,
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

/** Gemini with the audio as inline data beside one instruction. */
function geminiTranscriber(config: ClassifierConfig, apiKey: string): Transcriber {
  const client = new GoogleGenAI({
    apiKey,
    httpOptions: {
      ...(config.GEMINI_BASE_URL ? { baseUrl: config.GEMINI_BASE_URL } : {}),
      retryOptions: { attempts: 1 },
    },
  });
  return {
    name: 'gemini',
    model: config.GEMINI_MODEL,
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
        config: { temperature: 0, maxOutputTokens: config.MAX_TOKENS, abortSignal: signal },
      });
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
