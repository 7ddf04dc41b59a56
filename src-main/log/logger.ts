/**
 * Structured logging for the engine: JSON lines in a size-rotated file plus one human-readable line
 * per entry on the console (stderr), both redacted (see ./redact). Logging never throws: a failed
 * file write is reported on stderr once per logger tree, and the entry still reaches the console.
 */
import path from 'node:path';
import { REDACTED, Redactor } from './redact';
import { RotatingFile } from './rotating-file';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogSink {
  /** Receives one line, newline-terminated. */
  write(line: string): void;
}

export interface LoggerOptions {
  /** Directory for the log file, created if missing; null/undefined → no file. */
  dir?: string | null | undefined;
  /** Minimum level written; default 'info'. */
  level?: LogLevel | undefined;
  /** true (default) → stderr; false → none; or a custom sink. */
  console?: boolean | LogSink | undefined;
  /** Rotate when the file would grow beyond this; default 5 MiB. */
  maxBytes?: number | undefined;
  /** Files kept, the current one included; default 5. */
  maxFiles?: number | undefined;
  /** Default 'liveslice.log'. */
  fileName?: string | undefined;
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger whose entries carry `bindings`; it shares level, outputs and secrets. */
  child(bindings: Record<string, unknown>): Logger;
  /** Cuts `secret` out of every later entry, in this logger and all its relatives. */
  addSecret(secret: string): void;
  /** Closes the log file. Only the root logger's close() does anything; on a child it is a no-op. */
  close(): void;
  /** The file being written, or null. */
  readonly file: string | null;
}

export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
export const DEFAULT_MAX_FILES = 5;
export const DEFAULT_LOG_FILE = 'liveslice.log';

const RESERVED = new Set(['time', 'level', 'msg']);

interface Shared {
  minRank: number;
  redactor: Redactor;
  file: RotatingFile | null;
  console: LogSink | null;
}

let stderrGuarded = false;
const stderrSink: LogSink = {
  write(line) {
    // A closed stderr (EPIPE) is reported as an 'error' event, which would crash the process.
    if (!stderrGuarded && process.stderr.listenerCount('error') === 0) {
      process.stderr.on('error', () => undefined);
      stderrGuarded = true;
    }
    process.stderr.write(line);
  },
};

function safeStderr(line: string): void {
  try {
    stderrSink.write(line);
  } catch {
    // nowhere left to report
  }
}

function consoleSink(option: LoggerOptions['console']): LogSink | null {
  if (option === false) return null;
  if (option === true || option === undefined) return stderrSink;
  return option;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxFiles = opts.maxFiles ?? DEFAULT_MAX_FILES;
  if (!(Number.isFinite(maxBytes) && maxBytes > 0)) {
    throw new RangeError(`createLogger: maxBytes must be a positive number, got ${maxBytes}`);
  }
  if (!(Number.isInteger(maxFiles) && maxFiles >= 1)) {
    throw new RangeError(`createLogger: maxFiles must be an integer >= 1, got ${maxFiles}`);
  }
  const level = opts.level ?? 'info';
  if (!Object.hasOwn(RANK, level))
    throw new RangeError(`createLogger: unknown level ${String(level)}`);

  const fileName = opts.fileName ?? DEFAULT_LOG_FILE;
  if (fileName.length === 0 || path.basename(fileName) !== fileName) {
    throw new RangeError(`createLogger: fileName must be a plain file name, got ${fileName}`);
  }

  let fileErrorReported = false;
  const shared: Shared = {
    minRank: RANK[level],
    redactor: new Redactor(),
    file: null,
    console: consoleSink(opts.console),
  };
  if (opts.dir !== null && opts.dir !== undefined) {
    shared.file = new RotatingFile({
      dir: opts.dir,
      fileName,
      maxBytes,
      maxFiles,
      onError: (err, file) => {
        if (fileErrorReported) return;
        fileErrorReported = true;
        const reason = err instanceof Error ? err.message : String(err);
        safeStderr(
          `liveslice: cannot write log file ${file}: ${shared.redactor.redactString(reason)} ` +
            `(further log file errors are not reported)\n`,
        );
      },
    });
  }
  return makeLogger(shared, {}, true);
}

function makeLogger(shared: Shared, bindings: Record<string, unknown>, isRoot: boolean): Logger {
  const log = (level: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    try {
      if (RANK[level] < shared.minRank) return;
      writeEntry(shared, level, msg, bindings, fields);
    } catch (err) {
      safeStderr(
        `liveslice: log entry dropped (${err instanceof Error ? err.message : String(err)})\n`,
      );
    }
  };
  return {
    debug: (msg, fields) => log('debug', msg, fields),
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
    child: (more) => makeLogger(shared, { ...bindings, ...normaliseFields(more) }, false),
    addSecret: (secret) => {
      try {
        shared.redactor.addSecret(secret);
      } catch {
        // never throw from logging
      }
    },
    close: () => {
      if (isRoot) shared.file?.close();
    },
    file: shared.file?.file ?? null,
  };
}

/** Tolerates JS callers passing an Error or a non-object as `fields`. */
function normaliseFields(fields: unknown): Record<string, unknown> {
  if (fields === undefined || fields === null) return {};
  if (fields instanceof Error) return { err: fields };
  if (typeof fields !== 'object' || Array.isArray(fields)) return { fields };
  return fields as Record<string, unknown>;
}

function writeEntry(
  shared: Shared,
  level: LogLevel,
  msg: string,
  bindings: Record<string, unknown>,
  fields: Record<string, unknown> | undefined,
): void {
  const { redactor } = shared;
  const now = new Date();
  const entry: Record<string, unknown> = {
    time: now.toISOString(),
    level,
    msg: redactor.redactString(typeof msg === 'string' ? msg : String(msg)),
  };
  const extra = redactor.redactFields({ ...bindings, ...normaliseFields(fields) });
  for (const [k, v] of Object.entries(extra)) {
    entry[RESERVED.has(k) ? `field_${k}` : k] = v;
  }

  if (shared.file !== null) {
    shared.file.write(JSON.stringify(entry) + '\n');
  }
  if (shared.console !== null) {
    try {
      shared.console.write(formatConsoleLine(now, level, entry['msg'] as string, extra) + '\n');
    } catch {
      // a broken console sink must not break logging
    }
  }
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `HH:MM:SS LEVEL msg key=value …` in local time, on one line. Fields are already redacted. */
export function formatConsoleLine(
  time: Date,
  level: LogLevel,
  msg: string,
  fields: Record<string, unknown>,
): string {
  const hhmmss = `${pad2(time.getHours())}:${pad2(time.getMinutes())}:${pad2(time.getSeconds())}`;
  const parts = [hhmmss, level.toUpperCase().padEnd(5), oneLine(msg)];
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    parts.push(`${oneLine(k)}=${consoleValue(v)}`);
  }
  return parts.join(' ');
}

function oneLine(s: string): string {
  return s.replace(/\r\n|\r|\n/g, '\\n');
}

function consoleValue(v: unknown): string {
  if (typeof v === 'string') {
    return v === REDACTED || /^[^\s"=\\]+$/.test(v) ? v : JSON.stringify(v);
  }
  if (isSerializedError(v)) return JSON.stringify(`${v.name}: ${v.message}`);
  return JSON.stringify(v) ?? String(v);
}

function isSerializedError(v: unknown): v is { name: string; message: string } {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r['name'] === 'string' &&
    typeof r['message'] === 'string' &&
    typeof r['stack'] === 'string'
  );
}
