/**
 * What went wrong talking to a router, as a low-cardinality `kind` (a metric label) and a
 * message safe to log: never an address, a password or a customer value.
 */
export type RouterErrorKind =
  | 'connect_timeout'
  | 'connect_failed'
  | 'login_failed'
  | 'closed'
  | 'fatal'
  | 'socket_error'
  | 'command_timeout'
  | 'close_timeout'
  | 'trap'
  | 'unknown_reply'
  | 'unknown_tag'
  | 'protocol'
  | 'breaker_open'
  | 'pool_timeout'
  | 'not_configured';

export class RouterError extends Error {
  readonly kind: RouterErrorKind;
  readonly router: string;

  constructor(kind: RouterErrorKind, router: string, message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'RouterError';
    this.kind = kind;
    this.router = router;
  }
}

/** The router answered `!trap`: it is up, the command was refused. Not a fault of the router. */
export class RouterTrapError extends RouterError {
  readonly category: string | undefined;

  constructor(router: string, message: string, category: string | undefined) {
    super('trap', router, `router refused the command: ${message}`);
    this.name = 'RouterTrapError';
    this.category = category;
  }
}

/** A value (address, user name) failed its check before reaching the wire. */
export class UnsafeValueError extends Error {
  readonly field: string;

  constructor(field: string, reason: string) {
    super(`${field}: ${reason}`);
    this.name = 'UnsafeValueError';
    this.field = field;
  }
}

export function isRouterError(error: unknown): error is RouterError {
  return error instanceof RouterError;
}
