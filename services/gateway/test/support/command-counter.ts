import { monitorRedis } from '@helpline/testkit';
import type { Redis } from 'ioredis';

/** One command Redis ran, as MONITOR reports it. */
export interface SeenCommand {
  command: string;
  /** The first key it names ('' when none): a script's first key, or the command's. */
  key: string;
  /** `lua` for a command a script ran, else the client's address (`127.0.0.1:port`). */
  source: string;
}

/** Client commands and all commands (those scripts run included) of one part of the traffic. */
export interface CommandCount {
  client: number;
  all: number;
}

/**
 * Every command a Redis server runs, from MONITOR, in order, so that a test can count what
 * one message costs. Commands from `ignore`d connections (the test's own reads and adds)
 * are left out, with the commands their scripts run.
 */
export async function countCommands(url: string) {
  const seen: SeenCommand[] = [];
  const ignored = new Set<string>();
  let skippingScript = false;
  const lastKey = new Map<string, string>();
  const openMulti = new Map<string, SeenCommand>();
  const monitor = await monitorRedis(url, ({ args, source }) => {
    const command = String(args[0]).toLowerCase();
    if (source !== 'lua') skippingScript = ignored.has(source);
    if (skippingScript) return;
    const isScript = (command === 'evalsha' || command === 'eval') && Number(args[2]) > 0;
    const entry = { command, key: String((isScript ? args[3] : args[1]) ?? ''), source };
    // MULTI and EXEC name no key: they count with the commands of their transaction.
    if (command === 'exec') entry.key = lastKey.get(source) ?? '';
    const opened = openMulti.get(source);
    if (opened && command !== 'exec') {
      opened.key = entry.key;
      openMulti.delete(source);
    }
    if (command === 'multi') openMulti.set(source, entry);
    else lastKey.set(source, entry.key);
    seen.push(entry);
  });
  return {
    /** Leaves out a connection's commands (it must have connected already). */
    ignore(connection: Redis): void {
      ignored.add(`${connection.stream.localAddress}:${connection.stream.localPort}`);
    },
    /** The commands seen since the last call. */
    take(): SeenCommand[] {
      return seen.splice(0);
    },
    stop(): void {
      monitor.stop();
    },
  };
}

/** Counts client commands and all commands among those whose key `belongs`. */
export function tally(list: readonly SeenCommand[], belongs: (key: string) => boolean): CommandCount {
  const mine = list.filter((c) => belongs(c.key));
  return { client: mine.filter((c) => c.source !== 'lua').length, all: mine.length };
}
