import CircuitBreaker from 'opossum';
import { Counter, Gauge } from 'prom-client';
import { isRetryable } from '../errors/coded-error.js';
import { METRIC_PREFIX, type ServiceMetrics } from '../metrics/create-metrics.js';

export type { default as CircuitBreaker } from 'opossum';

/** Values of `helpline_circuit_state`. */
export const CIRCUIT_STATE = { closed: 0, half_open: 1, open: 2 } as const;

export interface BreakerOptions {
  /** Low-cardinality name: a provider or router name, used as the metric label. */
  name: string;
  metrics: ServiceMetrics;
  /** Share of failures in the rolling window that opens the breaker. */
  errorThresholdPercentage?: number;
  /** Calls in the window before the breaker may open; kept above zero so one failure cannot open it. */
  volumeThreshold?: number;
  /** How long the breaker stays open before one trial call. */
  resetTimeout?: number;
  rollingCountTimeout?: number;
  /**
   * Errors that retrying cannot fix (a 400, a bad credential) do not open the breaker: the
   * provider is up, the request is wrong. Coded errors declared non-retryable (PermanentErrors
   * among them) are always treated so.
   */
  isNotAFault?: (error: unknown) => boolean;
}

function gauges(metrics: ServiceMetrics): { state: Gauge<'breaker'>; events: Counter<'breaker' | 'event'> } {
  const registry = metrics.registry;
  const state =
    (registry.getSingleMetric(`${METRIC_PREFIX}circuit_state`) as Gauge<'breaker'> | undefined) ??
    new Gauge({
      name: `${METRIC_PREFIX}circuit_state`,
      help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open',
      labelNames: ['breaker'] as const,
      registers: [registry],
    });
  const events =
    (registry.getSingleMetric(`${METRIC_PREFIX}circuit_events_total`) as Counter<'breaker' | 'event'> | undefined) ??
    new Counter({
      name: `${METRIC_PREFIX}circuit_events_total`,
      help: 'Circuit breaker events: open, half_open, close, reject (call refused while open)',
      labelNames: ['breaker', 'event'] as const,
      registers: [registry],
    });
  return { state, events };
}

/**
 * An opossum breaker around `action`, with its state exported as `helpline_circuit_state`.
 * Timeouts are the caller's (a deadline passed down as an AbortSignal), so opossum's own
 * timer is off.
 */
export function createBreaker<A extends unknown[], R>(
  action: (...args: A) => Promise<R>,
  options: BreakerOptions,
): CircuitBreaker<A, R> {
  const volumeThreshold = Math.max(1, options.volumeThreshold ?? 5);
  // The error opossum is about to report as a success (set by errorFilter, read at once).
  let filtered: unknown;
  const breaker = new CircuitBreaker<A, R>(action, {
    name: options.name,
    timeout: false,
    errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
    volumeThreshold,
    resetTimeout: options.resetTimeout ?? 30_000,
    rollingCountTimeout: options.rollingCountTimeout ?? 60_000,
    errorFilter: (error: unknown) => {
      const notAFault = !isRetryable(error) || (options.isNotAFault?.(error) ?? false);
      if (notAFault) filtered = error;
      return notAFault;
    },
  });
  neitherOpenNorClose(breaker, () => {
    const error = filtered;
    filtered = undefined;
    return error;
  });
  const { state, events } = gauges(options.metrics);
  const label = { breaker: options.name };
  state.set(label, CIRCUIT_STATE.closed);
  breaker.on('open', () => {
    state.set(label, CIRCUIT_STATE.open);
    events.inc({ ...label, event: 'open' });
  });
  breaker.on('halfOpen', () => {
    state.set(label, CIRCUIT_STATE.half_open);
    events.inc({ ...label, event: 'half_open' });
  });
  breaker.on('close', () => {
    state.set(label, CIRCUIT_STATE.closed);
    events.inc({ ...label, event: 'close' });
  });
  breaker.on('reject', () => events.inc({ ...label, event: 'reject' }));
  return breaker;
}

/**
 * opossum 9 reports a filtered error as a success: counted in the window, and during
 * half-open it closes the breaker, so one 400 from a provider that is still down would let
 * all traffic through. A filtered error should say nothing about the provider's health:
 * this drops that 'success' event, and in half-open lets the next call be the trial again
 * (opossum has no public way to, hence its own pending-close symbol).
 */
function neitherOpenNorClose(breaker: CircuitBreaker, takeFiltered: () => unknown): void {
  const emit = breaker.emit.bind(breaker);
  const pendingClose = Object.getOwnPropertySymbols(breaker).find((s) => s.description === 'pending-close');
  breaker.emit = (event: string | symbol, ...args: unknown[]): boolean => {
    if (event === 'success') {
      const error = takeFiltered();
      if (error !== undefined && args[0] === error) {
        if (breaker.halfOpen && pendingClose) (breaker as unknown as Record<symbol, boolean>)[pendingClose] = true;
        return false;
      }
    }
    return emit(event, ...args);
  };
}

/** The breaker's state as the gauge names it, for /health. */
export function breakerState(breaker: CircuitBreaker): keyof typeof CIRCUIT_STATE {
  if (breaker.opened) return 'open';
  if (breaker.halfOpen) return 'half_open';
  return 'closed';
}
