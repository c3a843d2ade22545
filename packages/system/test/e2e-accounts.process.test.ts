import { createDatabase, createLogger, createMetrics } from '@helpline/runtime';
import type { RecordedGraphRequest } from '@helpline/testkit/meta-graph';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { importRecords } from '../../../services/accounts/src/import/import-records.js';
import { customerMessage, messageOf, signedBody } from '../src/chat/webhook-payloads.js';
import {
  API_TOKEN,
  APP_SECRET,
  PHONE_NUMBER_ID,
  type SystemUnderTest,
  startSystem,
  waitFor,
} from './support/system-under-test.js';

// The accounts service among the others, each a process from its build: the customer's
// debt, a statement PDF the gateway fetches from the accounts process and uploads to the
// fake Graph API, and a payment receipt (downloaded through the gateway's media endpoint)
// confirmed by staff.

const customer = { phone: '573005550101', name: 'Marta Ríos' };
const envelope = { phoneNumberId: PHONE_NUMBER_ID, customer };
let system: SystemUnderTest;

beforeAll(async () => {
  system = await startSystem({ customers: [], routerState: {} });
  const db = createDatabase({
    url: system.accountsDatabase,
    schema: 'accounts',
    migrationsDir: new URL('../../../services/accounts/migrations', import.meta.url).pathname,
    service: 'e2e-seed',
    logger: createLogger({ name: 'e2e-seed', level: 'silent' }),
    registry: createMetrics('e2e-seed').registry,
  });
  await db.migrate();
  await importRecords(
    db,
    'customers',
    `customer_id,name,document_number,phones,status\nM-1,Marta Ríos,52000111,${customer.phone},suspended\n`,
    'csv',
  );
  await importRecords(
    db,
    'invoices',
    'invoice_id,customer_id,number,due_on,total,state\nI-1,M-1,5001,2026-12-20,85000,pending\n',
    'csv',
  );
  await db.close();
}, 180_000);
afterAll(async () => {
  await system?.stop();
});

async function post(payload: unknown): Promise<void> {
  const { body, signature } = signedBody(payload, APP_SECRET);
  const res = await fetch(`${system.gatewayUrl}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
    body,
  });
  expect(res.status).toBe(200);
}
const send = (input: Parameters<typeof customerMessage>[1]) => post(customerMessage(envelope, input));

function received(): RecordedGraphRequest[] {
  return system.graph
    .messageRequests()
    .filter((r) => (r.body as { to?: string; status?: string }).to === customer.phone && r.outcome === 200);
}
const textOf = (r: RecordedGraphRequest): string => {
  const body = r.body as { text?: { body: string }; interactive?: { body: { text: string } } };
  return body.text?.body ?? body.interactive?.body.text ?? '';
};

describe('the accounts service in the running system', () => {
  test('debt, a statement PDF by reference, and a receipt confirmed once', async () => {
    await send('hola');
    await waitFor(() => received().length > 0, 15_000, 'the privacy notice');
    await send({ kind: 'button_reply', id: 'consent.accept.1', title: 'Acepto', messageId: 'wamid.notice' });
    await waitFor(() => received().length > 1, 15_000, 'the menu');

    await send('deuda');
    const debt = await waitFor(() => received().find((r) => textOf(r).includes('saldo pendiente')), 20_000, 'the debt');
    expect(textOf(debt)).toContain('Marta, tu saldo pendiente es $ 85.000.');

    await send('facturas');
    const list = await waitFor(
      () => received().find((r) => textOf(r).startsWith('Estas son tus facturas')),
      20_000,
      'the invoice list',
    );
    const row = (list.body as { interactive: { action: { sections: { rows: { id: string }[] }[] } } }).interactive
      .action.sections[0]?.rows[0];
    await send({ kind: 'list_reply', id: row?.id as string, title: 'Factura 5001', messageId: 'wamid.list' });
    const document = await waitFor(
      () => received().find((r) => (r.body as { type?: string }).type === 'document'),
      20_000,
      'the statement',
    );
    const upload = system.graph.uploads()[0];
    expect((document.body as { document: { id: string } }).document.id).toBe(upload?.id);
    expect(upload?.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // The customer's photo, held by Meta: the accounts service downloads it through the
    // real gateway's GET /api/media/:mediaId, which asks the fake Graph API for it.
    system.graph.addMedia({
      id: 'img-1',
      bytes: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]),
      mimeType: 'image/jpeg',
    });
    const image = customerMessage(envelope, 'x');
    const message = messageOf(image) as Record<string, unknown>;
    delete message.text;
    Object.assign(message, {
      type: 'image',
      image: { id: 'img-1', mime_type: 'image/jpeg', caption: 'comprobante de pago' },
    });
    await post(image);
    const ack = await waitFor(
      () => received().find((r) => textOf(r).includes('Recibimos tu comprobante')),
      20_000,
      'the ack',
    );
    const number = /n\.º (\d+)/.exec(textOf(ack))?.[1];

    const confirm = () =>
      fetch(`http://127.0.0.1:${system.ports.accounts}/api/receipts/${number}/confirm`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ amount: 85000, method: 'cash', reference: 'CAJA-12' }),
      });
    const statuses = await Promise.all([confirm(), confirm()]).then((all) => all.map((r) => r.status));
    expect(statuses.includes(200)).toBe(true);
    const told = await waitFor(
      () => received().find((r) => textOf(r).includes('Confirmamos tu pago')),
      20_000,
      'the confirmation',
    );
    expect(textOf(told)).toBe(
      'Confirmamos tu pago de $ 85.000 (referencia CAJA-12) y reactivamos tu servicio. ¡Gracias!',
    );
    await new Promise((r) => setTimeout(r, 1_500));
    expect(received().filter((r) => textOf(r).includes('Confirmamos tu pago'))).toHaveLength(1);

    // The customer asks to be forgotten: the desk's erasure reaches every process.
    const erase = await fetch(`http://127.0.0.1:${system.ports.desk}/api/conversations/${customer.phone}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    const erased = (await erase.json()) as {
      complete: boolean;
      stores: Record<string, { status: string; erased?: Record<string, number> }>;
    };
    expect(erase.status, JSON.stringify(erased)).toBe(200);
    expect(erased.complete).toBe(true);
    expect(erased.stores.gateway?.status).toBe('erased');
    // This system's tickets live in (the fake) Zoho Desk: erased there by staff, said so.
    expect(erased.stores.tickets?.status).toBe('skipped');
    expect(erased.stores.network?.status).toBe('erased');
    expect(erased.stores.accounts).toMatchObject({ status: 'erased', erased: { receipts: 1 } });
    expect(erased.stores.accounts?.erased?.documents).toBeGreaterThanOrEqual(1);
    expect(erased.stores.archive?.status).toBe('erased');
  });
});
