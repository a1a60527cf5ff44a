import { pino, type Logger } from 'pino';
import { SECRET_LOG_PATHS, type LogLevel } from '@orchestrator/shared';

/** The worker's structured logger: one JSON line per event, secrets redacted by path. */
export function createLogger(level: LogLevel, base: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { service: 'worker', ...base },
    redact: { paths: [...SECRET_LOG_PATHS], censor: '[redacted]' },
  });
}
