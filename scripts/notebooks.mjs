// `npm run notebooks`: executes every notebook in notebooks/ headless with the tslab TypeScript kernel and
// Debian's Jupyter (`jupyter nbconvert --to notebook --execute`), outputs to a temporary folder (the
// committed notebooks stay without outputs), and fails on the first cell error of any notebook.
// The kernel is registered in a temporary Jupyter path (nothing is installed for the user), pointing at
// this checkout's tslab. Usage: node scripts/notebooks.mjs [notebook.ipynb …] (default: all of notebooks/).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const python = '/usr/bin/python3';
const fail = (message, hint) => {
  console.error(`error: ${message}\nhint: ${hint}`);
  process.exit(2);
};
if (!existsSync('/usr/bin/jupyter-nbconvert')) fail('jupyter nbconvert is not installed', 'apt-get install -y jupyter-nbconvert python3-ipykernel (.ci/run does)');
const tslab = join(root, 'node_modules', '.bin', 'tslab');
if (!existsSync(tslab)) fail('tslab is not installed', 'run npm install (tslab is a devDependency)');
if (!existsSync(join(root, 'dist', 'index.js'))) fail('dist/ is not built: the notebooks import the built package', 'run npm run build');

/** nbconvert's message: the failing cell's source (tslab leaves the error's name and value empty there). */
function cellError(text) {
  const at = text.indexOf('An error occurred while executing the following cell:');
  return at >= 0 ? text.slice(at).split('\n').slice(0, 40).join('\n') : text.split('\n').slice(-20).join('\n');
}

/** The failing notebook run again with --allow-errors, for what its cells printed on stderr (tslab writes the error there). */
async function errorOutputs(notebook, env) {
  const out = mkdtempSync(join(tmpdir(), 'leadscore-notebook-error-'));
  try {
    spawnSync('jupyter', ['nbconvert', '--to', 'notebook', '--execute', '--allow-errors', '--ExecutePreprocessor.kernel_name=tslab', '--ExecutePreprocessor.timeout=300', `--ExecutePreprocessor.startup_timeout=${STARTUP_SECONDS}`,
      '--output-dir', out, notebook], { env, encoding: 'utf8', cwd: dirname(notebook) });
    const executed = JSON.parse(readFileSync(join(out, basename(notebook)), 'utf8'));
    return executed.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.name === 'stderr' || o.output_type === 'error')
      .map((o) => [].concat(o.text ?? o.traceback ?? []).join('').split('\n').slice(0, 12).join('\n')).join('\n') || '(no error output)';
  } catch (err) {
    return `(could not re-run it to show the error: ${err.message})`;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

// How long a kernel may take to start: nbconvert's default, 60 s, was once exceeded by tslab's first start on a
// two-core machine busy with the test suite (the next kernel started in 3 s).
const STARTUP_SECONDS = 180;

const notebooks = process.argv.slice(2).length ? process.argv.slice(2).map((f) => resolve(f))
  : readdirSync(join(root, 'notebooks')).filter((f) => f.endsWith('.ipynb')).sort().map((f) => join(root, 'notebooks', f));
const work = mkdtempSync(join(tmpdir(), 'leadscore-notebooks-'));
try {
  execFileSync(process.execPath, [tslab, 'install', `--python=${python}`, `--binary=${tslab}`, `--prefix=${work}`], { stdio: 'pipe' });
  const env = { ...process.env, JUPYTER_PATH: join(work, 'share', 'jupyter') };
  let failed = 0;
  for (const notebook of notebooks) {
    const t0 = performance.now();
    const r = spawnSync('jupyter', ['nbconvert', '--to', 'notebook', '--execute', '--ExecutePreprocessor.kernel_name=tslab', '--ExecutePreprocessor.timeout=300', `--ExecutePreprocessor.startup_timeout=${STARTUP_SECONDS}`,
      '--output-dir', join(work, 'out'), notebook], { env, encoding: 'utf8', cwd: dirname(notebook) });
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    if (r.status === 0) {
      console.log(`ok    ${basename(notebook)} (${seconds} s)`);
    } else {
      failed++;
      console.log(`FAIL  ${basename(notebook)} (${seconds} s)\n${cellError(r.stderr || r.stdout)}\n${await errorOutputs(notebook, env)}`);
    }
  }
  console.log(`${notebooks.length - failed} of ${notebooks.length} notebooks ran without an error`);
  process.exitCode = failed ? 1 : 0;
} finally {
  rmSync(work, { recursive: true, force: true });
}
