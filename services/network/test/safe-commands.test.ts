import { describe, expect, it } from 'vitest';
import { UnsafeValueError } from '../src/routeros/errors.js';
import { ALLOWED_COMMANDS, buildCommand, type CommandPolicy, parseCidr } from '../src/routeros/safe-commands.js';

const policy: CommandPolicy = {
  prefixes: [parseCidr('100.64.0.0/10'), parseCidr('10.20.0.0/16')],
  commandTimeoutMs: 1_000,
  pingMarginMs: 500,
};

describe('safe commands', () => {
  it('builds ping with a deadline of count × interval + margin', () => {
    const built = buildCommand({ kind: 'ping', address: '100.64.1.2', count: 5, intervalMs: 1_000 }, policy);
    expect(built.words).toEqual(['/ping', '=address=100.64.1.2', '=count=5', '=interval=1s']);
    expect(built.timeoutMs).toBe(5_500);
  });

  it('never asks for PPPoE passwords or caller MACs', () => {
    const built = buildCommand({ kind: 'ppp-secret', user: 'ana@isp' }, policy);
    const proplist = built.words.find((w) => w.startsWith('=.proplist='));
    expect(proplist).toBeDefined();
    expect(proplist).not.toMatch(/password|caller-id|mac/);
  });

  it('sends monitor-traffic with once only', () => {
    expect(buildCommand({ kind: 'monitor-traffic', interface: '<pppoe-ana>' }, policy).words.slice(0, 3)).toEqual([
      '/interface/monitor-traffic',
      '=interface=<pppoe-ana>',
      '=once=',
    ]);
  });

  it('refuses addresses outside CUSTOMER_PREFIXES and anything that is not a dotted IPv4', () => {
    for (const address of [
      '8.8.8.8',
      '100.128.0.1',
      '10.21.0.1',
      '100.64.1.2/24',
      '100.64.01.2',
      '::1',
      '100.64.1.2 ',
      '',
    ]) {
      expect(() => buildCommand({ kind: 'ping', address, count: 1, intervalMs: 100 }, policy)).toThrow(
        UnsafeValueError,
      );
    }
    expect(() => buildCommand({ kind: 'ping', address: '100.64.1.2', count: 6, intervalMs: 100 }, policy)).toThrow(
      /count/,
    );
  });

  it('refuses user names outside letters, digits and ._@-', () => {
    for (const user of [
      'a b',
      'x\n/system/reboot',
      '=password=',
      '?name=',
      'ñandú',
      'a'.repeat(65),
      '',
      'a/b',
      'a;b',
    ]) {
      expect(() => buildCommand({ kind: 'ppp-active', user }, policy)).toThrow(UnsafeValueError);
    }
    expect(buildCommand({ kind: 'ppp-active', user: 'Ana.B_1@isp-x' }, policy).words).toContain('?name=Ana.B_1@isp-x');
  });

  it('only ever emits allow-listed command words', () => {
    const commands = [
      buildCommand({ kind: 'arp', address: '10.20.3.4' }, policy),
      buildCommand({ kind: 'dhcp-leases', address: '10.20.3.4' }, policy),
      buildCommand({ kind: 'interfaces' }, policy),
      buildCommand({ kind: 'queues', target: '10.20.3.4' }, policy),
    ];
    for (const c of commands) expect(ALLOWED_COMMANDS).toContain(c.words[0]);
  });

  it('refuses a CIDR that is not one', () => {
    for (const bad of ['10.0.0.0/33', '10.0.0/8', 'x', '10.0.0.0/8/8']) expect(() => parseCidr(bad)).toThrow();
  });
});
