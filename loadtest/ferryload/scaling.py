"""The worker autoscaling rule of k8s/base/worker-scaledobject.yaml, as KEDA and the HPA apply it.

KEDA's nats-jetstream scaler reports lag = num_pending + num_ack_pending of the consumer (from the server's
/jsz?consumers=true; KEDA's getMaxMsgLag) as an External metric with an AverageValue target of ``lagThreshold``.
The HPA (autoscaling/v2) then does, once per evaluation:

1. recommendation = ceil(lag / lagThreshold) — unless lag / (lagThreshold × current) is within the 0.1 tolerance,
   then current; KEDA activation: with ``minReplicaCount`` 0 the target goes to 0 only after ``cooldownPeriod``
   without lag above ``activationLagThreshold``, and from 0 to 1 as soon as the lag crosses it;
2. stabilization: scaling up takes the lowest recommendation of the scale-up window (default 0 s), scaling down
   the highest of the scale-down window (default 300 s);
3. rate policies: per policy the change allowed within ``periodSeconds`` counted from the replicas at the start of
   that period (``Pods``: ± value, ``Percent``: × (1 ± value/100)); ``selectPolicy`` Max (default) takes the policy
   allowing the biggest change, Min the smallest, Disabled forbids that direction. Defaults: up max(4 pods,
   100 %) per 15 s, down 100 % per 15 s;
4. the result is clamped to [minReplicaCount, maxReplicaCount].

``spec.advanced.horizontalPodAutoscalerConfig.behavior`` replaces the defaults of steps 2 and 3, as in Kubernetes.
Every period is divided by the scenario's time compression. The HPA evaluates every 15 s (its sync period) on
the metric KEDA serves; here one evaluation runs per ``pollingInterval``.
"""

import math
from dataclasses import dataclass, field

try:
    import yaml
except ImportError:
    yaml = None

HPA_TOLERANCE = 0.1
DEFAULT_SCALE_UP = {"stabilizationWindowSeconds": 0, "selectPolicy": "Max",
                    "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15},
                                 {"type": "Pods", "value": 4, "periodSeconds": 15}]}
