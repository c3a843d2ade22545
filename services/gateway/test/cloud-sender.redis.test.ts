import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermanentError, createSharedRate } from '@helpline/runtime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCloudSender, SendRetryError } from '../src/cloud/cloud-sender.js';
import { createRecipientPacer } from '../src/cloud/recipient-pacer.js';
import type { GatewayContext } from '../src/context.js';
import { createGraphClient, GraphNetworkError } from '../src/cloud/graph-client.js';
import { type ChannelSender, mayHaveBeenSent } from '../src/outbound/channel-sender.js';
import { cloudConfig, cloudTestBed, outbound, startGraph } from './support/cloud-harness.js';
import { PHONE_NUMBER_ID, quietLogger, testContext } from './support/harness.js';

const bed = cloudTestBed();
let context: GatewayContext;
let sender: ChannelSender;
const log = quietLogger();
const TO = '5491155550000';

beforeEach(async () => {
  context = testContext(bed.redis.url, cloudConfig(bed.graph));
  const cloud = context.senders.cloud;
  if (!cloud) throw new Error('the cloud sender should exist when the Cloud API is configured');
  sender = cloud;
  // The customer wrote a minute ago: the 24-hour window is open.
  await context.conversationWindow.touch(TO, new Date(Date.now() - 60_000));
});
afterEach(async () => {
  await context.close();
});

async function metric(name: string, labels: string): Promise<number> {
  const text = await context.metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').at(-1)) : 0;
}
const lastBody = () => bed.graph.messageRequests().at(-1)?.body;

describe('Cloud API sender: request shapes', () => {
  it('sends text with preview_url as a reply, with the bearer token, to the versioned phone number path', async () => {
    const result = await sender.send(
      outbound({
        content: { kind: 'text', body: 'Revisamos tu conexión: https://estado.example', previewUrl: true },
        replyTo: 'wamid.CUSTOMER',
      }),
      log,
    );
    expect(result.messageId).toMatch(/^wamid\./);
    const [req] = bed.graph.messageRequests();
    expect(req?.path).toBe(`/v26.0/${PHONE_NUMBER_ID}/messages`);
    expect(req?.headers.authorization).toBe('Bearer EAAG-test-access-token');
    expect(req?.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: TO,
      context: { message_id: 'wamid.CUSTOMER' },
      // The outbound job id, which Meta echoes in the status webhooks.
      biz_opaque_callback_data: 'helpline:wamid.IN1-ack',
      type: 'text',
      text: { body: 'Revisamos tu conexión: https://estado.example', preview_url: true },
    });
    expect(await metric('helpline_messages_sent_total', 'outcome="sent"')).toBe(1);
  });

  it('sends reply buttons', async () => {
    await sender.send(
      outbound({
        content: {
          kind: 'buttons',
          header: 'Soporte',
          body: '¿Se resolvió?',
          footer: 'Helpline',
          buttons: [
            { id: 'yes', title: 'Sí' },
            { id: 'no', title: 'No' },
          ],
        },
      }),
      log,
    );
    expect(lastBody()).toMatchObject({
      type: 'interactive',
      interactive: {
        type: 'button',
        header: { type: 'text', text: 'Soporte' },
        body: { text: '¿Se resolvió?' },
        footer: { text: 'Helpline' },
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'yes', title: 'Sí' } },
            { type: 'reply', reply: { id: 'no', title: 'No' } },
          ],
        },
      },
    });
  });

  it('sends a list', async () => {
    await sender.send(
      outbound({
        content: {
          kind: 'list',
          body: 'Elegí una opción',
          buttonText: 'Menú',
          sections: [
            {
              title: 'Ayuda',
              rows: [
                { id: 'net', title: 'Internet', description: 'Sin conexión' },
                { id: 'bill', title: 'Factura' },
              ],
            },
          ],
        },
      }),
      log,
    );
    expect(lastBody()).toMatchObject({
      type: 'interactive',
      interactive: {
        type: 'list',
        body: { text: 'Elegí una opción' },
        action: {
          button: 'Menú',
          sections: [
            {
              title: 'Ayuda',
              rows: [
                { id: 'net', title: 'Internet', description: 'Sin conexión' },
                { id: 'bill', title: 'Factura' },
              ],
            },
          ],
        },
      },
    });
    expect((lastBody() as { interactive: Record<string, unknown> }).interactive.header).toBeUndefined();
  });

  it('sends a template with components', async () => {
    const components = [{ type: 'body', parameters: [{ type: 'text', text: 'T-1234' }] }];
    await sender.send(
      outbound({ content: { kind: 'template', name: 'ticket_abierto', language: 'es', components } }),
      log,
    );
    expect(lastBody()).toMatchObject({
      type: 'template',
      template: { name: 'ticket_abierto', language: { code: 'es' }, components },
    });
  });

  it('sends media by id and by link, with captions only where WhatsApp takes them', async () => {
    await sender.send(
      outbound({ content: { kind: 'media', mediaType: 'image', id: '1234567890', caption: 'Tu router' } }),
      log,
    );
    expect(lastBody()).toMatchObject({ type: 'image', image: { id: '1234567890', caption: 'Tu router' } });
    await sender.send(
      outbound({
        content: {
          kind: 'media',
          mediaType: 'document',
          link: 'https://files.example/factura.pdf',
          filename: 'factura.pdf',
          caption: 'Factura',
        },
      }),
      log,
    );
    expect(lastBody()).toMatchObject({
      type: 'document',
      document: { link: 'https://files.example/factura.pdf', filename: 'factura.pdf', caption: 'Factura' },
    });
    await sender.send(
      outbound({ content: { kind: 'media', mediaType: 'audio', id: 'aud-1', caption: 'ignored' } }),
      log,
    );
    expect(lastBody()).toMatchObject({ type: 'audio', audio: { id: 'aud-1' } });
    expect((lastBody() as { audio: Record<string, unknown> }).audio.caption).toBeUndefined();
  });

  it('marks a message as read with the typing indicator', async () => {
    const result = await sender.send(
      outbound({ content: { kind: 'mark_read', messageId: 'wamid.CUSTOMER', typing: true } }),
      log,
    );
    expect(result.messageId).toBeUndefined();
    expect(lastBody()).toEqual({
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: 'wamid.CUSTOMER',
      typing_indicator: { type: 'text' },
    });
  });
});

