#!/bin/bash
# Local (CPU) simulation of the GPU calls: each step runs in a fresh copy of what would travel
# (tracked + untracked-not-ignored files + the step's carry paths), with $OUT, $PARK and $SITE of
# its own, the local venv as python3 and tiny training settings. Prints each call's travel size.
# usage: bash .gpu/sim.sh [STEP ...]   (default: every step in order)
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
SIM=${SIM:-/tmp/gpusim}
export PARK=$SIM/park SITE=$SIM/site PY=$REPO/.venv/bin/python
export SIM_PIP_TAGS="--python-version 3.12 --implementation cp --abi cp312 --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 --only-binary=:all:"
export EDGE_GPU_SMOKE=${EDGE_GPU_SMOKE:-400,100,200} T_MIN=${T_MIN:-0.2} S_MIN_PII=${S_MIN:-0.2} S_MIN_FAST=${S_MIN:-0.2}
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=($(bash "$REPO/.gpu/run.sh" | sed -n 's/^step: *//p'))
for s in "${steps[@]}"; do
  info=$(bash "$REPO/.gpu/run.sh" "$s")
  cmd=$(sed -n 's/^command: //p' <<< "$info")
  carry=$(sed -n 's/^carry: *//p' <<< "$info" | tr -d '[]",')
  tree=$SIM/tree_$s
  rm -rf "$tree" && mkdir -p "$tree"
  (cd "$REPO" && git ls-files -co --exclude-standard -z | rsync -a --from0 --files-from=- ./ "$tree/")
  for c in $carry; do mkdir -p "$tree/$(dirname "$c")" && cp -a "$REPO/$c" "$tree/$c"; done
  bytes=$(find "$tree" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
  export OUT=$SIM/out_$s
  rm -rf "$OUT" && mkdir -p "$OUT"
  echo "=== $s: travels $(awk -v b="$bytes" 'BEGIN {printf "%.2f MiB", b/1048576}') (${#cmd} chars): $cmd"
  t0=$(date +%s)
  (cd "$tree" && bash -c "$cmd") || { echo "=== $s FAILED"; exit 1; }
  echo "=== $s done in $(( $(date +%s) - t0 )) s; OUT: $(ls "$OUT" | tr '\n' ' ')"
  rm -rf "$tree"
done
