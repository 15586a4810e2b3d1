import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { workerOptions } from '../src/worker-options.ts';

describe('workerOptions', () => {
  it('passes the process\'s flags on, without --input-type and the heap sizes that Node refuses in a worker', () => {
    const saved = process.execArgv;
    try {
      Object.defineProperty(process, 'execArgv', { value: ['--input-type', 'module', '--max-old-space-size=16000', '--max_semi_space_size=64', '--enable-source-maps', '--input-type=module'], configurable: true });
      expect(workerOptions().execArgv).toEqual(['--enable-source-maps']);
    } finally {
      Object.defineProperty(process, 'execArgv', { value: saved, configurable: true });
    }
  });

  it('gives no list where the process has no --input-type: the worker takes the process\'s flags, V8\'s too, unchecked', () => {
    const saved = process.execArgv;
    try {
      Object.defineProperty(process, 'execArgv', { value: ['--stack-size=2000', '--max-old-space-size=16000', '--enable-source-maps'], configurable: true });
      expect(workerOptions()).toEqual({});
    } finally {
      Object.defineProperty(process, 'execArgv', { value: saved, configurable: true });
    }
  });

  it('lets leadscore start its workers in a process run with V8 flags (they failed with ERR_WORKER_INVALID_EXEC_ARGV)', () => {
    const script = `import('./src/worker-options.ts').then(({ workerOptions }) => {
      const { Worker } = require('node:worker_threads');
      const w = new Worker(new URL('./src/data/io/column-worker.js', 'file://' + process.cwd() + '/'), { ...workerOptions() });
      w.on('error', (e) => console.log('worker failed', e.message));
      w.on('online', () => { console.log('worker started'); void w.terminate(); });
    });`;
    const r = spawnSync(process.execPath, ['--expose-gc', '--stack-size=2000', '--max-old-space-size=6000', '--import', 'tsx', '-e', script], { encoding: 'utf8', cwd: new URL('..', import.meta.url).pathname });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('worker started');
  });

  it('lets a worker start in a process run with a raised heap limit', () => {
    const script = `import { Worker } from 'node:worker_threads';
      import { workerOptions } from './src/worker-options.ts';
      const w = new Worker('process.exit(0)', { eval: true, ...workerOptions() });
      w.on('exit', (code) => console.log('worker exited', code));`;
    const r = spawnSync(process.execPath, ['--max-old-space-size=6000', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: new URL('..', import.meta.url).pathname });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('worker exited 0');
  });
});
