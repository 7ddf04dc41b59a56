/** What the clip keys and buttons do to the selected highlight's clip (keys and buttons share it). */
import type { Clip } from '../contract';
import { selectedHighlight } from '../highlights/commands';
import { clipsOf, newestReady } from '../state/clips';
import type { AppState, AppStore } from '../state/store';

/** The selected highlight's newest ready render, if any. */
export function selectedReadyClip(s: AppState): Clip | null {
  const h = selectedHighlight(s);
  return h ? newestReady(clipsOf(s.clips, h.sessionId, h.id)) : null;
}

/**
 * C: previews the selected highlight's newest ready clip; when one of its renders is already
 * shown, closes the preview. False when there is nothing to play.
 */
export function toggleClipPreview(store: AppStore): boolean {
  const s = store.getState();
  const clip = selectedReadyClip(s);
  if (!clip) return false;
  const shown = s.previewClipId;
  const showingThisHighlight =
    shown !== null &&
    clipsOf(s.clips, clip.sessionId, clip.highlightId).some((c) => c.id === shown);
  s.setPreviewClip(showingThisHighlight ? null : clip.id);
  return true;
}
