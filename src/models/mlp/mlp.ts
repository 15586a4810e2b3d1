/**
 * A small neural network for leads, trained with TensorFlow.js: numbers standardised (inputs.ts), each
 * category through a learned embedding, dense ReLU layers with dropout, one sigmoid output; Adam on
 * class-weighted binary cross-entropy; early stopping on a validation slice with the best weights kept.
 *
 * Deterministic by construction: the weights are initialised, the rows shuffled into batches and the dropout
 * masks drawn by the project's seeded generator (tfjs's own `fit` shuffles unseeded), and the training
 * steps run on one backend thread, so the same seed on the same backend gives the same weights. Scoring is
 * the typed-array forward pass (forward.ts) over the saved weights, on any backend or none.
 */
import type { TreeDesign } from '../../features/tree-features.ts';
import { NotFittedError } from '../../errors.ts';
import { createRng } from '../../random.ts';
import { sigmoid } from '../loss.ts';
import { type BackendChoice, type BackendName, loadTf, type Tf } from './backend.ts';
import { forwardLogits, inputWidth, integratedGradients, type MlpWeights } from './forward.ts';
import { encodeInputs, fitInputs, type InputBatch, type InputsState } from './inputs.ts';
import { floatsAt } from '../../data/columns.ts';

export interface MlpParams {
  /** Widths of the hidden layers. */
  hidden: number[];
  dropout: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Largest embedding width (a category of k levels gets min(this, ⌈1.6·k^0.56⌉)). */
  embeddingDim: number;
  /** Epochs without a better validation loss before training stops. */
  patience: number;
  backend: BackendChoice;
  /** Levels with fewer training rows share the "other" embedding row with missing and unseen values. */
  minCount: number;
  seed: number;
}

export const MLP_DEFAULTS: MlpParams = {
  hidden: [64, 32], dropout: 0.3, epochs: 30, batchSize: 256, learningRate: 0.001, embeddingDim: 16, patience: 4, backend: 'auto', minCount: 10, seed: 42,
};

export interface MlpFitted {
  inputs: InputsState;
  weights: MlpWeights;
  /** The backend the weights were trained on. */
  backend: BackendName;
  epochs: number;
  bestEpoch: number;
  validationLoss: number[];
}

const toArray = (a: Float32Array) => Array.from(a);

export class MultilayerPerceptron {
  readonly kind = 'mlp';
  readonly params: MlpParams;
  private state: MlpFitted | null = null;

  constructor(params: Partial<MlpParams> = {}) {
    this.params = { ...MLP_DEFAULTS, ...params };
  }

  get fitted(): MlpFitted {
    if (!this.state) throw new NotFittedError('mlp');
    return this.state;
  }

