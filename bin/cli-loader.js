// Loads the bundled command line (dist/cli-bundle/main.cjs, one CommonJS file: scripts/bundle-cli.mjs) with
// the V8 code cache the build made for it (main.cache: the bytecode of what a generate, train and score run
// compiled, scripts/code-cache.mjs), so a start deserialises that code instead of compiling it: a
// `leadscore score` starts ~30–50 ms sooner (BENCHMARKS.md, session 21). V8 takes a cache only for the same
// source, V8 version and flags; otherwise (a different Node.js, or flags such as --cpu-prof) it compiles as
// without one, and `LEADSCORE_CODE_CACHE=report` prints which happened.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import vm from 'node:vm';

/**
 * The bundle's exports, whether its code cache was `accepted`, `rejected` or `missing`, and its script
 * (whose `createCachedData` makes the cache).
 */
export function loadBundledCli(file, cacheFile) {
  const source = readFileSync(file, 'utf8');
  const cachedData = cacheFile && existsSync(cacheFile) ? readFileSync(cacheFile) : undefined;
  // The module wrapper CommonJS gives a file, and `__leadscoreImport`: the bundle's import() of the packages
  // left outside it (DuckDB, TensorFlow.js, Vega; scripts/bundle-cli.mjs), made here, in a module.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __leadscoreImport) { ${source}\n})`, { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file), (specifier) => import(specifier));
  return { exports: module.exports, cache: cachedData === undefined ? 'missing' : script.cachedDataRejected ? 'rejected' : 'accepted', script };
}
