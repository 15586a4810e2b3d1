/**
 * sqlglot (Debian's python3-sqlglot, run with /usr/bin/python3) as a second, independent reader of the
 * exported SQL: it parses a dialect's form and writes it for DuckDB, where the test runs it.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(import.meta.dirname, 'sqlglot-transpile.py');

/** sqlglot's version, or why it cannot run. */
export function sqlglotVersion(): { version: string } | { missing: string } {
  const run = spawnSync(PYTHON, ['-c', 'import sqlglot; print(sqlglot.__version__)'], { encoding: 'utf8' });
  if (run.error) return { missing: `${PYTHON} cannot run (${run.error.message}); apt-get install python3 python3-sqlglot` };
  if (run.status !== 0) return { missing: `${PYTHON} has no sqlglot module (apt-get install python3-sqlglot)` };
  return { version: run.stdout.trim() };
}

/** One statement in `dialect`, parsed by sqlglot and written as DuckDB SQL; throws sqlglot's error. */
export function transpileToDuckdb(sql: string, dialect: string): string {
  const run = spawnSync(PYTHON, [SCRIPT, dialect], { encoding: 'utf8', input: sql, maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(run.stderr.trim() || `sqlglot exited with ${run.status}`);
  return run.stdout;
}
