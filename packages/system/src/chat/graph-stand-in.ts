import { createServer, type Server } from 'node:http';

export interface GraphSend {
  /** The id answered to the gateway, as Meta's `wamid`. */
  messageId: string;
  body: Record<string, unknown>;
}

/**
 * Stands in for the Graph API's send endpoint (`POST /{version}/{phone-number-id}/messages`),
 * and takes media uploads (`/media`, answered with an id; the bytes are not kept),
 * so the gateway's answers reach the terminal. Read receipts and typing indicators are
 * acknowledged and not shown; every message is handed to `onSend`.
 */
export function startGraphStandIn(
  port: number,
  accessToken: string,
  onSend: (send: GraphSend) => void,
): Promise<Server> {
  let counter = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      // A statement PDF is uploaded first, then sent by the media id answered here.
      if (req.method === 'POST' && /^\/v[\d.]+\/\d+\/media$/.test(req.url ?? '')) {
        if (req.headers.authorization !== `Bearer ${accessToken}`) {
          return reply(401, { error: { message: 'Invalid OAuth access token', type: 'OAuthException', code: 190 } });
        }
        return reply(200, { id: `media.chat.${++counter}` });
      }
      if (req.method !== 'POST' || !/^\/v[\d.]+\/\d+\/messages$/.test(req.url ?? '')) {
        return reply(404, { error: { message: 'Unknown path', type: 'OAuthException', code: 803 } });
      }
      if (req.headers.authorization !== `Bearer ${accessToken}`) {
        return reply(401, { error: { message: 'Invalid OAuth access token', type: 'OAuthException', code: 190 } });
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return reply(400, { error: { message: 'Invalid JSON', type: 'OAuthException', code: 100 } });
      }
      if (body.status === 'read') return reply(200, { success: true });
      const messageId = `wamid.chat.${++counter}`;
      onSend({ messageId, body });
      return reply(200, {
        messaging_product: 'whatsapp',
        contacts: [{ input: String(body.to ?? ''), wa_id: String(body.to ?? '') }],
        messages: [{ id: messageId }],
      });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
