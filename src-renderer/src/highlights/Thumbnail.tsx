import { useEffect, useState } from 'react';
import type { Highlight } from '../contract';
import { mediaUrl } from '../live/mediaUrl';
import { useAppState, useEngine, useT } from '../state/context';

/**
 * A highlight's still, asked for when the row is shown (the list is virtualized, so only visible
 * rows ask); a placeholder while it is made, when there is none, or when it fails to load.
 */
export function Thumbnail(props: { highlight: Highlight }) {
  const t = useT();
  const { actions } = useEngine();
  const h = props.highlight;
  const transport = useAppState((s) => s.transport);
  const thumb = useAppState((s) => s.thumbnails[h.id] ?? null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    actions.loadThumbnail(h);
  }, [actions, h]);

  const url =
    thumb?.status === 'ready' && thumb.path !== null ? mediaUrl(transport, thumb.path) : null;
  if (url === null || failed) {
    const loading = thumb === null || thumb.status === 'loading';
    return (
      <span
        className={`hl-thumb hl-thumb--placeholder${loading ? ' hl-thumb--loading' : ''}`}
        data-testid="highlight-thumb"
        data-status={failed ? 'failed' : (thumb?.status ?? 'loading')}
        title={loading ? t('highlights.thumbLoading') : t('highlights.thumbNone')}
        aria-hidden="true"
      />
    );
  }
  return (
    <img
      className="hl-thumb"
      data-testid="highlight-thumb"
      data-status="ready"
      src={url}
      alt=""
      loading="lazy"
      decoding="async"
      onError={() => setFailed(true)}
    />
  );
}
