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
 * The logit of every row of a batch.
 *
 * @example
 * const logits = forwardLogits(weights, encodeInputs(state, design));
 */
export function forwardLogits(weights: MlpWeights, batch: InputBatch): Float64Array {
  const { n, width } = batch;
  const first = inputWidth(weights, width);
  const widest = Math.max(first, ...weights.layers.map((l) => l.outputs));
  let input = new Float64Array(widest);
  let output = new Float64Array(widest);
  const logits = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < width; j++) input[j] = batch.dense[i * width + j]!;
    let at = width;
    weights.embeddings.forEach((e, c) => {
      const row = batch.indices[c]![i]! * e.dim;
      for (let d = 0; d < e.dim; d++) input[at + d] = e.values[row + d]!;
      at += e.dim;
    });
    let size = first;
    for (let l = 0; l < weights.layers.length; l++) {
      const { inputs, outputs, w, b } = weights.layers[l]!;
      if (inputs !== size) throw new Error(`layer ${l} expects ${inputs} inputs, got ${size}`);
      const last = l === weights.layers.length - 1;
      for (let o = 0; o < outputs; o++) {
        let z = b[o]!;
        for (let k = 0; k < inputs; k++) z += input[k]! * w[k * outputs + o]!;
        output[o] = last || z > 0 ? z : 0;
      }
      [input, output] = [output, input];
      size = outputs;
    }
    logits[i] = input[0]!;
  }
  return logits;
}
