/**
 * Calendar arithmetic in the business time zone, without a date library: the day a moment
 * falls on there, whole days added to a date, and the moment a local wall-clock time of a
 * day is. The daily notice run is scheduled by BullMQ (cron pattern + IANA zone); these
 * decide which business day a run is for, and say when the next one is due.
 */

/** `HH:MM` (24 hours) as hours and minutes. */
export function parseSendTime(value: string): { hour: number; minute: number } {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  if (!match) throw new Error(`expected HH:MM (24 hours), got ${value}`);
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

/** The cron pattern of a daily run at `HH:MM` (read by BullMQ in the zone it is given). */
export function dailyPattern(sendTime: string): string {
  const { hour, minute } = parseSendTime(sendTime);
  return `${minute} ${hour} * * *`;
}

function parts(at: Date, timeZone: string): Record<string, number> {
  const formatted = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  return Object.fromEntries(formatted.filter((p) => p.type !== 'literal').map((p) => [p.type, Number(p.value)]));
}

/** The date (YYYY-MM-DD) `at` falls on in `timeZone`. */
export function businessDate(at: Date, timeZone: string): string {
  const p = parts(at, timeZone);
  return `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** `date` plus `days` (negative: minus), as YYYY-MM-DD; calendar days, no time zone involved. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The zone's offset from UTC at `at`, in milliseconds (Bogota: -5 h). */
function offsetMs(at: Date, timeZone: string): number {
  const p = parts(at, timeZone);
  const asUtc = Date.UTC(p.year as number, (p.month as number) - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/**
 * The moment the wall clock in `timeZone` reads `HH:MM` on `date`. Two passes settle a
 * change of offset between the guess and the answer (daylight saving); a time that does
 * not exist that day (skipped by a clock change) lands just after the gap.
 */
export function zonedMoment(date: string, sendTime: string, timeZone: string): Date {
  const { hour, minute } = parseSendTime(sendTime);
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d, hour, minute);
  let guess = wall - offsetMs(new Date(wall), timeZone);
  guess = wall - offsetMs(new Date(guess), timeZone);
  return new Date(guess);
}

/** The first daily run strictly after `after`. */
export function nextRunAt(after: Date, sendTime: string, timeZone: string): Date {
  const today = businessDate(after, timeZone);
  const candidate = zonedMoment(today, sendTime, timeZone);
  return candidate.getTime() > after.getTime() ? candidate : zonedMoment(addDays(today, 1), sendTime, timeZone);
}
