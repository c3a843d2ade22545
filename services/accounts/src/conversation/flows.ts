import {
  accountReplyId,
  type AccountRequest,
  jobIds,
  type PasswordTarget,
  type TicketRequestInput,
} from '@helpline/contracts';
import type { Producer } from '@helpline/runtime';
import type { Account, BillingProvider, Invoice } from '../billing/billing-provider.js';
import { formatCop } from '../billing/money.js';
import type { DocumentStore } from '../documents/document-store.js';
import { renderStatementPdf } from '../documents/statement-pdf.js';
import type { AccountsMetrics } from '../metrics/accounts-metrics.js';
import { inCity, nearest, type PaymentPoint } from '../payment-points/payment-points.js';
import { clip, fill, firstName, showDate } from './format-and-fill.js';
import type { Replier } from './reply.js';

export interface FlowDeps {
  billing: BillingProvider;
  documents: DocumentStore;
  tickets: Producer<'tickets'>;
  paymentPoints: () => Promise<PaymentPoint[]>;
  metrics: AccountsMetrics;
  clock: () => Date;
  /** The ISP's name on statements. */
  issuer: string;
}

const invoiceLabel = (invoice: Invoice) => invoice.number ?? invoice.id;

/** The billing menu: no account data, so no identity asked. */
export async function billingMenu(reply: Replier): Promise<void> {
  const t = reply.texts;
  await reply.send('billing_menu', {
    kind: 'list',
    body: t.billingMenuBody,
    buttonText: t.billingMenuButton,
    sections: [
      {
        rows: [
          { id: accountReplyId({ kind: 'debt' }), title: t.rowDebt, description: t.rowDebtDescription },
          { id: accountReplyId({ kind: 'invoices' }), title: t.rowInvoices, description: t.rowInvoicesDescription },
          {
            id: accountReplyId({ kind: 'payment_points' }),
            title: t.rowPaymentPoints,
            description: t.rowPaymentPointsDescription,
          },
        ],
      },
    ],
  });
}

/** Balance, the pending invoices it is made of, the cut-off date, how to pay. Then a receipt is awaited. */
export async function debt(account: Account, reply: Replier, deps: FlowDeps): Promise<void> {
  const t = reply.texts;
  const name = firstName(account);
  const values = { name, customerId: account.customerId };
  const pending = (await deps.billing.invoices(account)).filter((i) => i.state === 'pending');
  const balance =
    account.balanceMinor ?? (pending.length > 0 ? pending.reduce((s, i) => s + i.totalMinor, 0n) : undefined);
  if (balance === undefined) {
    await reply.text('debt', fill(t.debtUnknown, values));
    return;
  }
  if (balance <= 0n && pending.length === 0) {
    await reply.text('debt', fill(t.debtNone, values), { customerId: account.customerId });
    return;
  }
  const lines = [fill(t.debtHeader, { ...values, balance: formatCop(balance) })];
  for (const invoice of pending) {
    lines.push(
      fill(invoice.dueOn ? t.debtInvoiceLine : t.debtInvoiceLineNoDue, {
        invoice: invoiceLabel(invoice),
        amount: formatCop(invoice.totalMinor),
        due: showDate(invoice.dueOn, reply.language),
      }),
    );
  }
  if (account.cutoffDate) lines.push(fill(t.debtCutoff, { date: showDate(account.cutoffDate, reply.language) }));
  if (account.status === 'suspended') lines.push(t.debtSuspended);
  lines.push(t.debtHowToPay);
  await reply.text('debt', lines.join('\n'), { customerId: account.customerId, awaiting: 'payment_receipt' });
}

/** Pending and last paid invoices as a list; a row asks for that invoice's statement. */
export async function invoices(account: Account, reply: Replier, deps: FlowDeps): Promise<void> {
  const t = reply.texts;
  const found = (await deps.billing.invoices(account)).slice(0, 10);
  if (found.length === 0) {
    await reply.text('invoices', fill(t.invoicesNone, { customerId: account.customerId }), {
      customerId: account.customerId,
    });
    return;
  }
  await reply.send(
    'invoices',
    {
      kind: 'list',
      body: t.invoicesBody,
      buttonText: t.invoicesButton,
      sections: [
        {
          rows: found.map((invoice) => ({
            id: accountReplyId({ kind: 'invoice_document', customerId: account.customerId, invoiceId: invoice.id }),
            title: clip(fill(t.invoiceRowTitle, { invoice: invoiceLabel(invoice) }), 24),
            description: clip(
              fill(invoice.state === 'paid' ? t.invoiceRowPaid : t.invoiceRowPending, {
                amount: formatCop(invoice.totalMinor),
                due: showDate(invoice.dueOn, reply.language),
                paid: showDate(invoice.paidOn ?? invoice.dueOn, reply.language),
              }),
              72,
            ),
          })),
        },
      ],
    },
    { customerId: account.customerId },
  );
}

