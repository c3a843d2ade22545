import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobIds } from '@helpline/contracts';
import type { HttpApp } from '@helpline/runtime';
import { startTestRedis, type TestRedis, waitFor } from '@helpline/testkit';
import { type FakeTwilio, startFakeTwilio, twilioInboundParams } from '@helpline/testkit/twilio';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import type { GatewayContext } from '../src/context.js';
import type { OutboundJobResult } from '../src/outbound/outbound-worker.js';
import { splitBody } from '../src/twilio/long-body.js';
import { startWorkers } from '../src/workers.js';
import { API_TOKEN, testContext } from './support/harness.js';
import { freePort, twilioConfig, twilioOutbound, twilioRequest } from './support/twilio-harness.js';

let redis: TestRedis;
let fake: FakeTwilio;
const contexts: GatewayContext[] = [];
const apps: HttpApp[] = [];
const TO = '573001234567';

beforeAll(async () => {
  redis = await startTestRedis();
  fake = await startFakeTwilio({ callbackRetryMs: 50 });
});
afterEach(async () => {
  fake.reset();
  await Promise.all(apps.splice(0).map((a) => a.close()));
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await fake.close();
  await redis.stop();
});

/** A templates file whose reply_window template exists on the fake as a Content SID. */
function templatesFile(contentSid: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'helpline-templates-'));
  const path = join(dir, 'templates.json');
  writeFileSync(
    path,
    JSON.stringify({
      reply_window: { name: 'respuesta_pendiente', language: 'es', body: ['text'], twilio: { contentSid } },
      ticket_update: { name: 'ticket_actualizado', language: 'es', body: ['text'] },
    }),
  );
  return path;
}

async function start(env: Record<string, string> = {}): Promise<GatewayContext> {
  const context = testContext(redis.url, twilioConfig(fake, env), { sendGuardOptions: { busyRetryMs: 100 } });
  contexts.push(context);
  startWorkers(context);
  return context;
}

/** A gateway listening on loopback, its TWILIO_WEBHOOK_URL its own address: Twilio's callbacks reach it. */
async function listening(env: Record<string, string> = {}): Promise<GatewayContext> {
  const port = await freePort();
  const context = await start({ TWILIO_WEBHOOK_URL: `http://127.0.0.1:${port}/webhook/twilio`, ...env });
  const app = await buildApp(context);
  apps.push(app);
  await app.listen({ port, host: '127.0.0.1' });
  return context;
}

/** The job's end: its result, or why it failed for good (polled: no event can be missed). */
async function finished(
  context: GatewayContext,
  jobId: string,
): Promise<{ result?: OutboundJobResult; failedReason?: string }> {
  return waitFor(
    async () => {
      const state = await context.producers.outbound.queue.getJobState(jobId);
      if (state !== 'completed' && state !== 'failed') return undefined;
      // Read once finished: a job read while it ran has no result yet.
      const job = await context.producers.outbound.queue.getJob(jobId);
      if (state === 'completed') return { result: job?.returnvalue as OutboundJobResult };
      return { failedReason: job?.failedReason };
    },
    20_000,
    `outbound job ${jobId} to finish`,
  );
}

async function send(context: GatewayContext, message: ReturnType<typeof twilioOutbound>, attempts = 3) {
  const jobId = jobIds.outbound(message.correlationId, message.purpose);
  await context.producers.outbound.add(message, { jobId, attempts, backoff: { type: 'fixed', delay: 20 } });
  return { jobId, ...(await finished(context, jobId)) };
}

const form = (i = 0) => Object.fromEntries(fake.sent[i]?.form ?? []);

