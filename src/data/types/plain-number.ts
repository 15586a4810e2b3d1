/**
 * A decimal number read straight from a cell's bytes, for the columnar reader's fast path. Only the plain
 * form is read: an optional sign, digits with an optional point (at least one digit), an optional exponent,
 * at most 15 significant digits, and a power of ten within 10^±22 once the point is moved. Then the digits
 * are an integer m < 2^53 and 10^k is exact, so m × 10^k or m / 10^k is one correctly rounded operation
 * (Clinger's fast path): the same double `Number(text)` gives, bit for bit (tested against it). Anything
 * else answers NaN, and the caller reads the cell the reference way.
 *
 * @example
 * plainNumber(Buffer.from('-12.50'), 0, 6); // -12.5
 * plainNumber(Buffer.from('1e400'), 0, 5); // NaN: not the plain form, read by Number()
 */
export function plainNumber(b: Uint8Array, start: number, end: number): number {
  let i = start;
  let negative = false;
  if (i < end && (b[i] === MINUS || b[i] === PLUS)) negative = b[i++] === MINUS;
  let mantissa = 0;
  let significant = 0;
  let scale = 0;
  let digits = false;
  for (; i < end; i++) {
    const d = b[i]! - ZERO;
    if (d < 0 || d > 9) break;
    digits = true;
    if (mantissa !== 0 || d !== 0) {
      if (++significant > MAX_SIGNIFICANT) return Number.NaN;
      mantissa = mantissa * 10 + d;
    }
  }
  if (i < end && b[i] === POINT) {
    for (i++; i < end; i++) {
      const d = b[i]! - ZERO;
      if (d < 0 || d > 9) break;
      digits = true;
      scale++;
      if (mantissa !== 0 || d !== 0) {
        if (++significant > MAX_SIGNIFICANT) return Number.NaN;
        mantissa = mantissa * 10 + d;
      }
    }
  }
  if (!digits) return Number.NaN;
  let exponent = 0;
  if (i < end && (b[i] === LOWER_E || b[i] === UPPER_E)) {
    i++;
    let negativeExponent = false;
    if (i < end && (b[i] === MINUS || b[i] === PLUS)) negativeExponent = b[i++] === MINUS;
    const first = i;
    for (; i < end; i++) {
      const d = b[i]! - ZERO;
      if (d < 0 || d > 9) break;
      exponent = exponent * 10 + d;
      if (exponent > 1000) return Number.NaN;
    }
    if (i === first) return Number.NaN;
    if (negativeExponent) exponent = -exponent;
  }
  if (i !== end) return Number.NaN;
  const power = exponent - scale;
  let value: number;
  if (power === 0 || mantissa === 0) value = mantissa;
  else if (power > 0 && power <= 22) value = mantissa * POWERS_OF_TEN[power]!;
  else if (power < 0 && power >= -22) value = mantissa / POWERS_OF_TEN[-power]!;
  else return Number.NaN;
  return negative ? -value : value;
}

/**
 * Whether a numeric column's cells may be read from their bytes (the columnar reader's
 * `NumericBuilder.addBytes`, the byte scorer's `CellTables.plainNumbers`): not with a decimal comma, only
 * where an empty cell is missing, and not where a missing-value token could pass for a number or an empty
 * cell (`--na -999`, say): those columns read every cell as text.
 */
export function plainBytesReadable(decimalComma: boolean, tokens: ReadonlySet<string>): boolean {
  return !decimalComma && tokens.has('') && [...tokens].every((t) => t === '' || /[^0-9+\-.eE \t]/.test(t));
}

const MAX_SIGNIFICANT = 15;
const ZERO = 48;
const MINUS = 45;
const PLUS = 43;
const POINT = 46;
const LOWER_E = 101;
const UPPER_E = 69;
/** 10^0 … 10^22, each exact in a double. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
