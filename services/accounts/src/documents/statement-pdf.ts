import type { Language } from '@helpline/contracts';
import PDFDocument from 'pdfkit';
import type { Account, Invoice } from '../billing/billing-provider.js';
import { formatCop } from '../billing/money.js';

const WORDS = {
  es: {
    title: 'Estado de cuenta',
    notice:
      'Este documento es un estado de cuenta informativo generado a partir de los datos de facturación. No es la factura electrónica de venta ni la reemplaza.',
    customer: 'Cliente',
    account: 'Cuenta',
    document: 'Documento',
    plan: 'Plan',
    invoice: 'Factura',
    issued: 'Fecha de emisión',
    due: 'Fecha de vencimiento',
    paid: 'Fecha de pago',
    state: 'Estado',
    total: 'Total',
    lines: 'Detalle',
    generated: 'Generado el',
    states: {
      pending: 'Pendiente de pago',
      paid: 'Pagada',
      cancelled: 'Anulada',
      in_review: 'En revisión',
      transferred: 'Transferida',
    },
  },
  en: {
    title: 'Statement of account',
    notice:
      'This document is an informative statement of account made from the billing data. It is not the legal electronic invoice and does not replace it.',
    customer: 'Customer',
    account: 'Account',
    document: 'Document',
    plan: 'Plan',
    invoice: 'Invoice',
    issued: 'Issued on',
    due: 'Due on',
    paid: 'Paid on',
    state: 'State',
    total: 'Total',
    lines: 'Details',
    generated: 'Generated on',
    states: {
      pending: 'Pending',
      paid: 'Paid',
      cancelled: 'Cancelled',
      in_review: 'In review',
      transferred: 'Transferred',
    },
  },
} as const;

/** Shows the last four digits of a document number only: the PDF may be forwarded. */
const masked = (documentNumber: string) => `••••${documentNumber.replace(/\D/g, '').slice(-4)}`;

/**
 * The statement PDF of one invoice, made with pdfkit from the invoice data. It says plainly
 * that it is a statement of account, not the legal electronic invoice (DIAN's is issued by
 * the back-office). Deterministic apart from the generation date, which is passed in.
 */
export function renderStatementPdf(input: {
  account: Account;
  invoice: Invoice;
  language: Language;
  issuer: string;
  generatedAt: Date;
}): Promise<Buffer> {
  const w = WORDS[input.language];
  const { account, invoice } = input;
  const doc = new PDFDocument({
    size: 'LETTER',
    margin: 56,
    info: {
      Title: `${w.title} ${invoice.number ?? invoice.id}`,
      Author: input.issuer,
      CreationDate: input.generatedAt,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.fontSize(18).text(input.issuer);
  doc
    .moveDown(0.5)
    .fontSize(14)
    .text(`${w.title} · ${w.invoice} ${invoice.number ?? invoice.id}`);
  doc.moveDown(0.5).fontSize(9).fillColor('#aa0000').text(w.notice).fillColor('black');
  doc.moveDown();
  const row = (label: string, value: string | undefined) => {
    if (value) doc.fontSize(11).text(`${label}: ${value}`);
  };
  row(w.customer, account.name);
  row(w.account, account.customerId);
  row(w.document, account.documentNumber ? masked(account.documentNumber) : undefined);
  row(w.plan, account.plan?.name);
  doc.moveDown();
  row(w.invoice, invoice.number ?? invoice.id);
  row(w.issued, invoice.issuedOn);
  row(w.due, invoice.dueOn);
  row(w.paid, invoice.paidOn);
  row(w.state, w.states[invoice.state]);
  if (invoice.lines?.length) {
    doc.moveDown().fontSize(12).text(w.lines);
    for (const line of invoice.lines) doc.fontSize(10).text(`${line.description}: ${formatCop(line.amountMinor)}`);
  }
  doc
    .moveDown()
    .fontSize(14)
    .text(`${w.total}: ${formatCop(invoice.totalMinor)}`);
  doc
    .moveDown(2)
    .fontSize(8)
    .fillColor('#555555')
    .text(`${w.generated} ${input.generatedAt.toISOString().slice(0, 10)}`);
  doc.end();
  return done;
}
