#!/usr/bin/env python3
"""DynamoDB store benchmark (issue 7): what `--store dynamodb:TABLE` costs an API write against the SQLite store,
and how long the surviving node of two takes to drive a killed node's channel.

Everything runs on this machine, on 127.0.0.1: dynalite (npm, tests/services; a DynamoDB implementation, the real
service cannot be reached here) behind tests/integration/dynamodb_proxy.py (the SigV4-checking front door of the
integration tests, run as a process of its own so that it shares no interpreter lock with the timing client),
and `lunora serve` with the environment of tests/integration/dynamodb_fixture.DynamoDb.env().

1. Write latency. Two `lunora serve`, one on the SQLite store (the default) and one on `--store dynamodb:T`,
   both running at once. Each measured request goes to one and then the other (the order flips every request),
   over a keep-alive connection per server, one request at a time:
   `PATCH /api/v1/channels/{id}` {"name": ...}, `POST /api/v1/destinations` then `DELETE` of the one just made,
   and `GET /api/v1/channels/{id}` (served from memory: the two should match). Reported per store: p50, p90,
   max (ms), and the ratio dynamodb/sqlite of each. The DynamoDB requests each API request caused are counted
   from the proxy's `GET /__proxy/stats` (per operation) taken before and after it; the node's own periodic
   requests (its heartbeat every quarter of --lease-ms, its read of the event log every 250 ms) fall in between
   now and then, so the median per request is reported, with the phase's total divided by N beside it.
2. Takeover. Every node drives its share of the channels (a heartbeat lease per node, renewed every quarter of
   --lease-ms, and a lease per channel naming its owner); when a node dies, the others take its channels over
   once its heartbeat has expired. Per lease L (`--lease-ms`, default 2000,5000) and round (`--rounds`): two
   fresh nodes on a fresh table, each with its own HTTP, RTMP and SRT ports; the first creates `main`, a channel
   `b` is created through the second's API, and both APIs must agree that each node drives one. The channel of
   the node to be killed (the second in odd rounds, the first in even ones) gets one nginx-rtmp destination and
   an SRT encoder (640x360p30, GOP 2 s) on its port. Then `kill -9` of that node, at a random point of its
   heartbeat renewal period, and from the kill: (a) the survivor's `GET /api/v1/channels` names the survivor as
   the channel's node (`node.this`, polled every 50 ms); (b) the destination is `streaming` in the survivor's
   API, with a `status_since` after the kill (the SRT encoder is restarted to the same port right after (a), as
   an encoder redialing would, and again whenever it exits); (c) nginx's /stat shows a new publisher on the
   stream. Both nodes are stopped after each round (no rebalancing hands a channel to a node that joins later, so
   a replacement node would drive nothing). Reported per L: median and max of each, and (a)/L.

Usage: bench/dynamodb/bench_dynamodb.py [--only writes|takeover] [--writes 200] [--rounds 3]
       [--lease-ms 2000,5000] [--out DIR]
Needs: a built lunora (LUNORA_BIN or build/default/src/lunora), tests/services/node_modules (`npm ci` there),
ffmpeg, nginx with the RTMP module.
"""
import argparse
import collections
import datetime
import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
INTEGRATION = os.path.join(ROOT, "tests", "integration")
sys.path.insert(0, INTEGRATION)
os.environ.setdefault("LUNORA_BIN", os.path.join(ROOT, "build", "default", "src", "lunora"))

import dynamodb_fixture  # noqa: E402
from harness import LUNORA, Nginx, Process, free_port, publish_srt, tcp_port_listening, wait_for  # noqa: E402
from serve_harness import Serve  # noqa: E402

LOG_LEVEL = re.compile(r"^\S+ (warn|warning|error|critical) ", re.M)
GOP_S = 2


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def summary(ms):
    return {"n": len(ms), "p50": round(statistics.median(ms), 2), "p90": round(percentile(ms, 0.9), 2),
            "max": round(max(ms), 2), "mean": round(statistics.fmean(ms), 2)}


# ---- DynamoDB on loopback: dynalite behind the SigV4 proxy ----

