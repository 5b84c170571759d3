#!/usr/bin/env bash
# Pipeline latency benchmark (not a test): webhook → NetSuite done, at a steady order rate.
#
# Starts a private JetStream + PostgreSQL (scripts/stack.sh), then runs two phases, each with a fresh database
# and queue namespace, both sandboxes, one gateway and the workers as `ferry` processes:
#   1. NetSuite sandbox latency none           → end-to-end time is Ferry's own overhead (plus PrestaShop
#                                                sandbox calls and the sandboxes' processing, which are tiny)
#   2. NetSuite sandbox latency fixed:<L> ms   → end-to-end time, the time spent inside NetSuite
#                                                (calls per order × L) and the remainder: Ferry's overhead
# The PrestaShop sandbox's generator places orders at a fixed rate and posts their signed webhooks to the gateway.
# Latency per order comes from PostgreSQL: order_sync.webhook_received_at (the gateway's receipt time) to
# recorded_at (sales order and deposit in NetSuite, processed mark written) and to written_back_at.
#
#   loadtest/bench-pipeline.sh [--rate 50] [--duration 60] [--latency-ms 20] [--concurrency-limit 20]
#                              [--workers 2] [--in-flight 8] [--phases none,fixed] [--debug] [--keep]
#
# Builds `ferry` in release mode (.build/release/ferry) unless --debug or FERRY_BIN=/path/to/ferry is given.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"

RATE=50 DURATION=60 LATENCY_MS=20 LIMIT=20 WORKERS=2 IN_FLIGHT=8 PHASES="none,fixed" BUILD=release KEEP=0
while [ $# -gt 0 ]; do
    case "$1" in
        --rate) RATE=$2; shift 2 ;;
        --duration) DURATION=$2; shift 2 ;;
        --latency-ms) LATENCY_MS=$2; shift 2 ;;
        --concurrency-limit) LIMIT=$2; shift 2 ;;
        --workers) WORKERS=$2; shift 2 ;;
        --in-flight) IN_FLIGHT=$2; shift 2 ;;
        --phases) PHASES=$2; shift 2 ;;
        --debug) BUILD=debug; shift ;;
        --keep) KEEP=1; shift ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
ORDERS=$(python3 -c "print(int(round($RATE * $DURATION)))")

if [ -n "${FERRY_BIN:-}" ]; then
    BIN=$FERRY_BIN
elif [ "$BUILD" = release ]; then
    echo "== building ferry (release; the first build takes several minutes)"
    swift build -c release --product ferry 2>&1 | grep -E "error|Compiling ferry|Build complete" || true
    BIN=.build/release/ferry
else
    swift build --product ferry 2>&1 | grep -E "error|Build complete" || true
    BIN=.build/debug/ferry
fi
[ -x "$BIN" ] || { echo "no ferry binary at $BIN" >&2; exit 1; }
BIN=$(realpath "$BIN")

