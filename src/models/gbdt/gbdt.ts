/**
 * Gradient-boosted trees for conversion: binomial log loss, histogram trees grown leaf-wise, shrinkage,
 * row and column subsampling, class weights, L2 on leaf values, and early stopping on a validation slice
 * of the training rows (log loss), keeping the best iteration.
 */
import { availableParallelism } from 'node:os';
import { ConfigError, NotFittedError } from '../../errors.ts';
import { createRng } from '../../random.ts';
import type { TreeDesign } from '../../features/tree-features.ts';
import { binomialLoss, logit, sigmoid } from '../loss.ts';
import { binColumns, type Binner, featuresWithMissing, fitBinner } from './binning.ts';
import { growTree, jsKernel, rowWorkspace } from './grow.ts';
import { PARALLEL_MIN_ROWS, WasmKernel } from './wasm-kernel.ts';
import { compileForest, type Forest, predictForest } from './predict.ts';
import { addTreePrediction, type Tree, treeValuesBinned, treeFromJSON, type TreeJSON, treeToJSON } from './tree.ts';
import { allRows } from '../../data/columns.ts';

export interface GbdtParams {
  trees: number;
  learningRate: number;
  /** 0 for no limit (leaf-wise growth bounded by maxLeaves). */
  maxDepth: number;
  maxLeaves: number;
  minChildWeight: number;
  minSamplesLeaf: number;
  lambda: number;
  rowSubsample: number;
  colSubsample: number;
  classWeight: 'balanced' | null;
  earlyStopping: boolean;
  /** Share of the training rows held out for early stopping. */
  validationFraction: number;
  /** Stop after this many rounds without a better validation log loss. */
  patience: number;
  maxBins: number;
  catSmooth: number;
  minDataPerCategory: number;
  maxCatThreshold: number;
  /** Monotone constraints by feature name: +1 the score only rises with it, −1 only falls. Numeric features only. */
  monotone: Record<string, 1 | -1>;
  /** Build large nodes' histograms on a second thread (when the machine has more than one core). */
  threads: number;
  seed: number;
}

export const DEFAULT_GBDT_PARAMS: GbdtParams = {
  trees: 500, learningRate: 0.05, maxDepth: 6, maxLeaves: 31, minChildWeight: 1e-3, minSamplesLeaf: 20, lambda: 1,
  rowSubsample: 1, colSubsample: 1, classWeight: null, earlyStopping: true, validationFraction: 0.1, patience: 50,
  maxBins: 255, catSmooth: 10, minDataPerCategory: 10, maxCatThreshold: 32, monotone: {}, threads: Math.min(2, availableParallelism()), seed: 42,
};

export interface GbdtState {
  baseScore: number;
  trees: TreeJSON[];
  featureNames: string[];
  kinds: Array<'numeric' | 'categorical'>;
  bestIteration: number;
  /** Validation log loss per round (when early stopping ran). */
  validationLoss: number[];
  /** Total split gain and split count per feature. */
  importance: { gain: number[]; splits: number[] };
}

/**
 * @example
 * const model = new GradientBoostedTrees({ trees: 300 }).fit(trainDesign, yTrain);
 * const p = model.predictProba(testDesign);
 */
export class GradientBoostedTrees {
  readonly kind = 'gbdt';
  readonly params: GbdtParams;
  private state: GbdtState | null = null;
  private compiled: Tree[] = [];
  /** The branch-free scoring form (predict.ts), built on first use; null when the trees are too deep for it. */
  private forest: Forest | null | undefined;

  constructor(params: Partial<GbdtParams> = {}) {
    this.params = { ...DEFAULT_GBDT_PARAMS, ...params };
  }

