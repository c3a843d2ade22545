import { UnsafeValueError } from './errors.js';

/**
 * The only sentences this service ever sends to a router. Command and attribute words are
 * constants here; what came from a customer (an address, a user name) goes only into a
 * value, after a check that leaves no room for `=`, `?`, `/`, spaces, control characters
 * or anything outside a short ASCII set. A value that fails its check never reaches the wire.
 */
export type SafeCommand =
  | { kind: 'ping'; address: string; count: number; intervalMs: number }
  | { kind: 'ppp-active'; user: string }
  | { kind: 'ppp-secret'; user: string }
  | { kind: 'queues'; name?: string; target?: string }
  | { kind: 'arp'; address: string }
  | { kind: 'dhcp-leases'; address: string }
  | { kind: 'interfaces'; name?: string }
  | { kind: 'monitor-traffic'; interface: string };

export interface BuiltCommand {
  words: string[];
  /** Low-cardinality label for metrics: the command word. */
  label: string;
  timeoutMs: number;
}

export interface CommandPolicy {
  /** CIDRs a diagnosis may target (CUSTOMER_PREFIXES). */
  prefixes: readonly Cidr[];
  /** Deadline of one ordinary command. */
  commandTimeoutMs: number;
  /** Added to a ping's count × interval. */
  pingMarginMs: number;
}

export const MAX_PING_COUNT = 5;

// `.proplist` keeps secrets and hardware addresses off the wire entirely: the password of a
// PPPoE secret and the caller MAC are never even read.
const PROPLIST = {
  pppActive: 'name,service,uptime,address',
  pppSecret: 'name,service,profile,disabled,last-logged-out,last-disconnect-reason',
  queues: 'name,target,max-limit,rate,disabled',
  arp: 'address,interface,complete,dynamic,disabled',
  dhcp: 'address,status,last-seen,disabled',
  interfaces: 'name,type,running,disabled,link-downs',
  traffic: 'name,rx-bits-per-second,tx-bits-per-second',
};

