import type { Logger } from 'pino';

const LEVEL_METHODS = new Set<PropertyKey>(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
const noop = () => {};

/**
 * A child logger that pino creates only when a line is actually written through it.
 *
 * A child is made for every request (its id) and every job (its correlation id), and with
 * redaction on, pino runs every binding through the redactor when the child is made: under
 * the webhook benchmark that was a tenth of the gateway's CPU, for children most of which
 * never write a line at the production level. Disabled levels answer a no-op without
 * making the child; enabled ones answer a function that makes it when called, not when
 * looked up (Fastify checks that a request's logger has `error`, `fatal`... for every
 * request); a child of this one merges the bindings and stays lazy.
 */
export function lazyChild(parent: Logger, bindings: Record<string, unknown>): Logger {
  let child: Logger | undefined;
  const real = (): Logger => {
    child ??= parent.child(bindings);
    return child;
  };
  const deferred = new Map<PropertyKey, (...args: unknown[]) => void>();
  const writer = (prop: PropertyKey) => {
    let write = deferred.get(prop);
    if (!write) {
      write = (...args: unknown[]) => (real()[prop as 'info'] as (...a: unknown[]) => void)(...args);
      deferred.set(prop, write);
    }
    return write;
  };
  const lazy: Logger = new Proxy(parent, {
    get(_target, prop) {
      if (child === undefined) {
        if (LEVEL_METHODS.has(prop)) return parent.isLevelEnabled(prop as string) ? writer(prop) : noop;
        if (prop === 'level' || prop === 'levelVal' || prop === 'isLevelEnabled') {
          const value = Reflect.get(parent, prop, parent);
          return typeof value === 'function' ? value.bind(parent) : value;
        }
        if (prop === 'child') {
          return (more: Record<string, unknown>, options?: object) =>
            options === undefined ? lazyChild(parent, { ...bindings, ...more }) : real().child(more, options);
        }
      }
      const target = real();
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    set(_target, prop, value) {
      return Reflect.set(real(), prop, value);
    },
  });
  return lazy;
}
