"""Shared by the benchmark's Python peers: read a dataset and a split file as ../shared/bench/peers.py reads
the data (target to 0/1, booleans as text, object columns categorical)."""
import argparse, json
import pandas as pd


def load_args(description):
    """Parses <csv> <target> <positive> <split.json> [--sep] [--drop] and returns
    (df, y, numeric columns, categorical columns, train rows, test rows)."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("csv"); ap.add_argument("target"); ap.add_argument("positive"); ap.add_argument("split")
    ap.add_argument("--sep", default=","); ap.add_argument("--drop", default="")
    a = ap.parse_args()
    df = pd.read_csv(a.csv, sep=a.sep)
    y = (df.pop(a.target).astype(str).str.upper() == a.positive.upper()).astype(int).values
    df = df.drop(columns=[c for c in a.drop.split(",") if c])
    for c in df.columns:
        if df[c].dtype == bool:
            df[c] = df[c].astype(str)
    cat = [c for c in df.columns if df[c].dtype == object]
    num = [c for c in df.columns if c not in cat]
    split = json.load(open(a.split))
    return df, y, num, cat, split["train"], split["test"]
