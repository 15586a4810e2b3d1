// The command line as one bundled CommonJS file (esbuild), for start-up: a `leadscore score` spent about
// 0.3 s loading ~90 compiled modules and the packages they import (zod, arquero, yaml, …) one file at a time;
// the same code bundled loads in about half that (BENCHMARKS.md, session 12). One CommonJS file because
// Node.js 20 keeps a V8 code cache only for a script (`vm.Script`), not for an ES module: the build then
// runs it once and saves what it compiled (scripts/code-cache.mjs), and bin/cli-loader.js starts from that
// (BENCHMARKS.md, session 21). The bundle is made from the compiled JavaScript in dist/ (not from the
// TypeScript), so it is the same code: esbuild only joins the files. A module the command lines import when
// a command runs (`await import(...)`) stays unevaluated until then, as before.
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
 * Bundles `<dist>/cli/main.js` into `<dist>/cli-bundle/main.cjs`; the package's other files in `dist` are
 * left as they are.
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
      // A module of dist/ keeps its own import.meta.url: the URL of its file, from the bundle's own. Its
      // import() of what stays outside the bundle goes through the loader's `__leadscoreImport` (a script has
      // no import() of its own without an experimental flag); import() of its own modules and of BUNDLED
      // packages esbuild joins in as before.
      b.onLoad({ filter: /\.js$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        if (!args.path.startsWith(dist)) return undefined;
        const own = relative(outdir, args.path).split('\\').join('/');
        const contents = source.replaceAll('import.meta.url', `new URL(${JSON.stringify(own)}, __leadscoreBundleUrl).href`)
          .replace(/\bimport\((?=\s*(?:(['"`])([^'"`]*)\1)?)/g, (call, _quote, specifier) => (specifier !== undefined && (specifier.startsWith('.') || BUNDLED.includes(packageOf(specifier))) ? call : '__leadscoreImport('));
        return contents === source ? undefined : { contents, loader: 'js', resolveDir: dirname(args.path) };
      });
    },
  };
  await build({
    entryPoints: [join(dist, 'cli', 'main.js')],
    outfile: join(outdir, 'main.cjs'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // The bundle's own URL, from which each module's import.meta.url is made (above).
    banner: { js: "const __leadscoreBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    legalComments: 'eof',
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
    plugins: [ownFiles],
  });
  await assertAscii(join(outdir, 'main.cjs'));
  return pathToFileURL(join(outdir, 'main.cjs'));
}

/**
 * The bundle must be ASCII: esbuild escapes other characters in strings and names, but not in a regular
 * expression literal (write `\u2013`, not the dash itself). One such character makes V8 hold the whole
 * 1.5 MB source as a two-byte string, which cost every start ~11 ms to decode and to check against the code
 * cache (BENCHMARKS.md, session 22); the build fails instead, naming where.
 */
async function assertAscii(file) {
  const bytes = await readFile(file);
  const at = bytes.findIndex((b) => b > 0x7f);
  if (at >= 0) {
    const context = bytes.subarray(Math.max(0, at - 80), at + 20).toString('utf8');
    throw new Error(`${file} holds a character beyond ASCII at byte ${at} (write it as an escape in the source): …${context}…`);
  }
}
