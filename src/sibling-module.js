// The worker entries are plain JavaScript, started either from the sources (TypeScript beside them, run
// through tsx's loader: tests, `LEADSCORE_SOURCES=1`) or from the built package (dist/, JavaScript only).
// They load the module they run from the tree they sit in: `name.ts` where it exists, else `name.js`.
// Which one is decided by the files present, not by a failure, so nothing falls back silently.
import { existsSync } from 'node:fs';

let registered = false;

/** Imports the sibling module `name` of the file at `base` (an import.meta.url). */
export async function importSibling(base, name) {
  const source = new URL(`./${name}.ts`, base);
  if (existsSync(source)) {
    if (!registered) {
      const { register } = await import('tsx/esm/api');
      register();
      registered = true;
    }
    return import(source.href);
  }
  return import(new URL(`./${name}.js`, base).href);
}
