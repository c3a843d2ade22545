import type { BaileysEventMap, GroupMetadata } from '@whiskeysockets/baileys';
import { CodedError, ERRORS } from '@helpline/runtime';
import { type GroupSocket, listen } from './group-socket.js';

export interface GroupSummary {
  id: string;
  subject: string;
  size: number;
  /** Whether WHATSAPP_GROUP_IDS lets its messages in. */
  allowed: boolean;
}

/**
 * Group metadata kept in memory, so that Baileys asks WhatsApp for a group's members once
 * and not before every message it sends (WhatsApp rate-limits those queries, and an account
 * that hits the limit is at risk). Filled by one `groupFetchAllParticipating` when the
 * connection opens and kept current by the group events.
 */
export class GroupDirectory {
  private readonly groups = new Map<string, GroupMetadata>();
  private loaded = false;

  constructor(private readonly allowed: ReadonlySet<string>) {}

  /** For Baileys' `cachedGroupMetadata` option. */
  cached = async (jid: string): Promise<GroupMetadata | undefined> => this.groups.get(jid);

  get(jid: string): GroupMetadata | undefined {
    return this.groups.get(jid);
  }

  /** Listens to the socket's group events; returns the removal of those listeners. */
  attach(socket: GroupSocket): () => void {
    const offs = [
      listen(socket, 'groups.upsert', (groups) => {
        for (const group of groups) this.groups.set(group.id, group);
      }),
      listen(socket, 'groups.update', (updates) => {
        for (const update of updates) {
          const current = update.id ? this.groups.get(update.id) : undefined;
          if (current) this.groups.set(current.id, { ...current, ...update, id: current.id });
        }
      }),
      listen(socket, 'group-participants.update', (event) => this.applyParticipants(event)),
    ];
    return () => {
      for (const off of offs) off();
    };
  }

  /** Loads every group the account is in (one query), replacing what was cached. */
  async refresh(socket: GroupSocket): Promise<void> {
    const all = await socket.groupFetchAllParticipating();
    this.groups.clear();
    for (const group of Object.values(all)) this.groups.set(group.id, group);
    this.loaded = true;
  }

  /**
   * The groups, loading them first if that has not happened since the connection opened.
   * A load WhatsApp does not answer is `whatsapp_unavailable` (502 to the operator).
   */
  async list(socket: GroupSocket): Promise<GroupSummary[]> {
    if (!this.loaded) {
      await this.refresh(socket).catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        throw new CodedError(ERRORS.whatsapp_unavailable, `WhatsApp did not list the groups: ${reason}`, {
          cause: error,
        });
      });
    }
    return [...this.groups.values()]
      .map((g) => ({
        id: g.id,
        subject: g.subject,
        size: g.size ?? g.participants.length,
        allowed: this.allowed.has(g.id),
      }))
      .sort((a, b) => a.subject.localeCompare(b.subject));
  }

  /** Forget what was loaded (a new connection may belong to another account). */
  reset(): void {
    this.groups.clear();
    this.loaded = false;
  }

  private applyParticipants(event: BaileysEventMap['group-participants.update']): void {
    const group = this.groups.get(event.id);
    if (!group) return;
    const ids = new Set(event.participants.map((p) => p.id));
    let participants = group.participants;
    switch (event.action) {
      case 'add':
        participants = [...participants.filter((p) => !ids.has(p.id)), ...event.participants];
        break;
      case 'remove':
        participants = participants.filter((p) => !ids.has(p.id));
        break;
      case 'promote':
      case 'demote': {
        const admin = event.action === 'promote' ? 'admin' : null;
        participants = participants.map((p) => (ids.has(p.id) ? { ...p, admin } : p));
        break;
      }
      case 'modify': {
        const changed = new Map(event.participants.map((p) => [p.id, p]));
        participants = participants.map((p) => ({ ...p, ...changed.get(p.id) }));
        break;
      }
    }
    this.groups.set(group.id, { ...group, participants, size: participants.length });
  }
}
