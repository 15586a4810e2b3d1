/** Typed arrays that grow as they fill: the readers' and the byte scorer's per-row and per-level arrays. */

/** An array with room for `need` elements: itself, or a copy at least twice as long. */
export function grown<T extends Float64Array | Uint8Array | Int32Array>(array: T, need: number): T {
  if (array.length >= need) return array;
  const bigger = new (array.constructor as new (n: number) => T)(Math.max(need, array.length * 2, 64));
  bigger.set(array);
  return bigger;
}

/**
 * The first `n` elements of a scratch array kept across calls (`scratch`: the array, grown to fit), for a
 * chunk's per-row arrays: a new array a chunk cost memory first touched (BENCHMARKS.md, session 18). Valid
 * until the scratch is next lent; its contents are whatever was left there.
 */
export function lent<T extends Float64Array | Uint8Array | Int32Array>(scratch: { array: T }, n: number): T {
  if (scratch.array.length < n) scratch.array = new (scratch.array.constructor as new (n: number) => T)(Math.max(n, 2 * scratch.array.length));
  return scratch.array.subarray(0, n) as T;
}