/** The back-office's own document when it has one; otherwise our statement PDF, sent by reference. */
export async function invoiceDocument(
  request: AccountRequest,
  account: Account,
  invoiceId: string,
  reply: Replier,
  deps: FlowDeps,
): Promise<void> {
  const t = reply.texts;
  const invoice = await deps.billing.invoice(account, invoiceId);
  if (!invoice) {
    await reply.text('invoice_document', t.invoiceNotFound);
    return;
  }
  const label = invoiceLabel(invoice);
  if (invoice.documentUrl) {
    await reply.send(
      'invoice_document',
      {
        kind: 'media',
        mediaType: 'document',
        link: invoice.documentUrl,
        filename: `factura-${label}.pdf`,
        caption: fill(t.backOfficeDocumentCaption, { invoice: label }),
      },
      { customerId: account.customerId },
    );
    return;
  }
  const id = deps.documents.idFor(request.correlationId, invoice.id);
  const filename = `${reply.language === 'es' ? 'estado-de-cuenta' : 'statement'}-${label}.pdf`.replace(
    /[^\w.-]/g,
    '_',
  );
  const bytes = await renderStatementPdf({
    account,
    invoice,
    language: reply.language,
    issuer: deps.issuer,
    generatedAt: deps.clock(),
  });
  await deps.documents.save({
    id,
    customerId: account.customerId,
    invoiceId: invoice.id,
    mimeType: 'application/pdf',
    filename,
    bytes,
  });
  await reply.send(
    'invoice_document',
    {
      kind: 'media',
      mediaType: 'document',
      ref: { service: 'accounts', id },
      filename,
      caption: fill(t.statementCaption, { invoice: label }),
    },
    { customerId: account.customerId },
  );
}

const pointLine = (p: PaymentPoint, template: string) =>
  fill(template, {
    name: p.name,
    address: p.address,
    hours: p.hours ? ` (${p.hours})` : '',
    methods: p.methods.length ? ` · ${p.methods.join(', ')}` : '',
  });

/** The three nearest to a shared location as location messages; else the list for the customer's city. */
export async function paymentPoints(
  location: { latitude: number; longitude: number } | undefined,
  city: string | undefined,
  reply: Replier,
  deps: FlowDeps,
): Promise<void> {
  const t = reply.texts;
  const points = await deps.paymentPoints();
  if (points.length === 0) {
    await reply.text('payment_points', t.paymentPointsNone);
    return;
  }
  const close = location ? nearest(points, location, 3) : [];
  if (close.length > 0) {
    await reply.text('payment_points', t.paymentPointsNearest);
    for (const [i, { point }] of close.entries()) {
      // Spaced so that they arrive nearest first: the outbound worker sends jobs in parallel.
      await reply.send(
        `payment_point_${i + 1}`,
        {
          kind: 'location',
          latitude: point.latitude,
          longitude: point.longitude,
          name: point.name,
          address: [point.address, point.hours].filter(Boolean).join(' · '),
        },
        {},
        (i + 1) * 400,
      );
    }
    return;
  }
  const local = city ? inCity(points, city) : [];
  const shown = (local.length > 0 ? local : points).slice(0, 15);
  const header = local.length > 0 ? fill(t.paymentPointsCity, { city: city as string }) : t.paymentPointsAll;
  const body = [header, ...shown.map((p) => pointLine(p, t.paymentPointLine)), '', t.paymentPointsShareLocation].join(
    '\n',
  );
  await reply.text('payment_points', body);
}

const speeds = (download?: string, upload?: string) => {
  const show = (s: string) => (/^\d+(\.\d+)?$/.test(s) ? `${s} Mbps` : s);
  if (!download && !upload) return '';
  return ` · ${[download && `↓${show(download)}`, upload && `↑${show(upload)}`].filter(Boolean).join(' ')}`;
};

