import { useEffect, useRef, useState } from 'react';
import { useEngine } from '../state/context';
import { createPreviewer, type Previewer, type PreviewState } from './preview';

const IDLE: PreviewState = { status: 'idle', text: '', error: null };

/**
 * The live preview of `source` filled for a highlight (see preview.ts); null source: nothing to
 * preview. The first text is previewed at once, later edits after a pause.
 */
export function usePreview(highlightId: string, source: string | null): PreviewState {
  const { actions } = useEngine();
  const [state, setState] = useState<PreviewState>(IDLE);
  const previewer = useRef<Previewer | null>(null);
  const asked = useRef(false);

  useEffect(() => {
    const p = createPreviewer({
      fill: (text) => actions.review.previewPrompt(highlightId, text),
      onChange: setState,
    });
    previewer.current = p;
    asked.current = false;
    return () => {
      p.dispose();
      previewer.current = null;
    };
  }, [actions, highlightId]);

  useEffect(() => {
    const p = previewer.current;
    if (!p || source === null) return;
    if (asked.current) p.request(source);
    else {
      asked.current = true;
      p.now(source);
    }
  }, [source, highlightId]);

  return source === null ? IDLE : state;
}
