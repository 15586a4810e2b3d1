/**
 * A small WebAssembly assembler for the one module leadscore writes per model: the forest's leaf masks
 * (models/gbdt/wasm-masks.ts), whose constants — code offsets, table addresses, leaf addresses — are the
 * model's own, so it cannot be a fixed `.wat` file. LEB128 numbers, sections, named locals, structured
 * control and the few instructions it uses; opcodes as in the WebAssembly core specification.
 */
const uleb = (v: number): number[] => {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
};
const sleb = (v: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
};
/** Parts one after another, as bytes (a typed copy: spreading module-sized arrays took tens of milliseconds). */
const concat = (parts: ReadonlyArray<ArrayLike<number>>): Uint8Array => {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const byteVec = (items: ReadonlyArray<ArrayLike<number>>): Uint8Array => concat([uleb(items.length), ...items]);
const byteSection = (id: number, body: ArrayLike<number>): Uint8Array => concat([[id], uleb(body.length), body]);
const name = (s: string): number[] => [...uleb(s.length), ...new TextEncoder().encode(s)];
const I32 = 0x7f;

/**
 * A function's i32 parameters and locals by name, numbered as WebAssembly numbers them (parameters first):
 * `index.row` is what `op.get`/`op.set` take, `declaration` opens the function's body.
 */
export function locals<P extends string, L extends string>(params: readonly P[], declared: readonly L[]): { index: Record<P | L, number>; declaration: number[] } {
  const index = {} as Record<P | L, number>;
  [...params, ...declared].forEach((n, k) => (index[n] = k));
  return { index, declaration: vec(declared.length ? [[...uleb(declared.length), I32]] : []) };
}

export const op = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  i32: (v: number) => [0x41, ...sleb(v)],
  add: [0x6a], and: [0x71], shl: [0x74], geU: [0x4f],
  addF64: [0xa0],
  and64: [0x83], ctz: [0x68], ctz64: [0x7a], wrap64: [0xa7],
  /** Loads and stores with a constant address offset (memarg: log2 alignment, offset). */
  loadF64: (offset: number) => [0x2b, 3, ...uleb(offset)],
  storeF64: (offset: number) => [0x39, 3, ...uleb(offset)],
  load8uAt: (offset: number) => [0x2d, 0, ...uleb(offset)],
  load32At: (offset: number) => [0x28, 2, ...uleb(offset)],
  load64At: (offset: number) => [0x29, 3, ...uleb(offset)],
  call: (index: number) => [0x10, ...uleb(index)],
  /** `block` then `loop`, without results: inside, `br(0)` continues the loop and `br_if(1)` leaves it. */
  blockLoop: [0x02, 0x40, 0x03, 0x40],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  /** Closes a block, a loop or the function. */
  end: [0x0b],
};

/** A function of i32 parameters: its locals and body, as built above. */
export interface WasmFunction {
  name: string;
  params: number;
  /** Called only from inside the module: not exported. */
  internal?: boolean;
  code: ArrayLike<number>;
}

/** A module importing `env.memory` and exporting each function (unless internal) by its name. */
export function assemble(functions: readonly WasmFunction[]): Uint8Array {
  return concat([
    [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
    byteSection(1, byteVec(functions.map((f) => [0x60, ...vec(Array.from({ length: f.params }, () => [I32])), ...vec([])]))),
    byteSection(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]])),
    byteSection(3, byteVec(functions.map((_, k) => uleb(k)))),
    byteSection(7, byteVec(functions.flatMap((f, k) => (f.internal ? [] : [[...name(f.name), 0x00, ...uleb(k)]])))),
    byteSection(10, byteVec(functions.map((f) => concat([uleb(f.code.length), f.code])))),
  ]);
}

/** Bytes appended to a buffer that grows (code generated per model: one array per instruction was slow). */
export class ByteWriter {
  private buffer = new Uint8Array(4096);
  length = 0;
  put(bytes: ArrayLike<number>): this {
    if (this.length + bytes.length > this.buffer.length) {
      const grown = new Uint8Array(Math.max(2 * this.buffer.length, this.length + bytes.length));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
    return this;
  }
  bytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}
