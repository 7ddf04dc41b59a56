/**
 * Where the player fetches a session's HLS playlist. The engine reports the playlist relative to
 * its data directory; the Electron shell serves it under the liveslice-media: scheme, the
 * headless host under /media/ on the page's own origin (the media cookie carries the token).
 */

export type Transport = 'electron' | 'websocket';

/** Encodes each path segment (spaces, #, ? …) but keeps the slashes. */
function encodePath(relative: string): string {
  return relative
    .replace(/\\/g, '/')
    .split('/')
    .filter((part) => part !== '' && part !== '.')
    .map((part) => encodeURIComponent(part))
    .join('/');
}

/** The playlist URL for this transport, or null when the path would leave the media root. */
export function mediaUrl(transport: Transport, playlist: string): string | null {
  const parts = playlist.replace(/\\/g, '/').split('/');
  if (parts.some((p) => p === '..') || playlist.startsWith('/') || /^[a-z]+:/i.test(playlist)) {
    return null;
  }
  const path = encodePath(playlist);
  if (path === '') return null;
  return transport === 'electron' ? `liveslice-media://session/${path}` : `/media/${path}`;
}
