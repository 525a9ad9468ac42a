#!/bin/bash
# GPU call "teacher": train the MPNet teacher into $PARK/teacher; its tarball (split in 15 MiB
# parts) and the log come back through $OUT. Needs $PARK/READY (the park calls, same warm machine).
set -uo pipefail
PARK=${PARK:-/root/park}
PY=${PY:-python3}
BIN=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:?}
[ -f "$PARK/READY" ] || { echo "FATAL: $PARK/READY missing: the machine was not warm; start again at park1"; exit 3; }
SITE=$(cat "$PARK/SITE")
export PYTHONPATH=${SITE:+$SITE:}$PWD PYTHONUNBUFFERED=1 EDGE_GPU_CACHE=$PARK/data.pkl
T_MIN=${T_MIN:-8.6}
T_EPOCHS=${T_EPOCHS:-3}
rm -rf "$PARK/teacher"
t0=$(date +%s)
$PY "$BIN/edge_gpu.py" train --task pii --base "$PARK/mpnet" --dataset pii-mixw \
  --epochs "$T_EPOCHS" --batch-size 64 --lr "${T_LR:-3e-4}" --lora-r 32 --patience 3 --o-weight 0.5 \
  --max-minutes "$T_MIN" --out "$PARK/teacher" > "$OUT/teacher.log" 2>&1
rc=$?
echo "teacher: exit $rc after $(( $(date +%s) - t0 )) s" | tee -a "$OUT/teacher.log"
grep -E "^epoch|^wrote|Error|error" "$OUT/teacher.log" | tail -20
[ $rc -eq 0 ] || exit $rc
tar -czf - -C "$PARK" teacher | split -b 15M -d - "$OUT/teacher.tgz."
ls -la "$OUT"
