/**
 * Scheduler math against values derived by hand here, not printed by the code under test: the
 * sigma table from the shift formula with exact fractions, Euler on an ODE with a closed-form
 * solution, and UniPC replayed with the flow-matching simplification of its coefficients (written
 * without log-SNR steps or a linear solve), plus a convergence check on a Gaussian toy whose exact
 * flow is known.
 */
import { describe, expect, it } from 'vitest';
import {
  cfg,
  EulerFlowScheduler,
  expertFor,
  flowSigmas,
  timestepsFromSigmas,
  UniPCFlowScheduler,
  type FlowScheduler,
} from './scheduler';

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let k = 0; k < expected.length; k++)
    expect(Math.abs(actual[k]! - expected[k]!), `index ${k}`).toBeLessThanOrEqual(tol);
}

describe('flowSigmas', () => {
  it('steps=4 shift=5 match the shift formula worked by hand', () => {
    // Unshifted: 1 − linspace(1, 1/1000, 5) reversed = 0.999·(4 − i)/4 = 0.999, 0.74925, 0.4995,
    // 0.24975, 0. Shifted s' = 5s/(1 + 4s):
    //   0.999   → 4.995/4.996      0.74925 → 3.74625/3.997
    //   0.4995  → 2.4975/2.998     0.24975 → 1.24875/1.999     0 → 0
    const s = flowSigmas(4, 5);
    expectClose(s, [4.995 / 4.996, 3.74625 / 3.997, 2.4975 / 2.998, 1.24875 / 1.999, 0], 1e-14);
    expect(s[4]).toBe(0);
  });

  it('shift=1 leaves the schedule linear from 0.999 to 0', () => {
    const s = flowSigmas(3, 1);
    expectClose(s, [0.999, 0.666, 0.333, 0], 1e-14);
  });

  it('a larger shift spends more steps at high noise', () => {
    const lo = flowSigmas(10, 1);
    const hi = flowSigmas(10, 8);
    for (let i = 1; i < 10; i++) {
      expect(hi[i]!).toBeGreaterThan(lo[i]!);
      expect(hi[i]!).toBeLessThan(hi[i - 1]!);
    }
  });

  it.each([
    [0, 5, /steps must be a positive integer, got 0/],
    [2.5, 5, /steps must be a positive integer, got 2.5/],
    [4, 0, /shift must be a finite number above 0, got 0/],
    [4, Number.NaN, /shift must be a finite number above 0, got NaN/],
  ])('refuses steps=%s shift=%s', (steps, shift, message) => {
    expect(() => flowSigmas(steps, shift)).toThrow(message);
  });
});

describe('timestepsFromSigmas', () => {
  it('truncates σ·1000 and leaves out the final σ = 0', () => {
    // From the fractions above: 999.7998… 937.2654… 833.0553… 624.6873…
    expect([...timestepsFromSigmas(flowSigmas(4, 5))]).toEqual([999, 937, 833, 624]);
  });

  it('shift=1 over 50 steps gives ⌊999·(50 − i)/50⌋', () => {
    const t = timestepsFromSigmas(flowSigmas(50, 1));
    expect(t.length).toBe(50);
    // i = 1: 979.02, i = 25: 499.5, i = 49: 19.98
    expect([t[0], t[1], t[25], t[49]]).toEqual([999, 979, 499, 19]);
  });

  it('refuses a schedule without a step', () => {
    expect(() => timestepsFromSigmas(new Float64Array([0]))).toThrow(/at least 2 values/);
  });
});

/** Runs a scheduler over a scalar-per-element model, returning every step's output. */
function run(
  sched: FlowScheduler,
  x: Float32Array,
  model: (x: number, sigma: number) => number,
): Float32Array[] {
  const outs: Float32Array[] = [];
  let cur = x;
  for (let i = 0; i < sched.timesteps.length; i++) {
    const sigma = sched.sigmas[i]!;
    cur = sched.step(
      cur.map((v) => model(v, sigma)),
      i,
      cur,
    );
    outs.push(cur);
  }
  return outs;
}

