#!/usr/bin/env bash
# The PoC table on the demo through stored evaluations (issue 19 point 6): on the workspace the
# distillation recipe made (OUT/ws, packaging/demo-distill-recipe.sh OUT), add N_EVAL held-out
# items of world seed 1001 (all in the eval split), then evaluate on them: the base's direct
# answers, the teacher two-step per prompt and as the six-prompt ensemble, and every student of
# the recipe; then compare (per family with intervals, cost per answer, paired significance).
# Usage: packaging/demo-eval-recipe.sh OUT   (env: SDRT, N_EVAL)
set -euo pipefail
OUT=${1:?usage: $0 OUT (the folder of demo-distill-recipe.sh)}
SDRT=${SDRT:-build/app/sdrt}
N_EVAL=${N_EVAL:-2000}
WS="$OUT/ws"
t0=$(date +%s)
stamp() { echo "[$(( $(date +%s) - t0 )) s] $*" | tee -a "$OUT/eval-recipe.log"; }
if [ ! -d "$OUT/heldout" ]; then
  stamp "adding $N_EVAL held-out items (seed 1001, eval split)"
  "$SDRT" demo make-data "$OUT/heldout" --items "$N_EVAL" --seed 1001 --eval-fraction 1 >/dev/null
  "$SDRT" import "$WS" "$OUT/heldout" >/dev/null
fi
run() { # name, then sdrt eval arguments
  local name=$1; shift
  local prev
  prev=$("$SDRT" eval "$WS" --resume "$name" 2>/dev/null | tail -1) || true
  case "$prev" in *'"event":"done"'*) stamp "$name resumed and done"; return ;; *'is done'*) stamp "$name already done"; return ;; esac
  "$SDRT" eval "$WS" --name "$name" --split eval --batch 16 "$@" >"$OUT/$name.jsonl" || true
  stamp "$name: $(tail -1 "$OUT/$name.jsonl" | cut -c1-160)"
}
run base-direct --model teacher
for p in count-measure decompose defect-inspection drawing-note-crosscheck reasoning-path text-layout; do
  run "teacher-$p" --model teacher --mode "two-step:$p"
done
run teacher-ensemble --model teacher --mode ensemble
for s in full no-adapter no-skip no-ensemble no-hidden; do
  run "student-$s" --model "$s"
done
"$SDRT" compare "$WS" base-direct teacher-ensemble student-full student-no-adapter student-no-skip student-no-ensemble student-no-hidden \
  --html "$OUT/poc.html" --csv "$OUT/poc.csv" --force | tee "$OUT/poc.txt"
"$SDRT" compare "$WS" teacher-ensemble student-full --force --csv "$OUT/student-vs-teacher.csv" | grep -A6 '−' | tee -a "$OUT/poc.txt"
stamp done
