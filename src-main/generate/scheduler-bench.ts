/**
 * Issue #8 figure: what the scheduler adds to each denoising step on real latent sizes, to set
 * against the transformer's session.run (the target is ≤ 5 % loop overhead). Pure CPU, no model.
 */
import { performance } from 'node:perf_hooks';
import { cfg, EulerFlowScheduler, UniPCFlowScheduler, type FlowScheduler } from './scheduler';

export interface SchedulerBenchCase {
  readonly name: string;
  /** Latent channels × frames × height × width. */
  readonly shape: readonly [number, number, number, number];
}

/** Wan2.1/2.2 A14B at 480p and 720p, 81 frames (21 latent frames, spatial stride 8). */
export const SCHEDULER_BENCH_CASES: readonly SchedulerBenchCase[] = [
  { name: 'wan-480p-81f', shape: [16, 21, 60, 104] },
  { name: 'wan-720p-81f', shape: [16, 21, 90, 160] },
];

export interface SchedulerBenchResult {
  readonly name: string;
  readonly values: number;
  /** Median milliseconds per call over the run. */
  readonly eulerStepMs: number;
  readonly unipcStepMs: number;
  readonly cfgMs: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeSteps(sched: FlowScheduler, x: Float32Array, v: Float32Array): number[] {
  const times: number[] = [];
  let cur = x;
  for (let i = 0; i < sched.timesteps.length; i++) {
    const t0 = performance.now();
    cur = sched.step(v, i, cur);
    times.push(performance.now() - t0);
  }
  return times;
}

export function benchScheduler(
  cases: readonly SchedulerBenchCase[] = SCHEDULER_BENCH_CASES,
  steps = 10,
): SchedulerBenchResult[] {
  return cases.map(({ name, shape }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const x = new Float32Array(n);
    const v = new Float32Array(n);
    // Deterministic, non-constant data so no branch or denormal shortcut flatters the figure.
    for (let k = 0; k < n; k++) {
      x[k] = Math.sin(k * 0.001);
      v[k] = Math.cos(k * 0.0007);
    }
    const euler = timeSteps(new EulerFlowScheduler({ steps, shift: 5 }), x, v);
    const unipc = timeSteps(new UniPCFlowScheduler({ steps, shift: 5 }), x, v);
    const guide: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      cfg(x, v, 5);
      guide.push(performance.now() - t0);
    }
    return {
      name,
      values: n,
      eulerStepMs: median(euler),
      unipcStepMs: median(unipc),
      cfgMs: median(guide),
    };
  });
}
