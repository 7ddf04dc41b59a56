import { describe, expect, it } from 'vitest';
import { SampleAligner } from './pcm';

describe('SampleAligner', () => {
  it('joins a sample split across chunks and keeps sessions apart', () => {
    const a = new SampleAligner();
    const bytes = Buffer.alloc(6);
    bytes.writeInt16LE(1000, 0);
    bytes.writeInt16LE(-2000, 2);
    bytes.writeInt16LE(3000, 4);
    const first = a.take({ sessionId: 's', mediaTime: 1, samples: bytes.subarray(0, 3) });
    expect([...first!.samples]).toEqual([1000]);
    expect(a.take({ sessionId: 'other', mediaTime: 0, samples: Buffer.alloc(1) })).toBeNull();
    const second = a.take({
      sessionId: 's',
      mediaTime: 1 + 1.5 / 16000,
      samples: bytes.subarray(3),
    });
    expect([...second!.samples]).toEqual([-2000, 3000]);
    // The held-over half sample started half a sample before this chunk's time.
    expect(second!.mediaTime).toBeCloseTo(1 + 1 / 16000, 9);
  });

  it('drops a held byte when the session is forgotten', () => {
    const a = new SampleAligner();
    a.take({ sessionId: 's', mediaTime: 0, samples: Buffer.from([1]) });
    a.forget('s');
    const r = a.take({ sessionId: 's', mediaTime: 2, samples: Buffer.from([0x10, 0x00]) });
    expect([...r!.samples]).toEqual([16]);
    expect(r!.mediaTime).toBe(2);
  });
});
