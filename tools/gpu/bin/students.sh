#!/bin/bash
# GPU call "students": the students named in S_JOBS (default: pii fast03 fast015) at once on the
# one GPU, distilled from $PARK/teacher (or T_ADAPTER); each one's tarball goes to $OUT as soon as it is done (one killed at the limit costs only itself).
set -uo pipefail
PARK=${PARK:-/root/park}
PY=${PY:-python3}
BIN=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:?}
# A teacher trained in an earlier session travels back as its tarball parts in .gpu/tin/
# (teacher.tgz.00, .01, ...; carry ".gpu/tin"): it is unpacked into $PARK/teacher when none is there.
if [ ! -f "$PARK/teacher/adapter_model.safetensors" ] && ls .gpu/tin/teacher.tgz.* > /dev/null 2>&1; then
  rm -rf "$PARK/teacher" && cat .gpu/tin/teacher.tgz.* | tar -xzf - -C "$PARK" && echo "students: teacher from .gpu/tin"
fi
# T_BASE / T_ADAPTER: another teacher, e.g. T_BASE=$PARK/minilm
# T_ADAPTER=quantize/default_adapters/pii (the shipped 6-layer model; no MPNet, no teacher call)
T_BASE=${T_BASE:-$PARK/mpnet}
T_ADAPTER=${T_ADAPTER:-$PARK/teacher}
[ -f "$PARK/READY" ] && [ -f "$T_ADAPTER/adapter_model.safetensors" ] \
  || { echo "FATAL: no $PARK/READY or no teacher: the machine was not warm; start again at park1"; exit 3; }
SITE=$(cat "$PARK/SITE")
export PYTHONPATH=${SITE:+$SITE:}$PWD PYTHONUNBUFFERED=1 EDGE_GPU_CACHE=$PARK/data.pkl
S_JOBS=${S_JOBS:-pii fast03 fast015}
# name | base | lora-r | epochs | patience | o-weight | max-minutes (S_* variables: smoke runs only)
JOBS=(
  "pii|$PARK/minilm|64|${S_EPOCHS_PII:-3}|6|0.8|${S_MIN_PII:-9.3}"
  "fast03|$PARK/minilm:L1|128|${S_EPOCHS_FAST:-7}|3|0.3|${S_MIN_FAST:-9.0}"
  "fast015|$PARK/minilm:L1|128|${S_EPOCHS_FAST:-7}|3|0.15|${S_MIN_FAST:-9.0}"
  "l2o05|$PARK/minilm:L2|64|${S_EPOCHS_L2:-12}|3|0.5|${S_MIN_L2:-9.0}"
  "l2o03|$PARK/minilm:L2|64|${S_EPOCHS_L2:-12}|3|0.3|${S_MIN_L2:-9.0}"
  "p768|$PARK/l2f768|64|${S_EPOCHS_L2:-12}|3|0.3|${S_MIN_L2:-9.0}"
  "p1024|$PARK/l2f1024|64|${S_EPOCHS_L2:-12}|3|0.3|${S_MIN_L2:-9.0}"
  "p768x|$PARK/l2f768|64|${S_EPOCHS_X:-16}|4|0.3|${S_MIN_X:-8.8}"
  "p1024x|$PARK/l2f1024|64|${S_EPOCHS_X:-16}|4|0.3|${S_MIN_X:-8.8}"
)
# p768 / p1024: two layers, feed-forward cut to 768 / 1024 neurons (bin/prune_base.py with
# bin/prune_l2_fN.json on $PARK/minilm -> $PARK/l2fN, made before this call's students run)
for f in 768 1024; do
  if [[ " $S_JOBS " == *" p$f"* ]] && [ ! -f "$PARK/l2f$f/model.safetensors" ]; then
    $PY "$BIN/prune_base.py" --src "$PARK/minilm" --layers 2 --ffn $f \
      --indices "$BIN/prune_l2_f$f.json" --out "$PARK/l2f$f" || exit 3
  fi
done
# S_JOBS="pii fast03": only those (one student alone on the GPU trains faster than three at once)
if [ -n "$S_JOBS" ]; then
  keep=()
  for job in "${JOBS[@]}"; do [[ " $S_JOBS " == *" ${job%%|*} "* ]] && keep+=("$job"); done
  JOBS=("${keep[@]}")
fi
t0=$(date +%s)
for job in "${JOBS[@]}"; do
  IFS='|' read -r name base r ep pat ow mm <<< "$job"
  rm -rf "$PARK/s_$name"
  (
    $PY "$BIN/edge_gpu.py" train --task pii --base "$base" --dataset pii-mixw \
      --teacher-base "$T_BASE" --teacher-adapter "$T_ADAPTER" --unlabelled clinc150:train \
      --batch-size 64 --lr 0.0015 --max-minutes "$mm" --distill-alpha 0.5 --o-weight "$ow" \
      --lora-r "$r" --epochs "$ep" --patience "$pat" --out "$PARK/s_$name" > "$OUT/$name.log" 2>&1
    rc=$?
    echo "$name: exit $rc after $(( $(date +%s) - t0 )) s" | tee -a "$OUT/$name.log"
    [ $rc -eq 0 ] && tar -czf "$OUT/$name.tgz" -C "$PARK" "s_$name"
  ) &
done
wait
for job in "${JOBS[@]}"; do n=${job%%|*}; grep -E "^epoch|^wrote|exit" "$OUT/$n.log" | sed "s/^/$n: /"; done
ls -la "$OUT"
