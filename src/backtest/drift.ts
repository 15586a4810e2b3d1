/**
 * Population stability index between a reference (the training window) and a comparison sample (the
 * period scored): PSI = Σ (aᵢ − eᵢ) · ln(aᵢ / eᵢ) over bins, with shares floored at 1e-4 so an empty bin
 * counts as a large shift instead of infinity. Numeric values use the reference's deciles as bin edges
 * (missing values get a bin of their own); categories use the reference's levels plus one bin for levels
 * it never saw. The usual reading: < 0.1 stable, 0.1–0.2 moderate, > 0.2 a shift worth a look.
 */

/**
 * The PSI above which a shift is worth a look (reports draw the line there).
 *
 * @example
 * if (numericPsi(train, scored) > PSI_WARNING) console.warn('the scores drifted');
 */
export const PSI_WARNING = 0.2;
const FLOOR = 1e-4;

/**
 * PSI from two count vectors over the same bins.
 *
 * @example
 * psiFromCounts([50, 50], [50, 50]); // 0
 */
export function psiFromCounts(expected: ArrayLike<number>, actual: ArrayLike<number>): number {
  let te = 0;
  let ta = 0;
  for (let i = 0; i < expected.length; i++) {
    te += expected[i]!;
    ta += actual[i]!;
  }
  if (te === 0 || ta === 0) return Number.NaN;
  let psi = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i]! / te, FLOOR);
    const a = Math.max(actual[i]! / ta, FLOOR);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}

/** Sorted distinct decile edges of the finite reference values (at most bins − 1 inner edges). */
function decileEdges(reference: ArrayLike<number>, bins: number): number[] {
  const finite = Float64Array.from(Array.prototype.filter.call(reference, (v: number) => Number.isFinite(v)) as number[]).sort();
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    if (finite.length === 0) break;
    const q = finite[Math.min(finite.length - 1, Math.floor((k * finite.length) / bins))]!;
    if (edges.length === 0 || q > edges[edges.length - 1]!) edges.push(q);
  }
  return edges;
}

/** Bin of a value: 0…edges.length by `value < edge`, and edges.length + 1 for missing. */
function binOf(v: number, edges: number[]): number {
  if (!Number.isFinite(v)) return edges.length + 1;
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v < edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * PSI of a numeric variable (scores, counts, amounts); NaN, null and ±∞ are "missing".
 *
 * @example
 * numericPsi(trainScores, periodScores); // 0.03
 */
export function numericPsi(reference: ArrayLike<number>, sample: ArrayLike<number>, bins = 10): number {
  const edges = decileEdges(reference, bins);
  const e = new Float64Array(edges.length + 2);
  const a = new Float64Array(edges.length + 2);
  for (let i = 0; i < reference.length; i++) e[binOf(reference[i]!, edges)]!++;
  for (let i = 0; i < sample.length; i++) a[binOf(sample[i]!, edges)]!++;
  return psiFromCounts(e, a);
}

/**
 * PSI of a categorical variable; `null` is a level of its own, levels absent from the reference share a bin.
 *
 * @example
 * categoricalPsi(['a', 'a', 'b'], ['b', 'b', 'c']);
 */
export function categoricalPsi(reference: ArrayLike<string | null>, sample: ArrayLike<string | null>): number {
  const index = new Map<string | null, number>();
  for (let i = 0; i < reference.length; i++) if (!index.has(reference[i]!)) index.set(reference[i]!, index.size);
  const unseen = index.size;
  const e = new Float64Array(unseen + 1);
  const a = new Float64Array(unseen + 1);
  for (let i = 0; i < reference.length; i++) e[index.get(reference[i]!)!]!++;
  for (let i = 0; i < sample.length; i++) a[index.get(sample[i]!) ?? unseen]!++;
  return psiFromCounts(e, a);
}
