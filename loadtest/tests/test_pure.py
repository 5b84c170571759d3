"""Unit tests of the runner's pure parts: scenario parsing, arrivals, the scaling rule, statistics, the audit,
the charts. Run: python3 -m unittest discover -s loadtest/tests -t loadtest"""

import math
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from ferryload import audit, stats  # noqa: E402
from ferryload.report_html import nice_ticks  # noqa: E402
from ferryload.scaling import Autoscaler, ScalingRule, raw_desired, rule_from_scaled_object  # noqa: E402
from ferryload.scenario import (  # noqa: E402
    ScenarioError, apply_config_map, arrival_times, load_scenario, mean_latency_ms, parse_scenario)

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIOS = os.path.join(os.path.dirname(HERE), "scenarios")


def scenario(**overrides):
    data = {"name": "t", "phases": [{"name": "a", "duration": 10, "rate": 2},
                                    {"name": "b", "duration": 10, "rate_from": 2, "rate_to": 6}]}
    data.update(overrides)
    return parse_scenario(data)


class ScenarioTests(unittest.TestCase):
    def test_phases_rates_and_compression(self):
        s = scenario(time_compression=2)
        self.assertEqual(s.duration, 20)
        self.assertEqual(s.wall_duration, 10)
        self.assertEqual(s.phase_spans(), [("a", 0.0, 5.0), ("b", 5.0, 10.0)])
        self.assertAlmostEqual(s.rate_at_wall(1), 4.0)  # 2/s scenario × compression 2
        self.assertAlmostEqual(s.rate_at_wall(7.5), 8.0)  # halfway through the ramp 2 → 6, × 2
        self.assertEqual(s.rate_at_wall(11), 0.0)
        self.assertEqual(s.expected_orders(), 20 + 40)
        self.assertEqual(s.phase_at(6), "b")

    def test_rate_per_hour(self):
        s = parse_scenario({"phases": [{"duration": 3600, "rate_per_hour": 85}]})
        self.assertAlmostEqual(s.expected_orders(), 85)

    def test_events_and_periodic_kills_in_wall_time(self):
        s = scenario(time_compression=2, events=[{"at": 4, "type": "maintenance", "duration": 6}],
                     chaos={"kill_worker_every": 8})
        events = [(e.type, e.at, e.duration) for e in s.wall_events()]
        self.assertEqual(events, [("maintenance", 2.0, 3.0), ("kill_worker", 4.0, 0.0), ("kill_worker", 8.0, 0.0)])

    def test_errors_name_the_field(self):
        with self.assertRaisesRegex(ScenarioError, r"phases\[0\]\.duration"):
            parse_scenario({"phases": [{"rate": 1}]})
        with self.assertRaisesRegex(ScenarioError, "rate"):
            parse_scenario({"phases": [{"duration": 1}]})
        with self.assertRaisesRegex(ScenarioError, "type must be one of"):
            scenario(events=[{"at": 1, "type": "meteor"}])
        with self.assertRaisesRegex(ScenarioError, "after the last phase"):
            scenario(events=[{"at": 99, "type": "restart_nats"}])
        with self.assertRaisesRegex(ScenarioError, "unknown keys"):
            scenario(phasess=[])
        with self.assertRaisesRegex(ScenarioError, "scaled_object"):
            scenario(scaling={"lag_threshold": 3})
        with self.assertRaisesRegex(ScenarioError, "webhooks.drop"):
            scenario(webhooks={"drop": 2})
        with self.assertRaisesRegex(ScenarioError, "latency"):
            scenario(netsuite={"latency": "gamma:3"})

    def test_config_map_fills_worker_settings_and_scenario_wins(self):
        s = scenario(fleet={"lease_slots": 6, "worker_env": {"FERRY_LEASE_TTL": "5s"}})
        taken = apply_config_map(s, {"kind": "ConfigMap", "data": {
            "FERRY_LEASE_SLOTS": "8", "FERRY_WORKER_MAX_IN_FLIGHT": "2", "FERRY_LEASE_TTL": "30s",
            "FERRY_NATS_URL": "nats://elsewhere:4222"}})
        self.assertNotIn("FERRY_NATS_URL", taken)
        self.assertEqual(s.lease_slots, 6)
        self.assertEqual(s.worker_in_flight, 2)
        self.assertEqual(s.worker_env["FERRY_LEASE_TTL"], "5s")

    def test_shipped_scenarios_parse(self):
        for name in sorted(os.listdir(SCENARIOS)):
            with self.subTest(name=name):
                s = load_scenario(os.path.join(SCENARIOS, name))
                self.assertGreater(s.expected_orders(), 0)
        self.assertLess(load_scenario(os.path.join(SCENARIOS, "smoke.json")).wall_duration, 46)
        self.assertLess(load_scenario(os.path.join(SCENARIOS, "default.json")).wall_duration, 240)

    def test_mean_latency(self):
        self.assertEqual(mean_latency_ms("none"), 0)
        self.assertEqual(mean_latency_ms("fixed:20"), 20)
        self.assertEqual(mean_latency_ms("uniform:10:30"), 20)
        sigma = math.log(600 / 80) / 2.3263478740408408
        self.assertAlmostEqual(mean_latency_ms("lognormal:80:600"), 80 * math.exp(sigma ** 2 / 2))


