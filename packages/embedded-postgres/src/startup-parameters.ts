/** A startup message's protocol version field (3.0); other first messages are not startups. */
export const PROTOCOL_3 = 196_608;

/** Startup keys that are not run-time settings. */
const NOT_SETTINGS = new Set(['user', 'database', 'replication', 'options']);

/**
 * The run-time settings a client asked for in its startup message: each key that is a
 * setting (`statement_timeout`, `application_name`, ...) and each `-c name=value` of
 * `options` (how node-postgres sends `search_path`). Undefined when `message` is no startup.
 */
export function readStartupSettings(message: Uint8Array): Map<string, string> | undefined {
  if (message.length < 8) return undefined;
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  if (view.getInt32(4) !== PROTOCOL_3) return undefined;
  const fields: string[] = [];
  const decoder = new TextDecoder();
  let start = 8;
  for (let i = 8; i < message.length; i++) {
    if (message[i] !== 0) continue;
    if (i === start) break; // the empty string that ends the list
    fields.push(decoder.decode(message.subarray(start, i)));
    start = i + 1;
  }
  const settings = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const key = fields[i] as string;
    const value = fields[i + 1] as string;
    if (key === 'options') for (const [name, v] of parseOptions(value)) settings.set(name, v);
    else if (!NOT_SETTINGS.has(key)) settings.set(key, value);
  }
  return settings;
}

/** `-c a=1 -c b=x\ y` or `--a=1`: PostgreSQL's command-line form; backslash escapes a space. */
function parseOptions(options: string): [string, string][] {
  const words: string[] = [];
  let word = '';
  for (let i = 0; i < options.length; i++) {
    const ch = options[i] as string;
    if (ch === '\\' && i + 1 < options.length) word += options[++i];
    else if (ch === ' ') {
      if (word) words.push(word);
      word = '';
    } else word += ch;
  }
  if (word) words.push(word);
  const pairs: [string, string][] = [];
  for (let i = 0; i < words.length; i++) {
    let assignment: string | undefined;
    const w = words[i] as string;
    if (w === '-c') assignment = words[++i];
    else if (w.startsWith('-c')) assignment = w.slice(2);
    else if (w.startsWith('--')) assignment = w.slice(2);
    const at = assignment?.indexOf('=') ?? -1;
    if (assignment && at > 0) pairs.push([assignment.slice(0, at).replaceAll('-', '_'), assignment.slice(at + 1)]);
  }
  return pairs;
}
