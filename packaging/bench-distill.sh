#!/usr/bin/env bash
# Distillation figures on a workspace that has approved traces (e.g. the one the demo recipe
# makes): training samples/s and tokens/s with 1 and 2 processes, peak memory (per process),
# trainable against base parameters, adapter size. Each run is a real `sdrt distill` (new run
# names bench-1p-<time>, bench-2p-<time>); the figures are its final JSON line.
# Usage: packaging/bench-distill.sh WS BASE_MODEL [STEPS]
set -euo pipefail
WS=${1:?usage: $0 WS BASE_MODEL [STEPS]}
BASE=${2:?usage: $0 WS BASE_MODEL [STEPS]}
STEPS=${3:-60}
SDRT=${SDRT:-build/app/sdrt}
cfg=$(mktemp)
echo "{\"steps\": $STEPS, \"checkpoint_every\": $STEPS}" > "$cfg"
t=$(date +%s)
for n in 1 2; do
  "$SDRT" distill "$WS" --base "$BASE" --config "$cfg" --name "bench-${n}p-$t" --nproc "$n" 2>/dev/null | tail -1 |
    python3 -c "import json,sys; d=json.loads(sys.stdin.read()); print('processes %d: %.1f samples/s, %.0f tokens/s, %.1f s for %d steps, peak RSS %.0f MB (rank 0), trainable %d of base %d parameters (%.3f%%), adapter %d bytes' % (d['world_size'], d['samples_per_s'], d['tokens_per_s'], d['seconds'], d['steps'], d['peak_rss_mb'], d['trainable_parameters'], d['base_parameters'], 100.0*d['trainable_parameters']/d['base_parameters'], d['adapter_bytes']))"
done
rm -f "$cfg"
