/**
 * An order statistic without sorting: the k-th smallest of an array of numbers in linear expected time
 * (Hoare's selection), for the few quantiles a caller needs of a column of a million values (drafted rules'
 * bin edges), where a full sort took about 150 ms a column. And orders by a radix sort over the numbers'
 * bits: the positions in order, ties in position order (`stableOrder`, instead of a comparator), and the
 * numbers themselves sorted (`sortFloat64`, the trees' binning).
 */

/**
 * The k-th smallest (0-based) of `values`, exactly the value `values.slice().sort()[k]` gives (a typed
 * array's own sort, which puts −0 before +0). Reorders `values`; none may be NaN.
 *
 * @example
 * kthSmallest(Float64Array.of(5, 1, 4, 2, 3), 1); // 2
 */
export function kthSmallest(values: Float64Array, k: number): number {
  if (!(k >= 0 && k < values.length)) throw new RangeError(`k = ${k} is outside 0 … ${values.length - 1}`);
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const a = values[lo]!;
    const b = values[(lo + hi) >>> 1]!;
    const c = values[hi]!;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b; // median of three
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    // Now values[lo … j] ≤ pivot ≤ values[i … hi], and every value between j and i equals the pivot.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  const x = values[k]!;
  if (x !== 0) return x;
  // A zero: which sign the sort puts at k (negatives, then every −0, then every +0).
  let below = 0;
  for (let r = 0; r < values.length; r++) if (values[r]! < 0 || Object.is(values[r], -0)) below++;
  return k < below ? -0 : 0;
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * Each number's bits as two unsigned 32-bit words whose unsigned order is the numbers' order (the sign bit
 * flipped for a positive number, every bit for a negative one, so −0 comes before +0 unless `oneZero` makes
 * −0 a +0), every bit flipped again for a descending order. None may be NaN.
 */
function orderedWords(values: ArrayLike<number>, descending: boolean, oneZero: boolean) {
  const n = values.length;
  const bits = new Float64Array(1);
  const words = new Uint32Array(bits.buffer);
  const [lo, hi] = LITTLE_ENDIAN ? [0, 1] : [1, 0];
  const high = new Uint32Array(n);
  const low = new Uint32Array(n);
  const flip = descending ? 0xffffffff : 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) throw new RangeError(`the value at ${i} is NaN: it has no place in an order`);
    bits[0] = oneZero ? v + 0 : v; // −0 + 0 is +0
    const negative = words[hi]! >>> 31;
    high[i] = (words[hi]! ^ (negative ? 0xffffffff : 0x80000000) ^ flip) >>> 0;
    low[i] = (words[lo]! ^ (negative ? 0xffffffff : 0) ^ flip) >>> 0;
  }
  return { high, low };
}

/**
 * One pass of a least-significant-digit radix sort: counts the byte at `shift` of the first `n` words and
 * turns the counts into each byte value's first place. False when every word has the same byte there (the
 * pass would leave the order as it is).
 */
function byteStarts(word: Uint32Array, shift: number, n: number, counts: Int32Array): boolean {
  counts.fill(0);
  for (let i = 0; i < n; i++) counts[(word[i]! >>> shift) & 0xff]!++;
  if (n === 0 || counts[(word[0]! >>> shift) & 0xff] === n) return false;
  let start = 0;
  for (let d = 0; d < 256; d++) {
    const c = counts[d]!;
    counts[d] = start;
    start += c;
  }
  return true;
}

/**
 * The positions of `keys` in the order of their values (ties in position order): exactly what
 * `allRows(n).sort((a, b) => keys[a] - keys[b] || a - b)` gives (descending: `keys[b] - keys[a] || a - b`),
 * −0 and +0 being one value. A radix sort over the numbers' bits, a byte a pass (eight passes, each skipped
 * where every key has the same byte): no comparator, whose result was a new heap number per comparison (a
 * million comparisons, 16 MiB of garbage), and linear time. None may be NaN.
 *
 * @example
 * stableOrder(Float64Array.of(0.2, 0.9, 0.2), 'descending'); // Int32Array [1, 0, 2]
 */
export function stableOrder(keys: ArrayLike<number>, direction: 'ascending' | 'descending'): Int32Array {
  const n = keys.length;
  const { high, low } = orderedWords(keys, direction === 'descending', true);
  let order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let next = new Int32Array(n);
  const counts = new Int32Array(256);
  for (let pass = 0; pass < 8; pass++) {
    const word = pass < 4 ? low : high;
    const shift = (pass % 4) * 8;
    if (!byteStarts(word, shift, n, counts)) continue;
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      next[counts[(word[i]! >>> shift) & 0xff]!++] = i;
    }
    [order, next] = [next, order];
  }
  return order;
}

/**
 * Sorts numbers (no NaN) ascending in place, exactly as `Float64Array#sort` does (−0 before +0), by the same
 * radix sort moving the words themselves. Faster than the built-in sort on the 200,000-value samples the
 * trees' binning takes (BENCHMARKS.md, "Design measurements"); below 2,048 values the built-in sort.
 *
 * @example
 * sortFloat64(Float64Array.of(3, -0, 0, -1)); // Float64Array [-1, -0, 0, 3]
 */
export function sortFloat64(values: Float64Array): Float64Array {
  const m = values.length;
  if (m < 2048) return values.sort();
  let { high: hi, low: lo } = orderedWords(values, false, false);
  let lo2 = new Uint32Array(m);
  let hi2 = new Uint32Array(m);
  const counts = new Int32Array(256);
  for (let pass = 0; pass < 8; pass++) {
    const source = pass < 4 ? lo : hi;
    const shift = (pass % 4) * 8;
    if (!byteStarts(source, shift, m, counts)) continue;
    for (let i = 0; i < m; i++) {
      const at = counts[(source[i]! >>> shift) & 0xff]!++;
      lo2[at] = lo[i]!;
      hi2[at] = hi[i]!;
    }
    [lo, lo2] = [lo2, lo];
    [hi, hi2] = [hi2, hi];
  }
  // Back from the words: a word whose top bit is clear was a negative number (every bit flipped).
  const bits = new Float64Array(1);
  const words = new Uint32Array(bits.buffer);
  const [wl, wh] = LITTLE_ENDIAN ? [0, 1] : [1, 0];
  for (let i = 0; i < m; i++) {
    const negative = (hi[i]! >>> 31) ^ 1;
    words[wh] = negative ? ~hi[i]! >>> 0 : (hi[i]! ^ 0x80000000) >>> 0;
    words[wl] = negative ? ~lo[i]! >>> 0 : lo[i]!;
    values[i] = bits[0]!;
  }
  return values;
}