  /**
   * Trains on the rows of a tree design; `validation` rows steer early stopping (best weights kept).
   *
   * @example
   * const model = await new MultilayerPerceptron({ epochs: 20 }).fit(design, y, { train: fitRows, validation: valRows });
   */
  async fit(design: TreeDesign, y: ArrayLike<number>, rows: { train: ArrayLike<number>; validation: ArrayLike<number> }, options: { onNote?: (note: string) => void } = {}): Promise<this> {
    const p = this.params;
    const { tf, backend, note } = await loadTf(p.backend);
    if (note) options.onNote?.(note);
    const rng = createRng(p.seed);
    const inputs = fitInputs(design, rows.train, { minCount: p.minCount, maxDim: p.embeddingDim });
    const train = encodeInputs(inputs, design, rows.train);
    const validation = encodeInputs(inputs, design, rows.validation);
    const yTrain = Float32Array.from(rows.train, (r) => y[r]!);
    const yVal = floatsAt(y, rows.validation);

    // Weights from the seeded generator: He-uniform for ReLU layers, Glorot-uniform for the output, small normal embeddings.
    const init = rng.fork('init');
    const uniform = (n: number, limit: number) => Float32Array.from({ length: n }, () => (2 * init.next() - 1) * limit);
    const embeddings = inputs.categorical.map((c) => ({ size: c.size, dim: c.dim, values: Float32Array.from({ length: c.size * c.dim }, () => 0.05 * init.normal()) }));
    const widths = [inputWidth({ embeddings, layers: [] }, train.width), ...p.hidden, 1];
    const layers = widths.slice(1).map((outputs, l) => {
      const fanIn = widths[l]!;
      const limit = l === widths.length - 2 ? Math.sqrt(6 / (fanIn + outputs)) : Math.sqrt(6 / fanIn);
      return { inputs: fanIn, outputs, w: uniform(fanIn * outputs, limit), b: new Float32Array(outputs) };
    });
    const vars = {
      embeddings: embeddings.map((e) => tf.variable(tf.tensor2d(e.values, [e.size, e.dim]))),
      w: layers.map((l) => tf.variable(tf.tensor2d(l.w, [l.inputs, l.outputs]))),
      b: layers.map((l) => tf.variable(tf.tensor1d(l.b))),
    };
    const read = (): MlpWeights => ({
      embeddings: embeddings.map((e, c) => ({ size: e.size, dim: e.dim, values: vars.embeddings[c]!.dataSync() as Float32Array })),
      layers: layers.map((l, k) => ({ inputs: l.inputs, outputs: l.outputs, w: vars.w[k]!.dataSync() as Float32Array, b: vars.b[k]!.dataSync() as Float32Array })),
    });

    // Balanced class weights: each class carries half the loss (calibration maps the output back to rates).
    const positives = yTrain.reduce((s, v) => s + v, 0);
    const weightOf = [train.n / (2 * Math.max(1, train.n - positives)), train.n / (2 * Math.max(1, positives))];
    const optimizer = tf.train.adam(p.learningRate);
    const order = rng.fork('batches');
    const dropout = rng.fork('dropout');
    let best = { loss: Infinity, epoch: 0, weights: copyWeights(read()) };
    const losses: number[] = [];
    let epoch = 0;
    for (; epoch < p.epochs; epoch++) {
      const perm = order.permutation(train.n);
      for (let start = 0; start < train.n; start += p.batchSize) {
        const batchRows = perm.subarray(start, Math.min(train.n, start + p.batchSize));
        const m = batchRows.length;
        const dense = new Float32Array(m * train.width);
        batchRows.forEach((r, i) => dense.set(train.dense.subarray(r * train.width, (r + 1) * train.width), i * train.width));
        const labels = Float32Array.from(batchRows, (r) => yTrain[r]!);
        const weights = Float32Array.from(labels, (v) => weightOf[v]!);
        const masks = p.dropout > 0 ? p.hidden.map((h) => Float32Array.from({ length: m * h }, () => (dropout.next() < p.dropout ? 0 : 1 / (1 - p.dropout)))) : [];
        tf.tidy(() => {
          const x = tf.tensor2d(dense, [m, train.width]);
          const idx = train.indices.map((col) => tf.tensor1d(Int32Array.from(batchRows, (r) => col[r]!), 'int32'));
          const yT = tf.tensor1d(labels);
          const wT = tf.tensor1d(weights);
          const maskT = masks.map((mask, k) => tf.tensor2d(mask, [m, p.hidden[k]!]));
          optimizer.minimize(() => {
            const z = logitsTf(tf, vars, x, idx, maskT);
            // Binary cross-entropy on logits, stable form: max(z, 0) − z·y + log(1 + e^−|z|), weighted per class.
            const loss = tf.relu(z).sub(z.mul(yT)).add(tf.log1p(tf.exp(tf.abs(z).neg())));
            return loss.mul(wT).sum().div(wT.sum()) as ReturnType<Tf['scalar']>;
          }, false, [...vars.embeddings, ...vars.w, ...vars.b]);
        });
      }
      // Early stopping on the validation rows' loss (class-weighted as in training), from the typed-array forward pass.
      const z = forwardLogits(read(), validation);
      let loss = 0;
      let total = 0;
      for (let i = 0; i < z.length; i++) {
        const w = weightOf[yVal[i]!]!;
        loss += w * (Math.max(z[i]!, 0) - z[i]! * yVal[i]! + Math.log1p(Math.exp(-Math.abs(z[i]!))));
        total += w;
      }
      loss /= Math.max(1e-12, total);
      losses.push(Number(loss.toFixed(6)));
      if (loss < best.loss - 1e-6) best = { loss, epoch: epoch + 1, weights: copyWeights(read()) };
      else if (epoch + 1 - best.epoch >= p.patience) {
        epoch++;
        break;
      }
    }
    for (const v of [...vars.embeddings, ...vars.w, ...vars.b]) v.dispose();
    optimizer.dispose();
    this.state = { inputs, weights: best.weights, backend, epochs: epoch, bestEpoch: best.epoch, validationLoss: losses };
    return this;
  }

