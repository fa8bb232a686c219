#!/usr/bin/env bash
# Measures the hub with `tablet swarm` for 200, 1,000 and 2,000 simulated tablets, each
# beside the baseline (a broadcast server with no logic) measured in the same run.
# Usage: bench/run.sh [CLIENTS...]      (default: 200 1000 2000). Prints markdown tables.
# HUB=path/to/hub bench/run.sh 2000 measures another build of the hub (e.g. the one before a
# change, beside the current one in the same session); TABLET likewise for the swarm.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-200 1000 2000}")
[ $# -gt 0 ] || sizes=(200 1000 2000)
ulimit -n 20000 2>/dev/null || true
cargo build --release -q -p hub -p tablet-client
target="${CARGO_TARGET_DIR:-target}/release"
hub="${HUB:-$target/hub}"
tablet="${TABLET:-$target/tablet}"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

"$tablet" baseline --listen 127.0.0.1:0 > "$work/baseline.out" &
baseline_pid=$!
until grep -q 'listening on' "$work/baseline.out" 2>/dev/null; do sleep 0.1; done
baseline_url=$(sed -n 's/^baseline listening on //p' "$work/baseline.out")

echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(date -u +%F)"
for n in "${sizes[@]}"; do
  # A fresh hub per size, so every tablet's check-in is part of the run.
  data="$work/hub-$n"
  RUST_LOG=warn "$hub" demo --delegates "$n" --data "$data" --listen 127.0.0.1:0 > "$work/hub-$n.out" 2>"$work/hub-$n.err" &
  hub_pid=$!
  until [ -f "$data/demo.json" ] && grep -q 'Every participant' "$work/hub-$n.out" 2>/dev/null; do sleep 0.2; done
  echo
  echo "### $n tablets"
  echo
  echo "Load average before the run: $(cut -d" " -f1-3 /proc/loadavg)"
  echo
  "$tablet" swarm --demo "$data/demo.json" --baseline "$baseline_url" --clients "$n" \
    --hub-pid "$hub_pid" --baseline-pid "$baseline_pid"
  kill "$hub_pid"; wait "$hub_pid" 2>/dev/null || true
done
