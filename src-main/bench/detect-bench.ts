/**
 * Highlight detection on the labeled set (e2e/fixtures/detect) with the e-commerce preset:
 * precision, recall, boundary error and the delay from a trigger's final transcript event to its
 * highlight (issue #5 bar: precision and recall ≥ 0.9, delay ≤ 300 ms). Other presets for context.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_LEXICON } from '../detect/default-lexicon';
import { evaluateDir } from '../detect/eval/harness';
import { PRESETS } from '../detect/presets';
import { resolveFfmpeg } from '../ffmpeg/resolve';

export async function benchDetect(): Promise<unknown> {
  const dir = [
    join(process.cwd(), 'e2e', 'fixtures', 'detect'),
    join(__dirname, '..', '..', 'e2e', 'fixtures', 'detect'),
  ].find((d) => existsSync(d));
  if (!dir)
    return { skipped: 'the labeled set e2e/fixtures/detect is not here (run from the repo)' };
  const ff = resolveFfmpeg({});
  const ffmpeg = ff.found ? ff.path : null;
  const out: Record<string, unknown> = {};
  for (const preset of ['e-commerce', 'gaming', 'talk-show'] as const) {
    const r = await evaluateDir(dir, {
      preset,
      ffmpeg,
      settings: PRESETS[preset],
      lexicon: DEFAULT_LEXICON,
    });
    out[preset] = {
      cases: r.cases,
      media_minutes: Math.round(r.durationS / 6) / 10,
      labels: r.labels,
      predicted: r.predicted,
      precision: r.precision,
      recall: r.recall,
      mean_boundary_error_s: r.meanBoundaryErrorS,
      detection_delay_ms: r.detectionDelayMs,
      ...(preset === 'e-commerce'
        ? { target: 'precision ≥ 0.9, recall ≥ 0.9, delay ≤ 300 ms' }
        : { note: 'the set is labeled for e-commerce; shown for context' }),
    };
  }
  return out;
}
