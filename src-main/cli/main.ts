/** The `liveslice` command. Bundled to out/main/cli.js; the package bin (bin.cjs) loads it. */
import { join } from 'node:path';
import { ensureDataDir, defaultDataDir } from '../config/paths';
import { APP_VERSION, createEngine } from '../engine';
import { HostError, startHost } from '../host/server';
import { createLogger } from '../log/logger';
import { StoreError } from '../store';
import { parseCli, USAGE } from './args';
import { runModels } from './models';
import { runGenerate } from './generate';
import { runProcess } from './process';

export const EXIT = { ok: 0, failed: 1, badArgs: 2 } as const;

export async function main(argv: readonly string[]): Promise<number> {
  const cmd = parseCli(argv);
  switch (cmd.kind) {
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    case 'version':
      process.stdout.write(`${APP_VERSION}\n`);
      return EXIT.ok;
    case 'error':
      process.stderr.write(`liveslice: ${cmd.message} (see liveslice --help)\n`);
      return EXIT.badArgs;
    case 'serve':
      return serve(cmd);
    case 'process':
      return runProcess(cmd);
    case 'generate': {
      const controller = new AbortController();
      const onSignal = (): void => controller.abort();
      process.once('SIGINT', onSignal);
      try {
        return await runGenerate(cmd.argv, (line) => process.stderr.write(`${line}\n`), {
          signal: controller.signal,
        });
      } finally {
        process.off('SIGINT', onSignal);
      }
    }
    case 'models': {
      const controller = new AbortController();
      const onSignal = (): void => controller.abort();
      process.once('SIGINT', onSignal);
      try {
        return await runModels(cmd.argv, {
          dataDir: defaultDataDir({}),
          say: (line) => process.stderr.write(`${line}\n`),
          out: (line) => process.stdout.write(`${line}\n`),
          signal: controller.signal,
        });
      } finally {
        process.off('SIGINT', onSignal);
      }
    }
  }
}

async function serve(
  cmd: Extract<ReturnType<typeof parseCli>, { kind: 'serve' }>,
): Promise<number> {
  let dataDir: string;
  try {
    dataDir = ensureDataDir(cmd.dataDir ?? defaultDataDir({}));
  } catch (err) {
    process.stderr.write(`liveslice: ${messageOf(err)}\n`);
    return EXIT.failed;
  }
  const logger = createLogger({ dir: join(dataDir, 'logs'), level: cmd.logLevel, console: true });
  let engine: ReturnType<typeof createEngine> | null = null;
  try {
    engine = createEngine({ dataDir, logger, transport: 'websocket', listen: true });
    await engine.ready;
    const host = await startHost({
      engine,
      rendererDir: join(__dirname, '..', 'renderer'),
      host: cmd.host,
      port: cmd.port,
      allowRemote: cmd.allowRemote,
    });
    process.stdout.write(
      `LiveSlice ${APP_VERSION} is running.\n` +
        `Open the operator UI: ${host.url}\n` +
        `Data directory: ${dataDir}\n` +
        `OBS push: ${pushLine(engine)}\n` +
        'Press Ctrl+C to stop.\n',
    );
    await waitForSignal();
    process.stdout.write('Stopping…\n');
    await host.close();
    return EXIT.ok;
  } catch (err) {
    const known = err instanceof HostError || err instanceof StoreError;
    process.stderr.write(
      `liveslice: ${known ? messageOf(err) : `serve failed: ${messageOf(err)}`}\n`,
    );
    if (!known) logger.error('serve failed', { error: err });
    return EXIT.failed;
  } finally {
    await engine?.close();
    logger.close();
  }
}

function pushLine(engine: ReturnType<typeof createEngine>): string {
  const e = engine.ingest.endpoints().rtmp;
  return e.listening
    ? `${e.serverUrl} (Custom service; the stream key is shown in the UI)`
    : `not available — ${e.error ?? 'unknown error'}`;
}

function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Entry used by the package bin (src-main/cli/bin.cjs). */
export function run(): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`liveslice: ${messageOf(err)}\n`);
      process.exitCode = EXIT.failed;
    },
  );
}
