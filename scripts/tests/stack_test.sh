#!/usr/bin/env bash
# Behaviour of scripts/stack.sh: start twice, restart after a crash (SIGKILL, stale pid files), stop leaves
# nothing behind. Prints "N passed, N failed" and exits non-zero on any failure.
# Checks are strings evaluated later, so single quotes are on purpose.
# shellcheck disable=SC2016
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
STACK=scripts/stack.sh
DIR="/tmp/ferry-stack-selftest-$$"
passed=0; failed=0
check() { if eval "$2"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1" >&2; fi; }
trap '$STACK stop "$DIR" >/dev/null 2>&1 || true' EXIT

env_file=$($STACK start "$DIR" 2>/dev/null)
check "start prints the env file" '[ -f "$env_file" ]'
# shellcheck disable=SC1090
source "$env_file"
check "JetStream answers on the monitor port" 'curl -sf "$FERRY_NATS_MONITOR_URL/jsz" | grep -q "\"config\""'
check "PostgreSQL accepts queries" '[ "$(psql "$FERRY_DATABASE_URL" -tAc "select 41+1")" = 42 ]'
nats_pid=$(cat "$DIR/nats/nats.pid"); pg_pid=$(head -1 "$DIR/pg/data/postmaster.pid")

$STACK start "$DIR" >/dev/null 2>&1
check "second start reuses the running servers" '[ "$(cat "$DIR/nats/nats.pid")" = "$nats_pid" ] && [ "$(head -1 "$DIR/pg/data/postmaster.pid")" = "$pg_pid" ]'

psql "$FERRY_DATABASE_URL" -qc "create table survivor(x int); insert into survivor values (7)" >/dev/null
kill -9 "$nats_pid" "$pg_pid"; sleep 0.5
check "status reports down after a crash" '! $STACK status "$DIR" 2>/dev/null'
check "stale pid files are left by the crash" '[ -f "$DIR/nats/nats.pid" ] && [ -f "$DIR/pg/data/postmaster.pid" ]'
$STACK start "$DIR" >/dev/null 2>&1
check "start after a crash brings both back" '$STACK status "$DIR" 2>/dev/null'
# shellcheck disable=SC1090
# shellcheck disable=SC1091
source "$DIR/stack.env"
check "restart keeps the database" '[ "$(psql "$FERRY_DATABASE_URL" -tAc "select x from survivor")" = 7 ]'

# A port taken by someone else: the stack picks another one.
busy_dir="$DIR-busy"
python3 -c 'import socket,time,sys; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1]); sys.stdout.flush(); time.sleep(30)' > "$DIR.port" &
holder=$!
for _ in $(seq 1 50); do [ -s "$DIR.port" ] && break; sleep 0.1; done
busy_port=$(cat "$DIR.port")
mkdir -p "$busy_dir/nats"; echo "$busy_port" > "$busy_dir/nats/port"
$STACK start "$busy_dir" >/dev/null 2>&1
check "a port in use is avoided" '[ "$(cat "$busy_dir/nats/port")" != "$busy_port" ] && $STACK status "$busy_dir" 2>/dev/null'
$STACK stop "$busy_dir" >/dev/null 2>&1
kill "$holder" 2>/dev/null; rm -f "$DIR.port"

nats_pid=$(cat "$DIR/nats/nats.pid"); pg_pid=$(head -1 "$DIR/pg/data/postmaster.pid")
$STACK stop "$DIR" >/dev/null 2>&1
alive() { kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
check "stop ends both servers" '! alive "$nats_pid" && ! alive "$pg_pid"'
check "stop removes the state directory" '[ ! -e "$DIR" ]'
$STACK stop "$DIR" >/dev/null 2>&1
check "stop twice is harmless" 'true'

echo "stack: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
