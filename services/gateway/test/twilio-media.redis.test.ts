import { type FakeTwilio, startFakeTwilio } from '@helpline/testkit/twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normaliseTwilioMessage } from '../src/twilio/normalise-twilio.js';
import { createTwilioMediaSource, TwilioMediaError } from '../src/twilio/twilio-media.js';

let fake: FakeTwilio;
beforeAll(async () => {
  fake = await startFakeTwilio();
});
afterAll(async () => {
  await fake.close();
});

const source = (maxBytes = 1024, authToken = fake.authToken) =>
  createTwilioMediaSource({ apiUrl: fake.url, accountSid: fake.accountSid, authToken, maxBytes });

async function bytes(body: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

describe("Twilio media, by the id the webhook gave the message's media", () => {
  it('fetches the bytes with the account credentials through the redirect, with their content type', async () => {
    const file = Buffer.from('OggS voice note bytes');
    const { url } = fake.addMedia('audio/ogg', file);
    const normalised = normaliseTwilioMessage(
      [
        ['MessageSid', 'SM0123456789abcdef0123456789abcdef'],
        ['From', 'whatsapp:+573001234567'],
        ['NumMedia', '1'],
        ['MediaUrl0', url],
        ['MediaContentType0', 'audio/ogg'],
      ],
      new Date(),
    );
    if (!normalised.ok) throw new Error(normalised.reason);
    expect(normalised.message.type).toBe('audio');
    const media = await source().fetch(normalised.message.media?.id ?? '', AbortSignal.timeout(5_000));
    expect(media.contentType).toBe('audio/ogg');
    expect(media.contentLength).toBe(file.length);
    expect(await bytes(media.body)).toEqual(file);
    const [first] = fake.requests.filter((r) => r.path.includes('/Media/'));
    expect(first?.authorization).toMatch(/^Basic /);
  });

  it('says not found for an unknown media, too large past the limit, upstream for refused credentials', async () => {
    const { messageSid, mediaSid } = fake.addMedia('image/jpeg', Buffer.alloc(4096, 1));
    const missing = `${messageSid}-ME${'0'.repeat(32)}`;
    await expect(source().fetch(missing, AbortSignal.timeout(5_000))).rejects.toMatchObject({ kind: 'not_found' });
    await expect(source().fetch('not-an-id', AbortSignal.timeout(5_000))).rejects.toBeInstanceOf(TwilioMediaError);
    await expect(source(1024).fetch(`${messageSid}-${mediaSid}`, AbortSignal.timeout(5_000))).rejects.toMatchObject({
      kind: 'too_large',
    });
    await expect(
      source(1024 * 1024, 'wrong-token-0123456789').fetch(`${messageSid}-${mediaSid}`, AbortSignal.timeout(5_000)),
    ).rejects.toMatchObject({ kind: 'upstream' });
  });
});
