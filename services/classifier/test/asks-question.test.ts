import { describe, expect, test } from 'vitest';
import { asksQuestion } from '../src/assistant/asks-question.js';

describe('asksQuestion', () => {
  test.each([
    // A question mark, opening or closing.
    ['¿hasta qué hora atienden?', 'es'],
    ['tienen television por cable?', 'es'],
    ['are you open on sundays?', 'en'],
    // Question words, accents dropped, after a greeting, after a preposition.
    ['cuanto cuesta el plan de 100 megas', 'es'],
    ['Cuánto vale la instalación', 'es'],
    ['hola buenas tardes, como hago para pagar', 'es'],
    ['a que hora abren el sabado', 'es'],
    ['buenas tardes cuanto cuesta el plan', 'es'],
    ['good morning what time do you open', 'en'],
    ['hasta que hora atienden hoy', 'es'],
    ['a como esta el plan hogar', 'es'],
    ['donde queda la oficina', 'es'],
    ['cual es la capital de francia', 'es'],
    ['quien me puede ayudar con el router', 'es'],
    ['por que me llego tan alta la factura', 'es'],
    ['what plans do you have', 'en'],
    ['hi, how do i change the wifi password', 'en'],
    ['where can I pay', 'en'],
    ['why is my bill higher this month', 'en'],
    // Verbs that open a yes/no question.
    ['hay cobertura en la esperanza', 'es'],
    ['tienen planes para empresas', 'es'],
    ['puedo pagar con nequi', 'es'],
    ['se puede pagar en efectivo', 'es'],
    ['llega la fibra a villa nueva', 'es'],
    ['me regalan el numero de cuenta', 'es'],
    ['do you cover el poblado', 'en'],
    ['is there a fee for late payment', 'en'],
    ['are there plans for businesses', 'en'],
    ['can I move the service to my new house', 'en'],
    // Requests for information, anywhere in the message.
    ['buenas, quisiera saber los precios', 'es'],
    ['quiero saber si atienden los domingos', 'es'],
    ['me pueden indicar los medios de pago', 'es'],
    ['necesito información sobre la instalación', 'es'],
    ['información de los planes por favor', 'es'],
    ['tengo una pregunta sobre el traslado', 'es'],
    ['I would like to know the prices', 'en'],
    ['I want to know about installation', 'en'],
    ['please can you tell me the opening hours', 'en'],
    ['information about plans', 'en'],
  ])('asks: %s (%s)', (text) => {
    expect(asksQuestion(text)).toBe(true);
  });

  test.each([
    ['', 'none'],
    ['mi nombre es Juan', 'es'],
    ['ya pagué ayer', 'es'],
    ['ok gracias', 'es'],
    ['muchas gracias, muy amable', 'es'],
    ['listo, ya me funcionó', 'es'],
    ['mi cédula es 1020304050', 'es'],
    ['qué pena con usted, ya le envío el comprobante', 'es'],
    ['que tengan buen día', 'es'],
    ['te envío la foto del recibo', 'es'],
    ['el tecnico me dejo la casa sucia', 'es'],
    ['👍', 'emoji'],
    ['my name is John', 'en'],
    ['I paid yesterday', 'en'],
    ['ok thanks', 'en'],
    ['thank you, it works now', 'en'],
    ['I sent the receipt', 'en'],
  ])('does not ask: %s (%s)', (text) => {
    expect(asksQuestion(text)).toBe(false);
  });
});
