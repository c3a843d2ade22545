import { ErrorBody, type HttpApp, HttpError } from '@helpline/runtime';
import { z } from 'zod';
import { type GroupChannel, GROUPS_DISABLED_MESSAGE } from './group-channel.js';
import { qrPng } from './terminal-pairing.js';

const GroupList = z.object({
  groups: z.array(
    z.object({
      id: z.string().describe('group JID, the value for WHATSAPP_GROUP_IDS'),
      subject: z.string(),
      size: z.number().int(),
      allowed: z.boolean().describe('already in WHATSAPP_GROUP_IDS'),
    }),
  ),
});

function disabled(): HttpError {
  return new HttpError(404, 'group_mode_disabled', GROUPS_DISABLED_MESSAGE);
}

/**
 * GET /api/qr (the pending pairing QR as a PNG) and GET /api/groups (the groups the linked
 * account is in, to fill WHATSAPP_GROUP_IDS). Both are operator routes.
 */
export function registerGroupRoutes(app: HttpApp, channel: GroupChannel | undefined): void {
  app.get(
    '/api/qr',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: 'The pending pairing QR as a PNG (also printed on the terminal)',
        tags: ['groups'],
        security: [{ bearer: [] }],
        response: { 200: z.any().describe('image/png'), 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (_request, reply) => {
      if (!channel) throw disabled();
      const status = channel.session.status();
      if (status.pairing?.method === 'code') {
        throw new HttpError(
          409,
          'pairing_by_code',
          `pairing by code is configured (BAILEYS_PAIRING_PHONE): enter ${status.pairing.code} on the phone`,
        );
      }
      const qr = channel.session.currentQr();
      if (!qr) {
        const why =
          status.state === 'open'
            ? 'the session is already linked and open'
            : `no QR is pending (session ${status.state}: ${status.message})`;
        throw new HttpError(409, status.state === 'open' ? 'already_linked' : 'no_qr_pending', why, {
          state: status.state,
        });
      }
      const png = await qrPng(qr);
      return reply.header('content-type', 'image/png').header('cache-control', 'no-store').send(png);
    },
  );

  app.get(
    '/api/groups',
    {
      onRequest: app.operatorAuth,
      schema: {
        summary: 'Groups the linked account is in (id and subject), to choose WHATSAPP_GROUP_IDS',
        tags: ['groups'],
        security: [{ bearer: [] }],
        response: { 200: GroupList, 404: ErrorBody, 409: ErrorBody, 502: ErrorBody },
      },
    },
    async () => {
      if (!channel) throw disabled();
      const socket = channel.socket();
      if (!socket) {
        const status = channel.session.status();
        throw new HttpError(
          409,
          'session_not_open',
          `the group session is not open (${status.state}: ${status.message})`,
          { state: status.state },
        );
      }
      return { groups: await channel.directory.list(socket) };
    },
  );
}

/** Group mode's part of GET /api/status. */
export const GroupStatusBody = z.object({
  enabled: z.boolean(),
  message: z.string(),
  state: z
    .string()
    .optional()
    .describe('stopped, standby, connecting, open, reconnecting, logged_out, replaced, forbidden'),
  since: z.string().optional(),
  account: z.string().optional().describe('the linked number'),
  pairing: z
    .object({
      method: z.enum(['qr', 'code']),
      since: z.string(),
      code: z.string().optional(),
      phone: z.string().optional(),
    })
    .optional(),
  lastDisconnect: z.object({ reason: z.string(), code: z.number().optional(), at: z.string() }).optional(),
  reconnectAttempt: z.number().optional(),
  nextAttemptAt: z.string().optional(),
  leaseHeld: z.boolean().optional(),
  authWriteError: z.string().optional(),
  allowedGroups: z.array(z.string()).optional(),
  spooled: z.number().optional(),
  unsaved: z.number().optional().describe('spooled messages held in memory only: the spool file cannot be written'),
});

/** What /api/status shows of group mode (for G1's status route). */
export function groupStatus(channel: GroupChannel | undefined): z.infer<typeof GroupStatusBody> {
  return channel ? channel.status() : { enabled: false, message: GROUPS_DISABLED_MESSAGE };
}
