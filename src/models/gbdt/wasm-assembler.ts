/**
 * A minimal WebAssembly assembler: LEB128 numbers, sections, and the few instructions leadscore's kernels
 * use (wasm-kernel.ts for the tree learner, wasm-forest.ts and wasm-shap.ts for scoring), so they are
 * built from their instructions at run time with no toolchain and no binary file. Opcodes as in the
 * WebAssembly core specification (SIMD: the 0xfd prefix).
 */
export const uleb = (v: number): number[] => {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
};
export const sleb = (v: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
};
/** Parts one after another, as bytes (a typed copy: spreading module-sized arrays took tens of milliseconds). */
export const concat = (parts: ReadonlyArray<ArrayLike<number>>): Uint8Array => {
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
export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
export const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const byteVec = (items: ReadonlyArray<ArrayLike<number>>): Uint8Array => concat([uleb(items.length), ...items]);
const byteSection = (id: number, body: ArrayLike<number>): Uint8Array => concat([[id], uleb(body.length), body]);
export const name = (s: string): number[] => [...uleb(s.length), ...new TextEncoder().encode(s)];
export const I32 = 0x7f;
export const V128 = 0x7b;
export const op = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (v: number) => [0x41, ...sleb(v)],
  add: [0x6a], sub: [0x6b], mul: [0x6c], and: [0x71], or: [0x72], shl: [0x74], shrU: [0x76], geU: [0x4f], gtU: [0x4b], xor: [0x73],
  eq: [0x46], eqz: [0x45], ltS: [0x48], ltU: [0x49], geS: [0x4e],
  addF64: [0xa0],
  store32: [0x36, 2, 0],
  /** memarg: log2 alignment, offset */
  load32: [0x28, 2, 0], load8u: [0x2d, 0, 0],
  loadF64: (offset: number) => [0x2b, 3, ...uleb(offset)],
  storeF64: (offset: number) => [0x39, 3, ...uleb(offset)],
  /** Loads with a constant address offset (memarg: log2 alignment, offset). */
  load8uAt: (offset: number) => [0x2d, 0, ...uleb(offset)],
  load32At: (offset: number) => [0x28, 2, ...uleb(offset)],
  load64At: (offset: number) => [0x29, 3, ...uleb(offset)],
  store32At: (offset: number) => [0x36, 2, ...uleb(offset)],
  /** Unaligned loads (alignment hint 0). */
  load32Unaligned: [0x28, 0, 0], load64: [0x29, 3, 0],
  i64: (v: number) => [0x42, ...sleb(v)],
  and64: [0x83], xor64: [0x85], shl64: [0x86], sub64: [0x7d], ne64: [0x52], extendU: [0xad], ctz: [0x68], ctz64: [0x7a], wrap64: [0xa7],
  call: (index: number) => [0x10, ...uleb(index)], ret: [0x0f],
  memoryCopy: [0xfc, 0x0a, 0, 0],
  loadV128: [0xfd, 0x00, 3, 0], loadV128Unaligned: [0xfd, 0x00, 0, 0], storeV128: [0xfd, 0x0b, 3, 0], addF64x2: [0xfd, 0xf0, 0x01],
  i8x16Splat: [0xfd, 0x0f], i8x16Eq: [0xfd, 0x23], v128Or: [0xfd, 0x50], i8x16Bitmask: [0xfd, 0x64],
};

// Structured control: `block`, `loop` and `if` without results; br/br_if to a label depth.
export const block = (body: number[]): number[] => [0x02, 0x40, ...body, 0x0b];
export const loop = (body: number[]): number[] => [0x03, 0x40, ...body, 0x0b];
/** `if (test) { body }`; an empty `test` takes the condition already on the stack. */
export const when = (test: number[], body: number[]): number[] => [...test, 0x04, 0x40, ...body, 0x0b];
export const br = (depth: number): number[] => [0x0c, ...uleb(depth)];
export const brIf = (depth: number): number[] => [0x0d, ...uleb(depth)];

/** `while (!(exit)) { ...body }`: a block around a loop; `exit` leaves an i32 on the stack. */
export function whileNot(exit: number[], body: number[]): number[] {
  return [0x02, 0x40, 0x03, 0x40, ...exit, 0x0d, 1, ...body, 0x0c, 0, 0x0b, 0x0b];
}

/** A function of i32 parameters (and at most one i32 result): its locals and body, as built above. */
export interface WasmFunction {
  name: string;
  params: number;
  returnsI32?: boolean;
  /** Called only from inside the module: not exported. */
  internal?: boolean;
  code: ArrayLike<number>;
}

/**
 * A module importing `env.memory` (shared, with that maximum, when `shared`) and exporting each function
 * by its name.
 */
export function assemble(functions: readonly WasmFunction[], memory: { shared?: boolean; maxPages?: number } = {}): Uint8Array {
  const limits = memory.shared ? [0x03, ...uleb(1), ...uleb(memory.maxPages!)] : memory.maxPages ? [0x01, ...uleb(1), ...uleb(memory.maxPages)] : [0x00, ...uleb(1)];
  return concat([
    [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
    byteSection(1, byteVec(functions.map((f) => [0x60, ...vec(Array.from({ length: f.params }, () => [I32])), ...vec(f.returnsI32 ? [[I32]] : [])]))),
    byteSection(2, vec([[...name('env'), ...name('memory'), 0x02, ...limits]])),
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

/**
 * Compiles a module once per process. Null only where the runtime has no WebAssembly at all (the callers
 * then run their JavaScript reference loops); a module that does not compile is a bug in its source and
 * throws, naming it — never a silent fall back to JavaScript that would hide a broken edit.
 */
export function compileOnce(name: string, bytes: () => Uint8Array): () => WebAssembly.Module | null {
  let compiled: WebAssembly.Module | null | undefined;
  return () => {
    if (compiled === undefined) {
      if (typeof WebAssembly === 'undefined') compiled = null;
      else {
        try {
          compiled = new WebAssembly.Module(bytes());
        } catch (err) {
          throw new Error(`internal: the WebAssembly module "${name}" does not compile: ${(err as Error).message}`);
        }
      }
    }
    return compiled;
  };
}

export const PAGE_BYTES = 65536;

/** Regions of a memory laid out one after another, each at a 64-byte boundary. */
export class Layout {
  /** Bytes taken so far. */
  bytes = 0;
  /** The start of a new region of `size` bytes. */
  take(size: number): number {
    const start = this.bytes;
    this.bytes += Math.ceil(size / 64) * 64;
    return start;
  }
  get pages(): number {
    return Math.max(1, Math.ceil(this.bytes / PAGE_BYTES));
  }
}
