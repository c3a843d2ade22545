import { normaliseWords } from './language-detector.js';

/** A customer's words about notices: stop them, or have them again. */
export type NoticePreference = 'notices_opt_out' | 'notices_opt_in';

// The whole message must be one of these (in any case, with or without accents and
// punctuation): "stop" inside a sentence about the internet is a problem to classify.
const PHRASES: Record<string, NoticePreference> = {
  'no quiero mas avisos': 'notices_opt_out',
  'no quiero recibir avisos': 'notices_opt_out',
  'no quiero recibir mas avisos': 'notices_opt_out',
  'no mas avisos': 'notices_opt_out',
  'no enviar avisos': 'notices_opt_out',
  'parar avisos': 'notices_opt_out',
  'detener avisos': 'notices_opt_out',
  'cancelar avisos': 'notices_opt_out',
  stop: 'notices_opt_out',
  unsubscribe: 'notices_opt_out',
  'stop notices': 'notices_opt_out',
  'quiero recibir avisos': 'notices_opt_in',
  'quiero avisos': 'notices_opt_in',
  'recibir avisos': 'notices_opt_in',
  'activar avisos': 'notices_opt_in',
  start: 'notices_opt_in',
  subscribe: 'notices_opt_in',
  'start notices': 'notices_opt_in',
};

/** Whether a text is the customer asking to stop (or restart) notices. */
export function parseNoticePreference(text: string): NoticePreference | undefined {
  const key = normaliseWords(text).join(' ');
  return key.length > 0 ? PHRASES[key] : undefined;
}
