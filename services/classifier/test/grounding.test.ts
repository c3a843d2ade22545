import { describe, expect, test } from 'vitest';
import { isOwnAccountQuestion } from '../src/assistant/account-question.js';
import { boldNamesOf, groundingProblems } from '../src/assistant/grounding.js';

const hours =
  'Atendemos de *lunes a viernes de 7:00 a. m. a 7:00 p. m.* y los *sábados de 8:00 a. m. a 2:00 p. m.*\nLa oficina queda en la Calle 10 # 5-32.';
const plans = 'Planes:\n- *Hogar 50*: 50 megas por $65.000\n- *Hogar 100*: 100 megas por $85.000';

describe('grounding: a reply states only what its sources say', () => {
  test('figures repeated as the entry writes them, or in another common form, pass', () => {
    expect(
      groundingProblems('Abrimos de lunes a viernes de 7 a. m. a 7 p. m. y los sábados de 8:00 a 2:00.', [hours]),
    ).toEqual([]);
    expect(groundingProblems('El plan *Hogar 50* cuesta $65.000 al mes (65000 pesos).', [plans])).toEqual([]);
    expect(groundingProblems('Estamos en la Calle 10 # 5-32.', [hours])).toEqual([]);
  });

  test('an amount, an hour or a number that is not in the sources is caught', () => {
    expect(groundingProblems('El plan *Hogar 50* cuesta $60.000.', [plans])).toEqual([
      { kind: 'number', value: '60.000' },
    ]);
    expect(groundingProblems('Atendemos hasta las 9:00 p. m.', [hours])).toEqual([{ kind: 'number', value: '9:00' }]);
    expect(groundingProblems('Te instalamos en 24 horas.', [plans]).map((p) => p.kind)).toEqual(['number']);
  });

  test('a plan name the sources do not name, in bold or from another entry of the base, is caught', () => {
    expect(groundingProblems('Te recomiendo el *Plan Turbo*.', [plans])).toEqual([
      { kind: 'name', value: 'Plan Turbo' },
    ]);
    const names = boldNamesOf([plans, 'Plan rural: *Rural Plus*.']);
    expect(groundingProblems('También está el Rural Plus.', [plans], names)).toEqual([
      { kind: 'name', value: 'Rural Plus' },
    ]);
  });

  test('promises, dates and links the sources do not make are caught; a numbered list is layout', () => {
    expect(groundingProblems('Te damos un descuento y la instalación gratis.', [plans]).map((p) => p.value)).toEqual([
      'gratis',
      'descuento',
    ]);
    expect(groundingProblems('Abrimos el domingo.', [hours])).toEqual([{ kind: 'date', value: 'domingo' }]);
    expect(groundingProblems('Paga en https://pagos.example.net/x.', [plans])).toEqual([
      { kind: 'link', value: 'https://pagos.example.net/x' },
    ]);
    expect(groundingProblems('1. Desconecta el router.\n2. Conéctalo.', ['Desconecta el router y conéctalo.'])).toEqual(
      [],
    );
  });
});

describe("a question about the customer's own account", () => {
  test.each([
    ['cuanto debo?', true],
    ['¿Cuánto debo este mes?', true],
    ['me llegó la factura muy alta', true],
    ['what is my balance', true],
    ['how much do I owe', true],
    ['¿qué pasa si pago tarde?', false],
    ['¿cómo puedo pagar?', false],
    ['what plans do you have', false],
  ])('%s -> %s', (text, expected) => {
    expect(isOwnAccountQuestion(text)).toBe(expected);
  });
});
