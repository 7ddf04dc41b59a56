/**
 * The PCM tap delivers s16le bytes in chunks that may split a sample; the speech workers need
 * whole samples. One aligner per service keeps the odd byte of each session until its next chunk.
 */
export interface PcmChunkLike {
  sessionId: string;
  mediaTime: number;
  samples: Buffer;
}

export class SampleAligner {
  private readonly carry = new Map<string, Buffer>();

  /** Whole 16 kHz samples of this chunk (with a byte held over from the last one), or null. */
  take(chunk: PcmChunkLike): { samples: Int16Array; mediaTime: number } | null {
    let buf = chunk.samples;
    let mediaTime = chunk.mediaTime;
    const prev = this.carry.get(chunk.sessionId);
    if (prev) {
      buf = Buffer.concat([prev, buf]);
      this.carry.delete(chunk.sessionId);
      mediaTime -= 0.5 / 16000;
    }
    const even = buf.length - (buf.length % 2);
    if (even < buf.length) this.carry.set(chunk.sessionId, Buffer.from(buf.subarray(even)));
    if (even === 0) return null;
    const samples = new Int16Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + even));
    return { samples, mediaTime };
  }

  forget(sessionId: string): void {
    this.carry.delete(sessionId);
  }
}