describe('Cloud API sender: the 24-hour window', () => {
  it('sends free-form text outside the window as the window template, without failing first', async () => {
    await sender.send(outbound({ to: '5491100009999', content: { kind: 'text', body: 'hola' } }), log);
    expect(bed.graph.messageRequests()).toHaveLength(1);
    expect(lastBody()).toMatchObject({
      to: '5491100009999',
      type: 'template',
      template: { name: 'seguimiento', language: { code: 'es_AR' } },
    });
    expect(await metric('helpline_window_fallbacks_total', 'reason="window_closed"')).toBe(1);
  });

  it('never turns free text of a broadcast into a template: outside the window it fails for good, unsent', async () => {
    const notice = { notice: { purpose: 'broadcast' as const, id: 'bc-b1-1', broadcastId: 'b1' } };
    const promise = sender.send(
      outbound({
        to: '5491100006666',
        purpose: 'broadcast',
        content: { kind: 'text', body: 'Mantenimiento' },
        meta: notice,
      }),
      log,
    );
    await expect(promise).rejects.toBeInstanceOf(PermanentError);
    await expect(promise).rejects.toMatchObject({ code: 'window_closed' });
    expect(bed.graph.messageRequests()).toHaveLength(0);
    // Inside the window it goes as written; a template broadcast goes whatever the window.
    await sender.send(
      outbound({ purpose: 'broadcast', content: { kind: 'text', body: 'Mantenimiento' }, meta: notice }),
      log,
    );
    await sender.send(
      outbound({
        to: '5491100006666',
        purpose: 'broadcast',
        content: { kind: 'template', name: 'aviso', language: 'es' },
        meta: notice,
      }),
      log,
    );
    expect(bed.graph.messageRequests().map((r) => (r.body as { type: string }).type)).toEqual(['text', 'template']);
  });

  it("counts the window from the customer's last message: 25 hours ago is closed, 23 open", async () => {
    await context.conversationWindow.touch('5491100000025', new Date(Date.now() - 25 * 3600_000));
    await context.conversationWindow.touch('5491100000023', new Date(Date.now() - 23 * 3600_000));
    await sender.send(outbound({ to: '5491100000025', content: { kind: 'text', body: 'a' } }), log);
    await sender.send(outbound({ to: '5491100000023', content: { kind: 'text', body: 'b' } }), log);
    const types = bed.graph.messageRequests().map((r) => (r.body as { type: string }).type);
    expect(types).toEqual(['template', 'text']);
  });

  it('fails for good outside the window when no template is configured', async () => {
    const bare = testContext(bed.redis.url, cloudConfig(bed.graph, { WHATSAPP_WINDOW_TEMPLATE: undefined }));
    try {
      const promise = bare.senders.cloud?.send(
        outbound({ to: '5491100008888', content: { kind: 'text', body: 'x' } }),
        log,
      );
      await expect(promise).rejects.toBeInstanceOf(PermanentError);
      await expect(promise).rejects.toThrow(/WHATSAPP_WINDOW_TEMPLATE/);
      expect(bed.graph.messageRequests()).toHaveLength(0);
    } finally {
      await bare.close();
    }
  });

  it("sends the purpose's template from WHATSAPP_TEMPLATES_FILE with the message's text as its parameter", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'helpline-templates-'));
    const file = join(dir, 'templates.json');
    writeFileSync(
      file,
      JSON.stringify({
        reply_window: { name: 'respuesta_pendiente', language: 'es', body: ['text'] },
        ticket_update: { name: 'ticket_actualizado', language: 'es_CO', body: ['text'] },
      }),
    );
    const withFile = testContext(bed.redis.url, cloudConfig(bed.graph, { WHATSAPP_TEMPLATES_FILE: file }));
    try {
      const to = '5491100007777';
      await withFile.senders.cloud?.send(
        outbound({ to, purpose: 'ticket_update', content: { kind: 'text', body: 'Tu ticket T-9\nquedó cerrado' } }),
        log,
      );
      await withFile.senders.cloud?.send(
        outbound({ to, purpose: 'ack', content: { kind: 'text', body: 'Recibido' } }),
        log,
      );
      const [update, ack] = bed.graph.messageRequests().map((r) => r.body);
      expect(update).toMatchObject({
        type: 'template',
        template: {
          name: 'ticket_actualizado',
          language: { code: 'es_CO' },
          components: [{ type: 'body', parameters: [{ type: 'text', text: 'Tu ticket T-9 · quedó cerrado' }] }],
        },
      });
      expect(ack).toMatchObject({
        type: 'template',
        template: {
          name: 'respuesta_pendiente',
          components: [{ type: 'body', parameters: [{ type: 'text', text: 'Recibido' }] }],
        },
      });
    } finally {
      await withFile.close();
    }
  });

  it('on 131047 from Meta sends the window template instead', async () => {
    bed.graph.failWith(131047, { times: 1 });
    const result = await sender.send(outbound({ content: { kind: 'text', body: 'hola' } }), log);
    expect(result.messageId).toMatch(/^wamid\./);
    const bodies = bed.graph.messageRequests().map((r) => r.body as { type: string });
    expect(bodies.map((b) => b.type)).toEqual(['text', 'template']);
    expect(await metric('helpline_window_fallbacks_total', 'reason="meta_131047"')).toBe(1);
  });
});

