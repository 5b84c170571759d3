"""Scenario files: phases of an open-model arrival process, NetSuite behaviour, fleet size and chaos events.

All times in a scenario file are *scenario seconds*. ``time_compression`` c shortens the calendar: a scenario
second lasts 1/c wall seconds and every phase keeps its number of orders (the wall arrival rate is c × rate).
NetSuite's latency and Ferry's own processing are not compressed: they are what the machine does.
"""

import json
import math
import os
import random
from dataclasses import dataclass, field

try:
    import yaml
except ImportError:  # JSON scenarios work without PyYAML
    yaml = None


class ScenarioError(ValueError):
    pass


EVENT_TYPES = ("maintenance", "kill_worker", "restart_nats", "restart_postgres", "other_integration")


@dataclass
class Phase:
    name: str
    duration: float  # scenario seconds
    rate_from: float  # orders per scenario second at the phase start
    rate_to: float  # … and at its end (equal for a constant rate)

    def rate_at(self, t):
        """Rate (orders per scenario second) t scenario seconds into the phase."""
        if self.duration <= 0:
            return self.rate_to
        return self.rate_from + (self.rate_to - self.rate_from) * min(max(t / self.duration, 0.0), 1.0)

    @property
    def expected_orders(self):
        return (self.rate_from + self.rate_to) / 2 * self.duration


@dataclass
class Event:
    at: float  # scenario seconds from the start
    type: str
    duration: float = 0.0  # maintenance only
    value: int = 0  # other_integration: slots


@dataclass
class Scenario:
    name: str
    description: str
    time_compression: float
    phases: list
    events: list
    seed: int = 20261127
    gateways: int = 2
    worker_in_flight: int = 0  # 0 = FERRY_WORKER_MAX_IN_FLIGHT of the k8s ConfigMap
    lease_slots: int = 0  # 0 = FERRY_LEASE_SLOTS of the k8s ConfigMap
    config_map: str = "k8s/base/configmap.yaml"
    worker_env: dict = field(default_factory=dict)
    initial_workers: int = 0  # 0 = the scaler's minimum
    scaled_object: str = "k8s/base/worker-scaledobject.yaml"
    netsuite_latency: str = "lognormal:80:600"
    netsuite_concurrency_limit: int = 10
    drop_webhooks: float = 0.01
    duplicate_webhooks: float = 0.02
    webhook_max_attempts: int = 8
    kill_worker_every: float = 0.0  # scenario seconds; 0 = never
    settle_timeout: float = 180.0  # wall seconds to wait for the queue to drain after the last arrival
    source: str = ""

    @property
    def duration(self):
        """Length of the arrival schedule in scenario seconds."""
        return sum(p.duration for p in self.phases)

    @property
    def wall_duration(self):
        return self.duration / self.time_compression

    def wall(self, scenario_seconds):
        return scenario_seconds / self.time_compression

    def expected_orders(self):
        return sum(p.expected_orders for p in self.phases)

    def phase_spans(self):
        """[(name, start, end)] in wall seconds."""
        spans, t = [], 0.0
        for p in self.phases:
            spans.append((p.name, self.wall(t), self.wall(t + p.duration)))
            t += p.duration
        return spans

    def phase_at(self, wall_seconds):
        for name, start, end in self.phase_spans():
            if start <= wall_seconds < end:
                return name
        return "drain"

    def rate_at_wall(self, wall_seconds):
        """Arrival rate in orders per wall second at a wall time (0 after the last phase)."""
        t = wall_seconds * self.time_compression
        for p in self.phases:
            if t < p.duration:
                return p.rate_at(t) * self.time_compression
            t -= p.duration
        return 0.0

    def wall_events(self):
        """Scheduled events (explicit ones plus periodic worker kills) with times in wall seconds, sorted."""
        events = [Event(self.wall(e.at), e.type, self.wall(e.duration), e.value) for e in self.events]
        if self.kill_worker_every > 0:
            t = self.kill_worker_every
            while t < self.duration:
                events.append(Event(self.wall(t), "kill_worker"))
                t += self.kill_worker_every
        return sorted(events, key=lambda e: e.at)


def _number(obj, key, default=None, minimum=None, maximum=None, where=""):
    value = obj.get(key, default)
    if value is None:
        raise ScenarioError(f"{where}{key} is required")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScenarioError(f"{where}{key} must be a number, found {value!r}")
    if minimum is not None and value < minimum:
        raise ScenarioError(f"{where}{key} must be >= {minimum}, found {value}")
    if maximum is not None and value > maximum:
        raise ScenarioError(f"{where}{key} must be <= {maximum}, found {value}")
    return value


def _rate(obj, key, where):
    """A rate given as `<key>` (per second) or `<key>_per_hour`."""
    if key in obj:
        return float(_number(obj, key, minimum=0, where=where))
    if f"{key}_per_hour" in obj:
        return float(_number(obj, f"{key}_per_hour", minimum=0, where=where)) / 3600.0
    return None


