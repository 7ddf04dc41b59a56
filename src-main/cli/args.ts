/** Parses the `liveslice` command line. Pure: no I/O, so every case is a table test. */
import { parseArgs } from 'node:util';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type Command =
  | { kind: 'help'; topic: string | null }
  | { kind: 'version' }
  | {
      kind: 'serve';
      port: number;
      host: string;
      allowRemote: boolean;
      dataDir: string | null;
      logLevel: LogLevel;
    }
  | { kind: 'error'; message: string };

export const COMMANDS = ['serve'] as const;

export const USAGE = `liveslice — live-stream highlights, transcribed, detected and clipped on your own machine

Usage:
  liveslice serve [--port N] [--data-dir DIR] [--host ADDR --allow-remote] [--log-level LEVEL]
  liveslice --help | --version

Commands:
  serve     Run the engine with the operator UI for a browser. Listens on 127.0.0.1 and prints
            the URL to open, access token included. Ctrl+C stops it.

Options:
  --port N          TCP port for serve (default 4817; 0 picks a free one)
  --data-dir DIR    Where sessions, settings, logs and models live (default: the same per-user
                    directory the desktop app uses; env LIVESLICE_DATA_DIR also sets it)
  --host ADDR       Address to listen on (default 127.0.0.1). Anything but loopback also needs
                    --allow-remote: whoever reaches it with the token controls the engine.
  --log-level L     debug | info | warn | error (default info)
  -h, --help        This help
  -v, --version     Print the version

Exit status: 0 done, 1 failed while running, 2 bad arguments.`;

export const DEFAULT_PORT = 4817;

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export function parseCli(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    return { kind: 'help', topic: first === 'help' ? (rest[0] ?? null) : null };
  }
  if (first === '-v' || first === '--version') {
    return rest.length
      ? bad(`--version takes no arguments, got '${rest[0]}'`)
      : { kind: 'version' };
  }
  if (first.startsWith('-')) return bad(`unknown option '${first}' (a command comes first)`);
  if (first !== 'serve')
    return bad(`unknown command '${first}' (commands: ${COMMANDS.join(', ')})`);

  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...rest],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'allow-remote': { type: 'boolean' },
        'data-dir': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    return bad(`serve: ${cleanParseError(err)}`);
  }
  if (values['help']) return { kind: 'help', topic: 'serve' };

  const portText = values['port'];
  let port = DEFAULT_PORT;
  if (typeof portText === 'string') {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
      return bad(`--port must be a whole number from 0 to 65535, got '${portText}'`);
    }
    port = Number(portText);
  }
  const host = typeof values['host'] === 'string' ? values['host'].trim() : '127.0.0.1';
  if (host === '') return bad('--host cannot be empty');
  const dataDir = typeof values['data-dir'] === 'string' ? values['data-dir'] : null;
  if (dataDir !== null && (dataDir.trim() === '' || dataDir.includes('\0'))) {
    return bad('--data-dir must be a directory path');
  }
  const level = values['log-level'] ?? 'info';
  if (typeof level !== 'string' || !(LOG_LEVELS as readonly string[]).includes(level)) {
    return bad(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${String(level)}'`);
  }
  return {
    kind: 'serve',
    port,
    host,
    allowRemote: values['allow-remote'] === true,
    dataDir,
    logLevel: level as LogLevel,
  };
}

function bad(message: string): Command {
  return { kind: 'error', message };
}

function cleanParseError(err: unknown): string {
  // Node's messages run over several lines and suggest '--' separators: keep the first line.
  const msg = err instanceof Error ? err.message : String(err);
  return (msg.split('\n')[0] ?? msg).replace(/\.$/, '');
}