class Dynamo:
    def __init__(self):
        if not os.path.exists(dynamodb_fixture.DYNALITE):
            raise SystemExit(f"{dynamodb_fixture.DYNALITE} is missing: run `npm ci` in tests/services")
        port = free_port()
        self.dynalite_port = port
        self.dynalite = Process([dynamodb_fixture.DYNALITE, "--port", str(port), "--createTableMs", "200",
                                 "--deleteTableMs", "0", "--updateTableMs", "0"], "dynalite")
        wait_for(lambda: tcp_port_listening(port), 20, "dynalite to listen")
        self.proxy = Process([sys.executable, os.path.join(INTEGRATION, "dynamodb_proxy.py"), "--listen-port", "0",
                              "--upstream", f"http://127.0.0.1:{port}", "--credentials",
                              f"{dynamodb_fixture.ACCESS_KEY_ID}:{dynamodb_fixture.SECRET_ACCESS_KEY}"],
                             "dynamodb-proxy")
        line = self.proxy.stdout_lines.get(timeout=20)
        match = re.match(r"listening on 127\.0\.0\.1:(\d+)", line)
        if not match:
            raise SystemExit(f"the proxy did not start: {line!r} {self.proxy.stderr_text()}")
        self.proxy_port = int(match.group(1))
        self.url = f"http://127.0.0.1:{self.proxy_port}"
        self.home = tempfile.mkdtemp(prefix="lunora-aws-home-")
        self.conn = None

    def env(self):
        return {"AWS_REGION": dynamodb_fixture.REGION, "AWS_ACCESS_KEY_ID": dynamodb_fixture.ACCESS_KEY_ID,
                "AWS_SECRET_ACCESS_KEY": dynamodb_fixture.SECRET_ACCESS_KEY, "AWS_ENDPOINT_URL_DYNAMODB": self.url,
                "HOME": self.home, "AWS_PROFILE": "", "AWS_SESSION_TOKEN": "", "AWS_ENDPOINT_URL": "",
                "LUNORA_SECRET_KEY": dynamodb_fixture.SECRET_KEY}

    def _admin(self, method, path):
        for attempt in (0, 1):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.proxy_port, timeout=10)
                self.conn.request(method, "/__proxy/" + path, body=b"{}" if method == "POST" else None)
                response = self.conn.getresponse()
                return json.loads(response.read())
            except (OSError, http.client.HTTPException):
                self.conn = None
                if attempt:
                    raise

    def operations(self):
        """{operation: forwarded count} since the start."""
        stats = self._admin("GET", "stats")
        return {op: v["forwarded"] for op, v in stats["operations"].items()}, stats

    def cleanup(self):
        for p in (self.proxy, self.dynalite):
            if p.alive():
                p.stop(signal.SIGTERM, timeout=5)


def dynamodb_request_latency(dynamo, table, n):
    """One signed GetItem (of the store's head item) at a time, alternating through the proxy (what Lunora
    reaches) and straight to dynalite (which checks no signature): the cost of one DynamoDB request here, each on
    a new TCP connection (an upper bound: Lunora's client keeps its connections alive since bc81078)."""
    import sigv4
    body = json.dumps({"TableName": table, "Key": {"pk": {"S": "head"}, "sk": {"S": "head"}},
                       "ConsistentRead": True}).encode()
    ports = {"through_proxy": dynamo.proxy_port, "dynalite_direct": dynamo.dynalite_port}
    times = {k: [] for k in ports}

    def call(name):
        port = ports[name]
        headers = [("Host", f"127.0.0.1:{port}"), ("Content-Type", "application/x-amz-json-1.0"),
                   ("X-Amz-Target", "DynamoDB_20120810.GetItem")]
        headers += sigv4.sign("POST", "/", headers, body, dynamodb_fixture.ACCESS_KEY_ID,
                              dynamodb_fixture.SECRET_ACCESS_KEY, dynamodb_fixture.REGION, "dynamodb").headers_to_add
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request("POST", "/", body, dict(headers))
            response = conn.getresponse()
            response.read()
        finally:
            conn.close()
        took = time.perf_counter() - started
        assert response.status == 200, (name, response.status)
        return took

    for i in range(n + 10):
        for name in (["through_proxy", "dynalite_direct"] if i % 2 else ["dynalite_direct", "through_proxy"]):
            took = call(name)
            if i >= 10:
                times[name].append(took * 1000)
    return {k: summary(v) for k, v in times.items()}