def parse_scenario(data, source=""):
    """Builds a Scenario from a parsed JSON/YAML document; raises ScenarioError naming the bad field."""
    if not isinstance(data, dict):
        raise ScenarioError("a scenario is a JSON/YAML object")
    known = {
        "name", "description", "time_compression", "seed", "fleet", "scaling", "netsuite", "webhooks", "phases",
        "events", "chaos", "settle_timeout",
    }
    unknown = sorted(set(data) - known)
    if unknown:
        raise ScenarioError(f"unknown keys: {', '.join(unknown)}")
    compression = float(_number(data, "time_compression", 1, minimum=0.001))
    phases = []
    raw_phases = data.get("phases")
    if not isinstance(raw_phases, list) or not raw_phases:
        raise ScenarioError("phases must be a non-empty list")
    for i, raw in enumerate(raw_phases):
        where = f"phases[{i}]."
        if not isinstance(raw, dict):
            raise ScenarioError(f"phases[{i}] must be an object")
        duration = float(_number(raw, "duration", minimum=0, where=where))
        rate = _rate(raw, "rate", where)
        rate_from, rate_to = _rate(raw, "rate_from", where), _rate(raw, "rate_to", where)
        if rate is not None:
            rate_from = rate_to = rate
        if rate_from is None or rate_to is None:
            raise ScenarioError(f"{where}rate (or rate_from and rate_to) is required")
        phases.append(Phase(str(raw.get("name", f"phase {i + 1}")), duration, rate_from, rate_to))
    if sum(p.duration for p in phases) <= 0:
        raise ScenarioError("the phases last zero seconds")

    events = []
    for i, raw in enumerate(data.get("events", []) or []):
        where = f"events[{i}]."
        if not isinstance(raw, dict):
            raise ScenarioError(f"events[{i}] must be an object")
        kind = raw.get("type")
        if kind not in EVENT_TYPES:
            raise ScenarioError(f"{where}type must be one of {', '.join(EVENT_TYPES)}, found {kind!r}")
        at = float(_number(raw, "at", minimum=0, where=where))
        duration = float(_number(raw, "duration", 0, minimum=0, where=where))
        if kind == "maintenance" and duration <= 0:
            raise ScenarioError(f"{where}duration must be > 0 for a maintenance window")
        value = int(_number(raw, "slots", 0, minimum=0, where=where)) if kind == "other_integration" else 0
        events.append(Event(at, kind, duration, value))

    fleet = data.get("fleet", {}) or {}
    netsuite = data.get("netsuite", {}) or {}
    webhooks = data.get("webhooks", {}) or {}
    chaos = data.get("chaos", {}) or {}
    scaling = data.get("scaling", {}) or {}
    if set(fleet) - {"gateways", "worker_in_flight", "lease_slots", "worker_env", "initial_workers", "config_map"}:
        raise ScenarioError(f"unknown fleet keys: {', '.join(sorted(set(fleet) - {'gateways', 'worker_in_flight', 'lease_slots', 'worker_env', 'initial_workers', 'config_map'}))}")
    if set(scaling) - {"scaled_object"}:
        raise ScenarioError("scaling takes only scaled_object: the rule and its thresholds come from that file")
    worker_env = fleet.get("worker_env", {}) or {}
    if not all(isinstance(k, str) and k.startswith("FERRY_") for k in worker_env):
        raise ScenarioError("fleet.worker_env keys must be FERRY_* variables")
    scenario = Scenario(
        name=str(data.get("name", os.path.splitext(os.path.basename(source))[0] or "scenario")),
        description=str(data.get("description", "")),
        time_compression=compression,
        phases=phases,
        events=sorted(events, key=lambda e: e.at),
        seed=int(_number(data, "seed", 20261127)),
        gateways=int(_number(fleet, "gateways", 2, minimum=1, maximum=9, where="fleet.")),
        worker_in_flight=int(_number(fleet, "worker_in_flight", 0, minimum=0, where="fleet.")),
        lease_slots=int(_number(fleet, "lease_slots", 0, minimum=0, where="fleet.")),
        config_map=str(fleet.get("config_map", "k8s/base/configmap.yaml")),
        worker_env={k: str(v) for k, v in worker_env.items()},
        initial_workers=int(_number(fleet, "initial_workers", 0, minimum=0, where="fleet.")),
        scaled_object=str(scaling.get("scaled_object", "k8s/base/worker-scaledobject.yaml")),
        netsuite_latency=str(netsuite.get("latency", "lognormal:80:600")),
        netsuite_concurrency_limit=int(_number(netsuite, "concurrency_limit", 10, minimum=1, where="netsuite.")),
        drop_webhooks=float(_number(webhooks, "drop", 0.01, minimum=0, maximum=1, where="webhooks.")),
        duplicate_webhooks=float(_number(webhooks, "duplicate", 0.02, minimum=0, maximum=1, where="webhooks.")),
        webhook_max_attempts=int(_number(webhooks, "max_attempts", 8, minimum=1, where="webhooks.")),
        kill_worker_every=float(_number(chaos, "kill_worker_every", 0, minimum=0, where="chaos.")),
        settle_timeout=float(_number(data, "settle_timeout", 180, minimum=1)),
        source=source,
    )
    mean_latency_ms(scenario.netsuite_latency)  # validates the profile
    for e in scenario.events:
        if e.at > scenario.duration:
            raise ScenarioError(f"event {e.type} at {e.at} s is after the last phase ends ({scenario.duration} s)")
    return scenario