class ArrivalTests(unittest.TestCase):
    def test_open_model_counts_follow_the_rates(self):
        s = parse_scenario({"seed": 7, "phases": [{"duration": 200, "rate": 5}, {"duration": 200, "rate": 0},
                                                  {"duration": 200, "rate_from": 0, "rate_to": 10}]})
        times = arrival_times(s)
        first = sum(1 for t in times if t < 200)
        quiet = sum(1 for t in times if 200 <= t < 400)
        ramp_first_half = sum(1 for t in times if 400 <= t < 500)
        ramp_second_half = sum(1 for t in times if 500 <= t < 600)
        self.assertEqual(quiet, 0)
        self.assertAlmostEqual(first, 1000, delta=4 * math.sqrt(1000))
        self.assertAlmostEqual(ramp_first_half, 250, delta=4 * math.sqrt(250))
        self.assertAlmostEqual(ramp_second_half, 750, delta=4 * math.sqrt(750))
        self.assertEqual(times, sorted(times))
        self.assertEqual(times, arrival_times(s))  # seeded: the same plan every run

    def test_compression_keeps_the_orders_and_shortens_the_calendar(self):
        slow = parse_scenario({"seed": 3, "phases": [{"duration": 3600, "rate_per_hour": 360}]})
        fast = parse_scenario({"seed": 3, "time_compression": 60, "phases": [{"duration": 3600, "rate_per_hour": 360}]})
        self.assertAlmostEqual(len(arrival_times(fast)), 360, delta=4 * math.sqrt(360))
        self.assertLess(max(arrival_times(fast)), 60)
        self.assertGreater(max(arrival_times(slow)), 60)


def rule(**kw):
    base = dict(min_replicas=1, max_replicas=4, polling_interval=15, cooldown_period=300, lag_threshold=10,
                activation_lag_threshold=0)
    base.update(kw)
    return ScalingRule(**base)


