export * from './fake-zoho.js';
export type { FakeZohoContact, FakeZohoDepartment, FakeZohoTicket } from './fake-zoho-store.js';
