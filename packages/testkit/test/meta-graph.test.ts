import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signMetaWebhook } from '../src/meta-webhook.js';
import { type FakeGraphApi, startFakeGraphApi } from '../src/meta-graph/index.js';
import { waitFor } from '../src/wait-for.js';

let graph: FakeGraphApi;
const TOKEN = 'EAAG-test-token';

beforeAll(async () => {
  graph = await startFakeGraphApi({ accessToken: TOKEN, phoneNumberId: '1065' });
});
afterEach(() => graph.reset());
afterAll(async () => {
  await graph.close();
});

function post(body: unknown, token = TOKEN) {
  return fetch(`${graph.url}/v26.0/1065/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const text = (to: string) => ({ messaging_product: 'whatsapp', to, type: 'text', text: { body: 'hola' } });

describe('fake Graph API', () => {
  it('answers a send with a wamid and records the request', async () => {
    const res = await post(text('5491100000001'));
    expect(res.status).toBe(200);
    const json = (await res.json()) as { messages: Array<{ id: string }>; contacts: Array<{ wa_id: string }> };
    expect(json.messages[0]?.id).toMatch(/^wamid\./);
    expect(json.contacts[0]?.wa_id).toBe('5491100000001');
    const [recorded] = graph.messageRequests();
    expect(recorded?.body).toMatchObject({ to: '5491100000001', text: { body: 'hola' } });
    expect(recorded?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(recorded?.messageId).toBe(json.messages[0]?.id);
  });

  it('answers mark-as-read with success', async () => {
    const res = await post({
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: 'wamid.X',
      typing_indicator: { type: 'text' },
    });
    expect(await res.json()).toEqual({ success: true });
  });

  it('refuses a wrong token with code 190 and a fbtrace_id', async () => {
    const res = await post(text('1'), 'wrong');
    expect(res.status).toBe(401);
    const { error } = (await res.json()) as { error: { code: number; fbtrace_id: string; type: string } };
    expect(error.code).toBe(190);
    expect(error.type).toBe('OAuthException');
    expect(error.fbtrace_id.length).toBeGreaterThan(4);
  });

  it.each([130429, 80007, 4, 131056, 131047, 131026, 131048, 131049, 368, 190])(
    'answers error %i the way Meta does, for the given number of sends',
    async (code) => {
      graph.failWith(code, { times: 1 });
      const res = await post(text('2'));
      const { error } = (await res.json()) as { error: { code: number; message: string } };
      expect(res.status).toBe(code === 190 ? 401 : 400);
      expect(error.code).toBe(code);
      expect(error.message.length).toBeGreaterThan(0);
      expect((await post(text('2'))).status).toBe(200);
    },
  );

  it('fails one recipient only, with an error subcode when asked', async () => {
    graph.failWith(131026, { recipient: 'bad', subcode: 2494010 });
    const bad = (await (await post(text('bad'))).json()) as { error: { code: number; error_subcode: number } };
    expect(bad.error).toMatchObject({ code: 131026, error_subcode: 2494010 });
    expect((await post(text('good'))).status).toBe(200);
  });

  it('answers 5xx when told', async () => {
    graph.addFault({ errorCode: 1, status: 502, times: 1 });
    expect((await post(text('3'))).status).toBe(502);
  });

  it('is slow when told', async () => {
    graph.addFault({ delayMs: 300, times: 1 });
    const started = performance.now();
    await post(text('4'));
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('drops the connection when told', async () => {
    graph.addFault({ drop: true, times: 1 });
    await expect(post(text('5'))).rejects.toThrow();
    expect(graph.requests.at(-1)?.outcome).toBe('dropped');
    expect((await post(text('5'))).status).toBe(200);
  });

  it('takes a message and then drops the connection when told: the send is recorded with its wamid, the sender gets no answer', async () => {
    graph.addFault({ dropAfterAccepting: true, times: 1 });
    await expect(post(text('6'))).rejects.toThrow();
    const [taken] = graph.messageRequests();
    expect(taken?.outcome).toBe('dropped');
    expect(taken?.messageId).toMatch(/^wamid\./);
  });

  it('answers the phone number GET used as a reachability probe', async () => {
    const res = await fetch(`${graph.url}/v26.0/1065`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await res.json()).toMatchObject({ id: '1065' });
  });
});

describe('fake Graph API: status webhooks', () => {
  it("posts a signed `sent` status with the message's callback data, and offers it again until the receiver answers 200", async () => {
    const received: Array<{ signature: string | undefined; raw: string }> = [];
    let refuseFirst = 2;
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          signature: req.headers['x-hub-signature-256'] as string | undefined,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        res.statusCode = refuseFirst-- > 0 ? 503 : 200;
        res.end();
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    const { port } = receiver.address() as AddressInfo;
    try {
      graph.reportStatuses({ url: `http://127.0.0.1:${port}/webhook`, appSecret: 'app-secret', retryMs: 20 });
      const res = await post({ ...text('5491100000002'), biz_opaque_callback_data: 'helpline:wamid.IN-ack' });
      const { messages } = (await res.json()) as { messages: Array<{ id: string }> };
      await waitFor(() => graph.statusDeliveries()[0]?.delivered || undefined, 5_000, 'the status to be taken');
      expect(graph.statusDeliveries()).toEqual([
        {
          messageId: messages[0]?.id,
          status: 'sent',
          callbackData: 'helpline:wamid.IN-ack',
          attempts: 3,
          delivered: true,
        },
      ]);
      expect(received).toHaveLength(3);
      const last = received.at(-1);
      expect(last?.signature).toBe(signMetaWebhook(last?.raw ?? '', 'app-secret'));
      const status = (
        JSON.parse(last?.raw ?? '{}') as {
          entry: [{ changes: [{ value: { statuses: unknown[]; metadata: { phone_number_id: string } } }] }];
        }
      ).entry[0].changes[0].value;
      expect(status.metadata.phone_number_id).toBe('1065');
      expect(status.statuses).toEqual([
        {
          id: messages[0]?.id,
          status: 'sent',
          timestamp: expect.stringMatching(/^\d+$/),
          recipient_id: '5491100000002',
          biz_opaque_callback_data: 'helpline:wamid.IN-ack',
        },
      ]);
      // Read receipts are no messages: no status for them.
      await post({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.X' });
      expect(graph.statusDeliveries()).toHaveLength(1);
    } finally {
      graph.reportStatuses(undefined);
      receiver.close();
    }
  });

  it('follows `sent` with the statuses asked for, in order: delivered and read, or failed with its code', async () => {
    const statuses: Array<{ status: string; errors?: Array<{ code: number; title: string }> }> = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          entry: [{ changes: [{ value: { statuses: typeof statuses } }] }];
        };
        statuses.push(...body.entry[0].changes[0].value.statuses);
        res.end();
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    const { port } = receiver.address() as AddressInfo;
    try {
      graph.reportStatuses({
        url: `http://127.0.0.1:${port}/webhook`,
        appSecret: 'app-secret',
        followUps: (m) =>
          m.recipient === '5491100000003'
            ? [{ status: 'failed', code: 131049, title: 'Ecosystem limit' }]
            : [{ status: 'delivered' }, { status: 'read' }],
      });
      await post(text('5491100000003'));
      await post(text('5491100000004'));
      await waitFor(
        () => (graph.statusDeliveries().filter((d) => d.delivered).length === 5 ? true : undefined),
        5_000,
        'five statuses',
      );
      expect(graph.statusDeliveries().map((d) => [d.status, d.errorCode])).toEqual(
        expect.arrayContaining([
          ['failed', 131049],
          ['delivered', undefined],
          ['read', undefined],
        ]),
      );
      const failed = statuses.find((s) => s.status === 'failed');
      expect(failed?.errors?.[0]).toMatchObject({ code: 131049, title: 'Ecosystem limit' });
      // A fault answered by code is recorded with it.
      graph.failWith(131026, { recipient: '5491100000005', times: 1 });
      await post(text('5491100000005')).catch(() => undefined);
      expect(graph.messageRequests().at(-1)).toMatchObject({ outcome: 400, errorCode: 131026 });
    } finally {
      graph.reportStatuses(undefined);
      receiver.close();
    }
  });
});
