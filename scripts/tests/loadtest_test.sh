#!/usr/bin/env bash
# The load-test runner: its pure parts (python3 -m unittest: scenario parsing, arrivals, the KEDA/HPA scaling
# rule, percentiles, drain efficiency, recovery, the audit finding a lost and a duplicated order, the charts),
# then the smoke scenario against a real fleet (loadtest/scenarios/smoke.json, about a minute), and its report:
# zero lost, zero duplicated, amounts matching, report.html with its charts.
#
#   FERRY_BIN=.build/debug/ferry scripts/tests/loadtest_test.sh
#
# FERRY_BIN defaults to .build/debug/ferry. Prints "N passed, N failed" and exits non-zero on any failure.
# Checks are strings evaluated later, so single quotes are on purpose.
# shellcheck disable=SC2016,SC2034
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
BIN=${FERRY_BIN:-.build/debug/ferry}
OUT="/tmp/ferry-loadtest-test-$$"
passed=0; failed=0
check() { if eval "$2"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1" >&2; fi; }
trap 'rm -rf "$OUT"' EXIT

check "unit tests of the runner's pure parts pass" 'python3 -m unittest discover -s loadtest/tests 2>&1 | tail -3 >&2; [ "${PIPESTATUS[0]}" -eq 0 ]'
check "the shipped scenarios parse and plan" '(for s in loadtest/scenarios/*.json; do loadtest/run.py "$s" --plan >/dev/null || exit 1; done)'

if [ ! -x "$BIN" ]; then
    echo "FAIL: no ferry binary at $BIN (set FERRY_BIN)" >&2
    echo "$passed passed, $((failed + 1)) failed"
    exit 1
fi
loadtest/run.py loadtest/scenarios/smoke.json --ferry-bin "$BIN" --out "$OUT" --quiet
status=$?  # read by a check below
report="$OUT/report.json"
field() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$report"; }
check "the run exits 0 (every accepted order in NetSuite once, amounts matching)" '[ "$status" -eq 0 ]'
check "report.json is written" '[ -s "$report" ]'
check "orders were accepted and reached NetSuite" '[ "$(field "$report" "r[\"audit\"][\"counts\"][\"in_netsuite\"]")" -gt 50 ]'
check "zero lost" '[ "$(field "$report" "r[\"audit\"][\"counts\"][\"lost\"]")" = 0 ]'
check "zero duplicated" '[ "$(field "$report" "r[\"audit\"][\"counts\"][\"duplicated\"] + r[\"audit\"][\"counts\"][\"duplicated_lines\"]")" = 0 ]'
check "amounts match" '[ "$(field "$report" "r[\"audit\"][\"counts\"][\"amount_mismatches\"]")" = 0 ]'
check "dropped webhooks are counted as not delivered, apart from lost" '[ "$(field "$report" "r[\"audit\"][\"counts\"][\"not_delivered\"] >= 0")" = True ]'
check "the theoretical bound and a latency p95 are reported" '[ "$(field "$report" "r[\"theoretical_bound\"] > 0 and r[\"latency_seconds\"][\"p95\"] > 0")" = True ]'
check "the maintenance window was applied" '[ "$(field "$report" "sum(1 for e in r[\"events\"] if e[\"type\"] == \"maintenance\")")" = 1 ]'
check "report.html has its six charts and no scripts" '[ "$(grep -c "<svg viewBox" "$OUT/report.html")" = 6 ] && ! grep -q "<script" "$OUT/report.html"'
check "the charts show the bound, the queue, latency, replicas, the lease and 429s" '(for t in "theoretical bound" "Queue depth" "End-to-end latency" "Worker replicas" "NetSuite lease" "429s and dead letters"; do grep -q "$t" "$OUT/report.html" || exit 1; done)'
check "the processes' logs are kept" '[ -s "$OUT/logs/gateway-1.log" ] && [ -s "$OUT/logs/worker-1.log" ]'
check "no process of the run is left and its stack is gone" '(for pid in $(field "$report" "\" \".join(str(p[\"pid\"]) for p in r[\"processes\"])"); do ! kill -0 "$pid" 2>/dev/null || exit 1; done) && [ ! -e "$(field "$report" "r[\"stack_dir\"]")" ]'

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
