import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeSentence, SentenceDecoder } from './wire.js';

/** A row of a RouterOS menu: attribute name to value, as the API carries them (strings). */
export type RouterRow = Record<string, string>;

/** What the fake pings answer: one entry per packet, a round-trip time in ms or null for a loss. */
export interface PingScript {
  times: (number | null)[];
}

export interface FakeRouterState {
  /** Menu path (`/ppp/active`, `/ppp/secret`, `/queue/simple`, `/ip/arp`, ...) to its rows. */
  tables: Record<string, RouterRow[]>;
  /** Target address to its ping answers; an unknown address times out on every packet. */
  ping: Record<string, PingScript>;
  /** Interface name to its traffic, for `/interface/monitor-traffic =once=`. */
  traffic: Record<string, { rxBitsPerSecond: number; txBitsPerSecond: number }>;
}

export interface FakeRouterFaults {
  /** Close the connection as soon as `/login` arrives, answering nothing. */
  closeBeforeLogin?: boolean;
  /** Answer nothing: at login, or to every command after a good login. Half-closes are ignored too. */
  hang?: 'login' | 'commands' | false;
  /** Write each reply one byte at a time, or in two pieces split at this byte offset. */
  split?: 'every-byte' | number | false;
  /** Before each reply, send a `!re` sentence carrying a tag the client never used. */
  unknownTag?: boolean;
  /** Answer commands with a reply word RouterOS does not have (`!bogus`), then `!done`. */
  unknownReply?: boolean;
  /** Prints with no rows answer `!empty` before `!done`, as RouterOS 7.18 and later do. */
  emptyReplies?: boolean;
  /** On this command, send `!fatal` with a reason and close the connection. */
  fatalOn?: string;
  /** On this command, close the connection without a word. */
  closeOn?: string;
}

export interface FakeRouterOptions {
  username?: string;
  password?: string;
  /** `plain`: RouterOS 6.43+ (`=name=`, `=password=`); `md5`: older challenge-response (`=ret=`, `=response=`). */
  login?: 'plain' | 'md5';
  state?: Partial<FakeRouterState>;
  faults?: FakeRouterFaults;
  /** Serve the TLS API service (api-ssl) with this key and certificate (PEM), as RouterOS does on 8729. */
  tls?: { key: string; cert: string };
}

export interface ReceivedSentence {
  /** Which TCP connection (1, 2, ...) sent it. */
  connection: number;
  words: string[];
}

export interface FakeRouter {
  readonly host: string;
  readonly port: number;
  readonly state: FakeRouterState;
  /** Change at any time; read on every sentence. */
  faults: FakeRouterFaults;
  /** Every sentence received, in order, on every connection. */
  readonly received: ReceivedSentence[];
  /** Sentences whose first word is `command`. */
  commands(command?: string): ReceivedSentence[];
  /** Connections accepted so far. */
  readonly connectionCount: number;
  /** Connections open now. */
  openConnections(): number;
  /** Reset every open connection (TCP RST), as a router reboot or a cable cut does. */
  resetConnections(): void;
  close(): Promise<void>;
}

const PRINT = /^(\/[a-z0-9-]+(?:\/[a-z0-9-]+)*)\/print$/;

interface Command {
  name: string;
  attributes: Map<string, string>;
  queries: { key: string; value: string }[];
  tag: string | undefined;
}

function parseCommand(words: string[]): Command {
  const attributes = new Map<string, string>();
  const queries: { key: string; value: string }[] = [];
  let tag: string | undefined;
  for (const word of words.slice(1)) {
    if (word.startsWith('.tag=')) tag = word.slice(5);
    else if (word.startsWith('=')) {
      const eq = word.indexOf('=', 1);
      if (eq === -1) attributes.set(word.slice(1), '');
      else attributes.set(word.slice(1, eq), word.slice(eq + 1));
    } else if (word.startsWith('?')) {
      const eq = word.indexOf('=', 1);
      if (eq !== -1) queries.push({ key: word.slice(1, eq), value: word.slice(eq + 1) });
    }
  }
  return { name: words[0] ?? '', attributes, queries, tag };
}

