import type {
  ClassificationInput,
  DiagnosticReport,
  DiagnosticRequestInput,
  InboundMessageInput,
  OutboundMessageInput,
  TicketRequestInput,
} from '@helpline/contracts';

// Valid payloads, one minimal and one with every optional field, shared by the tests so
// each invalid case is "a valid example with one thing broken".

export const WAMID = 'wamid.HBgLMzQ2MDAwMDAwMDAVAgASGBQzQUI2RTc3MDhCNTVCMEFFRjAA';
export const AT = '2025-03-14T09:26:53.000Z';

export const minimalInbound: InboundMessageInput = {
  id: WAMID,
  correlationId: WAMID,
  channel: 'cloud',
  chatId: '34600000000',
  from: '34600000000',
  text: 'Hola, no tengo internet',
  type: 'text',
  sentAt: AT,
  receivedAt: AT,
};

export const fullInbound: InboundMessageInput = {
  ...minimalInbound,
  channel: 'group',
  chatId: '120363041234567890@g.us',
  from: '34600000000@s.whatsapp.net',
  senderPhone: '34600000000',
  senderName: 'Ana Pérez',
  text: 'Se cayó el router 📡',
  type: 'image',
  rawType: 'imageMessage',
  media: {
    id: '1234567890',
    url: 'https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1',
    mimeType: 'image/jpeg',
    sha256: 'f1e2d3',
    caption: 'Se cayó el router 📡',
    filename: 'router.jpg',
    voice: false,
    animated: false,
  },
  location: {
    latitude: 40.4168,
    longitude: -3.7038,
    name: 'Oficina',
    address: 'Calle Mayor 1',
    url: 'https://x.example',
  },
  reply: {
    kind: 'list_reply',
    id: 'menu.internet',
    title: 'Internet',
    description: 'Sin conexión',
    response: { a: 1 },
  },
  reaction: { messageId: 'wamid.other', emoji: '👍', removed: false },
  referral: {
    sourceUrl: 'https://fb.me/ad',
    sourceType: 'ad',
    sourceId: '120',
    headline: 'Fibra',
    body: 'Oferta',
    ctwaClid: 'clid',
  },
  contacts: [{ name: 'Luis', phones: ['+34 600 111 222'] }],
  order: {
    catalogId: 'cat-1',
    text: 'Pedido',
    items: [{ productId: 'sku-1', quantity: 2, price: 19.9, currency: 'EUR' }],
  },
  replyTo: 'wamid.quoted',
  mentions: ['34600000001@s.whatsapp.net'],
  forwarded: true,
  errors: [{ code: 131051, title: 'Message type unknown', message: 'Message type unknown', details: 'n/a' }],
  customer: { consent: true, customerId: 'C-42', language: 'es' },
  history: [
    { role: 'customer', text: 'Hola', at: '2025-03-14T09:20:00+01:00' },
    { role: 'bot', text: '¿En qué puedo ayudar?', at: '2025-03-14T09:20:01+01:00' },
    { role: 'staff', text: 'Lo reviso', at: '2025-03-14T09:21:00+01:00' },
  ],
};

export const minimalClassification: ClassificationInput = {
  category: 'connectivity',
  priority: 'high',
  needsTicket: true,
  summary: 'Cliente sin internet desde esta mañana',
  language: 'es',
  confidence: 0.92,
  source: 'openai',
};

export const fullClassification: ClassificationInput = {
  ...minimalClassification,
  source: 'keywords',
  entities: { ips: ['192.168.88.1', '10.0.0.254'], documentNumbers: ['12345678Z'], ticketNumbers: ['#1042'] },
};

export const replyTarget = { channel: 'cloud', chatId: '34600000000' } as const;

export const minimalReport: DiagnosticReport = {
  correlationId: WAMID,
  status: 'down',
  checks: [{ name: 'pppoe_session', result: 'fail', finding: 'No PPPoE session for this customer' }],
  summary: { es: 'Su conexión está caída', en: 'Your connection is down' },
  startedAt: AT,
  finishedAt: '2025-03-14T09:26:55.000Z',
};

export const fullReport: DiagnosticReport = {
  ...minimalReport,
  customerId: 'C-42',
  router: 'core-norte',
  checks: [
    { name: 'customer', result: 'pass', finding: 'Customer found', data: { plan: '300M' } },
    { name: 'account', result: 'pass', finding: 'Account active', data: { debt: false } },
    { name: 'outage', result: 'skipped', finding: 'No outage known' },
    { name: 'pppoe_session', result: 'fail', finding: 'No session', data: { uptime: null } },
    { name: 'ping', result: 'error', finding: 'Router did not answer', data: { lossPct: 100, rttMs: 0 } },
    { name: 'queue', result: 'warn', finding: 'Queue near its limit' },
  ],
};

export const minimalTicket: TicketRequestInput = {
  idempotencyKey: `ticket-${WAMID}`,
  correlationId: WAMID,
  subject: 'Cliente sin internet',
  description: '',
  priority: 'high',
  category: 'connectivity',
  contact: { phone: '34600000000' },
  channel: 'cloud',
};

export const fullTicket: TicketRequestInput = {
  ...minimalTicket,
  description: 'El cliente informa que no tiene servicio desde las 8:00.',
  contact: {
    phone: '34600000000',
    name: 'Ana Pérez',
    email: 'ana@example.com',
    contactId: 'zoho-991',
    customerId: 'C-42',
  },
  departmentId: '4000000012',
  replyTo: { ...replyTarget, mention: '34600000000@s.whatsapp.net', replyToMessageId: WAMID, language: 'en' },
  findings: fullReport,
};

export const minimalDiagnostic: DiagnosticRequestInput = {
  correlationId: WAMID,
  customer: { phone: '34600000000' },
  replyTo: replyTarget,
  requestedAt: AT,
};

export const fullDiagnostic: DiagnosticRequestInput = {
  ...minimalDiagnostic,
  customer: { phone: '34600000000', customerId: 'C-42', pppoeUser: 'ana.perez', documentNumber: '12345678Z' },
  replyTo: {
    channel: 'group',
    chatId: '120363041234567890@g.us',
    mention: '34600000000@s.whatsapp.net',
    language: 'en',
  },
  openTicketOnFailure: false,
  reportedText: 'No tengo internet',
};

export const minimalOutbound: OutboundMessageInput = {
  correlationId: WAMID,
  purpose: 'ack',
  channel: 'cloud',
  to: '34600000000',
  content: { kind: 'text', body: 'Recibido, lo revisamos.' },
};

export const fullOutbound: OutboundMessageInput = {
  ...minimalOutbound,
  purpose: 'diagnosis.result_1',
  channel: 'group',
  to: '120363041234567890@g.us',
  content: {
    kind: 'buttons',
    header: 'Diagnóstico',
    body: 'Su conexión está caída. ¿Abrimos un ticket?',
    footer: 'Helpline',
    buttons: [
      { id: 'ticket.yes', title: 'Sí' },
      { id: 'ticket.no', title: 'No' },
      { id: 'human', title: 'Hablar con alguien' },
    ],
  },
  mentions: ['34600000000@s.whatsapp.net'],
  replyTo: WAMID,
  meta: { classification: fullClassification, handoff: true },
};
