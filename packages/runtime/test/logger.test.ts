import { Writable } from 'node:stream';
import { createLogger, forCorrelation, lazyChild, redactUrl } from '@helpline/runtime';
import { describe, expect, test } from 'vitest';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger({ name: 'test', level: 'debug', destination }) };
}

describe('logger', () => {
  test('redacts tokens, keys, passwords and Authorization headers at any common depth', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        token: 'tok-1',
        apiKey: 'key-1',
        config: { OPENAI_API_KEY: 'sk-live', MIKROTIK_PASSWORD: 'pw', ZOHO_REFRESH_TOKEN: 'rt' },
        request: { headers: { authorization: 'Bearer abc', accept: 'json' } },
        router: { password: 'routerpw', host: 'r1' },
      },
      'event',
    );
    const text = JSON.stringify(lines[0]);
    for (const secret of ['tok-1', 'key-1', 'sk-live', '"pw"', 'rt"', 'Bearer abc', 'routerpw']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('json');
    expect(text).toContain('r1');
    expect(text).toContain('[redacted]');
  });

  test('child loggers carry the correlation id on every line', () => {
    const { lines, logger } = capture();
    const child = forCorrelation(logger, 'wamid.ABC', { queue: 'inbound' });
    child.info('one');
    child.warn('two');
    expect(lines.map((l) => l.correlationId)).toEqual(['wamid.ABC', 'wamid.ABC']);
    expect(lines[0]?.queue).toBe('inbound');
    expect(lines[0]?.name).toBe('test');
  });

  test('request URLs lose the values of secret query parameters', () => {
    expect(redactUrl('/webhook?hub.mode=subscribe&hub.verify_token=abc&hub.challenge=42')).toBe(
      '/webhook?hub.mode=subscribe&hub.verify_token=[redacted]&hub.challenge=42',
    );
    expect(redactUrl('/x?access_token=t')).toBe('/x?access_token=[redacted]');
    expect(redactUrl('/plain')).toBe('/plain');
  });

  test('errors are serialised with message and stack', () => {
    const { lines, logger } = capture();
    logger.error({ err: new Error('boom') }, 'failed');
    const err = lines[0]?.err as { message: string; stack: string };
    expect(err.message).toBe('boom');
    expect(err.stack).toContain('logger.test.ts');
  });
});

describe('lazy child loggers', () => {
  function counting(level: 'info' | 'warn') {
    const { lines, logger } = capture();
    logger.level = level;
    let made = 0;
    const child = logger.child.bind(logger);
    logger.child = ((bindings: Record<string, unknown>, options?: object) => {
      made += 1;
      return child(bindings, options as never);
    }) as typeof logger.child;
    return { lines, logger, made: () => made };
  }

  test('no pino child is made while nothing is written at an enabled level', () => {
    const { lines, logger, made } = counting('warn');
    const log = forCorrelation(logger, 'wamid.LAZY1');
    log.info({ a: 1 }, 'below the level');
    log.debug('below the level');
    expect(log.isLevelEnabled('info')).toBe(false);
    expect(log.level).toBe('warn');
    const nested = log.child({ queue: 'inbound' });
    nested.info('still below');
    expect(made()).toBe(0);
    expect(lines).toEqual([]);
  });

  test('looking up an enabled level (as Fastify does for each request) makes no child; writing does', () => {
    const { lines, logger, made } = counting('info');
    const log = forCorrelation(logger, 'wamid.LAZY0');
    for (const method of ['info', 'error', 'debug', 'fatal', 'warn', 'trace', 'child'] as const) {
      expect(typeof log[method]).toBe('function');
    }
    expect(made()).toBe(0);
    log.error('now written');
    expect(made()).toBe(1);
    expect(lines[0]).toMatchObject({ correlationId: 'wamid.LAZY0', msg: 'now written' });
  });

  test('the first line makes the child once; lines carry the bindings, nested ones merged, and are redacted', () => {
    const { lines, logger, made } = counting('info');
    const log = lazyChild(logger, { correlationId: 'wamid.LAZY2' });
    const nested = log.child({ queue: 'outbound' });
    log.info({ token: 'tok-secret' }, 'first');
    log.warn('second');
    nested.error('third');
    expect(made()).toBe(2);
    expect(lines.map((l) => [l.msg, l.correlationId, l.queue])).toEqual([
      ['first', 'wamid.LAZY2', undefined],
      ['second', 'wamid.LAZY2', undefined],
      ['third', 'wamid.LAZY2', 'outbound'],
    ]);
    expect(JSON.stringify(lines)).not.toContain('tok-secret');
    expect(log.bindings()).toMatchObject({ correlationId: 'wamid.LAZY2' });
  });
});
