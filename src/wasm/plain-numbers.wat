;; A numeric column's plain numbers read from a batch of records (data/io/plain-numbers.ts `PlainNumbers`,
;; for `NumericBuilder.addBatch`). Its JavaScript reference is `plainNumber` (data/types/plain-number.ts)
;; with the trimming of `NumericBuilder.addBytes`; the tests compare the two, bit for bit, on random cells.
;;
;; Each cell of column `column`: a quoted field (start < 0) is left to the reference path; else spaces and
;; tabs are trimmed, an empty cell is missing, and a plain decimal (an optional sign, digits with an optional
;; point, an optional exponent; at most 15 significant digits; a power of ten within 10^±22 once the point is
;; moved) is m × 10^k or m / 10^k, one correctly rounded operation (Clinger's fast path), as `plainNumber`
;; computes it. Anything else is left to the reference path.
;;
;; Memory, laid out by plain-numbers.ts (byte addresses): the powers of ten 10^0 … 10^22 (f64) at 0, what
;; `column` adds up at 192 (64 bytes), the batch's bytes, its starts and ends (i32, `width` per row; offsets into the bytes), then per row the value
;; (f64) and its status (u8): VALUE, SHORT (a value whose trimmed text is at most four bytes), MISSING or
;; REFERENCE.
(module
  (import "env" "memory" (memory 1))

  (global $VALUE i32 (i32.const 0))
  (global $SHORT i32 (i32.const 1))
  (global $MISSING i32 (i32.const 2))
  (global $REFERENCE i32 (i32.const 3))

  ;; The plain number in [s, e) (trimmed, not empty), or NaN when it is not one.
  (func $plain (param $s i32) (param $e i32) (result f64)
    (local $i i32) (local $negative i32) (local $mantissa i64) (local $significant i32) (local $scale i32)
    (local $digits i32) (local $d i32) (local $exponent i32) (local $negativeExponent i32) (local $first i32)
    (local $power i32) (local $value f64) (local $c i32)
    (local.set $i (local.get $s))
    (local.set $c (i32.load8_u (local.get $i)))
    (if (i32.or (i32.eq (local.get $c) (i32.const 45)) (i32.eq (local.get $c) (i32.const 43)))
      (then
        (local.set $negative (i32.eq (local.get $c) (i32.const 45)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))))
    ;; digits before the point
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $e)))
        (local.set $d (i32.sub (i32.load8_u (local.get $i)) (i32.const 48)))
        (br_if $done (i32.gt_u (local.get $d) (i32.const 9)))
        (local.set $digits (i32.const 1))
        (if (i32.or (i64.ne (local.get $mantissa) (i64.const 0)) (i32.ne (local.get $d) (i32.const 0)))
          (then
            (local.set $significant (i32.add (local.get $significant) (i32.const 1)))
            (if (i32.gt_u (local.get $significant) (i32.const 15)) (then (return (f64.const nan))))
            (local.set $mantissa (i64.add (i64.mul (local.get $mantissa) (i64.const 10)) (i64.extend_i32_u (local.get $d))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    ;; the point and the digits after it
    (if (i32.and (i32.lt_u (local.get $i) (local.get $e)) (i32.eq (i32.load8_u (local.get $i)) (i32.const 46)))
      (then
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (block $done
          (loop $next
            (br_if $done (i32.ge_u (local.get $i) (local.get $e)))
            (local.set $d (i32.sub (i32.load8_u (local.get $i)) (i32.const 48)))
            (br_if $done (i32.gt_u (local.get $d) (i32.const 9)))
            (local.set $digits (i32.const 1))
            (local.set $scale (i32.add (local.get $scale) (i32.const 1)))
            (if (i32.or (i64.ne (local.get $mantissa) (i64.const 0)) (i32.ne (local.get $d) (i32.const 0)))
              (then
                (local.set $significant (i32.add (local.get $significant) (i32.const 1)))
                (if (i32.gt_u (local.get $significant) (i32.const 15)) (then (return (f64.const nan))))
                (local.set $mantissa (i64.add (i64.mul (local.get $mantissa) (i64.const 10)) (i64.extend_i32_u (local.get $d))))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $next)))))
    (if (i32.eqz (local.get $digits)) (then (return (f64.const nan))))
    ;; the exponent
    (if (i32.lt_u (local.get $i) (local.get $e))
      (then
        (local.set $c (i32.load8_u (local.get $i)))
        (if (i32.or (i32.eq (local.get $c) (i32.const 101)) (i32.eq (local.get $c) (i32.const 69)))
          (then
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (if (i32.lt_u (local.get $i) (local.get $e))
              (then
                (local.set $c (i32.load8_u (local.get $i)))
                (if (i32.or (i32.eq (local.get $c) (i32.const 45)) (i32.eq (local.get $c) (i32.const 43)))
                  (then
                    (local.set $negativeExponent (i32.eq (local.get $c) (i32.const 45)))
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))))))
            (local.set $first (local.get $i))
            (block $done
              (loop $next
                (br_if $done (i32.ge_u (local.get $i) (local.get $e)))
                (local.set $d (i32.sub (i32.load8_u (local.get $i)) (i32.const 48)))
                (br_if $done (i32.gt_u (local.get $d) (i32.const 9)))
                (local.set $exponent (i32.add (i32.mul (local.get $exponent) (i32.const 10)) (local.get $d)))
                (if (i32.gt_u (local.get $exponent) (i32.const 1000)) (then (return (f64.const nan))))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $next)))
            (if (i32.eq (local.get $i) (local.get $first)) (then (return (f64.const nan))))
            (if (local.get $negativeExponent) (then (local.set $exponent (i32.sub (i32.const 0) (local.get $exponent)))))))))
    (if (i32.ne (local.get $i) (local.get $e)) (then (return (f64.const nan))))
    (local.set $power (i32.sub (local.get $exponent) (local.get $scale)))
    (local.set $value (f64.convert_i64_u (local.get $mantissa)))
    (if (i32.and (i32.ne (local.get $power) (i32.const 0)) (i64.ne (local.get $mantissa) (i64.const 0)))
      (then
        (if (i32.gt_s (local.get $power) (i32.const 0))
          (then
            (if (i32.gt_s (local.get $power) (i32.const 22)) (then (return (f64.const nan))))
            (local.set $value (f64.mul (local.get $value) (f64.load (i32.shl (local.get $power) (i32.const 3))))))
          (else
            (if (i32.lt_s (local.get $power) (i32.const -22)) (then (return (f64.const nan))))
            (local.set $value (f64.div (local.get $value)
              (f64.load (i32.shl (i32.sub (i32.const 0) (local.get $power)) (i32.const 3)))))))))
    (if (result f64) (local.get $negative)
      (then (f64.neg (local.get $value)))
      (else (local.get $value))))

  ;; Column `column` of the `count` records: each row's value (NaN where missing) and status (see the file's
  ;; comment), and what they add up to, at 192: the rows of each status (i32 × 4), the least and the greatest
  ;; value (f64 at 208 and 216, each the first met of its kind, as `x < min` and `x > max` keep them) and
  ;; whether every value is an integer (i32 at 224).
  (func (export "column") (param $bytes i32) (param $starts i32) (param $ends i32) (param $width i32) (param $column i32)
    (param $count i32) (param $values i32) (param $status i32)
    (local $r i32) (local $at i32) (local $s i32) (local $e i32) (local $c i32) (local $x f64) (local $state i32)
    (local $min f64) (local $max f64) (local $integers i32) (local $tally i32)
    (local.set $min (f64.const inf))
    (local.set $max (f64.const -inf))
    (local.set $integers (i32.const 1))
    (memory.fill (i32.const 192) (i32.const 0) (i32.const 16))
    (local.set $at (i32.shl (local.get $column) (i32.const 2)))
    (block $rows_done
      (loop $next_row
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $count)))
        (local.set $s (i32.load (i32.add (local.get $starts) (local.get $at))))
        (local.set $state (global.get $REFERENCE))
        (if (i32.ge_s (local.get $s) (i32.const 0))
          (then
            (local.set $s (i32.add (local.get $bytes) (local.get $s)))
            (local.set $e (i32.add (local.get $bytes) (i32.load (i32.add (local.get $ends) (local.get $at)))))
            ;; trim spaces and tabs
            (block $front
              (loop $more
                (br_if $front (i32.ge_u (local.get $s) (local.get $e)))
                (local.set $c (i32.load8_u (local.get $s)))
                (br_if $front (i32.and (i32.ne (local.get $c) (i32.const 32)) (i32.ne (local.get $c) (i32.const 9))))
                (local.set $s (i32.add (local.get $s) (i32.const 1)))
                (br $more)))
            (block $back
              (loop $more
                (br_if $back (i32.le_u (local.get $e) (local.get $s)))
                (local.set $c (i32.load8_u (i32.sub (local.get $e) (i32.const 1))))
                (br_if $back (i32.and (i32.ne (local.get $c) (i32.const 32)) (i32.ne (local.get $c) (i32.const 9))))
                (local.set $e (i32.sub (local.get $e) (i32.const 1)))
                (br $more)))
            (if (i32.eq (local.get $s) (local.get $e))
              (then
                (local.set $state (global.get $MISSING))
                (f64.store (i32.add (local.get $values) (i32.shl (local.get $r) (i32.const 3))) (f64.const nan)))
              (else
                (local.set $x (call $plain (local.get $s) (local.get $e)))
                (if (f64.eq (local.get $x) (local.get $x))
                  (then
                    (f64.store (i32.add (local.get $values) (i32.shl (local.get $r) (i32.const 3))) (local.get $x))
                    (if (f64.lt (local.get $x) (local.get $min)) (then (local.set $min (local.get $x))))
                    (if (f64.gt (local.get $x) (local.get $max)) (then (local.set $max (local.get $x))))
                    (if (f64.ne (f64.trunc (local.get $x)) (local.get $x)) (then (local.set $integers (i32.const 0))))
                    (local.set $state
                      (select (global.get $SHORT) (global.get $VALUE)
                        (i32.le_u (i32.sub (local.get $e) (local.get $s)) (i32.const 4))))))))))
        (i32.store8 (i32.add (local.get $status) (local.get $r)) (local.get $state))
        (local.set $tally (i32.add (i32.const 192) (i32.shl (local.get $state) (i32.const 2))))
        (i32.store (local.get $tally) (i32.add (i32.load (local.get $tally)) (i32.const 1)))
        (local.set $at (i32.add (local.get $at) (i32.shl (local.get $width) (i32.const 2))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $next_row)))
    (f64.store (i32.const 208) (local.get $min))
    (f64.store (i32.const 216) (local.get $max))
    (i32.store (i32.const 224) (local.get $integers)))
)
