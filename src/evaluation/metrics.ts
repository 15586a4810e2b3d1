/**
 * Ranking metrics. ROC AUC is the Mann–Whitney statistic computed from ranks, with tied scores sharing
 * their average rank (a tie between a positive and a negative counts one half), as scikit-learn's
 * roc_auc_score gives.
 */

/**
 * ROC AUC of `scores` against 0/1 labels, over `rows` (default all). NaN when one class is absent.
 *
 * @example
 * rocAuc(Float64Array.of(0.1, 0.4, 0.35, 0.8), Uint8Array.of(0, 0, 1, 1)); // 0.75
 */
export function rocAuc(scores: ArrayLike<number>, y: ArrayLike<number>, rows?: ArrayLike<number>): number {
  const n = rows ? rows.length : scores.length;
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) order[k] = rows ? rows[k]! : k;
  order.sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let rankSumPositives = 0;
  let k = 0;
  while (k < n) {
    let end = k + 1;
    while (end < n && scores[order[end]!] === scores[order[k]!]) end++;
    const averageRank = (k + 1 + end) / 2; // ranks k+1 .. end share their mean
    for (let t = k; t < end; t++) {
      if (y[order[t]!] === 1) {
        positives++;
        rankSumPositives += averageRank;
      }
    }
    k = end;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}
