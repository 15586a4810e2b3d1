/**
 * Binning: every feature becomes at most 255 bins plus bin 0 for missing values. Numeric features cut at
 * midpoints between distinct training values (all of them when there are few, quantiles otherwise);
 * categorical features get one bin per level code, the most frequent 253 levels first and the rest pooled
 * in bin 255. Codes are stored column-major in a Uint8Array.
 */
import { sortFloat64 } from '../../data/types/order-statistic.ts';

export const MISSING_BIN = 0;
export const MAX_BINS = 256;
/** Categorical codes at or above this share the last bin. */
const CATEGORY_CAP = 254;
/** Cuts are computed from at most this many rows (evenly spaced, so deterministic), as LightGBM samples. */
export const BIN_SAMPLE = 200_000;

export interface Binner {
  kinds: Array<'numeric' | 'categorical'>;
  /** Numeric: ascending cut values; value v goes to bin 1 + (index of the first cut ≥ v), or the last bin. */
  cuts: Array<Float64Array | null>;
  /** Number of bins per feature, bin 0 (missing) included. */
  bins: number[];
  /** Per feature, 0 when no binned row holds a missing value (set by the learner from the codes; absent: any may). */
  missing?: Uint8Array;
}

/**
 * @example
 * const binner = fitBinner(design.columns, design.kinds, trainRows, 255);
 * const codes = binColumns(binner, design.columns, design.n);
 */
export function fitBinner(columns: readonly Float64Array[], kinds: ReadonlyArray<'numeric' | 'categorical'>, rows: Int32Array, maxBins = 255): Binner {
  const cuts: Array<Float64Array | null> = [];
  const bins: number[] = [];
  const limit = Math.min(255, Math.max(2, maxBins)) - 1; // bins for values, besides the missing bin
  const step = rows.length > BIN_SAMPLE ? rows.length / BIN_SAMPLE : 1;
  const sample = step === 1 ? rows : Int32Array.from({ length: BIN_SAMPLE }, (_, k) => rows[Math.floor(k * step)]!);
  columns.forEach((column, f) => {
    if (kinds[f] === 'categorical') {
      let max = -1;
      for (const r of rows) if (!Number.isNaN(column[r]!)) max = Math.max(max, column[r]!);
      cuts.push(null);
      bins.push(1 + Math.min(max + 1, CATEGORY_CAP + 1));
      return;
    }
    const buffer = new Float64Array(sample.length);
    let count = 0;
    for (let k = 0; k < sample.length; k++) {
      const v = column[sample[k]!]!;
      if (v === v) buffer[count++] = v;
    }
    const values = sortFloat64(buffer.subarray(0, count));
    // The distinct values, in a typed array (a growing JavaScript array was slower (BENCHMARKS.md, "Design measurements")).
    const all = new Float64Array(values.length);
    let nd = 0;
    for (let k = 0; k < values.length; k++) {
      const v = values[k]!;
      if (nd === 0 || v !== all[nd - 1]) all[nd++] = v;
    }
    const distinct = all.subarray(0, nd);
    let c: number[];
    if (distinct.length <= limit) {
      c = Array.from(distinct.subarray(1), (v, k) => (distinct[k]! + v) / 2);
    } else {
      const picked = new Set<number>();
      for (let k = 1; k < limit; k++) picked.add(values[Math.floor((k / limit) * values.length)]!);
      const edges = [...picked].sort((a, b) => a - b);
      c = [];
      for (const e of edges) {
        // the cut just below e: the midpoint between e and the largest distinct value under it
        let lo = 0;
        let hi = distinct.length - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (distinct[mid]! < e) lo = mid + 1;
          else hi = mid;
        }
        if (lo > 0) c.push((distinct[lo - 1]! + distinct[lo]!) / 2);
      }
      c = [...new Set(c)].sort((a, b) => a - b);
    }
    cuts.push(Float64Array.from(c));
    bins.push(distinct.length === 0 ? 1 : c.length + 2);
  });
  return { kinds: [...kinds], cuts, bins };
}

/** The bin of one value. */
export function binOf(binner: Binner, f: number, v: number): number {
  if (Number.isNaN(v)) return MISSING_BIN;
  const cuts = binner.cuts[f];
  if (!cuts) return 1 + Math.min(v, CATEGORY_CAP);
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cuts[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return 1 + lo;
}

/** All columns binned, column-major n × p. The binary search is inlined: this runs over every cell. */
export function binColumns(binner: Binner, columns: readonly Float64Array[], n: number): Uint8Array {
  const out = new Uint8Array(n * columns.length);
  const padded = new Float64Array(256);
  columns.forEach((column, f) => {
    const offset = f * n;
    const cuts = binner.cuts[f];
    if (!cuts) {
      for (let i = 0; i < n; i++) {
        const v = column[i]!;
        out[offset + i] = v !== v ? MISSING_BIN : 1 + (v < CATEGORY_CAP ? v : CATEGORY_CAP);
      }
      return;
    }
    // Branch-free search: the cuts padded with +∞ to 256 entries, then eight halving steps that add the
    // step when the cut is below v (a comparison added as a number). The result is the count of cuts
    // below v, as the binary search in binOf gives; faster than that search, whose unpredictable
    // branches cost most of its time (BENCHMARKS.md, "Design measurements").
    padded.fill(Number.POSITIVE_INFINITY);
    padded.set(cuts);
    for (let i = 0; i < n; i++) {
      const v = column[i]!;
      if (v !== v) {
        out[offset + i] = MISSING_BIN;
        continue;
      }
      let base = 0;
      base += ((padded[base + 127]! < v) as unknown as number) << 7;
      base += ((padded[base + 63]! < v) as unknown as number) << 6;
      base += ((padded[base + 31]! < v) as unknown as number) << 5;
      base += ((padded[base + 15]! < v) as unknown as number) << 4;
      base += ((padded[base + 7]! < v) as unknown as number) << 3;
      base += ((padded[base + 3]! < v) as unknown as number) << 2;
      base += ((padded[base + 1]! < v) as unknown as number) << 1;
      base += (padded[base]! < v) as unknown as number;
      out[offset + i] = 1 + base;
    }
  });
  return out;
}

/** Per feature, 1 when some row's bin is the missing bin (0), from column-major codes. */
export function featuresWithMissing(bins: Uint8Array, n: number, p: number): Uint8Array {
  const out = new Uint8Array(p);
  for (let f = 0; f < p; f++) {
    const column = bins.subarray(f * n, (f + 1) * n);
    out[f] = column.indexOf(MISSING_BIN) >= 0 ? 1 : 0;
  }
  return out;
}
