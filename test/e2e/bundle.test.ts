/**
 * The bundled command line (dist/cli-bundle/main.cjs, what `leadscore` runs once built: scripts/bundle-cli.mjs,
 * loaded by bin/cli-loader.js with the code cache scripts/code-cache.mjs made) writes the same bytes as the
 * TypeScript sources for a run through the main commands: generate, train (logistic and trees, the report's
 * charts through Vega, a package left outside the bundle), score to CSV and NDJSON with reasons on two
 * threads (so TreeSHAP's worker starts from the bundle, found beside the module's own file in dist/), score
 * from a SQL query (DuckDB, outside the bundle too), evaluate and export-sql; and V8 takes its code cache.
 * A stale or broken build fails here, as a stale WebAssembly binary fails test/wasm/modules.test.ts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'leadscore.js');
const BUNDLE = join(ROOT, 'dist', 'cli-bundle', 'main.cjs');

/** Runs `leadscore` from the bundle (built) or the sources, in a folder of its own; returns that folder. */
async function run(form: 'built' | 'sources'): Promise<string> {
  const dir = await tempDir();
  const env = { ...process.env, LEADSCORE_SOURCES: form === 'sources' ? '1' : '', SOURCE_DATE_EPOCH: '1767225600' };
  const cli = (...args: string[]) => execFileSync(process.execPath, [BIN, ...args], { cwd: dir, env, stdio: 'pipe' }).toString();
  cli('generate', '--rows', '5000', '--seed', '11', '--out', 'data');
  cli('train', '--data', 'data/leads.csv', '--target', 'converted', '--exclude', 'converted_at', '--models', 'logistic,gbdt', '--param', 'gbdt.trees=100',
    '--seed', '3', '--out', 'run');
  cli('score', '--model', 'run/gbdt.model.json', '--input', 'data/leads.csv', '--output', 'gbdt.csv', '--threads', '2');
  cli('score', '--model', 'run/logistic.model.json', '--input', 'data/leads.csv', '--output', 'logistic.ndjson', '--threads', '2');
  cli('score', '--model', 'run/logistic.model.json', '--sql', "SELECT * FROM read_csv('data/leads.csv')", '--output', 'query.csv');
  cli('evaluate', '--model', 'run/gbdt.model.json', '--data', 'data/leads.csv', '--out', 'evaluation');
  await writeFile(join(dir, 'score.sql'), cli('export-sql', '--model', 'run/logistic.model.json', '--dialect', 'postgres'));
  return dir;
}

describe('the bundled command line', () => {
  it('is what bin/leadscore.js runs once built, and writes the same files as the sources', async () => {
    expect(existsSync(BUNDLE), 'dist/cli-bundle/main.cjs is not built: run npm run build').toBe(true);
    expect(await readFile(BIN, 'utf8')).toContain("'../dist/cli-bundle/main.cjs'");
    // V8 takes the code cache the build made (a rejected or missing one would only start slower: said here).
    const started = spawnSync(process.execPath, [BIN, '--version'], { env: { ...process.env, LEADSCORE_SOURCES: '', LEADSCORE_CODE_CACHE: 'report' }, encoding: 'utf8' });
    expect(started.status).toBe(0);
    expect(started.stderr).toBe('leadscore: code cache accepted\n');
    const [built, sources] = await Promise.all([run('built'), run('sources')]);
    for (const file of ['run/gbdt.model.json', 'run/logistic.model.json', 'run/report.html', 'gbdt.csv', 'logistic.ndjson', 'query.csv', 'score.sql']) {
      const [a, b] = await Promise.all([readFile(join(built, file)), readFile(join(sources, file))]);
      expect(a.length, file).toBeGreaterThan(100);
      expect(a.equals(b), `${file} differs between the bundle and the sources`).toBe(true);
    }
    // The evaluation without its timings.
    const evaluation = (dir: string) => readFile(join(dir, 'evaluation', 'evaluation.json'), 'utf8').then((t) => JSON.parse(t, (k, v) => (/seconds/i.test(k) ? undefined : v)));
    expect(await evaluation(built)).toEqual(await evaluation(sources));
    // The gbdt reasons (5,000 rows x 100 trees) were worked out with TreeSHAP's worker beside the main thread.
    expect((await readFile(join(built, 'gbdt.csv'), 'utf8')).split('\n')[1]).toMatch(/\(\+|\(−/);
  }, 300_000);
});
