#!/usr/bin/env bash
# The whole test suite: installs what is missing, checks the local stack scripts, starts a throwaway
# JetStream nats-server and PostgreSQL for the tests, builds, runs every test, and stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
# Ferry's own targets build with warnings as errors here (Package.swift reads this; dependencies are not affected).
export FERRY_WARNINGS_AS_ERRORS=1

scripts/bootstrap.sh

echo "== shell scripts (shellcheck)"
shellcheck scripts/*.sh scripts/tests/*.sh .ci/run

echo "== swift format lint (the committed .swift-format: 4-space indent, 120 columns, ordered imports)"
swift format lint --strict --recursive --parallel Sources Tests

echo "== local stack script"
scripts/tests/stack_test.sh

echo "== Kubernetes manifests and Dockerfile (offline: kustomize, kubernetes-validate, CRD schemas, consistency)"
scripts/tests/k8s_test.sh

STACK_DIR="/tmp/ferry-test-stack-$$"
cleanup() { scripts/stack.sh stop "$STACK_DIR" || true; }
trap cleanup EXIT INT TERM
# shellcheck disable=SC1090
source "$(scripts/stack.sh start "$STACK_DIR")"

echo "== build"
swift build --build-tests 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Linking|Write|Wrapping|Applying)' || {
    echo "build failed"; exit 1; }
# grep's status hides swift build's: check it explicitly.
swift build --build-tests >/dev/null

echo "== monitoring: alert rules, Alertmanager routes, dashboard queries against a real Prometheus"
scripts/tests/monitoring_test.sh

echo "== load-test runner: its pure parts, then the smoke scenario against a real fleet"
FERRY_BIN=.build/debug/ferry scripts/tests/loadtest_test.sh

# The end-to-end tests start many processes (gateways, workers, sandboxes); they run after the unit and adapter
# tests, not beside them, so timing-sensitive tests are not starved on a 2-core machine.
echo "== unit, adapter and sandbox tests"
swift test --skip-build --skip FerryEndToEndTests "$@"

echo "== end-to-end tests (the real ferry binary)"
swift test --skip-build --filter FerryEndToEndTests --skip LeaseTests "$@"

# One of them measures NetSuite throughput against its bound: they run alone, one after the other.
echo "== end-to-end lease tests (the NetSuite concurrency lease across worker processes)"
swift test --skip-build --filter LeaseTests "$@"
