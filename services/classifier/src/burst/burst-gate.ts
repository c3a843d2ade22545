import type { InboundMessage } from '@helpline/contracts';
import type { Redis } from '@helpline/runtime';

/** What one message is in its chat's burst. */
export type BurstRole =
  /** Bursts are off, or this message cannot join one (not text): handled alone, as always. */
  | { role: 'alone' }
  /** Another message of the chat leads the burst and will answer for this one too. */
  | { role: 'follower'; leader: string }
  /** This message answers for the burst: its own text and the followers', in order. */
  | { role: 'leader'; messages: InboundMessage[] };

/**
 * How a leader waits out its window: by default it sleeps; a worker passes one that gives
 * its slot back (the job deferred until `until`, run again then: `deferJob`), which never
 * returns. `ms` is what is left of the window, `until` its end in epoch milliseconds.
 */
export type BurstWait = (ms: number, until: number) => Promise<void>;

export interface BurstGate {
  readonly windowMs: number;
  gather(message: InboundMessage, wait?: BurstWait): Promise<BurstRole>;
}

// KEYS: 1 leader key, 2 members list. ARGV: 1 message id, 2 member JSON, 3 the leader's
// deadline if this one leads (ms), 4 now (ms), 5 ttl (ms).
// A message joins the open burst only before its leader's deadline; after it (the leader
// closing, or gone) it is handled alone, so no message ever waits on a burst that closed.
const JOIN = `
local current = redis.call('GET', KEYS[1])
if current then
  local sep = string.find(current, '|', 1, true)
  local leader = string.sub(current, 1, sep - 1)
  local deadline = tonumber(string.sub(current, sep + 1))
  if leader == ARGV[1] then return {'leader', deadline} end
  if tonumber(ARGV[4]) < deadline then
    redis.call('RPUSH', KEYS[2], ARGV[2])
    redis.call('PEXPIRE', KEYS[2], ARGV[5])
    return {'follower', leader}
  end
  return {'alone', ''}
end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[3], 'PX', ARGV[5])
return {'leader', tonumber(ARGV[3])}
`;

// KEYS: 1 leader key, 2 members list. ARGV: 1 the leader's id. The members, and the burst closed.
const CLOSE = `
local current = redis.call('GET', KEYS[1])
if current and string.sub(current, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. '|' then
  local members = redis.call('LRANGE', KEYS[2], 0, -1)
  redis.call('DEL', KEYS[1], KEYS[2])
  return members
end
return {}
`;

/**
 * Long enough that a leader that crashed while waiting is retried (BullMQ's stalled check)
 * and still finds the messages that joined it; they were acknowledged, so they must not expire first.
 */
const KEY_TTL_MS = 6 * 3600_000;

/**
 * Bursts: text messages of one sender in one chat that arrive within `windowMs` of the
 * first are answered once, as one text. The first (by arrival at the gateway) leads: it
 * waits until its arrival plus the window, then takes every message that joined, so no
 * message waits longer than the window for its answer; the others join its list in Redis
 * and complete at once. With a window of 0 nothing changes. How the leader waits is the
 * caller's (`BurstWait`).
 */
export function createBurstGate(options: {
  redis: Redis;
  prefix: string;
  windowMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}): BurstGate {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const base = `${options.prefix}:burst`;

  return {
    windowMs: options.windowMs,
    async gather(message, wait = (ms) => sleep(ms)) {
      if (options.windowMs <= 0 || message.type !== 'text' || !message.text.trim()) return { role: 'alone' };
      const chat = `${message.channel}:${message.chatId}:${message.from}`;
      const keys = [`${base}:lead:${chat}`, `${base}:members:${chat}`];
      const deadline = Date.parse(message.receivedAt) + options.windowMs;
      const [role, detail] = (await options.redis.eval(
        JOIN,
        2,
        ...keys,
        message.id,
        JSON.stringify(message),
        String(deadline),
        String(now()),
        String(KEY_TTL_MS),
      )) as [string, string | number];
      if (role === 'follower') return { role: 'follower', leader: String(detail) };
      if (role === 'alone') return { role: 'alone' };
      // Capped at the window: a gateway clock ahead of this one must not stretch the wait.
      const left = Math.min(Number(detail) - now(), options.windowMs);
      // A deferred leader runs this again at its deadline: it leads still, with nothing left.
      if (left > 0) await wait(left, now() + left);
      const raw = (await options.redis.eval(CLOSE, 2, ...keys, message.id)) as string[];
      const byId = new Map<string, InboundMessage>([[message.id, message]]);
      for (const member of raw) {
        const parsed = JSON.parse(member) as InboundMessage;
        // A follower retried after joining is in the list twice: once is enough.
        if (!byId.has(parsed.id)) byId.set(parsed.id, parsed);
      }
      const messages = [...byId.values()].sort(
        (a, b) => a.sentAt.localeCompare(b.sentAt) || a.receivedAt.localeCompare(b.receivedAt),
      );
      return { role: 'leader', messages };
    },
  };
}

/** The burst as one message: the leader's, with every text in order, one per line. */
export function mergeBurst(leader: InboundMessage, messages: readonly InboundMessage[]): InboundMessage {
  if (messages.length <= 1) return leader;
  return {
    ...leader,
    text: messages
      .map((m) => m.text.trim())
      .join('\n')
      .slice(0, 65_536),
  };
}
