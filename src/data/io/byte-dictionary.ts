/**
 * A dictionary from byte strings (cells as they sit in a file) to values, for readers that meet the same
 * cells again and again: a category's levels are decoded once each instead of once per row. Open addressing
 * on an FNV-1a hash of the bytes; the keys' bytes live in one growing arena. It holds at most `capacity`
 * keys; past that `set` does nothing, so a column of distinct values (an id) costs a lookup per cell and no
 * memory beyond the cap.
 *
 * @example
 * const levels = new ByteDictionary<string>(1 << 16);
 * const bytes = Buffer.from('north,south,north');
 * levels.set(bytes, 0, 5, 'north');
 * levels.get(bytes, 12, 17); // 'north'
 */
export class ByteDictionary<V> {
  private slots = new Int32Array(256).fill(-1);
  private hashes: Int32Array = new Int32Array(128);
  private starts: Int32Array = new Int32Array(128);
  private lengths: Int32Array = new Int32Array(128);
  private arena = new Uint8Array(4096);
  private arenaUsed = 0;
  private readonly values: V[] = [];

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.values.length;
  }

  /** The value stored for the bytes `b[start, end)`, or undefined. */
  get(b: Uint8Array, start: number, end: number): V | undefined {
    return this.find(hashBytes(b, start, end), b, start, end);
  }

  /** `get` for bytes whose `hashBytes` is known. */
  find(hash: number, b: Uint8Array, start: number, end: number): V | undefined {
    const mask = this.slots.length - 1;
    const length = end - start;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const k = this.slots[slot]!;
      if (k < 0) return undefined;
      if (this.hashes[k] === hash && this.lengths[k] === length && this.sameBytes(k, b, start, length)) return this.values[k];
    }
  }

  /** Stores a value for bytes not yet in the dictionary (ignored once it holds `capacity` keys). */
  set(b: Uint8Array, start: number, end: number, value: V): void {
    this.insert(hashBytes(b, start, end), b, start, end, value);
  }

  /** `set` for bytes whose `hashBytes` is known. */
  insert(hash: number, b: Uint8Array, start: number, end: number, value: V): void {
    const k = this.values.length;
    if (k >= this.capacity) return;
    const length = end - start;
    if (k === this.hashes.length) this.reserve(k * 2, 0);
    if (this.arenaUsed + length > this.arena.length) this.reserve(0, Math.max(this.arena.length * 2, this.arenaUsed + length));
    const arena = this.arena;
    const used = this.arenaUsed;
    for (let i = 0; i < length; i++) arena[used + i] = b[start + i]!; // short keys: no view made to copy them
    this.hashes[k] = hash;
    this.starts[k] = this.arenaUsed;
    this.lengths[k] = length;
    this.arenaUsed += length;
    this.values.push(value);
    this.place(k); // `reserve` keeps twice as many slots as the keys have room for
  }

  /**
   * Room for `keys` keys and `bytes` bytes of them in all (a reader that expects that many: an id column), so
   * that they are not grown by doubling as they come.
   */
  reserve(keys: number, bytes: number): void {
    keys = Math.min(keys, this.capacity);
    if (keys > this.hashes.length) {
      this.hashes = grown(this.hashes, keys);
      this.starts = grown(this.starts, keys);
      this.lengths = grown(this.lengths, keys);
      let slots = this.slots.length;
      while (slots < 2 * keys) slots *= 2;
      if (slots > this.slots.length) this.rehash(slots);
    }
    if (bytes > this.arena.length) {
      const arena = new Uint8Array(bytes);
      arena.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = arena;
    }
  }

  private place(k: number): void {
    const mask = this.slots.length - 1;
    let slot = this.hashes[k]! & mask;
    while (this.slots[slot]! >= 0) slot = (slot + 1) & mask;
    this.slots[slot] = k;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size).fill(-1);
    for (let k = 0; k < this.values.length; k++) this.place(k);
  }

  private sameBytes(k: number, b: Uint8Array, start: number, length: number): boolean {
    const at = this.starts[k]!;
    for (let i = 0; i < length; i++) if (this.arena[at + i] !== b[start + i]) return false;
    return true;
  }
}

function grown(a: Int32Array, size: number): Int32Array {
  const bigger = new Int32Array(size);
  bigger.set(a);
  return bigger;
}

/** FNV-1a over the bytes, then mixed so that the low bits (the slot) depend on every byte. */
export function hashBytes(b: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ b[i]!, 16777619);
  hash ^= hash >>> 15;
  hash = Math.imul(hash, 0x2c1b3c6d);
  return hash ^ (hash >>> 12);
}