describe('Cloud API sender: error policy', () => {
  it.each([130429, 80007, 4])('retries throughput and rate limits (%i)', async (code) => {
    bed.graph.failWith(code, { times: 1 });
    const promise = sender.send(outbound({ content: { kind: 'text', body: 'x' } }), log);
    await expect(promise).rejects.toBeInstanceOf(SendRetryError);
    expect(await metric('helpline_messages_sent_total', `code="${code}"`)).toBe(1);
    await expect(sender.send(outbound({ content: { kind: 'text', body: 'x' } }), log)).resolves.toHaveProperty(
      'messageId',
    );
  });

  it.each([131026, 131048, 131049, 368, 190])(
    'does not retry %i: fails for good, counted, and shown as the last error',
    async (code) => {
      bed.graph.failWith(code, { times: 1 });
      const promise = sender.send(outbound({ content: { kind: 'text', body: 'x' } }), log);
      await expect(promise).rejects.toBeInstanceOf(PermanentError);
      expect(await metric('helpline_messages_sent_total', `outcome="failed",code="${code}"`)).toBe(1);
      expect(await context.sendErrors.last()).toMatchObject({ code: String(code) });
    },
  );

  it('retries 5xx answers and dropped connections', async () => {
    bed.graph.addFault({ errorCode: 1, status: 502, times: 1 });
    await expect(sender.send(outbound({ content: { kind: 'text', body: 'x' } }), log)).rejects.toBeInstanceOf(
      SendRetryError,
    );
    bed.graph.addFault({ drop: true, times: 1 });
    const dropped = sender.send(outbound({ content: { kind: 'text', body: 'x' } }), log);
    await expect(dropped).rejects.toBeInstanceOf(SendRetryError);
    expect(await context.sendErrors.last()).toMatchObject({ code: 'network' });
    expect(await metric('helpline_messages_sent_total', 'code="network"')).toBe(1);
  });

  it('on 131056 paces that recipient only', async () => {
    const paced = createCloudSender({
      graph: context.graph as NonNullable<GatewayContext['graph']>,
      window: context.conversationWindow,
      rateLimiter: createSharedRate(context.redis('worker'), `${context.prefix}:rate`, 80),
      pacer: createRecipientPacer(context.redis('worker'), `${context.prefix}:pace`),
      errorLog: context.sendErrors,
      metrics: context.gatewayMetrics,
      clock: () => new Date(),
      pairPauseMs: 400,
      maxInlineWaitMs: 5_000,
    });
    await context.conversationWindow.touch('5491100007777', new Date());
    bed.graph.failWith(131056, { times: 1, recipient: TO });
    await expect(paced.send(outbound({ content: { kind: 'text', body: '1' } }), log)).rejects.toBeInstanceOf(
      SendRetryError,
    );
    await paced.send(outbound({ to: '5491100007777', content: { kind: 'text', body: 'other' } }), log);
    await paced.send(outbound({ content: { kind: 'text', body: '2' } }), log);
    const reqs = bed.graph.messageRequests();
    const [failed, other, again] = reqs;
    expect(reqs.map((r) => (r.body as { to: string }).to)).toEqual([TO, '5491100007777', TO]);
    // The other recipient went at once; the paced one waited out the pause.
    expect((other?.at.getTime() ?? 0) - (failed?.at.getTime() ?? 0)).toBeLessThan(400);
    expect((again?.at.getTime() ?? 0) - (failed?.at.getTime() ?? 0)).toBeGreaterThanOrEqual(380);
  });
});

