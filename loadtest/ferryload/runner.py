"""One run: start the fleet, replay the scenario, sample every second, audit NetSuite, write the reports."""

import json
import math
import os
import random
import sys
import threading
import time

from . import audit as audit_mod
from . import stats
from .arrivals import Arrivals
from .fleet import Fleet, cpu_seconds, http_json
from .report_html import write_html
from .scaling import Autoscaler
from .scenario import arrival_times, mean_latency_ms


class Run:
    def __init__(self, scenario, rule, ferry_bin, repo, out_dir, quiet=False):
        self.s, self.rule, self.bin, self.repo, self.out = scenario, rule, ferry_bin, repo, out_dir
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.messages = []
        self.fleet = Fleet(ferry_bin, repo, out_dir, scenario, self.log)
        self.samples = []
        self.events = []  # what happened: {"t", "type", …}
        self.scale_log = []
        self.t0 = None
        self.t0_epoch = None
        self.stop = threading.Event()
        self.rng = random.Random(scenario.seed + 2)
        self.last_progress = 0.0
        self.maintenance_spans = []
        self.disturbed_spans = []
        self.arrivals = None

    def abort(self):
        """Stops the arrivals and every process (Ctrl-C, SIGTERM or a failure)."""
        self.stop.set()
        if self.arrivals:
            self.arrivals.stop.set()
            self.arrivals.pool.shutdown(wait=False, cancel_futures=True)
        self.fleet.stop()

    # MARK: output

    def log(self, message):
        line = f"[loadtest] {message}"
        self.messages.append(line)
        if self.tty:
            sys.stderr.write("\r\033[K")
        sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def clock(self):
        return time.monotonic() - self.t0

    def progress(self, sample):
        lag = "?" if sample["pending"] is None else f"{sample['pending']}+{sample['ack_pending']}"
        line = (f"t={sample['t']:5.0f}s/{self.s.wall_duration:.0f}s scenario={sample['t'] * self.s.time_compression:7.0f}s "
                f"{sample['phase'][:12]:<12} arrivals={sample['dispatched']} accepted={sample['accepted']} queue={lag} "
                f"done={sample['done'] if sample['done'] is not None else '?'} replicas={sample['replicas']}/{sample['desired']} "
                f"lease={sample['lease_in_use'] if sample['lease_in_use'] is not None else '?'}/{self.s.lease_slots} "
                f"429s={sample['rejected_429'] if sample['rejected_429'] is not None else '?'} "
                f"dlq={sample['dlq'] if sample['dlq'] is not None else '?'}")
        if self.quiet:
            return
        if self.tty:
            sys.stderr.write("\r\033[K" + line[: os.get_terminal_size(2).columns - 1])
            sys.stderr.flush()
        elif sample["t"] - self.last_progress >= 10:
            self.last_progress = sample["t"]
            sys.stderr.write(line + "\n")
            sys.stderr.flush()

    # MARK: probes

    def queue_state(self):
        """(pending, ack_pending, redelivered, stream messages, dlq messages) from the monitoring endpoint."""
        try:
            _, body = http_json("GET", self.fleet.nats_monitor + "/jsz?accounts=true&streams=true&consumers=true",
                                timeout=2)
        except (OSError, ValueError):
            return None
        out = {"pending": None, "ack_pending": None, "redelivered": None, "stream": None, "dlq": 0}
        for account in (body or {}).get("account_details", []) or []:
            for stream in account.get("stream_detail", []) or []:
                if stream.get("name") == self.fleet.orders_stream:
                    out["stream"] = stream.get("state", {}).get("messages")
                    for c in stream.get("consumer_detail", []) or []:
                        if c.get("name") == self.fleet.consumer:
                            out["pending"] = c.get("num_pending", 0)
                            out["ack_pending"] = c.get("num_ack_pending", 0)
                            out["redelivered"] = c.get("num_redelivered", 0)
                elif stream.get("name") == self.fleet.dlq_stream:
                    out["dlq"] = stream.get("state", {}).get("messages", 0)
        return out

    def lag(self):
        q = self.queue_state()
        if q is None or q["pending"] is None:
            return None
        return q["pending"] + q["ack_pending"]

    def db_state(self):
        try:
            rows = self.fleet.db(
                "SELECT (SELECT count(*) FROM order_sync WHERE stage IN ('recorded','written_back')),"
                " (SELECT count(*) FROM order_sync WHERE stage = 'dead_lettered'),"
                " (SELECT count(*) FROM netsuite_lease_slots WHERE token IS NOT NULL AND expires_at > now()),"
                " (SELECT coalesce(max(effective_limit), 0) FROM netsuite_lease_accounts)", timeout=3)
            done, dead, lease, limit = (int(v) for v in rows[0])
            return {"done": done, "dead": dead, "lease_in_use": lease, "lease_limit": limit}
        except Exception:  # noqa: BLE001 — PostgreSQL may be restarting
            return None

    def netsuite_stats(self):
        try:
            _, body = http_json("GET", self.fleet.netsuite_url + "/_sandbox/stats", timeout=2)
            return body
        except (OSError, ValueError):
            return None

    # MARK: loops

    def scaler_loop(self, scaler):
        interval = self.rule.polling_interval / self.s.time_compression
        while not self.stop.wait(interval):
            lag = self.lag()
            if lag is None:
                continue  # KEDA keeps the last replica count while the metric is unavailable
            current = self.fleet.target_workers
            desired, reason = scaler.decide(self.clock(), lag, current)
            self.scale_log.append({"t": round(self.clock(), 2), "lag": lag, "current": current,
                                   "desired": desired, "reason": reason})
            if desired != current:
                self.fleet.scale_to(desired)
                self.events.append({"t": round(self.clock(), 2), "type": "scale", "from": current, "to": desired,
                                    "lag": lag, "reason": reason})

    def events_loop(self):
        for event in self.s.wall_events():
            while not self.stop.is_set() and self.clock() < event.at:
                self.stop.wait(min(0.05, event.at - self.clock()))
            if self.stop.is_set():
                return
            t = round(self.clock(), 2)
            try:
                if event.type == "maintenance":
                    http_json("PUT", self.fleet.netsuite_url + "/_sandbox/maintenance",
                              {"durationSeconds": event.duration})
                    self.maintenance_spans.append((t, t + event.duration))
                    self.disturbed_spans.append((t, t + event.duration))
                    self.events.append({"t": t, "type": "maintenance", "duration": event.duration})
                    self.log(f"NetSuite maintenance window for {event.duration:.0f} s")
                elif event.type == "kill_worker":
                    victim = self.fleet.kill_random_worker(self.rng)
                    self.events.append({"t": t, "type": "kill_worker", "worker": victim})
                    self.log(f"SIGKILL {victim}")
                elif event.type == "restart_nats":
                    downtime = self.fleet.restart_nats()
                    self.disturbed_spans.append((t, t + downtime + 5))
                    self.events.append({"t": t, "type": "restart_nats", "downtime": round(downtime, 2)})
                    self.log(f"nats-server restarted ({downtime:.1f} s down)")
                elif event.type == "restart_postgres":
                    downtime = self.fleet.restart_postgres()
                    self.disturbed_spans.append((t, t + downtime + 5))
                    self.events.append({"t": t, "type": "restart_postgres", "downtime": round(downtime, 2)})
                    self.log(f"PostgreSQL restarted ({downtime:.1f} s down)")
                elif event.type == "other_integration":
                    http_json("PUT", self.fleet.netsuite_url + "/_sandbox/other-integration", {"slots": event.value})
                    self.events.append({"t": t, "type": "other_integration", "slots": event.value})
            except Exception as e:  # noqa: BLE001 — a failed event is a finding, not a crash of the runner
                self.events.append({"t": t, "type": event.type, "error": str(e)})
                self.log(f"event {event.type} failed: {e}")

    def sample(self, arrivals):
        t = self.clock()
        q = self.queue_state() or {}
        d = self.db_state() or {}
        ns = self.netsuite_stats() or {}
        a = arrivals.snapshot()
        by_status = ns.get("requestsByStatus", {}) or {}
        sample = {
            "t": round(t, 3), "phase": self.s.phase_at(t), "dispatched": a["dispatched"], "accepted": a["accepted"],
            "pending": q.get("pending"), "ack_pending": q.get("ack_pending"), "redelivered": q.get("redelivered"),
            "stream": q.get("stream"), "dlq": q.get("dlq"),
            "done": d.get("done"), "dead_lettered": d.get("dead"), "lease_in_use": d.get("lease_in_use"),
            "lease_limit": d.get("lease_limit"),
            "rejected_429": ns.get("rejectedConcurrency"), "netsuite_in_flight": ns.get("inFlight"),
            "netsuite_max_concurrent": ns.get("maxConcurrent"), "netsuite_requests": ns.get("requestsTotal"),
            "netsuite_503": by_status.get("503"),
            "replicas": self.fleet.replicas(), "desired": self.fleet.target_workers,
        }
        self.samples.append(sample)
        self.progress(sample)
        return sample

    # MARK: the run

    def execute(self):
        s, fleet = self.s, self.fleet
        self.log(f"scenario {s.name}: {s.wall_duration:.0f} s of arrivals (compression {s.time_compression:g}), "
                 f"about {s.expected_orders():.0f} orders; binary {self.bin}")
        self.log(f"scaling rule from {self.rule.source}: {self.rule.min_replicas}…{self.rule.max_replicas} workers, "
                 f"lagThreshold {self.rule.lag_threshold:g}, polling {self.rule.polling_interval:g} s")
        setup_started = time.monotonic()
        fleet.start_stack()
        fleet.start_services()
        initial = s.initial_workers or max(self.rule.min_replicas, 1)
        fleet.scale_to(initial)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.lag() is not None:
                break  # the consumer exists: a worker is up
            time.sleep(0.2)
        arrivals = Arrivals(s, arrival_times(s), fleet.prestashop_url, fleet.webhook_urls, self.clock, self.log)
        self.arrivals = arrivals
        arrivals.load_paid_states()
        setup_seconds = time.monotonic() - setup_started
        self.log(f"fleet up in {setup_seconds:.1f} s: {s.gateways} gateways, {initial} workers; "
                 f"{len(arrivals.plan)} arrivals planned")
        self.t0, self.t0_epoch = time.monotonic(), time.time()
        scaler = Autoscaler(self.rule, s.time_compression)
        threads = [threading.Thread(target=arrivals.run, daemon=True, name="arrivals"),
                   threading.Thread(target=self.scaler_loop, args=(scaler,), daemon=True, name="scaler"),
                   threading.Thread(target=self.events_loop, daemon=True, name="events")]
        for th in threads:
            th.start()
        settle_started = None
        outcome = "drained"
        next_sample = 0.0
        while True:
            now = self.clock()
            fleet.reconcile(now)
            if now >= next_sample:
                sample = self.sample(arrivals)
                next_sample += 1.0
                if arrivals.done.is_set():
                    if settle_started is None:
                        settle_started = now
                        self.arrivals_end = now
                    accepted = sum(1 for o in arrivals.orders.values() if o["delivery"] == "accepted")
                    finished = (sample["done"] or 0) + (sample["dead_lettered"] or 0)
                    if (sample["pending"] == 0 and sample["ack_pending"] == 0 and finished >= accepted
                            and now >= s.wall_duration):
                        break
                    if now - settle_started > s.settle_timeout:
                        outcome = "settle timeout"
                        self.log(f"the queue did not drain within {s.settle_timeout:.0f} s of the last arrival")
                        break
            time.sleep(0.1)
        self.end = self.clock()
        self.stop.set()
        for th in threads[1:]:
            th.join(timeout=30)
        if self.tty and not self.quiet:
            sys.stderr.write("\n")
        self.log(f"arrivals over and queue {outcome} at t={self.end:.0f} s; auditing NetSuite")
        arrivals.shutdown()
        cpu = {c.name: cpu_seconds(c.pid) for c in fleet.children if c.alive()}
        result = self.collect(arrivals, outcome, setup_seconds, cpu)
        return result

    def collect(self, arrivals, outcome, setup_seconds, cpu):
        fleet, s = self.fleet, self.s
        rows = fleet.db("SELECT idempotency_key, order_id, stage, extract(epoch FROM webhook_received_at),"
                        " extract(epoch FROM recorded_at), attempts FROM order_sync", timeout=30)
        ns_url = fleet.netsuite_url + "/_sandbox"
        _, so = http_json("GET", ns_url + "/records/salesOrder", timeout=120)
        _, dep = http_json("GET", ns_url + "/records/customerDeposit", timeout=120)
        _, creates = http_json("GET", ns_url + "/creates", timeout=60)
        _, dup_lines = http_json("GET", ns_url + "/duplicate-lines", timeout=60)
        _, ns_stats = http_json("GET", ns_url + "/stats", timeout=10)
        fleet.stop()

        dead = {r[0] for r in rows if r[2] == "dead_lettered"}
        orders = {oid: {"delivery": o["delivery"], "expected": o["expected"]} for oid, o in arrivals.orders.items()}
        result_audit = audit_mod.audit(
            orders, [audit_mod.normalize_sales_order(e) for e in so.get("records", [])],
            [audit_mod.normalize_deposit(e) for e in dep.get("records", [])], creates,
            [e.get("externalId") for e in dup_lines.get("salesOrders", [])], dead)

        length = int(math.ceil(self.end)) + 1
        done_pairs = []
        for key, order_id, stage, received, recorded, attempts in rows:
            if recorded and received:
                done_pairs.append((float(recorded) - self.t0_epoch, float(recorded) - float(received)))
        latencies = [lat for _, lat in done_pairs]
        done_ps = stats.per_second([t for t, _ in done_pairs], length)
        accepted_ps = stats.per_second(arrivals.accepted_at, length)
        arrivals_ps = stats.per_second(arrivals.dispatched, length)
        p50, p95, p99 = stats.windowed_percentiles(done_pairs, length)

        by_status = ns_stats.get("requestsByStatus", {}) or {}
        failed_calls = sum(v for k, v in by_status.items() if k == "429" or k.startswith("5") or k == "dropped")
        in_netsuite = max(result_audit["in_netsuite"], 1)
        calls_per_order = (ns_stats.get("requestsTotal", 0) - failed_calls) / in_netsuite
        mean_latency = mean_latency_ms(s.netsuite_latency) / 1000
        bound = stats.theoretical_bound(s.lease_slots, calls_per_order, mean_latency)

        # Per-second series from the samples (the sample taken closest after each second).
        def series(key):
            out, j = [], 0
            for i in range(length):
                while j < len(self.samples) - 1 and self.samples[j]["t"] < i:
                    j += 1
                out.append(self.samples[j].get(key) if self.samples else None)
            return out

        pending = series("pending")
        ack_pending = series("ack_pending")
        accepted_cum, done_cum, outstanding = 0, 0, []
        for i in range(length):
            accepted_cum += accepted_ps[i]
            done_cum += done_ps[i]
            outstanding.append(max(accepted_cum - done_cum, 0))
        excluded = stats.disturbed_seconds(length, self.disturbed_spans)
        # Headline: backlog seconds with the fleet at full scale (maxReplicaCount workers running), undisturbed.
        # Seconds with fewer workers measure how fast the autoscaler reacts, not how fast a backlog drains:
        # they are reported apart.
        replicas = series("replicas")
        under_scaled = [excluded[i] or (replicas[i] or 0) < self.rule.max_replicas for i in range(length)]
        efficiency = stats.drain_efficiency(pending, done_ps, bound, under_scaled)
        efficiency_any_scale = stats.drain_efficiency(pending, done_ps, bound, excluded)
        efficiency_all = stats.drain_efficiency(pending, done_ps, bound, None)
        # Where the time goes while a backlog exists (Little's law): NetSuite requests in flight ÷ NetSuite calls
        # per second = how long one call really takes, sandbox processing and CPU waits included.
        selected = stats.backlog_seconds(pending, length, under_scaled)
        in_flight = stats.mean_over(series("netsuite_in_flight"), selected)
        calls_per_second = (efficiency["throughput"] or 0) * calls_per_order
        measured_call = in_flight / calls_per_second if in_flight and calls_per_second else None
        diagnostics = {
            "mean_lease_slots_held": stats.mean_over(series("lease_in_use"), selected),
            "mean_netsuite_requests_in_flight": in_flight,
            "mean_replicas": stats.mean_over(series("replicas"), selected),
            "measured_seconds_per_netsuite_call": measured_call,
            "bound_at_measured_call_time": stats.theoretical_bound(s.lease_slots, calls_per_order, measured_call)
            if measured_call else None,
        }
        recoveries = [stats.recovery(end, outstanding, accepted_ps, bound, s.lease_slots)
                      for _, end in self.maintenance_spans]
        rejected = series("rejected_429")
        rejected_ps = [None if i == 0 or rejected[i] is None or rejected[i - 1] is None else max(rejected[i] - rejected[i - 1], 0)
                       for i in range(length)]

        report = {
            "scenario": {"name": s.name, "source": s.source, "description": s.description,
                         "time_compression": s.time_compression, "wall_duration": s.wall_duration,
                         "phases": [{"name": n, "start": a, "end": b} for n, a, b in s.phase_spans()],
                         "netsuite_latency": s.netsuite_latency, "netsuite_concurrency_limit": s.netsuite_concurrency_limit,
                         "gateways": s.gateways, "lease_slots": s.lease_slots, "worker_in_flight": s.worker_in_flight,
                         "drop_webhooks": s.drop_webhooks, "duplicate_webhooks": s.duplicate_webhooks},
            "machine": machine_description(),
            "binary": self.bin,
            "stack_dir": fleet.stack_dir,
            "processes": [{"name": c.name, "pid": c.pid} for c in fleet.children],
            "scaling_rule": self.rule.to_json(),
            "setup_seconds": round(setup_seconds, 1),
            "run_seconds": round(self.end, 1),
            "outcome": outcome,
            "arrivals": {"planned": len(arrivals.plan), "dispatched": len(arrivals.dispatched),
                         "max_dispatch_lag_seconds": round(arrivals.max_lag, 3),
                         "gateway_answers": arrivals.gateway_status, "errors": arrivals.errors[:50]},
            "audit": result_audit,
            "latency_seconds": stats.latency_summary(latencies),
            "netsuite": {"stats": ns_stats, "calls_per_order": round(calls_per_order, 3),
                         "mean_latency_ms": round(mean_latency * 1000, 1)},
            "theoretical_bound": bound,
            "drain_efficiency": efficiency,
            "drain_efficiency_any_scale": efficiency_any_scale,
            "drain_efficiency_including_disturbed": efficiency_all,
            "backlog_diagnostics": diagnostics,
            "disturbed_spans": self.disturbed_spans,
            "recovery": recoveries,
            "events": self.events,
            "incidents": self.fleet.incidents,
            "scale_decisions": self.scale_log,
            "cpu_seconds": cpu,
            "messages": self.messages,
            "series": {
                "t": list(range(length)), "arrivals": arrivals_ps, "accepted": accepted_ps, "done": done_ps,
                "pending": pending, "ack_pending": ack_pending, "outstanding": outstanding, "dlq": series("dlq"),
                "latency_p50": p50, "latency_p95": p95, "latency_p99": p99,
                "replicas": series("replicas"), "desired": series("desired"),
                "lease_in_use": series("lease_in_use"), "lease_limit": series("lease_limit"),
                "netsuite_in_flight": series("netsuite_in_flight"), "rejected_429": rejected_ps,
                "rejected_429_total": rejected, "dead_lettered": series("dead_lettered"),
            },
            "samples": self.samples,
        }
        report["verdict"] = verdict(report)
        os.makedirs(self.out, exist_ok=True)
        with open(os.path.join(self.out, "report.json"), "w") as f:
            json.dump(report, f, indent=1, default=str)
        write_html(report, os.path.join(self.out, "report.html"))
        return report


