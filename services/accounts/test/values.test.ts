import { describe, expect, test } from 'vitest';
import { formatCop, toDecimalString, toMinorUnits } from '../src/billing/money.js';
import { flowForMessage } from '../src/conversation/handle-request.js';
import { distanceKm, nearest, readPaymentPointsFile } from '../src/payment-points/payment-points.js';
import { invoiceState, wisphubDateTime } from '../src/billing/wisphub-billing.js';

describe('money', () => {
  test.each([
    ['85000', 8_500_000n],
    ['85000.00', 8_500_000n],
    ['85000.5', 8_500_050n],
    ['0.1', 10n],
    [85000, 8_500_000n],
    [0.1 + 0.2, 30n],
    ['12.345', 1235n],
    ['-5000', -500_000n],
  ] as const)('%j is %s minor units', (value, minor) => {
    expect(toMinorUnits(value)).toBe(minor);
  });

  test.each(['', 'abc', '85.000,00', '1e5', '85 000', Number.NaN])('%j is not an amount', (value) => {
    expect(toMinorUnits(value)).toBeUndefined();
  });

  test.each([
    [8_500_000n, '$ 85.000'],
    [123_456_705n, '$ 1.234.567,05'],
    [40n, '$ 0,40'],
    [0n, '$ 0'],
    [-500_000n, '-$ 5.000'],
  ])('%s minor units read %s', (minor, text) => {
    expect(formatCop(minor)).toBe(text);
  });

  test('sums of decimal strings carry no float artefact', () => {
    const sum = ['0.10', '0.20', '0.30'].reduce((s, v) => s + (toMinorUnits(v) ?? 0n), 0n);
    expect(formatCop(sum)).toBe('$ 0,60');
    expect(toDecimalString(sum)).toBe('0.60');
  });
});

describe('what free text asks for', () => {
  test.each([
    ['cuánto debo este mes', 'billing', 'debt'],
    ['necesito mi factura de junio', 'billing', 'invoices'],
    ['dónde puedo pagar', 'billing', 'payment_points'],
    ['quiero más megas', 'sales', 'plans'],
    ['olvidé la clave del wifi', 'account', 'password_change'],
    ['tengo una pregunta', 'billing', 'billing_menu'],
    ['info', 'sales', 'plans'],
  ] as const)('%j (%s) -> %s', (text, category, flow) => {
    expect(flowForMessage(text, category)).toBe(flow);
  });
});

describe('WispHub values', () => {
  test('invoice states by number and by name', () => {
    expect(
      ['1', 2, 'Pendiente de Pago', 'Pagada', 'Cancelada', 'En Revisión', 'Se Transfirió', 'otro'].map((s) =>
        invoiceState(s),
      ),
    ).toEqual(['pending', 'paid', 'pending', 'paid', 'cancelled', 'in_review', 'transferred', undefined]);
  });

  test('fecha_pago in the business time zone, as YYYY-MM-DD hh:mm', () => {
    expect(wisphubDateTime(new Date('2026-01-01T03:30:00Z'), 'America/Bogota')).toBe('2025-12-31 22:30');
  });
});

describe('payment points', () => {
  test('nearest by great-circle distance', () => {
    const points = [
      { id: 'a', name: 'A', address: 'x', methods: [], latitude: 4.6, longitude: -74.08 },
      { id: 'b', name: 'B', address: 'x', methods: [], latitude: 6.2, longitude: -75.56 },
      { id: 'c', name: 'C', address: 'x', methods: [] },
    ];
    expect(nearest(points, { latitude: 6.25, longitude: -75.6 }, 3).map((n) => n.point.id)).toEqual(['b', 'a']);
    expect(distanceKm({ latitude: 4.6, longitude: -74.08 }, { latitude: 6.2, longitude: -75.56 })).toBeCloseTo(241, -1);
  });

  test('a bad PAYMENT_POINTS_FILE row is named with its field', () => {
    expect(() => readPaymentPointsFile('/nonexistent/points.csv')).toThrow(/cannot be read \(ENOENT\)/);
  });
});