describe('Graph client: what a call without an answer may have done', () => {
  const client = (baseUrl: string, timeoutMs = 15_000) =>
    createGraphClient({
      baseUrl,
      version: 'v26.0',
      phoneNumberId: PHONE_NUMBER_ID,
      accessToken: 'EAAG-test-access-token',
      timeoutMs,
    });
  const body = { messaging_product: 'whatsapp', to: '5491155550001', type: 'text', text: { body: 'hola' } };

  it('a call past its deadline may have been sent', async () => {
    bed.graph.addFault({ delayMs: 500, times: 1 });
    const error = await client(bed.graph.url, 100)
      .sendMessage(body)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphNetworkError);
    expect((error as GraphNetworkError).mayHaveBeenSent).toBe(true);
    expect(mayHaveBeenSent(new SendRetryError('retry', { cause: error }))).toBe(true);
  });

  it('a connection dropped after the request left may have been sent', async () => {
    bed.graph.addFault({ dropAfterAccepting: true, times: 1 });
    const error = await client(bed.graph.url)
      .sendMessage(body)
      .catch((e: unknown) => e);
    expect((error as GraphNetworkError).mayHaveBeenSent).toBe(true);
  });

  it('a refused connection cannot have been sent', async () => {
    const gone = await startGraph();
    await gone.close();
    const error = await client(gone.url)
      .sendMessage(body)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphNetworkError);
    expect((error as GraphNetworkError).mayHaveBeenSent).toBe(false);
    expect(mayHaveBeenSent(new SendRetryError('retry', { cause: error }))).toBe(false);
  });
});
