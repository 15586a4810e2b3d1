/**
 * arquero (with acorn and flechette, which it imports), loaded when a table is first needed rather than
 * when the modules that make tables are: the byte scorer never makes one, and loading it cost every
 * `leadscore score` about 30 ms of start-up (BENCHMARKS.md, session 18). The async entries that make tables
 * (the dataset readers, the table path of scoring, every command but `score`) await `loadArquero` first,
 * which in the command line loads the bundle's copy; a synchronous call before any of them (a library user
 * calling `applySchema` first, say) loads the package with `require` (an ES module without top-level await,
 * which Node ≥ 20.19 requires synchronously). The library's entry has no top-level await of its own, so
 * CommonJS callers (tslab's notebooks) can `require` it.
 */
import { createRequire } from 'node:module';
import type * as Arquero from 'arquero';

let loaded: typeof Arquero | undefined;

/** Loads arquero once; later calls return at once. */
export async function loadArquero(): Promise<typeof Arquero> {
  loaded ??= await import('arquero');
  return loaded;
}

/** arquero: the copy `loadArquero` loaded, else the package, loaded now. */
export function arquero(): typeof Arquero {
  loaded ??= createRequire(import.meta.url)('arquero') as typeof Arquero;
  return loaded;
}

/** Whether arquero is loaded (the table path of scoring then needs no await). */
export function arqueroLoaded(): boolean {
  return loaded !== undefined;
}
