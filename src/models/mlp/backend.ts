/**
 * TensorFlow.js and its backend, chosen at run time: `@tensorflow/tfjs-node` (native TensorFlow) when it
 * loads — it is an optional dependency whose install downloads libtensorflow, which fails offline and is
 * skipped where npm runs no install scripts, so it is usually absent —, else the WebAssembly backend (its
 * `.wasm` files read from node_modules, nothing fetched), else the plain JavaScript `cpu` backend.
 * `backend` forces one: a forced backend that cannot load is an error, never a silent substitute. Which
 * backend ran is returned, said in one info line when tfjs-node is absent, and recorded by the caller.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ConfigError } from '../../errors.ts';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type Tf = typeof import('@tensorflow/tfjs');

const require = createRequire(import.meta.url);

/** What `--param mlp.backend=` accepts: `auto` (tfjs-node, else wasm, else cpu) or one of them by name. */
export const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKENDS)[number];

/**
 * Loads tfjs with the chosen backend.
 *
 * @example
 * const { tf, backend, note } = await loadTf('auto'); // backend 'wasm', note 'tfjs-node is not installed: …'
 */
export async function loadTf(choice: BackendChoice = 'auto', options: { tfjsNode?: () => Promise<unknown> } = {}): Promise<{ tf: Tf; backend: BackendName; note?: string }> {
  const tf = await import('@tensorflow/tfjs');
  let note: string | undefined;
  if (choice === 'auto' || choice === 'tensorflow') {
    try {
      // The native binding registers the `tensorflow` backend with this tfjs when it loads.
      await (options.tfjsNode ?? (() => import('@tensorflow/tfjs-node' as string)))();
      if (await tf.setBackend('tensorflow')) return { tf, backend: 'tensorflow' };
      throw new Error('its backend did not register');
    } catch (err) {
      const why = `@tensorflow/tfjs-node cannot load (${(err as Error).message.split('\n')[0]})`;
      if (choice === 'tensorflow') throw new ConfigError('BACKEND_UNAVAILABLE', why, 'install it with its native binary (npm install @tensorflow/tfjs-node, with install scripts allowed), or use --param mlp.backend=wasm');
      note = `${why}: the mlp runs on the WebAssembly backend`;
    }
  }
  if (choice === 'auto' || choice === 'wasm') {
    try {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        return { tf, backend: 'wasm', ...(note ? { note } : {}) };
      }
      throw new Error('its backend did not register');
    } catch (err) {
      if (choice === 'wasm') throw new ConfigError('BACKEND_UNAVAILABLE', `the WebAssembly backend cannot load (${(err as Error).message})`, 'use --param mlp.backend=cpu');
      note = `${note ?? ''}${note ? '; ' : ''}the WebAssembly backend cannot load (${(err as Error).message}): the mlp runs on the cpu backend`;
    }
  }
  if (!(await tf.setBackend('cpu'))) throw new ConfigError('BACKEND_UNAVAILABLE', 'no TensorFlow.js backend loads', 'reinstall @tensorflow/tfjs');
  await tf.ready();
  // The cpu backend greets its first use in Node on stdout (where `--json` output goes): the choice is said by `note` instead.
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  return { tf, backend: 'cpu', ...(note ? { note } : {}) };
}
