// `npm run chat`: you are a customer. Lines you type go to the gateway as signed webhooks;
// the bot's answers arrive here because this process stands in for the Graph API (the
// start points the gateway's GRAPH_API_URL at it). Pick a button or list row by its number.
// `npm run chat -- --channel twilio`: the same through Twilio: this process stands in for
// Twilio's Messages API (TWILIO_API_URL) and posts form webhooks signed as Twilio signs them;
// choices arrive as numbered text and the number you type goes to the gateway as is.
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startGraphStandIn } from './chat/graph-stand-in.js';
import { postSignedForm, renderTwilioSend, startTwilioStandIn, twilioCustomerMessage } from './chat/twilio-stand-in.js';
import { renderGraphMessage } from './chat/render.js';
import { type ChatOption, customerMessage, deliveryStatus, signedBody } from './chat/webhook-payloads.js';
import { LOCAL_TWILIO_NUMBER, readLocalSettings } from './local-settings.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const say = (line: string) => process.stdout.write(`${line}\n`);
const channelAt = process.argv.indexOf('--channel');
const channel = channelAt >= 0 ? process.argv[channelAt + 1] : 'cloud';
if (channel !== 'cloud' && channel !== 'twilio') {
  say(`chat: --channel must be cloud or twilio, not ${channel}`);
  process.exit(1);
}
let settings: ReturnType<typeof readLocalSettings>;
try {
  settings = readLocalSettings(process.env.HELPLINE_DATA_DIR ?? join(root, '.data'), channel);
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

async function postTwilio(text: string): Promise<void> {
  const url = `${settings.gatewayUrl}/webhook/twilio`;
  const params = twilioCustomerMessage(
    { accountSid: settings.twilioAccountSid ?? '', number: LOCAL_TWILIO_NUMBER },
    envelope.customer,
    text,
  );
  const res = await postSignedForm(url, settings.twilioAuthToken ?? '', params);
  if (res.status !== 200) say(`(the gateway answered ${res.status}: ${res.text})`);
}

const server =
  channel === 'twilio'
    ? await startTwilioStandIn(
        settings.twilioPort ?? 0,
        { accountSid: settings.twilioAccountSid ?? '', authToken: settings.twilioAuthToken ?? '' },
        (send) => {
          for (const line of renderTwilioSend(send.form)) say(line);
        },
      )
    : await startGraphStandIn(settings.graphPort, settings.accessToken, (send) => {
        const rendered = renderGraphMessage(send.body, send.messageId);
        for (const line of rendered.lines) say(line);
        if (rendered.options.length > 0) options = rendered.options;
        void post(deliveryStatus(envelope, send.messageId, 'delivered')).catch(() => {});
      });

say(
  `chatting as +${envelope.customer.phone} with the gateway at ${settings.gatewayUrl} through ${channel === 'twilio' ? 'Twilio' : 'the Cloud API'} (type /quit to leave)`,
);
const input = createInterface({ input: process.stdin });
input.on('line', (line) => {
  const text = line.trim();
  if (!text) return;
  if (text === '/quit') {
    input.close();
    return;
  }
  // Through Twilio the number itself is the answer: the gateway knows what it stands for.
  const sent =
    channel === 'twilio'
      ? postTwilio(text)
      : post(customerMessage(envelope, (/^\d+$/.test(text) ? options[Number(text) - 1] : undefined) ?? text));
  sent.catch((error: Error) => say(`(could not reach the gateway: ${error.message})`));
});
input.on('close', () => {
  server.close();
  process.exit(0);
});
