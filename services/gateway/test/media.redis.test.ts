import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../src/config.js';
import { ACCESS_TOKEN, cloudConfig, cloudTestBed } from './support/cloud-harness.js';
import { API_TOKEN, PHONE_NUMBER_ID, testConfig } from './support/harness.js';

const bed = cloudTestBed();
const gateway = async (config?: GatewayConfig) => (await bed.gateway(config)).app;
const auth = { authorization: `Bearer ${API_TOKEN}` };
const voiceNote = () => randomBytes(3000);

describe('GET /api/media/:mediaId', () => {
  it('streams a voice note with its Content-Type, fetched as Meta documents: the URL, then the bytes, both with the token', async () => {
    const bytes = voiceNote();
    const id = bed.graph.addMedia({ bytes, mimeType: 'audio/ogg; codecs=opus' });
    const app = await gateway();
    const response = await app.inject({ method: 'GET', url: `/api/media/${id}`, headers: auth });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('audio/ogg; codecs=opus');
    expect(response.rawPayload.equals(bytes)).toBe(true);
    const [lookup, download] = bed.graph.requests;
    expect(lookup).toMatchObject({ method: 'GET', path: `/v26.0/${id}`, query: { phone_number_id: PHONE_NUMBER_ID } });
    expect(lookup?.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(download?.path).toMatch(/^\/media-download\//);
    expect(download?.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
  });

  it('needs the operator token', async () => {
    const id = bed.graph.addMedia({ bytes: voiceNote(), mimeType: 'audio/ogg' });
    const app = await gateway();
    expect((await app.inject({ method: 'GET', url: `/api/media/${id}` })).statusCode).toBe(401);
    expect(bed.graph.requests).toHaveLength(0);
  });

  it('an id the Cloud API does not know is a 404', async () => {
    const app = await gateway();
    const response = await app.inject({ method: 'GET', url: '/api/media/987654321012345', headers: auth });
    expect(response.statusCode).toBe(404);
    expect(response.json().error).toBe('media_not_found');
  });

  it('past MEDIA_MAX_BYTES: 413 from the stated size, before any byte is downloaded', async () => {
    const id = bed.graph.addMedia({ bytes: randomBytes(5000), mimeType: 'audio/ogg' });
    const app = await gateway(cloudConfig(bed.graph, { MEDIA_MAX_BYTES: '4096' }));
    const response = await app.inject({ method: 'GET', url: `/api/media/${id}`, headers: auth });
    expect(response.statusCode).toBe(413);
    expect(response.json().message).toContain('MEDIA_MAX_BYTES');
    expect(bed.graph.requests.some((r) => r.path.startsWith('/media-download/'))).toBe(false);
  });

  it('past MEDIA_MAX_BYTES when the metadata understated it: 413 from the download Content-Length', async () => {
    const id = bed.graph.addMedia({ bytes: randomBytes(5000), mimeType: 'audio/ogg', declaredSize: 100 });
    const app = await gateway(cloudConfig(bed.graph, { MEDIA_MAX_BYTES: '4096' }));
    const response = await app.inject({ method: 'GET', url: `/api/media/${id}`, headers: auth });
    expect(response.statusCode).toBe(413);
  });

  it('an expired download URL is the upstream failing: 502', async () => {
    const id = bed.graph.addMedia({ bytes: voiceNote(), mimeType: 'audio/ogg', urlTtlMs: -1 });
    const app = await gateway();
    const response = await app.inject({ method: 'GET', url: `/api/media/${id}`, headers: auth });
    expect(response.statusCode).toBe(502);
  });

  it('bad input is a 400 naming the field; a channel without credentials is a 503', async () => {
    const app = await gateway();
    const channel = await app.inject({ method: 'GET', url: '/api/media/123?channel=fax', headers: auth });
    expect(channel.statusCode).toBe(400);
    expect(channel.body).toContain('channel');
    const id = await app.inject({ method: 'GET', url: `/api/media/${encodeURIComponent('../x')}`, headers: auth });
    expect(id.statusCode).toBe(400);
    expect(id.body).toContain('mediaId');
    const twilio = await app.inject({ method: 'GET', url: '/api/media/ME123?channel=twilio', headers: auth });
    expect(twilio.statusCode).toBe(503);
    const noCloud = await gateway(testConfig());
    expect((await noCloud.inject({ method: 'GET', url: '/api/media/123', headers: auth })).statusCode).toBe(503);
  });
});
