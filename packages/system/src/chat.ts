// `npm run chat`: you are a customer. Lines you type go to the gateway as signed webhooks;
// the bot's answers arrive here because this process stands in for the Graph API (the
// start points the gateway's GRAPH_API_URL at it). Pick a button or list row by its number.
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startGraphStandIn } from './chat/graph-stand-in.js';
import { renderGraphMessage } from './chat/render.js';
import { type ChatOption, customerMessage, deliveryStatus, signedBody } from './chat/webhook-payloads.js';
import { readLocalSettings } from './local-settings.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const say = (line: string) => process.stdout.write(`${line}\n`);
let settings: ReturnType<typeof readLocalSettings>;
try {
  settings = readLocalSettings(process.env.HELPLINE_DATA_DIR ?? join(root, '.data'));
} catch (error) {
  say(`chat: ${(error as Error).message}`);
  process.exit(1);
}
const envelope = {
  phoneNumberId: settings.phoneNumberId,
  customer: { phone: process.env.CHAT_PHONE ?? '573000000001', name: process.env.CHAT_NAME ?? 'Cliente de prueba' },
};
let options: ChatOption[] = [];

async function post(payload: unknown): Promise<void> {
  const { body, signature } = signedBody(payload, settings.appSecret);
  const res = await fetch(`${settings.gatewayUrl}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
    body,
  });
  if (!res.ok) say(`(the gateway answered ${res.status}: ${await res.text()})`);
}

const server = await startGraphStandIn(settings.graphPort, settings.accessToken, (send) => {
  const rendered = renderGraphMessage(send.body, send.messageId);
  for (const line of rendered.lines) say(line);
  if (rendered.options.length > 0) options = rendered.options;
  void post(deliveryStatus(envelope, send.messageId, 'delivered')).catch(() => {});
});

say(`chatting as +${envelope.customer.phone} with the gateway at ${settings.gatewayUrl} (type /quit to leave)`);
const input = createInterface({ input: process.stdin });
input.on('line', (line) => {
  const text = line.trim();
  if (!text) return;
  if (text === '/quit') {
    input.close();
    return;
  }
  const picked = /^\d+$/.test(text) ? options[Number(text) - 1] : undefined;
  post(customerMessage(envelope, picked ?? text)).catch((error: Error) =>
    say(`(could not reach the gateway: ${error.message})`),
  );
});
input.on('close', () => {
  server.close();
  process.exit(0);
});
