/**
 * The model evaluated per distinct cell, then per row. Per cell, by the table path's own code
 * (`FeaturePipeline.encodeValues` / `TreeFeatures.transformValues`, `linearScores`): a logistic model's
 * addend per encoded feature and each column's contribution for reasons, a tree model's feature values.
 * Per row: the linear model's sums in the same order as `linearScores`, or the forest on the rebuilt feature
 * columns (from each cell's one-byte codes without reasons; by value with TreeSHAP for reasons).
 */
import type { EncodedPart, FeaturePipeline } from '../../features/pipeline.ts';
import type { TreeDesign, TreeFeatures } from '../../features/tree-features.ts';
import type { GradientBoostedTrees } from '../../models/gbdt/gbdt.ts';
import { shapOnThreads } from '../../models/gbdt/parallel-shap.ts';
import { codeValues, predictCoded } from '../../models/gbdt/predict.ts';
import { shapByColumn } from '../../models/gbdt/shap-values.ts';
import { addContributions } from '../../models/logistic/coefficients.ts';
import type { LogisticRegression } from '../../models/logistic/logistic.ts';
import { sigmoid } from '../../models/loss.ts';
import type { MultilayerPerceptron } from '../../models/mlp/mlp.ts';
import type { Scorer } from '../score.ts';
import type { Feature, Plan } from './plan.ts';

/**
 * The model's numbers for a list of typed values of spec `spec`'s column, one array per encoded feature
 * (see `ColumnState.perCell`); unseen categories marked in `unseen` if given.
 */
export function perCellOf(scorer: Scorer, spec: number, typed: unknown[], unseen?: Uint8Array, asOf?: number | ArrayLike<number>): Float64Array[] {
  return cellNumbers(scorer, spec, typed, { ...(unseen ? { unseen } : {}), ...(asOf !== undefined ? { asOf } : {}) }).perCell;
}

/**
 * `perCellOf`'s numbers and, for a logistic model given `contributionOf` (the column's name), each value's
 * contribution to the log-odds as `linearScores` gives it; one encoding for both.
 */
export function cellNumbers(scorer: Scorer, spec: number, typed: unknown[], options: { unseen?: Uint8Array; asOf?: number | ArrayLike<number>; contributionOf?: string }):
  { perCell: Float64Array[]; contribution: Float64Array | null } {
  const { loaded } = scorer;
  if (loaded.artifact.model.kind !== 'logistic') {
    // Trees and the network read the tree features.
    const encoded = (loaded.pipeline as TreeFeatures).transformValues(spec, typed, options.asOf);
    options.unseen?.set(encoded.unseen);
    return { perCell: encoded.columns, contribution: null };
  }
  const encoded = (loaded.pipeline as FeaturePipeline).encodeValues(spec, typed, options.asOf);
  options.unseen?.set(encoded.unseen);
  const model = loaded.model as unknown as LogisticRegression;
  const contribution = options.contributionOf === undefined ? null : contributionOf(scorer, encoded.parts, options.contributionOf, typed.length);
  return { perCell: addends(model.fitted.beta, encoded.parts), contribution };
}

/** A logistic model's addend to the linear score per encoded feature (coefficient × value; a one-hot block's level's coefficient), features with a zero coefficient left out. */
function addends(beta: ArrayLike<number>, parts: EncodedPart[]): Float64Array[] {
  const out: Float64Array[] = [];
  for (const part of parts) {
    if (part.kind === 'value') {
      const b = beta[part.offset + 1]!;
      if (b === 0) continue;
      const addend = new Float64Array(part.values.length);
      for (let i = 0; i < addend.length; i++) addend[i] = b * part.values[i]!;
      out.push(addend);
    } else {
      const addend = new Float64Array(part.index.length);
      for (let i = 0; i < addend.length; i++) {
        const level = part.index[i]!;
        addend[i] = level >= 0 ? beta[part.offset + level + 1]! : 0;
      }
      out.push(addend);
    }
  }
  return out;
}

/** Column `name`'s contribution per value from its encoded parts, as `linearScores` adds it (`addContributions`). */
function contributionOf(scorer: Scorer, parts: EncodedPart[], name: string, n: number): Float64Array {
  const { groups } = (scorer.loaded.pipeline as FeaturePipeline).featureNames();
  const out = new Float64Array(n);
  addContributions(scorer.loaded.model as unknown as LogisticRegression, { parts, n, groups }, 1, (column) => (column === name ? 0 : -1), out);
  return out;
}

/** A logistic model's contribution of a column for a list of its typed values, by `linearScores` on that column's features alone. */
export function contributionsOf(scorer: Scorer, spec: number, name: string, typed: unknown[], asOf?: number | ArrayLike<number>): Float64Array {
  const { parts } = (scorer.loaded.pipeline as FeaturePipeline).encodeValues(spec, typed, asOf);
  return contributionOf(scorer, parts, name, typed.length);
}

