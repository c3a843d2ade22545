// Attachments on Zoho Desk tickets: uploaded for agents only, and found again after an
// upload whose answer was lost.
import type { CrmAdapter } from '../crm-adapter.js';
import { CrmRefusedError } from '../crm-errors.js';
import type { ZohoDeskClient } from './zoho-desk-client.js';
import { DESK_ID, listOf, parse, ZohoAttachment } from './zoho-shapes.js';

export function createZohoAttachments(client: ZohoDeskClient): Pick<CrmAdapter, 'attachFile' | 'findAttachment'> {
  return {
    /**
     * Desk's "Create ticket attachment": POST /tickets/{id}/attachments, multipart/form-data
     * with the file in the field `file`. `isPublic=false`: a customer's ID card or receipt is
     * for agents, not for the help centre.
     */
    async attachFile(ticketId, file) {
      if (!DESK_ID.test(ticketId)) throw new CrmRefusedError(`${ticketId} is not a Zoho Desk ticket id`);
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(file.bytes)], { type: file.mimeType }), file.filename);
      const answer = await client.request({
        method: 'POST',
        path: `/tickets/${ticketId}/attachments`,
        query: { isPublic: 'false' },
        form,
        write: true,
      });
      const created = parse(ZohoAttachment, answer.body, 'the attachment upload', true);
      return { id: created.id, filename: created.name, size: created.size };
    },

    /** After an upload whose answer was lost: the ticket's attachments, matched on name and size. */
    async findAttachment(ticketId, file) {
      if (!DESK_ID.test(ticketId)) return undefined;
      const answer = await client.request({
        method: 'GET',
        path: `/tickets/${ticketId}/attachments`,
        query: { from: '0', limit: '100' },
      });
      if (answer.body === undefined) return undefined;
      const listed = parse(listOf(ZohoAttachment), answer.body, "the ticket's attachment list").data;
      const found = listed.find((a) => a.name === file.filename && a.size === file.bytes.length);
      return found ? { id: found.id, filename: found.name, size: found.size } : undefined;
    },
  };
}
