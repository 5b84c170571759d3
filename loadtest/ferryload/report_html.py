"""report.html: one self-contained page, inline SVG charts drawn here (no scripts, no fonts or libraries fetched)."""

import html
import math

PALETTE = {
    "blue": "#2563eb", "orange": "#ea580c", "green": "#16a34a", "red": "#dc2626", "purple": "#7c3aed",
    "grey": "#6b7280", "teal": "#0d9488", "pink": "#db2777", "amber": "#d97706",
}
PHASE_FILLS = ["#f1f5f9", "#e0f2fe", "#fef3c7", "#fce7f3", "#ecfccb", "#ede9fe"]

W, H = 920, 260
ML, MR, MT, MB = 64, 16, 46, 42


def nice_ticks(lo, hi, count=5):
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks, v = [], start
    while True:
        ticks.append(round(v, 10))
        if v >= hi - step * 1e-9:
            return ticks
        v += step


def fmt(v):
    if v is None:
        return "–"
    if abs(v) >= 100 or float(v).is_integer():
        return f"{v:.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def ratio(v):
    """Ratios compared with a target: three decimals, so 0.947 never shows as 0.95."""
    return "–" if v is None else f"{v:.3f}"


def esc(s):
    return html.escape(str(s))


def chart(title, unit, series, length, phases, markers, maintenance, hlines=(), ymax=None, note=""):
    """series: [{"name", "values", "color", "dash"(opt), "width"(opt), "step"(opt)}] indexed by wall second."""
    values = [v for s in series for v in s["values"] if v is not None]
    values += [h["value"] for h in hlines if h.get("value") is not None]
    top = ymax if ymax is not None else (max(values) if values else 1)
    top = top * 1.08 if top > 0 else 1
    yt = nice_ticks(0, top)
    top = yt[-1]
    xt = nice_ticks(0, max(length - 1, 1), 8)
    pw, ph = W - ML - MR, H - MT - MB

    def x(t):
        return ML + pw * t / max(length - 1, 1)

    def y(v):
        return MT + ph * (1 - v / top)

    out = [f'<svg viewBox="0 0 {W} {H}" class="chart" role="img" aria-label="{esc(title)}">',
           f'<text x="{ML}" y="18" class="title">{esc(title)}</text>']
    for i, (name, start, end) in enumerate(phases):
        out.append(f'<rect x="{x(start):.1f}" y="{MT}" width="{max(x(min(end, length - 1)) - x(start), 0):.1f}" '
                   f'height="{ph}" fill="{PHASE_FILLS[i % len(PHASE_FILLS)]}"/>')
    for start, end in maintenance:
        out.append(f'<rect x="{x(start):.1f}" y="{MT}" width="{max(x(min(end, length - 1)) - x(start), 1):.1f}" '
                   f'height="{ph}" fill="url(#hatch)" opacity="0.55"/>')
    for name, start, end in phases:
        out.append(f'<text x="{x(start) + 4:.1f}" y="{MT + 12}" class="phase">{esc(name)}</text>')
    for v in yt:
        out.append(f'<line x1="{ML}" x2="{W - MR}" y1="{y(v):.1f}" y2="{y(v):.1f}" class="grid"/>')
        out.append(f'<text x="{ML - 6}" y="{y(v) + 4:.1f}" class="tick" text-anchor="end">{fmt(v)}</text>')
    for t in xt:
        if t <= length - 1:
            out.append(f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{MT + ph}" y2="{MT + ph + 4}" class="axis"/>')
            out.append(f'<text x="{x(t):.1f}" y="{MT + ph + 16}" class="tick" text-anchor="middle">{fmt(t)}</text>')
    out.append(f'<line x1="{ML}" x2="{W - MR}" y1="{MT + ph}" y2="{MT + ph}" class="axis"/>')
    out.append(f'<line x1="{ML}" x2="{ML}" y1="{MT}" y2="{MT + ph}" class="axis"/>')
    out.append(f'<text x="{ML + pw / 2}" y="{H - 6}" class="label" text-anchor="middle">wall time since the first arrival (s)</text>')
    out.append(f'<text transform="translate(14 {MT + ph / 2}) rotate(-90)" class="label" text-anchor="middle">{esc(unit)}</text>')
    for k, (t, label, color) in enumerate(sorted(markers)):
        if 0 <= t <= length - 1:
            out.append(f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{MT}" y2="{MT + ph}" stroke="{color}" '
                       f'stroke-dasharray="3 3" stroke-width="1.2"/>')
            out.append(f'<text x="{x(t) + 3:.1f}" y="{MT + ph - 4 - 12 * (k % 3)}" class="marker" fill="{color}">'
                       f'{esc(label)}</text>')
    for h in hlines:
        if h.get("value") is None:
            continue
        out.append(f'<line x1="{ML}" x2="{W - MR}" y1="{y(h["value"]):.1f}" y2="{y(h["value"]):.1f}" '
                   f'stroke="{h["color"]}" stroke-width="1.6" stroke-dasharray="8 4"/>')
    for s in series:
        segments, current = [], []
        for i, v in enumerate(s["values"]):
            if v is None:
                if current:
                    segments.append(current)
                current = []
                continue
            if s.get("step") and current:
                current.append(f"{x(i):.1f},{y(current_last):.1f}")
            current.append(f"{x(i):.1f},{y(v):.1f}")
            current_last = v
        if current:
            segments.append(current)
        for seg in segments:
            dash = f' stroke-dasharray="{s["dash"]}"' if s.get("dash") else ""
            out.append(f'<polyline points="{" ".join(seg)}" fill="none" stroke="{s["color"]}" '
                       f'stroke-width="{s.get("width", 1.8)}" stroke-linejoin="round"{dash}/>')
    items = [(s["name"], s["color"], s.get("dash")) for s in series] + [
        (h["name"], h["color"], "8 4") for h in hlines if h.get("value") is not None]
    if maintenance:
        items.append(("NetSuite maintenance", "#dc2626", "hatch"))
    lx = ML
    for name, color, dash in items:
        if dash == "hatch":
            out.append(f'<rect x="{lx:.1f}" y="{MT - 17}" width="18" height="10" fill="url(#hatch)"/>')
        else:
            d = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(f'<line x1="{lx:.1f}" x2="{lx + 18:.1f}" y1="{MT - 12}" y2="{MT - 12}" stroke="{color}" '
                       f'stroke-width="2.5"{d}/>')
        out.append(f'<text x="{lx + 22:.1f}" y="{MT - 8}" class="legend">{esc(name)}</text>')
        lx += 34 + 6.3 * len(name)
    out.append("</svg>")
    if note:
        out.append(f'<p class="note">{note}</p>')
    return "\n".join(out)


def smooth(values, window=5):
    out = []
    for i in range(len(values)):
        seg = [v for v in values[max(0, i - window + 1): i + 1] if v is not None]
        out.append(sum(seg) / len(seg) if seg else None)
    return out


def tile(label, value, good=None, sub=""):
    cls = "tile" + ("" if good is None else (" good" if good else " bad"))
    return f'<div class="{cls}"><div class="v">{esc(value)}</div><div class="l">{esc(label)}</div><div class="s">{esc(sub)}</div></div>'


def diagnostics_html(report):
    d = report.get("backlog_diagnostics") or {}
    if not d.get("measured_seconds_per_netsuite_call"):
        return ""
    return (f"<p>While a backlog existed at full scale: {fmt(d['mean_lease_slots_held'])} lease slots held and "
            f"{fmt(d['mean_netsuite_requests_in_flight'])} NetSuite requests in flight on average, "
            f"{fmt(d['mean_replicas'])} workers. One NetSuite call took {fmt(d['measured_seconds_per_netsuite_call'] * 1000)} ms "
            f"from the sandbox's admission to its answer (Little's law: requests in flight ÷ calls per second) against a "
            f"configured mean latency of {fmt(report['netsuite']['mean_latency_ms'])} ms; at that call time the bound would be "
            f"{fmt(d['bound_at_measured_call_time'])} orders/s.</p>")


def write_html(report, path):
    s = report["series"]
    length = len(s["t"])
    phases = [(p["name"], p["start"], p["end"]) for p in report["scenario"]["phases"]]
    maintenance = [(e["t"], e["t"] + e["duration"]) for e in report["events"] if e["type"] == "maintenance"]
    labels = {"kill_worker": ("SIGKILL worker", PALETTE["red"]), "restart_nats": ("nats-server restart", PALETTE["purple"]),
              "restart_postgres": ("PostgreSQL restart", PALETTE["teal"]),
              "other_integration": ("other integration", PALETTE["amber"])}
    markers = [(e["t"], labels[e["type"]][0], labels[e["type"]][1]) for e in report["events"] if e["type"] in labels]
    bound = report["theoretical_bound"]
    a = report["audit"]["counts"]
    lat = report["latency_seconds"]
    eff = report["drain_efficiency"]
    rec = next((r for r in report["recovery"] if r), None)
    v = report["verdict"]
    m = report["machine"]

    tiles = [
        tile("drain efficiency (target ≥ 0.95)", ratio(eff["efficiency"]), v["drain_efficiency_target_met"],
             f"{fmt(eff['throughput'])} orders/s over {eff['seconds']} backlog seconds at full scale ÷ bound {fmt(bound)}/s; "
             f"at any scale {ratio((report.get('drain_efficiency_any_scale') or {}).get('efficiency'))}"),
        tile("recovery after maintenance (target ≤ 1.1)", ratio(rec["ratio"]) if rec else "–", v["recovery_target_met"],
             (f"drained {fmt(rec['backlog'])} orders in {fmt(rec['drain_seconds'])} s; ideal {fmt(rec['ideal_seconds'])} s; "
              f"arrival-adjusted {ratio(rec.get('arrival_adjusted_ratio'))}") if rec else "no maintenance window"),
        tile("p95 end-to-end latency", f"{fmt(lat['p95'])} s", None,
             f"p50 {fmt(lat['p50'])} s · p99 {fmt(lat['p99'])} s · max {fmt(lat['max'])} s"),
        tile("lost orders", a["lost"], a["lost"] == 0, f"of {a['accepted']} accepted; {a['dead_lettered']} dead-lettered"),
        tile("duplicated", a["duplicated"] + a["duplicated_lines"], v["zero_duplicated"],
             f"{a['duplicated']} records, {a['duplicated_lines']} orders with duplicate lines"),
        tile("amount mismatches", a["amount_mismatches"], v["amounts_match"],
             f"{a['not_delivered']} webhooks not delivered (dropped by the shop)"),
    ]
    charts = [
        chart("Arrivals and throughput", "orders per second (5 s average)", [
            {"name": "arrivals", "values": smooth(s["arrivals"]), "color": PALETTE["grey"]},
            {"name": "accepted (202)", "values": smooth(s["accepted"]), "color": PALETTE["blue"], "dash": "2 2"},
            {"name": "into NetSuite", "values": smooth(s["done"]), "color": PALETTE["green"], "width": 2.4},
        ], length, phases, markers, maintenance,
            hlines=[{"name": "theoretical bound", "value": bound, "color": PALETTE["orange"]}],
            note="The bound is lease slots ÷ (NetSuite calls per order × mean sandbox latency). While a backlog exists "
                 "the green line should sit on it."),
        chart("Queue depth", "messages", [
            {"name": "pending (not fetched)", "values": s["pending"], "color": PALETTE["blue"]},
            {"name": "ack pending (being worked on)", "values": s["ack_pending"], "color": PALETTE["purple"]},
            {"name": "accepted, not yet in NetSuite", "values": s["outstanding"], "color": PALETTE["grey"], "dash": "4 3"},
        ], length, phases, markers, maintenance),
        chart("End-to-end latency (webhook received → sales order and deposit in NetSuite)", "seconds", [
            {"name": "p50", "values": s["latency_p50"], "color": PALETTE["green"]},
            {"name": "p95", "values": s["latency_p95"], "color": PALETTE["orange"]},
            {"name": "p99", "values": s["latency_p99"], "color": PALETTE["red"]},
        ], length, phases, markers, maintenance,
            note="Percentiles of the orders that reached NetSuite in the trailing 5 seconds."),
        chart("Worker replicas (KEDA rule emulated)", "workers", [
            {"name": "running", "values": s["replicas"], "color": PALETTE["blue"], "step": True, "width": 2.4},
            {"name": "desired", "values": s["desired"], "color": PALETTE["orange"], "step": True, "dash": "5 3"},
        ], length, phases, markers, maintenance,
            ymax=max([x for x in s["replicas"] + s["desired"] if x is not None] + [report["scaling_rule"]["max_replicas"]]),
            hlines=[{"name": "max", "value": report["scaling_rule"]["max_replicas"], "color": PALETTE["grey"]}]),
        chart("NetSuite lease", "slots", [
            {"name": "lease slots held", "values": s["lease_in_use"], "color": PALETTE["teal"]},
            {"name": "effective limit (AIMD)", "values": s["lease_limit"], "color": PALETTE["purple"], "step": True, "dash": "5 3"},
            {"name": "NetSuite requests in flight", "values": s["netsuite_in_flight"], "color": PALETTE["grey"], "width": 1.2},
        ], length, phases, markers, maintenance,
            hlines=[{"name": "account limit", "value": report["scenario"]["netsuite_concurrency_limit"], "color": PALETTE["red"]}]),
        chart("429s and dead letters", "count", [
            {"name": "429 per second", "values": s["rejected_429"], "color": PALETTE["red"]},
            {"name": "dead letters (DLQ depth)", "values": s["dlq"], "color": PALETTE["amber"], "step": True},
        ], length, phases, markers, maintenance),
    ]
    sc = report["scenario"]
    rule = report["scaling_rule"]
    event_rows = "".join(
        f"<tr><td>{fmt(e['t'])}</td><td>{esc(e['type'])}</td><td>{esc({k: x for k, x in e.items() if k not in ('t', 'type')})}</td></tr>"
        for e in report["events"])
    incident_rows = "".join(f"<li>{esc(i)}</li>" for i in report["incidents"]) or "<li>none</li>"
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ferry load test — {esc(sc['name'])}</title>
<style>
body {{ font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #111827; margin: 24px auto; max-width: 960px; }}
h1 {{ font-size: 22px; margin-bottom: 2px; }} .sub {{ color: #6b7280; margin-top: 0; }}
.tiles {{ display: grid; grid-template-columns: repeat(3, 1fr); gap: 10px; margin: 16px 0 22px; }}
.tile {{ border: 1px solid #e5e7eb; border-radius: 8px; padding: 10px 12px; }}
.tile.good {{ border-left: 5px solid #16a34a; }} .tile.bad {{ border-left: 5px solid #dc2626; }}
.tile .v {{ font-size: 26px; font-weight: 650; }} .tile .l {{ font-weight: 600; }} .tile .s {{ color: #6b7280; font-size: 12px; }}
svg.chart {{ width: 100%; height: auto; margin-top: 14px; }}
.title {{ font-weight: 650; font-size: 14px; }} .tick {{ font-size: 11px; fill: #4b5563; }}
.label {{ font-size: 11px; fill: #374151; }} .legend {{ font-size: 11px; fill: #111827; }}
.marker {{ font-weight: 600; paint-order: stroke; stroke: #ffffff; stroke-width: 3px; }}
.phase {{ font-size: 10px; fill: #334155; font-weight: 600; paint-order: stroke; stroke: #ffffff; stroke-width: 3px; }} .marker {{ font-size: 10px; }}
.grid {{ stroke: #e5e7eb; }} .axis {{ stroke: #9ca3af; }}
.note {{ color: #6b7280; font-size: 12px; margin: 0 0 8px {ML}px; }}
table {{ border-collapse: collapse; font-size: 12px; }} td, th {{ border-bottom: 1px solid #e5e7eb; padding: 3px 8px; text-align: left; }}
</style></head><body>
<svg width="0" height="0" style="position:absolute"><defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fee2e2"/><line x1="0" y1="0" x2="0" y2="6" stroke="#dc2626" stroke-width="2"/></pattern></defs></svg>
<h1>Ferry Black Friday load test — {esc(sc['name'])}</h1>
<p class="sub">{esc(sc['description'])}<br>
Machine: {esc(m.get('cores'))} cores, {esc(m.get('memory_gib'))} GiB, {esc(m.get('cpu', ''))}, {esc(m.get('os', ''))}; load average at the end {esc(' '.join(m.get('load_average_at_end', [])))}.
Binary {esc(report['binary'])}. Run {fmt(report['run_seconds'])} s after a {fmt(report['setup_seconds'])} s start-up; outcome: {esc(report['outcome'])}.
Verdict: <b>{'PASSED' if v['passed'] else 'FAILED'}</b> (zero lost, zero duplicated, amounts match).</p>
<div class="tiles">{''.join(tiles)}</div>
{''.join(charts)}
<h2>Set-up</h2>
<p>NetSuite sandbox latency <code>{esc(sc['netsuite_latency'])}</code> (mean {fmt(report['netsuite']['mean_latency_ms'])} ms),
account concurrency limit {sc['netsuite_concurrency_limit']}; {report['netsuite']['calls_per_order']} NetSuite calls per order (measured);
{sc['lease_slots']} lease slots; {sc['gateways']} gateways; workers {rule['min_replicas']}…{rule['max_replicas']} × {sc['worker_in_flight']} in flight,
lagThreshold {fmt(rule['lag_threshold'])}, polling {fmt(rule['polling_interval'])} s, scale-down window {fmt(rule['scale_down_window'])} s (from {esc(rule['source'])});
time compression {sc['time_compression']}; webhooks dropped {sc['drop_webhooks']:.0%}, sent twice {sc['duplicate_webhooks']:.0%}.
Arrivals: {report['arrivals']['dispatched']} dispatched, largest dispatch delay {fmt(report['arrivals']['max_dispatch_lag_seconds'])} s;
gateway answers {esc(report['arrivals']['gateway_answers'])}.</p>
{diagnostics_html(report)}
<h2>Events</h2><table><tr><th>t (s)</th><th>event</th><th>details</th></tr>{event_rows}</table>
<h2>Incidents</h2><ul>{incident_rows}</ul>
<h2>Audit</h2><pre>{esc({k: x for k, x in report['audit']['counts'].items()})}</pre>
</body></html>
"""
    with open(path, "w", encoding="utf-8") as f:
        f.write(page)
