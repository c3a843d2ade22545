import { connect } from 'node:net';

/** One command Redis ran, as MONITOR reports it. */
export interface MonitoredCommand {
  /** The command and its arguments, unescaped (`['evalsha', '<sha>', '2', 'key', ...]`). */
  args: string[];
  /** `lua` for a command a script ran, else the client's address (`127.0.0.1:port`). */
  source: string;
}

/**
 * Watches every command a Redis server runs, through MONITOR on a socket of its own.
 *
 * Why not ioredis' `monitor()`: it marks its connection as monitoring only after the
 * MONITOR reply has been handed on, a microtask later; when the first monitored line arrives
 * in the same read as that reply (a busy server), ioredis has no command to match it with
 * and throws "Command queue state error" out of its socket handler, killing the process.
 * Resolves once Redis has answered MONITOR, so nothing sent after it goes unseen.
 */
export async function monitorRedis(
  url: string,
  onCommand: (command: MonitoredCommand) => void,
): Promise<{ stop: () => void }> {
  const { hostname, port, password, username } = new URL(url);
  const socket = connect({ host: hostname || '127.0.0.1', port: Number(port || 6379) });
  socket.setEncoding('utf8');
  const auth = password
    ? `AUTH ${username ? `${decodeURIComponent(username)} ` : ''}${decodeURIComponent(password)}\r\n`
    : '';
  socket.write(`${auth}MONITOR\r\n`);
  let buffered = '';
  let repliesToSkip = auth ? 2 : 1;
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      for (let end = buffered.indexOf('\r\n'); end >= 0; end = buffered.indexOf('\r\n')) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (line.startsWith('-')) {
          reject(new Error(`Redis refused MONITOR: ${line.slice(1)}`));
          socket.destroy();
          return;
        }
        if (repliesToSkip > 0) {
          repliesToSkip--;
          if (repliesToSkip === 0) {
            socket.off('error', reject);
            resolve();
          }
          continue;
        }
        const command = parseMonitorLine(line);
        if (command) onCommand(command);
      }
    });
  });
  // After MONITOR, errors (a Redis that stopped) end the watch quietly: it is only ever a tap.
  socket.on('error', () => {});
  return { stop: () => socket.destroy() };
}

/**
 * One MONITOR line: `+1700000000.123456 [0 127.0.0.1:5000] "set" "k" "v"`, the source being
 * `lua` for a script's commands. Arguments are quoted, with `\"`, `\\`, `\n`, `\r`, `\t`,
 * `\a`, `\b` and `\xNN` escapes (Redis' `sdscatrepr`). Anything else: undefined.
 */
export function parseMonitorLine(line: string): MonitoredCommand | undefined {
  const open = line.indexOf('[');
  const close = line.indexOf('] ', open);
  if (!line.startsWith('+') || open < 0 || close < 0) return undefined;
  const header = line.slice(open + 1, close);
  const source = header.slice(header.indexOf(' ') + 1);
  const args: string[] = [];
  let i = close + 2;
  while (i < line.length) {
    if (line[i] === ' ') {
      i++;
      continue;
    }
    if (line[i] !== '"') return undefined;
    let arg = '';
    for (i++; i < line.length && line[i] !== '"'; i++) {
      if (line[i] !== '\\') {
        arg += line[i];
        continue;
      }
      const next = line[++i];
      if (next === 'x') {
        arg += String.fromCharCode(Number.parseInt(line.slice(i + 1, i + 3), 16));
        i += 2;
      } else arg += ESCAPES[next ?? ''] ?? next ?? '';
    }
    args.push(arg);
    i++; // the closing quote
  }
  return args.length > 0 ? { args, source } : undefined;
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b', '"': '"', '\\': '\\' };
