#!/usr/bin/env python3
"""scikit-learn LogisticRegression(C=1) on a given split, with ../shared/bench/peers.py's encoding
(median imputation + standardisation for numbers, one-hot with min_frequency=10 for text columns).

Usage: /usr/bin/python3 bench/sklearn-same-split.py <csv> <target> <positive> <split.json> [--sep ';'] [--drop a,b]
Prints JSON: {"auc": ..., "fitSeconds": ...}. Needs Debian's python3-sklearn and python3-pandas.
"""
import json, time
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from peer_data import load_args

df, y, num, cat, tr, te = load_args(__doc__)
pre = ColumnTransformer([
    ("num", Pipeline([("imp", SimpleImputer(strategy="median")), ("sc", StandardScaler())]), num),
    ("cat", Pipeline([("imp", SimpleImputer(strategy="constant", fill_value="__missing__")),
                      ("oh", OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=10))]), cat)])
model = Pipeline([("pre", pre), ("lr", LogisticRegression(C=1.0, max_iter=2000))])
t = time.perf_counter(); model.fit(df.iloc[tr], y[tr]); fit = time.perf_counter() - t
p = model.predict_proba(df.iloc[te])[:, 1]
print(json.dumps({"auc": roc_auc_score(y[te], p), "fitSeconds": fit}))
