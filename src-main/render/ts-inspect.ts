/**
 * A small MPEG-TS reader for DVR segments (pure): checks that a segment is whole (every 188-byte
 * packet in sync), finds its streams (PAT → PMT) and reads the first video and audio PTS. The clip
 * engine uses it to map the session's media clock onto a run's own timestamps and to refuse a
 * corrupt segment by name before ffmpeg sees it, instead of rendering garbage or hanging.
 */

export const TS_PACKET = 188;
const PTS_WRAP = 2 ** 33;
const PTS_HZ = 90000;

export type TsVideoCodec = 'h264' | 'hevc' | 'other';
export type TsAudioCodec = 'aac' | 'mp3' | 'ac3' | 'other';

export interface TsInfo {
  packets: number;
  video: {
    pid: number;
    codec: TsVideoCodec;
    /** Seconds (PTS / 90 kHz) of the first and last video PES, unwrapped. */
    firstPts: number;
    lastPts: number;
    /** PES packets ≈ frames. */
    frames: number;
    /** The first video PES is a random access point (a keyframe). */
    startsWithKeyframe: boolean;
  } | null;
  audio: { pid: number; codec: TsAudioCodec; firstPts: number } | null;
}

export class TsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TsError';
  }
}

const VIDEO_TYPES: Record<number, TsVideoCodec> = {
  0x1b: 'h264',
  0x24: 'hevc',
  0x02: 'other',
  0x10: 'other',
};
const AUDIO_TYPES: Record<number, TsAudioCodec> = {
  0x0f: 'aac',
  0x11: 'aac',
  0x03: 'mp3',
  0x04: 'mp3',
  0x81: 'ac3',
};

function readPts(b: Uint8Array, o: number): number {
  return (
    ((b[o]! >> 1) & 7) * 2 ** 30 +
    (b[o + 1]! << 22) +
    ((b[o + 2]! >> 1) << 15) +
    (b[o + 3]! << 7) +
    (b[o + 4]! >> 1)
  );
}

/** Reads a whole segment; throws a TsError saying what is wrong. */
export function inspectTs(buf: Uint8Array): TsInfo {
  if (buf.length === 0) throw new TsError('the file is empty');
  if (buf.length % TS_PACKET !== 0) {
    throw new TsError(
      `the file is truncated (${buf.length} bytes is not a whole number of 188-byte packets)`,
    );
  }
  const packets = buf.length / TS_PACKET;
  let pmtPid = -1;
  let video: { pid: number; codec: TsVideoCodec } | null = null;
  let audio: { pid: number; codec: TsAudioCodec } | null = null;
  let vFirst: number | null = null;
  let vLast: number | null = null;
  let vFrames = 0;
  let vKey = false;
  let aFirst: number | null = null;

  for (let p = 0; p < packets; p++) {
    const o = p * TS_PACKET;
    if (buf[o] !== 0x47) throw new TsError(`lost sync at packet ${p} (byte ${o})`);
    const b1 = buf[o + 1]!;
    const pid = ((b1 & 0x1f) << 8) | buf[o + 2]!;
    const pusi = (b1 & 0x40) !== 0;
    const afc = (buf[o + 3]! >> 4) & 3;
    let payload = o + 4;
    let rai = false;
    if (afc & 2) {
      const len = buf[o + 4]!;
      if (len > 183) throw new TsError(`bad adaptation field at packet ${p}`);
      if (len > 0) rai = (buf[o + 5]! & 0x40) !== 0;
      payload = o + 5 + len;
    }
    if ((afc & 1) === 0 || !pusi) continue;
    const end = o + TS_PACKET;
    if (pid === 0 || pid === pmtPid) {
      // A PSI section: pointer field, then the table.
      const s = payload + 1 + buf[payload]!;
      if (s + 8 > end) continue;
      const tableId = buf[s]!;
      const sectionEnd = Math.min(end, s + 3 + (((buf[s + 1]! & 0x0f) << 8) | buf[s + 2]!) - 4);
      if (pid === 0 && tableId === 0x00) {
        for (let q = s + 8; q + 4 <= sectionEnd; q += 4) {
          const program = (buf[q]! << 8) | buf[q + 1]!;
          if (program !== 0) {
            pmtPid = ((buf[q + 2]! & 0x1f) << 8) | buf[q + 3]!;
            break;
          }
        }
      } else if (pid === pmtPid && tableId === 0x02) {
        const infoLen = ((buf[s + 10]! & 0x0f) << 8) | buf[s + 11]!;
        for (let q = s + 12 + infoLen; q + 5 <= sectionEnd;) {
          const type = buf[q]!;
          const esPid = ((buf[q + 1]! & 0x1f) << 8) | buf[q + 2]!;
          const esInfo = ((buf[q + 3]! & 0x0f) << 8) | buf[q + 4]!;
          const vc = VIDEO_TYPES[type];
          const ac = AUDIO_TYPES[type];
          if (vc !== undefined && video === null) video = { pid: esPid, codec: vc };
          else if (ac !== undefined && audio === null) audio = { pid: esPid, codec: ac };
          q += 5 + esInfo;
        }
      }
      continue;
    }
    const isVideo = video !== null && pid === video.pid;
    const isAudio = audio !== null && pid === audio.pid;
    if (!isVideo && !isAudio) continue;
    if (
      payload + 14 > end ||
      buf[payload] !== 0 ||
      buf[payload + 1] !== 0 ||
      buf[payload + 2] !== 1
    ) {
      throw new TsError(`a PES packet of stream ${pid} has no start code (packet ${p})`);
    }
    const hasPts = (buf[payload + 7]! & 0x80) !== 0;
    if (!hasPts) continue;
    let pts = readPts(buf, payload + 9);
    if (isVideo) {
      if (vFirst === null) {
        vFirst = pts;
        vKey = rai;
      } else if (pts < vFirst - PTS_WRAP / 2) pts += PTS_WRAP;
      vLast = vLast === null ? pts : Math.max(vLast, pts);
      vFrames++;
    } else if (aFirst === null) {
      aFirst = pts;
    }
  }
  if (pmtPid === -1) throw new TsError('no program table (PAT) found');
  if (video === null && audio === null)
    throw new TsError('no audio or video stream in the program table');
  return {
    packets,
    video:
      video !== null && vFirst !== null && vLast !== null
        ? {
            ...video,
            firstPts: vFirst / PTS_HZ,
            lastPts: vLast / PTS_HZ,
            frames: vFrames,
            startsWithKeyframe: vKey,
          }
        : null,
    audio: audio !== null && aFirst !== null ? { ...audio, firstPts: aFirst / PTS_HZ } : null,
  };
}