export interface Cidr {
  base: number;
  bits: number;
  text: string;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function ipv4ToInt(address: string): number | undefined {
  if (!IPV4.test(address)) return undefined;
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

export function parseCidr(text: string): Cidr {
  const [address, bitsText, ...rest] = text.trim().split('/');
  const base = address === undefined ? undefined : ipv4ToInt(address);
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (
    base === undefined ||
    rest.length > 0 ||
    !Number.isInteger(bits) ||
    bits < 0 ||
    bits > 32 ||
    !/^\d*$/.test(bitsText ?? '')
  ) {
    throw new Error(`not an IPv4 CIDR: ${text}`);
  }
  return { base, bits, text: text.trim() };
}

export function inPrefixes(address: number, prefixes: readonly Cidr[]): boolean {
  return prefixes.some((p) => {
    if (p.bits === 0) return true;
    const shift = 32 - p.bits;
    return Math.floor(address / 2 ** shift) === Math.floor(p.base / 2 ** shift);
  });
}

/** A customer address: a dotted IPv4 inside CUSTOMER_PREFIXES, nothing else. */
export function checkCustomerAddress(value: string, prefixes: readonly Cidr[], field = 'address'): string {
  const n = ipv4ToInt(value);
  if (n === undefined) throw new UnsafeValueError(field, 'not an IPv4 address');
  if (!inPrefixes(n, prefixes)) throw new UnsafeValueError(field, 'outside CUSTOMER_PREFIXES');
  return value;
}

const PPPOE_USER = /^[A-Za-z0-9._@-]{1,64}$/;

/** A PPPoE user name: letters, digits and `._@-`, at most 64. */
export function checkPppoeUser(value: string, field = 'pppoeUser'): string {
  if (!PPPOE_USER.test(value))
    throw new UnsafeValueError(field, 'only letters, digits and . _ @ - are allowed (at most 64)');
  return value;
}

const INTERFACE = /^(<pppoe-[A-Za-z0-9._@-]{1,64}>|[A-Za-z0-9._-]{1,64})$/;

function checkInterface(value: string): string {
  if (!INTERFACE.test(value))
    throw new UnsafeValueError('interface', 'not an interface name this service may ask about');
  return value;
}

function formatInterval(ms: number): string {
  return ms % 1_000 === 0 ? `${ms / 1_000}s` : `${Math.round(ms)}ms`;
}

export function buildCommand(command: SafeCommand, policy: CommandPolicy): BuiltCommand {
  const plain = (label: string, words: string[]): BuiltCommand => ({
    words,
    label,
    timeoutMs: policy.commandTimeoutMs,
  });
  switch (command.kind) {
    case 'ping': {
      const address = checkCustomerAddress(command.address, policy.prefixes);
      if (!Number.isInteger(command.count) || command.count < 1 || command.count > MAX_PING_COUNT) {
        throw new UnsafeValueError('count', `a whole number from 1 to ${MAX_PING_COUNT}`);
      }
      if (!Number.isFinite(command.intervalMs) || command.intervalMs < 10 || command.intervalMs > 5_000) {
        throw new UnsafeValueError('intervalMs', 'from 10 to 5000 ms');
      }
      return {
        words: [
          '/ping',
          `=address=${address}`,
          `=count=${command.count}`,
          `=interval=${formatInterval(command.intervalMs)}`,
        ],
        label: '/ping',
        // A ping takes count × interval by design; the margin covers the last reply's trip.
        timeoutMs: command.count * command.intervalMs + policy.pingMarginMs,
      };
    }
    case 'ppp-active':
      return plain('/ppp/active/print', [
        '/ppp/active/print',
        `=.proplist=${PROPLIST.pppActive}`,
        `?name=${checkPppoeUser(command.user)}`,
      ]);
    case 'ppp-secret':
      return plain('/ppp/secret/print', [
        '/ppp/secret/print',
        `=.proplist=${PROPLIST.pppSecret}`,
        `?name=${checkPppoeUser(command.user)}`,
      ]);
    case 'queues': {
      const words = ['/queue/simple/print', `=.proplist=${PROPLIST.queues}`];
      if (command.name !== undefined) words.push(`?name=${checkInterface(command.name)}`);
      if (command.target !== undefined)
        words.push(`?target=${checkCustomerAddress(command.target, policy.prefixes, 'target')}/32`);
      return plain('/queue/simple/print', words);
    }
    case 'arp':
      return plain('/ip/arp/print', [
        '/ip/arp/print',
        `=.proplist=${PROPLIST.arp}`,
        `?address=${checkCustomerAddress(command.address, policy.prefixes)}`,
      ]);
    case 'dhcp-leases':
      return plain('/ip/dhcp-server/lease/print', [
        '/ip/dhcp-server/lease/print',
        `=.proplist=${PROPLIST.dhcp}`,
        `?address=${checkCustomerAddress(command.address, policy.prefixes)}`,
      ]);
    case 'interfaces': {
      const words = ['/interface/print', `=.proplist=${PROPLIST.interfaces}`];
      if (command.name !== undefined) words.push(`?name=${checkInterface(command.name)}`);
      return plain('/interface/print', words);
    }
    case 'monitor-traffic':
      return plain('/interface/monitor-traffic', [
        '/interface/monitor-traffic',
        `=interface=${checkInterface(command.interface)}`,
        '=once=',
        `=.proplist=${PROPLIST.traffic}`,
      ]);
  }
}

/** The command words this service can send; anything else is a bug. */
export const ALLOWED_COMMANDS = [
  '/ping',
  '/ppp/active/print',
  '/ppp/secret/print',
  '/queue/simple/print',
  '/ip/arp/print',
  '/ip/dhcp-server/lease/print',
  '/interface/print',
  '/interface/monitor-traffic',
] as const;
