/**
 * Parsers for the values RouterOS prints. Each returns undefined for a value it does not
 * understand, so a router that prints something new degrades one finding, not the diagnosis.
 */

const UNIT_MS: Record<string, number> = {
  w: 7 * 24 * 3_600_000,
  d: 24 * 3_600_000,
  h: 3_600_000,
  m: 60_000,
  s: 1_000,
  ms: 1,
  us: 0.001,
};

/**
 * Durations and times in milliseconds: `1w2d3h4m5s` (uptime), `1ms164us` (RouterOS 7 ping
 * times), `00:05:10` or `1d00:05:10` (older prints), `15` (plain seconds).
 */
export function parseDurationMs(value: string): number | undefined {
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1_000;
  const clock = /^(?:(\d+)d)?(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(v);
  if (clock) {
    const [, d, h, m, s] = clock;
    return Number(d ?? 0) * UNIT_MS.d! + Number(h) * UNIT_MS.h! + Number(m) * UNIT_MS.m! + Number(s) * UNIT_MS.s!;
  }
  const parts = /^(?:\d+(?:\.\d+)?(?:w|d|h|ms|us|m|s))+$/.test(v) ? v.match(/\d+(?:\.\d+)?(?:w|d|h|ms|us|m|s)/g) : null;
  if (!parts) return undefined;
  let total = 0;
  for (const part of parts) {
    const unit = /(w|d|h|ms|us|m|s)$/.exec(part)?.[1] as string;
    total += Number(part.slice(0, -unit.length)) * (UNIT_MS[unit] as number);
  }
  return total;
}

export function parseDurationSeconds(value: string): number | undefined {
  const ms = parseDurationMs(value);
  return ms === undefined ? undefined : ms / 1_000;
}

const RATE_UNITS: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9 };

/** One rate in bits per second: `10M`, `1.5M`, `512k`, `10000000`. */
export function parseBitrate(value: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([kKMG]?)$/.exec(value.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (RATE_UNITS[m[2] as string] as number));
}

/**
 * A simple queue's `upload/download` pair (`max-limit=10M/5M`, `rate=1200000/300000`):
 * the first figure is the target's upload, the second its download.
 */
export function parseRatePair(value: string): { upload: number; download: number } | undefined {
  const [up, down, ...rest] = value.split('/');
  if (up === undefined || down === undefined || rest.length > 0) return undefined;
  const upload = parseBitrate(up);
  const download = parseBitrate(down);
  return upload === undefined || download === undefined ? undefined : { upload, download };
}

/** RouterOS booleans: `true`/`false` (API), `yes`/`no` (prints). */
export function parseRouterBoolean(value: string): boolean | undefined {
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === 'yes') return true;
  if (v === 'false' || v === 'no') return false;
  return undefined;
}