  /** The logit of every row of a tree design. */
  decisionFunction(design: TreeDesign): Float64Array {
    return forwardLogits(this.fitted.weights, this.encode(design));
  }

  /** The network's inputs for a tree design (for attributions and tfjs's own forward pass). */
  encode(design: TreeDesign): InputBatch {
    return encodeInputs(this.fitted.inputs, design);
  }

  /**
   * Each row's logit attributed to the original columns by integrated gradients against the baseline lead
   * (every number at its training median, every category at its most frequent level): the columns' values
   * add up to logit(row) − `baselineLogit` (up to the integral's midpoint rule).
   *
   * @example
   * const { columns, values } = model.contributions(design); // values: n × columns.length
   */
  contributions(design: TreeDesign): { columns: string[]; values: Float64Array; baselineLogit: number } {
    const { inputs, weights } = this.fitted;
    const batch = this.encode(design);
    // The baseline's inputs: standardised medians, no missing flags, each category's most frequent level (code 0).
    const dense = new Float32Array(batch.width);
    let j = 0;
    for (const x of inputs.numeric) {
      dense[j] = (x.median - x.mean) / x.sd;
      j += x.missingFlag ? 2 : 1;
    }
    const ig = integratedGradients(weights, batch, { dense, indices: inputs.categorical.map((c) => c.index[0] ?? 0) });
    // Every first-layer input belongs to one original column (a date's age, month and weekday to the date).
    const owner: string[] = [];
    for (const x of inputs.numeric) for (let k = 0; k < (x.missingFlag ? 2 : 1); k++) owner.push(design.groups[x.feature]!);
    inputs.categorical.forEach((c) => {
      for (let d = 0; d < c.dim; d++) owner.push(design.groups[c.feature]!);
    });
    const columns = [...new Set(owner)];
    const at = owner.map((o) => columns.indexOf(o));
    const values = new Float64Array(batch.n * columns.length);
    for (let i = 0; i < batch.n; i++) for (let k = 0; k < ig.width; k++) {
      const slot = i * columns.length + at[k]!;
      values[slot] = values[slot]! + ig.values[i * ig.width + k]!;
    }
    return { columns, values, baselineLogit: ig.baselineLogit };
  }

  /**
   * P(converted) for every row of a tree design (uncalibrated).
   *
   * @example
   * const p = model.predictProba(features.transform(data));
   */
  predictProba(design: TreeDesign): Float64Array {
    return this.decisionFunction(design).map(sigmoid);
  }

  toJSON(): { kind: 'mlp'; params: MlpParams; state: unknown } {
    const s = this.fitted;
    return {
      kind: 'mlp', params: this.params,
      state: {
        inputs: s.inputs, backend: s.backend, epochs: s.epochs, bestEpoch: s.bestEpoch, validationLoss: s.validationLoss,
        weights: {
          embeddings: s.weights.embeddings.map((e) => ({ size: e.size, dim: e.dim, values: toArray(e.values) })),
          layers: s.weights.layers.map((l) => ({ inputs: l.inputs, outputs: l.outputs, w: toArray(l.w), b: toArray(l.b) })),
        },
      },
    };
  }

