import { normalizeText } from '../keywords/normalize.js';

/**
 * Whether a customer's text asks something, in Spanish or English, with no model to read
 * it. Without a model the assistant tells a customer "that is not in our answers" only when
 * they asked; a statement ("mi nombre es Juan", "ya pagué ayer", "ok gracias") or a photo
 * without a caption keeps the plain acknowledgement. Customers on WhatsApp often drop the
 * question mark and the accents, so three signs count, each enough:
 * - a `?` or `¿` anywhere;
 * - a clause that opens with a question word or a verb that opens questions ("cuánto
 *   cuesta", "a qué hora", "tienen cobertura", "do you", "is there"), after any greeting;
 * - a request for information anywhere ("quisiera saber", "me pueden indicar", "can you
 *   tell me", "información sobre").
 * Matched on folded text (lower case, no accents), like the keywords.
 */
export function asksQuestion(text: string): boolean {
  if (/[?¿]/.test(text)) return true;
  const folded = ` ${normalizeText(text)} `;
  if (INFORMATION_REQUESTS.some((phrase) => folded.includes(` ${phrase} `))) return true;
  return clausesOf(text).some(opensQuestion);
}

/** Words a question opens with, alone or after a preposition ("a qué hora", "de cuánto"). */
const QUESTION_WORDS = new Set(
  (
    'que cual cuales cuando cuanto cuanta cuantos cuantas donde adonde como quien quienes ' +
    'what whats which when where who whom whose why how'
  ).split(' '),
);

/** Prepositions a Spanish question word may follow at the start: "a como está", "hasta qué hora". */
const PREPOSITIONS = new Set('a de en con para hasta desde por sobre'.split(' '));

/**
 * Openings of a question without a question word: a verb asking whether something is so
 * ("hay", "tienen", "se puede", "do you", "is there") or a request ("me pueden", "me regalan").
 */
const QUESTION_OPENINGS = [
  'hay',
  'habra',
  'tienen',
  'tiene',
  'tienes',
  'manejan',
  'ofrecen',
  'aceptan',
  'atienden',
  'cobran',
  'llega',
  'llegan',
  'puedo',
  'puede',
  'pueden',
  'podria',
  'podrian',
  'podemos',
  'se puede',
  'se pueden',
  'es posible',
  'sera que',
  'saben',
  'sabe',
  'me pueden',
  'me puede',
  'me podrian',
  'me podria',
  'me regalan',
  'me regala',
  'can',
  'could',
  'would',
  'will',
  'should',
  'may',
  'do',
  'does',
  'did',
  'is',
  'are',
  'am',
  'was',
  'were',
  'have you',
  'has',
].map((phrase) => phrase.split(' '));

/** Exclamations and wishes that open with a question word and ask nothing ("qué pena", "que tengan buen día"). */
const EXCLAMATIONS = [
  'que pena',
  'que bien',
  'que bueno',
  'que mal',
  'que rico',
  'que tenga',
  'que tengan',
  'que dios',
  'how nice',
  'how kind',
].map((phrase) => phrase.split(' '));

/** Asking for information, wherever it stands in the message. */
const INFORMATION_REQUESTS = [
  'quisiera saber',
  'quiero saber',
  'queria saber',
  'quisiera preguntar',
  'quiero preguntar',
  'me gustaria saber',
  'necesito saber',
  'necesito informacion',
  'quiero informacion',
  'quisiera informacion',
  'informacion sobre',
  'informacion de',
  'info sobre',
  'info de',
  'me pueden decir',
  'me puede decir',
  'me podrian decir',
  'me podria decir',
  'me pueden indicar',
  'me puede indicar',
  'me podrian indicar',
  'me pueden informar',
  'me puede informar',
  'me pueden explicar',
  'me puede explicar',
  'me explican',
  'una pregunta',
  'una consulta',
  'una duda',
  'i want to know',
  'i wanted to know',
  'i would like to know',
  'i d like to know',
  'i need to know',
  'i was wondering',
  'i wonder',
  'can you tell me',
  'could you tell me',
  'please tell me',
  'let me know',
  'information about',
  'information on',
  'info about',
  'info on',
  'a question',
  'quick question',
];

/** Greetings and fillers a question may follow in the same clause: "hola buenas, cuánto cuesta". */
const LEADING_FILLERS = [
  'hola',
  'ola',
  'buenas',
  'buenos dias',
  'buenas tardes',
  'buenas noches',
  'buen dia',
  'disculpe',
  'disculpa',
  'perdon',
  'oiga',
  'oye',
  'senor',
  'senora',
  'senorita',
  'amigo',
  'amiga',
  'por favor',
  'porfa',
  'una pregunta',
  'una consulta',
  'y',
  'pero',
  'entonces',
  'bueno',
  'ok',
  'okay',
  'hi',
  'hello',
  'hey',
  'good morning',
  'good afternoon',
  'good evening',
  'excuse me',
  'sorry',
  'please',
  'so',
  'and',
  'but',
]
  .map((phrase) => phrase.split(' '))
  // Longest first, so "buenas tardes" is skipped whole rather than "buenas" alone.
  .sort((a, b) => b.length - a.length);

/** The message's clauses, folded: split at sentence and clause punctuation and line breaks. */
function clausesOf(text: string): string[][] {
  return text
    .split(/[.,;:!¡\n]+/)
    .map((clause) => normalizeText(clause))
    .filter((clause) => clause.length > 0)
    .map((clause) => clause.split(' '));
}

function startsWith(words: readonly string[], phrase: readonly string[]): boolean {
  return phrase.every((word, i) => words[i] === word);
}

function fillerAt(words: readonly string[]): readonly string[] | undefined {
  return LEADING_FILLERS.find((phrase) => startsWith(words, phrase));
}

function opensQuestion(clause: readonly string[]): boolean {
  let words = clause;
  for (let filler = fillerAt(words); filler; filler = fillerAt(words)) words = words.slice(filler.length);
  if (EXCLAMATIONS.some((phrase) => startsWith(words, phrase))) return false;
  const [first, second] = words;
  if (first === undefined) return false;
  if (QUESTION_WORDS.has(first)) return true;
  if (second !== undefined && PREPOSITIONS.has(first) && QUESTION_WORDS.has(second)) return true;
  return QUESTION_OPENINGS.some((phrase) => startsWith(words, phrase));
}
