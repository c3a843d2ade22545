import { normaliseWords } from './language-detector.js';

/** Commands a customer may type at any time after consent. */
export const COMMANDS = ['menu', 'help', 'agent', 'invoices', 'debt', 'payment_points'] as const;
export type CommandName = (typeof COMMANDS)[number];

// The whole message must be the command: "mi factura llegó mal" is a problem to classify,
// not the `facturas` command. English words are accepted beside the Spanish ones because
// English-speaking customers read the English help text.
const SPELLINGS: Record<string, CommandName> = {
  menu: 'menu',
  ayuda: 'help',
  help: 'help',
  agente: 'agent',
  agent: 'agent',
  facturas: 'invoices',
  invoices: 'invoices',
  deuda: 'debt',
  debt: 'debt',
  'puntos de pago': 'payment_points',
  'payment points': 'payment_points',
};

/** The command a text is, in any case, with or without accents and punctuation. */
export function parseCommand(text: string): CommandName | undefined {
  const key = normaliseWords(text).join(' ');
  return key.length > 0 ? SPELLINGS[key] : undefined;
}