def verdict(report):
    a = report["audit"]["counts"]
    eff = report["drain_efficiency"]["efficiency"]
    rec = [r for r in report["recovery"] if r]
    return {
        "zero_lost": a["lost"] == 0,
        "zero_duplicated": a["duplicated"] == 0 and a["duplicated_lines"] == 0,
        "amounts_match": a["amount_mismatches"] == 0,
        "drain_efficiency_target_met": None if eff is None else eff >= 0.95,
        "recovery_target_met": None if not rec or rec[0].get("ratio") is None else rec[0]["ratio"] <= 1.1,
        "recovery_arrival_adjusted_target_met": (None if not rec or rec[0].get("arrival_adjusted_ratio") is None
                                                  else rec[0]["arrival_adjusted_ratio"] <= 1.1),
        "passed": report["audit"]["ok"],
    }


def machine_description():
    info = {"cores": os.cpu_count()}
    try:
        with open("/proc/loadavg") as f:
            info["load_average_at_end"] = f.read().split()[:3]
        with open("/proc/meminfo") as f:
            info["memory_gib"] = round(int(f.readline().split()[1]) / 1024 / 1024)
        with open("/proc/cpuinfo") as f:
            models = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        info["cpu"] = models[0] if models else "unknown"
        with open("/etc/os-release") as f:
            info["os"] = next((line.split("=", 1)[1].strip().strip('"') for line in f if line.startswith("PRETTY_NAME")), "")
    except OSError:
        pass
    return info
