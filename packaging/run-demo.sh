#!/usr/bin/env bash
# Set up, build, make the demo workspace (once) and open the workbench on it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
bash packaging/build.sh
demo="$here/demo-workspace"
if [ ! -f "$demo/ws/workspace.sqlite" ]; then
  echo "demo: generating the synthetic factory data set and importing it into $demo/ws"
  rm -rf "$demo"
  build/app/sdrt demo make-data "$demo/data" --items 120 --seed 1
  build/app/sdrt import "$demo/ws" "$demo/data" --init
fi
# The prompt library and, once it is bundled, the demo teacher; both registrations are idempotent.
build/app/sdrt prompts register "$demo/ws"
if [ -f resources/demo-teacher/model.safetensors ]; then
  build/app/sdrt model register "$demo/ws" resources/demo-teacher --name demo-teacher --copy
  # Traces to review: every prompt of the library two-step on 24 items (about a minute on two
  # cores, once: a rerun finds them done and adds nothing).
  build/app/sdrt generate "$demo/ws" --model demo-teacher --limit 24 --batch 8 --quiet \
    || echo "demo: some traces failed (reasons above); the workbench opens with the rest"
  # The rest of the loop once (about two minutes on two cores): simulated review, a short
  # distillation run and three evaluations, so the Distill and Compare screens have content.
  bash packaging/demo-loop.sh "$demo/ws" || echo "demo: the distillation/evaluation step failed (messages above); the workbench opens anyway"
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  echo "demo: no display found (DISPLAY is not set); starting the workbench on a virtual X display (Xvfb)."
  exec xvfb-run -a -s "-screen 0 1400x900x24" build/app/sdrt-workbench --review "$demo/ws"
fi
exec build/app/sdrt-workbench --review "$demo/ws"
