import type { ResumableAccountKind } from '@helpline/contracts';

// Free text the classifier sent: which flow its words ask for.
const MESSAGE_FLOWS: [RegExp, ResumableAccountKind | 'payment_points'][] = [
  [/\b(contrase|clave|password|wifi)/i, 'password_change'],
  [/\b(punto|d[oó]nde (puedo )?pag|where (can i )?pay|payment point)/i, 'payment_points'],
  [/\b(factura|invoice|recibo de cobro|bill\b)/i, 'invoices'],
  [/\b(deb[oe]|deuda|saldo|cu[aá]nto (es|pago|tengo)|owe|balance|debt)/i, 'debt'],
  [/\b(plan|velocidad|megas|mejorar|upgrade|speed)/i, 'plans'],
];

export function flowForMessage(text: string, category: 'billing' | 'account' | 'sales') {
  for (const [pattern, kind] of MESSAGE_FLOWS) if (pattern.test(text)) return kind;
  return category === 'sales' ? 'plans' : 'billing_menu';
}
