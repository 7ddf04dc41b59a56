/**
 * The "generate video" form (pure): the fields as typed, checks with a message key per field, and
 * the input generate.start gets. Blank steps take the model's default, a blank seed a random one
 * (the engine records the seed it used), an unchanged prompt the highlight's own.
 */
import type { MethodInput } from '../contract';

/** Frame counts offered: 4k+1 (the VAE packs 4 frames per latent after the first), 16 fps. */
export const FRAME_CHOICES = [17, 33, 49, 81] as const;
/** Frame sizes offered, WIDTHxHEIGHT: landscape and portrait 480p, landscape 720p. */
export const SIZE_PRESETS = ['832x480', '480x832', '1280x720'] as const;

export const MAX_FRAMES = 1001;
export const MAX_STEPS = 200;
export const MAX_SEED = 2 ** 31 - 1;
export const MAX_PROMPT = 2000;
/** The frame rate the frame choices are labelled with (Wan2.x writes 16 fps). */
export const FPS = 16;

export interface GenerateForm {
  prompt: string;
  frames: number;
  size: string;
  /** '' = the model's default. */
  steps: string;
  /** '' = a random seed. */
  seed: string;
}

export type GenerateField = 'prompt' | 'frames' | 'size' | 'steps' | 'seed';
/** What is wrong with a field: the suffix of its `generate.invalid.*` message key. */
export type GenerateProblem = 'promptLong' | 'frames' | 'size' | 'steps' | 'seed';
export type GenerateProblems = Partial<Record<GenerateField, GenerateProblem>>;

export function blankForm(prompt: string): GenerateForm {
  return { prompt, frames: 81, size: '832x480', steps: '', seed: '' };
}

/** A frame count the pipeline accepts: 4k+1, from 1 to MAX_FRAMES. */
export function isFrameCount(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= MAX_FRAMES && (n - 1) % 4 === 0;
}

/** WIDTHxHEIGHT with 2–4 digits each and no zero side, or null. */
export function parseSize(size: string): { width: number; height: number } | null {
  const m = /^(\d{2,4})x(\d{2,4})$/.exec(size);
  if (!m?.[1] || !m[2]) return null;
  const width = Number(m[1]);
  const height = Number(m[2]);
  return width > 0 && height > 0 ? { width, height } : null;
}

/** A whole number typed in a field (digits only, no sign, no exponent), or null. */
function wholeNumber(text: string): number | null {
  const s = text.trim();
  if (!/^\d{1,12}$/.test(s)) return null;
  return Number(s);
}

/** Seconds of video a frame count makes at FPS. */
export function framesSeconds(frames: number): number {
  return frames / FPS;
}

/**
 * The checked form as generate.start's input, or the problem per field. `defaultPrompt` is the
 * highlight's prompt: sent only when the operator changed it, so the engine's own filling wins.
 */
export function toStartInput(
  highlightId: string,
  form: GenerateForm,
  defaultPrompt: string,
): { ok: true; input: MethodInput<'generate.start'> } | { ok: false; problems: GenerateProblems } {
  const problems: GenerateProblems = {};
  const prompt = form.prompt.trim();
  if (prompt.length > MAX_PROMPT) problems.prompt = 'promptLong';
  if (!isFrameCount(form.frames)) problems.frames = 'frames';
  if (parseSize(form.size) === null) problems.size = 'size';
  let steps: number | undefined;
  if (form.steps.trim() !== '') {
    const n = wholeNumber(form.steps);
    if (n === null || n < 1 || n > MAX_STEPS) problems.steps = 'steps';
    else steps = n;
  }
  let seed: number | undefined;
  if (form.seed.trim() !== '') {
    const n = wholeNumber(form.seed);
    if (n === null || n > MAX_SEED) problems.seed = 'seed';
    else seed = n;
  }
  if (Object.keys(problems).length > 0) return { ok: false, problems };
  const changed = prompt !== '' && prompt !== defaultPrompt.trim();
  return {
    ok: true,
    input: {
      highlightId,
      frames: form.frames,
      size: form.size,
      ...(changed ? { prompt } : {}),
      ...(steps !== undefined ? { steps } : {}),
      ...(seed !== undefined ? { seed } : {}),
    },
  };
}
