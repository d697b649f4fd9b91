#!/usr/bin/env bash
# The whole SDRT loop once on the demo workspace, so that a new user finds every screen with
# content: the demo teacher's traces accepted where their answer matches the reference (a
# SIMULATED reviewer, "simulated-reference-match", not a person), a short distillation run
# (resources/demo-distill.json, about a minute on two cores) and three evaluations on the eval
# split (base direct, teacher two-step ensemble, student direct). Idempotent: a rerun finds the
# run and the evaluations and does nothing; an interrupted one is resumed.
# Usage: packaging/demo-loop.sh WS   (env: SDRT)
set -euo pipefail
WS=${1:?usage: $0 WS}
SDRT=${SDRT:-build/app/sdrt}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
step() { echo "demo: $*"; }
status=$("$SDRT" distill-runs "$WS" 2>/dev/null | awk -F'\t' '$2 == "demo-student" { print $3 }')
if [ -z "$status" ]; then
  step "(1/4) simulated review: accepting the traces whose answer matches the reference"
  "$SDRT" review accept-matching "$WS" --reviewer simulated-reference-match
  step "(2/4) distilling the approved traces into the student demo-student (60 steps)"
  "$SDRT" distill "$WS" --base demo-teacher --config "$here/resources/demo-distill.json" --name demo-student \
    | while IFS= read -r line; do case "$line" in *'"event":"step"'*) printf '.' ;; esac; done
  echo
elif [ "$status" != done ]; then
  step "(2/4) resuming the $status distillation run demo-student"
  "$SDRT" distill "$WS" --resume demo-student >/dev/null
fi
evaluate() { # name, then sdrt eval arguments
  local name=$1 out; shift
  out=$("$SDRT" eval "$WS" --resume "$name" 2>/dev/null | tail -1) || true
  case "$out" in *'"event":"done"'* | *'is done'*) return ;; esac
  # Its summary line in words (the JSON line whole is in the workspace's logs and `sdrt eval --resume`).
  "$SDRT" eval "$WS" --name "$name" --split eval "$@" 2>/dev/null | tail -1 | python3 -c '
import json, sys
d = json.loads(sys.stdin.read() or "{}")
if d.get("event") != "done":
    print("  %s: %s" % (sys.argv[1], d.get("error", "ended without a summary")))
else:
    s = d["scores"]["score"]["all"]
    print("  %s: %d items, score %.1f %% [%.1f, %.1f], %.1f s" % (d["evaluation"], d["items"], 100 * s["value"], 100 * s["low"], 100 * s["high"], d["seconds"]))
' "$name"
}
step "(3/4) evaluating on the eval split: base direct, teacher ensemble, student direct"
evaluate base-direct --model demo-teacher
evaluate teacher-ensemble --model demo-teacher --mode ensemble
evaluate student-direct --model demo-student
step "(4/4) done: Distill shows the run, Compare the three evaluations"
