import type { Database } from '@helpline/runtime';
import type { PaymentPoint } from './payment-points.js';

/** The built-in store's payment points (`npm run import -- payment-points <file>`). */
export function localPaymentPoints(db: Database): () => Promise<PaymentPoint[]> {
  return async () => {
    const r = await db.query<{
      point_id: string;
      name: string;
      address: string;
      city: string | null;
      hours: string | null;
      latitude: number | null;
      longitude: number | null;
      methods: string[];
    }>(
      'SELECT point_id, name, address, city, hours, latitude, longitude, methods FROM payment_points ORDER BY city, name',
      [],
      'payment_points',
    );
    return r.rows.map((row) => {
      const point: PaymentPoint = { id: row.point_id, name: row.name, address: row.address, methods: row.methods };
      if (row.city) point.city = row.city;
      if (row.hours) point.hours = row.hours;
      if (row.latitude !== null) point.latitude = row.latitude;
      if (row.longitude !== null) point.longitude = row.longitude;
      return point;
    });
  };
}
