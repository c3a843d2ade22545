import type { DiagnosticCheck, DiagnosticReport, DiagnosticStatus } from '@helpline/contracts';

export type Language = 'es' | 'en';

/** Short plain-language summaries; the first failing or warning check decides the words. */
export function summarise(status: DiagnosticStatus, checks: readonly DiagnosticCheck[]): { es: string; en: string } {
  const decisive =
    checks.find((c) => c.result === 'fail') ??
    checks.find((c) => c.result === 'warn') ??
    checks.find((c) => c.result === 'error');
  const name = decisive?.name;
  if (status === 'ok') {
    return {
      es: 'Revisamos tu servicio: la conexión está activa y responde bien. Si el problema sigue, reinicia tu router y escríbenos.',
      en: 'We checked your service: the connection is up and answering well. If the problem persists, restart your router and write to us.',
    };
  }
  if (status === 'unknown') {
    if (name === 'customer') {
      return {
        es: 'No encontramos una cuenta asociada a tus datos. Indícanos tu número de documento o de cliente.',
        en: 'We could not find an account with your details. Please send us your ID document or customer number.',
      };
    }
    return {
      es: 'No pudimos completar la revisión de tu servicio en este momento. Un técnico lo revisará.',
      en: 'We could not complete the check of your service right now. A technician will look into it.',
    };
  }
  switch (name) {
    case 'account':
      return {
        es: 'Tu servicio está suspendido o tiene pagos pendientes. Al regularizar el pago se reactiva.',
        en: 'Your service is suspended or has pending payments. It is restored once the payment is settled.',
      };
    case 'outage':
      return {
        es: 'Hay una falla general en tu zona y ya estamos trabajando en ella. Te avisaremos cuando se resuelva.',
        en: 'There is a general outage in your area and we are already working on it. We will let you know when it is fixed.',
      };
    case 'pppoe_session':
      return {
        es: 'Tu equipo no tiene sesión activa con nuestra red. Revisa que el router esté encendido y los cables conectados.',
        en: 'Your equipment has no active session with our network. Check that the router is on and the cables are connected.',
      };
    case 'ping':
      return status === 'down'
        ? {
            es: 'Tu equipo no responde desde nuestra red. Reinicia el router; si sigue igual, un técnico lo revisará.',
            en: 'Your equipment does not answer from our network. Restart the router; if nothing changes, a technician will check it.',
          }
        : {
            es: 'Tu conexión tiene pérdida de paquetes o demoras. Un técnico revisará la calidad del enlace.',
            en: 'Your connection shows packet loss or delays. A technician will check the link quality.',
          };
    case 'queue':
      return {
        es: 'Tu conexión está usando casi toda la velocidad de tu plan. Revisa si hay descargas o equipos consumiendo.',
        en: 'Your connection is using almost all of your plan speed. Check for downloads or devices using it.',
      };
    default:
      return {
        es: 'Encontramos un problema en tu servicio. Un técnico lo revisará.',
        en: 'We found a problem with your service. A technician will look into it.',
      };
  }
}

const STATUS_WORDS: Record<Language, Record<DiagnosticStatus, string>> = {
  es: { ok: 'funcionando', degraded: 'con problemas', down: 'sin servicio', unknown: 'sin confirmar' },
  en: { ok: 'working', degraded: 'degraded', down: 'down', unknown: 'not confirmed' },
};

/** The chat text for a report, in the customer's language. */
export function reportText(report: DiagnosticReport, language: Language, fromCache: boolean): string {
  const head =
    language === 'es'
      ? `Diagnóstico: ${STATUS_WORDS.es[report.status]}.`
      : `Diagnosis: ${STATUS_WORDS.en[report.status]}.`;
  const cached =
    fromCache && language === 'es'
      ? ' (revisión reciente; volveremos a revisar en unos minutos)'
      : fromCache
        ? ' (recent check; we will check again in a few minutes)'
        : '';
  return `${head}${cached}\n${report.summary[language]}`;
}
