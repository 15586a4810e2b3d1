/**
 * The network's forward pass over typed arrays: the scoring path. The weights are plain matrices (what
 * tfjs trained, saved as numbers), so scoring needs no TensorFlow.js at all: each row's inputs (dense part,
 * then each category's embedding row) go through the ReLU layers to one logit. Computed in float64 from the
 * float32 weights; a test checks it against tfjs's own forward pass (|Δp| < 1e-6).
 */
import type { InputBatch } from './inputs.ts';

export interface MlpWeights {
  /** One table per category, `size × dim`, row-major. */
  embeddings: Array<{ size: number; dim: number; values: Float32Array }>;
  /** Hidden layers then the output layer: `inputs × outputs` row-major weights and a bias per output. */
  layers: Array<{ inputs: number; outputs: number; w: Float32Array; b: Float32Array }>;
}

/** Width of the first layer's input: the dense part and every embedding. */
export function inputWidth(weights: MlpWeights, denseWidth: number): number {
  return denseWidth + weights.embeddings.reduce((s, e) => s + e.dim, 0);
}

/**
 * The weights as the forward pass reads them, made once per set of weights: every layer's matrix and bias
 * widened to float64 (reading float32 in the inner loop costs a conversion per product), and each embedding
 * table already multiplied into the first layer — for every category level, its embedding row times the
 * first layer's weights for that embedding's inputs (a `size × h1` table). A row's first layer is then its
 * dense inputs times their weights plus one looked-up vector per category, instead of every embedding
 * width times h1 products.
 */
interface Prepared {
  layers: Array<{ inputs: number; outputs: number; w: Float64Array; b: Float64Array }>;
  tables: Float64Array[];
}

const prepared = new WeakMap<MlpWeights, Prepared>();

function prepare(weights: MlpWeights, denseWidth: number): Prepared {
  let ready = prepared.get(weights);
  if (ready) return ready;
  const { outputs: h1, w } = weights.layers[0]!;
  let offset = denseWidth;
  const tables = weights.embeddings.map((e) => {
    const table = new Float64Array(e.size * h1);
    for (let level = 0; level < e.size; level++) {
      for (let d = 0; d < e.dim; d++) {
        const v = e.values[level * e.dim + d]!;
        const row = (offset + d) * h1;
        for (let o = 0; o < h1; o++) table[level * h1 + o] = table[level * h1 + o]! + v * w[row + o]!;
      }
    }
    offset += e.dim;
    return table;
  });
  const layers = weights.layers.map((l) => ({ inputs: l.inputs, outputs: l.outputs, w: Float64Array.from(l.w), b: Float64Array.from(l.b) }));
  ready = { layers, tables };
  prepared.set(weights, ready);
  return ready;
}

/**
 * The logit of every row of a batch.
 *
 * @example
 * const logits = forwardLogits(weights, encodeInputs(state, design));
 */
