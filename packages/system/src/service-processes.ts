import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const SERVICES = [
  { name: 'gateway', portVariable: 'GATEWAY_PORT', port: 3001 },
  { name: 'classifier', portVariable: 'CLASSIFIER_PORT', port: 8001 },
  { name: 'tickets', portVariable: 'TICKETS_PORT', port: 8003 },
  { name: 'network', portVariable: 'NETWORK_PORT', port: 8004 },
  { name: 'accounts', portVariable: 'ACCOUNTS_PORT', port: 8005 },
  { name: 'desk', portVariable: 'DESK_PORT', port: 8006 },
] as const;
export type ServiceName = (typeof SERVICES)[number]['name'];

export interface ServiceProcess {
  name: ServiceName;
  port: number;
  child: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts one service from its build (`services/<name>/dist/main.js`) with the given
 * environment; each line it prints is passed to `onLine` (the start prefixes and filters
 * them, tests collect them). `entry` replaces the build by a TypeScript entry file, run
 * from sources (tests wire a service with a fake of what cannot be reached from here).
 * `nodeArgs` go to Node itself (`--cpu-prof`, which NODE_OPTIONS refuses).
 */
export function startService(
  root: string,
  name: ServiceName,
  port: number,
  env: NodeJS.ProcessEnv,
  onLine: (name: ServiceName, line: string) => void,
  entry?: string,
  nodeArgs: readonly string[] = [],
): ServiceProcess {
  const args = [
    ...nodeArgs,
    ...(entry
      ? ['--conditions=@helpline/source', '--import', 'tsx', entry]
      : [join(root, 'services', name, 'dist', 'main.js')]),
  ];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => onLine(name, line));
  }
  return {
    name,
    port,
    child,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill(signal);
      const [code] = await exited;
      return code as number | null;
    },
  };
}

export interface HealthAnswer {
  status: string;
  checks: Record<string, { status: string; message?: string }>;
}

/** What waitForHealth needs of a service: where it listens, and whether its process ended. */
export type HealthTarget = Pick<ServiceProcess, 'name' | 'port'> & { child: Pick<ChildProcess, 'exitCode'> };

/** Polls GET /health until it answers (200 or 503), the process exits, or time runs out. */
// Five processes start at once; on a loaded two-core machine one took 11 s alone to listen.
export async function waitForHealth(service: HealthTarget, timeoutMs = 60_000): Promise<HealthAnswer> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) throw new Error(`${service.name} exited with code ${service.child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${service.port}/health`, { signal: AbortSignal.timeout(1_000) });
      return (await res.json()) as HealthAnswer;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`${service.name} did not answer /health within ${timeoutMs} ms`);
}

export interface ReadinessOptions {
  /** How long the first answer may take (the process starting). */
  answerWithinMs?: number;
  /** How long a `down` answer is asked again before it is shown as it is. */
  readyWithinMs?: number;
  pollMs?: number;
}

/**
 * The health to show once a service has started: asked again while it says `down` (its
 * Redis connection is still being made a moment after it listens), until it is up or
 * `readyWithinMs` passes. A `degraded` answer is final: it names configuration to add.
 */
export async function waitForReadiness(service: HealthTarget, options: ReadinessOptions = {}): Promise<HealthAnswer> {
  const answerWithinMs = options.answerWithinMs ?? 30_000;
  const pollMs = options.pollMs ?? 200;
  let answer = await waitForHealth(service, answerWithinMs);
  const until = Date.now() + (options.readyWithinMs ?? 15_000);
  while (answer.status === 'down' && Date.now() < until) {
    await new Promise((r) => setTimeout(r, pollMs));
    answer = await waitForHealth(service, answerWithinMs);
  }
  return answer;
}
