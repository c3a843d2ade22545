import QRCode from 'qrcode';

/** Writes the pairing QR to the terminal (stdout, beside the JSON log lines, for a person). */
export async function printQrToTerminal(
  qr: string,
  write: (text: string) => void = (t) => void process.stdout.write(t),
): Promise<void> {
  const art = await QRCode.toString(qr, { type: 'terminal', small: true });
  write(`\nScan this QR from WhatsApp on the phone (Settings > Linked devices > Link a device):\n${art}\n`);
}

export function printPairingCodeToTerminal(
  code: string,
  phone: string,
  write: (text: string) => void = (t) => void process.stdout.write(t),
): void {
  write(
    `\nOn the phone with number +${phone}: WhatsApp > Linked devices > Link a device > Link with phone number instead, and enter: ${code}\n\n`,
  );
}

/** The QR as a PNG, for GET /api/qr. */
export function qrPng(qr: string): Promise<Buffer> {
  return QRCode.toBuffer(qr, { type: 'png', margin: 2, width: 320 });
}
