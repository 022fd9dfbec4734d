#!/usr/bin/env bash
# Runs every test of the repository on a fresh machine that has the .NET SDK, Node.js and apt.
# Installs what is missing first (Node.js and chromium from apt, the npm packages the tests drive), then builds and
# runs the tests,
# and ends with one line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")"
root=$(pwd)
out="$root/.test-output"
rm -rf "$out" && mkdir -p "$out"

step() { printf '\n== %s\n' "$*"; }
fail_setup() { echo "setup failed: $*" >&2; echo "0 passed, 1 failed, 0 skipped"; exit 1; }

step "checking tools"
command -v dotnet >/dev/null || fail_setup "the .NET SDK (dotnet) is not on PATH"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  step "installing Node.js from apt"
  (apt-get update -qq && apt-get install -y -qq nodejs npm) || fail_setup "could not install Node.js"
fi

if [ ! -x /usr/bin/chromium ]; then
  step "installing chromium from apt (the chat page's browser test drives it)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) || fail_setup "could not install chromium"
fi

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  step "installing redis-server from apt (the Redis adapter tests use a real one, and a real cluster through redis-cli)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) || fail_setup "could not install redis-server"
fi

step "installing npm packages (tests/node)"
(cd tests/node && npm ci --no-audit --no-fund --loglevel=error) || fail_setup "npm ci in tests/node failed"

step "building"
dotnet build Gateways.sln -c Release -nologo -v q 2>&1 | tail -n 20
[ "${PIPESTATUS[0]}" -eq 0 ] || fail_setup "the build failed"

step "starting redis-server on a free loopback port"
redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
  || node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no > "$out/redis.log" 2>&1 &
redis_pid=$!
trap 'kill "$redis_pid" 2>/dev/null' EXIT
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null && break
  sleep 0.1
done
kill -0 "$redis_pid" 2>/dev/null || fail_setup "redis-server did not start (see $out/redis.log)"
export GATEWAYS_TEST_REDIS_PORT=$redis_port

# Two passes: the tests that build, pack and publish (Category=Build) saturate both cores, so they run after the
# others instead of beside their timing-sensitive network tests. A test that hangs is stopped after its pass's
# --blame-hang-timeout (longer than any test's own deadline) and named in the log: the run still ends with its counts.
step "running tests"
dotnet test Gateways.sln -c Release --no-build -nologo --filter "Category!=Build" --logger "console;verbosity=normal" \
  --blame-hang-timeout 10m --blame-hang-dump-type none \
  --logger "trx" --results-directory "$out" 2>&1 | tee "$out/dotnet-test.log"
test_status=${PIPESTATUS[0]}
step "running the build, package and Native AOT tests"
dotnet test tests/Gateways.Tests -c Release --no-build -nologo --filter "Category=Build" --logger "console;verbosity=normal" \
  --blame-hang-timeout 20m --blame-hang-dump-type none \
  --logger "trx" --results-directory "$out" 2>&1 | tee -a "$out/dotnet-test.log"
build_status=${PIPESTATUS[0]}
[ "$test_status" -ne 0 ] || test_status=$build_status

# One TRX file per test assembly; sum their counters (a skipped test is "notExecuted").
passed=0; failed=0; skipped=0; runs=0
for trx in "$out"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  value() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  passed=$((passed + $(value passed)))
  failed=$((failed + $(value failed) + $(value error) + $(value timeout) + $(value aborted)))
  skipped=$((skipped + $(value notExecuted)))
  runs=$((runs + 1))
done
if [ "$runs" -eq 0 ]; then
  echo "no test results were written (dotnet test exited $test_status)" >&2
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi
if [ "$test_status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
  echo "dotnet test exited $test_status although no test failed; counting that as a failure" >&2
fi
# Name the failed tests last, next to the counts: a CI log is often read from its tail only.
if [ "$failed" -ne 0 ]; then
  echo
  echo "failed tests:"
  node tests/tools/trx-failures.mjs "$out"/*.trx
  # A test stopped by --blame-hang-timeout aborts its assembly's run: named by the blame collector, not in the TRX.
  grep -A1 '^The test running when the crash occurred' "$out/dotnet-test.log" | grep -v '^The test running\|^--' | sed 's/^/  (hung or crashed) /'
fi
echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
