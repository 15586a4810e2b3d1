#!/usr/bin/env node
// The leadscore command. It runs the built JavaScript in dist/ (built by `npm install` through the
// `prepare` script, or `npm run build`): the command line bundled for start-up (dist/cli-bundle/, made from
// dist/'s modules by scripts/bundle-cli.mjs). LEADSCORE_SOURCES=1 runs the TypeScript sources through tsx's
// loader instead (the tests do, so they never test a stale build); a missing dist/ says so and does the same.
import { existsSync } from 'node:fs';

const built = new URL('../dist/cli-bundle/main.js', import.meta.url);
let entry = built.href;
if (process.env.LEADSCORE_SOURCES === '1' || !existsSync(built)) {
  if (process.env.LEADSCORE_SOURCES !== '1') process.stderr.write('leadscore: dist/ is not built (npm run build): running the TypeScript sources, slower to start\n');
  const { register } = await import('tsx/esm/api');
  register();
  entry = new URL('../src/cli/main.ts', import.meta.url).href;
}
const { main } = await import(entry);
await main(process.argv);
