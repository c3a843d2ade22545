import { normalizeText } from '../keywords/normalize.js';

/**
 * Words that say nothing about the topic in either language. Question words ("cómo",
 * "cuánto", "what", "how") are here too: every entry is a question, so they only add noise.
 */
const STOP_WORDS = new Set(
  (
    'a al algo ante con como cual cuales cuando cuanto cuanta de del desde donde el ella en es esa ese esta este esto estoy ' +
    'ha han hay la las le les lo los me mi mis muy no nos o os para pero por porque que q quien se si sin sobre son su sus ' +
    'te tengo tiene tienen tu tus un una uno unos unas usted ustedes y ya yo buenas buenos buen dia dias hola favor porfa gracias ' +
    'the an and are at be but by can could do does for from have has how i if in into is it its me my no not of on or our please ' +
    'so that the their them there they this to us was we what when where which who why will with would you your hi hello thanks'
  ).split(' '),
);

/**
 * Endings stripped to reach a common stem, longest first, in both languages: plurals,
 * verb endings and -ción/-ation nouns, so "instalar", "instalación" and "installation"
 * meet "instal"/"install". Deliberately light: prefix and fuzzy matching cover the rest.
 */
const SUFFIXES = [
  'aciones',
  'ations',
  'acion',
  'ation',
  'amiento',
  'mente',
  'ando',
  'iendo',
  'ados',
  'adas',
  'ing',
  'ado',
  'ada',
  'ed',
  'ar',
  'er',
  'ir',
  'es',
  'os',
  'as',
  's',
  'o',
  'a',
  'e',
];

const MIN_STEM = 3;

export function stem(word: string): string {
  for (const suffix of SUFFIXES) {
    if (word.length - suffix.length >= MIN_STEM && word.endsWith(suffix)) return word.slice(0, -suffix.length);
  }
  return word;
}

/** A term as indexed and searched: folded, a stop word dropped (null), else stemmed. */
export function searchTerm(term: string): string | null {
  const folded = normalizeText(term);
  if (!folded || STOP_WORDS.has(folded)) return null;
  return stem(folded);
}

/** Splits on anything that is not a letter or digit once accents are folded. */
export function splitWords(text: string): string[] {
  const folded = normalizeText(text);
  return folded ? folded.split(' ') : [];
}

/** The distinct search terms of a text. */
export function searchTermsOf(text: string): string[] {
  return [
    ...new Set(
      splitWords(text)
        .map(searchTerm)
        .filter((t): t is string => t !== null),
    ),
  ];
}
