import type { ConversationMetrics } from '../conversation-metrics.js';
import type { Action } from '../decide.js';

/** Metrics count decisions, not attempts: a replayed plan is not counted again. */
export function countDecision(metrics: ConversationMetrics, action: Action, pauseExpired: boolean): void {
  if (pauseExpired) metrics.event('resume');
  switch (action.kind) {
    case 'privacy_notice':
      metrics.event('consent_requested');
      break;
    case 'consent_accepted':
      metrics.event('consent_accepted');
      break;
    case 'consent_declined':
      metrics.event('consent_declined');
      break;
    case 'rate_limited':
      metrics.event('rate_limited');
      break;
    case 'handoff':
      metrics.event('handoff');
      metrics.command('agent', action.via);
      break;
    case 'command':
      metrics.command(action.command, 'text');
      break;
    case 'menu_choice':
      metrics.command(action.choice, 'list');
      break;
    case 'account':
      if (action.command) metrics.command(action.command.name, action.command.via);
      break;
    default:
      break;
  }
}
