#!/usr/bin/env bash
# Many connections on one box (docs/performance.md, "Scale on one box"): CLIENTS idle sockets over loopback source
# addresses 127.0.0.x, the server's memory per connection, then BROADCASTS broadcasts to all of them with their
# completion p50/p99. One target at a time, server on core 0, generator on core 1. Not part of CI.
#
#   bench/scale.sh [gateways] [node] [bun] [raw]    gateways by default
#
# Environment: CLIENTS [100000]   BROADCASTS [20]   IDLE_SECONDS [10] (before memory is read)   SOURCES [CLIENTS/25000]
# Needs `ulimit -n` above CLIENTS for both processes: the script raises the soft limit to the hard one, and stops
# with the number this machine allows when that is not enough.
set -euo pipefail
cd "$(dirname "$0")/.."

clients=${CLIENTS:-100000}
broadcasts=${BROADCASTS:-20}
idle_seconds=${IDLE_SECONDS:-10}
read -r -a targets <<<"${*:-gateways}"
# The server needs more than one descriptor per connection beyond its sockets (the runtime maps JIT code through
# memfd: at the limit, it aborts with "Out of memory").
needed=$((clients + 2000))
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt "$needed" ]; then
  echo "scale.sh: $clients clients need $needed open files per process; this machine's hard limit is $hard" \
    "(at most CLIENTS=$((hard - 2000)) here; raise it with 'ulimit -Hn' as root or in limits.conf)" >&2
  exit 2
fi
ulimit -n "$needed"

for project in BenchServer RawKestrel LoadGen; do dotnet build "bench/$project" -c Release -nologo -v q >/dev/null; done
for reference in node-reference bun-reference; do
  (cd "bench/$reference" && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; })
done

port=$((3700 + RANDOM % 200))
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; true' EXIT
for target in "${targets[@]}"; do
  case "$target" in
    gateways) taskset -c 0 dotnet bench/BenchServer/bin/Release/net10.0/BenchServer.dll --urls "http://127.0.0.1:$port" >/dev/null 2>&1 & ;;
    raw) taskset -c 0 dotnet bench/RawKestrel/bin/Release/net10.0/RawKestrel.dll --urls "http://127.0.0.1:$port" >/dev/null 2>&1 & ;;
    node) taskset -c 0 node bench/node-reference/server.mjs "$port" >/dev/null 2>&1 & ;;
    bun) taskset -c 0 bench/bun-reference/node_modules/.bin/bun bench/bun-reference/server.mjs "$port" >/dev/null 2>&1 & ;;
    *) echo "unknown target $target (gateways, node, bun, raw)" >&2; exit 2 ;;
  esac
  pid=$!
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  protocol=socketio; [ "$target" = raw ] && protocol=raw
  # A few connections first, so that start-up allocations are not counted per connection.
  taskset -c 1 dotnet bench/LoadGen/bin/Release/net10.0/LoadGen.dll --url "http://127.0.0.1:$port" --protocol "$protocol" \
    --scenario echo --clients 10 --seconds 1 >/dev/null
  line=$(DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 taskset -c 1 dotnet bench/LoadGen/bin/Release/net10.0/LoadGen.dll \
    --url "http://127.0.0.1:$port" --protocol "$protocol" --scenario scale --clients "$clients" --broadcasts "$broadcasts" \
    --seconds "$idle_seconds" --server-pid "$pid" ${SOURCES:+--sources "$SOURCES"}) || status=$?
  echo "target=$target $line"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  port=$((port + 1))
  [ "${status:-0}" = 0 ] || { echo "scale.sh: $target did not reach every connection or complete every broadcast in time" >&2; exit 1; }
done
