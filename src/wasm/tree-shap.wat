;; TreeSHAP from tables (models/gbdt/wasm-shap.ts). Its JavaScript reference is `treeShapBlock` in
;; models/gbdt/shap-tables.ts; the tests compare the two to the bit.
;;
;; For one tree and a block of rows:
;; 1. Each row's key words: every table's key (shap-tables.ts `FastTree`: the agreement with the unique
;;    features of the path above the table, then the directions inside it) sits in `nw` 64-bit words at a
;;    place of its own. Each key bit depends on one feature's value only, so the words are the OR of one
;;    lookup per feature the tree tests: `keyTables` holds, per (tree, feature) pair and per one-byte code of
;;    the feature (predict.ts `codeValues`), the key bits that code sets.
;; 2. For each table, each row's key (one shift and mask of one word) picks the table's entry, whose values
;;    are added to the row's SHAP values feature by feature, in the reference's order.
;;
;; Memory (laid out by wasm-shap.ts): the block's codes, key words and values, and every tree's arrays.
(module
  (import "env" "memory" (memory 1))

  (func (export "explain")
    (param $count i32)          ;; rows in the block
    (param $p i32)              ;; features: a row's values are p doubles
    (param $codeWidth i32)      ;; codes per row (the forest's used features)
    (param $codes i32)          ;; u8[row · codeWidth + slot]
    (param $keys i32)           ;; i64[row · nw + word], scratch: the rows' key words
    (param $nw i32)             ;; key words per row
    (param $phi i32)            ;; f64[row · p + feature]: the values added to
    (param $pairCount i32)      ;; the tree's (tree, feature) pairs
    (param $pairSlot i32)       ;; i32[pair]: the feature's code slot
    (param $pairTable i32)      ;; i32[pair]: where its words start in keyTables (in words; nw words per code)
    (param $keyTables i32)      ;; i64[]: per pair and code, the key bits it sets
    (param $tableCount i32)     ;; the tree's tables; per table t (i32 arrays):
    (param $tableWord i32)      ;;   the key word holding its key
    (param $tableShift i32)     ;;   the key's first bit there
    (param $tableMask i32)      ;;   2^bits − 1
    (param $width i32)          ;;   its features (doubles per key)
    (param $featureStart i32)   ;;   its first entry in `features`
    (param $tableStart i32)     ;;   its entries (in doubles)
    (param $features i32)       ;; i32[]: the tables' features, as byte offsets in a row's values (feature · 8)
    (param $tables i32)         ;; f64[]: the tables' entries
    (local $r i32) (local $q i32) (local $w i32) (local $t4 i32) (local $base i32) (local $code i32)
    (local $addr i32) (local $last i32) (local $stride i32) (local $words i32)
    (local $m i32) (local $entry i32) (local $row i32) (local $k i32) (local $first i32) (local $end i32)
    (local $shift i64) (local $mask i32) (local $t i32)

    ;; 1. keys[r · nw + w] = OR over pairs q of keyTables[pairTable[q] + codes[r · codeWidth + pairSlot[q]] · nw + w],
    ;; pair by pair over all rows (the pair's words stay in cache)
    (local.set $stride (i32.shl (local.get $nw) (i32.const 3)))
    (local.set $words (i32.mul (local.get $count) (local.get $stride)))
    (local.set $addr (local.get $keys))
    (local.set $last (i32.add (local.get $keys) (local.get $words)))
    (block $zeroed
      (loop $zero
        (br_if $zeroed (i32.ge_u (local.get $addr) (local.get $last)))
        (i64.store (local.get $addr) (i64.const 0))
        (local.set $addr (i32.add (local.get $addr) (i32.const 8)))
        (br $zero)))
    (block $pairs_done
      (loop $next_pair
        (br_if $pairs_done (i32.ge_u (local.get $q) (local.get $pairCount)))
        (local.set $base (i32.add (local.get $keyTables) (i32.shl (i32.load (i32.add (local.get $pairTable) (i32.shl (local.get $q) (i32.const 2)))) (i32.const 3))))
        (local.set $code (i32.add (local.get $codes) (i32.load (i32.add (local.get $pairSlot) (i32.shl (local.get $q) (i32.const 2))))))
        (local.set $addr (local.get $keys))
        (block $rows_done
          (loop $next_row
            (br_if $rows_done (i32.ge_u (local.get $addr) (local.get $last)))
            ;; the code's nw words, ORed into the row's
            (local.set $row (i32.add (local.get $base) (i32.mul (i32.load8_u (local.get $code)) (local.get $stride))))
            (local.set $w (i32.const 0))
            (block $words_done
              (loop $next_word
                (br_if $words_done (i32.ge_u (local.get $w) (local.get $stride)))
                (i64.store (i32.add (local.get $addr) (local.get $w))
                  (i64.or (i64.load (i32.add (local.get $addr) (local.get $w))) (i64.load (i32.add (local.get $row) (local.get $w)))))
                (local.set $w (i32.add (local.get $w) (i32.const 8)))
                (br $next_word)))
            (local.set $code (i32.add (local.get $code) (local.get $codeWidth)))
            (local.set $addr (i32.add (local.get $addr) (local.get $stride)))
            (br $next_row)))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $next_pair)))

    ;; 2. per table, per row: key = (keys[r · nw + word] >> shift) & mask; then
    ;; phi[r · p + feature] += tables[table + key · m + k] for its m features
    (block $tables_done
      (loop $next_table
        (br_if $tables_done (i32.ge_u (local.get $t) (local.get $tableCount)))
        (local.set $t4 (i32.shl (local.get $t) (i32.const 2)))
        (local.set $m (i32.load (i32.add (local.get $width) (local.get $t4))))
        (local.set $base (i32.add (local.get $tables) (i32.shl (i32.load (i32.add (local.get $tableStart) (local.get $t4))) (i32.const 3))))
        (local.set $first (i32.add (local.get $features) (i32.shl (i32.load (i32.add (local.get $featureStart) (local.get $t4))) (i32.const 2))))
        (local.set $end (i32.add (local.get $first) (i32.shl (local.get $m) (i32.const 2))))
        (local.set $shift (i64.extend_i32_u (i32.load (i32.add (local.get $tableShift) (local.get $t4)))))
        (local.set $mask (i32.load (i32.add (local.get $tableMask) (local.get $t4))))
        (local.set $addr (i32.add (local.get $keys) (i32.shl (i32.load (i32.add (local.get $tableWord) (local.get $t4))) (i32.const 3))))
        (local.set $row (local.get $phi))
        (local.set $r (i32.const 0))
        (block $rows_done
          (loop $next_row
            (br_if $rows_done (i32.ge_u (local.get $r) (local.get $count)))
            ;; the entry's doubles, each added to the row's value of its feature
            (local.set $entry (i32.add (local.get $base) (i32.shl (i32.mul
              (i32.and (i32.wrap_i64 (i64.shr_u (i64.load (local.get $addr)) (local.get $shift))) (local.get $mask))
              (local.get $m)) (i32.const 3))))
            (local.set $k (local.get $first))
            (block $features_done
              (loop $next_feature
                (br_if $features_done (i32.ge_u (local.get $k) (local.get $end)))
                (local.set $code (i32.add (local.get $row) (i32.load (local.get $k))))
                (f64.store (local.get $code) (f64.add (f64.load (local.get $code)) (f64.load (local.get $entry))))
                (local.set $entry (i32.add (local.get $entry) (i32.const 8)))
                (local.set $k (i32.add (local.get $k) (i32.const 4)))
                (br $next_feature)))
            (local.set $addr (i32.add (local.get $addr) (local.get $stride)))
            (local.set $row (i32.add (local.get $row) (i32.shl (local.get $p) (i32.const 3))))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $next_row)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $next_table)))
  )
)
