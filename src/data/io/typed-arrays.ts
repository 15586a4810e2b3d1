/** Typed arrays that grow as they fill: the readers' and the byte scorer's per-row and per-level arrays. */

/** An array with room for `need` elements: itself, or a copy at least twice as long. */
export function grown<T extends Float64Array | Uint8Array | Int32Array>(array: T, need: number): T {
  if (array.length >= need) return array;
  const bigger = new (array.constructor as new (n: number) => T)(Math.max(need, array.length * 2, 64));
  bigger.set(array);
  return bigger;
}
