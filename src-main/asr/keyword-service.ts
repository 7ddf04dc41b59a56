/**
 * Keyword spotting on every live session's audio: the PCM tap → one KWS worker per session →
 * `asr.keyword` events and stored hits. Runs only when the KWS model is installed and verified
 * (size + sha256 + not an LFS pointer) — a corrupt model never reaches the native loader — and
 * works without any full recognizer.
 */
import { readFileSync } from 'node:fs';
import type { EventBus } from '../api/events';
import type { Logger } from '../log/logger';
import { requireVerifiedModel } from '../models';
import type { Store } from '../store';
import { type KeywordPhrase, keywordLines, readTokens } from './keywords';
import { KwsHost } from './kws-host';
import { type PcmChunkLike, SampleAligner } from './pcm';

export const KWS_MODEL_ID = 'kws-zh-wenetspeech-3.3m-mobile';

/** The default e-commerce triggers the spotter listens for (the detector's lexicon takes over later). */
export const DEFAULT_TRIGGERS: readonly KeywordPhrase[] = [
  { text: '最后三分钟', boost: 3, threshold: 0.1 },
  { text: '最后一分钟', boost: 3, threshold: 0.1 },
  { text: '全场五折', boost: 3, threshold: 0.1 },
  { text: '买爆了', boost: 2, threshold: 0.25 },
  { text: '卖爆了', boost: 2, threshold: 0.25 },
  { text: '秒杀', boost: 2, threshold: 0.25 },
  { text: '半价', boost: 2, threshold: 0.25 },
  { text: '倒计时', boost: 2, threshold: 0.25 },
  { text: '点击下方链接', boost: 2, threshold: 0.2 },
];

export class KeywordService {
  private readonly hosts = new Map<string, KwsHost>();
  private readonly aligner = new SampleAligner();
  private readonly ending = new Map<string, Promise<void>>();
  private model: { files: Record<string, string>; lines: string[] } | null = null;
  private reason: string | null = 'not checked yet';

  constructor(
    private readonly deps: {
      dataDir: string;
      store: Store;
      bus: EventBus;
      logger: Logger;
      workerPath: string | null;
      triggers?: readonly KeywordPhrase[];
    },
  ) {}

  /** Verifies the installed model once; keyword spotting stays off (with the reason) otherwise. */
  async init(): Promise<void> {
    if (!this.deps.workerPath) {
      this.reason = 'the keyword worker is not built (npm run build)';
      return;
    }
    try {
      const { files } = await requireVerifiedModel(this.deps.dataDir, KWS_MODEL_ID);
      const tokens = readTokens(readFileSync(files['tokens.txt']!, 'utf8'));
      const { lines, rejected } = keywordLines(this.deps.triggers ?? DEFAULT_TRIGGERS, tokens);
      for (const r of rejected)
        this.deps.logger.warn('keyword not usable with the KWS model', { ...r });
      this.model = { files, lines };
      this.reason = null;
      this.deps.logger.info('keyword spotting on', { model: KWS_MODEL_ID, keywords: lines.length });
    } catch (err) {
      this.reason = err instanceof Error ? err.message : String(err);
      this.deps.logger.info('keyword spotting off', { reason: this.reason });
    }
  }

  status(): { enabled: boolean; reason: string | null } {
    return { enabled: this.model !== null, reason: this.reason };
  }

  push(chunk: PcmChunkLike): void {
    if (!this.model || !this.deps.workerPath) return;
    let host = this.hosts.get(chunk.sessionId);
    if (!host) {
      const sessionId = chunk.sessionId;
      const f = this.model.files;
      host = new KwsHost({
        workerPath: this.deps.workerPath,
        model: {
          encoder: pick(f, 'encoder'),
          decoder: pick(f, 'decoder'),
          joiner: pick(f, 'joiner'),
          tokens: f['tokens.txt']!,
        },
        keywords: this.model.lines,
        onKeyword: (hit) => {
          this.deps.store.keywords.add(sessionId, hit);
          this.deps.bus.emit('asr.keyword', { sessionId, keyword: hit.keyword, at: hit.at });
        },
        onProblem: (message) => this.deps.logger.warn('keyword spotter', { sessionId, message }),
      });
      host.whenReady().catch((err: unknown) => {
        this.deps.logger.error('keyword spotter could not start', {
          sessionId,
          error: String(err),
        });
      });
      this.hosts.set(sessionId, host);
    }
    const whole = this.aligner.take(chunk);
    if (whole) host.push(whole.samples, whole.mediaTime);
  }

  /** The session's audio is over: let the spotter finish, then stop its worker (idempotent). */
  endSession(sessionId: string): Promise<void> {
    const inFlight = this.ending.get(sessionId);
    if (inFlight) return inFlight;
    const host = this.hosts.get(sessionId);
    if (!host) return Promise.resolve();
    this.hosts.delete(sessionId);
    this.aligner.forget(sessionId);
    const done = (async () => {
      try {
        await host.drain(15_000);
      } catch (err) {
        this.deps.logger.warn('keyword spotter did not finish', { sessionId, error: String(err) });
      }
      await host.close();
    })().finally(() => this.ending.delete(sessionId));
    this.ending.set(sessionId, done);
    return done;
  }

  hits(sessionId: string): Array<{ keyword: string; at: number }> {
    return this.deps.store.keywords.list(sessionId);
  }

  async close(): Promise<void> {
    await Promise.all([...this.hosts.keys()].map((id) => this.endSession(id)));
    await Promise.all([...this.ending.values()]);
  }
}

function pick(files: Record<string, string>, part: string): string {
  const name = Object.keys(files).find((n) => n.startsWith(`${part}-`) && n.endsWith('.onnx'));
  if (!name) throw new Error(`the KWS model has no ${part} file`);
  return files[name]!;
}
