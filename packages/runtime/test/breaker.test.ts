import { breakerState, createBreaker, createMetrics, PermanentError } from '@helpline/runtime';
import { describe, expect, test } from 'vitest';
import { metricValue } from './support/index.js';

const stateOf = async (metrics: ReturnType<typeof createMetrics>, name: string) =>
  metricValue(await metrics.registry.metrics(), 'helpline_circuit_state', { breaker: name });

describe('breaker', () => {
  test('opens after failures over the volume threshold, refuses calls, then half-opens and closes', async () => {
    const metrics = createMetrics('test');
    let fail = true;
    const breaker = createBreaker(
      async (x: number) => {
        if (fail) throw new Error('503 from provider');
        return x * 2;
      },
      { name: 'openai', metrics, volumeThreshold: 3, resetTimeout: 200 },
    );
    expect(await stateOf(metrics, 'openai')).toBe(0);
    for (let i = 0; i < 3; i++) await expect(breaker.fire(1)).rejects.toThrow('503');
    expect(breakerState(breaker)).toBe('open');
    expect(await stateOf(metrics, 'openai')).toBe(2);
    await expect(breaker.fire(1)).rejects.toThrow(/open/i);

    await new Promise((r) => setTimeout(r, 300));
    expect(breakerState(breaker)).toBe('half_open');
    expect(await stateOf(metrics, 'openai')).toBe(1);
    fail = false;
    expect(await breaker.fire(21)).toBe(42);
    expect(breakerState(breaker)).toBe('closed');
    expect(await stateOf(metrics, 'openai')).toBe(0);
    const text = await metrics.registry.metrics();
    expect(metricValue(text, 'helpline_circuit_events_total', { breaker: 'openai', event: 'open' })).toBe(1);
    expect(metricValue(text, 'helpline_circuit_events_total', { breaker: 'openai', event: 'reject' })).toBe(1);
  });

  test('errors retrying cannot fix do not open it', async () => {
    const metrics = createMetrics('test');
    const breaker = createBreaker(
      async (kind: string) => {
        if (kind === 'permanent') throw new PermanentError('bad_request', '400 from provider');
        throw Object.assign(new Error('422'), { status: 422 });
      },
      { name: 'gemini', metrics, volumeThreshold: 2, isNotAFault: (e) => (e as { status?: number }).status === 422 },
    );
    for (let i = 0; i < 10; i++) {
      await expect(breaker.fire(i % 2 ? 'permanent' : 'unprocessable')).rejects.toThrow();
    }
    expect(breakerState(breaker)).toBe('closed');
  });

  test('a filtered error during half-open neither closes nor opens it: the next call is the trial again', async () => {
    const metrics = createMetrics('test');
    let answer: 'down' | 'bad_request' | 'ok' = 'down';
    const breaker = createBreaker(
      async () => {
        if (answer === 'down') throw new Error('503 from provider');
        if (answer === 'bad_request') throw new PermanentError('bad_request', '400 from provider');
        return 'fine';
      },
      { name: 'half-open', metrics, volumeThreshold: 2, resetTimeout: 100 },
    );
    for (let i = 0; i < 2; i++) await expect(breaker.fire()).rejects.toThrow('503');
    expect(breakerState(breaker)).toBe('open');
    await new Promise((r) => setTimeout(r, 150));
    expect(breakerState(breaker)).toBe('half_open');

    answer = 'bad_request';
    await expect(breaker.fire()).rejects.toThrow('400');
    expect(breakerState(breaker)).toBe('half_open');
    await expect(breaker.fire()).rejects.toThrow('400');
    expect(breakerState(breaker)).toBe('half_open');

    // Still a trial: a provider fault opens it again...
    answer = 'down';
    await expect(breaker.fire()).rejects.toThrow('503');
    expect(breakerState(breaker)).toBe('open');
    // ...and after the reset timeout a success closes it.
    await new Promise((r) => setTimeout(r, 150));
    answer = 'ok';
    expect(await breaker.fire()).toBe('fine');
    expect(breakerState(breaker)).toBe('closed');
    const text = await metrics.registry.metrics();
    expect(metricValue(text, 'helpline_circuit_events_total', { breaker: 'half-open', event: 'close' })).toBe(1);
  });

  test('filtered errors are not counted as successes: they do not keep a failing provider closed', async () => {
    const metrics = createMetrics('test');
    let call = 0;
    const breaker = createBreaker(
      async () => {
        call++;
        if (call % 2) throw new PermanentError('bad_request', '400');
        throw new Error('503');
      },
      { name: 'mixed', metrics, volumeThreshold: 4, errorThresholdPercentage: 60 },
    );
    for (let i = 0; i < 4; i++) await expect(breaker.fire()).rejects.toThrow();
    // Two faults in four calls; the two 400s are not successes, so the fault rate is what
    // the provider earned: the window has 2 failures and no success.
    expect(breaker.stats.successes).toBe(0);
    expect(breaker.stats.failures).toBe(2);
  });

  test('a volume threshold of zero is raised to one (opossum would open on no calls at all)', async () => {
    const metrics = createMetrics('test');
    const breaker = createBreaker(
      async () => {
        throw new Error('down');
      },
      { name: 'anthropic', metrics, volumeThreshold: 0, errorThresholdPercentage: 1 },
    );
    expect(breaker.volumeThreshold).toBe(1);
  });

  test('two breakers in one registry share the gauge', async () => {
    const metrics = createMetrics('test');
    createBreaker(async () => 1, { name: 'a', metrics });
    createBreaker(async () => 1, { name: 'b', metrics });
    expect(await stateOf(metrics, 'a')).toBe(0);
    expect(await stateOf(metrics, 'b')).toBe(0);
  });
});
