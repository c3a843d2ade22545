import { describe, expect, test } from 'vitest';
import { TEMPLATE_PURPOSES, WhatsAppTemplatesFile } from '@helpline/contracts';

describe('WhatsAppTemplatesFile', () => {
  test('maps purposes to templates; header and body default to no parameters', () => {
    const file = WhatsAppTemplatesFile.parse({
      reply_window: { name: 'respuesta_pendiente', language: 'es', body: ['text'] },
      cut_off: { name: 'corte_servicio', language: 'es_CO', twilio: { contentSid: `HX${'a'.repeat(32)}` } },
    });
    expect(file.reply_window).toEqual({ name: 'respuesta_pendiente', language: 'es', header: [], body: ['text'] });
    expect(file.cut_off?.twilio?.contentSid).toBe(`HX${'a'.repeat(32)}`);
    expect(TEMPLATE_PURPOSES).toContain('reply_window');
  });

  test.each([
    ['an unknown purpose', { welcome: { name: 'hola', language: 'es' } }],
    ['a name Meta would refuse', { outage: { name: 'Falla General', language: 'es' } }],
    ['a language that is no code', { outage: { name: 'falla', language: 'spanish' } }],
    ['a Content SID of another shape', { outage: { name: 'falla', language: 'es', twilio: { contentSid: 'HX1' } } }],
    ['a misspelled field', { outage: { name: 'falla', language: 'es', bodyy: ['text'] } }],
    ['a value name with capitals', { outage: { name: 'falla', language: 'es', body: ['Text'] } }],
  ])('refuses %s', (_name, file) => {
    expect(WhatsAppTemplatesFile.safeParse(file).success).toBe(false);
  });
});
