#!/usr/bin/env bash
# Side-by-side load test: each target in turn on core 0, the load generator on core 1, same scenario, one table.
# Usage: bench/run.sh [gateways] [node]   (env: CLIENTS=100 SECONDS_PER_RUN=10 RUNS=3)
# Only the echo scenario exists so far; fanout, connect, idle and raw-echo are the next steps of the performance issue.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=("${@:-gateways node}")
read -r -a targets <<<"${targets[*]}"
clients=${CLIENTS:-100}
seconds=${SECONDS_PER_RUN:-10}
runs=${RUNS:-3}
port=3190

dotnet build bench/BenchServer -c Release -nologo -v q >/dev/null
dotnet build bench/LoadGen -c Release -nologo -v q >/dev/null
(cd bench/node-reference && [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

start_target() {
  case "$1" in
    gateways) taskset -c 0 dotnet bench/BenchServer/bin/Release/net10.0/BenchServer.dll --urls "http://127.0.0.1:$port" >/dev/null 2>&1 & ;;
    node) taskset -c 0 node bench/node-reference/server.mjs "$port" >/dev/null 2>&1 & ;;
    *) echo "unknown target $1" >&2; exit 2 ;;
  esac
  target_pid=$!
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return; sleep 0.1; done
  echo "target $1 did not start" >&2; exit 1
}

printf '%-10s %8s %10s %10s %10s %14s %16s\n' target clients acks/s p50_ms p99_ms server_us/ack loadgen_us/ack
for target in "${targets[@]}"; do
  start_target "$target"
  # Warm-up: the JIT and the connection pools, not measured.
  taskset -c 1 dotnet bench/LoadGen/bin/Release/net10.0/LoadGen.dll --url "http://127.0.0.1:$port" --clients "$clients" --seconds 3 >/dev/null
  results=()
  for _ in $(seq "$runs"); do
    before=$(cpu_ticks "$target_pid")
    line=$(taskset -c 1 dotnet bench/LoadGen/bin/Release/net10.0/LoadGen.dll --url "http://127.0.0.1:$port" --clients "$clients" --seconds "$seconds")
    after=$(cpu_ticks "$target_pid")
    acks=$(sed -n 's/.* acks=\([0-9]*\).*/\1/p' <<<"$line")
    server_us=$(awk -v t=$((after - before)) -v a="$acks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", a ? t / hz * 1e6 / a : 0 }')
    results+=("$line server_us_per_ack=$server_us")
  done
  kill "$target_pid"; wait "$target_pid" 2>/dev/null || true
  # The median run by acks/s.
  median=$(printf '%s\n' "${results[@]}" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^acks_per_s=/) { split($i, kv, "="); print kv[2], $0 } }' | sort -n | awk -v n="${#results[@]}" 'NR == int((n + 1) / 2) { $1 = ""; print }')
  field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<" $median"; }
  printf '%-10s %8s %10s %10s %10s %14s %16s\n' "$target" "$clients" "$(field acks_per_s)" "$(field p50_ms)" "$(field p99_ms)" "$(field server_us_per_ack)" "$(field loadgen_cpu_us_per_ack)"
done