/** RouterOS time words the fake understands for `=interval=`: `20ms`, `1s`, `00:00:01`. */
function parseInterval(value: string | undefined): number {
  if (!value) return 1_000;
  const ms = /^(\d+)ms$/.exec(value);
  if (ms) return Number(ms[1]);
  const s = /^(\d+(?:\.\d+)?)s?$/.exec(value);
  if (s) return Number(s[1]) * 1_000;
  const hms = /^(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(value);
  if (hms) return (Number(hms[1]) * 3600 + Number(hms[2]) * 60 + Number(hms[3])) * 1_000;
  return 1_000;
}

function formatRtt(ms: number): string {
  const whole = Math.floor(ms);
  const us = Math.round((ms - whole) * 1_000);
  return us > 0 ? `${whole}ms${us}us` : `${whole}ms`;
}

class Connection {
  private readonly decoder = new SentenceDecoder();
  private loggedIn = false;
  private challenge: Buffer | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** Running commands that /cancel can stop (ping), by tag. */
  private readonly running = new Map<string, () => void>();
  closed = false;

  constructor(
    readonly id: number,
    readonly socket: Socket,
    private readonly router: FakeRouterImpl,
  ) {
    socket.on('data', (chunk) => {
      let sentences: string[][];
      try {
        sentences = this.decoder.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const words of sentences) this.onSentence(words);
    });
    socket.on('error', () => {});
    socket.on('end', () => {
      // allowHalfOpen: a hung router never answers the client's FIN, so close() cannot finish.
      if (!this.router.faults.hang) socket.end();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const stop of this.running.values()) stop();
      this.running.clear();
    });
  }

  private send(words: string[]): void {
    const bytes = encodeSentence(words);
    const split = this.router.faults.split;
    this.writing = this.writing.then(async () => {
      if (this.closed) return;
      if (split === 'every-byte') {
        for (let i = 0; i < bytes.length; i++) {
          if (this.closed) return;
          this.socket.write(bytes.subarray(i, i + 1));
          await sleep(1);
        }
      } else if (typeof split === 'number' && split > 0 && split < bytes.length) {
        this.socket.write(bytes.subarray(0, split));
        await sleep(5);
        if (!this.closed) this.socket.write(bytes.subarray(split));
        await sleep(1);
      } else {
        this.socket.write(bytes);
      }
    });
  }

  private reply(tag: string | undefined, reply: string, attributes: Record<string, string> = {}): void {
    const words = [reply, ...Object.entries(attributes).map(([k, v]) => `=${k}=${v}`)];
    if (tag !== undefined) words.push(`.tag=${tag}`);
    this.send(words);
  }

  private trap(tag: string | undefined, message: string, category?: number): void {
    this.reply(tag, '!trap', category === undefined ? { message } : { category: String(category), message });
    this.reply(tag, '!done');
  }

  private onSentence(words: string[]): void {
    if (words.length === 0) return; // an empty sentence is ignored, as RouterOS does
    this.router.received.push({ connection: this.id, words });
    const command = parseCommand(words);
    const faults = this.router.faults;

    if (!this.loggedIn) {
      if (command.name !== '/login') {
        this.trap(command.tag, 'not logged in');
        return;
      }
      if (faults.closeBeforeLogin) {
        this.socket.destroy();
        return;
      }
      if (faults.hang === 'login') return;
      this.login(command);
      return;
    }

    if (faults.hang === 'commands') return;
    if (faults.closeOn && command.name === faults.closeOn) {
      this.socket.destroy();
      return;
    }
    if (faults.fatalOn && command.name === faults.fatalOn) {
      // !fatal carries its reason as a plain word, and RouterOS closes the connection after it.
      this.send(['!fatal', 'session terminated on request']);
      this.writing = this.writing.then(() => {
        this.socket.end();
      });
      return;
    }
    if (faults.unknownTag) this.reply('not-a-tag-of-yours', '!re', { stray: 'yes' });
    if (faults.unknownReply && command.name !== '#' && command.name !== '/cancel') {
      this.reply(command.tag, '!bogus', { what: 'a reply word this client does not know' });
      this.reply(command.tag, '!done');
      return;
    }
    this.execute(command);
  }

  private login(command: Command): void {
    const { username, password, mode } = this.router.credentials;
    const name = command.attributes.get('name');
    if (mode === 'plain') {
      if (name === username && command.attributes.get('password') === password) {
        this.loggedIn = true;
        this.reply(command.tag, '!done');
      } else {
        this.trap(command.tag, 'invalid user name or password (6)');
      }
      return;
    }
    const response = command.attributes.get('response');
    if (response === undefined || !this.challenge) {
      // Before 6.43 the first /login only fetched a challenge, whatever else it carried.
      this.challenge = randomBytes(16);
      this.reply(command.tag, '!done', { ret: this.challenge.toString('hex') });
      return;
    }
    const expected = `00${createHash('md5')
      .update(Buffer.concat([Buffer.from([0]), Buffer.from(password, 'latin1'), this.challenge]))
      .digest('hex')}`;
    if (name === username && response === expected) {
      this.loggedIn = true;
      this.reply(command.tag, '!done');
    } else {
      this.trap(command.tag, 'cannot log in');
    }
  }

  private execute(command: Command): void {
    const { name, tag } = command;
    if (name === '#') {
      // node-routeros keeps idle connections alive with a `#` sentence; answered as a no-op.
      this.reply(tag, '!done');
      return;
    }
    if (name === '/cancel') {
      const target = command.attributes.get('tag');
      const stop = target === undefined ? undefined : this.running.get(target);
      if (stop && target !== undefined) {
        stop();
        this.running.delete(target);
        this.trap(target, 'interrupted', 2);
      }
      this.reply(tag, '!done');
      return;
    }
    if (name === '/ping') {
      this.ping(command);
      return;
    }
    if (name === '/interface/monitor-traffic') {
      const iface = command.attributes.get('interface') ?? '';
      const traffic = this.router.state.traffic[iface];
      if (!traffic) {
        this.trap(tag, 'no such item', 0);
        return;
      }
      this.reply(tag, '!re', {
        name: iface,
        'rx-bits-per-second': String(traffic.rxBitsPerSecond),
        'tx-bits-per-second': String(traffic.txBitsPerSecond),
      });
      this.reply(tag, '!done');
      return;
    }
    const print = PRINT.exec(name);
    if (print) {
      const menu = print[1] as string;
      const rows = (this.router.state.tables[menu] ?? []).filter((row) =>
        command.queries.every((q) => row[q.key] === q.value),
      );
      const proplist = command.attributes.get('.proplist')?.split(',').filter(Boolean);
      for (const row of rows) {
        const shown = proplist ? Object.fromEntries(Object.entries(row).filter(([k]) => proplist.includes(k))) : row;
        this.reply(tag, '!re', shown);
      }
      if (rows.length === 0 && this.router.faults.emptyReplies) this.reply(tag, '!empty');
      this.reply(tag, '!done');
      return;
    }
    this.trap(tag, 'no such command prefix', 0);
  }

  private ping(command: Command): void {
    const { tag } = command;
    const address = command.attributes.get('address') ?? '';
    const count = Math.max(1, Number(command.attributes.get('count') ?? '4') || 4);
    const interval = parseInterval(command.attributes.get('interval'));
    const script = this.router.state.ping[address]?.times ?? [];
    let seq = 0;
    let received = 0;
    const rtts: number[] = [];
    let timer: NodeJS.Timeout | undefined;
    const stop = () => clearTimeout(timer);
    if (tag !== undefined) this.running.set(tag, stop);
    const next = () => {
      if (this.closed) return;
      const time = script[seq] ?? null;
      const sent = seq + 1;
      const row: Record<string, string> = { seq: String(seq), host: address };
      if (time === null) {
        row.status = 'timeout';
      } else {
        received++;
        rtts.push(time);
        Object.assign(row, { size: '56', ttl: '64', time: formatRtt(time) });
      }
      row.sent = String(sent);
      row.received = String(received);
      row['packet-loss'] = String(Math.round(((sent - received) / sent) * 100));
      if (rtts.length > 0) {
        row['min-rtt'] = formatRtt(Math.min(...rtts));
        row['avg-rtt'] = formatRtt(rtts.reduce((a, b) => a + b, 0) / rtts.length);
        row['max-rtt'] = formatRtt(Math.max(...rtts));
      }
      this.reply(tag, '!re', row);
      seq++;
      if (seq < count) {
        timer = setTimeout(next, interval);
      } else {
        if (tag !== undefined) this.running.delete(tag);
        this.reply(tag, '!done');
      }
    };
    timer = setTimeout(next, Math.min(interval, 50));
  }
}

