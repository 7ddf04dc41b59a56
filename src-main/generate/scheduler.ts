/**
 * The flow-matching denoising math of Wan2.x: the shifted sigma schedule, the timesteps the
 * transformer sees, an Euler and a UniPC (bh2, order 2) solver, classifier-free guidance and the
 * A14B expert choice. Pure, no I/O: the pipeline owns the model calls.
 *
 * Convention (as Wan2.x and diffusers' UniPCMultistepScheduler with use_flow_sigmas): the sample is
 * x_σ = (1 − σ)·x₀ + σ·ε, σ runs from just under 1 down to 0, and the transformer predicts the
 * velocity v = ε − x₀, so dx/dσ = v.
 */

export type Expert = 'high' | 'low';

export interface FlowSchedulerOptions {
  /** Denoising steps, i.e. transformer calls (each doubled when guidance is on). */
  readonly steps: number;
  /** Timestep shift; Wan2.x uses 5 at 720p and 3 at 480p, 1 leaves the schedule linear. */
  readonly shift: number;
  /** The training timestep count the model was trained with; Wan2.x uses 1000. */
  readonly numTrainTimesteps?: number;
}

/** A solver for the flow ODE, stepped once per schedule index. */
export interface FlowScheduler {
  /** steps + 1 values, decreasing, the last 0. */
  readonly sigmas: Float64Array;
  /** One per step: the timestep to pass to the transformer at step i. */
  readonly timesteps: Float64Array;
  /** The sample at sigmas[i + 1], from the sample at sigmas[i] and the model's velocity there. */
  step(modelOutput: Float32Array, i: number, sample: Float32Array): Float32Array;
}

const DEFAULT_TRAIN_TIMESTEPS = 1000;

function checkSteps(steps: number): void {
  if (!Number.isInteger(steps) || steps < 1)
    throw new RangeError(`steps must be a positive integer, got ${steps}`);
}

function checkShift(shift: number): void {
  if (!Number.isFinite(shift) || shift <= 0)
    throw new RangeError(`shift must be a finite number above 0, got ${shift}`);
}

function checkTrainTimesteps(n: number): void {
  if (!Number.isInteger(n) || n < 2)
    throw new RangeError(`numTrainTimesteps must be an integer of at least 2, got ${n}`);
}

/**
 * The shifted flow-matching sigmas: steps + 1 values from σ_max down to exactly 0, each
 * s' = shift·s / (1 + (shift − 1)·s) of an evenly spaced s.
 *
 * σ_max is 1 − 1/numTrainTimesteps (0.999), not 1, as in Wan2.x's FlowUniPCMultistepScheduler and
 * diffusers' use_flow_sigmas: at σ = 1 the signal weight 1 − σ is 0, the log-SNR UniPC works in is
 * −∞, and its second step would divide infinities. The spacing is computed as numpy's linspace
 * does (start + i·step, the end pinned) so the truncated timesteps land on the same integers.
 */
export function flowSigmas(
  steps: number,
  shift: number,
  numTrainTimesteps = DEFAULT_TRAIN_TIMESTEPS,
): Float64Array {
  checkSteps(steps);
  checkShift(shift);
  checkTrainTimesteps(numTrainTimesteps);
  const sigmas = new Float64Array(steps + 1);
  // diffusers builds σ as flip(1 − linspace(1, 1/N, steps + 1)) without its final 0; keep the same
  // rounding path: numpy's linspace is start + j·delta with the last value pinned to stop.
  const start = 1;
  const stop = 1 / numTrainTimesteps;
  const delta = (stop - start) / steps;
  for (let i = 0; i < steps; i++) {
    const j = steps - i;
    const s = 1 - (j === steps ? stop : start + j * delta);
    sigmas[i] = (shift * s) / (1 + (shift - 1) * s);
  }
  sigmas[steps] = 0;
  return sigmas;
}

/**
 * The transformer's timestep for each step: ⌊σ·numTrainTimesteps⌋ for every sigma but the final 0
 * (no model call happens there). Truncated to an integer because Wan2.x and diffusers cast the
 * schedule to int64 before the transformer and the expert switch see it.
 */
export function timestepsFromSigmas(
  sigmas: Float64Array,
  numTrainTimesteps = DEFAULT_TRAIN_TIMESTEPS,
): Float64Array {
  checkTrainTimesteps(numTrainTimesteps);
  if (sigmas.length < 2)
    throw new RangeError(`sigmas must hold at least 2 values (one step), got ${sigmas.length}`);
  const out = new Float64Array(sigmas.length - 1);
  for (let i = 0; i < out.length; i++) out[i] = Math.trunc(sigmas[i]! * numTrainTimesteps);
  return out;
}

