// The command line as a few bundled files (esbuild), for start-up: a `leadscore score` spent about 0.3 s
// loading ~90 compiled modules and the packages they import (zod, arquero, yaml, …) one file at a time; the
// same code bundled loads in about half that (BENCHMARKS.md, session 12). The bundle is made from the
// compiled JavaScript in dist/ (not from the TypeScript), so it is the same code: esbuild only joins the
// files. Each command stays a chunk of its own, loaded when it runs, as the unbundled command lines import
// their modules when they run.
//
// What is not joined: packages outside BUNDLED (native ones such as DuckDB, TensorFlow.js, the chart
// libraries, which load only where needed), and the worker entries and WebAssembly binaries, which the code
// finds beside its own file. For those, every `import.meta.url` in a bundled module is rewritten to the URL
// of the module's own file in dist/, so `new URL('./shap-worker.js', import.meta.url)` still names
// dist/models/gbdt/shap-worker.js and workers start from dist/ as before.
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Packages (and the packages they import) joined into the bundle: pure JavaScript, loaded by most commands. */
export const BUNDLED = ['commander', 'zod', 'yaml', 're2js', 'arquero', '@uwdata/flechette', 'acorn', 'cli-progress', 'string-width', 'strip-ansi', 'ansi-regex', 'emoji-regex', 'is-fullwidth-code-point'];

/** The package name of a bare import (`zod/v4/core` → `zod`, `@uwdata/flechette/x` → `@uwdata/flechette`). */
function packageOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Bundles `<dist>/cli/main.js` into `<dist>/cli-bundle/` (main.js and its chunks); the package's other
 * files in `dist` are left as they are.
 */
export async function bundleCli(dist) {
  const { build } = await import('esbuild');
  const outdir = join(dist, 'cli-bundle');
  const ownFiles = {
    name: 'leadscore-dist',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('node:')) return { external: true };
        return BUNDLED.includes(packageOf(args.path)) ? undefined : { external: true };
      });
      // A module of dist/ keeps its own import.meta.url: the URL of its file, from the chunk's own.
      b.onLoad({ filter: /\.js$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        if (!args.path.startsWith(dist) || !source.includes('import.meta.url')) return undefined;
        const own = relative(outdir, args.path).split('\\').join('/');
        return { contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(own)}, import.meta.url).href`), loader: 'js', resolveDir: dirname(args.path) };
      });
    },
  };
  await build({
    entryPoints: [join(dist, 'cli', 'main.js')],
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // A CommonJS package bundled here (yaml's `require('process')`) gets Node's `require`.
    banner: { js: "import { createRequire as __leadscoreRequire } from 'node:module'; const require = __leadscoreRequire(import.meta.url);" },
    legalComments: 'eof',
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
    plugins: [ownFiles],
  });
  return pathToFileURL(join(outdir, 'main.js'));
}
