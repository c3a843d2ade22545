import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@helpline/runtime';
import { type FakeRouter, startFakeRouter } from '@helpline/testkit/routeros';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { networkConfigSchema } from '../src/config.js';
import { type ConnectionTimeouts, RouterConnection } from '../src/routeros/router-connection.js';

// RouterOS' api-ssl with a self-signed certificate (what `/certificate add ... sign` makes on
// the router), made here by openssl, served by the fake router over TLS.

const timeouts: ConnectionTimeouts = { connectMs: 2_000, closeMs: 300, idleSocketSeconds: 30, keepalive: false };
let dir: string;
let router: FakeRouter;
let routerCert: string;
let otherCert: string;

/** A self-signed certificate for 127.0.0.1 (key and cert as PEM files in `dir`). */
function selfSigned(name: string): { key: string; cert: string; certPath: string } {
  const keyPath = join(dir, `${name}.key`);
  const certPath = join(dir, `${name}.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-days',
      '2',
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8'), certPath };
}

const env = (extra: Record<string, string>) => ({
  MIKROTIK_HOST: '127.0.0.1',
  MIKROTIK_PORT: String(router.port),
  MIKROTIK_USERNAME: 'api',
  MIKROTIK_PASSWORD: 'secret',
  MIKROTIK_TLS: 'true',
  ...extra,
});
const endpointFor = (extra: Record<string, string>) => {
  const config = loadConfig(networkConfigSchema, { env: env(extra), envFile: false });
  const endpoint = config.routers[0];
  if (!endpoint) throw new Error('no router configured');
  return endpoint;
};

/**
 * Opens a connection and says whether it got in. node-routeros wraps the TLS error in an
 * exception without its message, so a refusal is told by what the router heard: a TLS
 * refusal happens in the handshake, before any sentence (the login) reaches it.
 */
async function attempt(endpoint: ReturnType<typeof endpointFor>): Promise<'connected' | 'refused in the handshake'> {
  const heard = router.received.length;
  try {
    const connection = await RouterConnection.open(endpoint, timeouts);
    await connection.close();
    return 'connected';
  } catch (error) {
    expect((error as Error).message).toBe('socket error');
    expect(router.received.length).toBe(heard);
    return 'refused in the handshake';
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'helpline-router-tls-'));
  const own = selfSigned('router');
  routerCert = own.certPath;
  otherCert = selfSigned('another-router').certPath;
  router = await startFakeRouter({
    tls: { key: own.key, cert: own.cert },
    state: { tables: { '/ppp/active': [{ name: 'ana', address: '100.64.0.10' }] } },
  });
});
afterAll(async () => {
  await router?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('MIKROTIK_TLS_CA', () => {
  it("trusts the router's own self-signed certificate given as the CA (pinning)", async () => {
    const endpoint = endpointFor({ MIKROTIK_TLS_CA: routerCert });
    expect(endpoint.ca).toContain('BEGIN CERTIFICATE');
    expect(await attempt(endpoint)).toBe('connected');
    const connection = await RouterConnection.open(endpoint, timeouts);
    expect(await connection.run(['/ppp/active/print'], 1_000)).toEqual([{ name: 'ana', address: '100.64.0.10' }]);
    await connection.close();
  });

  it('verifies by default: without a CA the self-signed certificate is refused', async () => {
    expect(await attempt(endpointFor({}))).toBe('refused in the handshake');
  });

  it('refuses a router whose certificate is not the pinned one', async () => {
    expect(await attempt(endpointFor({ MIKROTIK_TLS_CA: otherCert }))).toBe('refused in the handshake');
  });

  it('names the variable when the file is missing or holds no certificate', () => {
    const notPem = join(dir, 'not-a-cert.txt');
    writeFileSync(notPem, 'hello');
    expect(() => endpointFor({ MIKROTIK_TLS_CA: join(dir, 'missing.pem') })).toThrow(/MIKROTIK_TLS_CA: no such file/);
    expect(() => endpointFor({ MIKROTIK_TLS_CA: notPem })).toThrow(/MIKROTIK_TLS_CA: .* holds no PEM certificate/);
  });

  it('reads tlsCa per router in MIKROTIK_ROUTERS', () => {
    const config = loadConfig(networkConfigSchema, {
      env: {
        MIKROTIK_ROUTERS: JSON.stringify([
          { name: 'a', host: '127.0.0.1', username: 'api', password: 'x', tls: true, tlsCa: routerCert },
          { name: 'b', host: '127.0.0.2', username: 'api', password: 'x' },
        ]),
      },
      envFile: false,
    });
    expect(config.routers.map((r) => [r.name, r.port, Boolean(r.ca)])).toEqual([
      ['a', 8729, true],
      ['b', 8728, false],
    ]);
  });
});