export function forwardLogits(weights: MlpWeights, batch: InputBatch): Float64Array {
  const { n, width } = batch;
  if (weights.layers[0]!.inputs !== inputWidth(weights, width)) throw new Error(`the first layer expects ${weights.layers[0]!.inputs} inputs, got ${inputWidth(weights, width)}`);
  const { layers, tables } = prepare(weights, width);
  for (let l = 1; l < layers.length; l++) {
    if (layers[l]!.inputs !== layers[l - 1]!.outputs) throw new Error(`layer ${l} expects ${layers[l]!.inputs} inputs, got ${layers[l - 1]!.outputs}`);
  }
  const first = layers[0]!;
  const widest = Math.max(...layers.map((l) => l.outputs));
  let input = new Float64Array(widest);
  let output = new Float64Array(widest);
  const logits = new Float64Array(n);
  const h1 = first.outputs;
  const { dense, indices } = batch;
  for (let i = 0; i < n; i++) {
    // First layer: bias, dense inputs (row-major weights read contiguously), one projected vector per category.
    for (let o = 0; o < h1; o++) input[o] = first.b[o]!;
    for (let j = 0; j < width; j++) {
      const v = dense[i * width + j]!;
      if (v === 0) continue;
      const row = j * h1;
      for (let o = 0; o < h1; o++) input[o] = input[o]! + v * first.w[row + o]!;
    }
    for (let c = 0; c < tables.length; c++) {
      const table = tables[c]!;
      const at = indices[c]![i]! * h1;
      for (let o = 0; o < h1; o++) input[o] = input[o]! + table[at + o]!;
    }
    if (layers.length > 1) for (let o = 0; o < h1; o++) if (input[o]! < 0) input[o] = 0;
    for (let l = 1; l < layers.length; l++) {
      const { inputs, outputs, w, b } = layers[l]!;
      for (let o = 0; o < outputs; o++) output[o] = b[o]!;
      for (let k = 0; k < inputs; k++) {
        const v = input[k]!;
        if (v === 0) continue; // ReLU zeros add nothing
        const row = k * outputs;
        for (let o = 0; o < outputs; o++) output[o] = output[o]! + v * w[row + o]!;
      }
      if (l < layers.length - 1) for (let o = 0; o < outputs; o++) if (output[o]! < 0) output[o] = 0;
      [input, output] = [output, input];
    }
    logits[i] = input[0]!;
  }
  return logits;
}

/**
 * The exact path integral of the gradient along the straight line from the baseline input to a row's, per
 * input. A ReLU network is linear between the points where some unit's pre-activation crosses zero, so the
 * line is cut at those points (layer by layer, each pre-activation is a + α·b along it) and each piece adds
 * its length times its constant gradient: no quadrature error, so the attributions add up to
 * logit(x) − logit(x0) to rounding. The first layer is linear in the input, so the pieces only carry the
 * gradient down to its pre-activations (`firstPre` is W₁ᵀx₀ + b₁, `firstSlope` W₁ᵀ(x − x₀)), and one product
 * with W₁ at the end gives the inputs' integral.
 */
function pathIntegral(weights: MlpWeights, firstPre: Float64Array, firstSlope: Float64Array, into: Float64Array): void {
  const L = weights.layers.length;
  const first = weights.layers[0]!;
  const h1 = first.outputs;
  const g1 = new Float64Array(h1);
  if (L === 1) {
    g1.fill(1);
  } else {
    const active: Uint8Array[] = weights.layers.map((l) => new Uint8Array(l.outputs));
    let alpha = 0;
    for (let guard = 0; alpha < 1 && guard < 100_000; guard++) {
      let next = 1;
      // The pattern just after α (α itself may sit on a crossing, where rounding could give either side).
      let a = new Float64Array(h1);
      let b = new Float64Array(h1);
      for (let o = 0; o < h1; o++) {
        const on = firstPre[o]! + (alpha + 1e-9) * firstSlope[o]! > 0;
        active[0]![o] = on ? 1 : 0;
        if (on) {
          a[o] = firstPre[o]!;
          b[o] = firstSlope[o]!;
        }
        if (firstSlope[o] !== 0) {
          const cross = -firstPre[o]! / firstSlope[o]!;
          if (cross > alpha + 1e-9 && cross < next) next = cross;
        }
      }
      for (let l = 1; l < L - 1; l++) {
        const { inputs, outputs, w, b: bias } = weights.layers[l]!;
        const ha = new Float64Array(outputs);
        const hb = new Float64Array(outputs);
        for (let o = 0; o < outputs; o++) {
          let za = bias[o]!;
          let zb = 0;
          for (let k = 0; k < inputs; k++) {
            za += a[k]! * w[k * outputs + o]!;
            zb += b[k]! * w[k * outputs + o]!;
          }
          const on = za + (alpha + 1e-9) * zb > 0;
          active[l]![o] = on ? 1 : 0;
          if (on) {
            ha[o] = za;
            hb[o] = zb;
          }
          if (zb !== 0) {
            const cross = -za / zb;
            if (cross > alpha + 1e-9 && cross < next) next = cross;
          }
        }
        a = ha;
        b = hb;
      }
      // The piece's gradient down to the first layer's pre-activations.
      let upstream = Float64Array.of(1);
      for (let l = L - 1; l >= 1; l--) {
        const { inputs, outputs, w } = weights.layers[l]!;
        const down = new Float64Array(inputs);
        for (let o = 0; o < outputs; o++) {
          const g = l === L - 1 || active[l]![o] ? upstream[o]! : 0;
          if (g === 0) continue;
          for (let k = 0; k < inputs; k++) down[k] = down[k]! + w[k * outputs + o]! * g;
        }
        upstream = down;
      }
      for (let o = 0; o < h1; o++) if (active[0]![o]) g1[o] = g1[o]! + (next - alpha) * upstream[o]!;
      alpha = next;
    }
  }
  for (let k = 0; k < first.inputs; k++) {
    let s = 0;
    for (let o = 0; o < h1; o++) s += first.w[k * h1 + o]! * g1[o]!;
    into[k] = s;
  }
}

