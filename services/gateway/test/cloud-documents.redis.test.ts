import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isPermanentError } from '@helpline/runtime';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GatewayContext } from '../src/context.js';
import type { ChannelSender } from '../src/outbound/channel-sender.js';
import { cloudConfig, cloudTestBed, outbound } from './support/cloud-harness.js';
import { API_TOKEN, PHONE_NUMBER_ID, quietLogger, testContext } from './support/harness.js';

// A stand-in for the accounts service's GET /api/documents/:id.
const PDF = Buffer.concat([
  Buffer.from('%PDF-1.7\n'),
  Buffer.from([0xe2, 0xe3, 0xcf, 0xd3, 0x00, 0xff]),
  Buffer.from('\n%%EOF'),
]);
let documents: Server;
let documentsUrl: string;
const documentRequests: { url: string; auth: string | undefined }[] = [];

const bed = cloudTestBed();
let context: GatewayContext;
let sender: ChannelSender;
const log = quietLogger();
const TO = '5491155550000';

beforeAll(async () => {
  documents = createServer((req, res) => {
    documentRequests.push({ url: req.url ?? '', auth: req.headers.authorization });
    if (req.headers.authorization !== `Bearer ${API_TOKEN}`) return void res.writeHead(401).end();
    if (req.url === '/api/documents/stmt-1') {
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': PDF.length });
      return void res.end(PDF);
    }
    if (req.url === '/api/documents/broken') return void res.writeHead(503).end();
    res.writeHead(404).end();
  });
  documents.listen(0, '127.0.0.1');
  await once(documents, 'listening');
  documentsUrl = `http://127.0.0.1:${(documents.address() as AddressInfo).port}`;
});
beforeEach(async () => {
  context = testContext(bed.redis.url, cloudConfig(bed.graph, { ACCOUNTS_URL: documentsUrl }));
  sender = context.senders.cloud as ChannelSender;
  await context.conversationWindow.touch(TO, new Date(Date.now() - 60_000));
  documentRequests.length = 0;
});
afterEach(async () => {
  await context.close();
});
afterAll(() => {
  documents.close();
});

describe('Cloud API sender: locations and documents by reference', () => {
  it('sends a location message', async () => {
    await sender.send(
      outbound({
        content: {
          kind: 'location',
          latitude: 4.6486,
          longitude: -74.0628,
          name: 'Caja Centro',
          address: 'Cra 7 # 45-10',
        },
      }),
      log,
    );
    expect(bed.graph.messageRequests()[0]?.body).toMatchObject({
      type: 'location',
      location: { latitude: 4.6486, longitude: -74.0628, name: 'Caja Centro', address: 'Cra 7 # 45-10' },
    });
  });

  it('fetches the document with the operator token, uploads it, then sends it by media id', async () => {
    await sender.send(
      outbound({
        purpose: 'invoice_document',
        content: {
          kind: 'media',
          mediaType: 'document',
          ref: { service: 'accounts', id: 'stmt-1' },
          filename: 'estado-de-cuenta-77.pdf',
          caption: 'Estado de cuenta',
        },
      }),
      log,
    );
    expect(documentRequests).toEqual([{ url: '/api/documents/stmt-1', auth: `Bearer ${API_TOKEN}` }]);
    const [upload] = bed.graph.uploads();
    expect(upload?.type).toBe('application/pdf');
    expect(upload?.filename).toBe('estado-de-cuenta-77.pdf');
    expect(upload?.bytes.equals(PDF)).toBe(true);
    const media = bed.graph.requests.find((r) => r.path.endsWith('/media'));
    expect(media?.path).toBe(`/v26.0/${PHONE_NUMBER_ID}/media`);
    expect(bed.graph.messageRequests()[0]?.body).toMatchObject({
      type: 'document',
      document: { id: upload?.id, filename: 'estado-de-cuenta-77.pdf', caption: 'Estado de cuenta' },
    });
  });

  it('a document its service no longer has fails for good; one it cannot serve now is retried', async () => {
    const send = (id: string) =>
      sender.send(
        outbound({ content: { kind: 'media', mediaType: 'document', ref: { service: 'accounts', id } } }),
        log,
      );
    const gone = await send('missing').catch((e: unknown) => e);
    expect(isPermanentError(gone)).toBe(true);
    const later = await send('broken').catch((e: unknown) => e);
    expect(later).toBeInstanceOf(Error);
    expect(isPermanentError(later)).toBe(false);
    expect(bed.graph.uploads()).toHaveLength(0);
    expect(bed.graph.messageRequests()).toHaveLength(0);
  });
});
