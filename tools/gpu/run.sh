#!/bin/bash
# Prints the GPU calls in order: `bash .gpu/run.sh` lists them all; `bash .gpu/run.sh STEP` prints
# one (STEP: park1 .. parkN, teacher, students) as "command:" and "carry:" (JSON) lines.
# Make each call right after the one before (the machine stays warm 30 s; a cold one loses
# /root/park and /tmp/site: then start again at park1 - each call checks and says so).
# Before: .venv/bin/python .gpu/pack.py (builds .gpu/p01.. and .gpu/bin/SHA256SUMS, NPARTS).
# After:  .venv/bin/python .gpu/post.py --fetched FILES_AT_TEACHER FILES_AT_STUDENTS
set -euo pipefail
cd "$(dirname "$0")/.."
N=$(cat .gpu/bin/NPARTS)
step() {
  case "$1" in
    park*)
      i=${1#park}
      [ "$i" -ge 1 ] && [ "$i" -le "$N" ] || { echo "no such step: $1 (park1..park$N)" >&2; exit 2; }
      cmd="bash .gpu/bin/park.sh $i"
      carry="[\".gpu/bin\", \".gpu/p$(printf %02d "$i")\"]"
      [ "$i" -eq "$N" ] && cmd="$cmd  # last part: also setup (unpack, wheels, checks, MPNet rebuild, data cache)" ;;
    teacher) cmd="bash .gpu/bin/teacher.sh"; carry='[".gpu/bin"]' ;;
    students) cmd="bash .gpu/bin/students.sh"; carry='[".gpu/bin"]' ;;
    *) echo "steps: park1..park$N teacher students" >&2; exit 2 ;;
  esac
  echo "step:    $1"
  echo "command: ${cmd%%  #*}"
  echo "carry:   $carry"
  echo "timeout: 600"
}
if [ $# -eq 0 ]; then
  for i in $(seq 1 "$N"); do step "park$i"; echo; done
  step teacher; echo; step students
else
  step "$1"
fi
