;; Plain CSV records cut in WebAssembly (data/io/record-cut.ts), records without a quote, each ending at a LF
;; or CRLF. Two cuts:
;; - `cut`, the typed CSV reader's (`RecordCut`): records holding exactly the header's number of fields, cut
;;   into the field offsets of a `RecordBatch` (row by row, `width` starts and ends per row). Any other record
;;   (a quote in it, fewer or more fields, a blank line, a lone CR, one not ended before the bytes end) stops
;;   the cut at its start, for the JavaScript cut (`CsvByteRecords`, CsvParser's rules) to read. Its reference
;;   is that cut; the tests compare the two on awkward CSV.
;; - `lines`, the streaming scorer's chunk cut (`LineCut`): whole lines counted, up to a number of records, as
;;   csv.ts `scanRecords` counts them (its reference in the tests); at a quote or a CR not followed by a LF it
;;   answers −1, and `scanRecords` reads those bytes.
;;
;; Line and field ends are found sixteen bytes at a time (`i8x16.eq` against the delimiter, LF, CR and the
;; quote, `i8x16.bitmask`, `ctz`). The caller puts a LF just after the bytes and leaves sixteen bytes of room
;; past it, so the search always stops and its loads stay in memory; a record whose end is not before `end`
;; is not cut.
;;
;; Memory, laid out by record-cut.ts: header (64 bytes; the i32 at 0 is where `cut` or `lines` stopped, the
;; i32 at 4 the lines `lines` took), the bytes, then for `cut` the starts and ends (i32, `rowCap` × `width`
;; each).
(module
  (import "env" "memory" (memory 1))

  ;; Cuts plain records from `pos` until `end`, at most `rowCap` of them; each field's start and end plus
  ;; `bias` (the caller's offsets) go to `starts`/`ends`. Returns the records cut; the start of the record
  ;; it stopped at (or `end`) is stored at address 0.
  (func (export "cut") (param $pos i32) (param $end i32) (param $width i32) (param $delim i32)
    (param $starts i32) (param $ends i32) (param $rowCap i32) (param $bias i32) (result i32)
    (local $row i32) (local $record i32) (local $field i32) (local $j i32) (local $bits i32) (local $c i32)
    (local $out i32) (local $v v128) (local $delims v128) (local $lfs v128) (local $crs v128) (local $quotes v128)
    (local.set $delims (i8x16.splat (local.get $delim)))
    (local.set $lfs (i8x16.splat (i32.const 10)))
    (local.set $crs (i8x16.splat (i32.const 13)))
    (local.set $quotes (i8x16.splat (i32.const 34)))
    (block $stop
      (loop $next_record
        (local.set $record (local.get $pos))
        (br_if $stop (i32.ge_u (local.get $row) (local.get $rowCap)))
        (br_if $stop (i32.ge_u (local.get $pos) (local.get $end)))
        (local.set $field (i32.const 0))
        (local.set $out (i32.shl (i32.mul (local.get $row) (local.get $width)) (i32.const 2)))
        (block $record_done
          (loop $next_field
            (br_if $stop (i32.ge_u (local.get $field) (local.get $width))) ;; more fields than the header
            ;; the field's end: the first delimiter, LF, CR or quote
            (local.set $j (local.get $pos))
            (block $found
              (loop $find_end
                (local.set $v (v128.load align=1 (local.get $j)))
                (local.set $bits (i8x16.bitmask
                  (v128.or
                    (v128.or (i8x16.eq (local.get $v) (local.get $delims)) (i8x16.eq (local.get $v) (local.get $lfs)))
                    (v128.or (i8x16.eq (local.get $v) (local.get $crs)) (i8x16.eq (local.get $v) (local.get $quotes))))))
                (br_if $found (local.get $bits))
                (local.set $j (i32.add (local.get $j) (i32.const 16)))
                (br $find_end)))
            (local.set $j (i32.add (local.get $j) (i32.ctz (local.get $bits))))
            (br_if $stop (i32.ge_u (local.get $j) (local.get $end))) ;; not ended before the bytes end
            (local.set $c (i32.load8_u (local.get $j)))
            (br_if $stop (i32.eq (local.get $c) (i32.const 34))) ;; a quote: the JavaScript cut's
            (i32.store (i32.add (local.get $starts) (local.get $out)) (i32.add (local.get $pos) (local.get $bias)))
            (i32.store (i32.add (local.get $ends) (local.get $out)) (i32.add (local.get $j) (local.get $bias)))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $field (i32.add (local.get $field) (i32.const 1)))
            (local.set $pos (i32.add (local.get $j) (i32.const 1)))
            (br_if $next_field (i32.eq (local.get $c) (local.get $delim)))
            ;; the record's end: LF, or CR then LF (a lone CR, or a CR last in the bytes, is the JavaScript cut's)
            (if (i32.eq (local.get $c) (i32.const 13))
              (then
                (br_if $stop (i32.ge_u (local.get $pos) (local.get $end)))
                (br_if $stop (i32.ne (i32.load8_u (local.get $pos)) (i32.const 10)))
                (local.set $pos (i32.add (local.get $pos) (i32.const 1)))))
            (br $record_done)))
        ;; exactly the header's fields, and not a blank line (one empty field)
        (br_if $stop (i32.ne (local.get $field) (local.get $width)))
        (br_if $stop (i32.and (i32.eq (local.get $width) (i32.const 1))
          (i32.eq (i32.load (i32.sub (i32.add (local.get $starts) (local.get $out)) (i32.const 4)))
            (i32.load (i32.sub (i32.add (local.get $ends) (local.get $out)) (i32.const 4))))))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $next_record)))
    (i32.store (i32.const 0) (local.get $record))
    (local.get $row))

  ;; Lines from `pos` until `end`, taking records until `maxRecords` are taken: each line ends at a LF (a CR
  ;; just before it is part of that end), and one empty but for its end is a blank line, not a record.
  ;; Returns the records taken, with at address 0 the start of the first line not taken and at 4 the lines
  ;; taken; it stops before a line not ended before `end`. −1 at a quote, or at a CR not followed by a LF, in
  ;; a line it reaches (CsvParser's rules then differ from a line's: the JavaScript scan reads them).
  (func (export "lines") (param $pos i32) (param $end i32) (param $maxRecords i32) (result i32)
    (local $records i32) (local $lines i32) (local $line i32) (local $j i32) (local $bits i32) (local $c i32)
    (local $v v128) (local $lfs v128) (local $crs v128) (local $quotes v128)
    (local.set $lfs (i8x16.splat (i32.const 10)))
    (local.set $crs (i8x16.splat (i32.const 13)))
    (local.set $quotes (i8x16.splat (i32.const 34)))
    (local.set $line (local.get $pos))
    (local.set $j (local.get $pos))
    (block $stop
      (loop $next_line
        (br_if $stop (i32.ge_u (local.get $records) (local.get $maxRecords)))
        ;; the line's first LF, CR or quote from $j
        (block $found
          (loop $find
            (local.set $v (v128.load align=1 (local.get $j)))
            (local.set $bits (i8x16.bitmask
              (v128.or (v128.or (i8x16.eq (local.get $v) (local.get $lfs)) (i8x16.eq (local.get $v) (local.get $crs)))
                (i8x16.eq (local.get $v) (local.get $quotes)))))
            (br_if $found (local.get $bits))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $find)))
        (local.set $j (i32.add (local.get $j) (i32.ctz (local.get $bits))))
        (br_if $stop (i32.ge_u (local.get $j) (local.get $end))) ;; not ended before the bytes end
        (local.set $c (i32.load8_u (local.get $j)))
        (if (i32.eq (local.get $c) (i32.const 34)) (then (return (i32.const -1))))
        (if (i32.eq (local.get $c) (i32.const 13))
          (then
            ;; CRLF; a CR last in the bytes waits for the next ones, as its line is not ended before `end`
            (br_if $stop (i32.ge_u (i32.add (local.get $j) (i32.const 1)) (local.get $end)))
            (if (i32.ne (i32.load8_u (i32.add (local.get $j) (i32.const 1))) (i32.const 10)) (then (return (i32.const -1))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            ;; the text ends at the CR
            (local.set $c (i32.const 13))))
        ;; $j is the line's LF; its text is [$line, $j), less the CR before the LF
        (local.set $records (i32.add (local.get $records)
          (i32.gt_u (i32.sub (local.get $j) (i32.eq (local.get $c) (i32.const 13))) (local.get $line))))
        (local.set $lines (i32.add (local.get $lines) (i32.const 1)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (local.set $line (local.get $j))
        (br $next_line)))
    (i32.store (i32.const 0) (local.get $line))
    (i32.store (i32.const 4) (local.get $lines))
    (local.get $records))
)