def diff(after, before):
    out = {op: n - before.get(op, 0) for op, n in after.items()}
    return {op: n for op, n in out.items() if n}


# ---- a keep-alive client per server ----

class Client:
    def __init__(self, serve):
        self.serve = serve
        self.conn = None

    def request(self, method, path, body=None):
        """(status, parsed body, seconds) of one request; the time covers send to the last byte read."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"Bearer {self.serve.token}"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.serve.http_port, timeout=30)
                self.conn.connect()
                self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                started = time.perf_counter()
                self.conn.request(method, "/api/v1" + path, body=data, headers=headers)
                response = self.conn.getresponse()
                text = response.read()
                took = time.perf_counter() - started
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return response.status, (json.loads(text) if text else None), took
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise


# ---- 1. write latency ----

def write_latency(args, dynamo, warnings, levels):
    table = "lunora_bench_writes"
    sqlite = Serve()
    ddb = Serve(env=dynamo.env(), extra=["--store", f"dynamodb:{table}", "--create-table", "--lease-ms",
                                         str(args.writes_lease_ms)], wait_ready=True)
    stores = {"sqlite": sqlite, "dynamodb": ddb}
    try:
        clients = {name: Client(s) for name, s in stores.items()}
        channel = {name: s.main_channel()["id"] for name, s in stores.items()}
        nginx_url = "rtmp://127.0.0.1:1/live"  # never started: no destination connects

        def patch(name, i):
            status, body, took = clients[name].request("PATCH", f"/channels/{channel[name]}", {"name": f"bench-{i}"})
            assert status == 200, (name, status, body)
            return took

        def get(name, i):
            status, body, took = clients[name].request("GET", f"/channels/{channel[name]}")
            assert status == 200, (name, status, body)
            return took

        made = {}

        def post(name, i):
            status, body, took = clients[name].request(
                "POST", "/destinations", {"channel_id": channel[name], "name": f"d{i}", "platform": "custom",
                                          "url": nginx_url, "stream_key": f"key-{i}"})
            assert status == 201, (name, status, body)
            made[name] = body["id"]
            return took

        def delete(name, i):
            status, body, took = clients[name].request("DELETE", f"/destinations/{made[name]}")
            assert status in (200, 204), (name, status, body)
            return took

        ops = [("PATCH /channels/{id}", patch), ("POST /destinations", post), ("DELETE /destinations/{id}", delete),
               ("GET /channels/{id}", get)]
        # Warm-up, not measured: connections, first-use paths, the table's first items.
        for i in range(10):
            for _, fn in ops:
                for name in stores:
                    fn(name, -1 - i)
        result = {"writes": args.writes, "lease_ms_of_the_dynamodb_node": args.writes_lease_ms, "ops": {}}
        for label, fn in ops[:1] + [("POST+DELETE", None)] + ops[3:]:
            if fn is None:
                pair = [ops[1], ops[2]]
            else:
                pair = [(label, fn)]
            times = {(lbl, name): [] for lbl, _ in pair for name in stores}
            per_request = {lbl: [] for lbl, _ in pair}
            before_phase, _ = dynamo.operations()
            phase_started = time.monotonic()
            for i in range(args.writes):
                order = ["sqlite", "dynamodb"] if i % 2 == 0 else ["dynamodb", "sqlite"]
                for lbl, op in pair:
                    for name in order:
                        # The proxy's counters around every request, the SQLite store's too, so that both
                        # stores' requests follow the same client work.
                        before, _ = dynamo.operations()
                        times[(lbl, name)].append(op(name, i) * 1000)
                        after, _ = dynamo.operations()
                        if name == "dynamodb":
                            per_request[lbl].append(diff(after, before))
            after_phase, _ = dynamo.operations()
            phase_s = time.monotonic() - phase_started
            for lbl, _ in pair:
                s, d = summary(times[(lbl, "sqlite")]), summary(times[(lbl, "dynamodb")])
                counts = [sum(c.values()) for c in per_request[lbl]]
                shapes = collections.Counter(json.dumps(c, sort_keys=True) for c in per_request[lbl])
                result["ops"][lbl] = {
                    "sqlite_ms": s, "dynamodb_ms": d,
                    "ratio_dynamodb_sqlite": {k: round(d[k] / s[k], 2) if s[k] else None
                                              for k in ("p50", "p90", "max")},
                    "dynamodb_requests_per_request": {"p50": statistics.median(counts), "min": min(counts),
                                                      "max": max(counts)},
                    "dynamodb_requests_by_operation_most_common": json.loads(shapes.most_common(1)[0][0]),
                    "dynamodb_request_shapes": {k: v for k, v in shapes.most_common(5)},
                    "sqlite_ms_all": [round(v, 3) for v in times[(lbl, "sqlite")]],
                    "dynamodb_ms_all": [round(v, 3) for v in times[(lbl, "dynamodb")]],
                }
            phase_total = diff(after_phase, before_phase)
            result["ops"][pair[0][0]]["phase"] = {
                "seconds": round(phase_s, 1), "dynamodb_requests": phase_total,
                "dynamodb_requests_per_iteration": round(sum(phase_total.values()) / args.writes, 2)}
            line = "; ".join(
                f"{lbl}: sqlite p50 {result['ops'][lbl]['sqlite_ms']['p50']} ms, dynamodb p50 "
                f"{result['ops'][lbl]['dynamodb_ms']['p50']} ms "
                f"({result['ops'][lbl]['ratio_dynamodb_sqlite']['p50']}x), "
                f"{result['ops'][lbl]['dynamodb_requests_per_request']['p50']} DynamoDB requests each"
                for lbl, _ in pair)
            print(line, flush=True)
        result["one_dynamodb_request_ms"] = dynamodb_request_latency(dynamo, table, args.writes)
        print(f"one GetItem: {result['one_dynamodb_request_ms']}", flush=True)
        # Idle: what the node sends to DynamoDB by itself (lease renewals, the event pruning tick).
        before, _ = dynamo.operations()
        time.sleep(args.idle_seconds)
        after, _ = dynamo.operations()
        result["dynamodb_idle"] = {"seconds": args.idle_seconds, "requests": diff(after, before)}
        for name, s in stores.items():
            s.api("PATCH", f"/channels/{channel[name]}", {"name": "main"}, expect=200)
        return result
    finally:
        for name, s in stores.items():
            warnings[f"writes/{name}"] = log_problems(s)
            levels[f"writes/{name}"] = log_levels(s)
            s.cleanup()


# ---- 2. takeover ----

def node(dynamo, table, lease_ms):
    """A node of its own: its own HTTP, RTMP and SRT ports, on the shared table."""
    return Serve(env=dynamo.env(), extra=["--store", f"dynamodb:{table}", "--create-table", "--lease-ms",
                                          str(lease_ms)])


def log_text(serve):
    return "".join(serve.stdout_all) + serve.stderr_text()


def log_problems(serve):
    return [line for line in serve.stderr_text().splitlines() if LOG_LEVEL.match(line)]


def log_levels(serve):
    return dict(collections.Counter(m.group(1) for m in re.finditer(r"^\S+ (\w+) ", serve.stderr_text(), re.M)))


def channels_seen(serve, timeout=2):
    """{channel id: channel JSON} from one node's GET /api/v1/channels, or None when it does not answer."""
    try:
        status, body, _ = serve.request("GET", "/api/v1/channels", timeout=timeout)
    except OSError:
        return None
    if status != 200:
        return None
    return {c["id"]: c for c in body["channels"]}