  /**
   * @example
   * const model = MultilayerPerceptron.fromJSON(artifact.model);
   */
  static fromJSON(json: { params: MlpParams; state: { inputs: InputsState; backend: BackendName; epochs: number; bestEpoch: number; validationLoss: number[];
    weights: { embeddings: Array<{ size: number; dim: number; values: number[] }>; layers: Array<{ inputs: number; outputs: number; w: number[]; b: number[] }> } } }): MultilayerPerceptron {
    const model = new MultilayerPerceptron(json.params);
    const { weights, ...rest } = json.state;
    model.state = {
      ...rest,
      weights: {
        embeddings: weights.embeddings.map((e) => ({ size: e.size, dim: e.dim, values: Float32Array.from(e.values) })),
        layers: weights.layers.map((l) => ({ inputs: l.inputs, outputs: l.outputs, w: Float32Array.from(l.w), b: Float32Array.from(l.b) })),
      },
    };
    return model;
  }
}

function copyWeights(w: MlpWeights): MlpWeights {
  return {
    embeddings: w.embeddings.map((e) => ({ ...e, values: Float32Array.from(e.values) })),
    layers: w.layers.map((l) => ({ ...l, w: Float32Array.from(l.w), b: Float32Array.from(l.b) })),
  };
}

type Vars = { embeddings: Array<ReturnType<Tf['variable']>>; w: Array<ReturnType<Tf['variable']>>; b: Array<ReturnType<Tf['variable']>> };

/** The logits in tfjs (training; `masks` apply dropout after each hidden layer). */
function logitsTf(tf: Tf, vars: Vars, x: ReturnType<Tf['tensor2d']>, idx: Array<ReturnType<Tf['tensor1d']>>, masks: Array<ReturnType<Tf['tensor2d']>>): ReturnType<Tf['tensor1d']> {
  // An embedding row by one-hot × table: its gradient is a matrix product, which every backend has (the wasm
  // backend lacks the segment sum that gather's gradient needs).
  let h = tf.concat([x, ...vars.embeddings.map((e, c) => tf.matMul(tf.oneHot(idx[c]!, e.shape[0]!).toFloat(), e as never))], 1) as ReturnType<Tf['tensor2d']>;
  vars.w.forEach((w, l) => {
    const z = tf.matMul(h, w as never).add(vars.b[l]!);
    const last = l === vars.w.length - 1;
    h = (last ? z : masks[l] ? tf.relu(z).mul(masks[l]!) : tf.relu(z)) as ReturnType<Tf['tensor2d']>;
  });
  return h.reshape([-1]) as ReturnType<Tf['tensor1d']>;
}

/**
 * The logits by tfjs's own forward pass (no dropout), for checking the typed-array pass against it.
 *
 * @example
 * const viaTf = await tfLogits(model, model.encode(design), 'wasm');
 */
export async function tfLogits(model: MultilayerPerceptron, batch: InputBatch, backend: BackendChoice = 'auto'): Promise<Float64Array> {
  const { tf } = await loadTf(backend);
  const { weights } = model.fitted;
  const logits = tf.tidy(() => {
    const vars = {
      embeddings: weights.embeddings.map((e) => tf.tensor2d(e.values, [e.size, e.dim])),
      w: weights.layers.map((l) => tf.tensor2d(l.w, [l.inputs, l.outputs])),
      b: weights.layers.map((l) => tf.tensor1d(l.b)),
    } as unknown as Vars;
    const x = tf.tensor2d(batch.dense, [batch.n, batch.width]);
    const idx = batch.indices.map((col) => tf.tensor1d(col, 'int32'));
    return logitsTf(tf, vars, x, idx, []);
  });
  const values = Float64Array.from(logits.dataSync());
  logits.dispose();
  return values;
}