function checkStep(
  modelOutput: Float32Array,
  sample: Float32Array,
  i: number,
  steps: number,
): void {
  if (!Number.isInteger(i) || i < 0 || i >= steps)
    throw new RangeError(`step index must be an integer in [0, ${steps - 1}], got ${i}`);
  if (modelOutput.length !== sample.length)
    throw new RangeError(
      `model output has ${modelOutput.length} values but the sample has ${sample.length}`,
    );
}

/** First-order solver: x_{i+1} = x_i + (σ_{i+1} − σ_i)·v. Stateless, so steps may be replayed. */
export class EulerFlowScheduler implements FlowScheduler {
  readonly sigmas: Float64Array;
  readonly timesteps: Float64Array;

  constructor(opts: FlowSchedulerOptions) {
    const n = opts.numTrainTimesteps ?? DEFAULT_TRAIN_TIMESTEPS;
    this.sigmas = flowSigmas(opts.steps, opts.shift, n);
    this.timesteps = timestepsFromSigmas(this.sigmas, n);
  }

  step(modelOutput: Float32Array, i: number, sample: Float32Array): Float32Array {
    checkStep(modelOutput, sample, i, this.timesteps.length);
    const dt = this.sigmas[i + 1]! - this.sigmas[i]!;
    const out = new Float32Array(sample.length);
    for (let k = 0; k < out.length; k++) out[k] = sample[k]! + dt * modelOutput[k]!;
    return out;
  }
}

/** log-SNR of the flow schedule: λ(σ) = ln((1 − σ)/σ); +∞ at σ = 0. */
function lambdaOf(sigma: number): number {
  return Math.log(1 - sigma) - Math.log(sigma);
}

/**
 * UniPC (Zhao et al. 2023) as diffusers' UniPCMultistepScheduler runs Wan2.x: data prediction
 * (x₀ = x − σ·v), B(h) = e^{−h} − 1 ("bh2"), solver order 2 with a first-order warm-up, the corrector
 * UniC on every step after the first, and lower_order_final (the last step is first order).
 *
 * Stateful: step() must be called for i = 0, 1, 2, … in order, once each. Like diffusers, the
 * x₀ prediction is taken from the sample as the caller passed it (the predictor's output), and the
 * corrector only replaces the sample the next predictor starts from.
 */
export class UniPCFlowScheduler implements FlowScheduler {
  readonly sigmas: Float64Array;
  readonly timesteps: Float64Array;
  /** x₀ predictions of the last two steps, newest last. */
  private prevX0: Float32Array | null = null;
  private lastX0: Float32Array | null = null;
  /** The (corrected) sample the previous predictor started from. */
  private lastSample: Float32Array | null = null;
  /** Order the previous predictor used; the corrector at the next step uses the same. */
  private lastOrder = 0;
  private next = 0;

  constructor(opts: FlowSchedulerOptions) {
    const n = opts.numTrainTimesteps ?? DEFAULT_TRAIN_TIMESTEPS;
    this.sigmas = flowSigmas(opts.steps, opts.shift, n);
    this.timesteps = timestepsFromSigmas(this.sigmas, n);
  }

  step(modelOutput: Float32Array, i: number, sample: Float32Array): Float32Array {
    const steps = this.timesteps.length;
    checkStep(modelOutput, sample, i, steps);
    if (i !== this.next)
      throw new Error(
        `UniPC is multistep and must be stepped in order: expected step ${this.next}, got ${i}`,
      );
    const sigma = this.sigmas[i]!;
    const x0 = new Float32Array(sample.length);
    for (let k = 0; k < x0.length; k++) x0[k] = sample[k]! - sigma * modelOutput[k]!;

    const x =
      i > 0 && this.lastSample !== null && this.lastX0 !== null
        ? this.correct(x0, i)
        : Float32Array.from(sample);

    this.prevX0 = this.lastX0;
    this.lastX0 = x0;
    // Warm-up (one x₀ so far) and lower_order_final both drop to first order.
    const order = Math.min(2, steps - i, i + 1);
    this.lastSample = x;
    this.lastOrder = order;
    this.next = i + 1;
    return this.predict(x, i, order);
  }

