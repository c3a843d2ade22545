import type { TicketAttachmentRequest } from '@helpline/contracts';

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'application/pdf': 'pdf',
  'video/mp4': 'mp4',
  'audio/ogg': 'ogg',
  'text/plain': 'txt',
  'application/msword': 'doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
};

/**
 * The name staff see on the ticket: the customer's own file name for a document (without
 * any path, control characters or quotes, at most 120 characters), else one made of the
 * type and when it was sent (`foto-2025-01-02-0304.jpg`), since WhatsApp photos have none.
 */
export function attachmentName(request: TicketAttachmentRequest, mimeType: string): string {
  const own = request.media.filename
    ?.split(/[/\\]/)
    .pop()
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
    ?.replace(/[\u0000-\u001f\u007f"]/g, '')
    .trim();
  if (own) return own.length > 120 ? own.slice(own.length - 120) : own;
  const ext = EXTENSIONS[mimeType] ?? mimeType.split('/')[1]?.replace(/[^a-z0-9]/g, '') ?? 'bin';
  const kind = mimeType.startsWith('image/') ? 'foto' : 'documento';
  const at = request.sentAt.slice(0, 16).replace('T', '-').replaceAll(':', '');
  return `${kind}-${at}.${ext || 'bin'}`;
}
