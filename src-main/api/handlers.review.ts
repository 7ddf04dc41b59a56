/** Handlers for the review stage: prompts, the review queue, safety, publishing, monitoring. */
import {
  ApiError,
  type Generation,
  type GenerationStatus,
  type Publication,
  type PublishTarget,
  type PublishTargetView,
} from './contract';
import type { Handlers } from './dispatch';
import type { MonitorService } from '../monitor/service';
import type { ReviewService } from '../review/service';
import type { Store } from '../store';

/** The publish stage as the API sees it (src-main/publish). */
export interface PublishApi {
  targetViews(): PublishTargetView[];
  saveTarget(target: PublishTarget, secret: string | null | undefined): void;
  deleteTarget(id: string): void;
  testTarget(id: string): Promise<{ ok: boolean; message: string }>;
  enabledTargets(): string[];
  publish(clipId: string, targetIds: string[]): Publication[];
  retry(clipId: string, targetId: string): Publication[];
  list(clipId?: string): Publication[];
  cancel(clipId: string): void;
}

/** The generation stage as the API sees it (src-main/generate). */
export interface GenerateApi {
  start(input: {
    highlightId: string;
    prompt?: string | undefined;
    model?: string | undefined;
    frames?: number | undefined;
    size?: string | undefined;
    steps?: number | undefined;
    seed?: number | undefined;
  }): Generation;
  cancel(id: string): Generation;
  list(sessionId: string): Generation[];
  status(): GenerationStatus;
}

export interface ReviewHandlerDeps {
  store: Store;
  review?: ReviewService | undefined;
  publish?: PublishApi | undefined;
  monitor?: MonitorService | undefined;
  generate?: GenerateApi | undefined;
}

type ReviewMethods = Pick<
  Handlers,
  Extract<
    keyof Handlers,
    `${'review' | 'prompts' | 'enhance' | 'products' | 'safety' | 'publish' | 'monitor' | 'generate'}.${string}`
  >
>;

export function createReviewHandlers({
  store,
  review,
  publish,
  monitor,
  generate,
}: ReviewHandlerDeps): ReviewMethods {
  const g = (): GenerateApi => {
    if (!generate)
      throw new ApiError('unavailable', 'The generation engine is not running in this engine');
    return generate;
  };
  const r = (): ReviewService => {
    if (!review)
      throw new ApiError('unavailable', 'The review stage is not running in this engine');
    return review;
  };
  const p = (): PublishApi => {
    if (!publish) throw new ApiError('unavailable', 'Publishing is not running in this engine');
    return publish;
  };
  const m = (): MonitorService => {
    if (!monitor) throw new ApiError('unavailable', 'Monitoring is not running in this engine');
    return monitor;
  };
  const session = (id: string): void => {
    if (!store.sessions.get(id)) throw new ApiError('not_found', `No session with id ${id}`);
  };
  const clipOf = (clipId: string) => r().item(clipId).clip;
  return {
    'review.list': ({ sessionId, decision, safety, minQuality, limit }) => {
      session(sessionId);
      return { items: r().items(sessionId, { decision, safety, minQuality, limit }) };
    },
    'review.get': ({ clipId }) => r().item(clipId),
    'review.decide': ({ clipIds, decision, publish: pub }) =>
      r().decide(clipIds, decision, { publish: pub }),
    'review.undo': ({ sessionId }) => {
      session(sessionId);
      return { items: r().undo(sessionId) };
    },
    'review.override': ({ clipId, reason }) => r().override(clipId, reason),
    'review.captions': ({ clipId }) => ({ cues: r().captions(clipId) }),
    'review.setCaptions': ({ clipId, edits }) => r().setCaptions(clipId, edits),
    'review.cover': ({ clipId, at }) => r().cover(clipId, at),
    'prompts.get': ({ highlightId }) => r().prompt(highlightId),
    'prompts.set': ({ highlightId, templateId, custom, titleCustom, rerender }) =>
      r().setPrompt(highlightId, { templateId, custom, titleCustom, rerender }),
    'prompts.preview': ({ highlightId, text }) => r().preview(highlightId, text),
    'prompts.library': () => ({ templates: r().templates() }),
    'prompts.save': ({ template }) => ({ templates: r().saveTemplate(template) }),
    'prompts.history': ({ id }) => ({ versions: r().history(id) }),
    'prompts.export': () => ({ json: r().exportLibrary() }),
    'prompts.import': ({ json, mode }) => ({ templates: r().importLibrary(json, mode) }),
    'enhance.get': () => r().enhancement(),
    'enhance.set': ({ table }) => r().setEnhancement(table),
    'enhance.reset': () => r().resetEnhancement(),
    'products.get': () => ({ products: r().products() }),
    'products.set': ({ products }) => ({ products: r().setProducts(products) }),
    'products.importCsv': ({ csv, mode }) => ({ products: r().importProductsCsv(csv, mode) }),
    'safety.get': () => ({ ...r().safetyLexicon(), image: r().imageStatus() }),
    'safety.set': ({ lexicon }) => r().setSafetyLexicon(lexicon),
    'safety.reset': () => r().resetSafetyLexicon(),
    'safety.test': ({ text }) => r().testSafety(text),
    'publish.targets': () => ({ targets: p().targetViews() }),
    'publish.saveTarget': ({ target, secret }) => {
      p().saveTarget(target, secret);
      return { targets: p().targetViews() };
    },
    'publish.deleteTarget': ({ id }) => {
      p().deleteTarget(id);
      return { targets: p().targetViews() };
    },
    'publish.testTarget': ({ id }) => p().testTarget(id),
    'publish.clip': ({ clipId, targetIds }) => {
      const item = r().item(clipId);
      if (item.decision !== 'approved')
        throw new ApiError('bad_request', `Clip ${clipId} is not approved: approve it first`);
      const ids = targetIds ?? p().enabledTargets();
      if (ids.length === 0)
        throw new ApiError('bad_request', 'No publish target is enabled: add one first');
      return { publications: p().publish(clipId, ids) };
    },
    'publish.retry': ({ clipId, targetId }) => {
      clipOf(clipId);
      return { publications: p().retry(clipId, targetId) };
    },
    'publish.list': ({ sessionId }) => {
      session(sessionId);
      const ids = new Set(
        r()
          .items(sessionId)
          .map((i) => i.clip.id),
      );
      return {
        publications: p()
          .list()
          .filter((x) => ids.has(x.clipId)),
      };
    },
    'monitor.records': ({ sessionId, limit }) => {
      if (sessionId) session(sessionId);
      return { records: m().records(sessionId, limit) };
    },
    'monitor.export': ({ sessionId, format }) => {
      if (sessionId) session(sessionId);
      return m().export(format, sessionId);
    },
    'monitor.samples': () => ({ samples: m().samples() }),
    'generate.start': (input) => g().start(input),
    'generate.cancel': ({ id }) => g().cancel(id),
    'generate.list': ({ sessionId }) => {
      session(sessionId);
      return { generations: g().list(sessionId) };
    },
    'generate.status': () => g().status(),
  };
}
