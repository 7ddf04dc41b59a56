/**
 * The engine: everything LiveSlice does, as plain Node. The Electron shell, the headless host
 * and the CLI each create one and put a transport in front of it.
 */
import { existsSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import { version } from '../package.json';
import type { Clip, UiLanguage } from './api/contract';
import type { Handlers } from './api/dispatch';
import { createEventBus, type EventBus } from './api/events';
import { createHandlers } from './api/handlers';
import { resolveFfmpeg } from './ffmpeg/resolve';
import { KeywordService } from './asr/keyword-service';
import { RecognizerService } from './asr/recognizer-service';
import { ClipService } from './clips/service';
import { DetectService } from './detect/service';
import { MonitorService } from './monitor/service';
import { type ReviewClips, ReviewService } from './review/service';
import { GenerationService } from './generate/service';
import { defaultGenerationWorkerPath, GenerationWorkerHost } from './generate/worker-host';
import { generationClip, generationModels } from './generate/review-link';
import { ImageChecker } from './safety/image';
import type { PublishApi } from './api/handlers.review';
import { CredentialVault, PublishService, type SafeStorageLike } from './publish';
import { secretFromEnv, targetSecretName } from './publish/targets';
import { SqliteJobQueue } from './jobs';
import { probeEncoders, type VideoEncoder } from './render/encode';
import { IngestManager } from './ingest/manager';
import type { Logger } from './log/logger';
import { openStore, type Store } from './store';

export const APP_NAME = 'LiveSlice';
export const APP_VERSION: string = version;

export interface EngineOptions {
  dataDir: string;
  logger: Logger;
  transport: 'electron' | 'websocket';
  /** The OS language, as the host sees it (Electron: app.getLocale(); CLI: the environment). */
  systemLanguage?: UiLanguage;
  /** Start the RTMP/SRT push listeners (the app and `serve`; not the CLI's `process`). */
  listen?: boolean;
  /** Where a session's clips go (the CLI: `<out>/clips`); default inside the session's folder. */
  clipsDir?: (sessionId: string) => string;
  /** The desktop app: show a file in the OS file manager. */
  reveal?: (absPath: string) => boolean;
  /**
   * Publish every clip that passes the safety checks to these targets, without review
   * (headless `process --publish`); otherwise the setting publish.auto and the enabled targets.
   */
  autoPublishTo?: string[];
  /** The desktop app: Electron's safeStorage for publish credentials (headless: a key file). */
  safeStorage?: SafeStorageLike | null;
}

export interface Engine {
  readonly dataDir: string;
  readonly store: Store;
  readonly bus: EventBus;
  readonly handlers: Handlers;
  readonly logger: Logger;
  readonly ingest: IngestManager;
  readonly keywords: KeywordService;
  readonly recognizer: RecognizerService;
  readonly detect: DetectService;
  readonly queue: SqliteJobQueue;
  readonly clips: ClipService;
  readonly review: ReviewService;
  readonly publish: PublishService;
  readonly vault: CredentialVault;
  readonly monitor: MonitorService;
  /** Resolves once the push listeners are up (or have reported why not). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export function createEngine(opts: EngineOptions): Engine {
  const { dataDir, logger } = opts;
  const store = openStore(dataDir);
  const bus = createEventBus((err) =>
    logger.error('event listener failed', {
      error: err instanceof Error ? err.message : String(err),
    }),
  );
  const ffmpeg = () => resolveFfmpeg({ configured: store.settings.getAll()['ffmpeg.path'] });
  const ffmpegPath = (): string | null => {
    const f = ffmpeg();
    return f.found ? f.path : null;
  };
  const ingest = new IngestManager({
    store,
    bus,
    logger,
    dataDir,
    ffmpeg,
    settings: () => store.settings.getAll(),
  });
  ingest.recover();
  const keywords = new KeywordService({
    dataDir,
    store,
    bus,
    logger,
    workerPath: builtWorkerPath('kws-worker.js'),
  });
  ingest.onPcm((c) => keywords.push(c));
  const recognizer = new RecognizerService({
    dataDir,
    store,
    bus,
    logger,
    workerPath: builtWorkerPath('asr-worker.js'),
    settings: () => store.settings.getAll(),
  });
  // A session with a timed-text transcript gets no recognizer: the file replaces it.
  ingest.onPcm((c) => {
    if (!ingest.hasTimedText(c.sessionId)) recognizer.push(c);
  });
  bus.on('settings.changed', (all) => recognizer.settingsChanged(all));
  /**
   * Media time before which every final utterance of a session is out: timed text → its released
   * cues; a recognizer → what it has committed; no transcript source → Infinity.
   */
  const transcriptHorizon = (id: string): number => {
    const timed = ingest.timedTextHorizon(id);
    if (timed !== null) return timed;
    if (recognizer.status().enabled) return recognizer.committedUpTo(id) ?? -Infinity;
    return Infinity;
  };
  const detect = new DetectService({
    transcriptHorizon,
    store,
    bus,
    logger,
    dataDir,
    ffmpegPath,
    liveEdge: (id) => {
      const s = ingest.status(id);
      return s.state === 'ended' || s.state === 'failed' ? null : s.mediaTimeS;
    },
  });
  bus.on('session.upserted', (s) => {
    if (s.status === 'live') detect.start(s.id);
  });
  const queue = new SqliteJobQueue(store.db, { logger });
  let encoder: Promise<VideoEncoder> | null = null;
  const clips = new ClipService({
    store,
    bus,
    logger,
    dataDir,
    queue,
    ingest,
    ffmpegPath,
    encoder: () => {
      encoder ??= (async () => {
        const f = ffmpeg();
        if (!f.found) throw new Error(f.message);
        const found = await probeEncoders(f.path);
        logger.info('video encoders', { usable: found.map((e) => e.name) });
        return found[0]!;
      })();
      return encoder;
    },
    captionHorizon: transcriptHorizon,
    decorate: (h) => review.decoration(h),
    ...(opts.clipsDir ? { clipsDir: opts.clipsDir } : {}),
    ...(opts.reveal ? { reveal: opts.reveal } : {}),
  });
  let imageChecker: ImageChecker | null = null;
  // Generated videos (text-to-video) enter the review queue next to the stream clips.
  const generatedClip = (id: string): Clip | null => {
    const g = generate?.get(id) ?? null;
    return g ? generationClip(g, store) : null;
  };
  const reviewClips: ReviewClips = {
    list: (sid) =>
      [
        ...(generate?.list(sid) ?? []).flatMap((g) => {
          const c = generationClip(g, store);
          return c ? [c] : [];
        }),
        ...clips.list(sid),
      ].sort((a, b) => b.createdAt - a.createdAt),
    get: (id) => clips.get(id) ?? generatedClip(id),
    path: (id) => {
      const g = generate?.get(id);
      if (g?.file) return join(dataDir, g.file);
      return clips.path(id);
    },
    render: (hid, o, p) => clips.render(hid, o, p),
    generated: (id) => generate?.get(id) ?? null,
  };
  const review: ReviewService = new ReviewService({
    store,
    bus,
    logger,
    dataDir,
    queue,
    clips: reviewClips,
    ffmpegPath,
    publisher: {
      enabledTargets: () => opts.autoPublishTo ?? enabledTargets(),
      publish: (clipId, ids) =>
        publish.publish(clipId, ids, { explicit: opts.autoPublishTo !== undefined }),
      list: (clipId) => publish.list(clipId),
      cancel: (clipId) => void publish.cancel(clipId),
    },
    imageCheck: () => {
      const model = ImageChecker.locateModel();
      if (!model.ok) return { ok: false, reason: model.reason };
      imageChecker ??= new ImageChecker({
        ffmpegPath,
        logger,
      });
      return { ok: true, checker: imageChecker };
    },
    autoPublish: opts.autoPublishTo !== undefined,
    onSegment: (cb) => ingest.onSegment(cb),
  });
  const enabledTargets = (): string[] =>
    publish.targets().flatMap((t) => (t.enabled ? [t.id] : []));
  const vault = new CredentialVault({
    db: store.db,
    dataDir,
    safeStorage: opts.safeStorage,
    logger,
  });
  const publish: PublishService = new PublishService({
    db: store.db,
    queue,
    vault,
    logger,
    dataDir,
    resolveClip: (clipId) => {
      const item = review.item(clipId);
      if (item.clip.state !== 'ready') return null;
      return {
        clipId,
        sessionId: item.clip.sessionId,
        file: clips.path(clipId),
        cover: item.cover?.path ? join(dataDir, item.cover.path) : null,
        metadata: review.sidecar(clipId),
      };
    },
    onChange: (p) => bus.emit('publish.upserted', p),
  });
  const publishApi: PublishApi = {
    targetViews: () =>
      publish.targets().map((t) => ({
        target: t,
        hasSecret: vault.has(targetSecretName(t.id)) || secretFromEnv(t.id, process.env) !== null,
      })),
    saveTarget: (t, secret) => void publish.saveTarget(t, secret),
    deleteTarget: (id) => publish.deleteTarget(id),
    testTarget: (id) => publish.testTarget(id),
    enabledTargets,
    publish: (clipId, ids) => publish.publish(clipId, ids),
    retry: (clipId, targetId) => {
      publish.retry(clipId, targetId);
      return publish.list(clipId);
    },
    list: (clipId) => publish.list(clipId),
    cancel: (clipId) => void publish.cancel(clipId),
  };
  // The generation engine: a worker process owned by this process (absent when not built).
  const workerPath = defaultGenerationWorkerPath();
  const settingsNow = store.settings.getAll();
  const genHost = workerPath
    ? new GenerationWorkerHost({
        workerPath,
        provider: settingsNow['generate.provider'],
        idleUnloadS: settingsNow['generate.idleUnloadS'],
        logger,
      })
    : null;
  const generate: GenerationService | null = genHost
    ? new GenerationService({
        queue,
        dataDir,
        logger,
        runner: genHost,
        ffmpegPath,
        models: () => generationModels(dataDir),
        defaultModel: () => store.settings.getAll()['generate.model'],
        highlight: (id) => {
          const h = store.highlights.get(id);
          if (!h) return null;
          let prompt = h.text;
          try {
            prompt = review.prompt(id).text || h.text;
          } catch {
            // No template fits: the transcript itself.
          }
          return { sessionId: h.sessionId, prompt };
        },
        onChange: (g) => {
          bus.emit('generation.upserted', g);
          const c = generationClip(g, store);
          if (c) review.clipChanged(c);
        },
      })
    : null;
  if (genHost)
    bus.on('settings.changed', (all) => {
      genHost.setProvider(all['generate.provider']);
      genHost.setIdleUnloadS(all['generate.idleUnloadS']);
    });
  const monitor = new MonitorService({
    bus,
    queue,
    sessions: () => store.sessions.list(50).map((s) => s.id),
    items: (id) => review.items(id),
    renderJob: (id) => clips.job(id),
  });
  queue.start();
  bus.on('ingest.status', (s) => {
    if (s.state === 'ended' || s.state === 'failed') void endSpeechAndDetection(s.sessionId);
  });
  /** The session's audio is over: let the speech stages finish, then close its highlights. */
  const endSpeechAndDetection = async (sessionId: string): Promise<void> => {
    await Promise.all([keywords.endSession(sessionId), recognizer.endSession(sessionId)]);
    detect.endSession(sessionId);
  };
  const ready = Promise.all([
    opts.listen ? ingest.listen() : Promise.resolve(),
    keywords.init(),
    recognizer.init(),
  ]).then(() => undefined);
  const handlers = createHandlers({
    store,
    bus,
    ingest,
    keywords,
    recognizer,
    detect,
    clips,
    review,
    publish: publishApi,
    monitor,
    ...(generate ? { generate } : {}),
    dataDir,
    appInfo: () => ({
      name: APP_NAME,
      version: APP_VERSION,
      transport: opts.transport,
      platform: `${platform()}-${arch()}`,
      dataDir,
      systemLanguage: opts.systemLanguage ?? languageFromLocale(envLocale(process.env)),
      ffmpeg: ffmpeg(),
    }),
  });
  logger.info('engine started', { dataDir, transport: opts.transport, version: APP_VERSION });
  let closing: Promise<void> | null = null;
  return {
    dataDir,
    store,
    bus,
    handlers,
    logger,
    ingest,
    keywords,
    recognizer,
    detect,
    queue,
    clips,
    review,
    publish,
    vault,
    monitor,
    ready,
    close() {
      closing ??= (async () => {
        await ready.catch(() => undefined);
        await ingest.close();
        await Promise.all([keywords.close(), recognizer.close()]);
        detect.close();
        await queue.stop();
        monitor.close();
        generate?.close();
        await genHost?.close();
        publish.close();
        review.close();
        await imageChecker?.close();
        clips.close();
        store.close();
        logger.info('engine stopped');
      })();
      return closing;
    },
  };
}

/** A built worker (out/main/kws-worker.js, asr-worker.js), wherever this bundle chunk sits. */
function builtWorkerPath(file: string): string | null {
  const candidates = [
    join(__dirname, file), // out/main
    join(__dirname, '..', file), // out/main/chunks
    join(__dirname, '..', 'out', 'main', file), // running from source (tests, dev)
  ];
  return candidates.find((p) => existsSync(p)) ?? null;
}

/** zh, zh-CN, zh_TW.UTF-8, zh-Hans … → zh-CN; everything else → en. */
export function languageFromLocale(locale: string | undefined | null): UiLanguage {
  return locale && /^zh([-_.]|$)/i.test(locale.trim()) ? 'zh-CN' : 'en';
}

export function envLocale(env: NodeJS.ProcessEnv): string | undefined {
  for (const key of ['LC_ALL', 'LC_MESSAGES', 'LANG', 'LANGUAGE'] as const) {
    const v = env[key];
    if (v && v !== 'C' && v !== 'POSIX') return v;
  }
  return Intl.DateTimeFormat().resolvedOptions().locale;
}
