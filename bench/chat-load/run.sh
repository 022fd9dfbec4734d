#!/usr/bin/env bash
# The chat scenario (issue #15, docs/performance.md "The chat sample's tail"): samples/Chat and its Node twin under the
# same load, one after the other, the server on core 0 and the load generator on core 1.
#   bench/chat-load/run.sh [chat] [chat-aot] [node]        chat and node by default; chat-aot is the sample published
#   with Native AOT (its production form), published here first.
# Environment: CLIENTS [1000], DURATION_S [360], SEND_EVERY_MS [5000], BROADCAST_EVERY_MS [10000],
#   RECONNECT_PER_MINUTE [0.01], MINUTE_S [60]; DOTNET_* variables reach the chat sample.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
read -r -a targets <<<"${*:-chat node}"
[ -d node_modules/socket.io-client ] || npm ci --no-audit --no-fund --loglevel=error
dotnet build "$root/samples/Chat" -c Release -nologo -v q >/dev/null
out=$(mktemp -d)
if [[ " ${targets[*]} " == *" chat-aot "* ]]; then
  dotnet publish "$root/samples/Chat" -c Release -nologo -v q -o "$out/chat-aot" >/dev/null
fi
export JWT_SECRET=chat-load-secret-0123456789abcdef0123456789
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
export WS_PORT=$port
for target in "${targets[@]}"; do
  case $target in
    chat) CHAT_DB="$out/$target.db" ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
            taskset -c 0 dotnet "$root/samples/Chat/bin/Release/net10.0/Chat.dll" >"$out/$target.log" 2>&1 & ;;
    chat-aot) CHAT_DB="$out/$target.db" ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
            taskset -c 0 "$out/chat-aot/Chat" >"$out/$target.log" 2>&1 & ;;
    node) taskset -c 0 node chat-twin.mjs >"$out/$target.log" 2>&1 & ;;
    *) echo "unknown target '$target'" >&2; exit 2 ;;
  esac
  server=$!
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.2; done
  echo "== $target (pid $server)" >&2
  taskset -c 1 node load.mjs "http://127.0.0.1:$port" "$server" | tee "$out/$target.json"
  kill "$server"; wait "$server" 2>/dev/null || true
done
echo "results in $out" >&2
