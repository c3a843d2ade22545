import { CodedError, ERRORS, type ErrorDeclaration } from '@helpline/runtime';

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

/**
 * Which catalogue code each kind is: a refused command is the caller's fault (a breaker
 * ignores it, a job fails at once); a refused login counts against the router (so a wrong
 * password does not hammer it) and is retried; the rest is the router unavailable now.
 */
const CODE_OF_KIND: Record<RouterErrorKind, ErrorDeclaration> = {
  connect_timeout: ERRORS.router_unavailable,
  connect_failed: ERRORS.router_unavailable,
  login_failed: ERRORS.router_login_failed,
  closed: ERRORS.router_unavailable,
  fatal: ERRORS.router_unavailable,
  socket_error: ERRORS.router_unavailable,
  command_timeout: ERRORS.router_unavailable,
  close_timeout: ERRORS.router_unavailable,
  trap: ERRORS.router_refused,
  unknown_reply: ERRORS.router_unavailable,
  unknown_tag: ERRORS.router_unavailable,
  protocol: ERRORS.router_unavailable,
  breaker_open: ERRORS.router_unavailable,
  pool_timeout: ERRORS.router_unavailable,
  not_configured: ERRORS.router_unavailable,
};

export class RouterError extends CodedError {
  readonly kind: RouterErrorKind;
  readonly router: string;

  constructor(kind: RouterErrorKind, router: string, message: string, options: { cause?: unknown } = {}) {
    super(CODE_OF_KIND[kind], message, options);
    this.name = 'RouterError';
    this.kind = kind;
    this.router = router;
  }
}

/**
 * The router answered `!trap`: it is up, the command was refused. Not a fault of the router
 * (`router_refused`, not retryable: breakers do not count it).
 */
export class RouterTrapError extends RouterError {
  readonly category: string | undefined;

  constructor(router: string, message: string, category: string | undefined) {
    super('trap', router, `router refused the command: ${message}`);
    this.name = 'RouterTrapError';
    this.category = category;
  }
}

/** A value (address, user name) failed its check before reaching the wire. */
export class UnsafeValueError extends CodedError {
  readonly field: string;

  constructor(field: string, reason: string) {
    super(ERRORS.unsafe_value, `${field}: ${reason}`);
    this.name = 'UnsafeValueError';
    this.field = field;
  }
}

export function isRouterError(error: unknown): error is RouterError {
  return error instanceof RouterError;
}
