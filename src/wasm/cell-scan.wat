;; The byte path's scan and its dictionaries of distinct cells (scoring/wasm-cells.ts `CellTables`).
;; `scan` cuts a chunk's records into fields as the project's CSV parser does (data/csv.ts) and looks each
;; read cell up in its column's hash table, adding it when new. It stops at a record the JavaScript scan must
;; read (a quote left open, more fields than the header), which then reads the rest of the chunk and looks
;; cells up through `intern`, the same tables. Its JavaScript reference is that scan (the byte scorer's
;; record loop) with `hashCell` (wasm-cells.ts); the tests compare them on awkward CSV.
;;
;; Memory, laid out by wasm-cells.ts (all addresses in bytes):
;;   header (64 bytes), i32 words at
;;      0 chunk      the chunk's first byte (a carriage return follows its last, so no field loop needs a
;;                   bounds check: sixteen-byte loads past it stay inside the region)
;;      4 slotOf     i32 per header position: its column's table, or −1 for a column not read
;;      8 idStart   12 idEnd      i32 per row: the id field's start and end (offsets in the chunk)
;;     16 columns    the first column descriptor
;;     20 stopPos   24 stopRow    where `scan` stopped: the start of the record it could not finish
;;     28 fullColumn             the column whose table was full (TABLE_FULL)
;;   and at 32 the length masks (this module's data: sixteen 0xff bytes, then sixteen zeros; the sixteen bytes
;;   at 48 − n keep a cell's first n bytes of a sixteen-byte load)
;;   then one 64-byte descriptor per column, i32 words at
;;      0 slots      open-addressing table: entry number + 1 per slot, 0 = empty
;;      4 mask       slots − 1 (a power of two minus one)
;;      8 hashes    12 starts    16 lengths     per entry: its hash, arena offset and byte length
;;     20 arena      the cells' bytes
;;     24 used       arena bytes used         28 size        entries used
;;     32 entryCap   36 arenaCap              40 rows        i32 per row: the cell number of that row
(module
  (import "env" "memory" (memory 1))
  (data (i32.const 32) "\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\ff\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00")

  ;; What `scan` answers.
  (global $SCANNED i32 (i32.const 0))      ;; the chunk is read
  (global $ROWS_FULL i32 (i32.const 1))    ;; the per-row arrays are full: grow them and resume
  (global $NEEDS_JS i32 (i32.const 2))     ;; a record the JavaScript scan must read
  (global $TABLE_FULL i32 (i32.const 3))   ;; a column's table is full: grow it and resume

  ;; The number of cell [start, end) (of hash `hash`) in column `column`'s table, added when new; −1 when the
  ;; table has no room for a new cell (an entry, its bytes, and slots at most half full after it).
  (func $intern (export "intern") (param $column i32) (param $start i32) (param $end i32) (param $hash i32) (result i32)
    (local $d i32) (local $slots i32) (local $mask i32) (local $at i32) (local $e i32) (local $len i32)
    (local.set $d (i32.add (i32.load (i32.const 16)) (i32.mul (local.get $column) (i32.const 64))))
    (local.set $len (i32.sub (local.get $end) (local.get $start)))
    (if (i32.load offset=44 (local.get $d))
      (then (return (call $append (local.get $d) (local.get $start) (local.get $len)))))
    (local.set $slots (i32.load offset=0 (local.get $d)))
    (local.set $mask (i32.load offset=4 (local.get $d)))
    (local.set $at (i32.and (local.get $hash) (local.get $mask)))
    ;; probe slots from the hash's until an empty one; an entry of the same hash and length is compared byte
    ;; for byte
    (block $empty_slot
      (loop $probe
        (local.set $e (i32.sub (i32.load (i32.add (local.get $slots) (i32.shl (local.get $at) (i32.const 2)))) (i32.const 1)))
        (br_if $empty_slot (i32.lt_s (local.get $e) (i32.const 0)))
        (if (i32.and
              (i32.eq (i32.load (i32.add (i32.load offset=8 (local.get $d)) (i32.shl (local.get $e) (i32.const 2)))) (local.get $hash))
              (i32.eq (i32.load (i32.add (i32.load offset=16 (local.get $d)) (i32.shl (local.get $e) (i32.const 2)))) (local.get $len)))
          (then
            (if (call $sameBytes
                  (i32.add (i32.load offset=20 (local.get $d)) (i32.load (i32.add (i32.load offset=12 (local.get $d)) (i32.shl (local.get $e) (i32.const 2)))))
                  (local.get $start) (local.get $len))
              (then (return (local.get $e))))))
        (local.set $at (i32.and (i32.add (local.get $at) (i32.const 1)) (local.get $mask)))
        (br $probe)))
    ;; a new cell, in the empty slot found (the slots at most half full after it): an entry, then its hash and slot
    (if (i32.gt_u (i32.shl (i32.add (i32.load offset=28 (local.get $d)) (i32.const 1)) (i32.const 1)) (i32.add (local.get $mask) (i32.const 1)))
      (then (return (i32.const -1))))
    (local.set $e (call $append (local.get $d) (local.get $start) (local.get $len)))
    (if (i32.lt_s (local.get $e) (i32.const 0)) (then (return (i32.const -1))))
    (i32.store (i32.add (i32.load offset=8 (local.get $d)) (i32.shl (local.get $e) (i32.const 2))) (local.get $hash))
    (i32.store (i32.add (local.get $slots) (i32.shl (local.get $at) (i32.const 2))) (i32.add (local.get $e) (i32.const 1)))
    (local.get $e))

  ;; A new entry for the `len` bytes at `start` in the table of descriptor `d`: its number, or −1 when the
  ;; entries or the arena have no room. Neither hash nor slot: `$intern` adds those; an append column, never
  ;; looked up, has none.
  (func $append (param $d i32) (param $start i32) (param $len i32) (result i32)
    (local $size i32) (local $used i32)
    (local.set $size (i32.load offset=28 (local.get $d)))
    (local.set $used (i32.load offset=24 (local.get $d)))
    (if (i32.or
          (i32.ge_u (local.get $size) (i32.load offset=32 (local.get $d)))
          (i32.gt_u (i32.add (local.get $used) (local.get $len)) (i32.load offset=36 (local.get $d))))
      (then (return (i32.const -1))))
    ;; a cell of at most sixteen bytes, with sixteen bytes of room left, as one sixteen-byte store (memory.copy
    ;; is a call out of the module: it cost a distinct leads' scan a tenth of its time)
    (if (i32.and (i32.le_u (local.get $len) (i32.const 16))
          (i32.le_u (i32.add (local.get $used) (i32.const 16)) (i32.load offset=36 (local.get $d))))
      (then (v128.store align=1 (i32.add (i32.load offset=20 (local.get $d)) (local.get $used)) (v128.load align=1 (local.get $start))))
      (else (memory.copy (i32.add (i32.load offset=20 (local.get $d)) (local.get $used)) (local.get $start) (local.get $len))))
    (i32.store (i32.add (i32.load offset=12 (local.get $d)) (i32.shl (local.get $size) (i32.const 2))) (local.get $used))
    (i32.store (i32.add (i32.load offset=16 (local.get $d)) (i32.shl (local.get $size) (i32.const 2))) (local.get $len))
    (i32.store offset=24 (local.get $d) (i32.add (local.get $used) (local.get $len)))
    (i32.store offset=28 (local.get $d) (i32.add (local.get $size) (i32.const 1)))
    (local.get $size))

  ;; Whether the `len` bytes at `a` and at `b` are the same, compared eight at a time (the last 1–7 bytes
  ;; as the low bytes of a word: reading past a cell's end stays in memory).
  (func $sameBytes (param $a i32) (param $b i32) (param $len i32) (result i32)
    (local $k i32)
    (block $words_done
      (loop $next_word
        (br_if $words_done (i32.gt_u (i32.add (local.get $k) (i32.const 8)) (local.get $len)))
        (if (i64.ne (i64.load (i32.add (local.get $a) (local.get $k))) (i64.load (i32.add (local.get $b) (local.get $k))))
          (then (return (i32.const 0))))
        (local.set $k (i32.add (local.get $k) (i32.const 8)))
        (br $next_word)))
    (if (i32.ge_u (local.get $k) (local.get $len)) (then (return (i32.const 1))))
    (i64.eq (i64.const 0)
      (i64.and
        (i64.xor (i64.load (i32.add (local.get $a) (local.get $k))) (i64.load (i32.add (local.get $b) (local.get $k))))
        (i64.sub (i64.shl (i64.const 1) (i64.extend_i32_u (i32.shl (i32.sub (local.get $len) (local.get $k)) (i32.const 3)))) (i64.const 1)))))

  ;; A cell's hash, as cell-tables.ts `hashCell` computes it: seeded with its length, then for each sixteen
  ;; bytes of it (at least once; the bytes past its end read as zeros) the four little-endian 32-bit words
  ;; multiplied by four odd constants (`$blockFold`), xor-ed together and folded in as FNV-1a folds a word,
  ;; then mixed so the low bits (the slot) depend on every byte. A cell of at most sixteen bytes (most) is
  ;; one masked load and no loop (the scan writes that case out). Reading up to fifteen bytes past `end`
  ;; stays in memory.
  (func $hash (param $start i32) (param $end i32) (result i32)
    (local $hash i32) (local $k i32)
    (local.set $hash (i32.xor (i32.const 0x811c9dc5) (i32.sub (local.get $end) (local.get $start))))
    (local.set $k (local.get $start))
    (loop $next_block
      (local.set $hash (i32.mul
        (i32.xor (local.get $hash)
          (call $blockFold (v128.and (v128.load align=1 (local.get $k)) (call $lengthMask (i32.sub (local.get $end) (local.get $k))))))
        (i32.const 16777619)))
      (local.set $k (i32.add (local.get $k) (i32.const 16)))
      (br_if $next_block (i32.lt_u (local.get $k) (local.get $end))))
    (call $mix (local.get $hash)))

  ;; Sixteen bytes' four 32-bit words multiplied by four odd constants and xor-ed together.
  (func $blockFold (param $v v128) (result i32)
    (local $m v128)
    (local.set $m (i32x4.mul (local.get $v) (v128.const i32x4 0x9e3779b1 0x85ebca77 0xc2b2ae3d 0x27d4eb2f)))
    (local.set $m (v128.xor (local.get $m) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $m) (local.get $m))))
    (i32.xor (i32x4.extract_lane 0 (local.get $m)) (i32x4.extract_lane 1 (local.get $m))))

  ;; The mask keeping the first `n` bytes of a sixteen-byte load (all sixteen for n ≥ 16).
  (func $lengthMask (param $n i32) (result v128)
    (v128.load align=1 (i32.sub (i32.const 48)
      (select (i32.const 16) (local.get $n) (i32.gt_u (local.get $n) (i32.const 16))))))

  ;; The last step of a hash: its high bits mixed into its low ones.
  (func $mix (param $hash i32) (result i32)
    (local.set $hash (i32.mul (i32.xor (local.get $hash) (i32.shr_u (local.get $hash) (i32.const 15))) (i32.const 0x2c1b3c6d)))
    (i32.xor (local.get $hash) (i32.shr_u (local.get $hash) (i32.const 12))))

  ;; Looks cell [start, end) up in column `column` and stores its number as row `row`'s; false when the
  ;; column's table is full (its number is then in the header's fullColumn word).
  (func $internRow (param $column i32) (param $start i32) (param $end i32) (param $hash i32) (param $row i32) (result i32)
    (local $id i32)
    (local.set $id (call $intern (local.get $column) (local.get $start) (local.get $end) (local.get $hash)))
    (if (i32.lt_s (local.get $id) (i32.const 0))
      (then
        (i32.store (i32.const 28) (local.get $column))
        (return (i32.const 0))))
    ;; rows[row] = id, rows being the column descriptor's word 40
    (i32.store
      (i32.add
        (i32.load offset=40 (i32.add (i32.load (i32.const 16)) (i32.mul (local.get $column) (i32.const 64))))
        (i32.shl (local.get $row) (i32.const 2)))
      (local.get $id))
    (i32.const 1))

  ;; Records from `pos` (row `row`) until the chunk's end `end`: each read field's cell number per row, the id
  ;; field's span per row. Returns SCANNED, ROWS_FULL, NEEDS_JS or TABLE_FULL, with the position and row it
  ;; stopped at in the header (the start of the record it could not finish).
  ;;
  ;; Field ends are taken from one sixteen-byte match mask for as long as it lasts: `$bits` holds the
  ;; delimiters, LFs and CRs of the sixteen bytes at `$block` that are at or after `pos`, so most fields end at
  ;; its lowest bit, with no load. To start afresh at X (the scan's start, after a closing quote, past the
  ;; mask's sixteen bytes) the mask is left empty at X − 16: the field-end loop's next load is then X's.
  (func (export "scan") (param $pos i32) (param $end i32) (param $row i32) (param $rowCap i32) (param $width i32) (param $delim i32) (param $idAt i32) (result i32)
    (local $record i32)      ;; where the current record starts
    (local $field i32)       ;; its field being read
    (local $column i32)      ;; that field's table (slotOf), −1 when not read
    (local $j i32)           ;; the field's end being looked for
    (local $block i32)       ;; the sixteen bytes `$bits` describes start here
    (local $bits i32)        ;; their delimiters, LFs and CRs at or after `pos`, one bit each
    (local $qbits i32)       ;; a sixteen-byte quote mask
    (local $c i32)           ;; the byte after a field
    (local $lastStart i32) (local $lastEnd i32)
    (local $slotOf i32) (local $chunk i32) (local $f i32) (local $hash i32) (local $k i32)
    (local $d i32) (local $len i32) (local $mask i32) (local $at i32) (local $e i32) (local $a i32)
    (local $v v128) (local $cell v128) (local $m v128)
    (local $delims v128) (local $lfs v128) (local $crs v128) (local $quotes v128)
    (local.set $slotOf (i32.load (i32.const 4)))
    (local.set $chunk (i32.load (i32.const 0)))
    (local.set $delims (i8x16.splat (local.get $delim)))
    (local.set $lfs (i8x16.splat (i32.const 10)))
    (local.set $crs (i8x16.splat (i32.const 13)))
    (local.set $quotes (i8x16.splat (i32.const 34)))
    ;; no mask yet: the field-end loop makes one from the sixteen bytes at `pos`
    (local.set $block (i32.sub (local.get $pos) (i32.const 16)))
    (loop $next_record
      (if (i32.ge_u (local.get $pos) (local.get $end))
        (then (return (call $stop (global.get $SCANNED) (local.get $pos) (local.get $row)))))
      (if (i32.ge_u (local.get $row) (local.get $rowCap))
        (then (return (call $stop (global.get $ROWS_FULL) (local.get $pos) (local.get $row)))))
      (local.set $record (local.get $pos))
      (local.set $field (i32.const 0))
      (block $record_done
        (loop $next_field
          (if (i32.ge_u (local.get $field) (local.get $width))
            (then (return (call $stop (global.get $NEEDS_JS) (local.get $record) (local.get $row)))))
          (local.set $column (i32.load (i32.add (local.get $slotOf) (i32.shl (local.get $field) (i32.const 2)))))
          ;; A field opening with a quote runs to its closing quote (a doubled quote is one quote inside; the
          ;; JavaScript scan reports a quote left open), sixteen bytes at a time; the match mask then starts
          ;; afresh there.
          (if (i32.eq (i32.load8_u (local.get $pos)) (i32.const 34))
            (then
              (local.set $j (i32.add (local.get $pos) (i32.const 1)))
              (block $closed
                (loop $find_quote
                  (if (i32.ge_u (local.get $j) (local.get $end))
                    (then (return (call $stop (global.get $NEEDS_JS) (local.get $record) (local.get $row)))))
                  (local.set $qbits (i8x16.bitmask (i8x16.eq (v128.load align=1 (local.get $j)) (local.get $quotes))))
                  (if (i32.eqz (local.get $qbits))
                    (then
                      (local.set $j (i32.add (local.get $j) (i32.const 16)))
                      (br $find_quote)))
                  (local.set $j (i32.add (local.get $j) (i32.ctz (local.get $qbits))))
                  (if (i32.ge_u (local.get $j) (local.get $end))
                    (then (return (call $stop (global.get $NEEDS_JS) (local.get $record) (local.get $row)))))
                  ;; a doubled quote: go on after it
                  (if (i32.eq (i32.load8_u (i32.add (local.get $j) (i32.const 1))) (i32.const 34))
                    (then
                      (local.set $j (i32.add (local.get $j) (i32.const 2)))
                      (br $find_quote)))
                  (local.set $j (i32.add (local.get $j) (i32.const 1)))
                  (br $closed)))
              (local.set $block (i32.sub (local.get $j) (i32.const 16)))
              (local.set $bits (i32.const 0))))
          ;; The field's end (after any closing quote): the match mask's lowest bit, or the first delimiter, LF or
          ;; CR of the next sixteen bytes that hold one.
          (block $found
            (loop $find_end
              (br_if $found (local.get $bits))
              (local.set $block (i32.add (local.get $block) (i32.const 16)))
              (local.set $v (v128.load align=1 (local.get $block)))
              (local.set $bits (i8x16.bitmask
                (v128.or (v128.or (i8x16.eq (local.get $v) (local.get $delims)) (i8x16.eq (local.get $v) (local.get $lfs)))
                  (i8x16.eq (local.get $v) (local.get $crs)))))
              (br $find_end)))
          (local.set $j (i32.add (local.get $block) (i32.ctz (local.get $bits))))
          (if (i32.ge_s (local.get $column) (i32.const 0))
            (then
              (local.set $d (i32.add (i32.load (i32.const 16)) (i32.mul (local.get $column) (i32.const 64))))
              (local.set $len (i32.sub (local.get $j) (local.get $pos)))
              (block $numbered
                (if (i32.load offset=44 (local.get $d))
                  (then
                    ;; an append column: the cell is a new entry, not hashed or looked up
                    (local.set $e (call $append (local.get $d) (local.get $pos) (local.get $len)))
                    (br_if $numbered (i32.ge_s (local.get $e) (i32.const 0)))
                    (i32.store (i32.const 28) (local.get $column))
                    (return (call $stop (global.get $TABLE_FULL) (local.get $record) (local.get $row)))))
                ;; the cell's hash: $hash written out here (calls in this loop slowed the scan: BENCHMARKS.md,
                ;; "Design measurements"); a cell of at most sixteen bytes is one masked load, kept in $cell
                (local.set $cell (v128.and (v128.load align=1 (local.get $pos))
                  (v128.load align=1 (i32.sub (i32.const 48) (select (i32.const 16) (local.get $len) (i32.gt_u (local.get $len) (i32.const 16)))))))
                (local.set $m (i32x4.mul (local.get $cell) (v128.const i32x4 0x9e3779b1 0x85ebca77 0xc2b2ae3d 0x27d4eb2f)))
                (local.set $m (v128.xor (local.get $m) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $m) (local.get $m))))
                (local.set $hash (i32.mul
                  (i32.xor (i32.xor (i32.const 0x811c9dc5) (local.get $len))
                    (i32.xor (i32x4.extract_lane 0 (local.get $m)) (i32x4.extract_lane 1 (local.get $m))))
                  (i32.const 16777619)))
                (if (i32.gt_u (local.get $len) (i32.const 16))
                  (then
                    ;; the rest of a longer cell, sixteen bytes at a time
                    (local.set $k (i32.add (local.get $pos) (i32.const 16)))
                    (loop $next_block
                      (local.set $m (i32x4.mul
                        (v128.and (v128.load align=1 (local.get $k))
                          (v128.load align=1 (i32.sub (i32.const 48)
                            (select (i32.const 16) (i32.sub (local.get $j) (local.get $k)) (i32.gt_u (i32.sub (local.get $j) (local.get $k)) (i32.const 16))))))
                        (v128.const i32x4 0x9e3779b1 0x85ebca77 0xc2b2ae3d 0x27d4eb2f)))
                      (local.set $m (v128.xor (local.get $m) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $m) (local.get $m))))
                      (local.set $hash (i32.mul
                        (i32.xor (local.get $hash) (i32.xor (i32x4.extract_lane 0 (local.get $m)) (i32x4.extract_lane 1 (local.get $m))))
                        (i32.const 16777619)))
                      (local.set $k (i32.add (local.get $k) (i32.const 16)))
                      (br_if $next_block (i32.lt_u (local.get $k) (local.get $j))))))
                (local.set $hash (i32.mul (i32.xor (local.get $hash) (i32.shr_u (local.get $hash) (i32.const 15))) (i32.const 0x2c1b3c6d)))
                (local.set $hash (i32.xor (local.get $hash) (i32.shr_u (local.get $hash) (i32.const 12))))
                ;; the cell's number: the probe of $intern written out here for a cell already in the table (most
                ;; cells: a column holds few distinct values); a new one is added by $intern
                (local.set $mask (i32.load offset=4 (local.get $d)))
                (local.set $at (i32.and (local.get $hash) (local.get $mask)))
                (loop $probe
                  (local.set $e (i32.sub (i32.load (i32.add (i32.load offset=0 (local.get $d)) (i32.shl (local.get $at) (i32.const 2)))) (i32.const 1)))
                  (if (i32.lt_s (local.get $e) (i32.const 0))
                    (then
                      (local.set $e (call $intern (local.get $column) (local.get $pos) (local.get $j) (local.get $hash)))
                      (if (i32.lt_s (local.get $e) (i32.const 0))
                        (then
                          (i32.store (i32.const 28) (local.get $column))
                          (return (call $stop (global.get $TABLE_FULL) (local.get $record) (local.get $row)))))
                      (br $numbered)))
                  (if (i32.and
                        (i32.eq (i32.load (i32.add (i32.load offset=8 (local.get $d)) (i32.shl (local.get $e) (i32.const 2)))) (local.get $hash))
                        (i32.eq (i32.load (i32.add (i32.load offset=16 (local.get $d)) (i32.shl (local.get $e) (i32.const 2)))) (local.get $len)))
                    (then
                      ;; the entry's bytes at $a against the field's: one masked sixteen-byte compare for a short
                      ;; cell, $sameBytes written out for a longer one
                      (local.set $a (i32.add (i32.load offset=20 (local.get $d)) (i32.load (i32.add (i32.load offset=12 (local.get $d)) (i32.shl (local.get $e) (i32.const 2))))))
                      (if (i32.le_u (local.get $len) (i32.const 16))
                        (then
                          (br_if $numbered (i32.eqz (v128.any_true (v128.xor (local.get $cell)
                            (v128.and (v128.load align=1 (local.get $a))
                              (v128.load align=1 (i32.sub (i32.const 48) (local.get $len)))))))))
                        (else
                          (local.set $k (i32.const 0))
                          (block $differ
                            (block $words_done
                              (loop $next_word
                                (br_if $words_done (i32.gt_u (i32.add (local.get $k) (i32.const 8)) (local.get $len)))
                                (br_if $differ (i64.ne (i64.load (i32.add (local.get $a) (local.get $k))) (i64.load (i32.add (local.get $pos) (local.get $k)))))
                                (local.set $k (i32.add (local.get $k) (i32.const 8)))
                                (br $next_word)))
                            (br_if $numbered (i32.ge_u (local.get $k) (local.get $len)))
                            (br_if $numbered (i64.eq (i64.const 0)
                              (i64.and
                                (i64.xor (i64.load (i32.add (local.get $a) (local.get $k))) (i64.load (i32.add (local.get $pos) (local.get $k))))
                                (i64.sub (i64.shl (i64.const 1) (i64.extend_i32_u (i32.shl (i32.sub (local.get $len) (local.get $k)) (i32.const 3)))) (i64.const 1))))))))))
                  (local.set $at (i32.and (i32.add (local.get $at) (i32.const 1)) (local.get $mask)))
                  (br $probe)))
              ;; rows[row] = the cell's number
              (i32.store (i32.add (i32.load offset=40 (local.get $d)) (i32.shl (local.get $row) (i32.const 2))) (local.get $e))))
          (if (i32.eq (local.get $field) (local.get $idAt))
            (then (call $idSpan (local.get $row) (i32.sub (local.get $pos) (local.get $chunk)) (i32.sub (local.get $j) (local.get $chunk)))))
          (local.set $lastStart (local.get $pos))
          (local.set $lastEnd (local.get $j))
          (local.set $pos (local.get $j))
          (br_if $record_done (i32.ge_u (local.get $pos) (local.get $end)))
          (local.set $c (i32.load8_u (local.get $pos)))
          (if (i32.eq (local.get $c) (local.get $delim))
            (then
              ;; the next field starts after the delimiter, the mask's lowest bit
              (local.set $pos (i32.add (local.get $pos) (i32.const 1)))
              (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
              (local.set $field (i32.add (local.get $field) (i32.const 1)))
              (br $next_field)))
          ;; CRLF ends a record as one break; LF or a lone CR as one byte
          (local.set $pos (i32.add (i32.add (local.get $pos) (i32.const 1))
            (i32.and (i32.eq (local.get $c) (i32.const 13)) (i32.eq (i32.load8_u (i32.add (local.get $pos) (i32.const 1))) (i32.const 10)))))
          ;; the match mask from `pos` on: the bits before it dropped, or started afresh past its sixteen bytes
          (local.set $k (i32.sub (local.get $pos) (local.get $block)))
          (if (i32.lt_u (local.get $k) (i32.const 16))
            (then (local.set $bits (i32.and (local.get $bits) (i32.shl (i32.const -1) (local.get $k)))))
            (else
              (local.set $block (i32.sub (local.get $pos) (i32.const 16)))
              (local.set $bits (i32.const 0))))))
      ;; A blank line is not a record (a line holding just "" is blank too)
      (local.set $k (i32.sub (local.get $lastEnd) (local.get $lastStart)))
      (br_if $next_record (i32.and (i32.eqz (local.get $field))
        (i32.or (i32.eqz (local.get $k))
          (i32.and (i32.and (i32.eq (local.get $k) (i32.const 2))
              (i32.eq (i32.load8_u (local.get $lastStart)) (i32.const 34)))
            (i32.eq (i32.load8_u (i32.add (local.get $lastStart) (i32.const 1))) (i32.const 34))))))
      ;; a short record reads its missing fields as empty
      (local.set $f (i32.add (local.get $field) (i32.const 1)))
      (block $missing_done
        (loop $next_missing
          (br_if $missing_done (i32.ge_u (local.get $f) (local.get $width)))
          (local.set $column (i32.load (i32.add (local.get $slotOf) (i32.shl (local.get $f) (i32.const 2)))))
          (if (i32.ge_s (local.get $column) (i32.const 0))
            (then
              (if (i32.eqz (call $internRow (local.get $column) (local.get $chunk) (local.get $chunk) (call $hash (local.get $chunk) (local.get $chunk)) (local.get $row)))
                (then (return (call $stop (global.get $TABLE_FULL) (local.get $record) (local.get $row)))))))
          (if (i32.eq (local.get $f) (local.get $idAt))
            (then (call $idSpan (local.get $row) (i32.const 0) (i32.const 0))))
          (local.set $f (i32.add (local.get $f) (i32.const 1)))
          (br $next_missing)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $next_record))
    unreachable)

  ;; Row `row`'s id field spans [start, end) of the chunk.
  (func $idSpan (param $row i32) (param $start i32) (param $end i32)
    (i32.store (i32.add (i32.load (i32.const 8)) (i32.shl (local.get $row) (i32.const 2))) (local.get $start))
    (i32.store (i32.add (i32.load (i32.const 12)) (i32.shl (local.get $row) (i32.const 2))) (local.get $end)))

  ;; Notes where `scan` stopped (stopPos, stopRow) and answers `status`.
  (func $stop (param $status i32) (param $pos i32) (param $row i32) (result i32)
    (i32.store (i32.const 20) (local.get $pos))
    (i32.store (i32.const 24) (local.get $row))
    (local.get $status))
)
