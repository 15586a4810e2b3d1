/**
 * The `.wat` files are the source of the WebAssembly modules: each is rebuilt here from its text with
 * `wabt` and must be the binary the build put in dist/wasm/ (a stale build fails, naming the module), and
 * a module that is missing throws, naming it, instead of leaving its callers on the JavaScript loops.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileWat, watFiles } from '../../scripts/wat.mjs';
import { wasmBinaryUrl, wasmModule, type WasmModuleName } from '../../src/wasm/modules.ts';

const NAMES: WasmModuleName[] = ['cell-scan', 'forest-walk', 'histogram', 'plain-numbers', 'record-cut', 'row-writer', 'tree-shap'];

describe('WebAssembly text', () => {
  it('every .wat file is a module leadscore loads, and every module has its .wat', () => {
    expect(watFiles().map((f) => f.name)).toEqual(NAMES);
  });

  it.each(NAMES)('%s: the built binary is the one its .wat gives, and it compiles', async (name) => {
    const { path } = watFiles().find((f) => f.name === name)!;
    const fromText = Buffer.from(await compileWat(path));
    const built = readFileSync(wasmBinaryUrl(name));
    expect(fromText.equals(built), `dist/wasm/${name}.wasm is not built from src/wasm/${name}.wat: run npm run build`).toBe(true);
    expect(wasmModule(name)).toBeInstanceOf(WebAssembly.Module);
  });

  it('a module that is not built throws with its name and what to run', () => {
    expect(() => wasmModule('no-such-module' as WasmModuleName)).toThrow(/^internal: the WebAssembly module "no-such-module" is not built .*run npm run build$/);
  });

  it('a syntax error in a .wat file is reported with its line and column', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const path = join(mkdtempSync(join(tmpdir(), 'wat-')), 'broken.wat');
    writeFileSync(path, '(module\n  (func (result i32)\n    (i32.add (i32.const 1))))\n');
    await expect(compileWat(path)).rejects.toThrow(/broken\.wat:3:/);
  });
});
