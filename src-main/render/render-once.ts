/**
 * Renders a clip when everything is already known (the CLI on a file, re-renders from the review
 * pane): the progressive renderer fed all segments, all cues and the end at once.
 */
import {
  ClipRender,
  type ClipSpec,
  type DvrSegment,
  type RenderResult,
  type TranscriptCue,
} from './clip-render';

export interface RenderOnceSpec extends ClipSpec {
  end: number;
  /** Every DVR segment of the session (rows outside the window are ignored). */
  segments: readonly DvrSegment[];
  /** Final transcript utterances on the media clock. */
  cues: readonly TranscriptCue[];
}

export function renderClip(spec: RenderOnceSpec): Promise<RenderResult> {
  const { segments, cues, ...clip } = spec;
  const render = new ClipRender(clip);
  render.segments(segments);
  render.transcriptFinalUpTo(Infinity, cues);
  render.setEnd(spec.end);
  render.noMoreSegments();
  return render.done;
}
