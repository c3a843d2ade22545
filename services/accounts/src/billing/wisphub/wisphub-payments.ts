import { type WisphubClient, WisphubError } from '@helpline/directory';
import type { PaymentInput, PaymentResult } from '../billing-provider.js';
import { toDecimalString } from '../money.js';
import { PaymentAnswer } from './wisphub-records.js';

/** `YYYY-MM-DD hh:mm` in the business time zone, as WispHub's `fecha_pago` takes it. */
export function wisphubDateTime(at: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/**
 * A payment registered with `POST /api/facturas/{id}/registrar-pago/` (`accion` 1 also
 * reactivates the service), answered `{messages, task_id}`: the reactivation runs in
 * WispHub's own task queue, so the service may come back a little later.
 */
export async function registerWisphubPayment(
  client: WisphubClient,
  timeZone: string,
  input: PaymentInput,
): Promise<PaymentResult> {
  const body = await client.post(`/api/facturas/${encodeURIComponent(input.invoiceId)}/registrar-pago/`, {
    total_cobrado: toDecimalString(input.amountMinor),
    accion: input.reactivate ? '1' : '0',
    forma_pago: input.methodId,
    referencia: input.reference,
    fecha_pago: wisphubDateTime(input.paidAt, timeZone),
  });
  if (body === undefined) throw new WisphubError('WispHub does not know this invoice (404 on registrar-pago)');
  const parsed = PaymentAnswer.safeParse(body);
  const messages = parsed.success ? [parsed.data.messages ?? []].flat() : [];
  return {
    messages,
    ...(parsed.success && parsed.data.task_id ? { taskId: parsed.data.task_id } : {}),
    reactivated: input.reactivate,
  };
}
