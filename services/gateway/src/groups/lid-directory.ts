import type { Logger } from '@helpline/runtime';
import { withDeadline } from '@helpline/runtime';
import { isLidUser, isPnUser, type WAMessageKey } from '@whiskeysockets/baileys';
import type { GroupSender } from './group-message.js';
import type { GroupSocket } from './group-socket.js';

/** `5491122334455:12@s.whatsapp.net` -> `5491122334455`. */
export function jidUser(jid: string): string {
  return jid.split('@')[0]?.split(':')[0] ?? jid;
}

/**
 * Groups now address members by LID (an opaque `<id>@lid`), not by phone. The phone is
 * found, in order, in the message key's `participantAlt` (Baileys 7 sets it when WhatsApp
 * sends both), in the mappings Baileys announced (`lid-mapping.update`), and in Baileys'
 * own LID store (`signalRepository.lidMapping.getPNForLID`). When none knows it, the LID
 * stays the sender id: opaque but stable.
 */
export class LidDirectory {
  private readonly known = new Map<string, string>();

  constructor(
    private readonly logger: Logger,
    private readonly lookupTimeoutMs = 2_000,
  ) {}

  /** A mapping Baileys announced (`lid-mapping.update`). */
  learn(lid: string, pn: string): void {
    if (isPnUser(pn) || /^\d+$/.test(jidUser(pn))) this.known.set(jidUser(lid), jidUser(pn));
  }

  get size(): number {
    return this.known.size;
  }

  async senderOf(key: WAMessageKey, participant: string, socket: GroupSocket | undefined): Promise<GroupSender> {
    if (isPnUser(participant)) return { from: jidUser(participant), phone: jidUser(participant) };
    if (!isLidUser(participant)) return { from: participant };
    const alt = key.participantAlt;
    if (alt && isPnUser(alt)) {
      this.learn(participant, alt);
      return { from: jidUser(alt), phone: jidUser(alt) };
    }
    const cached = this.known.get(jidUser(participant));
    if (cached) return { from: cached, phone: cached };
    if (socket) {
      try {
        const pn = await withDeadline(
          socket.signalRepository.lidMapping.getPNForLID(participant),
          this.lookupTimeoutMs,
          'LID look-up',
        );
        if (pn) {
          this.learn(participant, pn);
          return { from: jidUser(pn), phone: jidUser(pn) };
        }
      } catch (error) {
        // The message is still taken in, under its LID; the phone is a nicety, not a need.
        this.logger.warn({ err: error }, 'LID look-up failed; sender kept as its LID');
      }
    }
    return { from: participant };
  }
}