  fit(design: TreeDesign, y: Uint8Array, options: { sampleWeight?: Float64Array; validation?: { design: TreeDesign; y: Uint8Array } } = {}): this {
    const p = this.params;
    const rng = createRng(p.seed);
    const n = design.n;
    // Early stopping: a stratified validation slice of the training rows, unless one is given.
    let fitRows = allRows(n);
    let valRows = new Int32Array(0);
    if (p.earlyStopping && !options.validation) {
      const splitRng = rng.fork('validation');
      const take: number[] = [];
      const keep: number[] = [];
      for (const cls of [0, 1]) {
        const members = [...fitRows].filter((i) => y[i] === cls);
        const order = splitRng.permutation(members.length);
        const k = Math.round(p.validationFraction * members.length);
        order.forEach((m, rank) => (rank < k ? take : keep).push(members[m]!));
      }
      fitRows = Int32Array.from(keep).sort();
      valRows = Int32Array.from(take).sort();
    }
    const monotone = Int8Array.from(design.names, (name, f) => {
      const m = p.monotone[name] ?? 0;
      if (m !== 0 && design.kinds[f] !== 'numeric') throw new ConfigError('MONOTONE_CATEGORICAL', `monotone constraint on "${name}", which is categorical`, 'monotone constraints apply to numeric features only');
      return m;
    });
    for (const name of Object.keys(p.monotone)) {
      if (!design.names.includes(name)) throw new ConfigError('MONOTONE_UNKNOWN', `monotone constraint on "${name}", which is not a feature`, `features: ${design.names.slice(0, 15).join(', ')}${design.names.length > 15 ? ', …' : ''}`);
    }
    const binner: Binner = fitBinner(design.columns, design.kinds, fitRows, p.maxBins);
    const binned = binColumns(binner, design.columns, n);
    binner.missing = featuresWithMissing(binned, n, design.p);
    // Histograms and partitions by the WebAssembly kernel where it runs (histograms on a second thread too
    // for large data), which holds the bin codes, gradients and row index in its memory; else the
    // JavaScript loops. Same results.
    const wasm = WasmKernel.create(binned, n, design.p, fitRows.length, p.threads > 1 && n >= PARALLEL_MIN_ROWS ? 2 : 1);
    const bins = wasm?.bins ?? binned;

    let positives = 0;
    for (const i of fitRows) positives += y[i]!;
    const classW = p.classWeight === 'balanced' ? [fitRows.length / (2 * (fitRows.length - positives)), fitRows.length / (2 * positives)] : [1, 1];
    const w = Float64Array.from({ length: n }, (_, i) => (options.sampleWeight?.[i] ?? 1) * classW[y[i]!]!);
    let sw = 0;
    let swy = 0;
    for (const i of fitRows) {
      sw += w[i]!;
      swy += w[i]! * y[i]!;
    }
    const mean = Math.min(1 - 1e-6, Math.max(1e-6, swy / sw));
    const baseScore = logit(mean);
    const raw = new Float64Array(n).fill(baseScore);
    const grad = wasm?.grad ?? new Float64Array(n);
    const hess = wasm?.hess ?? new Float64Array(n);
    const workspace = wasm?.workspace ?? rowWorkspace(fitRows.length);
    const kernel = wasm ?? jsKernel(bins, n, grad, hess, workspace);

    const validation = options.validation;
    const valRaw = new Float64Array(validation ? validation.design.n : valRows.length).fill(baseScore);
    const valLoss: number[] = [];
    const trees: Tree[] = [];
    const gain = new Array<number>(design.p).fill(0);
    const splits = new Array<number>(design.p).fill(0);
    let best = { loss: Infinity, iteration: 0 };
    const allFeatures = allRows(design.p);
    const rowRng = rng.fork('rows');
    const histogramPool: Float64Array[] = [];
    // Tree values of the fit rows (when rows are subsampled) and of the validation rows, reused per tree.
    const fitValues = new Float64Array(p.rowSubsample < 1 ? fitRows.length : 0);
    const valValues = new Float64Array(valRows.length);
    try {
    const colRng = rng.fork('columns');

    for (let t = 0; t < p.trees; t++) {
      for (let k = 0; k < fitRows.length; k++) {
        const i = fitRows[k]!;
        const prob = sigmoid(raw[i]!);
        const wi = w[i]!;
        grad[i] = wi * (prob - y[i]!);
        hess[i] = wi * Math.max(prob * (1 - prob), 1e-16);
      }
      const rows = p.rowSubsample < 1 ? fitRows.filter(() => rowRng.next() < p.rowSubsample) : fitRows;
      let features = allFeatures;
      if (p.colSubsample < 1) {
        const k = Math.max(1, Math.round(p.colSubsample * design.p));
        features = Int32Array.from(colRng.permutation(design.p).subarray(0, k)).sort();
      }
      const { monotone: _byName, ...growParams } = p;
      const grown = growTree(bins, n, binner, grad, hess, rows, features, { ...growParams, ...(Object.keys(p.monotone).length ? { monotone } : {}) }, { pool: histogramPool, workspace, kernel });
      trees.push(grown.tree);
      // Training predictions: every fit row (sampled or not) by walking the binned tree.
      if (rows.length === fitRows.length) {
        for (const { rows: leafRows, value } of grown.leaves) {
          for (let q = 0; q < leafRows.length; q++) raw[leafRows[q]!]! += value;
        }
      } else {
        treeValuesBinned(grown.tree, bins, n, fitRows, fitValues);
        for (let k = 0; k < fitRows.length; k++) raw[fitRows[k]!]! += fitValues[k]!;
      }
      if (validation || valRows.length > 0) {
        let loss = 0;
        if (validation) {
          addTreePrediction(grown.tree, validation.design.columns, validation.design.n, valRaw);
          for (let i = 0; i < validation.design.n; i++) loss += binomialLoss(validation.y[i]!, valRaw[i]!);
          loss /= validation.design.n;
        } else {
          treeValuesBinned(grown.tree, bins, n, valRows, valValues);
          for (let k = 0; k < valRows.length; k++) {
            valRaw[k]! += valValues[k]!;
            loss += binomialLoss(y[valRows[k]!]!, valRaw[k]!);
          }
          loss /= valRows.length;
        }
        valLoss.push(loss);
        if (loss < best.loss - 1e-12) best = { loss, iteration: t + 1 };
        if (p.earlyStopping && t + 1 - best.iteration >= p.patience) break;
      } else {
        best.iteration = t + 1;
      }
    }
    } finally {
      wasm?.close();
    }
    const kept = trees.slice(0, best.iteration);
    for (const tree of kept) {
      for (let node = 0; node < tree.feature.length; node++) {
        const f = tree.feature[node]!;
        if (f < 0) continue;
        gain[f]! += tree.gain[node]!;
        splits[f]!++;
      }
    }
    this.compiled = kept;
    this.forest = undefined;
    this.state = {
      baseScore, trees: kept.map(treeToJSON), featureNames: [...design.names], kinds: [...design.kinds],
      bestIteration: best.iteration, validationLoss: valLoss.map((l) => Number(l.toFixed(8))),
      importance: { gain: gain.map((g) => Number(g.toPrecision(10))), splits },
    };
    return this;
  }

