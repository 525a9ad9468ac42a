#!/bin/bash
# GPU call "parkN": copy payload part N into $PARK (outside the repo copy: it stays while the
# machine is warm); the last part also runs setup.sh (assemble, install wheels, rebuild bases,
# render the data cache, load test) and leaves $PARK/READY.
# usage (repo root): bash .gpu/bin/park.sh N
set -euo pipefail
PARK=${PARK:-/root/park}
BIN=$(cd "$(dirname "$0")" && pwd)
N=$(printf %02d "$1")
TOTAL=$(printf %02d "$(cat "$BIN/NPARTS")")
if [ "$N" = 01 ]; then rm -rf "$PARK"; fi  # a fresh start
mkdir -p "$PARK"
cp "$BIN/SHA256SUMS" "$PARK/SHA256SUMS"
for i in $(seq 1 $((10#$N - 1))); do
  f=$PARK/payload.$(printf %02d "$i")
  [ -f "$f" ] || { echo "FATAL: $f missing: the machine was not warm (a fresh one); start again at park1"; exit 3; }
done
cp ".gpu/p$N/payload.$N" "$PARK/"
# every part so far, checked
for i in $(seq 1 $((10#$N))); do
  ii=$(printf %02d "$i")
  (cd "$PARK" && grep " payload.$ii\$" SHA256SUMS | sha256sum -c --quiet -) \
    || { echo "FATAL: payload part $ii is corrupt"; exit 4; }
done
echo "park: part $N of $TOTAL in $PARK ($(du -sh "$PARK" | cut -f1))"
if [ "$N" = "$TOTAL" ]; then exec bash "$BIN/setup.sh"; fi
