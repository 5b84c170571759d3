#!/usr/bin/env bash
# Checks Ferry's monitoring files in k8s/monitoring against the real tools and a running Ferry:
#   1. yamllint; `promtool check rules`; the PrometheusRule holds exactly the plain rule file's groups;
#      `promtool test rules` (ferry-alerts.test.yml).
#   2. `amtool check-config` and route tests (warning → chat, critical → pager, team=operations → operations);
#      a real Alertmanager with the same routes and inhibition: a critical silences the warning of the same
#      alert, and every receiver gets its notifications (secrets and endpoints pointed at a local sink).
#   3. the Grafana dashboard: valid JSON, unique panel ids, a Prometheus datasource variable.
#   4. a real Prometheus scrapes a running Ferry (both sandboxes, a gateway, two workers, generated orders and one
#      unmapped order that is dead-lettered), loads the rules and sends alerts to the Alertmanager; then every
#      dashboard and rule expression is evaluated through /api/v1/query: all must parse, and queue depth, throughput,
#      p95 end-to-end latency, dead-letter depth, lease slots and limit, NetSuite responses, p95 per stage and lease
#      wait must return data. FerryDeadLetters must fire and reach the
#      operations receiver.
# Loopback only, bounded in time (about 1–2 minutes); everything started here is stopped at the end.
# Prints "N passed, N failed" last and exits non-zero when a check failed.
#
# Needs promtool and prometheus (Debian `prometheus`), amtool and prometheus-alertmanager (`prometheus-alertmanager`),
# yamllint (with python3-yaml), python3, curl, nats-server and PostgreSQL (scripts/stack.sh).
# FERRY_BIN: the ferry binary (default .build/debug/ferry, built with `swift build --product ferry` when missing).
# MONITORING_SKIP_LIVE=1 skips part 4 (no Ferry processes).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
MON="$ROOT/k8s/monitoring"
export PATH="$PATH:/opt/swift/usr/bin"

WORK=$(mktemp -d /tmp/ferry-monitoring-test.XXXXXX)
chmod 755 "$WORK"   # the stack's PostgreSQL runs as the postgres user and must traverse it
mkdir -p "$WORK/logs"
PIDS=()
STACK_STARTED=0
# shellcheck source=scripts/tests/checks.sh
source scripts/tests/checks.sh