WORK=/tmp/ferry-bench-$$
STACK_DIR=/tmp/ferry-bench-stack-$$
mkdir -p "$WORK"
PIDS=()
declare -A NAMES
cpu_seconds() {  # user+system CPU seconds of a running process
    awk -v tck="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / tck }' "/proc/$1/stat" 2>/dev/null || echo "?"
}
stop_children() {
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for _ in $(seq 1 50); do
        local alive=0
        for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ $alive -eq 0 ] && break
        sleep 0.1
    done
    for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    PIDS=()
}
cleanup() {
    stop_children
    scripts/stack.sh stop "$STACK_DIR" >/dev/null 2>&1 || true
    if [ "$KEEP" = 1 ]; then echo "logs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT INT TERM

echo "== starting a private JetStream and PostgreSQL"
# shellcheck disable=SC1090
source "$(scripts/stack.sh start "$STACK_DIR")"
PSQL=(env PGOPTIONS=--client-min-messages=warning psql -h 127.0.0.1 -p "$FERRY_PG_PORT" -U postgres -qtAX)
SERVER_URL=$FERRY_DATABASE_URL

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
wait_for() {  # wait_for <seconds> <description> <command…>
    local limit=$1 what=$2; shift 2
    for _ in $(seq 1 $((limit * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
    echo "timed out waiting for $what" >&2; return 1
}

export FERRY_LOG_FORMAT=json FERRY_LOG_LEVEL=${FERRY_LOG_LEVEL:-info}
export FERRY_WEBHOOK_SECRET=bench-webhook-secret FERRY_NETSUITE_ACCOUNT=1234567_SB1 FERRY_NETSUITE_AUTH=tba
export FERRY_NETSUITE_CONSUMER_KEY=ferry-sandbox-consumer-key FERRY_NETSUITE_CONSUMER_SECRET=ferry-sandbox-consumer-secret
export FERRY_NETSUITE_TOKEN_ID=ferry-sandbox-token-id FERRY_NETSUITE_TOKEN_SECRET=ferry-sandbox-token-secret
export FERRY_PRESTASHOP_KEY=FERRY0SANDBOX0PRESTASHOP0KEY0001 FERRY_WORKER_MAX_IN_FLIGHT=$IN_FLIGHT

declare -A RESULT
run_phase() {  # run_phase <name> <latency spec> <injected ms per NetSuite call>
    local name=$1 latency=$2 injected=$3
    local dir="$WORK/$name" db="ferry_bench_$name"
    mkdir -p "$dir"
    echo "== phase $name: NetSuite latency $latency, $ORDERS orders at $RATE/s, $WORKERS workers × $IN_FLIGHT in flight, NetSuite concurrency limit $LIMIT (load average $(cut -d" " -f1-3 /proc/loadavg))"
    "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    export FERRY_DATABASE_URL="${SERVER_URL%/*}/$db?sslmode=disable" FERRY_QUEUE_NAMESPACE="bench$name$$"
    "$BIN" migrate >/dev/null 2>"$dir/migrate.log"
    "$BIN" mappings import-dir sandbox/mappings >/dev/null 2>"$dir/mappings.log"

    local nsp gwp psp
    nsp=$(free_port); gwp=$(free_port); psp=$(free_port)
    export FERRY_NETSUITE_URL="http://127.0.0.1:$nsp" FERRY_PRESTASHOP_URL="http://127.0.0.1:$psp" FERRY_GATEWAY_PORT=$gwp
    "$BIN" sim netsuite --port "$nsp" --latency "$latency" --concurrency-limit "$LIMIT" >"$dir/netsuite.log" 2>&1 &
    PIDS+=($!); NAMES[$!]=netsuite-sandbox
    "$BIN" sim prestashop --port "$psp" --webhook-url "http://127.0.0.1:$gwp/webhooks/prestashop/orders" \
        >"$dir/prestashop.log" 2>&1 &
    PIDS+=($!); NAMES[$!]=prestashop-sandbox
    "$BIN" gateway >"$dir/gateway.log" 2>&1 &
    PIDS+=($!); NAMES[$!]=gateway
    wait_for 60 "the gateway" curl -sf "http://127.0.0.1:$gwp/readyz"
    local n
    for n in $(seq 1 "$WORKERS"); do
        FERRY_WORKER_ID="bench-worker-$n" "$BIN" worker >"$dir/worker-$n.log" 2>&1 &
        PIDS+=($!); NAMES[$!]=worker-$n
        wait_for 60 "worker $n" grep -q '"worker started"' "$dir/worker-$n.log"
    done
    wait_for 60 "the NetSuite sandbox" curl -sf "http://127.0.0.1:$nsp/_sandbox/health"
    wait_for 60 "the PrestaShop sandbox" curl -sf "http://127.0.0.1:$psp/_sandbox/health"

    curl -sf -X POST "http://127.0.0.1:$psp/_sandbox/generator" -H 'Content-Type: application/json' \
        -d "{\"running\": true, \"ratePerSecond\": $RATE, \"arrivals\": \"fixed\", \"maxOrders\": $ORDERS}" >/dev/null
    local started=$SECONDS generated=0 done=0 deadline=$((DURATION * 3 + 120))
    while :; do
        sleep 5
        generated=$(curl -sf "http://127.0.0.1:$psp/_sandbox/stats" | json 'd["generator"]["generated"]')
        done=$("${PSQL[@]}" -d "$db" -c "SELECT count(*) FROM order_sync WHERE stage = 'written_back'")
        echo "   t=$((SECONDS - started))s generated=$generated written_back=$done"
        [ "$done" -ge "$ORDERS" ] && break
        if [ $((SECONDS - started)) -gt $deadline ]; then echo "   phase $name did not finish in time" >&2; break; fi
    done

    local stats creates
    stats=$(curl -sf "http://127.0.0.1:$nsp/_sandbox/stats")
    creates=$(curl -sf "http://127.0.0.1:$nsp/_sandbox/creates/salesOrder")
    local cpu="" pid
    for pid in "${PIDS[@]}"; do cpu+="${NAMES[$pid]}=$(cpu_seconds "$pid")s "; done
    stop_children

    local q
    q="WITH t AS (SELECT extract(epoch FROM recorded_at - webhook_received_at) * 1000 AS e2e,
                         extract(epoch FROM written_back_at - webhook_received_at) * 1000 AS wb,
                         webhook_received_at, written_back_at
                  FROM order_sync WHERE recorded_at IS NOT NULL AND webhook_received_at IS NOT NULL)
       SELECT count(*),
              round(percentile_cont(0.50) WITHIN GROUP (ORDER BY e2e)::numeric, 1),
              round(percentile_cont(0.95) WITHIN GROUP (ORDER BY e2e)::numeric, 1),
              round(percentile_cont(0.99) WITHIN GROUP (ORDER BY e2e)::numeric, 1),
              round(max(e2e)::numeric, 1),
              round(percentile_cont(0.50) WITHIN GROUP (ORDER BY wb)::numeric, 1),
              round(percentile_cont(0.99) WITHIN GROUP (ORDER BY wb)::numeric, 1),
              round((count(*) / greatest(extract(epoch FROM max(written_back_at) - min(webhook_received_at)), 0.001))::numeric, 1)
       FROM t"
    local row count p50 p95 p99 max wb50 wb99 throughput
    row=$("${PSQL[@]}" -d "$db" -F ' ' -c "$q")
    read -r count p50 p95 p99 max wb50 wb99 throughput <<<"$row"
    local total rejected calls dupes
    total=$(echo "$stats" | json 'd["requestsTotal"]')
    rejected=$(echo "$stats" | json 'd["rejectedConcurrency"]')
    calls=$(python3 -c "print(round(($total - $rejected) / max($count, 1), 2))")
    dupes=$(echo "$creates" | json 'sum(1 for v in d.values() if v != 1)')
    local dead processed
    dead=$("${PSQL[@]}" -d "$db" -c "SELECT count(*) FROM order_sync WHERE stage = 'dead_lettered'")
    processed=$("${PSQL[@]}" -d "$db" -c "SELECT count(*) FROM processed_events")
    RESULT[$name]="$count $p50 $p95 $p99 $max $wb50 $wb99 $throughput $calls $rejected $injected"
    echo "   orders=$count processed=$processed dead_lettered=$dead sales orders created more than once=$dupes"
    echo "   webhook → NetSuite done (ms): p50=$p50 p95=$p95 p99=$p99 max=$max; → written back: p50=$wb50 p99=$wb99"
    echo "   throughput=$throughput orders/s; NetSuite calls per order=$calls; 429 answers=$rejected"
    echo "   CPU time: $cpu(machine load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
    "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true
}

IFS=',' read -r -a PHASE_LIST <<<"$PHASES"
for phase in "${PHASE_LIST[@]}"; do
    case "$phase" in
        none) run_phase none none 0 ;;
        fixed) run_phase fixed "fixed:$LATENCY_MS" "$LATENCY_MS" ;;
        *) echo "unknown phase $phase (none, fixed)" >&2; exit 2 ;;
    esac
done

echo
echo "== summary ($ORDERS orders at $RATE/s per phase, $WORKERS workers, binary $BIN)"
printf '%-22s %8s %8s %8s %8s %12s %14s %16s\n' phase p50_ms p95_ms p99_ms max_ms calls/order netsuite_ms/ord overhead_p50_ms
for phase in "${PHASE_LIST[@]}"; do
    read -r count p50 p95 p99 max wb50 wb99 throughput calls rejected injected <<<"${RESULT[$phase]}"
    inside=$(python3 -c "print(round($calls * $injected, 1))")
    overhead=$(python3 -c "print(round($p50 - $calls * $injected, 1))")
    label=$([ "$phase" = none ] && echo "latency none" || echo "latency fixed:${LATENCY_MS}ms")
    printf '%-22s %8s %8s %8s %8s %12s %14s %16s\n' "$label" "$p50" "$p95" "$p99" "$max" "$calls" "$inside" "$overhead"
done
if [ -n "${RESULT[fixed]:-}" ]; then
    read -r _ p50 p95 p99 _ _ _ _ calls _ injected <<<"${RESULT[fixed]}"
    python3 - "$p50" "$p95" "$p99" "$calls" "$injected" <<'EOF'
import sys
p50, p95, p99, calls, injected = map(float, sys.argv[1:])
inside = calls * injected
print(f"ratios (latency fixed): time inside NetSuite / end-to-end p50 = {inside / p50:.2f}; "
      f"Ferry overhead / end-to-end p50 = {(p50 - inside) / p50:.2f}; p99 / p50 = {p99 / p50:.2f}")
EOF
fi
if [ -n "${RESULT[none]:-}" ]; then
    read -r _ p50 p95 p99 _ _ _ _ _ _ _ <<<"${RESULT[none]}"
    python3 -c "print(f'ratios (latency none): p95 / p50 = {$p95 / $p50:.2f}; p99 / p50 = {$p99 / $p50:.2f}')"
fi
