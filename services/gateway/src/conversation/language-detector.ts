import type { Language } from '@helpline/contracts';

// Short, frequent words that belong to one language only. Words both languages share
// (no, a, me, internet, menu, ok) are left out: they say nothing about the language.
const SPANISH = new Set(
  (
    'el la los las de del que y en un una unos mi mis tu es esta estoy son por para con sin se lo le al ' +
    'hola buenas buenos dias tardes noches gracias favor tengo tiene funciona sirve ayuda quiero necesito ' +
    'puedo pueden como cuando donde porque pero muy ya hay nada senal lento lenta factura facturas deuda ' +
    'contrasena servicio agente puntos pago llega conexion problema todavia hoy ayer desde hace ahora'
  ).split(' '),
);
const ENGLISH = new Set(
  (
    'the is are my your you i im it its this that and with without for of to on in at be been was ' +
    'hello hi hey thanks thank please good morning evening afternoon have has not dont doesnt cant ' +
    'working works work help want need can could would how when where why what but very already there ' +
    'nothing signal slow bill invoice invoices debt password service agent points payment connection ' +
    'problem still today yesterday since now'
  ).split(' '),
);
const SPANISH_MARKS = /[ñ¿¡áéíóú]/i;

/** Lower case, no accents, words only: "¿Está LENTO?" becomes "esta lento". */
export function normaliseWords(text: string): string[] {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter((w) => w.length > 0);
}

/**
 * A deliberately small detector: counts words that only Spanish or only English uses, and
 * gives Spanish punctuation and accents extra weight. Answers undefined when the text says
 * nothing either way ("ok", "123", an emoji), so the chat keeps the language it had.
 */
export function detectLanguage(text: string): Language | undefined {
  let spanish = SPANISH_MARKS.test(text) ? 2 : 0;
  let english = 0;
  for (const word of normaliseWords(text)) {
    if (SPANISH.has(word)) spanish += 1;
    if (ENGLISH.has(word)) english += 1;
  }
  if (spanish > english) return 'es';
  if (english > spanish) return 'en';
  return undefined;
}
