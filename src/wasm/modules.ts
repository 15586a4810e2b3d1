/**
 * leadscore's fixed WebAssembly modules, loaded from their binaries. The source of each is the `.wat` file
 * of the same name in this folder; `npm run build` (scripts/build.mjs, run by `npm install`) turns it into
 * dist/wasm/<name>.wasm with the npm `wabt` package, and test/wasm/modules.test.ts rebuilds every one from
 * its text and checks the built binary is that one. Built at build time rather than at load time: loading
 * `wabt` and compiling would be paid by every `leadscore score` at start (BENCHMARKS.md, "Design measurements").
 *
 * From the sources (tsx, the tests) and from dist/ alike the binaries are found at <package>/dist/wasm/:
 * this file sits one folder below the package root in both.
 */
import { readFileSync } from 'node:fs';

/** The modules written in src/wasm/*.wat. */
export type WasmModuleName = 'histogram' | 'forest-walk' | 'tree-shap' | 'cell-scan' | 'record-cut' | 'plain-numbers' | 'row-writer';

const compiled = new Map<WasmModuleName, WebAssembly.Module>();

/** Where the build writes a module's binary. */
export function wasmBinaryUrl(name: WasmModuleName): URL {
  return new URL(`../../dist/wasm/${name}.wasm`, import.meta.url);
}

/**
 * A module, compiled once per process. Null only where the runtime has no WebAssembly at all (the callers
 * then run their JavaScript reference loops); a missing or broken binary throws, naming it — never a silent
 * fall back to JavaScript that would hide a broken build.
 */
export function wasmModule(name: WasmModuleName): WebAssembly.Module | null {
  if (typeof WebAssembly === 'undefined') return null;
  let module = compiled.get(name);
  if (!module) {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(wasmBinaryUrl(name));
    } catch (err) {
      throw new Error(`internal: the WebAssembly module "${name}" is not built (${(err as Error).message}); run npm run build`);
    }
    try {
      module = new WebAssembly.Module(bytes);
    } catch (err) {
      throw new Error(`internal: the WebAssembly module "${name}" does not compile: ${(err as Error).message}`);
    }
    compiled.set(name, module);
  }
  return module;
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
