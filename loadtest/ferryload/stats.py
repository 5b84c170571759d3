"""Numbers of a run: percentiles, the theoretical bound, drain efficiency, recovery after a maintenance window."""

import math


def percentile(values, q):
    """Linear interpolation between closest ranks (PostgreSQL's percentile_cont); None for no values."""
    if not values:
        return None
    s = sorted(values)
    if len(s) == 1:
        return float(s[0])
    pos = (len(s) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return float(s[lo] + (s[hi] - s[lo]) * (pos - lo))


def latency_summary(values):
    return {
        "count": len(values),
        "p50": percentile(values, 0.50),
        "p95": percentile(values, 0.95),
        "p99": percentile(values, 0.99),
        "max": max(values) if values else None,
    }


def per_second(events, length):
    """Counts of event times (wall seconds) per one-second bucket [i, i+1) for i in 0 … length-1."""
    counts = [0] * length
    for t in events:
        i = int(math.floor(t))
        if 0 <= i < length:
            counts[i] += 1
    return counts


def windowed_percentiles(done, length, window=5):
    """Latency percentiles of the orders finished in each window ending at second i (trailing `window` s).
    done: [(finish wall second, latency seconds)]. Returns lists p50, p95, p99 (None where nothing finished)."""
    buckets = [[] for _ in range(length)]
    for t, latency in done:
        i = int(math.floor(t))
        if 0 <= i < length:
            buckets[i].append(latency)
    p50, p95, p99 = [], [], []
    for i in range(length):
        values = [v for b in buckets[max(0, i - window + 1): i + 1] for v in b]
        p50.append(percentile(values, 0.5))
        p95.append(percentile(values, 0.95))
        p99.append(percentile(values, 0.99))
    return p50, p95, p99


def theoretical_bound(lease_slots, calls_per_order, mean_latency_seconds):
    """Orders per second NetSuite can take through the lease: slots ÷ (calls per order × mean call latency)."""
    service = calls_per_order * mean_latency_seconds
    if service <= 0:
        return None
    return lease_slots / service


def disturbed_seconds(length, spans):
    """Seconds that overlap any (start, end) span: excluded from the drain-efficiency measurement."""
    flags = [False] * length
    for start, end in spans:
        for i in range(max(0, int(math.floor(start))), min(length, int(math.ceil(end)))):
            flags[i] = True
    return flags


def backlog_seconds(pending, length, excluded=None, min_pending=1):
    """Seconds [i, i+1) with a backlog at both ends (pending ≥ min_pending) that are not excluded."""
    out = []
    for i in range(min(length, len(pending) - 1)):
        a, b = pending[i], pending[i + 1]
        if a is None or b is None or a < min_pending or b < min_pending:
            continue
        if excluded and excluded[i]:
            continue
        out.append(i)
    return out


def drain_efficiency(pending, done_per_second, bound, excluded=None, min_pending=1):
    """Throughput while a backlog exists ÷ the bound.

    pending[i]: messages nobody has fetched (consumer num_pending) sampled at second i (None if unknown).
    A second [i, i+1) counts when pending ≥ min_pending at both ends and it is not excluded (maintenance
    window, a server restart in progress)."""
    selected = backlog_seconds(pending, len(done_per_second), excluded, min_pending)
    seconds, done = len(selected), sum(done_per_second[i] for i in selected)
    if seconds == 0 or not bound:
        return {"seconds": seconds, "orders": done, "throughput": None, "efficiency": None}
    throughput = done / seconds
    return {"seconds": seconds, "orders": done, "throughput": throughput, "efficiency": throughput / bound}


def mean_over(values, indices):
    picked = [values[i] for i in indices if i < len(values) and values[i] is not None]
    return sum(picked) / len(picked) if picked else None


def recovery(window_end, outstanding, accepted_per_second, bound, drained_level):
    """Recovery after a maintenance window ending at wall second `window_end`.

    outstanding[i]: accepted orders not yet in NetSuite nor dead-lettered at second i. The backlog B is
    outstanding at the window's end; the drain ends at the first second where outstanding ≤ drained_level.
    ratio = drain time ÷ (B ÷ bound); arrival_adjusted = drain time ÷ (B ÷ (bound − mean arrival rate during the
    drain)), which is what a drain at exactly the bound would take while orders keep arriving."""
    i0 = int(math.ceil(window_end))
    if i0 >= len(outstanding) or outstanding[i0] is None or not bound:
        return None
    backlog = outstanding[i0]
    end = None
    for i in range(i0, len(outstanding)):
        if outstanding[i] is not None and outstanding[i] <= drained_level:
            end = i
            break
    result = {"window_end": window_end, "backlog": backlog, "drained_level": drained_level, "ideal_seconds": backlog / bound}
    if end is None:
        result.update({"drain_seconds": None, "ratio": None, "arrival_adjusted_ratio": None})
        return result
    drain = max(end - window_end, 0.0)
    arrivals = sum(accepted_per_second[i0:end]) / max(end - i0, 1)
    ideal = backlog / bound
    adjusted_ideal = backlog / (bound - arrivals) if bound > arrivals else None
    result.update({
        "drain_seconds": drain,
        "arrival_rate_during_drain": arrivals,
        "ratio": drain / ideal if ideal > 0 else None,
        "arrival_adjusted_ideal_seconds": adjusted_ideal,
        "arrival_adjusted_ratio": drain / adjusted_ideal if adjusted_ideal else None,
    })
    return result
