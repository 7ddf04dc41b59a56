/**
 * The session's HLS playlist, rendered from the DVR index: an EVENT playlist (every segment stays,
 * so the player can scrub back through the whole session), a discontinuity at each new run
 * (publisher reconnect, ingest restart), program date-time for wall-clock mapping, and ENDLIST
 * once the session has ended. Pure.
 */
export interface PlaylistSegment {
  file: string;
  duration: number;
  run: number;
  wallStart: number;
}

export function renderPlaylist(segments: readonly PlaylistSegment[], ended: boolean): string {
  const target = Math.max(1, Math.ceil(segments.reduce((m, s) => Math.max(m, s.duration), 1)));
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    `#EXT-X-TARGETDURATION:${target}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:EVENT',
    '#EXT-X-INDEPENDENT-SEGMENTS',
  ];
  let prevRun: number | null = null;
  for (const s of segments) {
    if (prevRun !== null && s.run !== prevRun) lines.push('#EXT-X-DISCONTINUITY');
    if (prevRun === null || s.run !== prevRun) {
      lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(s.wallStart).toISOString()}`);
    }
    lines.push(`#EXTINF:${s.duration.toFixed(3)},`, encodeSegmentUri(s.file));
    prevRun = s.run;
  }
  if (ended) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

/** Segment files are ours (r001-000042.ts), but never let a name break the playlist syntax. */
export function encodeSegmentUri(file: string): string {
  if (!/^[A-Za-z0-9._/-]+$/.test(file) || file.split('/').some((p) => p === '..' || p === '')) {
    throw new Error(
      `refusing to write an unsafe segment name into the playlist: ${JSON.stringify(file)}`,
    );
  }
  return file;
}
