#!/usr/bin/env bash
# A structural change's speed, before and after, in one run (issue 24): the same commands on two built
# checkouts, alternated, each a fresh process as a user runs it. Prints one line per command and checkout
# with the median of the wall times (and all of them).
#
#   bash bench/before-after.sh /path/to/old-checkout . 3
set -euo pipefail
old=$(cd "${1:?usage: before-after.sh <old checkout> <new checkout> [repeats]}" && pwd)
new=$(cd "${2:?usage: before-after.sh <old checkout> <new checkout> [repeats]}" && pwd)
repeats=${3:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
sample=$here/data/sample
bank=$here/../shared/datasets/bank-marketing.csv
# 1,000,000 sample leads with distinct ids and CRLF line endings (as bench/golden.sh writes them).
node "$here/bench/distinct-leads.mjs" "$sample/leads.csv" "$scratch/leads-1m.csv" 1000000
node "$new/bin/leadscore.js" train --data "$sample/leads.csv" --target converted --date created_at --models logistic,gbdt --out "$scratch/model" > /dev/null
cases=(
  "train-sample|train --data $sample/leads.csv --target converted --date created_at --models logistic,gbdt --out $scratch/run-@"
  "score-logistic-r0|score --model $scratch/model/logistic.model.json --input $scratch/leads-1m.csv --output $scratch/s-@.csv --reasons 0"
  "score-logistic-r3|score --model $scratch/model/logistic.model.json --input $scratch/leads-1m.csv --output $scratch/s-@.csv"
  "score-gbdt-r0|score --model $scratch/model/gbdt.model.json --input $scratch/leads-1m.csv --output $scratch/s-@.csv --reasons 0"
  "score-gbdt-r3|score --model $scratch/model/gbdt.model.json --input $scratch/leads-1m.csv --output $scratch/s-@.csv"
)
[ -f "$bank" ] && cases+=("train-bank-gbdt|train --data $bank --target y --exclude duration --models gbdt --out $scratch/run-@")
for c in "${cases[@]}"; do
  name=${c%%|*}
  args=${c#*|}
  declare -A times=()
  for r in $(seq "$repeats"); do
    for which in old new; do
      checkout=$old; [ $which = new ] && checkout=$new
      run=${args//@/$which-$r}
      t0=$(date +%s.%N)
      node "$checkout/bin/leadscore.js" $run > /dev/null 2>&1 || { echo "$name ($which) failed" >&2; exit 1; }
      t1=$(date +%s.%N)
      times[$which]+="$(echo "$t1 - $t0" | bc) "
      rm -rf "$scratch"/run-* "$scratch"/s-*
    done
  done
  for which in old new; do
    echo "$name $which median $(echo ${times[$which]} | tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') s (all: ${times[$which]})"
  done
  unset times
done
