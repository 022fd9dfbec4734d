#!/usr/bin/env bash
# Side-by-side load test. Each target runs in turn on core 0, the load generator on core 1; every target gets the same
# scenarios and load, and one table compares them (ratios against Node's socket.io and against raw Kestrel).
#
#   bench/run.sh [gateways] [direct] [node] [bun] [raw]    gateways, node, bun and raw by default
#
# Environment (defaults in brackets):
#   SCENARIOS [echo fanout connect idle]   ECHO_CLIENTS [100 1000]   FANOUT_CLIENTS [1000 10000]
#   CONNECT_CONCURRENCY [10]   IDLE_CLIENTS [2000]   INFLIGHT [16] (broadcasts in flight)   PAYLOAD [16]
#   SECONDS_PER_RUN [10]   RUNS [3] (the median run by rate is shown)   WARMUP_SECONDS [30] (tiered JIT settles)
#   SMOKE=1: seconds-long, tiny loads (CI)
#   IO_QUEUES: Kestrel's IOQueueCount for both .NET servers [Kestrel's default]; 0 trades broadcast batching for echo
#   latency. DOTNET_* variables given to run.sh reach both .NET servers too (see docs/performance.md, "Tuning").
# Targets: gateways = bench/BenchServer, direct = the same with UseGatewaysWebSockets() (WebSockets answered on the
#   connection, no Kestrel HTTP/1.1 objects under them), node = bench/node-reference (socket.io 4.8 on Node),
#   bun = bench/bun-reference (the same socket.io on Bun with @socket.io/bun-engine; bun from npm), raw = bench/RawKestrel.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${SMOKE:-0}" = 1 ]; then
  : "${ECHO_CLIENTS:=10}" "${FANOUT_CLIENTS:=20}" "${CONNECT_CONCURRENCY:=2}" "${IDLE_CLIENTS:=20}" "${SECONDS_PER_RUN:=1}" "${RUNS:=1}" "${WARMUP_SECONDS:=0}"
fi
read -r -a targets <<<"${*:-gateways node bun raw}"
read -r -a scenarios <<<"${SCENARIOS:-echo fanout connect idle}"
echo_clients=${ECHO_CLIENTS:-100 1000}
fanout_clients=${FANOUT_CLIENTS:-1000 10000}
concurrency=${CONNECT_CONCURRENCY:-10}
idle_clients=${IDLE_CLIENTS:-2000}
inflight=${INFLIGHT:-16}
payload=${PAYLOAD:-16}
seconds=${SECONDS_PER_RUN:-10}
runs=${RUNS:-3}
warmup=${WARMUP_SECONDS:-30}
kestrel_args=()
if [ -n "${IO_QUEUES:-}" ]; then kestrel_args=(--io-queues "$IO_QUEUES"); fi
base_port=$((3190 + RANDOM % 500))
results=$(mktemp)
rounds=$(mktemp)
trap 'rm -f "$results" "$rounds"; stop_targets' EXIT

for project in BenchServer RawKestrel LoadGen; do dotnet build "bench/$project" -c Release -nologo -v q >/dev/null; done
for reference in node-reference bun-reference; do
  (cd "bench/$reference" && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; })
done

# The generator runs its socket continuations inline: one thread-pool hop less per message on its core.
loadgen() { DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 taskset -c 1 dotnet bench/LoadGen/bin/Release/net10.0/LoadGen.dll "$@"; }

