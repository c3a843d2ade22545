import { envBoolean, envInt, envList } from '@helpline/runtime';
import { z } from 'zod';

const GROUP_JID = /^[0-9]+(-[0-9]+)?@g\.us$/;
const groupJid = z
  .string()
  .regex(GROUP_JID, 'expected a group JID such as 120363400000000000@g.us (GET /api/groups lists them)');

/**
 * Group mode's slice of the environment, spread into the
 * gateway's config shape. Every variable has a default, so a gateway without groups needs
 * none of them.
 */
export const groupConfigShape = {
  /** Links a WhatsApp account through Baileys and serves its groups. */
  BAILEYS_ENABLED: envBoolean(false),
  /** The groups whose messages are taken in (comma list); every other group is ignored. */
  WHATSAPP_GROUP_IDS: envList().pipe(z.array(groupJid)),
  /** The single-group name the first deployments used; joined to WHATSAPP_GROUP_IDS. */
  WHATSAPP_GROUP_ID: groupJid.optional(),
  /** Pair by an 8-character code typed on the phone instead of a QR (digits, country code first). */
  BAILEYS_PAIRING_PHONE: z
    .string()
    .transform((value) => value.replace(/[\s+()-]/g, ''))
    .pipe(
      z
        .string()
        .regex(/^\d{7,15}$/, 'expected the phone number in international form, digits only, such as 5491123456789'),
    )
    .optional(),
  /** Least time between two messages into one group, across every replica (ban risk). */
  GROUP_MIN_INTERVAL_MS: envInt(1_000, { min: 0, max: 600_000 }),
  /** Messages received while Redis is away wait here (JSON lines) until it answers again. */
  BAILEYS_SPOOL_PATH: z.string().min(1).default('.data/group-spool.jsonl'),
};

export const groupConfigSchema = z.object(groupConfigShape);
export type GroupConfig = z.infer<typeof groupConfigSchema>;

/** The allow-list: WHATSAPP_GROUP_IDS plus WHATSAPP_GROUP_ID, without repeats. */
export function allowedGroupIds(config: Pick<GroupConfig, 'WHATSAPP_GROUP_IDS' | 'WHATSAPP_GROUP_ID'>): Set<string> {
  const ids = new Set(config.WHATSAPP_GROUP_IDS);
  if (config.WHATSAPP_GROUP_ID) ids.add(config.WHATSAPP_GROUP_ID);
  return ids;
}