log() { printf '[monitoring] %s\n' "$*" >&2; }
# check_fails NAME COMMAND...: passes when the command exits non-zero (a check that must reject).
check_fails() {
    local name=$1
    shift
    if "$@" >"$WORK/check.out" 2>&1; then fail "$name (was accepted)" "$WORK/check.out"; else pass "$name"; fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start NAME COMMAND...: runs a process in the background with its output in $WORK/logs/NAME.log.
start() {
    local name=$1
    shift
    "$@" >"$WORK/logs/$name.log" 2>&1 &
    PIDS+=("$!")
}

wait_http() {
    local url=$1 seconds=${2:-30} i
    for ((i = 0; i < seconds * 5; i++)); do
        curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
        sleep 0.2
    done
    return 1
}

cleanup() {
    local pid i j
    # Newest first, each one gone before the next: traffic stops before the workers, the workers finish what they
    # hold before the sandboxes and servers go.
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
        pid=${PIDS[$i]}
        kill -TERM "$pid" 2>/dev/null || continue
        for ((j = 0; j < 150; j++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [ "$STACK_STARTED" = 1 ]; then scripts/stack.sh stop "$WORK/stack" >/dev/null 2>&1 || true; fi
    if [ "$FAILED" -eq 0 ]; then rm -rf "$WORK"; else log "logs kept in $WORK/logs"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in promtool prometheus amtool yamllint python3 curl; do
    command -v "$tool" >/dev/null 2>&1 || fail "tool $tool is installed (scripts/bootstrap.sh)"
done
# Debian calls the Alertmanager binary prometheus-alertmanager.
ALERTMANAGER=$(command -v prometheus-alertmanager || command -v alertmanager) ||
    fail "tool prometheus-alertmanager is installed (scripts/bootstrap.sh)"

# ---------------------------------------------------------------------------------------------------------------
echo "== 1. rule files (t=${SECONDS}s)"
check "yamllint k8s/monitoring" yamllint -s -c "$MON/.yamllint" "$MON"/*.yml "$MON/.yamllint"
check "promtool check rules (plain rule file)" promtool check rules "$MON/ferry-alerts.rules.yml"
check "PrometheusRule has the plain rule file's groups" python3 - "$MON" <<'EOF'
import sys, yaml
mon = sys.argv[1]
plain = yaml.safe_load(open(f"{mon}/ferry-alerts.rules.yml"))
crd = yaml.safe_load(open(f"{mon}/ferry-alerts.prometheusrule.yml"))
assert crd["apiVersion"] == "monitoring.coreos.com/v1", crd["apiVersion"]
assert crd["kind"] == "PrometheusRule", crd["kind"]
assert crd["metadata"]["name"], "metadata.name"
if crd["spec"]["groups"] != plain["groups"]:
    sys.exit("spec.groups differs from ferry-alerts.rules.yml")
EOF
# promtool checks the CRD's groups too, extracted.
python3 -c 'import sys,yaml; print(yaml.safe_dump({"groups": yaml.safe_load(open(sys.argv[1]))["spec"]["groups"]}))' \
    "$MON/ferry-alerts.prometheusrule.yml" >"$WORK/crd-groups.yml" 2>"$WORK/check.out"
check "promtool check rules (PrometheusRule groups)" promtool check rules "$WORK/crd-groups.yml"
check "every alert has severity and team labels and a summary" python3 - "$MON" <<'EOF'
import sys, yaml
rules = [r for g in yaml.safe_load(open(f"{sys.argv[1]}/ferry-alerts.rules.yml"))["groups"] for r in g["rules"]]
alerts = [r for r in rules if "alert" in r]
assert len(alerts) >= 10, len(alerts)
for r in alerts:
    assert r["labels"].get("severity") in ("warning", "critical"), r["alert"]
    assert r["labels"].get("team") in ("ferry", "operations"), r["alert"]
    assert r["annotations"].get("summary") and r["annotations"].get("description"), r["alert"]
names = {r["alert"] for r in alerts}
for wanted in ["FerryQueueBacklog", "FerryDeadLetters", "FerryEndToEndLatencyHigh", "FerryNetSuiteCircuitOpen",
               "FerryNoWorkerUp", "FerryLeaseSaturatedQueueGrowing", "FerryNetSuiteRateLimited"]:
    assert wanted in names, wanted
EOF
run_rule_tests() { (cd "$MON" && promtool test rules ferry-alerts.test.yml); }
check "promtool test rules ferry-alerts.test.yml" run_rule_tests

# A rule file with a broken expression must be rejected: the checks above can fail.
printf 'groups:\n  - name: broken\n    rules:\n      - alert: Broken\n        expr: sum(rate(x[5m])\n' \
    >"$WORK/broken.yml"
check_fails "promtool rejects a broken expression" promtool check rules "$WORK/broken.yml"

# ---------------------------------------------------------------------------------------------------------------
echo "== 2. Alertmanager (t=${SECONDS}s)"
AMCFG="$MON/alertmanager.yml"
check "amtool check-config" amtool check-config "$AMCFG"
route() { amtool config routes test --config.file="$AMCFG" --verify.receivers="$1" "${@:2}"; }
check "route: queue backlog warning → ferry-chat" \
    route ferry-chat alertname=FerryQueueBacklog severity=warning team=ferry stream=FERRY_ORDERS
check "route: queue backlog critical → ferry-pager" \
    route ferry-pager alertname=FerryQueueBacklog severity=critical team=ferry stream=FERRY_ORDERS
check "route: no worker up → ferry-pager" route ferry-pager alertname=FerryNoWorkerUp severity=critical team=ferry
check "route: dead letters → ferry-operations" \
    route ferry-operations alertname=FerryDeadLetters severity=warning team=operations
check "route: latency warning → ferry-chat" \
    route ferry-chat alertname=FerryEndToEndLatencyHigh severity=warning team=ferry
check "route: an unlabelled alert → ferry-chat (default)" route ferry-chat alertname=Unknown
check_fails "route test rejects a wrong receiver" \
    route ferry-chat alertname=FerryQueueBacklog severity=critical team=ferry

# A real Alertmanager with this configuration; secrets and endpoints point at a local sink, waits are shortened.
SINK_PORT=$(free_port)
AM_PORT=$(free_port)
mkdir -p "$WORK/secrets" "$WORK/am-data"
printf 'http://127.0.0.1:%s/chat' "$SINK_PORT" >"$WORK/secrets/chat"
printf 'http://127.0.0.1:%s/operations' "$SINK_PORT" >"$WORK/secrets/operations"
printf 'monitoring-test-routing-key' >"$WORK/secrets/pager"
cat >"$WORK/sink.py" <<'EOF'
import http.server, json, sys
out = open(sys.argv[2], "a", buffering=1)
class Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8", "replace")
        out.write(json.dumps({"path": self.path, "body": body}) + "\n")
        self.send_response(202 if self.path == "/pager" else 200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status":"success"}' if self.path == "/pager" else b"ok")
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
EOF
python3 - "$AMCFG" "$WORK" "$SINK_PORT" >"$WORK/alertmanager.yml" 2>"$WORK/check.out" <<'EOF'
import sys, yaml
config, work, port = yaml.safe_load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
def shorten(route):
    for key in ("group_wait", "group_interval"):
        if key in route:
            route[key] = "1s"
    for child in route.get("routes", []):
        shorten(child)
config["route"].update(group_wait="1s", group_interval="1s")
shorten(config["route"])
for receiver in config["receivers"]:
    for slack in receiver.get("slack_configs", []):
        slack["api_url_file"] = f"{work}/secrets/{receiver['name'].removeprefix('ferry-')}"
    for pager in receiver.get("pagerduty_configs", []):
        pager["routing_key_file"] = f"{work}/secrets/pager"
        pager["url"] = f"http://127.0.0.1:{port}/pager"
print(yaml.safe_dump(config, sort_keys=False))
EOF
start sink python3 "$WORK/sink.py" "$SINK_PORT" "$WORK/notifications.jsonl"
start alertmanager "$ALERTMANAGER" --config.file="$WORK/alertmanager.yml" --storage.path="$WORK/am-data" \
    --web.listen-address="127.0.0.1:$AM_PORT" --cluster.listen-address=
AM="http://127.0.0.1:$AM_PORT"
if wait_http "$AM/-/ready" 30; then
    pass "Alertmanager starts with the configuration"
    now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    curl -fsS -X POST -H 'Content-Type: application/json' "$AM/api/v2/alerts" -d "[
      {\"labels\": {\"alertname\": \"FerryQueueBacklog\", \"severity\": \"warning\", \"team\": \"ferry\",
                    \"stream\": \"FERRY_ORDERS\", \"consumer\": \"ferry-workers\"},
       \"annotations\": {\"summary\": \"600 orders waiting (warning)\"}, \"startsAt\": \"$now\"},
      {\"labels\": {\"alertname\": \"FerryQueueBacklog\", \"severity\": \"critical\", \"team\": \"ferry\",
                    \"stream\": \"FERRY_ORDERS\", \"consumer\": \"ferry-workers\"},
       \"annotations\": {\"summary\": \"600 orders waiting (critical)\"}, \"startsAt\": \"$now\"},
      {\"labels\": {\"alertname\": \"FerryNetSuiteCircuitOpen\", \"severity\": \"warning\", \"team\": \"ferry\"},
       \"annotations\": {\"summary\": \"circuit open\"}, \"startsAt\": \"$now\"},
      {\"labels\": {\"alertname\": \"FerrySyntheticOperations\", \"severity\": \"warning\", \"team\": \"operations\"},
       \"annotations\": {\"summary\": \"synthetic dead letter\"}, \"startsAt\": \"$now\"}
    ]" >"$WORK/check.out" 2>&1 || fail "post alerts to Alertmanager" "$WORK/check.out"
    check "a critical inhibits the warning with the same alertname; other warnings stay active" \
        python3 - "$AM" <<'EOF'
import json, sys, time, urllib.request
deadline = time.time() + 20
while True:
    alerts = json.load(urllib.request.urlopen(sys.argv[1] + "/api/v2/alerts", timeout=5))
    state = {(a["labels"]["alertname"], a["labels"]["severity"]): a["status"] for a in alerts}
    try:
        assert state[("FerryQueueBacklog", "warning")]["state"] == "suppressed", state
        assert state[("FerryQueueBacklog", "warning")]["inhibitedBy"], state
        assert state[("FerryQueueBacklog", "critical")]["state"] == "active", state
        assert state[("FerryNetSuiteCircuitOpen", "warning")]["state"] == "active", state
        break
    except (AssertionError, KeyError):
        if time.time() > deadline:
            raise
        time.sleep(0.5)
EOF
    check "notifications: pager gets the critical, chat the lone warning, operations the operations alert" \
        python3 - "$WORK/notifications.jsonl" <<'EOF'
import json, sys, time
def received():
    try:
        lines = [json.loads(l) for l in open(sys.argv[1])]
    except FileNotFoundError:
        lines = []
    by = {}
    for n in lines:
        by.setdefault(n["path"], []).append(n["body"])
    return {path: "\n".join(bodies) for path, bodies in by.items()}
deadline = time.time() + 30
while True:
    got = received()
    try:
        assert "FerryQueueBacklog" in got.get("/pager", ""), got
        assert "monitoring-test-routing-key" in got["/pager"], "pager routing key"
        assert "FerryNetSuiteCircuitOpen" in got.get("/chat", ""), got
        assert "FerrySyntheticOperations" in got.get("/operations", ""), got
        break
    except AssertionError:
        if time.time() > deadline:
            raise
        time.sleep(0.5)
time.sleep(2)  # anything else would have arrived with these groups
got = received()
assert "FerryQueueBacklog" not in got.get("/chat", ""), "inhibited warning reached the chat"
assert "FerrySyntheticOperations" not in got.get("/chat", "") + got.get("/pager", ""), "operations alert elsewhere"
assert "FerryNetSuiteCircuitOpen" not in got.get("/pager", ""), "warning paged"
EOF
else
    fail "Alertmanager starts with the configuration" "$WORK/logs/alertmanager.log"
fi

# ---------------------------------------------------------------------------------------------------------------
echo "== 3. dashboard (t=${SECONDS}s)"
check "ferry-dashboard.json is a Grafana dashboard" python3 - "$MON/ferry-dashboard.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["uid"] and d["title"] and d["schemaVersion"] >= 30
ids = [p["id"] for p in d["panels"]]
assert len(ids) == len(set(ids)), "duplicate panel ids"
variables = {v["name"]: v for v in d["templating"]["list"]}
assert variables["datasource"]["type"] == "datasource" and variables["datasource"]["query"] == "prometheus"
targets = [t for p in d["panels"] for t in p.get("targets", [])]
assert len(targets) >= 20, len(targets)
for p in d["panels"]:
    if p["type"] != "row":
        assert p["targets"] and p["datasource"]["uid"] == "${datasource}", p["title"]
        refs = [t["refId"] for t in p["targets"]]
        assert len(refs) == len(set(refs)), p["title"]
titles = " ".join(p["title"].lower() for p in d["panels"])
for topic in ["queue", "throughput", "latency", "dead letters", "lease", "netsuite", "circuit"]:
    assert topic in titles, topic
EOF

# ---------------------------------------------------------------------------------------------------------------
echo "== 4. live: Prometheus scraping a running Ferry (t=${SECONDS}s)"
if [ "${MONITORING_SKIP_LIVE:-0}" = 1 ]; then
    log "MONITORING_SKIP_LIVE=1: skipping the live part"
else
    FERRY_BIN=${FERRY_BIN:-$ROOT/.build/debug/ferry}
    if [ ! -x "$FERRY_BIN" ]; then
        log "building ferry"
        swift build --product ferry >"$WORK/logs/build.log" 2>&1 || fail "build ferry" "$WORK/logs/build.log"
    fi
    # shellcheck disable=SC1090
    if source "$(scripts/stack.sh start "$WORK/stack" 2>"$WORK/logs/stack.log")"; then
        STACK_STARTED=1
        pass "local stack (nats-server, PostgreSQL) starts"
    else
        fail "local stack (nats-server, PostgreSQL) starts" "$WORK/logs/stack.log"
    fi

    GW_PORT=$(free_port)
    NS_PORT=$(free_port)
    PS_PORT=$(free_port)
    W1_PORT=$(free_port)
    W2_PORT=$(free_port)
    PROM_PORT=$(free_port)
    export FERRY_WEBHOOK_SECRET=monitoring-test-secret FERRY_GATEWAY_HOST=127.0.0.1 FERRY_GATEWAY_PORT=$GW_PORT
    export FERRY_NETSUITE_URL=http://127.0.0.1:$NS_PORT FERRY_NETSUITE_ACCOUNT=1234567_SB1 FERRY_NETSUITE_AUTH=tba
    export FERRY_NETSUITE_CONSUMER_KEY=ferry-sandbox-consumer-key
    export FERRY_NETSUITE_CONSUMER_SECRET=ferry-sandbox-consumer-secret
    export FERRY_NETSUITE_TOKEN_ID=ferry-sandbox-token-id FERRY_NETSUITE_TOKEN_SECRET=ferry-sandbox-token-secret
    export FERRY_PRESTASHOP_URL=http://127.0.0.1:$PS_PORT FERRY_PRESTASHOP_KEY=FERRY0SANDBOX0PRESTASHOP0KEY0001
    # One quick retry, then the dead letter; queue gauges every 2 s.
    export FERRY_RETRY_SCHEDULE=1s FERRY_MAX_ATTEMPTS=2 FERRY_QUEUE_METRICS_INTERVAL=2s FERRY_LOG_LEVEL=info

    if "$FERRY_BIN" migrate >"$WORK/logs/migrate.log" 2>&1 &&
        "$FERRY_BIN" mappings import-dir sandbox/mappings >>"$WORK/logs/migrate.log" 2>&1; then
        pass "migrate and import the sandbox mappings"
    else
        fail "migrate and import the sandbox mappings" "$WORK/logs/migrate.log"
    fi

    cat >"$WORK/prometheus.yml" <<EOF
global:
  scrape_interval: 2s
  scrape_timeout: 2s
  evaluation_interval: 2s
rule_files:
  - $MON/ferry-alerts.rules.yml
alerting:
  alertmanagers:
    - static_configs:
        - targets: ["127.0.0.1:$AM_PORT"]
scrape_configs:
  - job_name: ferry-worker
    static_configs:
      - targets: ["127.0.0.1:$W1_PORT", "127.0.0.1:$W2_PORT"]
  - job_name: ferry-gateway
    static_configs:
      - targets: ["127.0.0.1:$GW_PORT"]
EOF
    check "promtool check config (test Prometheus)" promtool check config "$WORK/prometheus.yml"
    start netsuite-sandbox "$FERRY_BIN" sim netsuite --port "$NS_PORT" --latency lognormal:40:300
    start gateway "$FERRY_BIN" gateway
    start worker-1 env FERRY_WORKER_ID=monitoring-worker-1 FERRY_WORKER_METRICS_PORT="$W1_PORT" "$FERRY_BIN" worker
    start worker-2 env FERRY_WORKER_ID=monitoring-worker-2 FERRY_WORKER_METRICS_PORT="$W2_PORT" "$FERRY_BIN" worker
    start prometheus prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prometheus-data" \
        --web.listen-address="127.0.0.1:$PROM_PORT"
    PROM="http://127.0.0.1:$PROM_PORT"
    ready=1
    for target in "gateway:http://127.0.0.1:$GW_PORT/healthz" "worker-1:http://127.0.0.1:$W1_PORT/healthz" \
        "worker-2:http://127.0.0.1:$W2_PORT/healthz" "netsuite-sandbox:http://127.0.0.1:$NS_PORT/_sandbox/stats" \
        "prometheus:$PROM/-/ready"; do
        name=${target%%:*}
        if wait_http "${target#*:}" 60; then
            pass "$name is up"
        else
            fail "$name is up" "$WORK/logs/$name.log"
            ready=0
        fi
    done
    start prestashop-sandbox "$FERRY_BIN" sim prestashop --port "$PS_PORT" --rate 8 \
        --webhook-url "http://127.0.0.1:$GW_PORT/webhooks/prestashop/orders"

    if [ "$ready" = 1 ] && wait_http "http://127.0.0.1:$PS_PORT/_sandbox/health" 60; then
        # One order with a product that has no mapping: retried once, then dead-lettered.
        product=$(curl -fsS -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$PS_PORT/_sandbox/products" \
            -d '{"name":"Monitoring test product","price":"12.50","reference":"MONITORING-UNMAPPED","quantity":5}' |
            python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>"$WORK/check.out")
        if [ -n "$product" ] && curl -fsS -X POST -H 'Content-Type: application/json' \
            "http://127.0.0.1:$PS_PORT/_sandbox/orders" \
            -d "{\"customerId\":1,\"rows\":[{\"productId\":$product,\"quantity\":1}]}" >"$WORK/check.out" 2>&1; then
            pass "an order with an unmapped product is placed"
        else
            fail "an order with an unmapped product is placed" "$WORK/check.out"
        fi
    else
        fail "PrestaShop sandbox is up" "$WORK/logs/prestashop-sandbox.log"
    fi

    # Every expression of the dashboard and the rules, through Prometheus's query API.
    python3 - "$PROM" "$MON" "$WORK/notifications.jsonl" "$ROOT/Sources/FerryMetricCatalogue/FerryMetric.swift" \
        "http://127.0.0.1:$W1_PORT/metrics" "http://127.0.0.1:$GW_PORT/metrics" >"$WORK/live.out" 2>&1 <<'EOF'
import json, math, re, sys, time, urllib.parse, urllib.request
import yaml

prom, mon, notifications, catalogue_file = sys.argv[1:5]
exposition_urls = sys.argv[5:]
# Grafana's variables, as a 2 s scrape interval would set them.
GRAFANA = {"$__rate_interval": "1m", "$__interval": "2s", "$__range": "5m"}
CORE = {
    "queue depth": "max by (stream, consumer) (ferry_queue_pending_messages)",
    "throughput": "sum by (result) (rate(ferry_worker_orders_total[$__rate_interval]))",
    "p95 end-to-end latency":
        "histogram_quantile(0.95, sum by (le) (rate(ferry_order_end_to_end_seconds_bucket[$__rate_interval])))",
    "dead-letter depth": "max(ferry_dlq_depth_messages)",
    "lease slots in use": "max(ferry_lease_slots_in_use)",
    "lease effective limit": "max(ferry_lease_effective_limit)",
    "NetSuite responses by status and code":
        "sum by (status, code) (rate(ferry_netsuite_responses_total[$__rate_interval]))",
    "p95 per pipeline stage":
        "histogram_quantile(0.95, sum by (le, stage) (rate(ferry_worker_stage_duration_seconds_bucket[$__rate_interval])))",
    "p95 lease wait": "histogram_quantile(0.95, sum by (le) (rate(ferry_lease_wait_seconds_bucket[$__rate_interval])))",
}

def query(expr):
    url = prom + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        return json.load(error)

def substitute(expr):
    for name, value in GRAFANA.items():
        expr = expr.replace(name, value)
    return expr

def values(answer):
    result = answer.get("data", {}).get("result", [])
    if answer.get("data", {}).get("resultType") == "scalar":
        result = [{"value": result}]
    return [float(r["value"][1]) for r in result]

def report(ok, name, detail=""):
    print(("ok    " if ok else "FAIL  ") + name + ("" if ok else f": {detail}"))
    sys.stdout.flush()

dashboard = json.load(open(f"{mon}/ferry-dashboard.json"))
dashboard_exprs = [(p["title"], t["refId"], t["expr"]) for p in dashboard["panels"] for t in p.get("targets", [])]
rules = [r for g in yaml.safe_load(open(f"{mon}/ferry-alerts.rules.yml"))["groups"] for r in g["rules"]]

for name, expr in CORE.items():
    report(expr in [e for _, _, e in dashboard_exprs], f"core expression on the dashboard: {name}", expr)

# Wait until the workers have processed orders and every core expression has a finite value.
deadline = time.time() + 60
missing = dict(CORE)
while missing and time.time() < deadline:
    for name, expr in list(missing.items()):
        answer = query(substitute(expr))
        if answer.get("status") == "success" and any(math.isfinite(v) for v in values(answer)):
            del missing[name]
    if missing:
        time.sleep(2)
for name, expr in CORE.items():
    report(name not in missing, f"core expression returns data: {name}", f"no finite value for {expr}")

# What the processes export: every ferry_ family is in the catalogue (FerryMetric.swift), with its help text.
catalogue = set(re.findall(r'case \w+ = "(ferry_[a-z0-9_]+)"', open(catalogue_file).read()))
report(len(catalogue) >= 15, "the metric catalogue is readable", len(catalogue))
for url in exposition_urls:
    text = urllib.request.urlopen(url, timeout=5).read().decode()
    families = set(re.findall(r"^# TYPE (ferry_[a-z0-9_]+) ", text, re.M))
    unknown = sorted(families - catalogue)
    report(families and not unknown, f"{url} exports only catalogued ferry_ metrics", unknown or "none exported")
    undocumented = sorted(f for f in families if f"# HELP {f} " not in text)
    report(not undocumented, f"{url} has a HELP line for every ferry_ metric", undocumented)

answer = query('count(up{job="ferry-worker"} == 1)')
report(values(answer) == [2.0], "both workers are scraped (up == 1)", answer)
answer = query('up{job="ferry-gateway"}')
report(values(answer) == [1.0], "the gateway is scraped (up == 1)", answer)
answer = query('sum(ferry_worker_orders_total{result="submitted"})')
report(values(answer) and values(answer)[0] >= 10, "workers submitted orders to the NetSuite sandbox", answer)

for title, ref, expr in dashboard_exprs:
    answer = query(substitute(expr))
    report(answer.get("status") == "success", f"dashboard '{title}' {ref} evaluates", answer.get("error", answer))
for rule in rules:
    name = rule.get("alert") or rule.get("record")
    answer = query(rule["expr"])
    report(answer.get("status") == "success", f"rule {name} evaluates", answer.get("error", answer))
    if "record" in rule:
        answer = query(rule["record"])
        report(answer.get("status") == "success", f"recorded series {name} can be queried", answer)
for record in ["ferry:queue_pending_messages:max", "ferry:orders_processed:rate5m"]:
    deadline = time.time() + (10 if "queue depth" not in missing else 0)
    while not values(query(record)) and time.time() < deadline:
        time.sleep(1)
    report(bool(values(query(record))), f"recording rule {record} has data", "empty")

# The unmapped order: dead-lettered, the gauge shows it, the real rule fires and reaches the operations receiver.
# Later steps wait only when the earlier one worked, so a failure does not stretch the run.
deadline = time.time() + (30 if "dead-letter depth" not in missing else 0)
while time.time() < deadline and values(query("max(ferry_dlq_depth_messages)")) != [1.0]:
    time.sleep(1)
dead_lettered = values(query("max(ferry_dlq_depth_messages)")) == [1.0]
report(dead_lettered, "the unmapped order shows as ferry_dlq_depth_messages 1", query("max(ferry_dlq_depth_messages)"))
deadline = time.time() + (20 if dead_lettered else 0)
firing = []
while not firing:
    firing = query('ALERTS{alertname="FerryDeadLetters",alertstate="firing",team="operations"}')["data"]["result"]
    if time.time() > deadline:
        break
    time.sleep(1)
report(bool(firing), "FerryDeadLetters fires in Prometheus", "not firing")
delivered = False
deadline = time.time() + (30 if firing else 0)
while not delivered:
    try:
        delivered = any(n["path"] == "/operations" and "FerryDeadLetters" in n["body"]
                        for n in map(json.loads, open(notifications)))
    except FileNotFoundError:
        pass
    if time.time() > deadline:
        break
    time.sleep(1)
report(delivered, "FerryDeadLetters reaches the operations receiver through Alertmanager", "no notification")
for alert in ["FerryNoWorkerUp", "FerryNoGatewayUp", "FerryQueueMetricsMissing"]:
    answer = query(f'ALERTS{{alertname="{alert}"}}')
    report(answer.get("status") == "success" and not answer["data"]["result"], f"{alert} is not pending", answer)
EOF
    while IFS= read -r line; do
        case "$line" in
            "ok    "*) pass "${line#ok    }" ;;
            "FAIL  "*) fail "${line#FAIL  }" ;;
            *) echo "      $line" ;;
        esac
    done <"$WORK/live.out"
    grep -q '^ok    core expression returns data' "$WORK/live.out" || fail "live queries ran" "$WORK/live.out"
fi

echo
log "finished in ${SECONDS}s"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