# Every target of the run listens at once on core 0, each on its own port; runs alternate between targets, so a slow
# spell of the machine (runs differ by up to ±25% here) hits every target alike instead of one.
declare -A pids=() ports=()
started=0
start_target() {
  local target=$1 port=$((base_port + started))
  started=$((started + 1))
  case "$target" in
    gateways) taskset -c 0 dotnet bench/BenchServer/bin/Release/net10.0/BenchServer.dll --urls "http://127.0.0.1:$port" ${kestrel_args[@]+"${kestrel_args[@]}"} >/dev/null 2>&1 & ;;
    direct) taskset -c 0 dotnet bench/BenchServer/bin/Release/net10.0/BenchServer.dll --urls "http://127.0.0.1:$port" --direct-websockets true ${kestrel_args[@]+"${kestrel_args[@]}"} >/dev/null 2>&1 & ;;
    raw) taskset -c 0 dotnet bench/RawKestrel/bin/Release/net10.0/RawKestrel.dll --urls "http://127.0.0.1:$port" ${kestrel_args[@]+"${kestrel_args[@]}"} >/dev/null 2>&1 & ;;
    node) taskset -c 0 node bench/node-reference/server.mjs "$port" >/dev/null 2>&1 & ;;
    bun) taskset -c 0 bench/bun-reference/node_modules/.bin/bun bench/bun-reference/server.mjs "$port" >/dev/null 2>&1 & ;;
    *) echo "unknown target $target (gateways, direct, node, bun, raw)" >&2; exit 2 ;;
  esac
  pids[$target]=$!
  ports[$target]=$port
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return; sleep 0.1; done
  echo "target $target did not start" >&2; exit 1
}
stop_targets() {
  local target
  for target in ${pids[@]+"${!pids[@]}"}; do kill "${pids[$target]}" 2>/dev/null || true; wait "${pids[$target]}" 2>/dev/null || true; done
  pids=(); ports=(); started=0
}
protocol_of() { if [ "$1" = raw ]; then echo raw; else echo socketio; fi; }
on() { local target=$1; shift; loadgen --url "http://127.0.0.1:${ports[$target]}" --protocol "$(protocol_of "$target")" "$@"; }

# One configuration on every target: fresh servers, a warm-up each, then RUNS rounds over the targets; records each
# target's median run by rate, with the server's CPU over the measured window, and every run's rate by round (the
# ratios are taken within a round: the targets of one round ran back to back, in the same mood of the machine).
measure() {
  local scenario=$1 size=$2; shift 2
  for target in "${targets[@]}"; do start_target "$target"; done
  if [ "$warmup" -gt 0 ]; then
    for target in "${targets[@]}"; do on "$target" --scenario "$scenario" --seconds "$warmup" "$@" >/dev/null; done
  fi
  declare -A lines=()
  local round line
  for round in $(seq "$runs"); do
    for target in "${targets[@]}"; do
      line=$(on "$target" --scenario "$scenario" --seconds "$seconds" --server-pid "${pids[$target]}" "$@")
      lines[$target]="${lines[$target]:-}$line"$'\n'
      echo "target=$target label=$scenario size=$size round=$round $line" >>"$rounds"
    done
  done
  stop_targets
  for target in "${targets[@]}"; do
    printf '%s' "${lines[$target]}" | awk '
      { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "rate") rate = kv[2] } print rate, $0 }' |
      sort -n | awk -v n="$runs" -v target="$target" -v label="$scenario" -v size="$size" \
        'NR == int((n + 1) / 2) { $1 = ""; print "target=" target " label=" label " size=" size $0 }' >>"$results"
  done
}

measure_idle() {
  local target=$1
  start_target "$target"
  # A few connections first, so that start-up allocations are not counted per connection.
  on "$target" --scenario echo --clients 10 --seconds 1 >/dev/null
  echo "target=$target label=idle size=$idle_clients $(on "$target" --scenario idle --clients "$idle_clients" --seconds 3 --server-pid "${pids[$target]}")" >>"$results"
  stop_targets
}

for scenario in "${scenarios[@]}"; do
  case "$scenario" in
    echo) for n in $echo_clients; do measure echo "$n" --clients "$n" --payload "$payload"; done ;;
    fanout) for n in $fanout_clients; do measure fanout "$n" --clients "$n" --payload "$payload" --inflight "$inflight"; done ;;
    connect) measure connect "$concurrency" --concurrency "$concurrency" ;;
    idle) for target in "${targets[@]}"; do measure_idle "$target"; done ;;
    *) echo "unknown scenario $scenario" >&2; exit 2 ;;
  esac
done

