"""The local fleet: nats-server + PostgreSQL (scripts/stack.sh), both sandboxes, G gateways and W workers, all
real `ferry` processes with their logs in the output directory."""

import json
import os
import shlex
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request

WEBHOOK_SECRET = "loadtest-webhook-secret"
PRESTASHOP_KEY = "FERRY0SANDBOX0PRESTASHOP0KEY0001"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_json(method, url, body=None, timeout=10.0):
    """(status, parsed JSON or None); raises OSError on connection problems."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read()
            return response.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as e:
        text = e.read()
        try:
            return e.code, json.loads(text) if text else None
        except ValueError:
            return e.code, None


class Child:
    def __init__(self, name, popen, role):
        self.name, self.popen, self.role = name, popen, role
        self.started = time.monotonic()
        self.terminating = False  # SIGTERM sent by a scale-down or the shutdown
        self.killed = False  # SIGKILL sent by the chaos schedule

    @property
    def pid(self):
        return self.popen.pid

    def alive(self):
        return self.popen.poll() is None


class Fleet:
    def __init__(self, ferry_bin, repo, out_dir, scenario, log):
        self.bin, self.repo, self.out, self.s, self.log = ferry_bin, repo, out_dir, scenario, log
        self.logs = os.path.join(out_dir, "logs")
        os.makedirs(self.logs, exist_ok=True)
        self.stack_dir = f"/tmp/ferry-loadtest-stack-{os.getpid()}"
        self.namespace = f"lt{os.getpid()}"
        self.database = "ferry_loadtest"
        self.env = {}
        self.children = []
        self.workers = []  # live or terminating worker Children
        self.worker_serial = 0
        self.gateway_ports = []
        self.lock = threading.RLock()
        self.incidents = []  # unexpected exits, restarts of crashed processes
        self.target_workers = 0

    # MARK: stack

    def stack(self, *args):
        result = subprocess.run(
            [os.path.join(self.repo, "scripts/stack.sh"), *args, self.stack_dir], capture_output=True, text=True,
            start_new_session=True, timeout=180)
        with open(os.path.join(self.logs, "stack.log"), "a") as f:
            f.write(result.stderr)
        if result.returncode != 0:
            raise RuntimeError(f"scripts/stack.sh {' '.join(args)} failed: {result.stderr.strip()[-400:]}")
        return result.stdout.strip()

    def start_stack(self):
        env_file = self.stack("start")
        values = {}
        with open(env_file) as f:
            for line in f:
                if line.startswith("export "):
                    k, _, v = line[len("export "):].strip().partition("=")
                    values[k] = shlex.split(v)[0] if v else ""
        self.stack_env = values
        self.pg_port = values["FERRY_PG_PORT"]
        self.nats_monitor = values["FERRY_NATS_MONITOR_URL"]
        self.psql("postgres", f"DROP DATABASE IF EXISTS {self.database}")
        self.psql("postgres", f"CREATE DATABASE {self.database}")
        base = values["FERRY_DATABASE_URL"].rsplit("/", 1)[0]
        ns_port, ps_port = free_port(), free_port()
        self.netsuite_url = f"http://127.0.0.1:{ns_port}"
        self.prestashop_url = f"http://127.0.0.1:{ps_port}"
        self.env = {
            "FERRY_NATS_URL": values["FERRY_NATS_URL"],
            "FERRY_DATABASE_URL": f"{base}/{self.database}?sslmode=disable",
            "FERRY_QUEUE_NAMESPACE": self.namespace,
            "FERRY_LOG_FORMAT": "json", "FERRY_LOG_LEVEL": os.environ.get("FERRY_LOG_LEVEL", "info"),
            "FERRY_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "FERRY_NETSUITE_ACCOUNT": "1234567_SB1", "FERRY_NETSUITE_AUTH": "tba", "FERRY_NETSUITE_URL": self.netsuite_url,
            "FERRY_NETSUITE_CONSUMER_KEY": "ferry-sandbox-consumer-key",
            "FERRY_NETSUITE_CONSUMER_SECRET": "ferry-sandbox-consumer-secret",
            "FERRY_NETSUITE_TOKEN_ID": "ferry-sandbox-token-id", "FERRY_NETSUITE_TOKEN_SECRET": "ferry-sandbox-token-secret",
            "FERRY_PRESTASHOP_URL": self.prestashop_url, "FERRY_PRESTASHOP_KEY": PRESTASHOP_KEY,
            "FERRY_QUEUE_METRICS_INTERVAL": "5s",
        }
        self.env.update(self.s.worker_env)
        self.ns_port, self.ps_port = ns_port, ps_port

    @property
    def orders_stream(self):
        return f"FERRY_ORDERS_{self.namespace.upper()}"

    @property
    def dlq_stream(self):
        return f"FERRY_DLQ_{self.namespace.upper()}"

    @property
    def consumer(self):
        return f"ferry-workers-{self.namespace.lower()}"

    def psql(self, db, query, timeout=10):
        """Rows of a query as lists of strings (unaligned, tab-separated); raises on failure."""
        result = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres", "-d", db, "-qtAX", "-F", "\t",
             "-v", "ON_ERROR_STOP=1", "-c", query],
            capture_output=True, text=True, timeout=timeout, env={**os.environ, "PGOPTIONS": "--client-min-messages=warning",
                                                                  "PGCONNECT_TIMEOUT": "3"})
        if result.returncode != 0:
            raise RuntimeError(result.stderr.strip())
        return [line.split("\t") for line in result.stdout.splitlines() if line]

    def db(self, query, timeout=10):
        return self.psql(self.database, query, timeout)

    # MARK: processes

    def spawn(self, name, args, role, extra_env=None):
        log = open(os.path.join(self.logs, f"{name}.log"), "ab")
        popen = subprocess.Popen(
            [self.bin, *args], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, **self.env, **(extra_env or {})}, cwd=self.repo, start_new_session=True)
        log.close()
        child = Child(name, popen, role)
        with self.lock:
            self.children.append(child)
        return child

    def run_ferry(self, name, args):
        with open(os.path.join(self.logs, f"{name}.log"), "ab") as log:
            result = subprocess.run([self.bin, *args], stdout=log, stderr=subprocess.STDOUT,
                                    env={**os.environ, **self.env}, cwd=self.repo, timeout=300)
        if result.returncode != 0:
            raise RuntimeError(f"ferry {' '.join(args)} failed; see {self.logs}/{name}.log")

    def wait_http(self, url, what, seconds=90):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                status, _ = http_json("GET", url, timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"timed out waiting for {what} ({url})")

    def start_services(self):
        s = self.s
        self.run_ferry("migrate", ["migrate"])
        self.run_ferry("mappings", ["mappings", "import-dir", os.path.join(self.repo, "sandbox/mappings")])
        self.spawn("netsuite-sandbox", ["sim", "netsuite", "--port", str(self.ns_port), "--latency", s.netsuite_latency,
                                        "--concurrency-limit", str(s.netsuite_concurrency_limit)], "sandbox")
        # No --webhook-url: the runner posts the webhooks itself (an open arrival process, see arrivals.py).
        self.spawn("prestashop-sandbox", ["sim", "prestashop", "--port", str(self.ps_port)], "sandbox")
        for n in range(1, s.gateways + 1):
            port = free_port()
            self.gateway_ports.append(port)
            self.spawn(f"gateway-{n}", ["gateway"], "gateway", {"FERRY_GATEWAY_PORT": str(port)})
        self.wait_http(self.netsuite_url + "/_sandbox/health", "the NetSuite sandbox")
        self.wait_http(self.prestashop_url + "/_sandbox/health", "the PrestaShop sandbox")
        for port in self.gateway_ports:
            self.wait_http(f"http://127.0.0.1:{port}/readyz", f"the gateway on :{port}")

    @property
    def webhook_urls(self):
        return [f"http://127.0.0.1:{p}/webhooks/prestashop/orders" for p in self.gateway_ports]

    def spawn_worker(self):
        with self.lock:
            self.worker_serial += 1
            n = self.worker_serial
            child = self.spawn(f"worker-{n}", ["worker"], "worker", {"FERRY_WORKER_ID": f"loadtest-worker-{n}"})
            self.workers.append(child)
            return child

    def live_workers(self):
        with self.lock:
            return [w for w in self.workers if w.alive() and not w.terminating]

    def replicas(self):
        return len(self.live_workers())

    def scale_to(self, desired):
        """Like a Deployment: start workers up to `desired`, SIGTERM the newest beyond it (graceful drain)."""
        with self.lock:
            self.target_workers = desired
            live = self.live_workers()
            for w in sorted(live, key=lambda c: c.started, reverse=True)[: max(0, len(live) - desired)]:
                w.terminating = True
                w.popen.send_signal(signal.SIGTERM)
            for _ in range(max(0, desired - len(live))):
                self.spawn_worker()

    def kill_random_worker(self, rng):
        with self.lock:
            live = self.live_workers()
            if not live:
                return None
            victim = rng.choice(live)
            victim.killed = True
            victim.popen.send_signal(signal.SIGKILL)
            victim.terminating = True
            return victim.name

    def reconcile(self, now):
        """Notices exits; replaces workers that died (SIGKILL or crash) and gateways that crashed."""
        with self.lock:
            for child in list(self.children):
                code = child.popen.poll()
                if code is None or getattr(child, "reported", False):
                    continue
                child.reported = True
                if child.role == "worker" and (child.killed or child.terminating):
                    continue
                self.incidents.append({"t": now, "process": child.name, "exit_code": code,
                                       "what": "exited unexpectedly"})
                self.log(f"{child.name} exited unexpectedly (code {code}); see logs/{child.name}.log")
                if child.role == "gateway":
                    port = self.gateway_ports[int(child.name.split("-")[1]) - 1]
                    self.spawn(child.name, ["gateway"], "gateway", {"FERRY_GATEWAY_PORT": str(port)})
            self.workers = [w for w in self.workers if w.alive()]
            missing = self.target_workers - len(self.live_workers())
            for _ in range(max(0, missing)):
                self.spawn_worker()

    # MARK: server restarts (what an operator or a node failure does)

    def nats_pid(self):
        with open(os.path.join(self.stack_dir, "nats/nats.pid")) as f:
            return int(f.read().strip())

    def restart_nats(self):
        """SIGTERM nats-server, wait for it to exit, start it again on the same port with the same store."""
        pid = self.nats_pid()
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and os.path.exists(f"/proc/{pid}") and _state(pid) != "Z":
            time.sleep(0.05)
        down = time.monotonic()
        self.stack("start")
        return time.monotonic() - down

    def restart_postgres(self):
        data = os.path.join(self.stack_dir, "pg/data")
        pg_ctl = os.path.join(self.stack_env["FERRY_PG_BIN"], "pg_ctl")
        command = [pg_ctl, "-D", data, "-m", "fast", "-w", "-t", "30", "stop"]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, capture_output=True, timeout=60, start_new_session=True)
        down = time.monotonic()
        self.stack("start")
        return time.monotonic() - down

    # MARK: shutdown

    def stop(self):
        with self.lock:
            children = list(self.children)
        order = {"worker": 0, "gateway": 1, "sandbox": 2}
        for child in sorted(children, key=lambda c: order.get(c.role, 3)):
            if child.alive():
                child.terminating = True
                child.popen.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(c.alive() for c in children):
            time.sleep(0.1)
        for child in children:
            if child.alive():
                child.popen.kill()
                child.popen.wait()
        try:
            self.stack("stop")
        except Exception as e:  # noqa: BLE001 — best effort at the end
            self.log(f"stopping the stack failed: {e}")


def _state(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "X"


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None

