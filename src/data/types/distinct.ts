/**
 * How many different numbers an array holds (0 and −0 as one, as `===` sees them; NaN is not expected),
 * exactly. The columnar reader counts a long numeric column's distinct values with it: a million values in
 * about 30 ms where sorting a copy took 125 ms. The values are hashed, laid out by the top byte of their
 * hash into 256 parts (two sequential passes), and each part is counted in a small open-addressing table
 * that stays in the processor's cache.
 *
 * @example
 * distinctNumbers(Float64Array.of(1, 2, 2, -0, 0)); // 3
 */
export function distinctNumbers(values: ArrayLike<number>): number {
  return countNumbers(values, 0).distinct;
}

/**
 * How many different numbers an array holds (as `distinctNumbers`), and its `k` most frequent, the more
 * frequent first and, among equally frequent, the one met first first: the values whose texts a column's
 * counts would rank first (`mostFrequent` in schema.ts), where a value's text is one per number.
 *
 * @example
 * countNumbers(Float64Array.of(3, 1, 1, 2, 3), 2); // { distinct: 3, top: [3, 1] }
 */
export function countNumbers(values: ArrayLike<number>, k: number): { distinct: number; top: number[] } {
  const n = values.length;
  const PARTS = 256;
  const ends = new Int32Array(PARTS + 1);
  const { hashes, laid, laidHashes, laidRows } = scratchFor(n, k > 0);
  for (let i = 0; i < n; i++) {
    const h = hashNumber(values[i]!);
    hashes[i] = h;
    ends[(h >>> 24) + 1]!++;
  }
  for (let p = 0; p < PARTS; p++) ends[p + 1]! += ends[p]!;
  const next = ends.slice(0, PARTS);
  let largest = 0;
  for (let i = 0; i < n; i++) {
    const h = hashes[i]!;
    const at = next[h >>> 24]!++;
    laid[at] = values[i]! + 0; // −0 + 0 is 0
    laidHashes[at] = h;
    if (laidRows) laidRows[at] = i;
  }
  for (let p = 0; p < PARTS; p++) largest = Math.max(largest, ends[p + 1]! - ends[p]!);
  let size = 16;
  while (size < 2 * largest) size <<= 1;
  const mask = size - 1;
  const keys = new Float64Array(size);
  const stamps = new Int32Array(size); // a slot is taken in part p when its stamp is p + 1
  const counts = laidRows ? new Int32Array(size) : null;
  const firsts = laidRows ? new Int32Array(size) : null;
  const top: Array<{ value: number; count: number; first: number }> = [];
  let distinct = 0;
  for (let p = 0; p < PARTS; p++) {
    const stamp = p + 1;
    for (let at = ends[p]!; at < ends[p + 1]!; at++) {
      const v = laid[at]!;
      let slot = laidHashes[at]! & mask;
      for (;;) {
        if (stamps[slot] !== stamp) {
          stamps[slot] = stamp;
          keys[slot] = v;
          distinct++;
          if (counts) {
            counts[slot] = 1;
            firsts![slot] = laidRows![at]!;
          }
          break;
        }
        if (keys[slot] === v) {
          if (counts) counts[slot]!++;
          break;
        }
        slot = (slot + 1) & mask;
      }
    }
    if (!counts) continue;
    // This part's values against the k best so far.
    for (let slot = 0; slot < size; slot++) {
      if (stamps[slot] !== stamp) continue;
      const count = counts[slot]!;
      const first = firsts![slot]!;
      if (top.length === k && !ranksBelow(top[k - 1]!, count, first)) continue;
      let place = top.length;
      while (place > 0 && ranksBelow(top[place - 1]!, count, first)) place--;
      top.splice(place, 0, { value: keys[slot]!, count, first });
      if (top.length > k) top.pop();
    }
  }
  return { distinct, top: top.map((e) => e.value) };
}

