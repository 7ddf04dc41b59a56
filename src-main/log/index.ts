/** Structured, redacted, rotating logs for the engine. */
export {
  createLogger,
  DEFAULT_LOG_FILE,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_FILES,
  formatConsoleLine,
  LOG_LEVELS,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  type LogSink,
} from './logger';
export { REDACTED, Redactor, SENSITIVE_KEY } from './redact';
