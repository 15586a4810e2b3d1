#!/usr/bin/env python3
"""The peers of leadscore's scale-file case, from the same CSV file (bench/scale-csv.ts): pandas read_csv,
then XGBoost hist (100 trees, depth 6, learning rate 0.1, 2 threads) with the five category columns as
pandas categories (enable_categorical), and scikit-learn's LogisticRegression (lbfgs) on the 30 numbers
(missing values filled with the column median) and the categories one-hot.

Usage: /usr/bin/python3 bench/scale-file-peers.py <file.csv> [xgboost|logistic|read ...]  (read: the read alone)
Prints JSON: {"read": s, "xgboost": s, "logistic": s, "versions": {...}, "peakMiB": ...}.
"""
import json, resource, sys, time
import numpy as np
import pandas as pd

path = sys.argv[1]
which = sys.argv[2:] or ["xgboost", "logistic"]
out = {"versions": {"pandas": pd.__version__}}
t = time.perf_counter()
df = pd.read_csv(path)
out["read"] = time.perf_counter() - t
y = df.pop("converted").to_numpy()
df = df.drop(columns=["lead_id"])
cats = [c for c in df.columns if c.startswith("c")]
if "xgboost" in which:
    import xgboost as xgb
    out["versions"]["xgboost"] = xgb.__version__
    t = time.perf_counter()
    X = df.copy()
    for c in cats:
        X[c] = X[c].astype("category")
    xgb.XGBClassifier(tree_method="hist", n_estimators=100, max_depth=6, learning_rate=0.1, nthread=2, enable_categorical=True).fit(X, y)
    out["xgboost"] = time.perf_counter() - t
if "logistic" in which:
    import sklearn
    from sklearn.linear_model import LogisticRegression
    out["versions"]["sklearn"] = sklearn.__version__
    t = time.perf_counter()
    nums = df.drop(columns=cats)
    X = np.hstack([nums.fillna(nums.median()).to_numpy(), pd.get_dummies(df[cats]).to_numpy(dtype=np.float64)])
    X = (X - X.mean(axis=0)) / np.where(X.std(axis=0) > 0, X.std(axis=0), 1)
    LogisticRegression(max_iter=1000).fit(X, y)
    out["logistic"] = time.perf_counter() - t
out["peakMiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
