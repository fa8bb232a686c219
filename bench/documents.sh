#!/usr/bin/env bash
# One 10 MB document fetched by 200 connections at once (wrk), from the hub (a delegate's
# token, the access rules, ETag and Range in force) and from nginx serving the same bytes
# with sendfile: the floor. The hub runs twice: as it ships (documents in demand held in
# memory) and with that memory set to none (every download streams from disk). Rounds
# alternate between the three so all see the same load; the table gives each round and
# the median. Installs nginx and wrk from Debian if they are missing.
# Usage: bench/documents.sh [MB] [CONNECTIONS] [SECONDS] [ROUNDS]   (default 10 200 10 3)
# HUB=path/to/hub measures another build of the hub.
set -euo pipefail
# Plain HTTP, like the floors beside it (the baseline, nginx); the swarm speaks no TLS.
export HUB_TLS=off
cd "$(dirname "$0")/.."
mb=${1:-10}
connections=${2:-200}
seconds=${3:-10}
rounds=${4:-3}

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
  echo "documents bench: installing ${missing[*]}" >&2
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get install -y -q "${missing[@]}" >/dev/null
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
ulimit -n 20000 2>/dev/null || true

if [ -z "${HUB:-}" ]; then
  cargo build --release -q -p hub
fi
hub="${HUB:-${CARGO_TARGET_DIR:-target}/release/hub}"
work=$(mktemp -d)
chmod 755 "$work"
trap 'kill $(jobs -p) 2>/dev/null || true; kill "$(cat "$work/nginx.pid" 2>/dev/null)" 2>/dev/null; rm -rf "$work"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The document: random bytes (nothing compresses them on the way).
mkdir -p "$work/www"
head -c "$((mb * 1024 * 1024))" /dev/urandom > "$work/www/tai-lieu.bin"
chmod 644 "$work/www/tai-lieu.bin"

# A fresh demo hub in $work/$1, its config file's lines in $2, with the file uploaded as an
# internal document; sets url_$1 (the document's URL) and token_$1 (a delegate's token).
start_hub() {
  local data="$work/$1" port meeting hub_url token office document
  mkdir -p "$data"
  printf '%b' "$2" > "$work/$1.toml"
  port=$(free_port)
  RUST_LOG=warn "$hub" demo --config "$work/$1.toml" --delegates 200 --data "$data" \
    --listen "127.0.0.1:$port" > "$work/$1.out" 2> "$work/$1.err" &
  until [ -f "$data/demo.json" ] && grep -q 'Every participant' "$work/$1.out" 2>/dev/null; do sleep 0.2; done
  read -r meeting hub_url token < <(python3 -c '
import json, sys
demo = json.load(open(sys.argv[1]))
delegate = next(p for p in demo["participants"] if p["role"] == "delegate")
print(demo["meeting"], demo["hub_url"].rstrip("/"), delegate["token"])' "$data/demo.json")
  office=$(tr -d '\n' < "$data/secretariat.token")
  document=$(curl -sf -H "Authorization: Bearer $office" \
    -F "title=Tài liệu ${mb} MB" -F classification=internal \
    -F "file=@$work/www/tai-lieu.bin;type=application/octet-stream" \
    "$hub_url/api/v1/meetings/$meeting/documents" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["document"]["id"])')
  printf -v "url_$1" '%s' "$hub_url/api/v1/meetings/$meeting/documents/$document"
  printf -v "token_$1" '%s' "$token"
  curl -sf -H "Authorization: Bearer $token" \
    "$hub_url/api/v1/meetings/$meeting/documents/$document" | cmp - "$work/www/tai-lieu.bin"
}
start_hub memory ''
start_hub disk '[documents]\nmemory_mib = 0\n'

# nginx: as a hall would set it up to serve files, sendfile on, no logging.
nginx_port=$(free_port)
mkdir -p "$work/tmp"
cat > "$work/nginx.conf" <<EOF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx.err;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path $work/tmp;
  proxy_temp_path $work/tmp;
  fastcgi_temp_path $work/tmp;
  uwsgi_temp_path $work/tmp;
  scgi_temp_path $work/tmp;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/www;
  }
}
EOF
"$nginx_bin" -c "$work/nginx.conf" -g 'daemon off;' 2>>"$work/nginx.err" &
until curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/tai-lieu.bin"; do sleep 0.1; done
curl -sf "http://127.0.0.1:$nginx_port/tai-lieu.bin" | cmp - "$work/www/tai-lieu.bin"

# CPU seconds (user + system) spent so far by the processes $@ and their children threads.
cpu_of() {
  local total=0 pid
  for pid in "$@"; do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$total"
}
hub_pid() { pgrep -f -- "--data $work/$1 " | head -1; }
nginx_pids() { echo "$(cat "$work/nginx.pid") $(pgrep -P "$(cat "$work/nginx.pid")" | tr '\n' ' ')"; }
ticks=$(getconf CLK_TCK)

