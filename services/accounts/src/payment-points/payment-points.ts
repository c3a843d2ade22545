import { readFileSync } from 'node:fs';
import { parseCsv } from '@helpline/directory';
import { z } from 'zod';

export interface PaymentPoint {
  id: string;
  name: string;
  address: string;
  city?: string;
  hours?: string;
  latitude?: number;
  longitude?: number;
  methods: string[];
}

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));
const coordinate = (min: number, max: number) =>
  z
    .union([z.number(), z.string()])
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || (typeof v === 'string' && v.trim() === '')) return undefined;
      const n = typeof v === 'number' ? v : Number(v.trim());
      if (!Number.isFinite(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `expected a number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

export const PaymentPointInput = z.object({
  id: optionalText,
  name: z.string().trim().min(1, 'is required'),
  address: z.string().trim().min(1, 'is required'),
  city: optionalText,
  hours: optionalText,
  latitude: coordinate(-90, 90),
  longitude: coordinate(-180, 180),
  methods: z
    .union([z.array(z.string()), z.string()])
    .optional()
    .transform((m) =>
      (m === undefined ? [] : Array.isArray(m) ? m : m.split(/[|;,]/)).map((s) => s.trim()).filter(Boolean),
    ),
});

/** Kilometres between two points on the Earth (haversine). */
export function distanceKm(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }) {
  const rad = (d: number) => (d * Math.PI) / 180;
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

/** The `count` points nearest to `from` that have coordinates. */
export function nearest(points: readonly PaymentPoint[], from: { latitude: number; longitude: number }, count = 3) {
  return points
    .filter(
      (p): p is PaymentPoint & { latitude: number; longitude: number } =>
        p.latitude !== undefined && p.longitude !== undefined,
    )
    .map((p) => ({ point: p, km: distanceKm(from, p) }))
    .sort((a, b) => a.km - b.km)
    .slice(0, count);
}

const cityKey = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .trim()
    .toLowerCase();

export function inCity(points: readonly PaymentPoint[], city: string): PaymentPoint[] {
  const key = cityKey(city);
  return points.filter((p) => p.city !== undefined && cityKey(p.city) === key);
}

/** Rows of a CSV (header row) or a JSON array as plain records, for zod to check. */
export function recordsOf(text: string, format: 'csv' | 'json'): Record<string, unknown>[] {
  if (format === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error('is not valid JSON (expected a JSON array, or a .csv file)');
    }
    if (!Array.isArray(parsed)) throw new Error('expected a JSON array');
    return parsed.map((item) => (typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {}));
  }
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  const names = header.map((h) => h.trim().toLowerCase());
  return rows.map((cells) => Object.fromEntries(names.map((name, i) => [name, cells[i] ?? ''])));
}

/** PAYMENT_POINTS_FILE: every problem names its row and field. */
export function readPaymentPointsFile(path: string): PaymentPoint[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const records = recordsOf(text, /\.csv$/i.test(path) ? 'csv' : 'json');
  return records.map((record, i) => {
    const parsed = PaymentPointInput.safeParse(record);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`row ${i + 1}: ${issue?.path.join('.') || '(row)'}: ${issue?.message}`);
    }
    const { id, ...rest } = parsed.data;
    return { id: id ?? `point-${i + 1}`, ...rest } as PaymentPoint;
  });
}
