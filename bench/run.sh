#!/usr/bin/env bash
# Measures the hub with `tablet swarm` for 200, 2,000 and 5,000 simulated tablets, each
# beside the baseline (a broadcast server with no logic) measured in the same run; then a
# 15-of-20 election of 2,000 tablets, in the open and sealed to a counting committee
# (`tablet swarm --election`), with `hub verify` timed on both published results.
# Usage: bench/run.sh [CLIENTS...]      (default: 200 2000 5000). Prints markdown tables.
#        bench/run.sh election [N]      the election only (default N: 2000)
#        ELECTION=0 bench/run.sh …      no election
#        SPELL=20 bench/run.sh election the tablets vote within 20 s instead of 1 (a hall's
#                                       pace; the 1-second burst is the issue's goal)
#        DOCUMENTS=0 bench/run.sh …     no document figure (bench/documents.sh, beside nginx)
#        START=1 bench/run.sh …         also the start of a hub with 1,000 closed meetings and
#                                       10 million events (bench/closed-meetings.sh: ~5.5 GB
#                                       of disk for a few minutes, deleted after)
#        TLS=1 bench/run.sh …           the hub over HTTPS with its own CA, as a hall runs it:
#                                       the swarm's tablets pin the CA by the join links' ca=
#                                       (one rustls client configuration for all); the
#                                       baseline beside it stays plain WebSocket, the floor
#        TLS=both bench/run.sh …        each size twice, plain HTTP then HTTPS, in one run
# HUB=path/to/hub bench/run.sh 2000 measures another build of the hub (e.g. the one before a
# change, beside the current one in the same session); TABLET likewise for the swarm.
set -euo pipefail
# Plain HTTP by default, like the floors beside it (the baseline, nginx); TLS=1 for HTTPS.
case "${TLS:-0}" in
  0) modes=(off) ;;
  both) modes=(off self-signed) ;;
  *) modes=(self-signed) ;;
esac
cd "$(dirname "$0")/.."
election=${ELECTION:-2000}
if [ "${1:-}" = election ]; then
  election=${2:-2000}
  sizes=()
else
  sizes=("$@")
  [ $# -gt 0 ] || sizes=(200 2000 5000)
fi
# 5,000 tablets are 10,000 descriptors on this machine (both ends), beside the baseline's.
ulimit -n 65536 2>/dev/null || ulimit -n 20000 2>/dev/null || true
# Given both programs (HUB= and TABLET=), nothing is built.
[ -n "${HUB:-}" ] && [ -n "${TABLET:-}" ] || cargo build --release -q -p hub -p tablet-client
target="${CARGO_TARGET_DIR:-target}/release"
hub="${HUB:-$target/hub}"
tablet="${TABLET:-$target/tablet}"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

# The demo seeds through the secretariat's token: thousands of check-ins from one sender,
# past the per-sender budget a hall's secretariat gets (50 a second), so the bench's hub
# gives that one sender room. The tablets each have their own token and budget.
printf '[limits]\nsender_commands_per_second = 100000\nsender_command_burst = 100000\n' > "$work/hub.toml"

# A fresh `hub demo` of $1 delegates in $work/hub-$2; sets hub_pid and data.
start_hub() {
  data="$work/hub-$2"
  HUB_TLS=${HUB_TLS:-off} RUST_LOG=warn "$hub" demo --config "$work/hub.toml" --delegates "$1" --data "$data" --listen 127.0.0.1:0 > "$work/hub-$2.out" 2>"$work/hub-$2.err" &
  hub_pid=$!
  until [ -f "$data/demo.json" ] && grep -q 'Every participant' "$work/hub-$2.out" 2>/dev/null; do sleep 0.2; done
  # The search indexer takes the seeded meeting 300 ms after its last change, and its
  # writer's arena (up to 32 MiB) becomes resident then: let that happen before the swarm
  # reads the hub's memory, or it lands in some runs' "memory per connection" (6 KiB a
  # tablet at 5,000, 160 at 200).
  sleep 3
}

echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(date -u +%F)"
if [ ${#sizes[@]} -gt 0 ]; then
  "$tablet" baseline --listen 127.0.0.1:0 > "$work/baseline.out" &
  baseline_pid=$!
  until grep -q 'listening on' "$work/baseline.out" 2>/dev/null; do sleep 0.1; done
  baseline_url=$(sed -n 's/^baseline listening on //p' "$work/baseline.out")
fi
for n in "${sizes[@]}"; do
  for mode in "${modes[@]}"; do
    # A fresh hub per size, so every tablet's check-in is part of the run.
    HUB_TLS=$mode start_hub "$n" "$n-$mode"
    over="plain HTTP"
    [ "$mode" = off ] || over="HTTPS (the hub's own CA; the baseline stays plain)"
    echo
    echo "### $n tablets, $over"
    echo
    echo "Load average before the run: $(cut -d" " -f1-3 /proc/loadavg)"
    echo
    # A failed target (the swarm prints the other's column and says why) does not stop
    # the sizes and modes after it.
    "$tablet" swarm --demo "$data/demo.json" --baseline "$baseline_url" --clients "$n" \
      --hub-pid "$hub_pid" --baseline-pid "$baseline_pid" || echo "(the swarm failed: see its last lines on stderr)"
    kill "$hub_pid"; wait "$hub_pid" 2>/dev/null || true
  done
done

if [ "$election" -gt 0 ]; then
  HUB_TLS=${modes[-1]} start_hub "$election" election
  echo
  echo "### A 15-of-20 election of $election tablets: in the open, then sealed, all voting within ${SPELL:-1} s"
  echo
  echo "Load average before the run: $(cut -d" " -f1-3 /proc/loadavg)"
  echo
  "$tablet" swarm --demo "$data/demo.json" --clients "$election" --election \
    --members 3 --threshold 2 --vote-within "${SPELL:-1}" --hub-pid "$hub_pid" --save "$work/results"
  echo
  echo "Load average after the run: $(cut -d" " -f1-3 /proc/loadavg)"
  echo
  TIMEFORMAT=%R
  for kind in open sealed; do
    echo "\`hub verify\` of the $kind election's result.json (signature and, sealed, every proof), s:"
    { time "$hub" verify "$work/results/$kind-result.json" --key "$data/signing.pub" > "$work/verify-$kind.out"; } 2>&1 || true
    { grep -o '^[A-Z ]*VALID' "$work/verify-$kind.out" || true; } | tr '\n' ' '; echo
  done
  kill "$hub_pid"; wait "$hub_pid" 2>/dev/null || true
fi

if [ "${DOCUMENTS:-1}" != 0 ]; then
  echo
  echo "### One 10 MB document to 200 connections, beside nginx"
  echo
  HUB="$hub" bench/documents.sh
fi

if [ "${START:-0}" != 0 ]; then
  echo
  echo "### Start: 1,000 closed meetings, 10 million events"
  echo
  bench/closed-meetings.sh "$work/year"
  rm -rf "$work/year"
fi