class FakeRouterImpl implements FakeRouter {
  readonly received: ReceivedSentence[] = [];
  readonly state: FakeRouterState;
  faults: FakeRouterFaults;
  readonly credentials: { username: string; password: string; mode: 'plain' | 'md5' };
  private readonly connections = new Set<Connection>();
  private readonly sockets = new Set<Socket>();
  private accepted = 0;
  private readonly server: Server;
  host = '127.0.0.1';
  port = 0;

  constructor(options: FakeRouterOptions) {
    this.state = {
      tables: options.state?.tables ?? {},
      ping: options.state?.ping ?? {},
      traffic: options.state?.traffic ?? {},
    };
    this.faults = { ...options.faults };
    this.credentials = {
      username: options.username ?? 'api',
      password: options.password ?? 'secret',
      mode: options.login ?? 'plain',
    };
    const accept = (socket: Socket) => {
      this.accepted++;
      socket.setNoDelay(true);
      const connection = new Connection(this.accepted, socket, this);
      this.connections.add(connection);
      socket.on('close', () => this.connections.delete(connection));
    };
    this.server = options.tls
      ? createTlsServer({ key: options.tls.key, cert: options.tls.cert, allowHalfOpen: true }, accept)
      : createServer({ allowHalfOpen: true }, accept);
    // Every TCP socket, a TLS one whose handshake failed included, so that close() ends them all.
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  async listen(): Promise<void> {
    this.server.listen(0, this.host);
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
  }

  get connectionCount(): number {
    return this.accepted;
  }

  commands(command?: string): ReceivedSentence[] {
    return command === undefined ? this.received : this.received.filter((s) => s.words[0] === command);
  }

  openConnections(): number {
    return this.connections.size;
  }

  resetConnections(): void {
    for (const c of this.connections) c.socket.resetAndDestroy();
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.socket.destroy();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Starts a fake RouterOS API server on 127.0.0.1 and a free port. */
export async function startFakeRouter(options: FakeRouterOptions = {}): Promise<FakeRouter> {
  const router = new FakeRouterImpl(options);
  await router.listen();
  return router;
}
