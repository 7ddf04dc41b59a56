import { describe, expect, it } from 'vitest';
import { mediaUrl } from './mediaUrl';

describe('mediaUrl', () => {
  const playlist = 'sessions/sess_live0001/index.m3u8';

  it('Electron: the liveslice-media scheme under the session host', () => {
    expect(mediaUrl('electron', playlist)).toBe(
      'liveslice-media://session/sessions/sess_live0001/index.m3u8',
    );
  });

  it('WebSocket: same-origin /media/ (the media cookie carries the token)', () => {
    expect(mediaUrl('websocket', playlist)).toBe('/media/sessions/sess_live0001/index.m3u8');
  });

  it('encodes each path segment but keeps the slashes', () => {
    expect(mediaUrl('websocket', 'dvr/my session#1/index.m3u8')).toBe(
      '/media/dvr/my%20session%231/index.m3u8',
    );
    expect(mediaUrl('electron', 'dvr\\win\\index.m3u8')).toBe(
      'liveslice-media://session/dvr/win/index.m3u8',
    );
    expect(mediaUrl('websocket', './dvr//index.m3u8')).toBe('/media/dvr/index.m3u8');
  });

  it('refuses paths that would leave the media root', () => {
    expect(mediaUrl('websocket', '../secrets/index.m3u8')).toBeNull();
    expect(mediaUrl('electron', 'dvr/../../x.m3u8')).toBeNull();
    expect(mediaUrl('websocket', '/etc/passwd')).toBeNull();
    expect(mediaUrl('websocket', 'http://evil/x.m3u8')).toBeNull();
    expect(mediaUrl('websocket', '')).toBeNull();
  });
});
