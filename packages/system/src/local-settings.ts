import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * What a credential-less start invents so that the whole flow runs on one machine: an
 * operator token, and a stand-in Cloud API whose Graph endpoint is the chat simulator.
 * Kept in `.data/local.json` so `npm run chat` and later starts use the same values.
 */
export const LocalSettings = z.object({
  apiToken: z.string().min(16),
  appSecret: z.string().min(16),
  accessToken: z.string().min(1),
  phoneNumberId: z.string().regex(/^\d+$/),
  graphPort: z.number().int().min(1).max(65_535),
  gatewayUrl: z.url(),
});
export type LocalSettings = z.infer<typeof LocalSettings>;

export const LOCAL_GRAPH_PORT = 3999;

const secret = () => randomBytes(24).toString('hex');

export function localSettingsPath(dataDir: string): string {
  return join(dataDir, 'local.json');
}

/** The saved settings, or new ones written for next time. */
export function loadOrCreateLocalSettings(dataDir: string, gatewayPort: number): LocalSettings {
  const path = localSettingsPath(dataDir);
  if (existsSync(path)) {
    const saved = LocalSettings.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (saved.success) return saved.data;
  }
  const settings: LocalSettings = {
    apiToken: secret(),
    appSecret: secret(),
    accessToken: `local-${secret()}`,
    phoneNumberId: '100000000000001',
    graphPort: LOCAL_GRAPH_PORT,
    gatewayUrl: `http://127.0.0.1:${gatewayPort}`,
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  return settings;
}

export function readLocalSettings(dataDir: string): LocalSettings {
  const path = localSettingsPath(dataDir);
  if (!existsSync(path)) throw new Error(`${path} not found: start Helpline with \`npm start\` first`);
  return LocalSettings.parse(JSON.parse(readFileSync(path, 'utf8')));
}
