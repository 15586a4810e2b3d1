// The project's WebAssembly is written as text (src/wasm/*.wat) and turned into binaries by the npm `wabt`
// package: at build time into dist/wasm/ (scripts/build.mjs), and again by a test that checks the built
// binaries are the ones their text gives. SIMD, shared memories (threads) and bulk memory are enabled.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

export const WAT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'wasm');
const FEATURES = { simd: true, threads: true, bulk_memory: true };

/** The `.wat` files, by module name (the file name without `.wat`). */
export function watFiles() {
  return readdirSync(WAT_DIR).filter((f) => f.endsWith('.wat')).sort().map((f) => ({ name: basename(f, '.wat'), path: join(WAT_DIR, f) }));
}

/** The binary of one `.wat` file; a syntax or validation error throws with the file, line and column. */
export async function compileWat(path) {
  const wabt = await wabtInit();
  const module = wabt.parseWat(basename(path), readFileSync(path, 'utf8'), FEATURES);
  try {
    module.resolveNames();
    module.validate(FEATURES);
    return module.toBinary({ log: false, write_debug_names: false }).buffer;
  } finally {
    module.destroy();
  }
}