describe('EulerFlowScheduler', () => {
  it('on dx/dσ = a·x multiplies by Π(1 + a·Δσ), converging to x·e^{−a·σ₀}', () => {
    // Exact: x(0) = x(σ₀)·e^{a(0 − σ₀)}. Euler: each step x ← x + Δσ·a·x = (1 + aΔσ)·x, and with
    // shift 1 every Δσ = −0.999/n, so the result is x·(1 − 0.999a/n)^n.
    const a = 0.8;
    const x0 = new Float32Array([1, -2, 0.5]);
    const errors: number[] = [];
    for (const n of [10, 20, 40]) {
      const out = run(new EulerFlowScheduler({ steps: n, shift: 1 }), x0, (x) => a * x).at(-1)!;
      const factor = (1 - (0.999 * a) / n) ** n;
      expectClose(
        out,
        [...x0].map((v) => v * factor),
        1e-5,
      );
      errors.push(Math.abs(out[0]! - Math.exp(-a * 0.999)));
    }
    // First order: doubling the steps halves the error.
    expect(errors[0]! / errors[1]!).toBeGreaterThan(1.8);
    expect(errors[0]! / errors[1]!).toBeLessThan(2.2);
    expect(errors[1]! / errors[2]!).toBeGreaterThan(1.8);
  });

  it('is exact for a constant velocity and does not touch its inputs', () => {
    const sched = new EulerFlowScheduler({ steps: 3, shift: 5 });
    const sample = new Float32Array([0.25, -1]);
    const v = new Float32Array([2, 3]);
    const out = sched.step(v, 1, sample);
    const dt = sched.sigmas[2]! - sched.sigmas[1]!;
    expectClose(out, [0.25 + 2 * dt, -1 + 3 * dt], 1e-6);
    expect([...sample]).toEqual([0.25, -1]);
    // Over the whole schedule Σ Δσ = −σ₀, whatever the shift.
    const end = run(sched, new Float32Array([1]), () => 2).at(-1)!;
    expect(end[0]).toBeCloseTo(1 - 2 * sched.sigmas[0]!, 5);
  });

  it('refuses a bad index or mismatched sizes', () => {
    const sched = new EulerFlowScheduler({ steps: 2, shift: 1 });
    const x = new Float32Array(4);
    expect(() => sched.step(x, 2, x)).toThrow(/step index must be an integer in \[0, 1\], got 2/);
    expect(() => sched.step(new Float32Array(3), 0, x)).toThrow(
      /model output has 3 values but the sample has 4/,
    );
  });
});

/*
 * UniPC reference, derived for flow matching (α = 1 − σ, λ = ln(α/σ), data prediction
 * d = x − σ·v). diffusers' bh2 update from σ_s to σ_t has the base term
 *   (σ_t/σ_s)·x − α_t·(e^{−h} − 1)·d_s,   h = λ_t − λ_s.
 * With e^{−h} = (1 − σ_s)·σ_t / (σ_s·(1 − σ_t)):
 *   α_t·(e^{−h} − 1) = ((1 − σ_s)σ_t − σ_s(1 − σ_t)) / σ_s = r − 1,   r = σ_t/σ_s,
 * so the base term is r·x + (1 − r)·d_s (which is an Euler step when d_s = x − σ_s·v), and every
 * correction is scaled by α_t·B(h) = r − 1 too.
 *   predictor, order 2 (ρ = ½ fixed):  base + (1 − r)·½·(d_{s−1} − d_s)/r_k
 *   corrector, order 1 (ρ = ½):        base + (1 − r)·½·(d_t − d_s)
 *   corrector, order 2:                base + (1 − r)·(ρ₀·(d_{s−1} − d_s)/r_k + ρ₁·(d_t − d_s))
 * with r_k = (λ_{s−1} − λ_s)/(λ_t − λ_s) and [[1, 1], [r_k, 1]]·ρ = [b₁, b₂],
 *   b₁ = hh·φ₂(hh)/(e^{hh} − 1),  b₂ = 2·hh·φ₃(hh)/(e^{hh} − 1),  hh = λ_s − λ_t,
 *   φ₂(z) = (e^z − 1 − z)/z²,  φ₃(z) = (e^z − 1 − z − z²/2)/z³   (UniPC paper, B(h) = e^h − 1).
 */
const lam = (s: number) => Math.log((1 - s) / s);
const base = (x: number, ds: number, s: number, t: number) => (t / s) * x + (1 - t / s) * ds;
const rkOf = (sPrev: number, s: number, t: number) => (lam(sPrev) - lam(s)) / (lam(t) - lam(s));
const pred2 = (x: number, ds: number, dPrev: number, sPrev: number, s: number, t: number) =>
  base(x, ds, s, t) + (1 - t / s) * 0.5 * ((dPrev - ds) / rkOf(sPrev, s, t));
const corr1 = (x: number, ds: number, dt: number, s: number, t: number) =>
  base(x, ds, s, t) + (1 - t / s) * 0.5 * (dt - ds);
