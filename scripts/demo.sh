#!/usr/bin/env bash
# The main job on the committed sample workspace: the whole offline pipeline,
# one stage at a time, then a rollback and a re-apply. Runtime files it creates
# (.rtt/keys, .rtt/registry/..., .rtt/state, .rtt/wal, plans/*.plan.json) are
# gitignored; running it again continues from the committed state.
set -euo pipefail
cd "$(dirname "$0")/.."
rtt() { ./node_modules/deno/deno run -q -P=rtt main.ts "$@"; }
step() { printf '\n\033[1m== rtt-deno %s\033[0m\n' "$*"; }

step "init"
rtt init
step "scan --symbols"
rtt scan --symbols
step "doctor"
rtt doctor
step "registry ingest --sign   (the workspace key vouches for the sample manifests)"
rtt registry ingest --sign
step "registry verify"
rtt registry verify
step "registry pack"
rtt registry pack
step "plan --explain"
rtt plan --explain
step "plan verify plans/LATEST"
rtt plan verify "plans/$(cat plans/LATEST)"
step "apply --dry-run"
rtt apply --dry-run
step "apply"
rtt apply
step "status"
rtt status
step "rollback   (back to the graph before this plan, as a new transaction)"
rtt rollback
step "wal log --limit 12"
rtt wal log --limit 12
step "wal verify"
rtt wal verify
step "plan   (re-plan against the rolled-back graph: the old plan is now stale)"
rtt plan
step "apply"
rtt apply
step "status"
rtt status
