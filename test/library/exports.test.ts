/**
 * Every value the package exports (functions, classes, constants) carries a TSDoc comment with an
 * `@example`, read from the sources with the TypeScript compiler: the library's reference is its comments.
 */
import { resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const INDEX = resolve(import.meta.dirname, '..', '..', 'src', 'index.ts');

describe('the public API', () => {
  it('documents every exported value with an example', () => {
    const program = ts.createProgram([INDEX], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, allowImportingTsExtensions: true, noEmit: true, strict: true });
    const checker = program.getTypeChecker();
    const index = checker.getSymbolAtLocation(program.getSourceFile(INDEX)!)!;
    const missing: string[] = [];
    let values = 0;
    for (const exported of checker.getExportsOfModule(index)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      if (!(symbol.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Class | ts.SymbolFlags.Variable))) continue; // types document themselves by their fields
      values++;
      const tags = symbol.getJsDocTags(checker);
      const documented = symbol.getDocumentationComment(checker).length > 0 || tags.length > 0;
      if (!documented || !tags.some((t) => t.name === 'example')) missing.push(exported.name);
    }
    expect(values).toBeGreaterThan(60);
    expect(missing).toEqual([]);
  }, 60_000);
});
