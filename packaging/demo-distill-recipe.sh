#!/usr/bin/env bash
# The SDRT loop on the demo world, end to end, measured (issue 18 point 6):
#  (i) the bundled teacher runs the prompt library two-step over the train split of fresh demo
#      items (world seed 7, not the teacher's own training seed),
#  (ii) a SIMULATED reviewer accepts exactly the traces whose answer matches the reference,
#  (iii) distillation: the full student and one ablation per module / loss term,
#  (iv) direct-answer accuracy per task family on N_EVAL held-out items (world seed 1001) of the
#      base, each student, and the teacher's two-step vote over the six prompts.
# Usage: packaging/demo-distill-recipe.sh OUT_DIR   (env: SDRT, N_ITEMS, N_EVAL, STEPS)
set -euo pipefail
OUT=${1:?usage: $0 OUT_DIR}
SDRT=${SDRT:-build/app/sdrt}
TEACHER=${TEACHER:-resources/demo-teacher}
N_ITEMS=${N_ITEMS:-600}
N_EVAL=${N_EVAL:-2000}
STEPS=${STEPS:-300}
mkdir -p "$OUT"
WS="$OUT/ws"
t0=$(date +%s)
stamp() { echo "[$(( $(date +%s) - t0 )) s] $*" | tee -a "$OUT/recipe.log"; }

if [ ! -e "$WS/workspace.sqlite" ] && [ ! -d "$WS/assets" ]; then
  stamp "data: $N_ITEMS demo items (seed 7), workspace $WS"
  "$SDRT" demo make-data "$OUT/data" --items "$N_ITEMS" --seed 7 --force >/dev/null
  "$SDRT" import "$WS" "$OUT/data" --init >/dev/null
  "$SDRT" prompts register "$WS" >/dev/null
  "$SDRT" model register "$WS" "$TEACHER" --name teacher
fi
stamp "(i) teacher two-step over the train split"
"$SDRT" generate "$WS" --model teacher --split train --batch 16 --quiet 2>&1 | tail -3 | tee -a "$OUT/recipe.log"
stamp "(ii) simulated review"
"$SDRT" review accept-matching "$WS" --reviewer simulated-reference-match | tee -a "$OUT/recipe.log"

declare -A CONFIGS=(
  [full]="{}"
  [no-adapter]='{"adapter": false}'
  [no-skip]='{"skip": false}'
  [no-ensemble]='{"ensemble": false}'
  [no-hidden]='{"lambda_hidden": 0}'
)
for run in full no-adapter no-skip no-ensemble no-hidden; do
  if "$SDRT" distill-runs "$WS" | cut -f2,3 | grep -q "^$run	done"; then continue; fi
  echo "${CONFIGS[$run]}" | python3 -c "import json,sys; c=json.load(sys.stdin); c['steps']=$STEPS; print(json.dumps(c))" > "$OUT/$run.json"
  stamp "(iii) distill $run: $(cat "$OUT/$run.json")"
  "$SDRT" distill "$WS" --base teacher --config "$OUT/$run.json" --name "$run" > "$OUT/$run.jsonl"
  tail -1 "$OUT/$run.jsonl" | tee -a "$OUT/recipe.log"
done

stamp "(iv) evaluation on $N_EVAL held-out items (seed 1001)"
"$SDRT" demo eval-teacher "$TEACHER" --items "$N_EVAL" --direct-only --markdown "$OUT/eval-base.md" >/dev/null
stamp "base direct done"
for run in full no-adapter no-skip no-ensemble no-hidden; do
  "$SDRT" demo eval-teacher "$TEACHER" --adapter "$WS/runs/$run" --items "$N_EVAL" --markdown "$OUT/eval-$run.md" >/dev/null
  stamp "student $run done"
done
"$SDRT" demo eval-teacher "$TEACHER" --items "$N_EVAL" --markdown "$OUT/eval-teacher.md" >/dev/null
stamp "teacher two-step vote done"
python3 - "$OUT" <<'PY'
import sys, re, os
out = sys.argv[1]
def table(name):
    rows = {}
    lines = [l for l in open(os.path.join(out, name)) if l.startswith('|')]
    head = [c.strip() for c in lines[0].strip('|\n').split('|')]
    for l in lines[2:]:
        cells = [c.strip() for c in l.strip('|\n').split('|')]
        rows[cells[0]] = dict(zip(head, cells))
    return rows
base = table('eval-base.md'); teacher = table('eval-teacher.md')
runs = ['full', 'no-adapter', 'no-skip', 'no-ensemble', 'no-hidden']
st = {r: table(f'eval-{r}.md') for r in runs}
cols = ['base direct', 'teacher vote'] + [f'student {r}' for r in runs]
print('| family | items | ' + ' | '.join(cols) + ' |')
print('|---|---|' + '---|' * len(cols))
for fam in base:
    vals = [base[fam]['direct'], teacher[fam]['vote']] + [st[r][fam]['direct'] for r in runs]
    print(f"| {fam} | {base[fam]['items']} | " + ' | '.join(vals) + ' |')
PY
stamp "done"
