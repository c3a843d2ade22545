import type { Entities } from '@helpline/contracts';

// Entities are read from the original text (not the normalised one): dots and '#' matter.

const IPV4 = /(?<![\d.])((?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})(?![\d.]*\d)/g;

// A document number follows its name: cédula / CC / C.C. / NIT / documento / TI / CE / DNI,
// written with or without thousands dots and, for a NIT, a check digit after a dash.
const DOCUMENT =
  /(?<![\p{L}\d])(?:c[eé]dula|nit|documento|dni|c\.?\s?c\.?|t\.?\s?i\.?|c\.?\s?e\.?)(?!\p{L})[\s.:#°º]*(?:n[oº°]\.?\s*)?(\d{1,3}(?:[.\s]\d{3}){1,3}|\d{5,12})(?:\s?-\s?(\d)(?!\d))?/giu;

// A ticket number follows its name (ticket, caso, radicado, solicitud, case, incidente) or a '#'.
const TICKET =
  /(?:(?<![\p{L}\d])(?:ticket|tiquete|caso|radicado|solicitud|case|incidente|incident)(?!\p{L})\s*(?:n[oº°]\.?\s*)?#?\s*|#\s*)([a-z]{0,4}-?\d{3,12}(?:-\d{1,8})?)(?![\p{L}\d])/giu;

function unique(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

/** IPv4 addresses, document numbers (digits only) and ticket numbers found in the text. */
export function extractEntities(text: string): Entities {
  const ips = unique([...text.matchAll(IPV4)].map((m) => m[1] as string));
  const documentNumbers = unique(
    [...text.matchAll(DOCUMENT)].map((m) => `${(m[1] as string).replace(/\D/g, '')}${m[2] ? `-${m[2]}` : ''}`),
  );
  const ticketNumbers = unique([...text.matchAll(TICKET)].map((m) => (m[1] as string).toUpperCase()));
  return { ips, documentNumbers, ticketNumbers };
}