/** W₁ᵀx (+ b₁ with `bias`): the first layer's pre-activations of a full input vector. */
function firstLayer(weights: MlpWeights, x: Float64Array, bias: boolean): Float64Array {
  const { inputs, outputs, w, b } = weights.layers[0]!;
  const z = bias ? Float64Array.from(b) : new Float64Array(outputs);
  for (let k = 0; k < inputs; k++) {
    const v = x[k]!;
    if (v === 0) continue;
    for (let o = 0; o < outputs; o++) z[o] = z[o]! + v * w[k * outputs + o]!;
  }
  return z;
}

/** One row's full first-layer input: its dense values, then each category's embedding row. */
function inputVector(weights: MlpWeights, dense: ArrayLike<number>, indices: ArrayLike<number>, into: Float64Array): void {
  const width = dense.length;
  for (let j = 0; j < width; j++) into[j] = dense[j]!;
  let at = width;
  weights.embeddings.forEach((e, c) => {
    const row = indices[c]! * e.dim;
    for (let d = 0; d < e.dim; d++) into[at + d] = e.values[row + d]!;
    at += e.dim;
  });
}

/**
 * Integrated gradients of each row's logit against a baseline input (the training medians and modes): for
 * every first-layer input j, (x_j − x0_j) × the mean gradient along the straight path from the baseline to
 * the row, integrated exactly (the network is piecewise linear along the path). A row's attributions add
 * up to logit(x) − logit(baseline) (tested within 1e-3); they are attributions, not exact Shapley values
 * like TreeSHAP's.
 *
 * @example
 * const { values, width, baselineLogit } = integratedGradients(weights, batch, { dense, indices });
 */
export function integratedGradients(weights: MlpWeights, batch: InputBatch, baseline: { dense: ArrayLike<number>; indices: ArrayLike<number> }):
  { values: Float64Array; width: number; baselineLogit: number } {
  const width = inputWidth(weights, batch.width);
  const x0 = new Float64Array(width);
  inputVector(weights, baseline.dense, baseline.indices, x0);
  const values = new Float64Array(batch.n * width);
  const x = new Float64Array(width);
  const integral = new Float64Array(width);
  const indices = new Int32Array(batch.indices.length);
  const firstPre = firstLayer(weights, x0, true);
  const baseProjection = firstLayer(weights, x0, false);
  for (let i = 0; i < batch.n; i++) {
    batch.indices.forEach((col, c) => (indices[c] = col[i]!));
    inputVector(weights, batch.dense.subarray(i * batch.width, (i + 1) * batch.width), indices, x);
    const projection = firstLayer(weights, x, false);
    for (let o = 0; o < projection.length; o++) projection[o] = projection[o]! - baseProjection[o]!;
    pathIntegral(weights, firstPre, projection, integral);
    for (let j = 0; j < width; j++) values[i * width + j] = (x[j]! - x0[j]!) * integral[j]!;
  }
  const baselineBatch: InputBatch = { n: 1, width: batch.width, dense: Float32Array.from(baseline.dense), indices: Array.from(baseline.indices, (index) => Int32Array.of(index)) };
  return { values, width, baselineLogit: forwardLogits(weights, baselineBatch)[0]! };
}
