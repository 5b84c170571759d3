#!/usr/bin/env python3
"""Ferry's Black Friday load test: start a local fleet, replay a scenario, audit NetSuite, write the reports.

  loadtest/run.py [SCENARIO] [--ferry-bin PATH] [--out DIR] [--scaled-object PATH] [--plan] [--quiet]

SCENARIO defaults to loadtest/scenarios/default.json. Output: DIR/report.json, DIR/report.html and the
processes' logs in DIR/logs/ (DIR defaults to loadtest/out/<timestamp>/). Exit status: 0 when every accepted
order is in NetSuite exactly once with matching amounts, 1 when an order is lost or duplicated or an amount
differs, 2 when the run could not be made. See loadtest/README.md.
"""

import argparse
import os
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from ferryload.scaling import load_rule  # noqa: E402
from ferryload.scenario import (  # noqa: E402
    ScenarioError, apply_config_map, arrival_times, load_config_map, load_scenario, mean_latency_ms)


def default_binary():
    for path in (".build/release/ferry", ".build/debug/ferry"):
        full = os.path.join(REPO, path)
        if os.access(full, os.X_OK):
            return full
    return None


def print_plan(scenario, rule):
    times = arrival_times(scenario)
    print(f"scenario {scenario.name} ({scenario.source}): {scenario.description}")
    print(f"time compression {scenario.time_compression:g}: {scenario.duration:.0f} scenario s = "
          f"{scenario.wall_duration:.0f} wall s of arrivals; {len(times)} arrivals drawn "
          f"(expected {scenario.expected_orders():.0f})")
    for name, start, end in scenario.phase_spans():
        n = sum(1 for t in times if start <= t < end)
        print(f"  phase {name:<14} wall {start:7.1f} … {end:7.1f} s  {n:6d} orders")
    for e in scenario.wall_events():
        extra = f" for {e.duration:.1f} s" if e.duration else ""
        print(f"  event {e.type:<18} at wall {e.at:7.1f} s{extra}")
    print(f"worker settings: {scenario.worker_env}")
    print(f"NetSuite latency {scenario.netsuite_latency} (mean {mean_latency_ms(scenario.netsuite_latency):.1f} ms), "
          f"concurrency limit {scenario.netsuite_concurrency_limit}, lease slots {scenario.lease_slots}")
    print(f"scaling from {rule.source}: {rule.min_replicas}…{rule.max_replicas} workers, lagThreshold "
          f"{rule.lag_threshold:g}, activation {rule.activation_lag_threshold:g}, polling {rule.polling_interval:g} s, "
          f"cooldown {rule.cooldown_period:g} s, scale-down window {rule.scale_down_window:g} s")


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Run Ferry's Black Friday load test against a local fleet of real ferry processes.",
        epilog="Exit status 0: every accepted order in NetSuite exactly once with matching amounts; 1: lost, "
               "duplicated or mismatched orders; 2: the run could not be made. See loadtest/README.md.")
    parser.add_argument("scenario", nargs="?", default=os.path.join(HERE, "scenarios/default.json"),
                        help="scenario file, JSON or YAML (default: loadtest/scenarios/default.json)")
    parser.add_argument("--ferry-bin", help="ferry binary (default: .build/release/ferry if built, else .build/debug/ferry)")
    parser.add_argument("--out", help="output directory (default: loadtest/out/<timestamp>/)")
    parser.add_argument("--scaled-object", help="KEDA ScaledObject to take the scaling rule from "
                                                "(default: the scenario's scaling.scaled_object, k8s/base/worker-scaledobject.yaml)")
    parser.add_argument("--plan", action="store_true", help="print the arrival plan and events, start nothing")
    parser.add_argument("--quiet", action="store_true", help="no progress line")
    args = parser.parse_args(argv)

    try:
        scenario = load_scenario(args.scenario)
    except (OSError, ValueError, ScenarioError) as e:
        print(f"loadtest: scenario {args.scenario}: {e}", file=sys.stderr)
        return 2
    config_map = os.path.join(REPO, scenario.config_map)
    taken = apply_config_map(scenario, load_config_map(config_map))
    scenario.config_map_env = taken
    scaled_object = args.scaled_object or os.path.join(REPO, scenario.scaled_object)
    try:
        rule = load_rule(scaled_object)
    except (OSError, ValueError) as e:
        print(f"loadtest: cannot read the scaling rule: {e}", file=sys.stderr)
        return 2
    if args.plan:
        print_plan(scenario, rule)
        return 0

    ferry_bin = args.ferry_bin or os.environ.get("FERRY_BIN") or default_binary()
    if not ferry_bin or not os.access(ferry_bin, os.X_OK):
        print("loadtest: no ferry binary; build one with `swift build -c release --product ferry` "
              "or pass --ferry-bin", file=sys.stderr)
        return 2
    ferry_bin = os.path.abspath(ferry_bin)
    print(f"[loadtest] using {ferry_bin}", file=sys.stderr)
    out = args.out or os.path.join(HERE, "out", time.strftime("%Y%m%d-%H%M%S"))
    os.makedirs(out, exist_ok=True)

    from ferryload.runner import Run  # imported late: the plan needs none of it

    run = Run(scenario, rule, ferry_bin, REPO, out, quiet=args.quiet)

    def terminate(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    try:
        report = run.execute()
    except KeyboardInterrupt:
        run.log("interrupted: stopping the fleet")
        run.abort()
        return 2
    except Exception as e:  # noqa: BLE001 — stop everything, then say what failed
        run.log(f"run failed: {e}")
        run.abort()
        raise
    summarize(report, out)
    return 0 if report["verdict"]["passed"] else 1


def summarize(report, out):
    a = report["audit"]["counts"]
    lat = report["latency_seconds"]
    eff = report["drain_efficiency"]
    rec = next((r for r in report["recovery"] if r), None)

    def f(v, digits=2):
        return "–" if v is None else f"{v:.{digits}f}"

    lines = [
        f"orders placed {a['orders_placed']}, accepted {a['accepted']}, not delivered {a['not_delivered']} "
        f"(dropped by the shop), in NetSuite {a['in_netsuite']}",
        f"lost {a['lost']}, duplicated {a['duplicated']}, duplicated lines {a['duplicated_lines']}, "
        f"amount mismatches {a['amount_mismatches']}, dead-lettered {a['dead_lettered']}",
        f"theoretical bound {f(report['theoretical_bound'])} orders/s ({report['scenario']['lease_slots']} slots ÷ "
        f"{report['netsuite']['calls_per_order']} calls × {report['netsuite']['mean_latency_ms']} ms)",
        f"drain efficiency {f(eff['efficiency'], 3)} ({f(eff['throughput'])} orders/s over {eff['seconds']} backlog s at full "
        f"scale); at any scale {f(report['drain_efficiency_any_scale']['efficiency'], 3)}",
    ]
    if rec:
        lines.append(f"recovery after maintenance: backlog {rec['backlog']} drained in {f(rec['drain_seconds'], 1)} s; "
                     f"ratio {f(rec['ratio'], 3)}, arrival-adjusted {f(rec.get('arrival_adjusted_ratio'), 3)}")
    lines.append(f"end-to-end latency p50 {f(lat['p50'])} s, p95 {f(lat['p95'])} s, p99 {f(lat['p99'])} s")
    lines.append(f"verdict: {'PASSED' if report['verdict']['passed'] else 'FAILED'}; report {out}/report.html")
    for line in lines:
        print(f"[loadtest] {line}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
