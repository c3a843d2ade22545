// One message through the assistant (the LLM chain, the knowledge base, keywords last), and
// the line that says how it went: which provider, which were passed over and why, how long.
import type { InboundMessage } from '@helpline/contracts';
import type { Logger } from '@helpline/runtime';
import type { AssistedResult, Assistant } from '../assistant/assistant.js';

export async function classifyMessage(
  assistant: Assistant,
  input: {
    message: InboundMessage;
    /** What the message says: its text, or its voice note's transcript. */
    text: string;
    transcript: string | undefined;
  },
  logger: Logger,
): Promise<AssistedResult> {
  const { message, text, transcript } = input;
  const result = await assistant.classify({
    text,
    history: message.history,
    // A transcribed voice note reads as text to the models.
    messageType: transcript ? 'text' : message.type,
    ...(message.customer?.language ? { languageHint: message.customer.language } : {}),
  });
  const { classification } = result;
  logger.info(
    {
      source: result.source,
      category: classification.category,
      priority: classification.priority,
      fallbacks: result.attempts.filter((a) => a.outcome === 'passed_over').map((a) => `${a.provider}:${a.reason}`),
      durationMs: result.durationMs,
      ...(result.answer
        ? {
            answer: result.answer.kind,
            answerSource: result.answer.source,
            entries: result.answer.entries.map((e) => e.id),
          }
        : {}),
      ...(result.ownAccount ? { ownAccount: true } : {}),
    },
    'classified',
  );
  return result;
}
