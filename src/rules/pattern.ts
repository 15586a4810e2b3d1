/**
 * The `matches` operator's regular expressions, matched in linear time (RE2's algorithm, `re2js`): a rule
 * file comes from a marketing team and values from web forms, so a pattern such as `^(a+)+$` on a long
 * value must not hang nightly scoring, as JavaScript's backtracking engine would. Case is ignored, as for
 * every text comparison. RE2 has no lookarounds or back-references: such a pattern is refused when the
 * rule file is read.
 */
import { RE2JS } from 're2js';

export interface Pattern {
  /** True when the pattern matches somewhere in `text` (as `RegExp.test` would). */
  test(text: string): boolean;
}

/**
 * Compiles a `matches` value; throws with RE2's reason when it is not a pattern RE2 takes.
 *
 * @example
 * compilePattern('^(vp|chief)').test('Chief Revenue Officer'); // true
 */
export function compilePattern(source: string): Pattern {
  const re = RE2JS.compile(source, RE2JS.CASE_INSENSITIVE);
  return { test: (text) => re.matcher(text).find() };
}
