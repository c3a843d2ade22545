import type { Database } from '@helpline/runtime';
import { importRecords } from '../../src/import/import-records.js';

export const ANA = '573001112233';
export const SHARED = '573004445566';
export const STRANGER = '573007778899';

const today = new Date();
const day = (offset: number) => new Date(today.getTime() + offset * 86_400_000).toISOString().slice(0, 10);

export const CUSTOMERS_CSV = `customer_id,name,document_number,phones,status,plan_id,cutoff_date,city
C-100,Ana Pérez,1.020.304.050,+57 300 111 2233,active,P-10,${day(20)},Bogotá
C-200,Luis Gómez,80123456,${SHARED},suspended,P-10,,Medellín
C-201,Luisa Gómez,80999888,${SHARED},active,P-20,,Medellín
C-300,Pedro Ruiz,79111222,,active,P-10,,Cali
`;

export const PLANS_CSV = `plan_id,name,price,download,upload
P-10,Hogar 10,60000,10,2
P-20,Hogar 20,80000.00,20,5
P-50,Fibra 50,120000,50,10
`;

export const INVOICES_JSON = JSON.stringify([
  {
    invoice_id: 'F-1',
    customer_id: 'C-100',
    number: '1001',
    issued_on: day(-20),
    due_on: day(10),
    total: '85000.00',
    state: 'pending',
    description: 'Hogar 10',
  },
  {
    invoice_id: 'F-0',
    customer_id: 'C-100',
    number: '0991',
    issued_on: day(-50),
    due_on: day(-20),
    total: 60000,
    state: 'paid',
    paid_on: day(-22),
  },
  {
    invoice_id: 'F-2',
    customer_id: 'C-200',
    number: '2001',
    issued_on: day(-40),
    due_on: day(-10),
    total: '0.30',
    state: 'pending',
  },
  {
    invoice_id: 'F-3',
    customer_id: 'C-200',
    number: '2002',
    issued_on: day(-10),
    due_on: day(20),
    total: '0.10',
    state: 'pending',
  },
  {
    invoice_id: 'F-5',
    customer_id: 'C-300',
    number: '3001',
    issued_on: day(-5),
    due_on: day(25),
    total: '45500.50',
    state: 'pending',
  },
]);

export const POINTS_CSV = `id,name,address,city,hours,latitude,longitude,methods
PP-1,Caja Centro,Cra 7 # 12-30,Bogotá,L-V 8:00-18:00,4.5981,-74.0758,efectivo|tarjeta
PP-2,Droguería Norte,Cl 100 # 15-20,Bogotá,L-S 7:00-21:00,4.6867,-74.0480,efectivo
PP-3,Tienda Chapinero,Cra 13 # 60-10,Bogotá,,4.6454,-74.0637,efectivo
PP-4,Oficina Poblado,Cl 10 # 43-50,Medellín,L-V 9:00-17:00,6.2088,-75.5676,efectivo|transferencia
PP-5,Caja Usaquén,Cra 6 # 119-10,Bogotá,,4.6952,-74.0311,efectivo
`;

/** The built-in store filled through the import, as an ISP would. */
export async function seed(db: Database): Promise<void> {
  for (const [kind, content, format] of [
    ['plans', PLANS_CSV, 'csv'],
    ['customers', CUSTOMERS_CSV, 'csv'],
    ['invoices', INVOICES_JSON, 'json'],
    ['payment-points', POINTS_CSV, 'csv'],
  ] as const) {
    const report = await importRecords(db, kind, content, format);
    if (report.errors.length) throw new Error(`${kind}: ${report.errors.join('; ')}`);
  }
}