DEFAULT_SCALE_DOWN = {"stabilizationWindowSeconds": 300, "selectPolicy": "Max",
                      "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}


@dataclass
class ScalingRule:
    min_replicas: int
    max_replicas: int
    polling_interval: float
    cooldown_period: float
    lag_threshold: float
    activation_lag_threshold: float
    scale_up: dict = field(default_factory=lambda: dict(DEFAULT_SCALE_UP))
    scale_down: dict = field(default_factory=lambda: dict(DEFAULT_SCALE_DOWN))
    source: str = ""

    @property
    def scale_down_window(self):
        return float(self.scale_down.get("stabilizationWindowSeconds", 300))

    @property
    def scale_up_window(self):
        return float(self.scale_up.get("stabilizationWindowSeconds", 0))

    def to_json(self):
        d = dict(self.__dict__)
        d["scale_down_window"] = self.scale_down_window
        return d


def _behavior(raw, default):
    if not raw:
        return dict(default)
    out = {"stabilizationWindowSeconds": raw.get("stabilizationWindowSeconds", default["stabilizationWindowSeconds"]),
           "selectPolicy": raw.get("selectPolicy", "Max"),
           "policies": raw.get("policies") or default["policies"]}
    for p in out["policies"]:
        if p.get("type") not in ("Pods", "Percent") or "value" not in p or "periodSeconds" not in p:
            raise ValueError(f"HPA policy {p!r}: needs type Pods|Percent, value and periodSeconds")
    return out


def rule_from_scaled_object(doc, source=""):
    """Reads the ScaledObject contract: spec.minReplicaCount, maxReplicaCount, pollingInterval, cooldownPeriod,
    advanced.horizontalPodAutoscalerConfig.behavior, and the nats-jetstream trigger's lagThreshold and
    activationLagThreshold (KEDA's defaults when absent)."""
    if not isinstance(doc, dict) or doc.get("kind") != "ScaledObject":
        raise ValueError(f"{source or 'document'} is not a ScaledObject")
    spec = doc.get("spec") or {}
    triggers = [t for t in spec.get("triggers") or [] if t.get("type") == "nats-jetstream"]
    if not triggers:
        raise ValueError(f"{source}: no nats-jetstream trigger")
    metadata = triggers[0].get("metadata") or {}
    if "lagThreshold" not in metadata:
        raise ValueError(f"{source}: the nats-jetstream trigger has no lagThreshold")
    behavior = (((spec.get("advanced") or {}).get("horizontalPodAutoscalerConfig") or {}).get("behavior")) or {}
    return ScalingRule(
        min_replicas=int(spec.get("minReplicaCount", 0)),
        max_replicas=int(spec.get("maxReplicaCount", 100)),
        polling_interval=float(spec.get("pollingInterval", 30)),
        cooldown_period=float(spec.get("cooldownPeriod", 300)),
        lag_threshold=float(metadata["lagThreshold"]),
        activation_lag_threshold=float(metadata.get("activationLagThreshold", 0)),
        scale_up=_behavior(behavior.get("scaleUp"), DEFAULT_SCALE_UP),
        scale_down=_behavior(behavior.get("scaleDown"), DEFAULT_SCALE_DOWN),
        source=source,
    )


def load_rule(path):
    if yaml is None:
        raise ValueError("reading the ScaledObject needs PyYAML (Debian python3-yaml)")
    with open(path, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    for doc in docs:
        if doc.get("kind") == "ScaledObject":
            return rule_from_scaled_object(doc, source=path)
    raise ValueError(f"{path} holds no ScaledObject")


def raw_desired(lag, rule, current):
    """The HPA's recommendation for an AverageValue target, with its tolerance, before windows and clamps."""
    if current > 0:
        ratio = lag / (rule.lag_threshold * current)
        if abs(ratio - 1.0) <= HPA_TOLERANCE:
            return current
    return math.ceil(lag / rule.lag_threshold) if lag > 0 else 0


class Autoscaler:
    """Stateful emulation; `decide` is called once per (compressed) polling interval."""

    def __init__(self, rule, compression=1.0):
        self.rule = rule
        self.c = compression
        self.recommendations = []  # (time, recommendation)
        self.last_active = None
        self.changes = []  # (time, delta) of the replica changes made

    def period(self, seconds):
        return seconds / self.c

    def _changed_within(self, now, period, sign):
        return sum(d for t, d in self.changes if now - t < period and d * sign > 0)

    def _limit(self, behavior, now, current, up):
        if behavior.get("selectPolicy") == "Disabled":
            return current
        limits = []
        for p in behavior["policies"]:
            period = self.period(float(p["periodSeconds"]))
            if up:
                start = current - self._changed_within(now, period, +1)
                allowed = start + p["value"] if p["type"] == "Pods" else math.ceil(start * (1 + p["value"] / 100))
            else:
                start = current - self._changed_within(now, period, -1)  # deltas are negative
                allowed = start - p["value"] if p["type"] == "Pods" else math.ceil(start * (1 - p["value"] / 100))
            limits.append(allowed)
        pick_biggest_change = behavior.get("selectPolicy", "Max") == "Max"
        if up:
            return max(limits) if pick_biggest_change else min(limits)
        return min(limits) if pick_biggest_change else max(limits)

    def decide(self, now, lag, current):
        """Returns (desired replicas, reason)."""
        r = self.rule
        active = lag > r.activation_lag_threshold
        if active:
            self.last_active = now
        if current == 0 and not active:
            return (r.min_replicas, "inactive")
        if r.min_replicas == 0 and not active and current > 0:
            if self.last_active is None or now - self.last_active >= self.period(r.cooldown_period):
                self.recommendations.clear()
                self._record(now, -current)
                return (0, "cooldown over, lag at or below activationLagThreshold")
        base = max(current, 1)  # KEDA activates 0 → 1, the HPA takes it from there
        recommendation = min(max(raw_desired(lag, r, base), max(r.min_replicas, 1)), r.max_replicas)
        keep = max(self.period(r.scale_down_window), self.period(r.scale_up_window))
        self.recommendations = [(t, v) for t, v in self.recommendations if now - t < keep]
        self.recommendations.append((now, recommendation))
        up_window = [v for t, v in self.recommendations if now - t < self.period(r.scale_up_window)] or [recommendation]
        down_window = [v for t, v in self.recommendations if now - t < self.period(r.scale_down_window)] or [recommendation]
        desired, reason = base, "steady"
        if recommendation > base:
            desired = max(min(up_window), base)
            reason = "scale up" if desired > base else "scale-up held by the stabilization window"
            limit = self._limit(r.scale_up, now, base, up=True)
            if desired > limit:
                desired, reason = limit, "scale up limited by the HPA policy"
        elif recommendation < base:
            desired = min(max(down_window), base)
            reason = "scale down" if desired < base else "scale-down held by the stabilization window"
            limit = self._limit(r.scale_down, now, base, up=False)
            if desired < limit:
                desired, reason = limit, "scale down limited by the HPA policy"
        desired = min(max(desired, r.min_replicas, 1), r.max_replicas)
        if desired != current:
            self._record(now, desired - current)
        return (desired, reason)

    def _record(self, now, delta):
        self.changes.append((now, delta))
        longest = max([float(p["periodSeconds"]) for b in (self.rule.scale_up, self.rule.scale_down)
                       for p in b["policies"]] + [15.0])
        self.changes = [(t, d) for t, d in self.changes if now - t < self.period(longest)]
