/**
 * A count written with thousands separators, as `n.toLocaleString('en-US')` writes it ("1,234,567"), without
 * that call's cost: its first use loads ICU's number formatting, ~20 ms of every command that printed a
 * count (BENCHMARKS.md, session 22). Integers only; anything else (fractions, −0, beyond 2^53) is left to
 * `toLocaleString`. Part of the shared base: imports nothing.
 *
 * @example
 * thousands(1234567); // '1,234,567'
 */
export function thousands(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let head = digits.length % 3 || 3;
  let text = digits.slice(0, head);
  for (; head < digits.length; head += 3) text += `,${digits.slice(head, head + 3)}`;
  return n < 0 ? `-${text}` : text;
}
