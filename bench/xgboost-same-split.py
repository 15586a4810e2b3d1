#!/usr/bin/env python3
"""XGBoost hist on a given split with ../shared/bench/peers.py's settings (one-hot min_frequency=10 for text
columns, 500 trees, lr 0.05, depth 6, early stopping 50 on 10% of the training rows, 2 threads).

Usage: /usr/bin/python3 bench/xgboost-same-split.py <csv> <target> <positive> <split.json> [--sep ';'] [--drop a,b]
Prints JSON: {"auc": ..., "fitSeconds": ..., "trees": ...}. Needs python3-sklearn, python3-xgboost, python3-pandas.
"""
import json, time
import xgboost as xgb
from sklearn.compose import ColumnTransformer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import OneHotEncoder
from peer_data import load_args

df, y, num, cat, tr, te = load_args(__doc__)
enc = ColumnTransformer([("num", "passthrough", num),
                         ("cat", OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=10), cat)], sparse_threshold=0)
Xtr = enc.fit_transform(df.iloc[tr].fillna({c: "__missing__" for c in cat}))
Xte = enc.transform(df.iloc[te].fillna({c: "__missing__" for c in cat}))
Xfit, Xval, yfit, yval = train_test_split(Xtr, y[tr], test_size=0.1, stratify=y[tr], random_state=42)
m = xgb.XGBClassifier(tree_method="hist", n_estimators=500, learning_rate=0.05, max_depth=6, nthread=2,
                      early_stopping_rounds=50, eval_metric="logloss", random_state=42)
t = time.perf_counter(); m.fit(Xfit, yfit, eval_set=[(Xval, yval)], verbose=False); fit = time.perf_counter() - t
print(json.dumps({"auc": roc_auc_score(y[te], m.predict_proba(Xte)[:, 1]), "fitSeconds": fit, "trees": int(m.best_iteration) + 1}))
