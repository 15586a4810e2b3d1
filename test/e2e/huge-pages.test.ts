/**
 * bin/leadscore.js runs a command that reads a large file into memory again in a process with glibc's
 * huge-page setting (GLIBC_TUNABLES=glibc.malloc.hugetlb=1) where the kernel gives transparent huge pages
 * only to memory marked for them: the relaunched command writes the same output, its exit code and errors
 * come through, and a set GLIBC_TUNABLES (the user's, or the first run's) keeps the command in its process.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'leadscore.js');

/** Whether this machine gives huge pages only where asked ([madvise]) and its C library is glibc: where the relaunch applies. */
function relaunches(): boolean {
  let mode = '';
  try {
    mode = readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8');
  } catch {
    return false;
  }
  const header = process.report.getReport() as { header: { glibcVersionRuntime?: string } };
  return process.platform === 'linux' && mode.includes('[madvise]') && Boolean(header.header.glibcVersionRuntime);
}

let dir: string;
let big: string;
let preload: string;
beforeAll(async () => {
  dir = await tempDir();
  // The sample's rows repeated to 70 MB (past the 64 MiB from which a relaunch pays).
  const [header, ...rows] = (await readFile(join(ROOT, 'data', 'sample', 'leads.csv'), 'utf8')).trimEnd().split('\n');
  const body = `${rows.join('\n')}\n`;
  big = join(dir, 'big.csv');
  await writeFile(big, `${header}\n${body.repeat(Math.ceil(70e6 / body.length))}`);
  // Loaded into every Node process the command runs (node's flags pass to the relaunched one): each one's main thread notes its GLIBC_TUNABLES.
  preload = join(dir, 'note-process.mjs');
  await writeFile(preload, [
    "import { appendFileSync } from 'node:fs';",
    "import { isMainThread } from 'node:worker_threads';",
    'if (isMainThread) appendFileSync(process.env.NOTE_FILE, `${JSON.stringify(process.env.GLIBC_TUNABLES ?? null)}\\n`);',
  ].join('\n'));
}, 60_000);

async function run(args: string[], env: Record<string, string | undefined>, note: string): Promise<{ code: number; stdout: string; stderr: string; processes: Array<string | null> }> {
  const { GLIBC_TUNABLES: _unset, ...inherited } = process.env;
  const childEnv = { ...inherited, TZ: 'UTC', NOTE_FILE: note, ...env } as NodeJS.ProcessEnv;
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(process.execPath, ['--import', preload, BIN, ...args], { encoding: 'utf8', env: childEnv, maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
  const processes = (await readFile(note, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as string | null);
  return { code, stdout, stderr, processes };
}

describe('the huge-page relaunch', () => {
  it('runs inspect of a large file again with glibc.malloc.hugetlb=1 where it applies, with the same output as in one process', async () => {
    const relaunched = await run(['inspect', big, '--json'], {}, join(dir, 'note-1'));
    expect(relaunched.code).toBe(0);
    expect(relaunched.processes).toEqual(relaunches() ? [null, 'glibc.malloc.hugetlb=1'] : [null]);
    const inProcess = await run(['inspect', big, '--json'], { GLIBC_TUNABLES: '' }, join(dir, 'note-2'));
    expect(inProcess.processes).toEqual(['']);
    expect(relaunched.stdout).toBe(inProcess.stdout);
    expect(JSON.parse(relaunched.stdout).rows).toBeGreaterThan(400_000);
  }, 120_000);

  it('passes a bad input\'s exit code 2, error and hint through from the relaunched command', async () => {
    const result = await run(['train', '--data', big, '--target', 'no_such_column', '--out', join(dir, 'run')], {}, join(dir, 'note-3'));
    expect(result.processes.length).toBe(relaunches() ? 2 : 1);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: .*no_such_column/m);
    expect(result.stderr).toMatch(/^hint: /m);
  }, 120_000);

  it('keeps a small file\'s command, and any command but those that read a whole file, in one process', async () => {
    const small = await run(['inspect', join(ROOT, 'data', 'sample', 'leads.csv'), '--json'], {}, join(dir, 'note-4'));
    expect(small.processes).toEqual([null]);
    const help = await run(['--help'], {}, join(dir, 'note-5'));
    expect(help.processes).toEqual([null]);
  }, 60_000);
});
