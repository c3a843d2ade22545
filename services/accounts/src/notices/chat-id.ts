/**
 * The WhatsApp chat (Cloud API `wa_id`: country code and number, digits only) of a phone as
 * the back-office writes it: `+57 300 123 4567`, `573001234567` and `3001234567` are one
 * chat. A national number (10 digits or fewer) gets `countryCode`; one too short to be a
 * phone has no chat.
 */
export function chatIdOf(phone: string, countryCode: string): string | undefined {
  const digits = phone.replace(/\D/g, '').replace(/^00/, '');
  if (digits.length < 7 || digits.length > 15) return undefined;
  if (phone.trim().startsWith('+') || digits.length > 10) return digits;
  return `${countryCode}${digits}`;
}
