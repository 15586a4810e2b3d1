;; The byte path's CSV rows without reasons, notes, codes or kept columns (scoring/fast/row-writer.ts
;; `RowWriter`): `decide` numbers each row's two decision segments as decisions.ts `DecisionSegments.decide`
;; does, and `write` writes the rows from what the cell scan left in its memory — this module runs on that memory
;; (cell-tables.ts): the chunk and each row's id span — and what the JavaScript gives per chunk: each row's
;; probability and its two decision segments. A row is its id's bytes as they are, `,` and the probability as
;; `Number(p.toFixed(6))` writes it, `,` and the score as `Math.round(p * 1000) / 10` does, then the row's tail
;; (its decision columns, the empty reasons field and the line feed: decisions.ts `csvTail`). Its reference
;; is writer.ts (`writeId`, `ByteSink.scoreRow`); the tests compare the two on random ids and probabilities.
;;
;; A row it does not write as that reference would is left to it: an id it would not copy as it is (quoted
;; inside, a byte other than printable ASCII, a quote or a comma, a formula's first character, a missing-value
;; token's spelling), a probability whose text `toFixed` decides (outside (0, 1), rounding to 0 or 1, near a
;; tie), a pair of segments without a tail here yet. It stops there (STOP_ROW), or where the output has no
;; room for another row (STOP_FULL).
;;
;; Memory: the cell scan's header (cell-scan.wat: word 0 the chunk, words 2 and 3 the id spans of the rows it
;; scanned, the only rows given here; and its length masks at 32–63); this module writes only its output and,
;; at 20 and 24, where it stopped. Its tables, laid out by row-writer.ts in the region the cell tables keep
;; for it (moved, with what it holds, when they grow):
;;   tokens   for each length 0-16 two i32 (at 8 x length): the first of its tokens and how many, then from
;;            256 a token per 32 bytes, by length: its length (i32), and at +16 its bytes (at most sixteen)
;;   pairs    i32 per pair of segments (first × stride + second): its tail's number + 1, 0 for none yet
;;   tails    per tail two i32: where its bytes are (from `tails`) and their length
;;   keys     i32 per key of the first segment (tier x 8 + grade x 2 + disqualified): its segment's number + 1
;;   seconds  i32 per rule score 0-100 (101: disqualified, decisions.ts DISQUALIFIED): the second segment's number + 1
;; and per chunk the rows' keys counted (`counts`, i32 per key) and listed in the order they first appear
;; (`order`: how many, then the keys).
(module
  (import "env" "memory" (memory 1))

  (global $DONE i32 (i32.const 0))
  (global $STOP_ROW i32 (i32.const 1))
  (global $STOP_FULL i32 (i32.const 2))

  ;; Writes rows `row` … n − 1 into [out, outEnd): returns the row it stopped at (n when done), with at 20 the
  ;; end of what it wrote and at 24 why it stopped (DONE, STOP_ROW or STOP_FULL). `probs` (f64), `first` and
  ;; `second` (i32) hold a value per row of the chunk.
  (func (export "write") (param $row i32) (param $n i32) (param $probs i32) (param $first i32) (param $second i32)
    (param $tokens i32) (param $pairs i32) (param $stride i32) (param $tails i32) (param $out i32) (param $outEnd i32) (result i32)
    (local $chunk i32) (local $s i32) (local $e i32) (local $len i32) (local $k i32) (local $b i32) (local $t i32)
    (local $tail i32) (local $tailAt i32) (local $tailLen i32) (local $f i32) (local $g i32) (local $end i32)
    (local $p f64) (local $x f64) (local $fl f64) (local $digits i32) (local $m i32) (local $whole i32) (local $v v128)
    (local.set $chunk (i32.load (i32.const 0)))
    (block $stop
      (loop $next_row
        (if (i32.ge_u (local.get $row) (local.get $n))
          (then (return (call $stopped (global.get $DONE) (local.get $row) (local.get $out)))))
        ;; the row's tail: its pair of segments' (a pair without one: the JavaScript's)
        (local.set $f (i32.load (i32.add (local.get $first) (i32.shl (local.get $row) (i32.const 2)))))
        (local.set $g (i32.load (i32.add (local.get $second) (i32.shl (local.get $row) (i32.const 2)))))
        (br_if $stop (i32.or (i32.ge_u (local.get $f) (local.get $stride)) (i32.ge_u (local.get $g) (local.get $stride))))
        (local.set $tail (i32.load (i32.add (local.get $pairs)
          (i32.shl (i32.add (i32.mul (local.get $f) (local.get $stride)) (local.get $g)) (i32.const 2)))))
        (br_if $stop (i32.eqz (local.get $tail)))
        (local.set $tail (i32.add (local.get $tails) (i32.shl (i32.sub (local.get $tail) (i32.const 1)) (i32.const 3))))
        (local.set $tailAt (i32.add (local.get $tails) (i32.load (local.get $tail))))
        (local.set $tailLen (i32.load offset=4 (local.get $tail)))
        ;; the id's text: the field, or inside its quotes
        (local.set $s (i32.add (local.get $chunk) (i32.load (i32.add (i32.load (i32.const 8)) (i32.shl (local.get $row) (i32.const 2))))))
        (local.set $e (i32.add (local.get $chunk) (i32.load (i32.add (i32.load (i32.const 12)) (i32.shl (local.get $row) (i32.const 2))))))
        (if (i32.and (i32.ge_s (i32.sub (local.get $e) (local.get $s)) (i32.const 2))
              (i32.and (i32.eq (i32.load8_u (local.get $s)) (i32.const 34))
                (i32.eq (i32.load8_u (i32.sub (local.get $e) (i32.const 1))) (i32.const 34))))
          (then
            (local.set $s (i32.add (local.get $s) (i32.const 1)))
            (local.set $e (i32.sub (local.get $e) (i32.const 1)))))
        (local.set $len (i32.sub (local.get $e) (local.get $s)))
        ;; room for the id, `,0.dddddd,100.0` (16 bytes) and the tail, copied sixteen bytes at a time
        (if (i32.gt_u (i32.add (i32.add (local.get $out) (i32.add (local.get $len) (local.get $tailLen))) (i32.const 64)) (local.get $outEnd))
          (then (return (call $stopped (global.get $STOP_FULL) (local.get $row) (local.get $out)))))
        ;; a missing-value token's spelling (`spellsToken`: the tokens of the id's length), then a formula's
        ;; first character (`startsFormula`)
        (if (i32.le_u (local.get $len) (i32.const 16))
          (then
            (local.set $t (i32.add (i32.add (local.get $tokens) (i32.const 256))
              (i32.shl (i32.load (i32.add (local.get $tokens) (i32.shl (local.get $len) (i32.const 3)))) (i32.const 5))))
            (local.set $k (i32.load offset=4 (i32.add (local.get $tokens) (i32.shl (local.get $len) (i32.const 3)))))
            (block $no_token
              (loop $next_token
                (br_if $no_token (i32.eqz (local.get $k)))
                (br_if $stop (i32.eqz (v128.any_true (v128.xor (v128.load offset=16 (local.get $t))
                  (v128.and (v128.load align=1 (local.get $s)) (v128.load align=1 (i32.sub (i32.const 48) (local.get $len))))))))
                (local.set $t (i32.add (local.get $t) (i32.const 32)))
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (br $next_token)))))
        (local.set $b (i32.load8_u (local.get $s)))
        (br_if $stop (i32.or (i32.or (i32.or (i32.eq (local.get $b) (i32.const 61)) (i32.eq (local.get $b) (i32.const 43)))
            (i32.or (i32.eq (local.get $b) (i32.const 45)) (i32.eq (local.get $b) (i32.const 64))))
          (i32.or (i32.eq (local.get $b) (i32.const 9)) (i32.eq (local.get $b) (i32.const 13)))))
        ;; every byte printable ASCII (33-126), neither quote nor comma: sixteen at a time, the last block's bytes
        ;; past the id masked off
        (local.set $k (local.get $s))
        (block $plain
          (loop $next_block
            (br_if $plain (i32.ge_u (local.get $k) (local.get $e)))
            (local.set $v (v128.load align=1 (local.get $k)))
            (br_if $stop (v128.any_true (v128.and
              (v128.load align=1 (i32.sub (i32.const 48)
                (select (i32.const 16) (i32.sub (local.get $e) (local.get $k)) (i32.gt_u (i32.sub (local.get $e) (local.get $k)) (i32.const 16)))))
              (v128.or
                (v128.or (i8x16.le_u (local.get $v) (i8x16.splat (i32.const 32))) (i8x16.ge_u (local.get $v) (i8x16.splat (i32.const 127))))
                (v128.or (i8x16.eq (local.get $v) (i8x16.splat (i32.const 34))) (i8x16.eq (local.get $v) (i8x16.splat (i32.const 44))))))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $next_block)))
        ;; the probability: `Number(p.toFixed(6))` as writer.ts `probabilityDigits` writes it, for p in (0, 1)
        ;; not near a tie (there Math.round(x) is floor(x) + 1 when x - floor(x) >= 0.5, the difference exact)
        (local.set $p (f64.load (i32.add (local.get $probs) (i32.shl (local.get $row) (i32.const 3)))))
        (br_if $stop (i32.eqz (i32.and (f64.gt (local.get $p) (f64.const 0)) (f64.lt (local.get $p) (f64.const 1)))))
        (local.set $x (f64.mul (local.get $p) (f64.const 1e6)))
        (local.set $fl (f64.floor (local.get $x)))
        (br_if $stop (f64.lt (f64.abs (f64.sub (f64.sub (local.get $x) (local.get $fl)) (f64.const 0.5))) (f64.const 1e-6)))
        (local.set $digits (i32.trunc_f64_u (local.get $fl)))
        (if (f64.ge (f64.sub (local.get $x) (local.get $fl)) (f64.const 0.5))
          (then (local.set $digits (i32.add (local.get $digits) (i32.const 1)))))
        (br_if $stop (i32.or (i32.eqz (local.get $digits)) (i32.eq (local.get $digits) (i32.const 1000000))))
        ;; the id, sixteen bytes at a time (the chunk and the output have room past their ends)
        (local.set $k (i32.const 0))
        (block $copied
          (loop $next_block
            (br_if $copied (i32.ge_u (local.get $k) (local.get $len)))
            (v128.store align=1 (i32.add (local.get $out) (local.get $k)) (v128.load align=1 (i32.add (local.get $s) (local.get $k))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $next_block)))
        (local.set $out (i32.add (local.get $out) (local.get $len)))
        ;; `,0.` and six digits, trailing zeros dropped
        (i32.store8 (local.get $out) (i32.const 44))
        (i32.store8 offset=1 (local.get $out) (i32.const 48))
        (i32.store8 offset=2 (local.get $out) (i32.const 46))
        (local.set $k (i32.const 8))
        (loop $next_digit
          (i32.store8 (i32.add (local.get $out) (local.get $k)) (i32.add (i32.const 48) (i32.rem_u (local.get $digits) (i32.const 10))))
          (local.set $digits (i32.div_u (local.get $digits) (i32.const 10)))
          (local.set $k (i32.sub (local.get $k) (i32.const 1)))
          (br_if $next_digit (i32.ge_u (local.get $k) (i32.const 3))))
        (local.set $end (i32.add (local.get $out) (i32.const 9)))
        (block $trimmed
          (loop $trim
            (br_if $trimmed (i32.ne (i32.load8_u (i32.sub (local.get $end) (i32.const 1))) (i32.const 48)))
            (local.set $end (i32.sub (local.get $end) (i32.const 1)))
            (br $trim)))
        (local.set $out (local.get $end))
        ;; `,` and the score: Math.round(p * 1000) (half up, as above) as tenths of a point
        (local.set $x (f64.mul (local.get $p) (f64.const 1000)))
        (local.set $fl (f64.floor (local.get $x)))
        (local.set $m (i32.trunc_f64_u (local.get $fl)))
        (if (f64.ge (f64.sub (local.get $x) (local.get $fl)) (f64.const 0.5))
          (then (local.set $m (i32.add (local.get $m) (i32.const 1)))))
        (local.set $whole (i32.div_u (local.get $m) (i32.const 10)))
        (i32.store8 (local.get $out) (i32.const 44))
        (local.set $out (i32.add (local.get $out) (i32.const 1)))
        (if (i32.ge_u (local.get $whole) (i32.const 100))
          (then
            (i32.store8 (local.get $out) (i32.add (i32.const 48) (i32.div_u (local.get $whole) (i32.const 100))))
            (local.set $out (i32.add (local.get $out) (i32.const 1)))))
        (if (i32.ge_u (local.get $whole) (i32.const 10))
          (then
            (i32.store8 (local.get $out) (i32.add (i32.const 48) (i32.rem_u (i32.div_u (local.get $whole) (i32.const 10)) (i32.const 10))))
            (local.set $out (i32.add (local.get $out) (i32.const 1)))))
        (i32.store8 (local.get $out) (i32.add (i32.const 48) (i32.rem_u (local.get $whole) (i32.const 10))))
        (local.set $out (i32.add (local.get $out) (i32.const 1)))
        (local.set $m (i32.sub (local.get $m) (i32.mul (local.get $whole) (i32.const 10))))
        (if (local.get $m)
          (then
            (i32.store8 (local.get $out) (i32.const 46))
            (i32.store8 offset=1 (local.get $out) (i32.add (i32.const 48) (local.get $m)))
            (local.set $out (i32.add (local.get $out) (i32.const 2)))))
        ;; the tail
        (local.set $k (i32.const 0))
        (block $tail_copied
          (loop $next_tail_block
            (br_if $tail_copied (i32.ge_u (local.get $k) (local.get $tailLen)))
            (v128.store align=1 (i32.add (local.get $out) (local.get $k)) (v128.load align=1 (i32.add (local.get $tailAt) (local.get $k))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $next_tail_block)))
        (local.set $out (i32.add (local.get $out) (local.get $tailLen)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $next_row)))
    (call $stopped (global.get $STOP_ROW) (local.get $row) (local.get $out)))

  ;; Each row's two decision segments (`first`, `second`: i32 per row), from rows `row` ... n - 1: the model
  ;; tier of its probability (`probs`, f64: hot from `threshold` up, warm from `baseRate`, else cold) and, with
  ;; rules (`rules` = 1), the grade of its fit points (`fit`, f64, against the grades' points `a`, `b`, `c`), its
  ;; rule score (`score`, f64, an integer 0-100) and whether it is disqualified (`dq`, u8); without rules the
  ;; key is the tier's and the second segment the one at 0. Counts the rows of each key (`counts`) and lists
  ;; the keys in the order they first appear (`order`). Returns the row it stopped at: n, or a row whose key or
  ;; rule score has no segment yet, with that key at 20 and that score at 24 (the JavaScript makes their
  ;; segments, then calls again from that row).
  (func (export "decide") (param $row i32) (param $n i32) (param $probs i32) (param $fit i32) (param $score i32) (param $dq i32)
    (param $first i32) (param $second i32) (param $keys i32) (param $seconds i32) (param $counts i32) (param $order i32)
    (param $threshold f64) (param $baseRate f64) (param $rules i32) (param $a f64) (param $b f64) (param $c f64) (result i32)
    (local $p f64) (local $x f64) (local $key i32) (local $at i32) (local $d i32) (local $f i32) (local $g i32) (local $seen i32)
    (block $stop
      (loop $next_row
        (br_if $stop (i32.ge_u (local.get $row) (local.get $n)))
        (local.set $p (f64.load (i32.add (local.get $probs) (i32.shl (local.get $row) (i32.const 3)))))
        ;; a NaN is cold, as in `modelTiers`
        (local.set $key (select (i32.const 0)
          (select (i32.const 8) (i32.const 16) (f64.ge (local.get $p) (local.get $baseRate)))
          (f64.ge (local.get $p) (local.get $threshold))))
        (local.set $at (i32.const 0))
        (if (local.get $rules)
          (then
            (local.set $x (f64.load (i32.add (local.get $fit) (i32.shl (local.get $row) (i32.const 3)))))
            (local.set $d (i32.load8_u (i32.add (local.get $dq) (local.get $row))))
            (local.set $key (i32.add (local.get $key) (i32.add (local.get $d)
              (select (i32.const 0)
                (select (i32.const 2) (select (i32.const 4) (i32.const 6) (f64.ge (local.get $x) (local.get $c))) (f64.ge (local.get $x) (local.get $b)))
                (f64.ge (local.get $x) (local.get $a))))))
            (local.set $at (select (i32.const 101)
              (i32.trunc_f64_s (f64.load (i32.add (local.get $score) (i32.shl (local.get $row) (i32.const 3)))))
              (local.get $d)))))
        (local.set $f (i32.load (i32.add (local.get $keys) (i32.shl (local.get $key) (i32.const 2)))))
        (local.set $g (i32.load (i32.add (local.get $seconds) (i32.shl (local.get $at) (i32.const 2)))))
        (if (i32.or (i32.eqz (local.get $f)) (i32.eqz (local.get $g)))
          (then
            (i32.store (i32.const 20) (local.get $key))
            (i32.store (i32.const 24) (local.get $at))
            (br $stop)))
        (i32.store (i32.add (local.get $first) (i32.shl (local.get $row) (i32.const 2))) (i32.sub (local.get $f) (i32.const 1)))
        (i32.store (i32.add (local.get $second) (i32.shl (local.get $row) (i32.const 2))) (i32.sub (local.get $g) (i32.const 1)))
        (local.set $seen (i32.load (i32.add (local.get $counts) (i32.shl (local.get $key) (i32.const 2)))))
        (i32.store (i32.add (local.get $counts) (i32.shl (local.get $key) (i32.const 2))) (i32.add (local.get $seen) (i32.const 1)))
        (if (i32.eqz (local.get $seen))
          (then
            (i32.store (i32.add (local.get $order) (i32.shl (i32.add (i32.load (local.get $order)) (i32.const 1)) (i32.const 2))) (local.get $key))
            (i32.store (local.get $order) (i32.add (i32.load (local.get $order)) (i32.const 1)))))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $next_row)))
    (local.get $row))

  ;; Notes the output's end (at 20) and why it stopped (at 24); answers the row it stopped at.
  (func $stopped (param $why i32) (param $row i32) (param $out i32) (result i32)
    (i32.store (i32.const 20) (local.get $out))
    (i32.store (i32.const 24) (local.get $why))
    (local.get $row))
)
