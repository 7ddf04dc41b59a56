/** Words for clip options and figures (shared by the row, the preview and the dialogs). */
import type { CaptionStyle, Clip, OutputPreset, Reframe } from '../contract';
import type { Translate } from '../i18n/language';

export const REFRAME_MODES: ReadonlyArray<Reframe['mode']> = ['center', 'blur', 'box'];
export const CAPTION_STYLES: readonly CaptionStyle[] = ['bold', 'clean', 'boxed', 'none'];
export const OUTPUT_PRESETS: readonly OutputPreset[] = ['720x1280', '1080x1920'];

/** Seconds with one decimal: "12.3 s" (null → "—"). */
export function clipSeconds(s: number | null): string {
  return s === null || !Number.isFinite(s) ? '—' : `${s.toFixed(1)} s`;
}

/** "Centre crop · Bold · 720×1280" */
export function clipOptionsText(
  t: Translate,
  c: Pick<Clip, 'reframe' | 'captionStyle' | 'output'>,
): string {
  return [
    t(`clips.reframe.${c.reframe.mode}`),
    t(`clips.captions.${c.captionStyle}`),
    t(`clips.output.${c.output}`),
  ].join(' · ');
}
