#!/usr/bin/env bash
# A hub with a year of meetings: builds a data directory of closed meetings through the
# hub's own code (the `closed_meetings` example drives `Meetings`: delegates, check-ins,
# speakers, open votes, then closed), then measures from outside, on the release build, how
# long `hub serve` takes from its start until it has served the first request (the meeting
# list, with the office token), its RSS then, and the first request to one closed meeting
# (which loads it) with the RSS after.
# Usage: bench/closed-meetings.sh DIR [MEETINGS] [EVENTS_EACH]   (default 1000 x 10000)
#        bench/closed-meetings.sh measure DIR                    measure an existing DIR only
# HUB=path/to/hub measures another build of the hub on the same DIR (e.g. the one before
# this change). RUNS=n starts it n times (default 3). PORT picks the port (default 18950).
# The directory is large (about 450 bytes an event): delete it when done.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}/release"
port=${PORT:-18950}
runs=${RUNS:-3}

if [ "${1:-}" = measure ]; then
  dir=${2:?usage: bench/closed-meetings.sh measure DIR}
else
  dir=${1:?usage: bench/closed-meetings.sh DIR [MEETINGS] [EVENTS_EACH]}
  meetings=${2:-1000}
  events=${3:-10000}
  [ ! -e "$dir" ] || { echo "$dir exists: give a new directory, or 'measure $dir'" >&2; exit 1; }
  cargo build --release -q -p hub --bin hub --example closed_meetings
  echo "Building $meetings closed meetings of about $events events each in $dir"
  start=$(date +%s.%N)
  "$target/examples/closed_meetings" "$dir" "$meetings" "$events"
  echo "built in $(echo "$(date +%s.%N) - $start" | bc) s; $(du -sh "$dir" | cut -f1) on disk"
fi
hub="${HUB:-$target/hub}"
[ -x "$hub" ] || cargo build --release -q -p hub --bin hub
# A directory the generator just wrote has no token yet: the hub makes it at its first start,
# and until_served reads it then (the first run's figure includes making it).
token=$(cat "$dir/secretariat.token" 2>/dev/null || true)

rss_kib() { awk '/VmRSS/{print $2}' "/proc/$1/status"; }
now() { date +%s.%N; }
# Seconds from $1 until the GET $2 answers 200 (polled every 10 ms).
until_served() {
  local from=$1 path=$2
  while :; do
    [ -n "$token" ] || token=$(cat "$dir/secretariat.token" 2>/dev/null || true)
    [ "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port$path")" = 200 ] && break
    kill -0 "$pid" 2>/dev/null || { echo "the hub exited; its log:" >&2; tail -20 "$log" >&2; exit 1; }
    sleep 0.01
  done
  echo "$(now) - $from" | bc
}

log=$(mktemp)
trap 'kill "${pid:-}" 2>/dev/null || true; rm -f "$log"' EXIT
echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(date -u +%F); hub: $hub"
echo "Data: $(du -sh "$dir" | cut -f1) in $dir"
echo
echo "| run | start → first request served | RSS then | first request to a closed meeting | RSS after it |"
echo "|---|---|---|---|---|"
for run in $(seq 1 "$runs"); do
  started=$(now)
  # HUB_TLS=off: plain HTTP for a hub that serves HTTPS by default (ignored by one that does not).
  HUB_TLS=off RUST_LOG=warn "$hub" serve --data "$dir" --listen "127.0.0.1:$port" > "$log" 2>&1 &
  pid=$!
  served=$(until_served "$started" /api/v1/meetings)
  token=$(cat "$dir/secretariat.token")
  rss=$(rss_kib "$pid")
  # The meeting list names every meeting; the first is a closed one not yet loaded.
  first=$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/meetings" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["meetings"][0]["meeting"]["id"])')
  asked=$(now)
  loaded=$(until_served "$asked" "/api/v1/meetings/$first")
  rss_after=$(rss_kib "$pid")
  printf '| %s | %.2f s | %d MiB | %.2f s | %d MiB |\n' "$run" "$served" $((rss / 1024)) "$loaded" $((rss_after / 1024))
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
done
