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
import type { DetectSettings } from '../api/contract';
import {
  ChatSocket,
  InputFileError,
  parseChat,
  parseChatUrl,
  parseConfig,
  parseMarks,
  readSmallText,
} from '../detect/inputs';
import { LexiconError, parseLexicon } from '../detect/lexicon';
import { PRESETS } from '../detect/presets';
import type { ChatMsg, Mark } from '../detect/types';
import {
  parsePublishConfig,
  parseTargetSpec,
  type PublishConfig,
  secretEnvName,
  TargetError,
  type TargetSpec,
} from '../publish';
import type { ProcessCommand } from './args';

export const EXIT_USAGE = 2;
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
  /** --asr naming a recognizer: run that one instead of the `asr.recognizer` setting. */
  let asrModel: string | null = null;
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
    if (entry.kind === 'streaming-transducer' || entry.kind === 'offline-sensevoice')
      asrModel = opts.asr;
  }
  let sideInputs: SideInputs;
  let publishPlan: PublishPlan;
  try {
    const configText = opts.config !== null ? readSmallText(opts.config) : null;
    sideInputs = readSideInputs(opts, configText);
    publishPlan = readPublishPlan(opts, configText);
  } catch (err) {
    say(`liveslice: ${err instanceof Error ? err.message : String(err)}`);
    return err instanceof TargetError ? EXIT_USAGE : EXIT_INPUT;
  }
  const logger = createLogger({ dir: join(dataDir, 'logs'), level: opts.logLevel, console: true });
  let engine: Engine | null = null;
  try {
    engine = createEngine({
      dataDir,
      logger,
      transport: 'websocket',
      clipsDir: () => join(out, 'clips'),
      ...(publishPlan.specs.length ? { autoPublishTo: publishPlan.ids } : {}),
    });
    const eng = engine;
    await eng.ready;
    try {
      applyPublishPlan(eng, publishPlan);
    } catch (err) {
      say(`liveslice: --publish: ${err instanceof Error ? err.message : String(err)}`);
      return EXIT_USAGE;
    }
    if (asrModel !== null) {
      eng.recognizer.useModel(asrModel);
      await eng.recognizer.init();
      const rec = eng.recognizer.status();
      if (!rec.enabled && opts.transcript === null) {
        say(`liveslice: --asr ${asrModel}: the recognizer cannot run: ${rec.reason ?? 'unknown'}`);
        return 1;
      }
    }
    try {
      eng.detect.useOverrides(sideInputs.detect(eng.store.settings.getAll()['detect.settings']));
    } catch (err) {
      say(`liveslice: ${err instanceof Error ? err.message : String(err)}`);
      return EXIT_INPUT;
    }
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
    const recognizer = eng.recognizer.status();
    if (opts.transcript !== null) {
      if (asrModel !== null) say(`liveslice: --asr ${asrModel} not used: --transcript replaces it`);
    } else if (recognizer.enabled) {
      say(`liveslice: transcribing with ${recognizer.model ?? 'the recognizer'}`);
    } else {
      say(
        `liveslice: transcription skipped: ${recognizer.reason ?? 'no speech recognizer'}; ` +
          'or give a .vtt/.srt with --transcript',
      );
    }
    const sid = session.id;
    eng.detect.feedOnClock(sid, { marks: sideInputs.marks, chat: sideInputs.chat });
    const chatSocket = sideInputs.chatUrl
      ? new ChatSocket(
          sideInputs.chatUrl,
          () => eng.ingest.status(sid).mediaTimeS,
          (m) => eng.detect.chat(sid, m),
          (problem) => logger.warn(problem),
        )
      : null;
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

    chatSocket?.close();
    // The speech stages finish what they heard (the recognizer's last finals) before the outputs.
    await Promise.all([eng.keywords.endSession(session.id), eng.recognizer.endSession(session.id)]);
    eng.detect.endSession(session.id);
    const skippedMarks = eng.detect.unreleasedMarks(session.id);
    if (skippedMarks > 0)
      say(`liveslice: ${skippedMarks} mark(s) lie after the end of the media and were skipped`);
    const highlights = eng.store.highlights.list(session.id);
    writeFileSync(
      join(out, 'highlights.jsonl'),
      highlights
        .map((h) =>
          JSON.stringify({
            id: h.id,
            start: h.start,
            end: h.end,
            score: Math.round(h.score * 1000) / 1000,
            reasons: h.reasons.map((r) => r.text),
            text: h.text,
          }),
        )
        .join('\n') + (highlights.length ? '\n' : ''),
    );
    // Every highlight's clip: those still rendering finish now (closing windows fed their ends).
    try {
      await eng.clips.settle(session.id);
    } catch (err) {
      say(`liveslice: ${err instanceof Error ? err.message : String(err)}`);
    }
    const clips = eng.clips.list(session.id).filter((c) => c.state === 'ready');
    const failedClips = eng.clips.list(session.id).filter((c) => c.state === 'failed');
    for (const c of failedClips)
      say(`liveslice: clip ${c.id} failed: ${c.error ?? 'unknown error'}`);
    // Safety checks, then (with --publish) the uploads of every clip that passed.
    try {
      await eng.review.settle();
      if (publishPlan.specs.length) await eng.publish.waitIdle();
    } catch (err) {
      say(`liveslice: ${err instanceof Error ? err.message : String(err)}`);
    }
    const heldBack = eng.review.heldBack(session.id);
    for (const h of heldBack) say(`liveslice: clip ${h.id} held back: ${h.reason}`);
    const publications = eng.publish
      .list()
      .filter((p) => clips.some((c) => c.id === p.clipId) && publishPlan.ids.includes(p.targetId));
    for (const p of publications.filter((x) => x.state === 'failed'))
      say(`liveslice: publishing ${p.clipId} to ${p.targetName} failed: ${p.error ?? 'unknown'}`);
    for (const c of clips) {
      const h = eng.store.highlights.get(c.highlightId);
      const timings = eng.clips.timings(c.id);
      const item = eng.review.item(c.id);
      writeFileSync(
        join(out, 'clips', `${c.id}.json`),
        `${JSON.stringify(
          {
            id: c.id,
            highlight_id: c.highlightId,
            start: c.start,
            end: c.end,
            duration_s: c.durationS,
            file: `${c.id}.mp4`,
            prompt: item.prompt?.text ?? null,
            title: item.prompt?.title ?? null,
            quality: item.quality,
            safety: { state: item.safety.state, reasons: item.safety.reasons },
            publications: item.publications
              .filter((p) => publishPlan.ids.includes(p.targetId))
              .map((p) => ({ target: p.targetId, state: p.state, url: p.url, error: p.error })),
            engine: 'clip',
            encoder: c.encoder,
            output: c.output,
            reframe: c.reframe,
            caption_style: c.captionStyle,
            score: h?.score ?? null,
            reasons: h?.reasons.map((r) => r.text) ?? [],
            text: h?.text ?? '',
            timings_ms: { detect: h?.delayMs ?? null, ...timings },
            latency_ms: c.latencyMs,
          },
          null,
          2,
        )}\n`,
      );
    }
    const latencies = clips
      .map((c) => c.latencyMs)
      .filter((x): x is number => x !== null)
      .sort((a, b) => a - b);
    const pct = (q: number, xs: number[] = latencies): number | null =>
      xs.length ? xs[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)]! : null;
    // Moment → published: from the ingest receiving the window's end to the clip's last target done.
    const published = clips
      .flatMap((c) => {
        const done = publications.filter((p) => p.clipId === c.id && p.state === 'done');
        const job = eng.clips.job(c.id);
        if (!done.length || done.length < publishPlan.ids.length || c.latencyMs === null) return [];
        if (!job?.finishedAt) return [];
        const momentAt = job.finishedAt - c.latencyMs;
        return [Math.max(...done.map((p) => p.updatedAt)) - momentAt];
      })
      .sort((a, b) => a - b);
    const status = eng.ingest.status(session.id);
    const media = eng.ingest.media(session.id);
    const lines = eng.store.transcript
      .list(session.id, -1, 1_000_000)
      .map((u) => JSON.stringify({ start: u.start, end: u.end, text: u.text }));
    writeFileSync(join(out, 'transcript.jsonl'), lines.length ? `${lines.join('\n')}\n` : '');
    // The model verified, but the recognizer could not load it (or kept dying while loading).
    const recognizerFailed =
      opts.transcript === null && recognizer.enabled && !eng.recognizer.status().enabled;
    const report = {
      clips: clips.length,
      moment_to_clip_ms: { p50: pct(0.5), p95: pct(0.95) },
      held_back: heldBack,
      ...(publishPlan.specs.length
        ? {
            published: new Set(publications.filter((p) => p.state === 'done').map((p) => p.clipId))
              .size,
            moment_to_published_ms: { p50: pct(0.5, published), p95: pct(0.95, published) },
            publications: publications.map((p) => ({
              clip: p.clipId,
              target: p.targetId,
              kind: p.kind,
              state: p.state,
              url: p.url,
              error: p.error,
              bytes: p.bytes,
            })),
          }
        : {}),
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
      highlights: highlights.map((h) => ({
        id: h.id,
        start: h.start,
        end: h.end,
        score: h.score,
        category: h.category,
        delay_ms: h.delayMs,
      })),
      marks: eng.store.highlights.marks(session.id).length,
      stages: {
        ingest: 'done',
        keyword_spotting: eng.keywords.status().enabled
          ? 'on'
          : `off: ${eng.keywords.status().reason ?? ''}`,
        transcription:
          opts.transcript !== null
            ? `timed text: ${opts.transcript}`
            : recognizerFailed
              ? `failed: ${eng.recognizer.status().reason ?? 'the recognizer stopped'}`
              : recognizer.enabled
                ? `recognizer: ${recognizer.model ?? ''}`
                : `skipped: ${recognizer.reason ?? 'no recognizer'}`,
        detection: `${highlights.length} highlight(s), preset ${eng.detect.currentSettings().preset}`,
        clips: `${clips.length} rendered${failedClips.length ? `, ${failedClips.length} failed` : ''}`,
        safety: `${heldBack.length} held back`,
        publish: publishPlan.specs.length
          ? `${publications.filter((p) => p.state === 'done').length} of ${publications.length} publication(s) done`
          : 'off (no --publish)',
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
    if (recognizerFailed) {
      say(`liveslice: transcription failed: ${eng.recognizer.status().reason ?? 'unknown error'}`);
      if (asrModel !== null) return EXIT_MODEL;
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

interface PublishPlan {
  specs: TargetSpec[];
  /** Target ids to publish to, in --publish order. */
  ids: string[];
  config: PublishConfig | null;
}

/** --publish specs and the config file's "publish" section, checked before anything starts. */
function readPublishPlan(opts: ProcessOptions, configText: string | null): PublishPlan {
  const specs = opts.publish.map((s) => parseTargetSpec(s));
  let config: PublishConfig | null = null;
  // readSideInputs has already refused a config that is not JSON.
  if (opts.config !== null && configText !== null) {
    const raw = (JSON.parse(configText) as { publish?: unknown }).publish;
    if (raw !== undefined) {
      try {
        config = parsePublishConfig(raw);
      } catch (err) {
        throw new InputFileError(opts.config, null, `publish: ${(err as Error).message}`);
      }
    }
  }
  const ids = [...new Set(specs.map((s) => ('target' in s ? s.target.id : s.ref)))];
  return { specs, ids, config };
}

/**
 * Saves the run's targets (disabled, so the app does not publish to them on its own) and puts
 * the config file's secrets in this process's environment only (LIVESLICE_SECRET_<ID>): they
 * are never written to the database or a log.
 */
function applyPublishPlan(eng: Engine, plan: PublishPlan): void {
  for (const t of plan.config?.targets ?? []) eng.publish.saveTarget({ ...t, enabled: false });
  for (const [id, secret] of Object.entries(plan.config?.secrets ?? {}))
    process.env[secretEnvName(id)] = secret;
  const known = new Map(eng.publish.targets().map((t) => [t.id, t]));
  for (const spec of plan.specs) {
    if ('target' in spec) {
      eng.publish.saveTarget({ ...spec.target, enabled: false });
      continue;
    }
    const t = known.get(spec.ref);
    if (!t)
      throw new TargetError(
        `no publish target "${spec.ref}" (save it in the app or list it in --config's "publish")`,
      );
    if (spec.kind !== null && t.kind !== spec.kind)
      throw new TargetError(`target "${spec.ref}" is a ${t.kind} target, not ${spec.kind}`);
  }
}

interface SideInputs {
  marks: Mark[];
  chat: ChatMsg[];
  chatUrl: URL | null;
  /** Settings and lexicon for this run, on top of the data directory's. */
  detect(base: DetectSettings): { settings?: DetectSettings; lexicon?: unknown };
}

/** --preset, --config, --lexicon, --marks and --chat, read and checked before anything starts. */
function readSideInputs(opts: ProcessOptions, config: string | null): SideInputs {
  let lexicon: unknown;
  if (opts.lexicon !== null) {
    const text = readSmallText(opts.lexicon);
    try {
      lexicon = parseLexicon(JSON.parse(text));
    } catch (err) {
      if (err instanceof SyntaxError)
        throw new InputFileError(opts.lexicon, null, `not valid JSON (${err.message})`);
      if (err instanceof LexiconError) throw new InputFileError(opts.lexicon, null, err.message);
      throw err;
    }
  }
  let chat: ChatMsg[] = [];
  let chatUrl: URL | null = null;
  if (opts.chat !== null) {
    if (/^wss?:/i.test(opts.chat)) chatUrl = parseChatUrl(opts.chat);
    else chat = parseChat(opts.chat, readSmallText(opts.chat));
  }
  const marks = opts.marks !== null ? parseMarks(opts.marks, readSmallText(opts.marks)) : [];
  const check = (base: DetectSettings) => {
    const start = opts.preset !== null ? PRESETS[opts.preset] : base;
    const parsed = config !== null ? parseConfig(opts.config!, config, start) : null;
    const lex = lexicon ?? parsed?.lexicon;
    if (lex !== undefined && lexicon === undefined) {
      try {
        parseLexicon(lex);
      } catch (err) {
        if (err instanceof LexiconError) throw new InputFileError(opts.config!, null, err.message);
        throw err;
      }
    }
    const settings = parsed?.detect ?? (opts.preset !== null ? start : undefined);
    return { ...(settings ? { settings } : {}), ...(lex !== undefined ? { lexicon: lex } : {}) };
  };
  // Check the config now (against the defaults), so a bad one fails before ingest starts.
  if (config !== null) check(PRESETS['e-commerce']);
  return { marks, chat, chatUrl, detect: check };
}
