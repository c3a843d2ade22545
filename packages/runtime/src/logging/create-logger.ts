import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import { lazyChild } from './lazy-child.js';
import { REDACTED, REDACT_PATHS, redactUrl, withoutCommandArguments } from './redaction.js';

export type { Logger } from 'pino';

export interface CreateLoggerOptions {
  /** The service (or package) name, on every line. */
  name: string;
  level?: LoggerOptions['level'];
  /** Where lines go; stdout when absent. Tests pass a stream to read what was logged. */
  destination?: DestinationStream;
}

interface RequestLike {
  method?: string;
  url?: string;
  id?: string | number;
  /** Fastify's request: the route's pattern (`/api/conversations/:chatId`), when one matched. */
  routeOptions?: { url?: string };
}

interface ReplyLike {
  statusCode?: number;
  request?: RequestLike;
}

const errorSerializer = (error: unknown) => withoutCommandArguments(pino.stdSerializers.err(error as Error));

/**
 * What a request line says of the URL: the route's pattern when one matched (a chat id or a
 * phone in the path never reaches the log), else the path with phone numbers masked. The
 * query string is not here: it is logged with the answer (see `res`), once the status says
 * whether the request was refused.
 */
function requestPath(req: RequestLike): string | undefined {
  const pattern = req.routeOptions?.url;
  if (pattern) return pattern;
  return req.url === undefined ? undefined : redactUrl(req.url.split('?')[0] ?? '');
}

/**
 * The query string logged with an answer: credential-like values replaced and phones masked;
 * none at all for a refused request (401, 403), whose query may hold a mistyped secret under
 * any name.
 */
function requestQuery(reply: ReplyLike): string | undefined {
  const url = reply.request?.url;
  const q = url?.indexOf('?') ?? -1;
  if (url === undefined || q < 0) return undefined;
  if (reply.statusCode === 401 || reply.statusCode === 403) return REDACTED;
  return redactUrl(url.slice(q)).slice(1);
}

/**
 * pino JSON logger with secrets redacted by key, request URLs logged as their route pattern
 * (query strings with the answer, credential-like values removed), and errors serialised
 * with their stack but without the Redis command arguments they carry. Message text belongs
 * at debug level only; callers keep to that.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const config: LoggerOptions = {
    name: options.name,
    level: options.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    serializers: {
      err: errorSerializer,
      error: errorSerializer,
      req: (req: RequestLike) => ({ id: req.id, method: req.method, url: requestPath(req) }),
      res: (reply: ReplyLike) => ({ statusCode: reply.statusCode, query: requestQuery(reply) }),
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

/**
 * A child logger whose every line carries the story's correlation id; made by pino only if
 * a line is written (see lazy-child.ts), since one is made for every message and job.
 */
export function forCorrelation(logger: Logger, correlationId: string, bindings: Record<string, unknown> = {}): Logger {
  return lazyChild(logger, { correlationId, ...bindings });
}
