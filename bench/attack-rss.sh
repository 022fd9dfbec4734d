#!/usr/bin/env bash
# The server's memory around each attack of bench/AttackProbe (docs/security.md, "Memory under attack"):
# RSS and the managed heap after a full GC, before, right after, and 10 s after. Not part of CI.
#   bench/attack-rss.sh [refused-connects|idle-handshakes|binary ...]
# PROBE_DIR=<dir with a built AttackProbe.dll> measures another build (an older commit, say).
set -euo pipefail
cd "$(dirname "$0")/.."
attacks=("$@"); [ ${#attacks[@]} -gt 0 ] || attacks=(refused-connects idle-handshakes idle-handshakes-uncapped binary)
dir=${PROBE_DIR:-bench/AttackProbe/bin/Release/net10.0}
if [ -z "${PROBE_DIR:-}" ]; then dotnet build bench/AttackProbe -c Release -nologo -v q >/dev/null; fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
rss() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
heap() { curl -s "http://127.0.0.1:$port/gc" | awk '{ printf "%.1f", $1 / 1048576 }'; }
printf '%-24s %14s %14s %14s   %s\n' attack "before MB" "after MB" "+10 s MB" "attack output"
for attack in "${attacks[@]}"; do
  env=()
  name=$attack
  if [ "$attack" = idle-handshakes-uncapped ]; then env=(Gateways__EngineIO__MaxPendingSessionsPerAddress=0); name=idle-handshakes; fi
  env "${env[@]}" dotnet "$dir/AttackProbe.dll" serve --port "$port" >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 100); do curl -s "http://127.0.0.1:$port/gc" >/dev/null && break; sleep 0.1; done
  # Warm up the paths the attack takes, so JIT and pools are not counted as the attack's.
  dotnet "$dir/AttackProbe.dll" attack "$name" --port "$port" >/dev/null 2>&1 || true
  sleep 12
  before="$(rss $server) / $(heap)"
  # "After" is read once the attack has printed its summary: everything is sent, and the binary attack's
  # connections are still held open.
  out=$(mktemp)
  HOLD_SECONDS=3 dotnet "$dir/AttackProbe.dll" attack "$name" --port "$port" > "$out" 2>&1 &
  attacker=$!
  while [ ! -s "$out" ] && kill -0 "$attacker" 2>/dev/null; do sleep 0.05; done
  after="$(rss $server) / $(heap)"
  wait "$attacker" || true
  output=$(cat "$out"); rm -f "$out"
  sleep 10
  later="$(rss $server) / $(heap)"
  printf '%-24s %14s %14s %14s   %s\n' "$attack" "$before" "$after" "$later" "$output"
  kill "$server"; wait "$server" 2>/dev/null || true
done
echo "(each cell: RSS / managed heap after a full GC, in MB)"
