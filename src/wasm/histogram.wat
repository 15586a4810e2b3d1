;; The tree learner's two inner loops (models/gbdt/wasm-kernel.ts): building a node's histogram and
;; splitting its rows. Their JavaScript references are `buildHistogram` in models/gbdt/histogram.ts and
;; `partitionRows` in models/gbdt/grow.ts; the tests compare the two to the bit.
;;
;; A bin's (Σ gradient, Σ hessian) pair is one f64x2.add: each bin still adds its rows in row order and the
;; two lanes are IEEE double adds, so the sums are those of the JavaScript loop. All addresses are byte
;; addresses in the one memory the learner lays out (wasm-kernel.ts `kernelLayout`). The memory is shared
;; so that the histogram worker (histogram-worker.js) can run `accumulate*` on it beside the main thread.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; gh[q] = (grad[rows[q]], hess[rows[q]]) for q < m: the node's gradient pairs, gathered once.
  (func (export "gather") (param $rows i32) (param $m i32) (param $grad i32) (param $hess i32) (param $gh i32)
    (local $q i32) (local $row i32) (local $pair i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $q) (local.get $m)))
        (local.set $row (i32.load (i32.add (local.get $rows) (i32.shl (local.get $q) (i32.const 2)))))
        (local.set $pair (i32.add (local.get $gh) (i32.shl (local.get $q) (i32.const 4))))
        (f64.store (local.get $pair)
          (f64.load (i32.add (local.get $grad) (i32.shl (local.get $row) (i32.const 3)))))
        (f64.store offset=8 (local.get $pair)
          (f64.load (i32.add (local.get $hess) (i32.shl (local.get $row) (i32.const 3)))))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $next))))

  ;; For each row q and each of four features j: the pair at out_j + 16 · bins_j[rows[q]] += gh[q].
  ;; Four features per pass over the rows (one load of the row and its pair for four updates).
  (func (export "accumulate4") (param $rows i32) (param $m i32) (param $gh i32)
    (param $bins0 i32) (param $bins1 i32) (param $bins2 i32) (param $bins3 i32)
    (param $out0 i32) (param $out1 i32) (param $out2 i32) (param $out3 i32)
    (local $q i32) (local $row i32) (local $at i32) (local $pair v128)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $q) (local.get $m)))
        (local.set $row (i32.load (i32.add (local.get $rows) (i32.shl (local.get $q) (i32.const 2)))))
        (local.set $pair (v128.load align=8 (i32.add (local.get $gh) (i32.shl (local.get $q) (i32.const 4)))))
        (local.set $at (i32.add (local.get $out0) (i32.shl (i32.load8_u (i32.add (local.get $bins0) (local.get $row))) (i32.const 4))))
        (v128.store align=8 (local.get $at) (f64x2.add (v128.load align=8 (local.get $at)) (local.get $pair)))
        (local.set $at (i32.add (local.get $out1) (i32.shl (i32.load8_u (i32.add (local.get $bins1) (local.get $row))) (i32.const 4))))
        (v128.store align=8 (local.get $at) (f64x2.add (v128.load align=8 (local.get $at)) (local.get $pair)))
        (local.set $at (i32.add (local.get $out2) (i32.shl (i32.load8_u (i32.add (local.get $bins2) (local.get $row))) (i32.const 4))))
        (v128.store align=8 (local.get $at) (f64x2.add (v128.load align=8 (local.get $at)) (local.get $pair)))
        (local.set $at (i32.add (local.get $out3) (i32.shl (i32.load8_u (i32.add (local.get $bins3) (local.get $row))) (i32.const 4))))
        (v128.store align=8 (local.get $at) (f64x2.add (v128.load align=8 (local.get $at)) (local.get $pair)))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $next))))

  ;; As accumulate4 for one feature (the last features of a node when fewer than four are left).
  (func (export "accumulate1") (param $rows i32) (param $m i32) (param $gh i32) (param $bins i32) (param $out i32)
    (local $q i32) (local $row i32) (local $at i32) (local $pair v128)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $q) (local.get $m)))
        (local.set $row (i32.load (i32.add (local.get $rows) (i32.shl (local.get $q) (i32.const 2)))))
        (local.set $pair (v128.load align=8 (i32.add (local.get $gh) (i32.shl (local.get $q) (i32.const 4)))))
        (local.set $at (i32.add (local.get $out) (i32.shl (i32.load8_u (i32.add (local.get $bins) (local.get $row))) (i32.const 4))))
        (v128.store align=8 (local.get $at) (f64x2.add (v128.load align=8 (local.get $at)) (local.get $pair)))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $next))))

  ;; Splits a node's rows by one feature, branch-free: each row is written both to the segment's front (over
  ;; rows already read) and to scratch, and only the side that goesLeft[code] picks advances. Returns the
  ;; left count; the caller copies scratch's rows (the right side) behind the left ones.
  (func (export "partition") (param $segment i32) (param $m i32) (param $codes i32) (param $goesLeft i32) (param $scratch i32) (result i32)
    (local $q i32) (local $row i32) (local $left i32) (local $lefts i32) (local $rights i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $q) (local.get $m)))
        (local.set $row (i32.load (i32.add (local.get $segment) (i32.shl (local.get $q) (i32.const 2)))))
        (local.set $left (i32.load8_u (i32.add (local.get $goesLeft) (i32.load8_u (i32.add (local.get $codes) (local.get $row))))))
        (i32.store (i32.add (local.get $segment) (i32.shl (local.get $lefts) (i32.const 2))) (local.get $row))
        (i32.store (i32.add (local.get $scratch) (i32.shl (local.get $rights) (i32.const 2))) (local.get $row))
        (local.set $lefts (i32.add (local.get $lefts) (local.get $left)))
        (local.set $rights (i32.add (local.get $rights) (i32.xor (local.get $left) (i32.const 1))))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $next)))
    (local.get $lefts))
)
