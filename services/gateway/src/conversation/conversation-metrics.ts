import { METRIC_PREFIX, type ServiceMetrics } from '@helpline/runtime';
import { Counter } from 'prom-client';

export const CONVERSATION_EVENTS = [
  'consent_requested',
  'consent_accepted',
  'consent_declined',
  'handoff',
  'resume',
  'rate_limited',
  'forgotten',
] as const;
export type ConversationEvent = (typeof CONVERSATION_EVENTS)[number];

/** Labels are event and command names only: never a phone number or a message id. */
export function createConversationMetrics(metrics: ServiceMetrics) {
  const events = new Counter({
    name: `${METRIC_PREFIX}conversation_events_total`,
    help: 'Conversation events: consent requested/accepted/declined, handoff, resume, rate_limited, forgotten',
    labelNames: ['event'] as const,
    registers: [metrics.registry],
  });
  const commands = new Counter({
    name: `${METRIC_PREFIX}conversation_commands_total`,
    help: 'Commands and menu choices taken, by name and by how they were given (text or list)',
    labelNames: ['command', 'via'] as const,
    registers: [metrics.registry],
  });
  // Zero series exist from the start, so a dashboard's rate() has something to show.
  for (const event of CONVERSATION_EVENTS) events.inc({ event }, 0);
  return {
    event: (event: ConversationEvent) => events.inc({ event }),
    command: (command: string, via: 'text' | 'list') => commands.inc({ command, via }),
  };
}

export type ConversationMetrics = ReturnType<typeof createConversationMetrics>;
