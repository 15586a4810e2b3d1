#!/usr/bin/env python3
"""Writes the row indices of ../shared/bench/peers.py's split (train_test_split, test_size=0.2, stratified,
random_state=42) as JSON {"train": [...], "test": [...]}, so leadscore can be measured on exactly that split.

Usage: /usr/bin/python3 bench/sklearn-split.py <csv> <target> <positive> <out.json> [--sep ';']
"""
import argparse, json
import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

ap = argparse.ArgumentParser()
ap.add_argument("csv"); ap.add_argument("target"); ap.add_argument("positive"); ap.add_argument("out")
ap.add_argument("--sep", default=",")
a = ap.parse_args()
df = pd.read_csv(a.csv, sep=a.sep)
y = (df[a.target].astype(str).str.upper() == a.positive.upper()).astype(int).values
tr, te = train_test_split(np.arange(len(y)), test_size=0.2, stratify=y, random_state=42)
json.dump({"train": sorted(int(i) for i in tr), "test": sorted(int(i) for i in te)}, open(a.out, "w"))