/**
 * The passes' arrays, kept between calls and grown as needed: a reader counts column after column of the
 * same length, and allocating 16–20 bytes a value for each of them (30 columns of a million rows: 600 MB)
 * cost more in allocation and garbage collection than the counting (BENCHMARKS.md, session 11). With
 * `rows`, each value's row too (laid out in row order within a part), to know which came first.
 */
let scratch = { hashes: new Int32Array(0), laid: new Float64Array(0), laidHashes: new Int32Array(0), rows: new Int32Array(0) };

function scratchFor(n: number, rows: boolean): { hashes: Int32Array; laid: Float64Array; laidHashes: Int32Array; laidRows: Int32Array | null } {
  if (scratch.hashes.length < n) scratch = { hashes: new Int32Array(n), laid: new Float64Array(n), laidHashes: new Int32Array(n), rows: new Int32Array(0) };
  if (rows && scratch.rows.length < n) scratch.rows = new Int32Array(n);
  return { hashes: scratch.hashes, laid: scratch.laid, laidHashes: scratch.laidHashes, laidRows: rows ? scratch.rows : null };
}

/** Whether `entry` ranks below a value met `count` times, first at row `first` (fewer, or as many and met later). */
function ranksBelow(entry: { count: number; first: number }, count: number, first: number): boolean {
  return entry.count < count || (entry.count === count && entry.first > first);
}

const bits = new Float64Array(1);
const words = new Int32Array(bits.buffer);

/** A number's hash from its bits (0 and −0 alike); the top byte picks its part, the low bits its slot. */
function hashNumber(x: number): number {
  bits[0] = x + 0;
  let h = Math.imul(words[0]! ^ Math.imul(words[1]!, 0x9e3779b1 | 0), 0x85ebca6b | 0);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 12);
}

/**
 * For texts that may repeat (with their `hashBytes` hashes, equal texts having equal hashes): null when all
 * are different, else each text's first index among the texts equal to it (`first[k] <= k`). Laid out by
 * the top byte of their hash into 256 parts, in index order within each, and each part checked in a small
 * table that stays in the processor's cache: a million texts in a few tens of milliseconds, where looking
 * each one up in a table of all of them as it comes misses the cache nearly every time.
 *
 * @example
 * firstOfEqual(Int32Array.of(7, 9, 7), ['a', 'b', 'a']); // Int32Array [0, 1, 0]
 */
export function firstOfEqual(hashes: Int32Array, texts: readonly string[]): Int32Array | null {
  const n = texts.length;
  const PARTS = 256;
  const ends = new Int32Array(PARTS + 1);
  for (let k = 0; k < n; k++) ends[(hashes[k]! >>> 24) + 1]!++;
  for (let p = 0; p < PARTS; p++) ends[p + 1]! += ends[p]!;
  const next = ends.slice(0, PARTS);
  const laid = new Int32Array(n);
  for (let k = 0; k < n; k++) laid[next[hashes[k]! >>> 24]!++] = k;
  let largest = 0;
  for (let p = 0; p < PARTS; p++) largest = Math.max(largest, ends[p + 1]! - ends[p]!);
  let size = 16;
  while (size < 2 * largest) size <<= 1;
  const mask = size - 1;
  const slots = new Int32Array(size); // the first index of a text in this part
  const stamps = new Int32Array(size); // a slot is taken in part p when its stamp is p + 1
  let first: Int32Array | null = null;
  for (let p = 0; p < PARTS; p++) {
    const stamp = p + 1;
    for (let at = ends[p]!; at < ends[p + 1]!; at++) {
      const k = laid[at]!;
      const hash = hashes[k]!;
      for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
        if (stamps[slot] !== stamp) {
          stamps[slot] = stamp;
          slots[slot] = k;
          break;
        }
        const j = slots[slot]!;
        if (hashes[j] === hash && texts[j] === texts[k]) {
          // j came first: a part lays its texts out in index order
          first ??= Int32Array.from({ length: n }, (_, i) => i);
          first[k] = j;
          break;
        }
      }
    }
  }
  return first;
}
