#!/usr/bin/env bash
# The main job on the committed sample workspace: the offline pipeline, one
# stage at a time, printing each stage's result. Runtime files it creates
# (.rtt/keys, .rtt/registry/..., .rtt/state, plans/*.plan.json) are gitignored.
set -euo pipefail
cd "$(dirname "$0")/.."
rtt() { ./node_modules/deno/deno run -q -P=rtt main.ts "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "rtt-deno init"
rtt init
step "rtt-deno scan --symbols"
rtt scan --symbols
step "rtt-deno doctor"
rtt doctor
