#!/usr/bin/env bash
# Golden outputs for a change that must not change them (issue 24: structure only). Trains 15 model
# configurations and scores 1,000,000 sample leads (logistic and gbdt, reasons on and off), then prints one
# line per output: its name and sha256 (model files by their stored contentHash, which covers the model).
# Run it on the code before and after (e.g. a `git worktree` of the old commit) and diff the two listings:
#
#   bash bench/golden.sh /path/to/old-checkout /tmp/golden-old > old.txt
#   bash bench/golden.sh . /tmp/golden-new > new.txt && diff old.txt new.txt
#
# Each checkout must be built (npm run build). bank-marketing and online-shoppers come from ../shared/datasets
# and are left out, with a line saying so, where that folder is absent.
set -euo pipefail
root=$(cd "${1:?usage: golden.sh <checkout> <scratch folder>}" && pwd)
out=${2:?usage: golden.sh <checkout> <scratch folder>}
here=$(cd "$(dirname "$0")/.." && pwd)
sample=$here/data/sample
datasets=$here/../shared/datasets
rm -rf "$out" && mkdir -p "$out"
ls() { node "$root/bin/leadscore.js" "$@" > /dev/null 2> "$out/last.err" || { cat "$out/last.err" >&2; exit 1; }; }

train() { # name, then train's options
  local name=$1; shift
  ls train --out "$out/$name" --seed 7 "$@"
  for model in "$out/$name"/*.model.json; do
    echo "train $name $(basename "$model" .model.json) $(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).contentHash)' "$model")"
  done
  # metrics.json without the fit times
  echo "train $name metrics $(node -e 'console.log(require("crypto").createHash("sha256").update(JSON.stringify(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"), (k, v) => (k === "fitSeconds" ? undefined : v)))).digest("hex").slice(0, 16))' "$out/$name/metrics.json")"
}

base=(--data "$sample/leads.csv" --target converted --date created_at)
train sample "${base[@]}" --models logistic,gbdt
train sample-deep "${base[@]}" --models gbdt --param gbdt.maxDepth=8 --param gbdt.trees=50
train sample-subsample "${base[@]}" --models gbdt --param gbdt.rowSubsample=0.8 --param gbdt.colSubsample=0.7
train sample-balanced "${base[@]}" --models gbdt --param gbdt.classWeight=balanced
train sample-isotonic "${base[@]}" --models gbdt --param gbdt.calibration=isotonic
train sample-c "${base[@]}" --models logistic --param logistic.C=0.1
train sample-time "${base[@]}" --models gbdt --split time
train sample-activities "${base[@]}" --models logistic,gbdt --activities "$sample/activities.csv" --as-of created_at+30d --account account_id
train sample-mlp "${base[@]}" --models mlp --param mlp.epochs=4
if [ -d "$datasets" ]; then
  train bank --data "$datasets/bank-marketing.csv" --target y --exclude duration --models logistic,gbdt
  train shoppers --data "$datasets/online-shoppers-intention.csv" --target Revenue --models logistic,gbdt
else
  echo "bank, shoppers: left out ($datasets is absent)"
fi

# A walk-forward backtest with activity features and outcome dates (its JSON, scores and drafted rules).
ls backtest --data "$sample/leads.csv" --target converted --date created_at --outcome-date converted_at \
  --activities "$sample/activities.csv" --as-of created_at+30d --period quarter --out "$out/backtest"
for f in backtest.json backtest-scores.csv; do echo "backtest $f $(sha256sum < "$out/backtest/$f" | cut -c1-16)"; done
echo "backtest rules $(cat "$out"/backtest/rules/*.yaml | sha256sum | cut -c1-16)"

# 1,000,000 sample leads, each with a distinct id, CRLF line endings.
node "$here/bench/distinct-leads.mjs" "$sample/leads.csv" "$out/leads-1m.csv" 1000000
for model in logistic gbdt; do
  for reasons in 3 0; do
    ls score --model "$out/sample/$model.model.json" --input "$out/leads-1m.csv" --output "$out/scores-$model-$reasons.csv" --reasons $reasons
    echo "score 1M $model reasons=$reasons $(sha256sum < "$out/scores-$model-$reasons.csv" | cut -c1-16)"
  done
done
ls score --model "$out/sample/gbdt.model.json" --input "$out/leads-1m.csv" --output "$out/scores.ndjson"
echo "score 1M gbdt ndjson $(sha256sum < "$out/scores.ndjson" | cut -c1-16)"