# The table: per scenario and size, each target with ratios against node and raw. "limit" says which side was
# busier: a run where the generator's core was the busier one measured the generator, not the server.
awk '
  function median_ratio(key, t, ref,    r, n, i, j, x, v) {
    n = 0
    for (r = 1; r <= maxround[key]; r++)
      if ((key, t, r) in byround && (key, ref, r) in byround && byround[key, ref, r] > 0) v[++n] = byround[key, t, r] / byround[key, ref, r]
    if (n == 0) return -1
    for (i = 2; i <= n; i++) { x = v[i]; for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  # The rounds file first (empty when only idle ran: FNR == NR would then read the results as rounds).
  FILENAME == ARGV[1] { delete f; for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    key = f["label"] " " f["size"]; byround[key, f["target"], f["round"]] = f["rate"]
    if (f["round"] > maxround[key]) maxround[key] = f["round"]; next }
  { delete f; for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    key = f["label"] " " f["size"]; if (!(key in seen)) { seen[key] = 1; order[++keys] = key }
    t = f["target"]; rows[key, t] = 1; targets[t] = 1
    if (f["label"] == "idle") { value[key, t] = f["kb_per_connection"]; next }
    value[key, t] = f["rate"]; p50[key, t] = f["p50_ms"]; p99[key, t] = f["p99_ms"]
    server_us[key, t] = f["server_us_per_msg"]; loadgen_us[key, t] = f["loadgen_us_per_msg"]
    server_core[key, t] = f["server_core"]; loadgen_core[key, t] = f["loadgen_core"] }
  END {
    printf "%-8s %6s %-9s %11s %9s %9s %10s %11s %9s %9s %9s %9s\n", "scenario", "size", "target", "rate|KB", "p50_ms", "p99_ms", "server_us", "loadgen_us", "vs_node", "vs_bun", "vs_raw", "limit"
    for (k = 1; k <= keys; k++) {
      key = order[k]; split(key, parts, " ")
      for (t in targets) if ((key, t) in rows) {
        vn = ((key, "node") in value && value[key, "node"] > 0) ? sprintf("%.2fx", value[key, t] / value[key, "node"]) : "-"
        vb = ((key, "bun") in value && value[key, "bun"] > 0) ? sprintf("%.2fx", value[key, t] / value[key, "bun"]) : "-"
        vr = ((key, "raw") in value && value[key, "raw"] > 0) ? sprintf("%.2fx", value[key, t] / value[key, "raw"]) : "-"
        if ((m = median_ratio(key, t, "node")) >= 0) vn = sprintf("%.2fx", m)
        if ((m = median_ratio(key, t, "bun")) >= 0) vb = sprintf("%.2fx", m)
        if ((m = median_ratio(key, t, "raw")) >= 0) vr = sprintf("%.2fx", m)
        if (parts[1] == "idle") { printf "%-8s %6s %-9s %11.1f %9s %9s %10s %11s %9s %9s %9s %9s\n", parts[1], parts[2], t, value[key, t], "-", "-", "-", "-", vn, vb, vr, "-"; continue }
        limit = loadgen_core[key, t] > server_core[key, t] ? sprintf("gen %.0f%%", loadgen_core[key, t] * 100) : sprintf("srv %.0f%%", server_core[key, t] * 100)
        printf "%-8s %6s %-9s %11d %9.2f %9.2f %10.1f %11.1f %9s %9s %9s %9s\n", parts[1], parts[2], t, value[key, t], p50[key, t], p99[key, t], server_us[key, t], loadgen_us[key, t], vn, vb, vr, limit
      }
    }
  }' "$rounds" "$results"
echo ".NET servers: IOQueueCount ${IO_QUEUES:-default}, socket inline completions ${DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS:-0}."
echo "rate: acks/s (echo), deliveries/s (fanout), connections/s (connect); KB: server memory per idle connection."
echo "server_us, loadgen_us: CPU per message on each core. limit: the busier core and how busy it was (gen = the generator)."
echo "vs_node, vs_bun, vs_raw: the median over the rounds of the rate ratio within each round (idle: the one measurement)."