# Worker settings taken from the Deployment's ConfigMap, so the local workers run as the cluster's do. Left out:
# NATS URL and stream replicas (a local single server), log settings, metrics interval, NetSuite auth (sandbox).
DEPLOYMENT_KEYS = (
    "FERRY_LEASE_SLOTS", "FERRY_WORKER_MAX_IN_FLIGHT", "FERRY_LEASE_TTL", "FERRY_ACK_WAIT", "FERRY_DUPLICATE_WINDOW",
    "FERRY_RETRY_SCHEDULE", "FERRY_NETSUITE_TIMEOUT", "FERRY_PRESTASHOP_TIMEOUT", "FERRY_WRITEBACK_STATE_ID",
    "FERRY_LEASE_LIVE_RESERVED", "FERRY_MAX_ATTEMPTS", "FERRY_OUTAGE_THRESHOLD", "FERRY_OUTAGE_PROBE",
    "FERRY_OUTAGE_PROBE_MAX", "FERRY_OUTAGE_HOLD", "FERRY_WRITEBACK_RETRY",
)


def apply_config_map(scenario, doc):
    """Fills the worker environment from a ConfigMap's data (scenario values win) and resolves lease slots and
    in-flight orders per worker. Returns the environment taken from the ConfigMap."""
    data = (doc or {}).get("data") or {}
    taken = {k: str(data[k]) for k in DEPLOYMENT_KEYS if k in data}
    env = {**taken, **scenario.worker_env}
    if scenario.lease_slots:
        env["FERRY_LEASE_SLOTS"] = str(scenario.lease_slots)
    if scenario.worker_in_flight:
        env["FERRY_WORKER_MAX_IN_FLIGHT"] = str(scenario.worker_in_flight)
    scenario.lease_slots = int(env.get("FERRY_LEASE_SLOTS", 8))
    scenario.worker_in_flight = int(env.get("FERRY_WORKER_MAX_IN_FLIGHT", 8))
    env["FERRY_LEASE_SLOTS"] = str(scenario.lease_slots)
    env["FERRY_WORKER_MAX_IN_FLIGHT"] = str(scenario.worker_in_flight)
    scenario.worker_env = env
    return taken


def load_config_map(path):
    if yaml is None or not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        for doc in yaml.safe_load_all(f):
            if doc and doc.get("kind") == "ConfigMap":
                return doc
    return None


def load_scenario(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith((".yaml", ".yml")):
        if yaml is None:
            raise ScenarioError("YAML scenarios need PyYAML (Debian python3-yaml)")
        data = yaml.safe_load(text)
    else:
        data = json.loads(text)
    return parse_scenario(data, source=path)


def mean_latency_ms(spec):
    """Mean of a NetSuite sandbox latency profile (`ferry sim netsuite --latency` syntax), in milliseconds.

    lognormal:<median>:<p99> has sigma = ln(p99/median) / z(0.99) and mean = median × exp(sigma² / 2).
    """
    parts = spec.lower().split(":")
    try:
        values = [float(v) for v in parts[1:]]
    except ValueError:
        raise ScenarioError(f"latency {spec!r}: values are milliseconds") from None
    if parts[0] == "none" and not values:
        return 0.0
    if parts[0] == "fixed" and len(values) == 1:
        return values[0]
    if parts[0] == "uniform" and len(values) == 2:
        return (values[0] + values[1]) / 2
    if parts[0] == "lognormal" and len(values) == 2:
        median, p99 = values
        if median <= 0 or p99 < median:
            raise ScenarioError(f"latency {spec!r}: need 0 < median <= p99")
        sigma = math.log(p99 / median) / 2.3263478740408408
        return median * math.exp(sigma * sigma / 2)
    raise ScenarioError(f"latency {spec!r} must be none, fixed:<ms>, uniform:<min>:<max> or lognormal:<median>:<p99>")


def arrival_times(scenario, seed=None):
    """Planned arrival instants (wall seconds from the start) of a non-homogeneous Poisson process whose rate
    follows the phases, drawn by thinning. Independent of how fast the system answers: an open model."""
    rng = random.Random(scenario.seed if seed is None else seed)
    times, offset = [], 0.0
    for p in scenario.phases:
        wall_len = scenario.wall(p.duration)
        peak = max(p.rate_from, p.rate_to) * scenario.time_compression
        if peak <= 0 or wall_len <= 0:
            offset += wall_len
            continue
        t = 0.0
        while True:
            t += rng.expovariate(peak)
            if t >= wall_len:
                break
            rate = p.rate_at(t * scenario.time_compression) * scenario.time_compression
            if rng.random() * peak <= rate:
                times.append(offset + t)
        offset += wall_len
    return times
