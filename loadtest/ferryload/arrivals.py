"""An open arrival process: orders are placed at planned instants whatever the fleet is doing.

For each planned arrival a thread from a large pool creates one order in the PrestaShop sandbox
(`POST /_sandbox/generator {"createOrders": 1}`; the sandbox is started without a webhook URL, so it sends
nothing itself), reads it back exactly as the webservice returns it (`GET /api/orders/{id}?output_format=JSON`)
and posts it, signed as README "Webhook contract" says, to the gateways round-robin — like a shop's webhook module
behind a load balancer: a connection error or 5xx is retried on the next gateway with exponential back-off. A
planned fraction of webhooks is dropped (never sent) and another sent twice.

Why not the sandbox's own generator and webhook module: its deliveries go out one at a time, so a slow gateway
slows the arrivals down (a closed loop), and the real arrival instants would be hidden in its queue.
"""

import hashlib
import hmac
import json
import random
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from .audit import expected_from_webhook
from .fleet import PRESTASHOP_KEY, WEBHOOK_SECRET, http_json


def sign(secret, timestamp, body):
    """`v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


class Arrivals:
    def __init__(self, scenario, times, prestashop_url, webhook_urls, clock, log, pool_size=96):
        self.s, self.times, self.ps, self.urls, self.clock, self.log = (
            scenario, times, prestashop_url, webhook_urls, clock, log)
        rng = random.Random(scenario.seed + 1)
        self.plan = [(t, rng.random() < scenario.drop_webhooks, rng.random() < scenario.duplicate_webhooks)
                     for t in times]
        self.pool = ThreadPoolExecutor(max_workers=pool_size, thread_name_prefix="arrival")
        self.lock = threading.Lock()
        self.orders = {}  # order id → record
        self.dispatched = []  # actual dispatch wall times
        self.accepted_at = []  # wall time of each order's first 202
        self.max_lag = 0.0
        self.rr = 0
        self.errors = []
        self.paid_states = set()
        self.stop = threading.Event()
        self.gateway_status = {}
        self.done = threading.Event()

    def load_paid_states(self):
        url = f"{self.ps}/api/order_states?output_format=JSON&display=%5Bid,paid%5D&ws_key={PRESTASHOP_KEY}"
        _, body = http_json("GET", url)
        self.paid_states = {int(s["id"]) for s in body["order_states"] if str(s.get("paid", "0")) == "1"}

    def run(self):
        """Dispatches every planned arrival on time (call in a thread)."""
        futures = []
        for i, (t, drop, duplicate) in enumerate(self.plan):
            while not self.stop.is_set():
                delay = t - self.clock()
                if delay <= 0:
                    break
                self.stop.wait(min(delay, 0.05))
            if self.stop.is_set():
                break
            now = self.clock()
            with self.lock:
                self.dispatched.append(now)
                self.max_lag = max(self.max_lag, now - t)
            futures.append(self.pool.submit(self.place, i, t, drop, duplicate))
        for f in futures:
            f.result()
        self.done.set()

    def place(self, i, planned, drop, duplicate):
        try:
            order_id, body = self.create_order()
        except Exception as e:  # noqa: BLE001 — recorded and reported
            with self.lock:
                self.errors.append(f"arrival {i}: creating the order failed: {e}")
            return
        expected = expected_from_webhook(json.loads(body), self.paid_states)
        record = {"planned": planned, "created": self.clock(), "delivery": "dropped" if drop else "pending",
                  "attempts": 0, "expected": expected, "duplicate_sent": False}
        with self.lock:
            self.orders[order_id] = record
        if drop:
            return
        accepted = self.deliver(body, record)
        record["delivery"] = "accepted" if accepted else "failed"
        if accepted:
            with self.lock:
                self.accepted_at.append(record["accepted"])
            if duplicate:
                record["duplicate_sent"] = True
                self.deliver(body, {"attempts": 0})

    def create_order(self):
        last = None
        for attempt in range(5):
            try:
                status, created = http_json("POST", f"{self.ps}/_sandbox/generator", {"createOrders": 1}, timeout=15)
                if status == 200 and created.get("createdOrderIds"):
                    order_id = created["createdOrderIds"][0]
                    url = f"{self.ps}/api/orders/{order_id}?output_format=JSON&ws_key={PRESTASHOP_KEY}"
                    with urllib.request.urlopen(url, timeout=15) as response:
                        return order_id, response.read()
                last = f"HTTP {status}"
            except OSError as e:
                last = e
            time.sleep(0.2 * (attempt + 1))
        raise RuntimeError(str(last))

    def deliver(self, body, record):
        """POSTs one signed webhook; retries a 5xx or a connection error on the next gateway. True on 202."""
        backoff = 0.2
        for _ in range(self.s.webhook_max_attempts):
            record["attempts"] += 1
            with self.lock:
                self.rr += 1
                url = self.urls[self.rr % len(self.urls)]
            timestamp = str(int(time.time()))
            request = urllib.request.Request(url, data=body, method="POST")
            request.add_header("Content-Type", "application/json")
            request.add_header("X-Ferry-Timestamp", timestamp)
            request.add_header("X-Ferry-Signature", sign(WEBHOOK_SECRET, timestamp, body))
            status = None
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    status = response.status
                    response.read()
            except urllib.error.HTTPError as e:
                status = e.code
            except OSError:
                status = "connection error"
            with self.lock:
                self.gateway_status[str(status)] = self.gateway_status.get(str(status), 0) + 1
            if status == 202:
                record["accepted"] = self.clock()
                return True
            if isinstance(status, int) and 400 <= status < 500 and status != 429:
                return False  # the gateway refused the payload: retrying cannot help
            if self.stop.is_set():
                return False
            time.sleep(backoff)
            backoff = min(backoff * 2, 5.0)
        return False

    def snapshot(self):
        with self.lock:
            return {"dispatched": len(self.dispatched), "accepted": len(self.accepted_at)}

    def shutdown(self):
        self.stop.set()
        self.pool.shutdown(wait=True)
