;; The compiled forest's walk (models/gbdt/wasm-forest.ts). Its JavaScript reference is the walk in
;; models/gbdt/predict.ts (`walkBlock`); the tests compare the two to the bit.
;;
;; Every tree is complete to its depth d and stored level by level: node i's children are 2i + 1 (left) and
;; 2i + 2 (right), so a row goes down one level with no branch: i = 2i + 1 + (goes right). A node's
;; right-going codes are a 256-bit set (eight i32 words): the step for a row is
;;   node = base + i;  code = row's code for feature[node];  i = 2i + 1 + bit `code` of rightCodes[node]
;; (word node · 8 + code / 32; i32.shr_u takes the shift mod 32). It is written out per lane below, not
;; called: Node 20 does not inline WebAssembly calls, and a call per step made the walk much slower (BENCHMARKS.md, "Design measurements"). Eight rows are walked side by side, so their loads
;; overlap; leaves are added tree by tree, in the same order as the JavaScript walk, so the sums are identical.
;;
;; Memory (laid out by wasm-forest.ts): the block's rows as one-byte codes (`width` a row), their raw scores
;; (f64), and the forest: per tree its depth, first node and first leaf; per node its feature slot and
;; right-code set; the leaf values.
(module
  (import "env" "memory" (memory 1))

  ;; Adds every tree's leaf to raw[0 .. count) for the block's coded rows.
  (func (export "walk")
    (param $trees i32) (param $codes i32) (param $count i32) (param $width i32) (param $raw i32)
    (param $depth i32) (param $nodeOffset i32) (param $leafOffset i32) (param $feature i32) (param $rightCodes i32) (param $leaves i32)
    (local $t i32) (local $d i32) (local $base i32) (local $leafBase i32) (local $r i32) (local $level i32) (local $node i32) (local $code i32) (local $at i32)
    (local $i0 i32) (local $i1 i32) (local $i2 i32) (local $i3 i32) (local $i4 i32) (local $i5 i32) (local $i6 i32) (local $i7 i32)
    (local $row0 i32) (local $row1 i32) (local $row2 i32) (local $row3 i32) (local $row4 i32) (local $row5 i32) (local $row6 i32) (local $row7 i32)
    (block $trees_done
      (loop $next_tree
        (br_if $trees_done (i32.ge_u (local.get $t) (local.get $trees)))
        (local.set $d (i32.load (i32.add (local.get $depth) (i32.shl (local.get $t) (i32.const 2)))))
        (local.set $base (i32.load (i32.add (local.get $nodeOffset) (i32.shl (local.get $t) (i32.const 2)))))
        ;; the tree's leaves start at leafOffset[t]; i counts from the root, with 2^d − 1 splits above them
        (local.set $leafBase (i32.sub
          (i32.load (i32.add (local.get $leafOffset) (i32.shl (local.get $t) (i32.const 2))))
          (i32.sub (i32.shl (i32.const 1) (local.get $d)) (i32.const 1))))
        (local.set $r (i32.const 0))

        ;; eight rows at a time while eight are left
        (block $eights_done
          (loop $next_eight
            (br_if $eights_done (i32.gt_u (i32.add (local.get $r) (i32.const 8)) (local.get $count)))
            (local.set $row0 (i32.add (local.get $codes) (i32.mul (i32.add (local.get $r) (i32.const 0)) (local.get $width))))
            (local.set $row1 (i32.add (local.get $codes) (i32.mul (i32.add (local.get $r) (i32.const 1)) (local.get $width))))
            (local.set $row2 (i32.add (local.get $codes) (i32.mul (i32.add (local.get $r) (i32.const 2)) (local.get $width))))
            (local.set $row3 (i32.add (local.get $codes) (i32.mul (i32.add (local.get $r) (i32.const 3)) (local.get $width))))
            (local.set $row4 (i32.add (local.get $codes) (i32.mul (i32.add (local.get $r) (i32.const 4)) (local.get $width))))
            (local.set $row5 (i32.add (local.get $codes) (i32.mul (i32.add (local.get $r) (i32.const 5)) (local.get $width))))
            (local.set $row6 (i32.add (local.get $codes) (i32.mul (i32.add (local.get $r) (i32.const 6)) (local.get $width))))
            (local.set $row7 (i32.add (local.get $codes) (i32.mul (i32.add (local.get $r) (i32.const 7)) (local.get $width))))
            (local.set $i0 (i32.const 0)) (local.set $i1 (i32.const 0)) (local.set $i2 (i32.const 0)) (local.set $i3 (i32.const 0))
            (local.set $i4 (i32.const 0)) (local.set $i5 (i32.const 0)) (local.set $i6 (i32.const 0)) (local.set $i7 (i32.const 0))
            (local.set $level (i32.const 0))
            (block $levels_done
              (loop $next_level
                (br_if $levels_done (i32.ge_u (local.get $level) (local.get $d)))
                (local.set $node (i32.add (local.get $base) (local.get $i0)))
                (local.set $code (i32.load8_u (i32.add (local.get $row0) (i32.load (i32.add (local.get $feature) (i32.shl (local.get $node) (i32.const 2)))))))
                (local.set $i0 (i32.add (i32.add (i32.shl (local.get $i0) (i32.const 1)) (i32.const 1))
                  (i32.and (i32.shr_u (i32.load (i32.add (local.get $rightCodes) (i32.shl (i32.add (i32.shl (local.get $node) (i32.const 3)) (i32.shr_u (local.get $code) (i32.const 5))) (i32.const 2)))) (local.get $code)) (i32.const 1))))
                (local.set $node (i32.add (local.get $base) (local.get $i1)))
                (local.set $code (i32.load8_u (i32.add (local.get $row1) (i32.load (i32.add (local.get $feature) (i32.shl (local.get $node) (i32.const 2)))))))
                (local.set $i1 (i32.add (i32.add (i32.shl (local.get $i1) (i32.const 1)) (i32.const 1))
                  (i32.and (i32.shr_u (i32.load (i32.add (local.get $rightCodes) (i32.shl (i32.add (i32.shl (local.get $node) (i32.const 3)) (i32.shr_u (local.get $code) (i32.const 5))) (i32.const 2)))) (local.get $code)) (i32.const 1))))
                (local.set $node (i32.add (local.get $base) (local.get $i2)))
                (local.set $code (i32.load8_u (i32.add (local.get $row2) (i32.load (i32.add (local.get $feature) (i32.shl (local.get $node) (i32.const 2)))))))
                (local.set $i2 (i32.add (i32.add (i32.shl (local.get $i2) (i32.const 1)) (i32.const 1))
                  (i32.and (i32.shr_u (i32.load (i32.add (local.get $rightCodes) (i32.shl (i32.add (i32.shl (local.get $node) (i32.const 3)) (i32.shr_u (local.get $code) (i32.const 5))) (i32.const 2)))) (local.get $code)) (i32.const 1))))
                (local.set $node (i32.add (local.get $base) (local.get $i3)))
                (local.set $code (i32.load8_u (i32.add (local.get $row3) (i32.load (i32.add (local.get $feature) (i32.shl (local.get $node) (i32.const 2)))))))
                (local.set $i3 (i32.add (i32.add (i32.shl (local.get $i3) (i32.const 1)) (i32.const 1))
                  (i32.and (i32.shr_u (i32.load (i32.add (local.get $rightCodes) (i32.shl (i32.add (i32.shl (local.get $node) (i32.const 3)) (i32.shr_u (local.get $code) (i32.const 5))) (i32.const 2)))) (local.get $code)) (i32.const 1))))
                (local.set $node (i32.add (local.get $base) (local.get $i4)))
                (local.set $code (i32.load8_u (i32.add (local.get $row4) (i32.load (i32.add (local.get $feature) (i32.shl (local.get $node) (i32.const 2)))))))
                (local.set $i4 (i32.add (i32.add (i32.shl (local.get $i4) (i32.const 1)) (i32.const 1))
                  (i32.and (i32.shr_u (i32.load (i32.add (local.get $rightCodes) (i32.shl (i32.add (i32.shl (local.get $node) (i32.const 3)) (i32.shr_u (local.get $code) (i32.const 5))) (i32.const 2)))) (local.get $code)) (i32.const 1))))
                (local.set $node (i32.add (local.get $base) (local.get $i5)))
                (local.set $code (i32.load8_u (i32.add (local.get $row5) (i32.load (i32.add (local.get $feature) (i32.shl (local.get $node) (i32.const 2)))))))
                (local.set $i5 (i32.add (i32.add (i32.shl (local.get $i5) (i32.const 1)) (i32.const 1))
                  (i32.and (i32.shr_u (i32.load (i32.add (local.get $rightCodes) (i32.shl (i32.add (i32.shl (local.get $node) (i32.const 3)) (i32.shr_u (local.get $code) (i32.const 5))) (i32.const 2)))) (local.get $code)) (i32.const 1))))
                (local.set $node (i32.add (local.get $base) (local.get $i6)))
                (local.set $code (i32.load8_u (i32.add (local.get $row6) (i32.load (i32.add (local.get $feature) (i32.shl (local.get $node) (i32.const 2)))))))
                (local.set $i6 (i32.add (i32.add (i32.shl (local.get $i6) (i32.const 1)) (i32.const 1))
                  (i32.and (i32.shr_u (i32.load (i32.add (local.get $rightCodes) (i32.shl (i32.add (i32.shl (local.get $node) (i32.const 3)) (i32.shr_u (local.get $code) (i32.const 5))) (i32.const 2)))) (local.get $code)) (i32.const 1))))
                (local.set $node (i32.add (local.get $base) (local.get $i7)))
                (local.set $code (i32.load8_u (i32.add (local.get $row7) (i32.load (i32.add (local.get $feature) (i32.shl (local.get $node) (i32.const 2)))))))
                (local.set $i7 (i32.add (i32.add (i32.shl (local.get $i7) (i32.const 1)) (i32.const 1))
                  (i32.and (i32.shr_u (i32.load (i32.add (local.get $rightCodes) (i32.shl (i32.add (i32.shl (local.get $node) (i32.const 3)) (i32.shr_u (local.get $code) (i32.const 5))) (i32.const 2)))) (local.get $code)) (i32.const 1))))
                (local.set $level (i32.add (local.get $level) (i32.const 1)))
                (br $next_level)))
            (local.set $at (i32.add (local.get $raw) (i32.shl (i32.add (local.get $r) (i32.const 0)) (i32.const 3))))
            (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (f64.load (i32.add (local.get $leaves) (i32.shl (i32.add (local.get $leafBase) (local.get $i0)) (i32.const 3))))))
            (local.set $at (i32.add (local.get $raw) (i32.shl (i32.add (local.get $r) (i32.const 1)) (i32.const 3))))
            (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (f64.load (i32.add (local.get $leaves) (i32.shl (i32.add (local.get $leafBase) (local.get $i1)) (i32.const 3))))))
            (local.set $at (i32.add (local.get $raw) (i32.shl (i32.add (local.get $r) (i32.const 2)) (i32.const 3))))
            (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (f64.load (i32.add (local.get $leaves) (i32.shl (i32.add (local.get $leafBase) (local.get $i2)) (i32.const 3))))))
            (local.set $at (i32.add (local.get $raw) (i32.shl (i32.add (local.get $r) (i32.const 3)) (i32.const 3))))
            (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (f64.load (i32.add (local.get $leaves) (i32.shl (i32.add (local.get $leafBase) (local.get $i3)) (i32.const 3))))))
            (local.set $at (i32.add (local.get $raw) (i32.shl (i32.add (local.get $r) (i32.const 4)) (i32.const 3))))
            (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (f64.load (i32.add (local.get $leaves) (i32.shl (i32.add (local.get $leafBase) (local.get $i4)) (i32.const 3))))))
            (local.set $at (i32.add (local.get $raw) (i32.shl (i32.add (local.get $r) (i32.const 5)) (i32.const 3))))
            (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (f64.load (i32.add (local.get $leaves) (i32.shl (i32.add (local.get $leafBase) (local.get $i5)) (i32.const 3))))))
            (local.set $at (i32.add (local.get $raw) (i32.shl (i32.add (local.get $r) (i32.const 6)) (i32.const 3))))
            (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (f64.load (i32.add (local.get $leaves) (i32.shl (i32.add (local.get $leafBase) (local.get $i6)) (i32.const 3))))))
            (local.set $at (i32.add (local.get $raw) (i32.shl (i32.add (local.get $r) (i32.const 7)) (i32.const 3))))
            (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (f64.load (i32.add (local.get $leaves) (i32.shl (i32.add (local.get $leafBase) (local.get $i7)) (i32.const 3))))))
            (local.set $r (i32.add (local.get $r) (i32.const 8)))
            (br $next_eight)))

        ;; the last rows one at a time
        (block $rows_done
          (loop $next_row
            (br_if $rows_done (i32.ge_u (local.get $r) (local.get $count)))
            (local.set $row0 (i32.add (local.get $codes) (i32.mul (local.get $r) (local.get $width))))
            (local.set $i0 (i32.const 0))
            (local.set $level (i32.const 0))
            (block $levels_done
              (loop $next_level
                (br_if $levels_done (i32.ge_u (local.get $level) (local.get $d)))
                (local.set $node (i32.add (local.get $base) (local.get $i0)))
                (local.set $code (i32.load8_u (i32.add (local.get $row0) (i32.load (i32.add (local.get $feature) (i32.shl (local.get $node) (i32.const 2)))))))
                (local.set $i0 (i32.add (i32.add (i32.shl (local.get $i0) (i32.const 1)) (i32.const 1))
                  (i32.and (i32.shr_u (i32.load (i32.add (local.get $rightCodes) (i32.shl (i32.add (i32.shl (local.get $node) (i32.const 3)) (i32.shr_u (local.get $code) (i32.const 5))) (i32.const 2)))) (local.get $code)) (i32.const 1))))
                (local.set $level (i32.add (local.get $level) (i32.const 1)))
                (br $next_level)))
            (local.set $at (i32.add (local.get $raw) (i32.shl (local.get $r) (i32.const 3))))
            (f64.store (local.get $at) (f64.add (f64.load (local.get $at)) (f64.load (i32.add (local.get $leaves) (i32.shl (i32.add (local.get $leafBase) (local.get $i0)) (i32.const 3))))))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $next_row)))

        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $next_tree))))
)
