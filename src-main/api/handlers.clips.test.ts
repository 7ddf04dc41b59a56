import { describe, expect, it, vi } from 'vitest';
import { ApiError } from './contract';
import { dispatch } from './dispatch';
import { type ClipsApi, createHandlers, type HandlerDeps } from './handlers';

/** Only the clip stage is used by these calls; the other deps are never touched. */
function handlersWith(clips: Partial<ClipsApi>) {
  return createHandlers({ clips } as unknown as HandlerDeps);
}

describe('clips.drag', () => {
  const path = vi.fn((id: string) => {
    if (id !== 'sabcdefgh12-h1') throw new ApiError('not_found', `Clip ${id} has no file yet`);
    return '/data/sessions/sabcdefgh12/clips/sabcdefgh12-h1.mp4';
  });

  it('drags the ready clip’s file from the calling window', async () => {
    const startDrag = vi.fn();
    const r = await dispatch(
      handlersWith({ path }),
      'clips.drag',
      { id: 'sabcdefgh12-h1' },
      { transport: 'electron', startDrag },
    );
    expect(r).toEqual({ ok: true, value: {} });
    expect(startDrag).toHaveBeenCalledWith('/data/sessions/sabcdefgh12/clips/sabcdefgh12-h1.mp4');
  });

  it('is unavailable where nothing can be dragged out (the WebSocket)', async () => {
    const r = await dispatch(
      handlersWith({ path }),
      'clips.drag',
      { id: 'sabcdefgh12-h1' },
      { transport: 'websocket' },
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('a clip without a file is not_found, and nothing is dragged', async () => {
    const startDrag = vi.fn();
    const r = await dispatch(
      handlersWith({ path }),
      'clips.drag',
      { id: 'sabcdefgh12-h2' },
      { transport: 'electron', startDrag },
    );
    expect(r).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(startDrag).not.toHaveBeenCalled();
  });
});
