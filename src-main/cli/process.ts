/**
 * `liveslice process <input> --out <dir>`: the pipeline, headless, on a file or a pull URL.
 * Stages that are not built yet write honest empty outputs (and say so once); the ingest runs
 * for real and its facts go into report.json.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ApiError, type IngestSourceInput } from '../api/contract';
import { defaultDataDir, ensureDataDir } from '../config/paths';
import { createEngine, type Engine } from '../engine';
import { classifyInput, InputError } from '../ingest/args';
import { createLogger } from '../log/logger';
import { findModel, getManifest, ModelError, requireVerifiedModel } from '../models';
import type { ProcessCommand } from './args';

export const EXIT_INPUT = 3;
export const EXIT_MODEL = 4;

export type ProcessOptions = Omit<ProcessCommand, 'kind'>;

type Say = (line: string) => void;

export async function runProcess(
  opts: ProcessOptions,
  say: Say = (l) => process.stderr.write(`${l}\n`),
): Promise<number> {
  let source: IngestSourceInput;
  try {
    const input = classifyInput(opts.input, opts.realtime);
    if (input.kind === 'file' && !existsSync(input.path)) {
      say(`liveslice: cannot open ${input.path}: no such file`);
      return EXIT_INPUT;
    }
    source =
      input.kind === 'file'
        ? { kind: 'file', path: input.path, realtime: input.realtime }
        : { kind: 'url', url: input.url };
  } catch (err) {
    say(`liveslice: ${err instanceof InputError ? err.message : String(err)}`);
    return EXIT_INPUT;
  }
  const out = resolve(opts.out);
  let dataDir: string;
  try {
    mkdirSync(join(out, 'clips'), { recursive: true });
    dataDir = ensureDataDir(opts.dataDir ?? defaultDataDir({}));
  } catch (err) {
    say(`liveslice: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  let recognizerNote: string | null = null;
  if (opts.asr !== null) {
    const entry = findModel(opts.asr, getManifest());
    if (!entry) {
      say(`liveslice: --asr ${opts.asr}: no such model (see liveslice models list)`);
      return EXIT_MODEL;
    }
    try {
      await requireVerifiedModel(dataDir, opts.asr);
    } catch (err) {
      say(`liveslice: --asr ${opts.asr}: ${err instanceof ModelError ? err.message : String(err)}`);
      return EXIT_MODEL;
    }
    if (entry.kind !== 'kws') {
      recognizerNote = `${opts.asr} is installed and verified, but running a full recognizer is not built into this version yet`;
    }
  }
  const logger = createLogger({ dir: join(dataDir, 'logs'), level: opts.logLevel, console: true });
  let engine: Engine | null = null;
  try {
    engine = createEngine({ dataDir, logger, transport: 'websocket' });
    const eng = engine;
    await eng.ready;
    let session;
    if (opts.transcript !== null && !existsSync(opts.transcript)) {
      say(`liveslice: cannot open the transcript ${opts.transcript}: no such file`);
      return EXIT_INPUT;
    }
    try {
      session = await eng.ingest.start({
        source,
        ...(opts.transcript !== null ? { transcript: resolve(opts.transcript) } : {}),
      });
    } catch (err) {
      if (err instanceof ApiError && (err.code === 'bad_request' || err.code === 'unavailable')) {
        say(
          /subtitles/i.test(err.message)
            ? `liveslice: ${err.message}`
            : `liveslice: cannot read ${opts.input}: ${err.message}`,
        );
        return err.message.includes('ffmpeg') && err.message.includes('not found') ? 1 : EXIT_INPUT;
      }
      throw err;
    }
    if (recognizerNote) say(`liveslice: transcription skipped: ${recognizerNote}`);
    else if (opts.transcript === null) {
      say(
        'liveslice: transcription skipped: no speech recognizer is installed and no --transcript was given ' +
          '(give a .vtt/.srt with --transcript; on-device recognizers arrive with the model manager)',
      );
    }
    const ingest = eng.ingest.activeIngest(session.id);
    let stopReason: string | null = null;
    const stop = (why: string): void => {
      if (stopReason) return;
      stopReason = why;
      void eng.ingest.stop(session.id);
    };
    const onSignal = (): void => stop('interrupted');
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const timer =
      opts.durationS === null
        ? null
        : setInterval(() => {
            if (eng.ingest.status(session.id).mediaTimeS >= opts.durationS!) stop('duration');
          }, 100);
    await ingest?.whenEnded();
    if (timer) clearInterval(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);

    await eng.keywords.endSession(session.id);
    const status = eng.ingest.status(session.id);
    const media = eng.ingest.media(session.id);
    const lines = eng.store.transcript
      .list(session.id, -1, 1_000_000)
      .map((u) => JSON.stringify({ start: u.start, end: u.end, text: u.text }));
    writeFileSync(join(out, 'transcript.jsonl'), lines.length ? `${lines.join('\n')}\n` : '');
    writeFileSync(join(out, 'highlights.jsonl'), '');
    const report = {
      clips: 0,
      moment_to_clip_ms: { p50: null, p95: null },
      held_back: [],
      input: opts.input,
      session: { id: session.id, dataDir, playlist: media.playlist },
      ingest: {
        state: status.state,
        code: status.code,
        message: status.message,
        stoppedBy: stopReason,
        mediaTimeS: status.mediaTimeS,
        segments: status.segments,
        bytes: status.bytes,
        runs: status.runs,
        markers: media.markers.map(({ sessionId: _s, ...m }) => m),
      },
      keywords: eng.keywords.hits(session.id),
      stages: {
        ingest: 'done',
        keyword_spotting: eng.keywords.status().enabled
          ? 'on'
          : `off: ${eng.keywords.status().reason ?? ''}`,
        transcription:
          opts.transcript === null
            ? 'skipped: no recognizer installed and no --transcript'
            : `timed text: ${opts.transcript}`,
        detection: 'not available in this version',
        clips: 'not available in this version',
      },
    };
    writeFileSync(join(out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
    say(
      `liveslice: ingested ${status.mediaTimeS.toFixed(1)} s (${status.segments} segments) into session ${session.id}; outputs in ${out}`,
    );
    if (status.state === 'failed') {
      say(`liveslice: the input stopped being readable: ${status.message ?? 'unknown error'}`);
      return EXIT_INPUT;
    }
    return 0;
  } catch (err) {
    say(`liveslice: process failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await engine?.close();
    logger.close();
  }
}
