// What a job keeps between its attempts, in its progress object: the classification (and
// answer, transcript, burst, own-account flag), so a retry routes the same way again.
import { Classification } from '@helpline/contracts';
import type { Job } from 'bullmq';
import { z } from 'zod';
import type { AssistantAnswer } from '../assistant/assistant.js';

const SavedAnswer = z.object({
  kind: z.enum(['answer', 'not_found']),
  text: z.string(),
  source: z.enum(['openai', 'gemini', 'anthropic', 'knowledge']),
  entries: z.array(
    z.object({
      id: z.string(),
      heading: z.string(),
      keywords: z.array(z.string()),
      body: z.string(),
      language: z.enum(['es', 'en']),
      file: z.string(),
    }),
  ),
});

/** Where a classification (and the answer) is kept between attempts of one job (the job's progress object). */
export const SavedBurst = z.object({ ids: z.array(z.string()), text: z.string() });

export interface Saved {
  classification?: Classification;
  answer?: AssistantAnswer;
  transcript?: string;
  /** A burst this job leads, once closed: a retry answers the same messages, not a new burst. */
  burst?: z.infer<typeof SavedBurst>;
  ownAccount?: boolean;
}

export function saved(job: Job | undefined): Saved {
  const progress = job?.progress as Record<string, unknown> | undefined;
  const classification = Classification.safeParse(progress?.classification);
  const answer = SavedAnswer.safeParse(progress?.answer);
  const burst = SavedBurst.safeParse(progress?.burst);
  const transcript = typeof progress?.transcript === 'string' ? progress.transcript : undefined;
  return {
    ...(classification.success ? { classification: classification.data } : {}),
    ...(classification.success && answer.success ? { answer: answer.data } : {}),
    ...(transcript ? { transcript } : {}),
    ...(burst.success ? { burst: burst.data } : {}),
    ...(progress?.ownAccount === true ? { ownAccount: true } : {}),
  };
}