class ScalingTests(unittest.TestCase):
    def test_recommendation_is_ceil_of_lag_over_threshold_with_tolerance(self):
        r = rule()
        self.assertEqual(raw_desired(0, r, 1), 0)
        self.assertEqual(raw_desired(35, r, 1), 4)
        self.assertEqual(raw_desired(21, r, 2), 2)  # 21 / 20 = 1.05: inside the 10 % tolerance
        self.assertEqual(raw_desired(23, r, 2), 3)

    def test_clamped_and_rate_limited_scale_up(self):
        a = Autoscaler(rule(scale_up={"stabilizationWindowSeconds": 0, "selectPolicy": "Max",
                                      "policies": [{"type": "Pods", "value": 2, "periodSeconds": 30}]}))
        self.assertEqual(a.decide(0, 500, 1)[0], 3)  # wants 4 (max), policy allows +2 per 30 s
        self.assertEqual(a.decide(15, 500, 3)[0], 3)  # still inside the same 30 s period
        self.assertEqual(a.decide(31, 500, 3)[0], 4)

    def test_default_scale_up_policy_allows_4_pods_or_double(self):
        a = Autoscaler(rule(max_replicas=20))
        self.assertEqual(a.decide(0, 1000, 1)[0], 5)  # max(1 + 4, 1 × 2)

    def test_scale_down_waits_for_the_stabilization_window(self):
        a = Autoscaler(rule())
        self.assertEqual(a.decide(0, 40, 1)[0], 4)
        self.assertEqual(a.decide(15, 0, 4), (4, "scale-down held by the stabilization window"))
        self.assertEqual(a.decide(299, 0, 4)[0], 4)
        self.assertEqual(a.decide(301, 0, 4)[0], 1)  # default policy: 100 % per 15 s, min 1

    def test_scale_down_policy_one_pod_per_minute(self):
        r = rule(scale_down={"stabilizationWindowSeconds": 0, "selectPolicy": "Max",
                             "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]})
        a = Autoscaler(r)
        self.assertEqual(a.decide(0, 0, 4)[0], 3)
        self.assertEqual(a.decide(30, 0, 3)[0], 3)
        self.assertEqual(a.decide(61, 0, 3)[0], 2)

    def test_compression_shortens_every_period(self):
        a = Autoscaler(rule(), compression=60)
        self.assertEqual(a.decide(0, 40, 1)[0], 4)
        self.assertEqual(a.decide(4, 0, 4)[0], 4)  # 300 s window = 5 wall s
        self.assertEqual(a.decide(5.1, 0, 4)[0], 1)

    def test_scale_to_zero_after_cooldown_and_activation(self):
        a = Autoscaler(rule(min_replicas=0, activation_lag_threshold=5))
        self.assertEqual(a.decide(0, 3, 0), (0, "inactive"))
        self.assertEqual(a.decide(15, 6, 0)[0], 1)
        self.assertEqual(a.decide(30, 0, 1)[0], 1)  # cooldown not over yet
        self.assertEqual(a.decide(330, 0, 1)[0], 0)

    def test_reads_the_scaled_object(self):
        doc = {"kind": "ScaledObject", "spec": {
            "minReplicaCount": 1, "maxReplicaCount": 4, "pollingInterval": 15, "cooldownPeriod": 300,
            "advanced": {"horizontalPodAutoscalerConfig": {"behavior": {"scaleDown": {
                "stabilizationWindowSeconds": 120, "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]}}}},
            "triggers": [{"type": "cpu", "metadata": {}},
                         {"type": "nats-jetstream", "metadata": {"lagThreshold": "10", "activationLagThreshold": "2"}}]}}
        r = rule_from_scaled_object(doc, "x.yaml")
        self.assertEqual((r.min_replicas, r.max_replicas, r.lag_threshold, r.activation_lag_threshold), (1, 4, 10, 2))
        self.assertEqual(r.scale_down_window, 120)
        self.assertEqual(r.scale_up_window, 0)
        with self.assertRaisesRegex(ValueError, "lagThreshold"):
            rule_from_scaled_object({"kind": "ScaledObject", "spec": {"triggers": [{"type": "nats-jetstream"}]}})

    def test_the_repository_scaled_object_is_readable(self):
        from ferryload.scaling import load_rule
        path = os.path.join(os.path.dirname(os.path.dirname(HERE)), "k8s/base/worker-scaledobject.yaml")
        if not os.path.exists(path):
            self.skipTest("k8s/base/worker-scaledobject.yaml not present")
        r = load_rule(path)
        self.assertGreaterEqual(r.max_replicas, r.min_replicas)
        self.assertGreater(r.lag_threshold, 0)


class StatsTests(unittest.TestCase):
    def test_percentile_matches_percentile_cont(self):
        self.assertIsNone(stats.percentile([], 0.5))
        self.assertEqual(stats.percentile([5], 0.95), 5)
        self.assertEqual(stats.percentile([1, 2, 3, 4], 0.5), 2.5)
        self.assertAlmostEqual(stats.percentile(list(range(1, 101)), 0.95), 95.05)
        self.assertEqual(stats.percentile([3, 1, 2], 1.0), 3)

    def test_windowed_percentiles(self):
        p50, p95, _ = stats.windowed_percentiles([(0.5, 1.0), (1.2, 3.0), (9.0, 10.0)], 10, window=2)
        self.assertEqual(p50[0], 1.0)
        self.assertEqual(p50[1], 2.0)
        self.assertIsNone(p50[5])
        self.assertEqual(p95[9], 10.0)

    def test_bound_and_drain_efficiency(self):
        bound = stats.theoretical_bound(8, 6, 0.1)  # 8 slots ÷ 0.6 s per order
        self.assertAlmostEqual(bound, 13.333, places=3)
        pending = [0, 50, 40, 30, 20, 10, 0, 0]
        done = [0, 13, 13, 12, 12, 5, 1, 0]
        excluded = [False, False, False, True, False, False, False, False]
        r = stats.drain_efficiency(pending, done, bound, excluded)
        self.assertEqual(r["seconds"], 3)  # seconds 1, 2 and 4 (3 is excluded, 0 and 5 lack a backlog at one end)
        self.assertAlmostEqual(r["throughput"], (13 + 13 + 12) / 3)
        self.assertAlmostEqual(r["efficiency"], (38 / 3) / bound)
        self.assertIsNone(stats.drain_efficiency([0, 0], [1], bound)["efficiency"])

    def test_recovery_ratio(self):
        outstanding = [0, 100, 100, 80, 60, 40, 20, 5, 5]
        accepted = [0, 0, 0, 0, 0, 0, 0, 0, 0]
        r = stats.recovery(2.0, outstanding, accepted, 20.0, drained_level=8)
        self.assertEqual(r["backlog"], 100)
        self.assertEqual(r["drain_seconds"], 5)
        self.assertAlmostEqual(r["ratio"], 5 / (100 / 20))
        self.assertAlmostEqual(r["arrival_adjusted_ratio"], 1.0)
        with_arrivals = stats.recovery(2.0, outstanding, [0, 0, 5, 5, 5, 5, 5, 0, 0], 20.0, drained_level=8)
        self.assertAlmostEqual(with_arrivals["arrival_adjusted_ratio"], 5 / (100 / 15))
        self.assertIsNone(stats.recovery(2.0, [0, 100, 100, 90], [0] * 4, 20.0, 8)["ratio"])


def expected(order_id, lines=((1, "10.00"),), subtotal="10.00", shipping="4.90", paid=True, total="17.18"):
    return {"order_id": order_id, "shop_id": 1, "lines": sorted(lines), "subtotal": subtotal, "shipping": shipping,
            "paid": paid, "total_paid": total}


def so(order_id, internal, lines=((1, "10.00"),), subtotal="10.00", shipping="4.90", total="17.18", charges=()):
    return {"externalId": f"PS-1-{order_id}", "id": str(internal),
            "lines": [{"item": str(100 + i), "quantity": q, "rate": r} for i, (q, r) in enumerate(lines)]
            + [{"item": "90001", "quantity": 1, "rate": r, "description": "10% off"} for r in charges],
            "subTotal": subtotal, "shippingCost": shipping, "total": total}


def dep(order_id, internal, so_id, payment="17.18"):
    return {"externalId": f"PS-1-{order_id}-DEP", "id": str(internal), "payment": payment, "salesOrder": so_id}


class AuditTests(unittest.TestCase):
    def test_clean_run(self):
        orders = {1: {"delivery": "accepted", "expected": expected(1)},
                  2: {"delivery": "accepted", "expected": expected(2, paid=False)},
                  3: {"delivery": "dropped", "expected": expected(3)}}
        r = audit.audit(orders, [so(1, 501), so(2, 502)], [dep(1, 601, "501")], {}, [], set())
        self.assertTrue(r["ok"], r)
        self.assertEqual(r["counts"]["in_netsuite"], 2)
        self.assertEqual(r["counts"]["not_delivered"], 1)
        self.assertEqual(r["not_delivered"]["dropped"], [3])

    def test_detects_a_lost_and_a_duplicated_order(self):
        orders = {1: {"delivery": "accepted", "expected": expected(1)},
                  2: {"delivery": "accepted", "expected": expected(2)},
                  3: {"delivery": "accepted", "expected": expected(3)}}
        sales = [so(1, 501), so(1, 777), so(3, 503)]  # order 1 twice, order 2 missing
        deposits = [dep(1, 601, "501"), dep(3, 603, "503")]
        r = audit.audit(orders, sales, deposits, {"salesOrder": {"PS-1-1": 2, "PS-1-3": 1}}, [], set())
        self.assertFalse(r["ok"])
        self.assertEqual(r["lost"], ["PS-1-2"])
        self.assertEqual(r["duplicated"], ["PS-1-1"])

    def test_duplicate_create_counted_even_when_one_copy_remains(self):
        orders = {1: {"delivery": "accepted", "expected": expected(1)}}
        r = audit.audit(orders, [so(1, 501)], [dep(1, 601, "501")],
                        {"salesOrder": {"PS-1-1": 2}, "customerDeposit": {"PS-1-1-DEP": 3}}, [], set())
        self.assertEqual(r["duplicated"], ["PS-1-1", "PS-1-1-DEP"])

    def test_dead_lettered_is_not_lost_and_duplicate_lines_and_amounts_are_checked(self):
        orders = {1: {"delivery": "accepted", "expected": expected(1, lines=((1, "10.00"), (2, "5.00")), subtotal="20.00")},
                  2: {"delivery": "accepted", "expected": expected(2)},
                  4: {"delivery": "accepted", "expected": expected(4, paid=False)}}
        sales = [so(1, 501, lines=((1, "10.00"), (2, "5.00"), (2, "5.00")), subtotal="30.00"), so(4, 504)]
        deposits = [dep(1, 601, "501", payment="17.17"), dep(4, 604, "504")]
        r = audit.audit(orders, sales, deposits, {}, ["PS-1-1"], {"ps-1-order-2"})
        self.assertEqual(r["lost"], [])
        self.assertEqual(r["dead_lettered"], ["PS-1-2"])
        self.assertEqual(r["duplicated_lines"], ["PS-1-1"])
        fields = sorted(m["field"] for m in r["amount_mismatches"])
        self.assertEqual(fields, ["customerDeposit (unpaid order)", "customerDeposit.payment", "lines (quantity, rate)"])
        self.assertFalse(r["ok"])

    def test_netsuite_total_against_the_total_paid_with_discount_lines_left_to_it(self):
        orders = {1: {"delivery": "accepted", "expected": expected(1, total="15.46")},
                  2: {"delivery": "accepted", "expected": expected(2)}}
        # Order 1: a discount line brings NetSuite to what was paid; order 2: shipping tax missing, 0.98 short.
        sales = [so(1, 501, total="15.46", charges=("-1.00",)), so(2, 502, total="16.20")]
        deposits = [dep(1, 601, "501", payment="15.46"), dep(2, 602, "502")]
        r = audit.audit(orders, sales, deposits, {}, [], set())
        self.assertEqual(r["amount_mismatches"], [{"externalId": "PS-1-2", "field": "total (tax incl.)",
                                                   "expected": "17.18", "found": "16.20"}])

    def test_missing_deposit_of_a_paid_order_is_a_mismatch(self):
        orders = {1: {"delivery": "accepted", "expected": expected(1)}}
        r = audit.audit(orders, [so(1, 501)], [], {}, [], set())
        self.assertEqual([m["field"] for m in r["amount_mismatches"]], ["customerDeposit"])

    def test_stored_without_a_202_is_audited(self):
        orders = {1: {"delivery": "failed", "expected": expected(1)}, 2: {"delivery": "failed", "expected": expected(2)}}
        r = audit.audit(orders, [so(1, 501)], [dep(1, 601, "501")], {}, [], set())
        self.assertEqual(r["in_netsuite_without_202"], ["PS-1-1"])
        self.assertEqual(r["not_delivered"]["failed"], [2])
        self.assertTrue(r["ok"])

    def test_expected_from_a_webhook_body(self):
        body = {"order": {"id": 7, "id_shop": 1, "current_state": 10, "total_products": "30.000000",
                          "total_shipping_tax_excl": "4.900000", "total_paid_tax_incl": "41.380000",
                          "associations": {"order_rows": [
                              {"product_quantity": 2, "unit_price_tax_excl": "10.000000"},
                              {"product_quantity": 1, "unit_price_tax_excl": "10.000000"}]}}}
        e = audit.expected_from_webhook(body, paid_states={2, 11})
        self.assertEqual(e["lines"], [(1, "10.00"), (2, "10.00")])
        self.assertFalse(e["paid"])
        self.assertEqual((e["subtotal"], e["shipping"], e["total_paid"]), ("30.00", "4.90", "41.38"))

    def test_normalizes_sandbox_records(self):
        entry = {"id": "5001", "externalId": "PS-1-7", "record": {
            "subTotal": 30, "shippingCost": 4.9,
            "item": {"items": [{"item": {"id": "10001"}, "quantity": 2, "rate": 10}]}}}
        n = audit.normalize_sales_order(entry)
        self.assertEqual(n["lines"], [{"item": "10001", "quantity": 2, "rate": 10, "description": None}])
        d = audit.normalize_deposit({"id": "9", "externalId": "PS-1-7-DEP",
                                     "record": {"payment": 41.38, "salesOrder": {"id": "5001"}}})
        self.assertEqual(d["salesOrder"], "5001")


class ChartTests(unittest.TestCase):
    def test_nice_ticks(self):
        self.assertEqual(nice_ticks(0, 10), [0, 2, 4, 6, 8, 10])
        self.assertEqual(nice_ticks(0, 0.9)[-1], 1.0)

    def test_report_page_is_self_contained(self):
        from ferryload.report_html import write_html
        length = 5
        series = {k: [1, 2, None, 3, 4] for k in (
            "arrivals", "accepted", "done", "pending", "ack_pending", "outstanding", "dlq", "latency_p50",
            "latency_p95", "latency_p99", "replicas", "desired", "lease_in_use", "lease_limit", "netsuite_in_flight",
            "rejected_429")}
        series["t"] = list(range(length))
        report = {
            "series": series, "scenario": {"name": "t", "description": "d", "phases": [{"name": "a", "start": 0, "end": 5}],
                                           "netsuite_latency": "fixed:10", "netsuite_concurrency_limit": 10,
                                           "lease_slots": 8, "gateways": 2, "worker_in_flight": 2,
                                           "time_compression": 1, "drop_webhooks": 0.01, "duplicate_webhooks": 0.02},
            "events": [{"t": 1, "type": "maintenance", "duration": 2}, {"t": 3, "type": "kill_worker", "worker": "w"}],
            "theoretical_bound": 3.0, "audit": {"counts": {"lost": 0, "accepted": 9, "dead_lettered": 0, "duplicated": 0,
                                                           "duplicated_lines": 0, "amount_mismatches": 0, "not_delivered": 1}},
            "latency_seconds": {"p50": 1, "p95": 2, "p99": 3, "max": 4},
            "drain_efficiency": {"efficiency": 0.9, "throughput": 2.7, "seconds": 3},
            "recovery": [None], "verdict": {"drain_efficiency_target_met": False, "recovery_target_met": None,
                                            "zero_duplicated": True, "amounts_match": True, "passed": True},
            "machine": {"cores": 2}, "binary": "ferry", "run_seconds": 5, "setup_seconds": 1, "outcome": "drained",
            "scaling_rule": {"min_replicas": 1, "max_replicas": 4, "lag_threshold": 10, "polling_interval": 15,
                             "scale_down_window": 300, "source": "x"},
            "netsuite": {"mean_latency_ms": 10, "calls_per_order": 6},
            "arrivals": {"dispatched": 10, "max_dispatch_lag_seconds": 0.01, "gateway_answers": {"202": 10}},
            "incidents": [],
        }
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "report.html")
            write_html(report, path)
            with open(path, encoding="utf-8") as f:
                page = f.read()
        self.assertEqual(page.count("<svg viewBox"), 6)
        self.assertNotIn("<script", page)
        self.assertNotIn("http://", page.replace('xmlns="http://www.w3.org/2000/svg"', ""))
        self.assertIn("theoretical bound", page)
        self.assertIn("SIGKILL worker", page)


if __name__ == "__main__":
    unittest.main()
