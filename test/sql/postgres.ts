/**
 * A throwaway PostgreSQL server for the tests: `initdb` into a temporary folder, `pg_ctl start` listening on
 * a Unix socket in that folder only (so no port is shared with anything else on the machine), stopped and
 * removed by `stop()`. As root, the server tools run as the `postgres` user (initdb refuses root), through
 * `runuser`; psql runs as the caller. `.ci/run` installs Debian's `postgresql`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Postgres {
  /** Runs SQL (from a file, so a statement may be any length) and returns psql's CSV output. */
  query(sql: string, stdin?: string): Promise<string>;
  stop(): Promise<void>;
}

/** The folder holding initdb and pg_ctl (Debian keeps them out of PATH), or why there is none. */
export function postgresTools(): { bin: string } | { missing: string } {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions.length) return { missing: `no PostgreSQL server tools under ${root} (apt-get install postgresql)` };
  const bin = join(root, versions[0]!, 'bin');
  if (!existsSync(join(bin, 'psql'))) return { missing: `no psql in ${bin} (apt-get install postgresql-client)` };
  if (process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0) return { missing: 'running as root, and there is no postgres user to run initdb as (apt-get install postgresql creates it)' };
  return { bin };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Starts a new cluster; throws with the server's log when it cannot start. */
export async function startPostgres(bin: string): Promise<Postgres> {
  const dir = await mkdtemp(join(tmpdir(), 'leadscore-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const server = (tool: string, args: string[]) => {
    const [command, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
    const run = spawnSync(command, argv, { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`${tool} failed (${run.status}): ${run.stderr}${run.stdout}`);
  };
  const port = await freePort();
  server('initdb', ['-D', data, '-U', 'leadscore', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
  try {
    server('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses='' -c fsync=off -c TimeZone=UTC`, 'start']);
  } catch (error) {
    const logFile = join(dir, 'server.log');
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '(no server log)';
    await rm(dir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\n${log}`);
  }
  let n = 0;
  return {
    async query(sql, stdin) {
      const file = join(dir, `query-${n++}.sql`);
      await writeFile(file, sql);
      const run = spawnSync(join(bin, 'psql'), ['-X', '-q', '--csv', '-v', 'ON_ERROR_STOP=1', '-h', dir, '-p', String(port), '-U', 'leadscore', '-d', 'postgres', '-f', file],
        { encoding: 'utf8', input: stdin ?? '', maxBuffer: 1 << 28 });
      if (run.status !== 0) throw new Error(`psql failed: ${run.stderr}`);
      return run.stdout;
    },
    async stop() {
      try {
        server('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
