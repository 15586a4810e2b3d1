#!/usr/bin/env python3
"""XGBoost hist on the benchmark's synthetic scale set, the very values leadscore fits (written by bench/run.ts
as raw little-endian float64 columns and uint8 labels): fit 100 trees of depth 6 (lr 0.1) on 2 threads and on
1, and predict all rows with 300 trees of depth 6 fitted on the first 100,000 rows. Categorical codes are
given as numbers, as peers.py --scale does.

Usage: /usr/bin/python3 bench/xgboost-scale.py <columns.f64> <labels.u8> <rows> <features>
Prints JSON: {"version", "fit2", "fit1", "predict1", "predict2"} in seconds. Needs python3-xgboost.
"""
import json, sys, time
import numpy as np
import xgboost as xgb

path_x, path_y, rows, p = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
X = np.fromfile(path_x, dtype="<f8").reshape(p, rows).T.copy()
y = np.fromfile(path_y, dtype=np.uint8)
out = {"version": xgb.__version__}
for threads in (2, 1):
    t = time.perf_counter()
    xgb.XGBClassifier(tree_method="hist", n_estimators=100, max_depth=6, learning_rate=0.1, nthread=threads).fit(X, y)
    out[f"fit{threads}"] = time.perf_counter() - t
big = xgb.XGBClassifier(tree_method="hist", n_estimators=300, max_depth=6, learning_rate=0.1, nthread=2).fit(X[:100_000], y[:100_000])
booster = big.get_booster()
for threads in (1, 2):
    booster.set_param({"nthread": threads})
    t = time.perf_counter()
    booster.predict(xgb.DMatrix(X, nthread=threads))
    out[f"predict{threads}"] = time.perf_counter() - t
print(json.dumps(out))