  get fitted(): GbdtState {
    if (!this.state) throw new NotFittedError('GradientBoostedTrees');
    return this.state;
  }

  get trees(): readonly Tree[] {
    this.fitted;
    return this.compiled;
  }

  /** The branch-free scoring form of the trees (predict.ts), built on first use; null when they are too deep for it. */
  scoringForest(): Forest | null {
    if (this.forest === undefined) this.forest = compileForest(this.compiled, this.fitted.kinds);
    return this.forest;
  }

  decisionFunction(design: TreeDesign): Float64Array {
    const state = this.fitted;
    if (design.p !== state.featureNames.length) throw new RangeError(`the model has ${state.featureNames.length} features, the data ${design.p}`);
    const raw = new Float64Array(design.n).fill(state.baseScore);
    const forest = this.scoringForest();
    if (forest) predictForest(forest, design.columns, design.n, raw);
    else for (const tree of this.compiled) addTreePrediction(tree, design.columns, design.n, raw);
    return raw;
  }

  predictProba(design: TreeDesign): Float64Array {
    return this.decisionFunction(design).map(sigmoid);
  }

  /** `threads` is how the fit ran, not what was fitted (results are identical): it is not saved. */
  toJSON(): { kind: 'gbdt'; params: Omit<GbdtParams, 'threads'>; state: GbdtState } {
    const { threads: _threads, ...params } = this.params;
    return { kind: 'gbdt', params, state: structuredClone(this.fitted) };
  }

  static fromJSON(json: { params: Omit<GbdtParams, 'threads'>; state: GbdtState }): GradientBoostedTrees {
    const model = new GradientBoostedTrees(json.params);
    model.state = structuredClone(json.state);
    model.compiled = json.state.trees.map(treeFromJSON);
    return model;
  }
}