  /** UniP-bh2: from x at σ_i to σ_{i+1}, using the x₀ predictions of steps i and (order 2) i − 1. */
  private predict(x: Float32Array, i: number, order: number): Float32Array {
    const s0 = this.sigmas[i]!;
    const st = this.sigmas[i + 1]!;
    const { ratio, alphaBh, h } = coefficients(s0, st);
    const m0 = this.lastX0!;
    const out = new Float32Array(x.length);
    if (order === 2) {
      const m1 = this.prevX0!;
      const rk = (lambdaOf(this.sigmas[i - 1]!) - lambdaOf(s0)) / h;
      // diffusers fixes ρ = 1/2 for the order-2 predictor instead of solving for it.
      const cD = (-alphaBh * 0.5) / rk;
      for (let k = 0; k < out.length; k++)
        out[k] = ratio * x[k]! - alphaBh * m0[k]! + cD * (m1[k]! - m0[k]!);
    } else {
      for (let k = 0; k < out.length; k++) out[k] = ratio * x[k]! - alphaBh * m0[k]!;
    }
    return out;
  }

  /** UniC-bh2: re-solves the step σ_{i−1} → σ_i with the new x₀ prediction at σ_i. */
  private correct(x0Now: Float32Array, i: number): Float32Array {
    const s0 = this.sigmas[i - 1]!;
    const st = this.sigmas[i]!;
    const { ratio, alphaBh, h, hh, bh } = coefficients(s0, st);
    const m0 = this.lastX0!;
    const xLast = this.lastSample!;
    const out = new Float32Array(xLast.length);
    if (this.lastOrder === 2) {
      const m1 = this.prevX0!;
      const rk = (lambdaOf(this.sigmas[i - 2]!) - lambdaOf(s0)) / h;
      // b_k = k!·φ_{k+1}(hh)/B(h) through the recurrence φ_{k+1} = φ_k/hh − 1/k!, then
      // solve [[1, 1], [rk, 1]]·ρ = b for the weights of D1 = (m1 − m0)/rk and of (x₀ − m0).
      let phi = Math.expm1(hh) / hh - 1;
      const b1 = phi / bh;
      phi = phi / hh - 0.5;
      const b2 = (2 * phi) / bh;
      const rho0 = (b1 - b2) / (1 - rk);
      const rho1 = b1 - rho0;
      const cD = (-alphaBh * rho0) / rk;
      const cT = -alphaBh * rho1;
      for (let k = 0; k < out.length; k++) {
        const d = m0[k]!;
        out[k] = ratio * xLast[k]! - alphaBh * d + cD * (m1[k]! - d) + cT * (x0Now[k]! - d);
      }
    } else {
      const cT = -alphaBh * 0.5;
      for (let k = 0; k < out.length; k++) {
        const d = m0[k]!;
        out[k] = ratio * xLast[k]! - alphaBh * d + cT * (x0Now[k]! - d);
      }
    }
    return out;
  }
}

/**
 * Step coefficients from σ_s to σ_t with α = 1 − σ: h = λ_t − λ_s, hh = −h, B(h) = e^{hh} − 1
 * (bh2, which is also hφ₁), ratio = σ_t/σ_s and alphaBh = α_t·B(h). At σ_t = 0, h = +∞ and
 * B(h) = −1, so the step lands on the x₀ prediction.
 */
function coefficients(
  s0: number,
  st: number,
): { ratio: number; alphaBh: number; h: number; hh: number; bh: number } {
  const h = lambdaOf(st) - lambdaOf(s0);
  const hh = -h;
  const bh = Math.expm1(hh);
  return { ratio: st / s0, alphaBh: (1 - st) * bh, h, hh, bh };
}

/** Classifier-free guidance: uncond + scale·(cond − uncond). Scale 1 gives cond alone. */
export function cfg(uncond: Float32Array, cond: Float32Array, scale: number): Float32Array {
  if (uncond.length !== cond.length)
    throw new RangeError(
      `guidance needs outputs of one size: uncond has ${uncond.length} values, cond ${cond.length}`,
    );
  if (!Number.isFinite(scale)) throw new RangeError(`guidance scale must be finite, got ${scale}`);
  const out = new Float32Array(cond.length);
  for (let k = 0; k < out.length; k++) out[k] = uncond[k]! + scale * (cond[k]! - uncond[k]!);
  return out;
}

/**
 * Wan2.2 A14B's mixture of experts: the high-noise expert denoises while t ≥ boundary·1000 and the
 * low-noise expert after (boundary 0.875 for T2V, 0.9 for I2V).
 */
export function expertFor(
  t: number,
  boundary: number,
  numTrainTimesteps = DEFAULT_TRAIN_TIMESTEPS,
): Expert {
  if (!Number.isFinite(boundary) || boundary < 0 || boundary > 1)
    throw new RangeError(`expert boundary must be a fraction in [0, 1], got ${boundary}`);
  if (!Number.isFinite(t)) throw new RangeError(`timestep must be finite, got ${t}`);
  return t >= boundary * numTrainTimesteps ? 'high' : 'low';
}