def owners(serve):
    seen = channels_seen(serve)
    return None if seen is None else {cid: (c.get("node") or {}).get("id") for cid, c in seen.items()}


def iso_ms(text):
    """Unix ms of the API's "2026-11-26T10:40:05.495Z"."""
    when = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return when.timestamp() * 1000


def takeover_round(args, dynamo, lease_ms, round_no, nginx, rng, nodes, encoders):
    """Two fresh nodes on a fresh table, one channel each; kill -9 the one that drives the destination."""
    table = f"lunora_bench_takeover_{lease_ms}_r{round_no}"
    first = node(dynamo, table, lease_ms)
    nodes.append(("first", first))
    second = node(dynamo, table, lease_ms)
    nodes.append(("second", second))
    main = first.main_channel()
    made = second.api("POST", "/channels", {"name": "b", "input": {"protocol": "srt",
                                                                    "port": free_port(socket.SOCK_DGRAM)}},
                      expect=201)
    ids = {main["id"], made["id"]}

    def split():
        a, b = owners(first), owners(second)
        if not a or set(a) != ids or a != b or None in a.values() or len(set(a.values())) != 2:
            return None
        return a
    split_started = time.monotonic()
    owner_of = wait_for(split, 30, "both nodes to drive one channel each and agree on the owners", 0.1)
    split_s = time.monotonic() - split_started
    first_id = channels_seen(first)[main["id"]]["node"]["id"]
    # The victim alternates: the second node (channel `b`) in odd rounds, the first (`main`) in even ones.
    victim_name = "second" if round_no % 2 else "first"
    victim, survivor = (second, first) if victim_name == "second" else (first, second)
    second_id = next(n for n in owner_of.values() if n != first_id)
    victim_id, survivor_id = (second_id, first_id) if victim_name == "second" else (first_id, second_id)
    cid = next(c for c, n in owner_of.items() if n == victim_id)
    channel = channels_seen(victim)[cid]
    assert channel["node"]["this"], channel["node"]
    port = channel["input"]["port"]
    stream = f"takeover-{lease_ms}-r{round_no}"
    d = victim.add_destination(cid, "nginx", f"rtmp://127.0.0.1:{nginx.rtmp_port}/live", stream)
    encoders.append(publish_srt(port, 3600, gop=GOP_S * 30))
    victim.api("POST", f"/destinations/{d['id']}/start", expect=202)
    victim.wait_status(d["id"], "streaming", 30)
    wait_for(lambda: nginx.stat().get(stream, {}).get("bytes_in", 0) > 0, 20, "nginx to receive")
    # Streaming steadily, then the kill at a random point of the victim's heartbeat renewal period (lease/3).
    time.sleep(2 + rng.uniform(0, lease_ms / 3000))
    first_bytes = nginx.stat()[stream]["bytes_in"]
    time.sleep(0.5)
    old = nginx.stat()[stream]
    assert old["bytes_in"] > first_bytes, "nginx is not receiving before the kill"
    old_publisher = old["publisher_id"]
    killed_wall_ms = time.time() * 1000
    killed_at = time.monotonic()
    victim.proc.kill()
    victim.proc.wait()

    # (a) the survivor's API names itself as the channel's node; polled every 50 ms.
    def taken():
        seen = channels_seen(survivor, timeout=1)
        return seen is not None and cid in seen and (seen[cid].get("node") or {}).get("this") is True
    wait_for(taken, lease_ms / 1000 + 30, "the survivor to drive the victim's channel", 0.05)
    t_a = time.monotonic() - killed_at
    # The encoder's SRT connection died with the victim; it dials the same port again, now the survivor's.
    for e in encoders:
        if e.alive():
            e.proc.kill()
    encoders.append(publish_srt(port, 3600, gop=GOP_S * 30))
    redials = 0
    t_b = t_c = None
    deadline = time.monotonic() + 60
    while (t_b is None or t_c is None) and time.monotonic() < deadline:
        if t_b is None:
            # `streaming` since after the kill: the survivor's mirror showed the victim's `streaming` before.
            status, body = survivor.api("GET", f"/destinations/{d['id']}")
            if (status == 200 and body["status"] == "streaming"
                    and iso_ms(body["status_since"]) >= killed_wall_ms):
                t_b = time.monotonic() - killed_at
        if t_c is None:
            s = nginx.stat().get(stream, {})
            if s.get("publisher_id") not in (None, old_publisher):
                t_c = time.monotonic() - killed_at
        if not encoders[-1].alive():  # dialed before the survivor listened: an encoder dials again
            redials += 1
            encoders.append(publish_srt(port, 3600, gop=GOP_S * 30))
        time.sleep(0.02)
    if t_b is None or t_c is None:
        raise AssertionError(f"lease {lease_ms} round {round_no}: no takeover within 60 s (b={t_b}, c={t_c}): "
                             + survivor.stderr_text()[-3000:])
    taken_line = re.search(rf"event=channel_taken channel={cid} node={survivor_id} from=(\S+)",
                           log_text(survivor))
    result = {"round": round_no, "table": table, "killed": victim_name, "channel": channel["name"],
              "victim_node": victim_id, "survivor_node": survivor_id,
              "split_ms": round(split_s * 1000),
              "kill_to_owner_ms": round(t_a * 1000),
              "kill_to_destination_streaming_ms": round(t_b * 1000),
              "kill_to_nginx_new_publisher_ms": round(t_c * 1000),
              "owner_to_streaming_ms": round((t_b - t_a) * 1000),
              "owner_to_nginx_ms": round((t_c - t_a) * 1000),
              "encoder_redials": redials,
              "channel_taken_logged_from": taken_line.group(1) if taken_line else None,
              "destination_reconnects_on_survivor": survivor.destination(d["id"])["stats"]["reconnects"]}
    print(f"lease {lease_ms} ms, round {round_no} (killed the {victim_name} node, channel "
          f"{channel['name']}): survivor owns it {t_a * 1000:.0f} ms after the kill, destination streaming at "
          f"{t_b * 1000:.0f} ms, nginx has the new publisher at {t_c * 1000:.0f} ms", flush=True)
    return result


