import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_TOKEN_MIN_LENGTH } from '@helpline/runtime';
import { z } from 'zod';

/**
 * What a credential-less start invents so that the whole flow runs on one machine: an
 * operator token, and a stand-in Cloud API whose Graph endpoint is the chat simulator.
 * Kept in `.data/local.json` so `npm run chat` and later starts use the same values.
 */
export const LocalSettings = z.object({
  /** The services' one API_TOKEN rule (runtime), so the token generated here always passes it. */
  apiToken: z.string().min(API_TOKEN_MIN_LENGTH),
  appSecret: z.string().min(16),
  accessToken: z.string().min(1),
  phoneNumberId: z.string().regex(/^\d+$/),
  graphPort: z.number().int().min(1).max(65_535),
  /** Where the last start's gateway listens. */
  gatewayUrl: z.url(),
  /**
   * Whether the last start pointed the gateway at the chat simulator (no Cloud API
   * credentials). Absent in files written before the field existed: those starts did.
   */
  chat: z.boolean().default(true),
  /**
   * The stand-in Twilio account of `npm run chat -- --channel twilio`. Optional: files
   * written before Twilio existed lack them, and a start adds them (keeping the rest).
   */
  twilioAccountSid: z
    .string()
    .regex(/^AC[0-9a-f]{32}$/)
    .optional(),
  twilioAuthToken: z.string().min(16).optional(),
  twilioPort: z.number().int().min(1).max(65_535).optional(),
  /** Whether the last start pointed the gateway's Twilio channel at the chat simulator. */
  twilioChat: z.boolean().default(false),
  /** The gateway's DOCUMENT_URL_SECRET (signed statement URLs for Twilio); added to older files. */
  documentUrlSecret: z.string().min(32).optional(),
});
export type LocalSettings = z.infer<typeof LocalSettings>;

export const LOCAL_GRAPH_PORT = 3999;
export const LOCAL_TWILIO_PORT = 3998;
/** The WhatsApp number the stand-in Twilio account sends from. */
export const LOCAL_TWILIO_NUMBER = '+15550000000';

const secret = () => randomBytes(24).toString('hex');

export function localSettingsPath(dataDir: string): string {
  return join(dataDir, 'local.json');
}

function readSaved(path: string): LocalSettings | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const saved = LocalSettings.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return saved.success ? saved.data : undefined;
  } catch {
    // A damaged file is replaced by new settings, as if it were absent.
    return undefined;
  }
}

/**
 * The settings of this start: the saved secrets (or new ones the first time), with where
 * the gateway listens and whether it talks to the chat simulator, written for `npm run chat`.
 */
export function recordLocalStart(
  dataDir: string,
  start: { gatewayPort: number; chat: boolean; twilioChat?: boolean },
): LocalSettings {
  const path = localSettingsPath(dataDir);
  const saved = readSaved(path);
  const secrets = saved ?? {
    apiToken: secret(),
    appSecret: secret(),
    accessToken: `local-${secret()}`,
    phoneNumberId: '100000000000001',
    graphPort: LOCAL_GRAPH_PORT,
  };
  const settings: LocalSettings = {
    ...secrets,
    twilioAccountSid: saved?.twilioAccountSid ?? `AC${randomBytes(16).toString('hex')}`,
    twilioAuthToken: saved?.twilioAuthToken ?? secret(),
    twilioPort: saved?.twilioPort ?? LOCAL_TWILIO_PORT,
    documentUrlSecret: saved?.documentUrlSecret ?? randomBytes(32).toString('hex'),
    gatewayUrl: `http://127.0.0.1:${start.gatewayPort}`,
    chat: start.chat,
    twilioChat: start.twilioChat ?? false,
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  return settings;
}

/** What `npm run chat` needs of the last start; an error naming what to do when it cannot chat. */
export function readLocalSettings(dataDir: string, channel: 'cloud' | 'twilio' = 'cloud'): LocalSettings {
  const path = localSettingsPath(dataDir);
  const settings = readSaved(path);
  if (!settings) throw new Error(`${path} not found: start Helpline with \`npm start\` first`);
  if (channel === 'twilio') {
    if (!settings.twilioChat || !settings.twilioAccountSid || !settings.twilioAuthToken || !settings.twilioPort) {
      throw new Error(
        'the running gateway talks to Twilio (TWILIO_ACCOUNT_SID or TWILIO_AUTH_TOKEN is set), not to the chat simulator: start without them to chat through Twilio locally',
      );
    }
    return settings;
  }
  if (!settings.chat) {
    throw new Error(
      'the running gateway talks to Meta (Cloud API credentials are set), not to the chat simulator: start without WHATSAPP_ACCESS_TOKEN and META_APP_SECRET to chat locally',
    );
  }
  return settings;
}