/** The catalogue with prices and speeds, the current plan marked; a row asks for that plan. */
export async function plans(account: Account, reply: Replier, deps: FlowDeps): Promise<void> {
  const t = reply.texts;
  const catalogue = (await deps.billing.plans()).slice(0, 10);
  if (catalogue.length === 0) {
    await reply.text('plans', t.plansNone);
    return;
  }
  const isCurrent = (id: string, name: string) =>
    (account.plan?.id !== undefined && account.plan.id === id) || account.plan?.name === name;
  await reply.send(
    'plans',
    {
      kind: 'list',
      body: account.plan ? fill(t.plansBody, { current: account.plan.name }) : t.plansBodyNoCurrent,
      buttonText: t.plansButton,
      sections: [
        {
          rows: catalogue.map((plan) => ({
            id: accountReplyId({ kind: 'plan_choice', customerId: account.customerId, planId: plan.id }),
            title: clip(isCurrent(plan.id, plan.name) ? `${plan.name} ${t.planCurrentMark}` : plan.name, 24),
            description: clip(
              fill(t.planRowDescription, {
                price: plan.priceMinor !== undefined ? formatCop(plan.priceMinor) : '',
                speeds: speeds(plan.download, plan.upload),
              }).replace(/^ · /, ''),
              72,
            ),
          })),
        },
      ],
    },
    { customerId: account.customerId },
  );
}

function ticket(
  request: AccountRequest,
  account: Account,
  category: 'sales' | 'account',
  subject: string,
  description: string,
): TicketRequestInput {
  return {
    idempotencyKey: jobIds.ticket(request.correlationId),
    correlationId: request.correlationId,
    subject: subject.slice(0, 255),
    description,
    priority: 'medium',
    category,
    channel: request.replyTo.channel,
    contact: {
      phone: request.phone,
      customerId: account.customerId,
      ...(account.name ? { name: account.name } : {}),
    },
  };
}

/** A sales ticket with the customer, the current and the wanted plan: no plan-change call exists to make. */
export async function planChoice(
  request: AccountRequest,
  account: Account,
  planId: string,
  reply: Replier,
  deps: FlowDeps,
): Promise<void> {
  const t = reply.texts;
  const wanted = (await deps.billing.plans()).find((p) => p.id === planId);
  if (!wanted) {
    await reply.text('plan_choice', t.planUnknown);
    return;
  }
  if (account.plan && (account.plan.id === wanted.id || account.plan.name === wanted.name)) {
    await reply.text('plan_choice', t.planSameAsCurrent, { customerId: account.customerId });
    return;
  }
  const current = account.plan?.name ?? '—';
  const price = wanted.priceMinor !== undefined ? ` (${formatCop(wanted.priceMinor)})` : '';
  await deps.tickets.add(
    ticket(
      request,
      account,
      'sales',
      `Cambio de plan: ${current} → ${wanted.name}`,
      [
        `El cliente pidió por WhatsApp cambiar de plan.`,
        `Cliente: ${account.name ?? '—'} · cuenta ${account.customerId}`,
        `Plan actual: ${current}`,
        `Plan pedido: ${wanted.name}${price} [id ${wanted.id}]`,
      ].join('\n'),
    ),
    { jobId: jobIds.ticket(request.correlationId) },
  );
  await reply.text('plan_choice', fill(t.planRequested, { current, wanted: wanted.name }), {
    customerId: account.customerId,
  });
}

/** WiFi or account: an `account` ticket. Nothing the customer typed is copied into it, so no password can be. */
export async function passwordChange(
  request: AccountRequest,
  account: Account,
  target: PasswordTarget | undefined,
  reply: Replier,
  deps: FlowDeps,
): Promise<void> {
  const t = reply.texts;
  if (!target) {
    await reply.send(
      'password_change',
      {
        kind: 'buttons',
        body: t.passwordChooseBody,
        buttons: [
          { id: accountReplyId({ kind: 'password_change', target: 'wifi' }), title: t.passwordWifi },
          { id: accountReplyId({ kind: 'password_change', target: 'account' }), title: t.passwordAccount },
        ],
      },
      { customerId: account.customerId },
    );
    return;
  }
  const what = target === 'wifi' ? 'WiFi' : 'cuenta';
  await deps.tickets.add(
    ticket(
      request,
      account,
      'account',
      `Cambio de contraseña (${what})`,
      [
        `El cliente pidió por WhatsApp cambiar la contraseña de ${target === 'wifi' ? 'su red WiFi' : 'su cuenta'}.`,
        `Cliente: ${account.name ?? '—'} · cuenta ${account.customerId}`,
        'Contactar al cliente para hacer el cambio; la contraseña nueva nunca se pide por el chat.',
      ].join('\n'),
    ),
    { jobId: jobIds.ticket(request.correlationId) },
  );
  await reply.text(
    'password_change',
    fill(t.passwordRequested, { what: target === 'wifi' ? t.passwordWhatWifi : t.passwordWhatAccount }),
    { customerId: account.customerId },
  );
}
