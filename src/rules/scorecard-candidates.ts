/**
 * The criteria a learned scorecard chooses from, built on the training rows only. Each column of the model
 * becomes a few ordered **bins**:
 * - a numeric column (activity counts and recencies included): ranges cut at training quantiles (at most
 *   five ranges; a column piled on its smallest value, as counts of rare events are, is cut just above it and
 *   at quantiles of the rest), cuts rounded to two significant digits, neighbouring ranges whose targets do not
 *   differ (a two-proportion z-test, |z| < 1.96) merged;
 * - a category or yes/no column: its levels with at least `minSupport` training leads, ordered by their mean
 *   target (rarer levels stay in the lowest bin with the missing values).
 *
 * A candidate is "from bin c up" for c = 1 … bins − 1, plus "missing" where a column has missing values. A cut
 * along the order (rather than one candidate per bin) lets one criterion move several levels or ranges at once,
 * so neighbours with equal points cost one criterion, not one each; learn.ts writes the chosen cuts back as
 * non-overlapping groups of bins, each one criterion.
 */
import { columnValues, floatsAt, numbersAt } from '../data/columns.ts';
import type { Dataset } from '../data/io/dataset.ts';
import { isActivityAggregateName } from '../data/activities/activities.ts';
import type { FeatureSpec } from '../features/pipeline.ts';

/** A column's bins, in order: numeric ranges (each from its lower cut) or groups of category levels. */
export type Bins =
  | { kind: 'numeric'; column: string; family: 'fit' | 'engagement'; cuts: number[]; bin: Int32Array; missing: number; rare: never[] }
  | { kind: 'levels'; column: string; family: 'fit' | 'engagement'; levels: string[]; bin: Int32Array; missing: number; rare: string[] };

export interface Candidate {
  bins: Bins;
  /** `from`: the lead's bin is `at` or higher; `missing`: the column is missing. */
  kind: 'from' | 'missing';
  at: number;
  /** Positions in the training rows where the criterion holds, ascending. */
  rows: Int32Array;
}

/** Two significant digits: 1,991,000 → 2,000,000; 0.0347 → 0.035; integers below 100 stay as they are. */
export function roundCut(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  if (Number.isInteger(x) && Math.abs(x) < 100) return x;
  const digits = Math.floor(Math.log10(Math.abs(x))) - 1;
  const unit = 10 ** digits;
  const rounded = Math.sign(x) * Math.round(Math.abs(x) / unit) * unit; // halves away from 0, either sign
  return digits >= 0 ? rounded : Number(rounded.toFixed(-digits));
}

/**
 * Merges neighbouring bins until every pair differs (|z| ≥ zMerge) and holds `minSupport` rows; returns the
 * boundaries kept, each as the first bin above it (1 … bins − 1).
 */
function mergeBins(bin: Int32Array, target: ArrayLike<number>, bins: number, minSupport: number, zMerge: number): number[] {
  let boundaries = Array.from({ length: bins - 1 }, (_, k) => k + 1);
  for (;;) {
    // A bin's group among the boundaries still standing: how many of them are at or below it.
    const groupOf = (b: number) => {
      let g = 0;
      for (const x of boundaries) if (x <= b) g++;
      return g;
    };
    const count = new Float64Array(boundaries.length + 1);
    const sum = new Float64Array(boundaries.length + 1);
    for (let k = 0; k < bin.length; k++) {
      if (bin[k]! < 0) continue;
      const g = groupOf(bin[k]!);
      count[g]!++;
      sum[g]! += target[k]!;
    }
    let drop = -1;
    let weakest = Infinity;
    for (let g = 0; g < boundaries.length; g++) {
      const [n1, n2] = [count[g]!, count[g + 1]!];
      let z: number;
      if (n1 < minSupport || n2 < minSupport) z = -1;
      else {
        const pooled = (sum[g]! + sum[g + 1]!) / (n1 + n2);
        const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
        z = se > 0 ? Math.abs(sum[g]! / n1 - sum[g + 1]! / n2) / se : 0;
      }
      if (z < zMerge && z < weakest) {
        weakest = z;
        drop = g;
      }
    }
    if (drop < 0) return boundaries;
    boundaries = boundaries.filter((_, g) => g !== drop);
  }
}

/** Each value's range among ascending cuts: k where it is at least cuts[k − 1] and below cuts[k]; −1 where missing (NaN). */
function rangeOf(values: Float64Array, cuts: readonly number[]): Int32Array {
  return Int32Array.from(values, (v) => {
    if (Number.isNaN(v)) return -1;
    let b = 0;
    while (b < cuts.length && v >= cuts[b]!) b++;
    return b;
  });
}

