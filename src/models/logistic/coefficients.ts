/**
 * What an analyst reads from a logistic model: per encoded feature its coefficient, odds ratio,
 * approximate standard error and p-value (from the inverse Hessian of the penalised objective at the
 * solution), mapped back to the original column and level; and per row, the contributions
 * (coefficient × encoded value) summed per original column, which the export turns into reasons.
 */
import { normalCdf } from '../../evaluation/compare.ts';
import { choleskyInPlace, inverseDiagonal } from './linalg.ts';
import type { EncodedParts } from '../../features/pipeline.ts';
import type { Design, LogisticRegression } from './logistic.ts';
import { hessian, linearPredictor } from './objective.ts';

export interface CoefficientRow {
  feature: string;
  column: string;
  /** The category for one-hot features, `missing` for indicators, '' for a numeric value. */
  level: string;
  coefficient: number;
  oddsRatio: number;
  standardError: number;
  z: number;
  pValue: number;
}

/** Splits an encoded feature name into its column and level. */
export function featureLevel(feature: string, column: string): string {
  const rest = feature.slice(column.length);
  if (rest.startsWith('=')) return rest.slice(1);
  if (rest === '__missing__') return 'missing';
  if (rest.startsWith('__')) return rest.slice(2);
  return '';
}

/**
 * The coefficient table, intercept first. `train` must be the design the model was fitted on.
 *
 * @example
 * coefficientTable(model, trainDesign, yTrain, groups).filter((r) => r.pValue < 0.01);
 */
export function coefficientTable(model: LogisticRegression, train: Design, y: Uint8Array, groups: readonly string[], sampleWeight?: Float64Array): CoefficientRow[] {
  const beta = Float64Array.from(model.fitted.beta);
  const d = beta.length;
  const z = new Float64Array(train.n);
  linearPredictor(train, beta, z);
  const w = sampleWeight ?? new Float64Array(train.n).fill(1);
  const h = new Float64Array(d * d);
  hessian({ columns: train.columns, n: train.n, p: train.p, y, w, lambda: 1 / model.params.C }, z, h, new Float64Array(train.n));
  const variances = choleskyInPlace(h, d) ? inverseDiagonal(h, d) : new Float64Array(d).fill(Number.NaN);
  return Array.from(beta, (b, j) => {
    const se = Math.sqrt(variances[j]!);
    const zStat = b / se;
    const feature = j === 0 ? '(intercept)' : train.names[j - 1]!;
    const column = j === 0 ? '(intercept)' : groups[j - 1]!;
    return {
      feature, column, level: j === 0 ? '' : featureLevel(feature, column),
      coefficient: b, oddsRatio: Math.exp(b), standardError: se, z: zStat, pValue: 2 * (1 - normalCdf(Math.abs(zStat))),
    };
  });
}

/**
 * Scores encoded rows (`FeaturePipeline.encode`) without a design matrix: the raw score (log-odds), summed
 * in feature order exactly as `decisionFunction` sums the dense matrix (a one-hot block adds only its
 * row's level; the zeros it skips add nothing), so the two agree to the last bit.
 *
 * With `contributions`, also per row and original column Σ coefficient × (encoded value − its training
 * mean) over that column's features: how far the column moves this lead's log-odds from the average
 * training lead's. For a linear model these are exactly the (interventional) Shapley values, as TreeSHAP's
 * are for trees, so both models' reasons mean the same thing; `base` (intercept + Σ coefficient × mean)
 * plus a row's contributions is its raw score. Models saved without means measure against zero (base =
 * intercept). `values` is row-major n × columns.
 */
export function linearScores(model: LogisticRegression, encoded: EncodedParts, options: { contributions?: boolean } = {}):
  { raw: Float64Array; columns: string[]; values: Float64Array | null; base: number } {
  const { beta } = model.fitted;
  if (encoded.p !== beta.length - 1) throw new RangeError(`the model has ${beta.length - 1} features, the data ${encoded.p}`);
  const { n, parts, groups } = encoded;
  const raw = new Float64Array(n).fill(beta[0]!);
  for (const part of parts) {
    if (part.kind === 'value') {
      const b = beta[part.offset + 1]!;
      if (b === 0) continue;
      for (let i = 0; i < n; i++) raw[i]! += b * part.values[i]!;
    } else {
      for (let i = 0; i < n; i++) {
        const k = part.index[i]!;
        if (k >= 0) raw[i]! += beta[part.offset + k + 1]!;
      }
    }
  }
  const columns = [...new Set(groups)];
  if (!options.contributions) return { raw, columns, values: null, base: beta[0]! };
  const index = new Map(columns.map((c, k) => [c, k]));
  const width = columns.length;
  const values = new Float64Array(n * width);
  const base = addContributions(model, encoded, width, (group) => index.get(group)!, values);
  return { raw, columns, values, base };
}

/**
 * Adds each row's contribution, coefficient × (encoded value − its training mean) per feature, into
 * `values` (row-major, `width` wide) at the place `placeOf` gives the feature's column (−1: the feature is
 * skipped); returns the intercept plus coefficient × mean over the features added. Feature by feature (in
 * a one-hot block, level by level) as over a dense matrix, so the sums are `linearScores`' to the last bit.
 */
export function addContributions(model: LogisticRegression, encoded: Pick<EncodedParts, 'parts' | 'n' | 'groups'>, width: number, placeOf: (column: string) => number, values: Float64Array): number {
  const { beta, featureMeans } = model.fitted;
  const { n, parts, groups } = encoded;
  let base = beta[0]!;
  const add = (j: number, x: (i: number) => number) => {
    const b = beta[j + 1]!;
    if (b === 0) return;
    const g = placeOf(groups[j]!);
    if (g < 0) return;
    const mean = featureMeans?.[j] ?? 0;
    base += b * mean;
    for (let i = 0; i < n; i++) values[i * width + g]! += b * (x(i) - mean);
  };
  for (const part of parts) {
    if (part.kind === 'value') add(part.offset, (i) => part.values[i]!);
    else for (let l = 0; l < part.width; l++) add(part.offset + l, (i) => (part.index[i] === l ? 1 : 0));
  }
  return base;
}