/**
 * Per-row contributions laid out in `names`' order (the reason columns, design order); reasons are picked
 * by size and then by name, so the order of the columns changes no pick.
 */
function byReasonColumn(given: { columns: string[]; values: Float64Array }, names: readonly string[], n: number): Float64Array {
  const width = names.length;
  const from = given.columns.length;
  const at = given.columns.map((c) => names.indexOf(c));
  if (at.some((k) => k < 0)) throw new Error(`internal: contributions for columns the byte path does not know (${given.columns.join(', ')})`);
  const out = new Float64Array(n * width);
  for (let i = 0; i < n; i++) for (let g = 0; g < from; g++) out[i * width + at[g]!] = given.values[i * from + g]!;
  return out;
}

/** The values computed per row for this chunk: per spec, its typed values and its numbers (as `perCell`). */
export interface RowFeatures {
  values: Map<number, unknown[]>;
  numbers: Map<number, Float64Array[]>;
  asOf?: number | Float64Array;
}

/**
 * Each row's uncalibrated probability, and with reasons each row's contribution per reason column
 * (row-major, `plan.reasonNames` wide; null for `plan.cellReasons`), for the `n` rows of the last scan.
 */
export function scoreRows(plan: Plan, n: number, perRow: RowFeatures, threads = plan.scorer.options.threads, rowsAhead = 0): { raw: Float64Array; contributions: Float64Array | null } {
  const { loaded } = plan.scorer;
  if (plan.forest) {
    const forest = plan.forest;
    const width = forest.used.length;
    const model = loaded.model as unknown as GradientBoostedTrees;
    const raw = new Float64Array(n).fill(model.fitted.baseScore);
    predictCoded(forest, n, raw, (start, count, codes) => {
      for (let slot = 0; slot < width; slot++) {
        const { column, k, spec } = plan.features[forest.used[slot]!]!;
        if (!column) {
          codeValues(forest, slot, perRow.numbers.get(spec)![k]!, start, count, codes, slot, width);
          continue;
        }
        const cells = column.codes[k]!;
        const rows = column.rows;
        for (let r = 0; r < count; r++) codes[r * width + slot] = cells[rows[start + r]!]!;
      }
    }, { rowsAhead });
    for (let i = 0; i < n; i++) raw[i] = sigmoid(raw[i]!); // as predictProba
    return { raw, contributions: null };
  }
  if (plan.trees) {
    const featureColumn = ({ column, k, spec }: Feature): Float64Array => {
      if (!column) return perRow.numbers.get(spec)![k]!;
      const values = column.perCell[k]!;
      const rows = column.rows;
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = values[rows[i]!]!;
      return out;
    };
    const columns = plan.features.map(featureColumn);
    const design = { columns, n, p: columns.length, groups: plan.features.map((f) => plan.specs[f.spec]!.column) } as TreeDesign;
    if (loaded.artifact.model.kind === 'mlp') {
      // The network's forward pass and, for reasons, its integrated gradients: the table path's own calls on the same features.
      const network = loaded.model as unknown as MultilayerPerceptron;
      return { raw: network.predictProba(design), contributions: plan.reasons > 0 ? byReasonColumn(network.contributions(design), plan.reasonNames, n) : null };
    }
    const model = loaded.model as unknown as GradientBoostedTrees;
    const raw = model.predictProba(design);
    const contributions = plan.reasons > 0 ? shapByColumn(model.trees, model.fitted.baseScore, design, shapOnThreads(threads)).values : null;
    return { raw, contributions };
  }
  let contributions: Float64Array | null = null;
  // Where each contribution is a cell's own, reasons read them from the cells (reasons.ts `LinearReasons`).
  if (plan.reasons > 0 && !plan.cellReasons) {
    const width = plan.reasonNames.length;
    const values = new Float64Array(n * width);
    plan.reasonNames.forEach((name, g) => {
      if (plan.reasonPerRow[g]) {
        const k = plan.specs.findIndex((s) => s.column === name);
        const perLead = contributionsOf(plan.scorer, k, name, perRow.values.get(k)!, perRow.asOf);
        for (let i = 0; i < n; i++) values[i * width + g] = perLead[i]!;
        return;
      }
      const column = plan.reasonWords[g]!;
      const rows = column.rows;
      for (let i = 0; i < n; i++) values[i * width + g] = column.contribution[rows[i]!]!;
    });
    contributions = values;
  }
  const raw = new Float64Array(n).fill((loaded.model as unknown as LogisticRegression).fitted.beta[0]!);
  for (const feature of plan.features) {
    if (!feature.column) {
      const addend = perRow.numbers.get(feature.spec)![feature.k]!;
      for (let i = 0; i < n; i++) raw[i]! += addend[i]!;
      continue;
    }
    const addend = feature.column.perCell[feature.k]!;
    const rows = feature.column.rows;
    for (let i = 0; i < n; i++) raw[i]! += addend[rows[i]!]!;
  }
  for (let i = 0; i < n; i++) raw[i] = sigmoid(raw[i]!);
  return { raw, contributions };
}
