// A document sent by reference (`content.ref`): the Cloud API takes media by id, so the
// bytes are fetched from the service that made the document and uploaded first.
import type { OutboundMessage } from '@helpline/contracts';
import { type Logger, PermanentError } from '@helpline/runtime';
import type { DocumentSource } from './document-source.js';
import type { GraphClient } from './graph-client.js';

/** The message with its document by reference uploaded and named by media id; any other message as it is. */
export async function resolveDocumentReference(
  message: OutboundMessage,
  deps: { graph: GraphClient; documents?: DocumentSource },
  log: Logger,
): Promise<OutboundMessage> {
  const c = message.content;
  if (c.kind !== 'media' || !c.ref) return message;
  if (!deps.documents) throw new PermanentError('document_source_unset', 'documents by reference are not configured');
  const document = await deps.documents.fetch(c.ref);
  const id = await deps.graph.uploadMedia({
    bytes: document.bytes,
    mimeType: document.mimeType,
    filename: c.filename ?? `${c.ref.id}.pdf`,
  });
  log.debug({ ref: c.ref, bytes: document.bytes.length }, 'document uploaded to the Cloud API');
  const { ref: _ref, ...rest } = c;
  return { ...message, content: { ...rest, id } };
}
