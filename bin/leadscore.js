#!/usr/bin/env node
// The leadscore command. It runs the built JavaScript in dist/ (built by `npm install` through the
// `prepare` script, or `npm run build`): the command line bundled for start-up (dist/cli-bundle/, made from
// dist/'s modules by scripts/bundle-cli.mjs). LEADSCORE_SOURCES=1 runs the TypeScript sources through tsx's
// loader instead (the tests do, so they never test a stale build); a missing dist/ says so and does the same.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';

/**
 * Whether to run the command again in a process whose C library backs large allocations with huge pages
 * (glibc's `glibc.malloc.hugetlb=1`, which marks them for transparent huge pages, as NumPy does for its
 * arrays): on Linux with glibc, where transparent huge pages are given only to memory marked for them
 * (`[madvise]`, the kernel's usual default), and GLIBC_TUNABLES is not already set (by the user, or by the
 * first run); for a command that reads a whole file into memory, given a large one. The typed columns'
 * ArrayBuffers (not V8's own heap, which it maps itself) then take one page fault per 2 MiB instead of one
 * per 4 KiB: on this machine a fault costs ~11 µs, and reading the 1,000,000 × 36 CSV took ~130,000 of them
 * instead of ~210,000 (BENCHMARKS.md, session 16). The relaunch costs one more Node start-up.
 */
function hugePagesRelaunch() {
  if (process.platform !== 'linux' || process.env.GLIBC_TUNABLES !== undefined) return false;
  const [command, ...args] = process.argv.slice(2);
  if (!IN_MEMORY.has(command) || !args.some((arg) => sizeOf(arg) >= LARGE_FILE)) return false;
  let mode;
  try {
    mode = readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8');
  } catch {
    return false;
  }
  if (!mode.includes('[madvise]')) return false; // [always]: every allocation has them already; [never]: none can
  return Boolean(process.report?.getReport().header.glibcVersionRuntime); // musl ignores the setting
}

/**
 * The commands that read a whole file into memory (`score` streams its input in chunks: a relaunch cost it
 * more than it saved), and the size of an argument's file from which the relaunch pays for itself.
 */
const IN_MEMORY = new Set(['inspect', 'train', 'evaluate', 'backtest']);
const LARGE_FILE = 64 * 2 ** 20;

/** The size of the file an argument names, or 0 (not a file, or not readable). */
function sizeOf(arg) {
  try {
    return statSync(arg, { throwIfNoEntry: false })?.size ?? 0;
  } catch {
    return 0;
  }
}

if (hugePagesRelaunch()) {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' },
  });
  // A terminal's Ctrl-C reaches both processes: this one waits for the command to end; a signal sent to
  // this one alone is passed on.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => signal !== 'SIGINT' && child.kill(signal));
  child.on('error', (err) => {
    process.stderr.write(`error: could not start the command again with huge pages: ${err.message}\nhint: set GLIBC_TUNABLES (to anything) to run it in this process\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else {
      process.exit(code ?? 1);
    }
  });
} else {
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
}