/** The cuts of one numeric column ("at least c", ascending) over its present values. */
export function numericCuts(values: Float64Array, target: ArrayLike<number>, minSupport: number, maxBins = 5, zMerge = 1.96): number[] {
  const present: number[] = [];
  for (let k = 0; k < values.length; k++) if (!Number.isNaN(values[k]!)) present.push(k);
  if (present.length < 2 * minSupport) return [];
  const sorted = floatsAt(values, present).sort();
  const min = sorted[0]!;
  let from = 0;
  while (from < sorted.length && sorted[from] === min) from++;
  const proposals = new Set<number>();
  let rest = sorted;
  let slots = maxBins;
  // Piled on its smallest value (counts of rare events): a cut just above it, the other cuts among the rest.
  if (from >= 0.2 * sorted.length && from < sorted.length) {
    const above = roundCut(sorted[from]!);
    proposals.add(above > min ? above : sorted[from]!); // rounded, unless rounding reaches the pile
    rest = sorted.subarray(from);
    slots = maxBins - 1;
  }
  for (let q = 1; q < slots; q++) {
    const cut = roundCut(rest[Math.floor((q / slots) * rest.length)]!);
    if (cut > min) proposals.add(cut);
  }
  const edges = [...proposals].sort((a, b) => a - b);
  return mergeBins(rangeOf(values, edges), target, edges.length + 1, minSupport, zMerge).map((b) => edges[b - 1]!);
}

const normText = (v: unknown) => String(v).trim().toLowerCase();

function levelText(v: unknown, kind: FeatureSpec['kind']): string {
  if (kind === 'boolean') return v === true || v === 1 ? 'yes' : v === false || v === 0 ? 'no' : String(v);
  return String(v).trim();
}

/**
 * The candidate criteria of the model's columns on the training rows (`rows`; `target` by position in them).
 * Date columns cannot be written as rule conditions and are named in `skipped`.
 *
 * @example
 * const { candidates } = scorecardCandidates(data, split.train, y, artifact.features.specs, { minSupport: 80 });
 */
export function scorecardCandidates(data: Dataset, rows: Int32Array, target: ArrayLike<number>, specs: readonly FeatureSpec[], options: { minSupport: number }): { candidates: Candidate[]; skipped: string[] } {
  const n = rows.length;
  const { minSupport } = options;
  const candidates: Candidate[] = [];
  const skipped: string[] = [];
  const fits = (size: number) => size >= minSupport && size <= n - minSupport;
  for (const spec of specs) {
    const column = spec.column;
    const family = isActivityAggregateName(column) ? 'engagement' : 'fit';
    if (spec.kind === 'date') {
      skipped.push(column);
      continue;
    }
    const values = columnValues(data.table, column) as ArrayLike<unknown>;
    let bins: Bins;
    if (spec.kind === 'numeric') {
      const at = numbersAt(values, rows);
      const cuts = numericCuts(at, target, minSupport);
      const bin = rangeOf(at, cuts);
      bins = { kind: 'numeric', column, family, cuts, bin, missing: bin.filter((b) => b < 0).length, rare: [] };
    } else {
      // Levels as the rule engine compares text (case and surrounding spaces ignored), by mean target.
      const byLevel = new Map<string, { text: string; count: number; sum: number }>();
      const keys: Array<string | null> = [];
      for (let k = 0; k < n; k++) {
        const v = values[rows[k]!];
        if (v === null || v === undefined) {
          keys.push(null);
          continue;
        }
        const text = levelText(v, spec.kind);
        const key = normText(text);
        keys.push(key);
        const entry = byLevel.get(key) ?? { text, count: 0, sum: 0 };
        entry.count++;
        entry.sum += target[k]!;
        byLevel.set(key, entry);
      }
      const byName = (a: { text: string }, b: { text: string }) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0);
      const common = [...byLevel.entries()].filter(([, l]) => l.count >= minSupport)
        .sort(([, a], [, b]) => a.sum / a.count - b.sum / b.count || byName(a, b));
      const rare = [...byLevel.values()].filter((l) => l.count < minSupport).sort(byName).map((l) => l.text);
      // The rare levels sit in the lowest bin with the first common level, so bin 0 is "the lowest and the rest".
      const index = new Map(common.map(([key], b) => [key, b]));
      const bin = Int32Array.from(keys, (key) => (key === null ? -1 : index.get(key) ?? 0));
      bins = { kind: 'levels', column, family, levels: common.map(([, l]) => l.text), bin, missing: keys.filter((k) => k === null).length, rare };
    }
    const binCount = bins.kind === 'numeric' ? bins.cuts.length + 1 : bins.levels.length;
    for (let c = 1; c < binCount; c++) {
      const hit: number[] = [];
      for (let k = 0; k < n; k++) if (bins.bin[k]! >= c) hit.push(k);
      if (fits(hit.length)) candidates.push({ bins, kind: 'from', at: c, rows: Int32Array.from(hit) });
    }
    if (fits(bins.missing)) {
      const hit: number[] = [];
      for (let k = 0; k < n; k++) if (bins.bin[k]! < 0) hit.push(k);
      candidates.push({ bins, kind: 'missing', at: -1, rows: Int32Array.from(hit) });
    }
  }
  return { candidates, skipped };
}
