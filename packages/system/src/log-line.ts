const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const NOISE = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'service']);

/**
 * One pino JSON line as a short human line for the terminal: `[service] level message
 * key=value ...`. Lines that are not JSON pass through as they are.
 */
export function formatLogLine(service: string, line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `[${service}] ${line}`;
  }
  const level = LEVELS[Number(entry.level)] ?? String(entry.level ?? '');
  const extras = Object.entries(entry)
    .filter(([key, value]) => !NOISE.has(key) && value !== undefined && typeof value !== 'object')
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(' ');
  return `[${service}] ${level} ${String(entry.msg ?? '')}${extras ? ` ${extras}` : ''}`;
}
