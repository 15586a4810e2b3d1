/**
 * The layout's own checks (issue 24): no import cycle among the sources (type-only imports aside: they
 * vanish at run time), and no source file over 500 lines.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', 'src');
const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
  .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
  .map((f) => join(SRC, f));

/** The relative modules a file imports at run time (`import type` and `export type` left out). */
function valueImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.[^'"]+)['"]/gm)) {
    if (m[2]) continue;
    out.push(resolve(dirname(file), m[3]!));
  }
  // import('./x.ts') loaded when a command runs counts too
  for (const m of text.matchAll(/import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) out.push(resolve(dirname(file), m[1]!));
  return out;
}

/** Every cycle's files, as found by a depth-first walk. */
function cycles(): string[][] {
  const graph = new Map(files.map((f) => [f, valueImports(f).filter((to) => files.includes(to))]));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const to of graph.get(f)!) {
      if (state.get(to) === 'open') found.push(stack.slice(stack.indexOf(to)).concat(to).map((p) => relative(SRC, p)));
      else if (!state.has(to)) visit(to);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of files) if (!state.has(f)) visit(f);
  return found;
}

describe('the source layout', () => {
  it('finds the imports it checks (the walk is not vacuous)', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(valueImports(join(SRC, 'scoring', 'chunk-scoring.ts')).map((p) => relative(SRC, p))).toContain(join('scoring', 'fast', 'byte-scorer.ts'));
    expect(valueImports(join(SRC, 'scoring', 'fast', 'model-cells.ts')).map((p) => relative(SRC, p))).not.toContain(join('scoring', 'fast', 'plan.ts')); // a type-only import
  });

  it('has no import cycle', () => {
    expect(cycles()).toEqual([]);
  });

  it('has no source file over 500 lines', () => {
    const long = files.map((f) => [relative(SRC, f), readFileSync(f, 'utf8').split('\n').length - 1] as const).filter(([, n]) => n > 500);
    expect(long).toEqual([]);
  });
});
