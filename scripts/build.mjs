// Builds the package into dist/: the TypeScript sources compiled by tsc (JavaScript, .d.ts, source maps),
// then the hand-written JavaScript beside them (worker entries, the histogram groups and their .d.ts)
// copied as they are, the WebAssembly modules compiled from their text (src/wasm/*.wat → dist/wasm/*.wasm,
// scripts/wat.mjs), and the command line bundled from that JavaScript for start-up (dist/cli-bundle/,
// scripts/bundle-cli.mjs) with the V8 code cache of a run of it (scripts/code-cache.mjs). Built into a
// temporary folder and renamed into place, so a failed build leaves the previous dist/ (or none), never half
// of one. Run by `npm install` (prepare) and `npm run build`.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleCli } from './bundle-cli.mjs';
import { compileWat, watFiles } from './wat.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const out = join(root, 'dist');
const tmp = join(root, 'dist.tmp');
rmSync(tmp, { recursive: true, force: true });
try {
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', tmp], { stdio: 'inherit' });
  const handWritten = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js') || (f.endsWith('.d.ts')));
  for (const file of handWritten) cpSync(join(src, file), join(tmp, file));
  mkdirSync(join(tmp, 'wasm'), { recursive: true });
  const modules = watFiles();
  for (const { name, path } of modules) writeFileSync(join(tmp, 'wasm', `${name}.wasm`), await compileWat(path));
  await bundleCli(tmp);
  rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
  // The bundle's V8 code cache, made by running it where it runs (it finds the WebAssembly in dist/): in a
  // process of its own, its commands' output dropped (scripts/code-cache.mjs). If that fails, no dist/ is left.
  try {
    execFileSync(process.execPath, [join(root, 'scripts', 'code-cache.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (err) {
    rmSync(out, { recursive: true, force: true });
    throw err;
  }
  console.log(`built ${relative(process.cwd(), out) || 'dist'}/ (${handWritten.length} JavaScript files copied beside the compiled sources, ${modules.length} WebAssembly modules, the command line bundled with its code cache)`);
} catch (err) {
  rmSync(tmp, { recursive: true, force: true });
  console.error(`build failed: ${err.message}`);
  process.exit(1);
}