function corr2(
  x: number,
  ds: number,
  dPrev: number,
  dt: number,
  sPrev: number,
  s: number,
  t: number,
) {
  const ez = ((1 - s) / s) * (t / (1 - t)); // e^{hh}
  const z = Math.log(ez);
  const phi2 = (ez - 1 - z) / z ** 2;
  const phi3 = (ez - 1 - z - z ** 2 / 2) / z ** 3;
  const b1 = (z * phi2) / (ez - 1);
  const b2 = (2 * z * phi3) / (ez - 1);
  const rk = rkOf(sPrev, s, t);
  // Cramer's rule on ρ₀ + ρ₁ = b₁, r_k·ρ₀ + ρ₁ = b₂.
  const rho0 = (b1 - b2) / (1 - rk);
  const rho1 = b1 - rho0;
  return base(x, ds, s, t) + (1 - t / s) * (rho0 * ((dPrev - ds) / rk) + rho1 * (dt - ds));
}

describe('UniPCFlowScheduler', () => {
  const model = (x: number, s: number) => Math.sin(2 * x) - 0.7 * x + 1.5 * s * s;

  it('follows the hand-worked 4-step predictor-corrector sequence', () => {
    const shift = 3;
    // Sigmas by the formula, independently of flowSigmas: s = 0.999·(4 − i)/4, then shifted.
    const sg = [0, 1, 2, 3].map((i) => {
      const s = (0.999 * (4 - i)) / 4;
      return (shift * s) / (1 + (shift - 1) * s);
    });
    sg.push(0);
    const start = [0.9, -0.4, 1.7];
    const outs = run(new UniPCFlowScheduler({ steps: 4, shift }), Float32Array.from(start), model);
    expect(outs.length).toBe(4);

    const expected = start.map((x0) => {
      const [s0, s1, s2, s3, s4] = sg as [number, number, number, number, number];
      // Step 0: warm-up, order-1 predictor only.
      const d0 = x0 - s0 * model(x0, s0);
      const out1 = base(x0, d0, s0, s1);
      // Step 1: d from the predicted sample; UniC-1 corrects the step 0→1 (the previous step was
      // order 1); UniP-2 goes on from the corrected sample.
      const d1 = out1 - s1 * model(out1, s1);
      const xc1 = corr1(x0, d0, d1, s0, s1);
      const out2 = pred2(xc1, d1, d0, s0, s1, s2);
      // Step 2: UniC-2 on the step 1→2, then UniP-2.
      const d2 = out2 - s2 * model(out2, s2);
      const xc2 = corr2(xc1, d1, d0, d2, s0, s1, s2);
      const out3 = pred2(xc2, d2, d1, s1, s2, s3);
      // Step 3 (last): UniC-2 on 2→3, then lower_order_final: order 1 to σ = 0, where r = 0
      // and the result is d3 itself, so this last correction does not reach the output.
      const d3 = out3 - s3 * model(out3, s3);
      const xc3 = corr2(xc2, d2, d1, d3, s1, s2, s3);
      const out4 = base(xc3, d3, s3, s4);
      expect(out4).toBeCloseTo(d3, 12);
      return [out1, out2, out3, out4];
    });
    for (let i = 0; i < 4; i++)
      expectClose(
        outs[i]!,
        expected.map((e) => e[i]!),
        2e-6,
      );
  });

  it('takes an Euler step first, and with 2 steps matches Euler entirely', () => {
    // Step 0 is order 1 with no corrector: r·x + (1 − r)(x − σ_s·v) = x + (σ_t − σ_s)·v. With 2
    // steps the last one is order 1 to σ = 0 from the uncorrected sample, as Euler's is.
    const x = Float32Array.from([0.3, -1.1]);
    const u = run(new UniPCFlowScheduler({ steps: 2, shift: 5 }), x, model);
    const e = run(new EulerFlowScheduler({ steps: 2, shift: 5 }), x, model);
    expectClose(u[0]!, e[0]!, 1e-6);
    expectClose(u[1]!, e[1]!, 1e-6);
    const u3 = run(new UniPCFlowScheduler({ steps: 3, shift: 5 }), x, model);
    const e3 = run(new EulerFlowScheduler({ steps: 3, shift: 5 }), x, model);
    expectClose(u3[0]!, e3[0]!, 1e-6);
    // From step 1 on the corrector and the second order make it differ.
    expect(Math.abs(u3[1]![0]! - e3[1]![0]!)).toBeGreaterThan(1e-4);
  });

  it('is far more accurate than Euler on a Gaussian toy with a known exact flow', () => {
    // Data x₀ ~ N(μ, τ²), noise ε ~ N(0, 1): x_σ = (1 − σ)x₀ + σε has marginal
    // N((1 − σ)μ, std²), std(σ) = √((1 − σ)²τ² + σ²), and the flow keeps the z-score:
    // x(σ) = (1 − σ)μ + std(σ)·z, so v = −μ + std'(σ)·z with std' = (σ − (1 − σ)τ²)/std.
    // The exact end point is μ + τ·z.
    const mu = 0.8;
    const tau = 0.3;
    const z = 1.3;
    const std = (s: number) => Math.sqrt((1 - s) ** 2 * tau ** 2 + s ** 2);
    const v = (x: number, s: number) =>
      -mu + ((s - (1 - s) * tau ** 2) / std(s)) * ((x - (1 - s) * mu) / std(s));
    const err = (sched: FlowScheduler) => {
      const s0 = sched.sigmas[0]!;
      const end = run(sched, Float32Array.of((1 - s0) * mu + std(s0) * z), v).at(-1)!;
      return Math.abs(end[0]! - (mu + tau * z));
    };
    for (const shift of [1, 3, 5]) {
      const euler40 = err(new EulerFlowScheduler({ steps: 40, shift }));
      const euler80 = err(new EulerFlowScheduler({ steps: 80, shift }));
      const unipc80 = err(new UniPCFlowScheduler({ steps: 80, shift }));
      expect(euler40 / euler80).toBeGreaterThan(1.8);
      expect(euler40 / euler80).toBeLessThan(2.2);
      expect(unipc80).toBeLessThan(euler80 / 10);
    }
  });

  it('must be stepped in order, once per step', () => {
    const sched = new UniPCFlowScheduler({ steps: 3, shift: 1 });
    const x = new Float32Array(2);
    expect(() => sched.step(x, 1, x)).toThrow(/expected step 0, got 1/);
    sched.step(x, 0, x);
    expect(() => sched.step(x, 0, x)).toThrow(/expected step 1, got 0/);
    expect(() => sched.step(x, 3, x)).toThrow(/step index must be an integer in \[0, 2\], got 3/);
  });

  it('keeps its own copies, so a caller reusing buffers does not change the result', () => {
    const start = Float32Array.of(0.5, -0.5);
    const clean = run(new UniPCFlowScheduler({ steps: 4, shift: 3 }), start, model).at(-1)!;
    const sched = new UniPCFlowScheduler({ steps: 4, shift: 3 });
    let cur: Float32Array = Float32Array.from(start);
    for (let i = 0; i < 4; i++) {
      const sigma = sched.sigmas[i]!;
      const vOut = cur.map((x) => model(x, sigma));
      const next = sched.step(vOut, i, cur);
      cur.fill(123);
      vOut.fill(-7);
      cur = next;
    }
    expectClose(cur, clean, 0);
  });
});

