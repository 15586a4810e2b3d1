/**
 * arquero (with acorn and flechette, which it imports), loaded when a table is first needed rather than
 * when the modules that make tables are: the byte scorer never makes one, and loading it cost every
 * `leadscore score` about 40 ms of start-up (BENCHMARKS.md, session 18). Whatever makes a table is reached
 * through an async entry that awaits `loadArquero` first (the dataset readers, the table path of scoring,
 * every command but `score`, the library's entry); a table asked for before is an internal error, never a
 * silent fallback.
 */
import type * as Arquero from 'arquero';

let loaded: typeof Arquero | undefined;

/** Loads arquero once; later calls return at once. */
export async function loadArquero(): Promise<typeof Arquero> {
  loaded ??= await import('arquero');
  return loaded;
}

/** arquero, loaded by `loadArquero` before. */
export function arquero(): typeof Arquero {
  if (!loaded) throw new Error('internal: a table was asked for before arquero was loaded (await loadArquero() first)');
  return loaded;
}

/** Whether arquero is loaded (the table path of scoring then needs no await). */
export function arqueroLoaded(): boolean {
  return loaded !== undefined;
}
