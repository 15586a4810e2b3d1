;; TreeSHAP's leaf loop (models/gbdt/wasm-shap.ts). Its JavaScript reference is `treeShapBlock` in
;; models/gbdt/shap.ts; the tests compare the two to the bit.
;;
;; For one tree and a block of rows: for each leaf table of the tree (shap.ts `FastTree`), every row's
;; pattern of agreement with the leaf's path (bit `slot` set where the row goes the path's way at that node),
;; then the table's entry for that pattern added to the row's SHAP values, feature by feature. The same
;; additions in the same order as the reference, so the values are bit-identical. The nodes' directions
;; (`gl`: per node and row, 1 where the row goes left) are computed in JavaScript (shap.ts `directions`).
;;
;; Memory (laid out by wasm-shap.ts): the block's directions, patterns and values, and every tree's tables.
(module
  (import "env" "memory" (memory 1))

  (func (export "leaves")
    (param $count i32)          ;; rows in the block
    (param $p i32)              ;; features: a row's values are p doubles
    (param $leafCount i32)      ;; the tree's leaf tables
    (param $gl i32)             ;; u8[node · count + row]: 1 where the row goes left at the node
    (param $patterns i32)       ;; i32[row], scratch
    (param $phi i32)            ;; f64[row · p + feature]: the values added to
    ;; the tree's FastTree arrays, per leaf l unless said otherwise
    (param $unique i32)         ;; i32: m, the distinct features on the leaf's path
    (param $pathStart i32)      ;; i32: the leaf's first path node (an index k into the four path arrays)
    (param $pathLength i32)     ;; i32: its path nodes
    (param $pathNode i32)       ;; i32[k]: the node
    (param $pathLeft i32)       ;; u8[k]: 1 where the path goes left there
    (param $pathSlot i32)       ;; i32[k]: the bit of the pattern the node clears on disagreement
    (param $featureStart i32)   ;; i32: the leaf's first entry in `features`
    (param $features i32)       ;; i32[]: the path's distinct features
    (param $tableStart i32)     ;; i32: the leaf's table (in doubles)
    (param $pair i32)           ;; i32: 1 where the leaf shares its table with its sibling (one more pattern bit)
    (param $freeNode i32)       ;; i32: the node whose direction picks between the pair
    (param $tables i32)         ;; f64[]: the tables
    (local $l i32) (local $m i32) (local $full i32) (local $from i32) (local $to i32) (local $twin i32)
    (local $free i32) (local $table i32) (local $first i32) (local $r i32) (local $k i32) (local $at i32)
    (local $left i32) (local $slot i32) (local $entry i32) (local $row i32) (local $addr i32)
    (block $leaves_done
      (loop $next_leaf
        (br_if $leaves_done (i32.ge_u (local.get $l) (local.get $leafCount)))
        (local.set $m (i32.load (i32.add (local.get $unique) (i32.shl (local.get $l) (i32.const 2)))))
        (local.set $full (i32.sub (i32.shl (i32.const 1) (local.get $m)) (i32.const 1)))
        (local.set $from (i32.load (i32.add (local.get $pathStart) (i32.shl (local.get $l) (i32.const 2)))))
        (local.set $to (i32.add (local.get $from) (i32.load (i32.add (local.get $pathLength) (i32.shl (local.get $l) (i32.const 2))))))
        (local.set $twin (i32.load (i32.add (local.get $pair) (i32.shl (local.get $l) (i32.const 2)))))
        (local.set $free (i32.mul (i32.load (i32.add (local.get $freeNode) (i32.shl (local.get $l) (i32.const 2)))) (local.get $count)))
        (local.set $table (i32.load (i32.add (local.get $tableStart) (i32.shl (local.get $l) (i32.const 2)))))
        (local.set $first (i32.load (i32.add (local.get $featureStart) (i32.shl (local.get $l) (i32.const 2)))))

        ;; patterns[r] = every feature agrees
        (local.set $r (i32.const 0))
        (block $rows_done
          (loop $next_row
            (br_if $rows_done (i32.ge_u (local.get $r) (local.get $count)))
            (i32.store (i32.add (local.get $patterns) (i32.shl (local.get $r) (i32.const 2))) (local.get $full))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $next_row)))

        ;; each path node clears its slot where the row goes the other way:
        ;; patterns[r] &= ~((gl[node · count + r] ^ left) << slot)
        (local.set $k (local.get $from))
        (block $path_done
          (loop $next_node
            (br_if $path_done (i32.ge_u (local.get $k) (local.get $to)))
            (local.set $at (i32.add (i32.mul (i32.load (i32.add (local.get $pathNode) (i32.shl (local.get $k) (i32.const 2)))) (local.get $count)) (local.get $gl)))
            (local.set $left (i32.load8_u (i32.add (local.get $pathLeft) (local.get $k))))
            (local.set $slot (i32.load (i32.add (local.get $pathSlot) (i32.shl (local.get $k) (i32.const 2)))))
            (local.set $r (i32.const 0))
            (block $rows_done
              (loop $next_row
                (br_if $rows_done (i32.ge_u (local.get $r) (local.get $count)))
                (local.set $addr (i32.add (local.get $patterns) (i32.shl (local.get $r) (i32.const 2))))
                (i32.store (local.get $addr)
                  (i32.and (i32.load (local.get $addr))
                    (i32.xor
                      (i32.shl (i32.xor (i32.load8_u (i32.add (local.get $at) (local.get $r))) (local.get $left)) (local.get $slot))
                      (i32.const -1))))
                (local.set $r (i32.add (local.get $r) (i32.const 1)))
                (br $next_row)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $next_node)))

        ;; entry = table + ((pattern << twin) | (gl[free + r] & twin)) · m;
        ;; phi[r · p + features[first + k]] += tables[entry + k] for k < m
        (local.set $r (i32.const 0))
        (block $rows_done
          (loop $next_row
            (br_if $rows_done (i32.ge_u (local.get $r) (local.get $count)))
            (local.set $entry (i32.add (local.get $table)
              (i32.mul
                (i32.or
                  (i32.shl (i32.load (i32.add (local.get $patterns) (i32.shl (local.get $r) (i32.const 2)))) (local.get $twin))
                  (i32.and (i32.load8_u (i32.add (i32.add (local.get $gl) (local.get $free)) (local.get $r))) (local.get $twin)))
                (local.get $m))))
            (local.set $row (i32.mul (local.get $r) (local.get $p)))
            (local.set $k (i32.const 0))
            (block $features_done
              (loop $next_feature
                (br_if $features_done (i32.ge_u (local.get $k) (local.get $m)))
                (local.set $addr (i32.add (local.get $phi)
                  (i32.shl
                    (i32.add (local.get $row) (i32.load (i32.add (local.get $features) (i32.shl (i32.add (local.get $first) (local.get $k)) (i32.const 2)))))
                    (i32.const 3))))
                (f64.store (local.get $addr)
                  (f64.add (f64.load (local.get $addr))
                    (f64.load (i32.add (local.get $tables) (i32.shl (i32.add (local.get $entry) (local.get $k)) (i32.const 3))))))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $next_feature)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $next_row)))

        (local.set $l (i32.add (local.get $l) (i32.const 1)))
        (br $next_leaf))))
)