describe('cfg', () => {
  it.each([
    [5, [1 + 5 * (3 - 1), -2 + 5 * (0 - -2)]],
    [1, [3, 0]],
    [0, [1, -2]],
  ])('scale %s gives uncond + scale·(cond − uncond)', (scale, expected) => {
    expectClose(cfg(Float32Array.of(1, -2), Float32Array.of(3, 0), scale), expected, 1e-6);
  });

  it('refuses outputs of different sizes or a non-finite scale', () => {
    expect(() => cfg(new Float32Array(2), new Float32Array(3), 5)).toThrow(
      /uncond has 2 values, cond 3/,
    );
    expect(() => cfg(new Float32Array(2), new Float32Array(2), Number.NaN)).toThrow(
      /guidance scale must be finite/,
    );
  });
});

describe('expertFor', () => {
  it.each([
    [999, 0.875, 'high'],
    [875, 0.875, 'high'],
    [874, 0.875, 'low'],
    [0, 0.875, 'low'],
    [900, 0.9, 'high'],
    [899, 0.9, 'low'],
    [0, 0, 'high'],
    [999, 1, 'low'],
  ] as const)('t=%s boundary=%s → %s', (t, boundary, expert) => {
    expect(expertFor(t, boundary)).toBe(expert);
  });

  it('hands over once, high to low, along a Wan2.2 A14B schedule', () => {
    // 40 steps, shift 12, boundary 0.875: the high-noise expert runs while ⌊1000·σ⌋ ≥ 875.
    const t = timestepsFromSigmas(flowSigmas(40, 12));
    const experts = [...t].map((ti) => expertFor(ti, 0.875));
    const first = experts.indexOf('low');
    expect(first).toBeGreaterThan(0);
    expect(experts.slice(0, first).every((e) => e === 'high')).toBe(true);
    expect(experts.slice(first).every((e) => e === 'low')).toBe(true);
    expect(t[first - 1]!).toBeGreaterThanOrEqual(875);
    expect(t[first]!).toBeLessThan(875);
  });

  it('refuses a boundary outside [0, 1]', () => {
    expect(() => expertFor(500, 875)).toThrow(/fraction in \[0, 1\], got 875/);
  });
});