def takeover(args, dynamo, lease_ms, warnings, levels, rng):
    nginx = Nginx()
    rounds = []
    try:
        for round_no in range(1, args.rounds + 1):
            nodes, encoders = [], []
            try:
                rounds.append(takeover_round(args, dynamo, lease_ms, round_no, nginx, rng, nodes, encoders))
            finally:
                for e in encoders:
                    if e.alive():
                        e.proc.kill()
                for name, n in nodes:
                    key = f"takeover-{lease_ms}/round{round_no}/{name}" + ("" if n.alive() else " (killed)")
                    warnings[key] = log_problems(n)
                    levels[key] = log_levels(n)
                    n.cleanup()
        keys = ("kill_to_owner_ms", "kill_to_destination_streaming_ms", "kill_to_nginx_new_publisher_ms",
                "owner_to_streaming_ms", "owner_to_nginx_ms")
        ms = {k: [r[k] for r in rounds] for k in keys}
        return {
            "lease_ms": lease_ms, "rounds": rounds,
            "median_ms": {k: round(statistics.median(v)) for k, v in ms.items()},
            "max_ms": {k: max(v) for k, v in ms.items()},
            "owner_over_lease_median": round(statistics.median(ms["kill_to_owner_ms"]) / lease_ms, 3),
            "owner_over_lease_max": round(max(ms["kill_to_owner_ms"]) / lease_ms, 3),
        }
    finally:
        nginx.cleanup()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writes", type=int, default=200, help="requests of each kind per store")
    parser.add_argument("--rounds", type=int, default=3, help="kills per lease")
    parser.add_argument("--lease-ms", default="2000,5000", help="leases to measure the takeover with")
    parser.add_argument("--writes-lease-ms", type=int, default=10000,
                        help="--lease-ms of the DynamoDB node in the write measurement (Lunora's default)")
    parser.add_argument("--idle-seconds", type=float, default=10, help="how long to count an idle node's requests")
    parser.add_argument("--only", choices=("writes", "takeover"), help="run one part only")
    parser.add_argument("--skip-writes", action="store_true", help="the same as --only takeover")
    parser.add_argument("--skip-takeover", action="store_true", help="the same as --only writes")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", default=os.path.join(HERE, "results"))
    args = parser.parse_args()
    if args.only == "writes":
        args.skip_takeover = True
    elif args.only == "takeover":
        args.skip_writes = True
    leases = [int(v) for v in args.lease_ms.split(",") if v.strip()]
    rng = random.Random(args.seed)
    started = time.monotonic()
    result = {"at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
              "lunora": os.path.abspath(LUNORA),
              "lunora_built": datetime.datetime.fromtimestamp(os.path.getmtime(LUNORA), datetime.timezone.utc)
              .strftime("%Y-%m-%dT%H:%M:%SZ"),
              "git_head": subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                                         text=True).stdout.strip(),
              "args": vars(args), "machine": {"cpus": os.cpu_count(),
                                                             "loadavg_start": os.getloadavg()},
              "note": ("dynalite on loopback is not AWS: in-region DynamoDB answers a request in about 5-10 ms; "
                       "one_dynamodb_request_ms is what one costs here. Multiply the DynamoDB requests per write "
                       "(a commit: read the head, read each record it checks, the conditional head put, one put "
                       "per record and per event, then the put that marks the head applied) by that for AWS.")}
    warnings, levels = {}, {}
    dynamo = Dynamo()
    try:
        if not args.skip_writes:
            result["write_latency"] = write_latency(args, dynamo, warnings, levels)
        if not args.skip_takeover:
            result["takeover"] = [takeover(args, dynamo, lease, warnings, levels, rng) for lease in leases]
    finally:
        dynamo.cleanup()
        proxy_errors = [line for line in dynamo.proxy.stderr_text().splitlines() if line.strip()]
        if proxy_errors:
            warnings["dynamodb-proxy"] = proxy_errors[-20:]
    result["lunora_warn_error_lines"] = {k: v for k, v in warnings.items() if v}
    result["lunora_log_lines_per_level"] = levels
    result["machine"]["loadavg_end"] = os.getloadavg()
    result["seconds"] = round(time.monotonic() - started)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "dynamodb-" + time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + ".json")
    with open(path, "w") as f:
        json.dump(result, f, indent=2)
    print_report(result, path)


