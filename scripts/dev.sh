#!/usr/bin/env bash
# Ferry's main job on one machine: installs what is missing, starts JetStream and PostgreSQL in a temp
# directory, builds Ferry, and runs both sandboxes, the gateway and two workers with generated orders and a
# live summary. Ctrl-C stops everything; nothing is left running. Extra arguments go to `ferry dev`
# (e.g. --rate 20 --duration 60; see `ferry dev --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"

scripts/bootstrap.sh

STACK_DIR="${FERRY_STACK_DIR:-/tmp/ferry-dev-stack}"
cleanup() { scripts/stack.sh stop "$STACK_DIR" || true; }
trap cleanup EXIT INT TERM
# shellcheck disable=SC1090
source "$(scripts/stack.sh start "$STACK_DIR")"

echo "== building ferry (the first build fetches and compiles dependencies: several minutes)"
swift build --product ferry 2>&1 | grep -E "error|warning: unre|Compiling ferry|Build complete" || true
swift build --product ferry >/dev/null

FERRY_LOG_FORMAT="${FERRY_LOG_FORMAT:-json}" .build/debug/ferry dev "$@"
