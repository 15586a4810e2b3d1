// node scripts/code-cache.mjs: runs the bundled command line (dist/cli-bundle/main.cjs) on a small
// sample in a temporary folder — `score`, to CSV and to NDJSON, of a logistic model trained there by other
// processes — then writes the V8 code cache of what it compiled beside it (main.cache), for
// bin/cli-loader.js to start from. Only `score`'s code: the cache is read whole at every start, and one
// holding `train`'s too cost `leadscore --help` more than it saved (BENCHMARKS.md, session 21). Run by the
// build in a process of its own, with the same Node.js and no flags, as the command will run. The commands'
// own output is dropped; a failure fails the build.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBundledCli } from '../bin/cli-loader.js';

// The package's own dist/, which bin/leadscore.js (the processes that train) runs too.
const bundleDir = fileURLToPath(new URL('../dist/cli-bundle/', import.meta.url));
const { exports, script } = loadBundledCli(join(bundleDir, 'main.cjs'));
const folder = mkdtempSync(join(tmpdir(), 'leadscore-code-cache-'));
try {
  process.chdir(folder);
  const run = async (...args) => {
    await exports.main([process.execPath, 'leadscore', ...args]);
    if (process.exitCode) throw new Error(`leadscore ${args.join(' ')} failed while making the code cache`);
  };
  const cli = (...args) => execFileSync(process.execPath, [fileURLToPath(new URL('../bin/leadscore.js', import.meta.url)), ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  cli('generate', '--rows', '3000', '--seed', '1', '--out', 'data');
  cli('train', '--data', 'data/leads.csv', '--target', 'converted', '--exclude', 'converted_at', '--models', 'logistic', '--seed', '1', '--out', 'run');
  await run('score', '--model', 'run/logistic.model.json', '--input', 'data/leads.csv', '--output', 'scores.csv', '--threads', '1');
  await run('score', '--model', 'run/logistic.model.json', '--input', 'data/leads.csv', '--output', 'scores.ndjson', '--threads', '1');
} finally {
  process.chdir(tmpdir());
  rmSync(folder, { recursive: true, force: true });
}
writeFileSync(join(bundleDir, 'main.cache'), script.createCachedData());
