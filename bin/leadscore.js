#!/usr/bin/env node
// The leadscore command. It runs the built JavaScript in dist/ (built by `npm install` through the
// `prepare` script, or `npm run build`): the command line bundled for start-up into one CommonJS file with
// a V8 code cache beside it (dist/cli-bundle/, made from dist/'s modules by scripts/bundle-cli.mjs and
// scripts/code-cache.mjs; loaded by ./cli-loader.js). LEADSCORE_SOURCES=1 runs the TypeScript sources
// through tsx's loader instead (the tests do, so they never test a stale build); a missing dist/ says so and
// does the same.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/cli-bundle/main.cjs', import.meta.url));
if (process.env.LEADSCORE_SOURCES === '1' || !existsSync(bundle)) {
  if (process.env.LEADSCORE_SOURCES !== '1') process.stderr.write('leadscore: dist/ is not built (npm run build): running the TypeScript sources, slower to start\n');
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import(new URL('../src/cli/main.ts', import.meta.url).href);
  await main(process.argv);
} else {
  const { loadBundledCli } = await import('./cli-loader.js');
  const { exports, cache } = loadBundledCli(bundle, fileURLToPath(new URL('../dist/cli-bundle/main.cache', import.meta.url)));
  if (process.env.LEADSCORE_CODE_CACHE === 'report') process.stderr.write(`leadscore: code cache ${cache}\n`);
  await exports.main(process.argv);
}
