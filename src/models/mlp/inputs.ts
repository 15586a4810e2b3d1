/**
 * The network's inputs, made from the tree features (TreeFeatures: numbers as they are, categories as
 * level codes, NaN for missing): every number imputed with its training median, then standardised with the
 * training mean and standard deviation, with a 0/1 "was missing" input beside each number that had missing
 * values in training; every category as an index into its embedding, where index 0 is shared by missing,
 * unseen and rare levels (fewer than `minCount` training rows). Fitted on the training rows only;
 * serialisable as plain numbers.
 */
import type { TreeDesign } from '../../features/tree-features.ts';

export interface NumericInput {
  /** Feature index in the tree design. */
  feature: number;
  median: number;
  mean: number;
  sd: number;
  /** Adds a 0/1 input that says the value was missing. */
  missingFlag: boolean;
}

export interface CategoricalInput {
  feature: number;
  /** Embedding index per level code (0 for rare levels); index 0 is also missing and unseen. */
  index: number[];
  /** Rows of the embedding table: 1 + the levels kept. */
  size: number;
  /** Embedding width. */
  dim: number;
}

export interface InputsState {
  numeric: NumericInput[];
  categorical: CategoricalInput[];
}

/** The network's inputs for a batch of rows: a dense row-major matrix and one index column per category. */
export interface InputBatch {
  n: number;
  /** Width of the dense part: numbers and their missing flags. */
  width: number;
  dense: Float32Array;
  indices: Int32Array[];
}

/**
 * The embedding width for a category of `size` rows: min(maxDim, ⌈1.6 · size^0.56⌉).
 *
 * @example
 * embeddingDim(7, 16); // 5
 */
export function embeddingDim(size: number, maxDim: number): number {
  return Math.max(1, Math.min(maxDim, Math.ceil(1.6 * size ** 0.56)));
}

/**
 * Fits the input encoding on the training rows of a tree design.
 *
 * @example
 * const state = fitInputs(design, split.train, { minCount: 10, maxDim: 16 });
 */
export function fitInputs(design: TreeDesign, rows: ArrayLike<number>, options: { minCount: number; maxDim: number }): InputsState {
  const numeric: NumericInput[] = [];
  const categorical: CategoricalInput[] = [];
  design.kinds.forEach((kind, f) => {
    const column = design.columns[f]!;
    if (kind === 'categorical') {
      const counts: number[] = [];
      for (let k = 0; k < rows.length; k++) {
        const v = column[rows[k]!]!;
        if (!Number.isNaN(v)) counts[v] = (counts[v] ?? 0) + 1;
      }
      const index: number[] = [];
      let next = 1;
      for (let code = 0; code < counts.length; code++) index.push((counts[code] ?? 0) >= options.minCount ? next++ : 0);
      categorical.push({ feature: f, index, size: next, dim: embeddingDim(next, options.maxDim) });
      return;
    }
    const known: number[] = [];
    for (let k = 0; k < rows.length; k++) {
      const v = column[rows[k]!]!;
      if (!Number.isNaN(v)) known.push(v);
    }
    known.sort((a, b) => a - b);
    const median = known.length ? (known.length % 2 ? known[known.length >> 1]! : (known[known.length / 2 - 1]! + known[known.length / 2]!) / 2) : 0;
    // Mean and sd of the imputed values, as the network sees them.
    let sum = 0;
    for (let k = 0; k < rows.length; k++) {
      const v = column[rows[k]!]!;
      sum += Number.isNaN(v) ? median : v;
    }
    const mean = rows.length ? sum / rows.length : 0;
    let ss = 0;
    for (let k = 0; k < rows.length; k++) {
      const v = column[rows[k]!]!;
      ss += ((Number.isNaN(v) ? median : v) - mean) ** 2;
    }
    const sd = rows.length > 1 ? Math.sqrt(ss / rows.length) : 0;
    numeric.push({ feature: f, median, mean, sd: sd > 0 ? sd : 1, missingFlag: known.length < rows.length });
  });
  return { numeric, categorical };
}

/** Width of the dense input: one per number plus one per missing flag. */
export function denseWidth(state: InputsState): number {
  return state.numeric.reduce((w, x) => w + (x.missingFlag ? 2 : 1), 0);
}

/**
 * The largest standardised input, either sign. A value far outside the training range (1e42 in a revenue
 * column) would otherwise pass float32's range, become infinite and make the network's sums NaN. No
 * training value is touched: among n values none lies more than √n standard deviations from their mean.
 */
const MAX_Z = 1e6;

/**
 * The inputs of the given rows (default every row of the design).
 *
 * @example
 * const batch = encodeInputs(state, design); // batch.dense: n × width, batch.indices: one Int32Array per category
 */
export function encodeInputs(state: InputsState, design: TreeDesign, rows?: ArrayLike<number>): InputBatch {
  const n = rows ? rows.length : design.n;
  const width = denseWidth(state);
  const dense = new Float32Array(n * width);
  let j = 0;
  for (const x of state.numeric) {
    const column = design.columns[x.feature]!;
    for (let i = 0; i < n; i++) {
      const v = column[rows ? rows[i]! : i]!;
      const missing = Number.isNaN(v);
      const z = ((missing ? x.median : v) - x.mean) / x.sd;
      dense[i * width + j] = z > MAX_Z ? MAX_Z : z < -MAX_Z ? -MAX_Z : z;
      if (x.missingFlag) dense[i * width + j + 1] = missing ? 1 : 0;
    }
    j += x.missingFlag ? 2 : 1;
  }
  const indices = state.categorical.map((c) => {
    const column = design.columns[c.feature]!;
    return Int32Array.from({ length: n }, (_, i) => {
      const code = column[rows ? rows[i]! : i]!;
      return Number.isNaN(code) ? 0 : (c.index[code] ?? 0);
    });
  });
  return { n, width, dense, indices };
}
