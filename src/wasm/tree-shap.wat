;; TreeSHAP from tables (models/gbdt/wasm-shap.ts). Its JavaScript reference is `treeShapBlock` in
;; models/gbdt/shap-tables.ts; the tests compare the two to the bit.
;;
;; For one tree and a block of rows:
;; 1. Each row's directions at the tree's internal nodes as one 64-bit word (bit k: the row goes left at the
;;    node in preorder position k), the OR of one lookup per feature the tree tests: `dirTables` holds, per
;;    (tree, feature) pair and per one-byte code of the feature (predict.ts `codeValues`), the bits of that
;;    feature's nodes where the code goes left.
;; 2. For each table of the tree (shap-tables.ts `FastTree`: a leaf's or a subtree's), the row's key (the
;;    agreement with the path above, then the directions inside: one shift and mask) and the table's entry
;;    for it added to the row's SHAP values, feature by feature, in the reference's order.
;;
;; Memory (laid out by wasm-shap.ts): the block's codes, direction words and values, and every tree's arrays.
(module
  (import "env" "memory" (memory 1))

  (func (export "explain")
    (param $count i32)          ;; rows in the block
    (param $p i32)              ;; features: a row's values are p doubles
    (param $codeWidth i32)      ;; codes per row (the forest's used features)
    (param $codes i32)          ;; u8[row · codeWidth + slot]
    (param $dirs i32)           ;; i64[row], scratch: the rows' direction words
    (param $phi i32)            ;; f64[row · p + feature]: the values added to
    (param $pairCount i32)      ;; the tree's (tree, feature) pairs
    (param $pairSlot i32)       ;; i32[pair]: the feature's code slot
    (param $pairTable i32)      ;; i32[pair]: where its words start in dirTables (in words)
    (param $dirTables i32)      ;; i64[]: per pair and code, the direction bits
    (param $tableCount i32)     ;; the tree's tables; per table t (i32 arrays):
    (param $aboveStart i32)     ;;   its first above node (an index a into the three above arrays)
    (param $aboveCount i32)     ;;   its above nodes
    (param $mP i32)             ;;   its key bits from the path above
    (param $innerShift i32)     ;;   the preorder position of its first internal node
    (param $innerCount i32)     ;;   its internal nodes (key bits mP + j)
    (param $width i32)          ;;   its features (doubles per key)
    (param $featureStart i32)   ;;   its first entry in `features`
    (param $tableStart i32)     ;;   its entries (in doubles)
    (param $abovePos i32)       ;; i32[a]: the above node's preorder position
    (param $aboveLeft i32)      ;; i32[a]: the path's direction there (1 = left)
    (param $aboveSlot i32)      ;; i32[a]: the key bit it clears on disagreement
    (param $features i32)       ;; i32[]: the tables' features, as byte offsets in a row's values (feature · 8)
    (param $tables i32)         ;; f64[]: the tables' entries
    (local $r i32) (local $q i32) (local $d i64) (local $t i32) (local $m i32) (local $table i32)
    (local $first i32) (local $from i32) (local $to i32) (local $a i32) (local $bits i32) (local $shift i64)
    (local $innerMask i32) (local $full i32) (local $key i32) (local $entry i32) (local $row i32) (local $k i32)
    (local $addr i32) (local $t4 i32) (local $last i32)

    ;; 1. dirs[r] = OR over pairs of dirTables[pairTable[q] + codes[r · codeWidth + pairSlot[q]]], pair by
    ;; pair over all rows (the pair's words stay in cache)
    (local.set $r (i32.const 0))
    (block $rows_done
      (loop $next_row
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $count)))
        (i64.store (i32.add (local.get $dirs) (i32.shl (local.get $r) (i32.const 3))) (i64.const 0))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $next_row)))
    (block $pairs_done
      (loop $next_pair
        (br_if $pairs_done (i32.ge_u (local.get $q) (local.get $pairCount)))
        (local.set $table (i32.add (local.get $dirTables) (i32.shl (i32.load (i32.add (local.get $pairTable) (i32.shl (local.get $q) (i32.const 2)))) (i32.const 3))))
        (local.set $k (i32.add (local.get $codes) (i32.load (i32.add (local.get $pairSlot) (i32.shl (local.get $q) (i32.const 2))))))
        (local.set $addr (local.get $dirs))
        (local.set $last (i32.add (local.get $dirs) (i32.shl (local.get $count) (i32.const 3))))
        (block $rows_done
          (loop $next_row
            (br_if $rows_done (i32.ge_u (local.get $addr) (local.get $last)))
            (i64.store (local.get $addr) (i64.or (i64.load (local.get $addr))
              (i64.load (i32.add (local.get $table) (i32.shl (i32.load8_u (local.get $k)) (i32.const 3))))))
            (local.set $k (i32.add (local.get $k) (local.get $codeWidth)))
            (local.set $addr (i32.add (local.get $addr) (i32.const 8)))
            (br $next_row)))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $next_pair)))

    ;; 2. per table, per row: key, then phi[r · p + features[first + k]] += tables[entry + k] for k < m
    (block $tables_done
      (loop $next_table
        (br_if $tables_done (i32.ge_u (local.get $t) (local.get $tableCount)))
        (local.set $t4 (i32.shl (local.get $t) (i32.const 2)))
        (local.set $m (i32.load (i32.add (local.get $width) (local.get $t4))))
        (local.set $table (i32.load (i32.add (local.get $tableStart) (local.get $t4))))
        ;; the table's features as a range of byte addresses
        (local.set $first (i32.add (local.get $features) (i32.shl (i32.load (i32.add (local.get $featureStart) (local.get $t4))) (i32.const 2))))
        (local.set $last (i32.add (local.get $first) (i32.shl (local.get $m) (i32.const 2))))
        (local.set $from (i32.load (i32.add (local.get $aboveStart) (local.get $t4))))
        (local.set $to (i32.add (local.get $from) (i32.load (i32.add (local.get $aboveCount) (local.get $t4)))))
        (local.set $bits (i32.load (i32.add (local.get $mP) (local.get $t4))))
        (local.set $full (i32.sub (i32.shl (i32.const 1) (local.get $bits)) (i32.const 1)))
        (local.set $shift (i64.extend_i32_u (i32.load (i32.add (local.get $innerShift) (local.get $t4)))))
        (local.set $innerMask (i32.sub (i32.shl (i32.const 1) (i32.load (i32.add (local.get $innerCount) (local.get $t4)))) (i32.const 1)))
        (local.set $r (i32.const 0))
        (block $rows_done
          (loop $next_row
            (br_if $rows_done (i32.ge_u (local.get $r) (local.get $count)))
            (local.set $d (i64.load (i32.add (local.get $dirs) (i32.shl (local.get $r) (i32.const 3)))))
            ;; key = agreement with the path above | directions inside << mP
            (local.set $key (i32.or (local.get $full)
              (i32.shl (i32.and (i32.wrap_i64 (i64.shr_u (local.get $d) (local.get $shift))) (local.get $innerMask)) (local.get $bits))))
            (local.set $a (local.get $from))
            (block $above_done
              (loop $next_above
                (br_if $above_done (i32.ge_u (local.get $a) (local.get $to)))
                ;; key &= ~(((d >> pos) ^ left) & 1) << slot)
                (local.set $key (i32.and (local.get $key)
                  (i32.xor (i32.const -1)
                    (i32.shl
                      (i32.and
                        (i32.xor
                          (i32.wrap_i64 (i64.shr_u (local.get $d) (i64.extend_i32_u (i32.load (i32.add (local.get $abovePos) (i32.shl (local.get $a) (i32.const 2)))))))
                          (i32.load (i32.add (local.get $aboveLeft) (i32.shl (local.get $a) (i32.const 2)))))
                        (i32.const 1))
                      (i32.load (i32.add (local.get $aboveSlot) (i32.shl (local.get $a) (i32.const 2))))))))
                (local.set $a (i32.add (local.get $a) (i32.const 1)))
                (br $next_above)))
            ;; the entry's doubles, each added to the row's value of its feature (`features` holds byte offsets)
            (local.set $entry (i32.add (local.get $tables) (i32.shl (i32.add (local.get $table) (i32.mul (local.get $key) (local.get $m))) (i32.const 3))))
            (local.set $row (i32.add (local.get $phi) (i32.shl (i32.mul (local.get $r) (local.get $p)) (i32.const 3))))
            (local.set $k (local.get $first))
            (block $features_done
              (loop $next_feature
                (br_if $features_done (i32.ge_u (local.get $k) (local.get $last)))
                (local.set $addr (i32.add (local.get $row) (i32.load (local.get $k))))
                (f64.store (local.get $addr) (f64.add (f64.load (local.get $addr)) (f64.load (local.get $entry))))
                (local.set $entry (i32.add (local.get $entry) (i32.const 8)))
                (local.set $k (i32.add (local.get $k) (i32.const 4)))
                (br $next_feature)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $next_row)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $next_table)))
  )
)