describe('Twilio sender, through the outbound worker, against the fake Twilio', () => {
  it('sends text with From, To, Body and a StatusCallback carrying the job id; records the delivery', async () => {
    const context = await start();
    await context.twilioWindow.touch(TO, new Date());
    const { jobId, result } = await send(
      context,
      twilioOutbound({ content: { kind: 'text', body: 'Tu ticket es T-1' } }),
    );
    expect(result?.messageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(form()).toEqual({
      From: 'whatsapp:+15550100000',
      To: `whatsapp:+${TO}`,
      Body: 'Tu ticket es T-1',
      StatusCallback: `https://helpline.example.com/webhook/twilio/status?job=${jobId}`,
    });
    expect(fake.requests[0]?.authorization).toBe(
      `Basic ${Buffer.from(`${fake.accountSid}:${fake.authToken}`).toString('base64')}`,
    );
    expect(await context.deliveryStore.get(result?.messageId ?? '')).toMatchObject({
      status: 'accepted',
      purpose: 'ack',
    });
  });

  it('sends media by URL with its caption; a Cloud media id fails at once', async () => {
    const context = await start();
    await context.twilioWindow.touch(TO, new Date());
    const ok = await send(
      context,
      twilioOutbound({
        purpose: 'receipt',
        content: { kind: 'media', mediaType: 'document', link: 'https://files.example.com/f.pdf', caption: 'Factura' },
      }),
    );
    expect(ok.result?.messageId).toMatch(/^MM/);
    expect(form()).toMatchObject({ MediaUrl: 'https://files.example.com/f.pdf', Body: 'Factura' });
    const bad = await send(
      context,
      twilioOutbound({ purpose: 'other', content: { kind: 'media', mediaType: 'image', id: '1234' } }),
    );
    expect(bad.failedReason).toMatch(/public URL/);
  });

  it('writes a list as numbered text, and the customer answering "3" is read as the third row', async () => {
    const context = await start();
    const app = await buildApp(context);
    apps.push(app);
    await context.twilioWindow.touch(TO, new Date());
    const { result } = await send(
      context,
      twilioOutbound({
        purpose: 'menu',
        content: {
          kind: 'list',
          header: 'Menú',
          body: '¿En qué te ayudamos?',
          buttonText: 'Opciones',
          sections: [
            {
              rows: [
                { id: 'menu.check_connection', title: 'Revisar conexión' },
                { id: 'menu.report_problem', title: 'Reportar falla', description: 'Cuéntanos qué pasa' },
                { id: 'menu.billing', title: 'Facturación' },
              ],
            },
          ],
        },
      }),
    );
    expect(result?.messageId).toBeTruthy();
    expect(form().Body).toBe(
      '*Menú*\n\n¿En qué te ayudamos?\n\n1. Revisar conexión\n2. Reportar falla (Cuéntanos qué pasa)\n3. Facturación',
    );
    const answer = twilioInboundParams({ accountSid: fake.accountSid, from: TO, to: fake.whatsappNumber, body: ' 3 ' });
    const res = await app.inject(twilioRequest(answer, { authToken: fake.authToken }));
    expect(res.statusCode).toBe(200);
    const sid = answer.find(([n]) => n === 'MessageSid')?.[1] ?? '';
    expect((await context.producers.inbound.queue.getJob(sid))?.data).toMatchObject({
      type: 'interactive',
      text: 'Facturación',
      reply: { kind: 'list_reply', id: 'menu.billing', title: 'Facturación' },
    });
    // A later plain message retires the numbers: "2" is then just text.
    await send(context, twilioOutbound({ correlationId: 'SMlater', content: { kind: 'text', body: 'Listo' } }));
    const later = twilioInboundParams({ accountSid: fake.accountSid, from: TO, to: fake.whatsappNumber, body: '2' });
    await app.inject(twilioRequest(later, { authToken: fake.authToken }));
    expect(
      (await context.producers.inbound.queue.getJob(later.find(([n]) => n === 'MessageSid')?.[1] ?? ''))?.data,
    ).toMatchObject({
      type: 'text',
      text: '2',
    });
  });

  it("outside the window sends the purpose's template through ContentSid and ContentVariables, at once", async () => {
    const contentSid = fake.addContent();
    const context = await start({ WHATSAPP_TEMPLATES_FILE: templatesFile(contentSid) });
    const { result } = await send(
      context,
      twilioOutbound({ content: { kind: 'text', body: 'Tu ticket T-9\nquedó cerrado' } }),
    );
    expect(result?.messageId).toBeTruthy();
    expect(fake.sent).toHaveLength(1);
    expect(form()).toMatchObject({
      ContentSid: contentSid,
      ContentVariables: JSON.stringify({ 1: 'Tu ticket T-9 · quedó cerrado' }),
    });
    expect(form().Body).toBeUndefined();
  });

  it('outside the window without a template that has a Content SID: fails at once, nothing sent', async () => {
    const context = await start({ WHATSAPP_WINDOW_TEMPLATE: 'seguimiento:es' });
    const { failedReason } = await send(context, twilioOutbound({ content: { kind: 'text', body: 'hola' } }));
    expect(failedReason).toMatch(/Content SID/);
    expect(fake.sent).toHaveLength(0);
  });

  it('63016 from Twilio (the window closed elsewhere) sends the template instead', async () => {
    const contentSid = fake.addContent();
    const context = await start({ WHATSAPP_TEMPLATES_FILE: templatesFile(contentSid) });
    await context.twilioWindow.touch(TO, new Date());
    fake.failWith(63016, { times: 1 });
    const { result } = await send(context, twilioOutbound({ content: { kind: 'text', body: 'hola' } }));
    expect(result?.messageId).toBeTruthy();
    expect(fake.requests.map((r) => r.outcome)).toEqual([400, 201]);
    expect(form()).toMatchObject({ ContentSid: contentSid });
  });

  it.each([
    [21211, /recipient/],
    [63024, /recipient/],
    [21610, /recipient/],
    [20003, /20003/],
  ])('fails %s at once, without retrying', async (code, reason) => {
    const context = await start();
    await context.twilioWindow.touch(TO, new Date());
    fake.failWith(code);
    const { failedReason } = await send(context, twilioOutbound({ content: { kind: 'text', body: 'x' } }), 5);
    expect(failedReason).toMatch(reason);
    expect(fake.requests).toHaveLength(1);
    // /api/status shows it as Twilio's last error, not the Cloud API's.
    const app = await buildApp(context);
    apps.push(app);
    const status = await app.inject({ url: '/api/status', headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(status.json().twilio).toMatchObject({
      configured: true,
      webhook: true,
      lastSendError: { code: String(code) },
    });
    expect(status.json().cloudApi.lastSendError).toBeNull();
  });

  it("a refusal fails at once under a fixed code with Twilio's number beside it; a refused recipient is recipient_invalid", async () => {
    const context = await start();
    await context.twilioWindow.touch(TO, new Date());
    fake.addFault({ errorCode: 63007, status: 400, times: 1 });
    const refused = await send(context, twilioOutbound({ content: { kind: 'text', body: 'x' } }), 5);
    expect(refused.failedReason).toMatch(/^twilio_refused \(63007\): Twilio 400 code 63007/);
    fake.addFault({ errorCode: 63003, status: 400, times: 1 });
    const recipient = await send(
      context,
      twilioOutbound({ purpose: 'other', content: { kind: 'text', body: 'y' } }),
      5,
    );
    expect(recipient.failedReason).toMatch(/^recipient_invalid \(63003\): /);
    expect(fake.requests.map((r) => r.outcome)).toEqual([400, 400]);
  });

  it('retries 5xx and a 429, holding every send for its Retry-After', async () => {
    const context = await start();
    await context.twilioWindow.touch(TO, new Date());
    fake.addFault({ errorCode: 20500, status: 500, times: 1 });
    fake.addFault({ errorCode: 20429, retryAfterSeconds: 1, times: 1 });
    const { result } = await send(context, twilioOutbound({ content: { kind: 'text', body: 'x' } }), 5);
    expect(result?.messageId).toBeTruthy();
    expect(fake.requests.map((r) => r.outcome)).toEqual([500, 429, 201]);
    const [, limited, ok] = fake.requests;
    // The third call waited out the Retry-After (1 s), not just the job's 20 ms backoff.
    expect((ok?.at.getTime() ?? 0) - (limited?.at.getTime() ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it('a send whose answer was lost: the status callback marks the job sent, the retry sends nothing', async () => {
    const context = await listening();
    await context.twilioWindow.touch(TO, new Date());
    fake.addFault({ dropAfterAccepting: true, times: 1 });
    const { result, jobId } = await send(
      context,
      twilioOutbound({ correlationId: 'SMnoanswer', content: { kind: 'text', body: 'hola' } }),
    );
    expect(fake.sent).toHaveLength(1);
    expect(result).toMatchObject({ messageId: fake.sent[0]?.sid, duplicate: true });
    expect(await context.redis('producer').get(`${context.prefix}:gateway:outbound:send:${jobId}`)).toBe(
      `observed:${fake.sent[0]?.sid}`,
    );
    await fake.settled();
    // The callbacks (sent, delivered) reached the gateway signed, and moved the record.
    expect(fake.sent[0]?.callbacks.every((c) => c.delivered)).toBe(true);
    expect(await context.deliveryStore.get(fake.sent[0]?.sid ?? '')).toMatchObject({ status: 'delivered' });
  });

  it('sends a text over 1 600 characters in parts, the status callback on the last; a retry sends only the rest', async () => {
    const context = await start();
    await context.twilioWindow.touch(TO, new Date());
    const paragraph = `${'Revisamos la línea y el equipo. '.repeat(40).trim()}`;
    const body = [paragraph, paragraph, paragraph].join('\n\n');
    expect(body.length).toBeGreaterThan(3200);
    const { result, jobId } = await send(
      context,
      twilioOutbound({ correlationId: 'SMlong', content: { kind: 'text', body } }),
    );
    const bodies = fake.sent.map((m) => Object.fromEntries(m.form));
    expect(bodies.length).toBeGreaterThan(1);
    expect(bodies.every((b) => (b.Body ?? '').length <= 1600)).toBe(true);
    expect(
      bodies
        .map((b) => b.Body)
        .join(' ')
        .replace(/\s+/g, ' '),
    ).toBe(body.replace(/\s+/g, ' '));
    expect(bodies.slice(0, -1).every((b) => b.StatusCallback === undefined)).toBe(true);
    expect(bodies.at(-1)?.StatusCallback).toContain(`job=${jobId}`);
    expect(result?.messageId).toBe(fake.sent.at(-1)?.sid);
  });

  it('a long text whose second part fails: the retry sends the missing parts only', async () => {
    const context = await start();
    await context.twilioWindow.touch(TO, new Date());
    const body = `${'a '.repeat(1000).trim()}\n\n${'b '.repeat(1000).trim()}`;
    // The first part goes; the fault then answers 500 to the second, once.
    fake.addFault({ delayMs: 0, times: 1 });
    fake.addFault({ errorCode: 20500, status: 500, times: 1 });
    const { result } = await send(
      context,
      twilioOutbound({ correlationId: 'SMlong2', content: { kind: 'text', body } }),
      4,
    );
    const parts = splitBody(body);
    expect(parts.length).toBeGreaterThan(2);
    expect(fake.requests.map((r) => r.outcome)).toEqual([201, 500, ...parts.slice(1).map(() => 201)]);
    // Each part once, in order: the first was not sent again.
    expect(fake.sent.map((m) => Object.fromEntries(m.form).Body)).toEqual(parts);
    expect(result?.messageId).toBe(fake.sent.at(-1)?.sid);
  });

  it('TWILIO_INTERACTIVE=content: a list goes as a Content API list picker made once; a tap comes back as the row id', async () => {
    const context = await start({ TWILIO_INTERACTIVE: 'content', TWILIO_CONTENT_API_URL: fake.url });
    await context.twilioWindow.touch(TO, new Date());
    const menu = (correlationId: string) =>
      twilioOutbound({
        correlationId,
        purpose: 'menu',
        content: {
          kind: 'list',
          body: '¿En qué te ayudamos?',
          buttonText: 'Opciones',
          sections: [{ rows: [{ id: 'menu.billing', title: 'Facturación', description: 'Tu factura' }] }],
        },
      });
    await send(context, menu('SMmenu1'));
    await send(context, menu('SMmenu2'));
    const creations = fake.requests.filter((r) => r.path === '/v1/Content');
    expect(creations).toHaveLength(1);
    const [sid, made] = [...fake.createdContent][0] ?? [];
    expect(made?.types).toEqual({
      'twilio/list-picker': {
        body: '¿En qué te ayudamos?',
        button: 'Opciones',
        items: [{ item: 'Facturación', id: 'menu.billing', description: 'Tu factura' }],
      },
    });
    expect(fake.sent.map((m) => Object.fromEntries(m.form))).toEqual([
      expect.objectContaining({ ContentSid: sid }),
      expect.objectContaining({ ContentSid: sid }),
    ]);
    expect(fake.sent.every((m) => !m.form.some(([name]) => name === 'Body'))).toBe(true);
  });

  it('TWILIO_INTERACTIVE=content with the Content API unreachable: numbered text instead', async () => {
    const context = await start({
      TWILIO_INTERACTIVE: 'content',
      TWILIO_CONTENT_API_URL: `http://127.0.0.1:${await freePort()}`,
    });
    await context.twilioWindow.touch(TO, new Date());
    const { result } = await send(
      context,
      twilioOutbound({
        purpose: 'privacy_notice',
        content: {
          kind: 'buttons',
          body: 'Aviso',
          buttons: [
            { id: 'consent.accept.1', title: 'Acepto' },
            { id: 'consent.decline', title: 'No acepto' },
          ],
        },
      }),
    );
    expect(result?.messageId).toBeTruthy();
    expect(form().Body).toBe('Aviso\n\n1. Acepto\n2. No acepto');
  });

  it('does not call Twilio for a read receipt', async () => {
    const context = await start();
    const { result } = await send(
      context,
      twilioOutbound({ purpose: 'read', content: { kind: 'mark_read', messageId: 'SMx' } }),
    );
    expect(result).toBeDefined();
    expect(fake.requests).toHaveLength(0);
  });
});