def print_report(result, path):
    print()
    print(result["note"])
    w = result.get("write_latency")
    if w:
        print(f"\nwrite latency, {w['writes']} of each, one at a time, alternating (ms):")
        print(f"{'request':28} {'sqlite p50/p90/max':>22} {'dynamodb p50/p90/max':>24} {'ratio p50/p90':>14} "
              f"{'DDB req each':>13}")
        for lbl, o in w["ops"].items():
            s, d, r = o["sqlite_ms"], o["dynamodb_ms"], o["ratio_dynamodb_sqlite"]
            print(f"{lbl:28} {s['p50']:>6}/{s['p90']:>6}/{s['max']:>8} {d['p50']:>7}/{d['p90']:>7}/{d['max']:>8} "
                  f"{r['p50']:>6}/{r['p90']:>6} {o['dynamodb_requests_per_request']['p50']:>13} "
                  f"{o['dynamodb_requests_by_operation_most_common']}")
        print(f"idle node: {w['dynamodb_idle']}")
        for k, v in w["one_dynamodb_request_ms"].items():
            print(f"one DynamoDB GetItem, {k}: p50 {v['p50']} ms, p90 {v['p90']} ms, max {v['max']} ms")
    for t in result.get("takeover", []):
        m, x = t["median_ms"], t["max_ms"]
        print(f"\nlease {t['lease_ms']} ms, {len(t['rounds'])} kills: (a) kill -> survivor drives the channel median "
              f"{m['kill_to_owner_ms']} max {x['kill_to_owner_ms']} ms ({t['owner_over_lease_median']} / "
              f"{t['owner_over_lease_max']} x lease); (b) -> streaming median "
              f"{m['kill_to_destination_streaming_ms']} max {x['kill_to_destination_streaming_ms']} ms; (c) -> nginx "
              f"publisher median {m['kill_to_nginx_new_publisher_ms']} max {x['kill_to_nginx_new_publisher_ms']} ms")
        print("  (a) per round: " + ", ".join(f"{r['kill_to_owner_ms']} ms (killed {r['killed']})"
                                                for r in t["rounds"]))
    if result["lunora_warn_error_lines"]:
        print("\nwarn/error lines in lunora's stderr:")
        for k, lines in result["lunora_warn_error_lines"].items():
            print(f"  {k}: {len(lines)}")
            for line in lines[:10]:
                print(f"    {line}")
    print(f"\n{result['seconds']} s; saved {path}")


if __name__ == "__main__":
    main()
