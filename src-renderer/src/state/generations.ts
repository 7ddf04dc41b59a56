/**
 * Pure reducers and helpers for the generations slice (text-to-video jobs): per session, its
 * generations newest first (unique by id; a newer copy wins, a finished one is final), and the
 * load state. Only a few sessions are kept, like clips. Generations without a session (made from
 * the CLI) are not shown here.
 */
import type { ErrorCode, Generation } from '../contract';
import { beginSessionLoad, endSessionLoad } from './sessionCache';

/** Generations are kept for at most this many sessions (the least recently loaded goes first). */
export const MAX_GENERATION_SESSIONS = 5;

export interface SessionGenerations {
  /** Newest first. */
  list: readonly Generation[];
  status: 'loading' | 'loaded' | 'error';
  error: { message: string; code: ErrorCode } | null;
}

export type GenerationsBySession = Readonly<Record<string, SessionGenerations>>;

type State = Generation['state'];

const EMPTY: SessionGenerations = { list: [], status: 'loading', error: null };

/** How far along a state is, to order two copies with the same updatedAt. */
const STAGE: Readonly<Record<State, number>> = {
  queued: 0,
  loading: 1,
  running: 2,
  decoding: 3,
  encoding: 4,
  done: 5,
  failed: 5,
  cancelled: 5,
};

/** Finished one way or another: nothing moves it any more. */
export function isFinished(g: Pick<Generation, 'state'>): boolean {
  return STAGE[g.state] === STAGE.done;
}

/** Everything not finished can be cancelled (the worker is terminated if it is running it). */
export function isActive(g: Pick<Generation, 'state'>): boolean {
  return !isFinished(g);
}

/** n for `<highlightId>-g<n>`, else 0 (orders two generations made in the same millisecond). */
export function generationNumber(id: string): number {
  const m = /-g(\d+)$/.exec(id);
  return m?.[1] ? Number(m[1]) : 0;
}

const newestFirst = (a: Generation, b: Generation): number =>
  b.createdAt - a.createdAt ||
  generationNumber(b.id) - generationNumber(a.id) ||
  (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/**
 * Whether `incoming` should replace `known`. A finished copy is final: a step event that was on
 * its way when the job was cancelled must not bring it back to life. Otherwise the newer copy
 * (updatedAt) wins; with equal times, a later stage, then a later step, then more progress.
 */
export function supersedes(known: Generation, incoming: Generation): boolean {
  if (isFinished(known) && !isFinished(incoming)) return false;
  if (!isFinished(known) && isFinished(incoming)) return true;
  if (incoming.updatedAt !== known.updatedAt) return incoming.updatedAt > known.updatedAt;
  if (STAGE[incoming.state] !== STAGE[known.state]) {
    return STAGE[incoming.state] > STAGE[known.state];
  }
  if ((incoming.step ?? 0) !== (known.step ?? 0)) return (incoming.step ?? 0) > (known.step ?? 0);
  return (incoming.progress ?? 0) >= (known.progress ?? 0);
}

/** Merges generations into a newest-first list; returns the same array when nothing changed. */
export function mergeGenerations(
  list: readonly Generation[],
  incoming: readonly Generation[],
): readonly Generation[] {
  let next: Generation[] | null = null;
  for (const g of incoming) {
    const current: readonly Generation[] = next ?? list;
    const i = current.findIndex((x) => x.id === g.id);
    const known = i >= 0 ? current[i] : undefined;
    if (known && (known === g || !supersedes(known, g))) continue;
    next = known ? current.map((x, j) => (j === i ? g : x)) : [...current, g];
  }
  return next ? next.sort(newestFirst) : list;
}

/** Starts (or restarts) loading a session: it becomes the most recent; the oldest may go. */
export function beginLoad(
  map: GenerationsBySession,
  sessionId: string,
  max = MAX_GENERATION_SESSIONS,
): GenerationsBySession {
  return beginSessionLoad(map, sessionId, EMPTY, max);
}

/** Ends a load: the engine's list merged in, or why it failed (what was held stays). */
export function endLoad(
  map: GenerationsBySession,
  sessionId: string,
  result: { generations: readonly Generation[] } | { message: string; code: ErrorCode },
): GenerationsBySession {
  return endSessionLoad(
    map,
    sessionId,
    'generations' in result
      ? {
          merge: (known) => ({
            ...known,
            list: mergeGenerations(
              known.list,
              result.generations.filter((g) => g.sessionId === sessionId),
            ),
          }),
        }
      : result,
  );
}

/** A generation from an event or a call result; sessions not kept are ignored. */
export function upsertGeneration(map: GenerationsBySession, g: Generation): GenerationsBySession {
  if (g.sessionId === null) return map;
  const known = map[g.sessionId];
  if (!known) return map;
  const list = mergeGenerations(known.list, [g]);
  return list === known.list ? map : { ...map, [g.sessionId]: { ...known, list } };
}

const NONE: readonly Generation[] = [];

/** A session's generations, newest first. */
export function generationsOf(map: GenerationsBySession, sessionId: string): readonly Generation[] {
  return map[sessionId]?.list ?? NONE;
}

/** A generation by id, wherever it is held. */
export function findGeneration(map: GenerationsBySession, id: string): Generation | null {
  for (const s of Object.values(map)) {
    const g = s.list.find((x) => x.id === id);
    if (g) return g;
  }
  return null;
}

/**
 * Progress as a whole percent, 0–100: the engine's figure, else the step reached (step i of N
 * is done when step i + 1 starts, so a running step i counts i − 1). Finished: 100 when done.
 */
export function progressPercent(g: Pick<Generation, 'state' | 'progress' | 'step' | 'steps'>) {
  if (g.state === 'done') return 100;
  let p = g.progress;
  if ((p === null || !Number.isFinite(p)) && g.step !== null && g.steps > 0) {
    p = (g.step - 1) / g.steps;
  }
  if (p === null || !Number.isFinite(p)) return 0;
  return Math.floor(Math.min(1, Math.max(0, p)) * 100);
}

/** A remaining time as M:SS or H:MM:SS (rounded up to the second); null when not known. */
export function formatEta(seconds: number | null): string | null {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return null;
  const total = Math.ceil(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/**
 * Whether an update says something the worker's status would show differently (a job started,
 * finished or changed stage); per-step progress does not.
 */
export function changesWorker(known: Generation | null, incoming: Generation): boolean {
  return known === null || known.state !== incoming.state;
}
