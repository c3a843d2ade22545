import { normalizeText } from '../keywords/normalize.js';

/** Something the reply states that its sources do not. */
export interface GroundingProblem {
  kind: 'number' | 'name' | 'link' | 'promise' | 'date';
  value: string;
}

// A numbered list's own markers ("1. Unplug") are layout, not facts.
const LIST_MARKER = /^\s*\d{1,2}[.)]\s+/gm;
const NUMBER = /\d+(?:[.,:]\d+)*/g;
const BOLD = /\*([^*\n]{2,80})\*/g;
const LINK = /\bhttps?:\/\/[^\s)]+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+/gi;

/** Words that promise something: said only when an entry says them. */
const PROMISE_WORDS = [
  'gratis',
  'gratuito',
  'gratuita',
  'descuento',
  'regalo',
  'regalamos',
  'reembolso',
  'reembolsamos',
  'devolvemos',
  'compensacion',
  'compensamos',
  'garantizamos',
  'garantizado',
  'bonificacion',
  'promocion',
  'sin costo',
  'free',
  'discount',
  'refund',
  'compensation',
  'guarantee',
  'guaranteed',
  'waive',
  'promotion',
  'no charge',
  'free of charge',
];

/** Dates and days: a month or weekday named in a reply must be named in an entry. */
const DATE_WORDS = (
  'enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre ' +
  'lunes martes miercoles jueves viernes sabado sabados domingo domingos festivo festivos manana hoy ' +
  'january february march april june july august september october november december ' +
  'monday tuesday wednesday thursday friday saturday saturdays sunday sundays holiday holidays tomorrow today'
).split(' ');

const digits = (value: string) => value.replace(/\D/g, '');

/** Every form a number of the sources may be repeated in: whole, its groups ("7:00" -> 7, 00), without separators. */
function numberForms(text: string): Set<string> {
  const forms = new Set<string>();
  for (const match of text.matchAll(NUMBER)) {
    const value = match[0];
    forms.add(digits(value));
    for (const group of value.split(/[.,:]/)) if (group) forms.add(String(Number(group)));
  }
  return forms;
}

const hasPhrase = (folded: string, phrase: string) => ` ${folded} `.includes(` ${phrase} `);

/**
 * What a reply says that its sources (the entries it used, and what the business already
 * said in the chat) do not: numbers (amounts, prices, times, dates, phone numbers), names
 * in bold (plans), names the knowledge base uses elsewhere (another entry's plan), links
 * and e-mail addresses, promises and dates. Checked in code, whatever the prompt asked, so
 * a model that was talked into inventing one sends nothing of it: the caller falls back.
 */
export function groundingProblems(
  reply: string,
  sources: readonly string[],
  knownNames: readonly string[] = [],
): GroundingProblem[] {
  const sourceText = sources.join('\n');
  const foldedSources = normalizeText(sourceText);
  const sourceNumbers = numberForms(sourceText);
  const problems: GroundingProblem[] = [];

  const body = reply.replace(LIST_MARKER, '');
  for (const match of body.matchAll(NUMBER)) {
    const value = match[0];
    const whole = digits(value);
    const hourOnly = /^\d{1,2}:00$/.test(value) ? String(Number(value.slice(0, -3))) : undefined;
    if (!sourceNumbers.has(whole) && !(hourOnly && sourceNumbers.has(hourOnly)))
      problems.push({ kind: 'number', value });
  }
  for (const match of reply.matchAll(BOLD)) {
    const name = normalizeText(match[1] ?? '');
    if (name && !hasPhrase(foldedSources, name)) problems.push({ kind: 'name', value: match[1] ?? '' });
  }
  const foldedReply = normalizeText(reply);
  for (const name of knownNames) {
    const folded = normalizeText(name);
    if (folded && hasPhrase(foldedReply, folded) && !hasPhrase(foldedSources, folded))
      problems.push({ kind: 'name', value: name });
  }
  const lowerSources = sourceText.toLowerCase();
  for (const match of reply.matchAll(LINK)) {
    const link = match[0].replace(/[.,;:!?]+$/, '');
    if (!lowerSources.includes(link.toLowerCase())) problems.push({ kind: 'link', value: link });
  }
  for (const word of PROMISE_WORDS)
    if (hasPhrase(foldedReply, word) && !hasPhrase(foldedSources, word))
      problems.push({ kind: 'promise', value: word });
  for (const word of DATE_WORDS)
    if (hasPhrase(foldedReply, word) && !hasPhrase(foldedSources, word)) problems.push({ kind: 'date', value: word });
  // One problem of each value is enough to say why.
  return problems.filter((p, i) => problems.findIndex((q) => q.kind === p.kind && q.value === p.value) === i);
}

/** The names an entry sets in bold (plan names, commands): a reply may use them only when its sources do. */
export function boldNamesOf(texts: readonly string[]): string[] {
  const names = new Set<string>();
  for (const text of texts) for (const match of text.matchAll(BOLD)) if (match[1]) names.add(match[1].trim());
  return [...names];
}
