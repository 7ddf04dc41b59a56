/**
 * The SRT push listener: ffmpeg listens for an SRT caller (OBS) with the app's passphrase (libsrt
 * refuses a wrong one during the handshake) and relays the stream, unchanged, into the loopback
 * RTMP listener under the stream key — so an SRT push becomes an ordinary publish there.
 * One connection per ffmpeg process: the relay re-arms after each one.
 */
import { startProcess, type FfmpegProcess } from '../ffmpeg/run';
import type { ListenerLogger } from './rtmp-listener';

export interface SrtRelay {
  readonly port: number;
  url(): string;
  listening(): boolean;
  error(): string | null;
  setPassphrase(passphrase: string, rtmpTarget: string): void;
  close(): Promise<void>;
}

export function srtListenUrl(host: string, port: number, passphrase: string): string {
  return `srt://${host}:${port}?mode=listener&passphrase=${encodeURIComponent(passphrase)}&pbkeylen=16&latency=200000`;
}

export function startSrtRelay(opts: {
  ffmpeg: string;
  host?: string;
  port: number;
  passphrase: string;
  rtmpTarget: string;
  logger: ListenerLogger;
}): SrtRelay {
  const host = opts.host ?? '127.0.0.1';
  let passphrase = opts.passphrase;
  let target = opts.rtmpTarget;
  let proc: FfmpegProcess | null = null;
  let closed = false;
  let lastError: string | null = null;
  let quickFailures = 0;

  const arm = (): void => {
    if (closed) return;
    const started = Date.now();
    const p = startProcess({
      bin: opts.ffmpeg,
      args: [
        '-hide_banner',
        '-loglevel',
        'error',
        '-nostats',
        '-analyzeduration',
        '1000000',
        '-fflags',
        'nobuffer',
        '-protocol_whitelist',
        'srt,udp',
        '-i',
        srtListenUrl(host, opts.port, passphrase),
        '-map',
        '0',
        '-c',
        'copy',
        '-f',
        'flv',
        '-flvflags',
        'no_duration_filesize',
        target,
      ],
      stdout: 'ignore',
      lowPriority: true,
    });
    proc = p;
    p.done.then(
      (exit) => {
        if (proc === p) proc = null;
        if (closed) return;
        const quick = Date.now() - started < 1000;
        quickFailures = quick ? quickFailures + 1 : 0;
        if (quick && exit.code !== 0) {
          lastError =
            exit.stderrTail.trim().split('\n').pop()?.slice(0, 200) ?? 'ffmpeg SRT listener failed';
          opts.logger.warn('SRT listener failed', { error: lastError });
        } else {
          lastError = null;
        }
        const t = setTimeout(
          arm,
          quickFailures > 0 ? Math.min(30_000, 500 * 2 ** quickFailures) : 200,
        );
        t.unref();
      },
      (err: unknown) => {
        lastError = err instanceof Error ? err.message : String(err);
        opts.logger.warn('SRT listener could not start', { error: lastError });
      },
    );
  };
  arm();

  return {
    port: opts.port,
    url: () =>
      `srt://${host}:${opts.port}?mode=caller&passphrase=${encodeURIComponent(passphrase)}&pbkeylen=16`,
    listening: () => proc !== null && lastError === null,
    error: () => lastError,
    setPassphrase(next, nextTarget) {
      passphrase = next;
      target = nextTarget;
      void proc?.stop(); // re-arms with the new passphrase
    },
    async close() {
      closed = true;
      await proc?.stop();
    },
  };
}