# One wrk run: MB/s, requests/s, latency p50 and p99, non-2xx responses.
measure() {
  # A long timeout: 200 clients sharing the link each wait seconds for 10 MB, and a request
  # wrk gives up on would count its bytes but not itself.
  wrk -t2 -c"$connections" -d"${seconds}s" --timeout 60s --latency "$@" | python3 -c '
import re, sys
out = sys.stdin.read()
def mb(text):
    number, unit = re.match(r"([\d.]+)([KMG]?B)", text).groups()
    return float(number) * {"B": 1 / 2**20, "KB": 1 / 2**10, "MB": 1, "GB": 2**10}[unit]
transfer = mb(re.search(r"Transfer/sec:\s+(\S+)", out).group(1))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)
p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
failed = int(errors.group(1)) if errors else 0
failed += sum(int(n) for n in socket.groups()) if socket else 0
print(f"{transfer:.0f} {rps:.1f} {p50} {p99} {failed}")'
}

echo "Machine: $(nproc) cores; $(date -u +%F); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "One ${mb} MB document, $connections connections, ${seconds} s a run (wrk -t2); MiB/s (requests/s, latency p50 / p99):"
echo
echo "| round | nginx (sendfile) | hub, from memory | hub, from disk | memory / nginx | disk / nginx |"
echo "|---|---|---|---|---|---|"
nginx_all=(); memory_all=(); disk_all=(); cpu_n=(); cpu_m=(); cpu_d=()
# Server CPU ms per MiB sent during one run of `measure` on $2…; $1 names the server.
run() {
  local who=$1 pids before after line
  shift
  case $who in nginx) pids=$(nginx_pids) ;; *) pids=$(hub_pid "$who") ;; esac
  # shellcheck disable=SC2086
  before=$(cpu_of $pids)
  line=$(measure "$@")
  # shellcheck disable=SC2086
  after=$(cpu_of $pids)
  python3 -c "import sys; mb = float(sys.argv[1].split()[0]) * $seconds; print(sys.argv[1], f'{($after - $before) * 1000 / $ticks / max(mb, 1):.2f}')" "$line"
}
for round in $(seq 1 "$rounds"); do
  read -r n_mb n_rps n_p50 n_p99 n_err n_cpu < <(run nginx "http://127.0.0.1:$nginx_port/tai-lieu.bin")
  read -r m_mb m_rps m_p50 m_p99 m_err m_cpu < <(run memory -H "Authorization: Bearer $token_memory" "$url_memory")
  read -r d_mb d_rps d_p50 d_p99 d_err d_cpu < <(run disk -H "Authorization: Bearer $token_disk" "$url_disk")
  [ "$n_err$m_err$d_err" = 000 ] || echo "failed requests (non-2xx, socket errors, timeouts): nginx $n_err, memory $m_err, disk $d_err" >&2
  nginx_all+=("$n_mb"); memory_all+=("$m_mb"); disk_all+=("$d_mb")
  cpu_n+=("$n_cpu"); cpu_m+=("$m_cpu"); cpu_d+=("$d_cpu")
  ratios=$(python3 -c "print(f'{$m_mb / $n_mb:.2f}× | {$d_mb / $n_mb:.2f}×')")
  echo "| $round | $n_mb ($n_rps, $n_p50 / $n_p99) | $m_mb ($m_rps, $m_p50 / $m_p99) | $d_mb ($d_rps, $d_p50 / $d_p99) | $ratios |"
done
python3 -c '
import statistics, sys
n, m, d = (statistics.median(float(x) for x in arg.split()) for arg in sys.argv[1:4])
print(f"| median | {n:.0f} | {m:.0f} | {d:.0f} | **{m / n:.2f}×** | {d / n:.2f}× |")
cn, cm, cd = (statistics.median(float(x) for x in arg.split()) for arg in sys.argv[4:7])
print(f"| server CPU, ms a MiB sent (median) | {cn:.2f} | {cm:.2f} | {cd:.2f} | {cn / cm:.2f}× | {cn / cd:.2f}× |")' \
  "${nginx_all[*]}" "${memory_all[*]}" "${disk_all[*]}" "${cpu_n[*]}" "${cpu_m[*]}" "${cpu_d[*]}"
echo
echo "MiB/s depends on how much of the shared cores each server gets (a hub streaming from disk"
echo "also runs reads on tokio's blocking threads); CPU ms a MiB is each server's own cost."
echo
rss() { echo $(( $(awk '/VmRSS/{print $2}' "/proc/$(hub_pid "$1")/status") / 1024 )); }
echo "Hub RSS after: $(rss memory) MiB (from memory), $(rss disk) MiB (from disk); load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
