import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import { lazyChild } from './lazy-child.js';
import { REDACTED, REDACT_PATHS, redactUrl } from './redaction.js';

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
}

/**
 * pino JSON logger with secrets redacted by key, request URLs stripped of secret query
 * values, and errors serialised with their stack. Message text belongs at debug level only;
 * callers keep to that.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const config: LoggerOptions = {
    name: options.name,
    level: options.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    serializers: {
      err: pino.stdSerializers.err,
      error: pino.stdSerializers.err,
      req: (req: RequestLike) => ({ id: req.id, method: req.method, url: req.url ? redactUrl(req.url) : undefined }),
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
