#!/usr/bin/env python3
"""API benchmark (issue 3): with N destinations in the store, GET /api/v1/destinations latency (wrk) against
GET /healthz in the same run, start/stop throughput, and M concurrent SSE clients all receiving every event.

Usage: bench/api/bench_api.py [--destinations 1000] [--sse-clients 100] [--seconds 10] [--out DIR]
Needs: a built lunora (LUNORA_BIN or build/default/src/lunora), wrk (Debian).
"""
import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
os.environ.setdefault("LUNORA_BIN", os.path.join(HERE, "..", "..", "build", "default", "src", "lunora"))

from serve_harness import Serve, SseReader, TOKEN  # noqa: E402
from harness import wait_for  # noqa: E402


def wrk(url, seconds, connections, script=None):
    args = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", f"Authorization: Bearer {TOKEN}"]
    if script:
        args += ["-s", script]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    def ms(label):
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"p50_ms": ms("50"), "p90_ms": ms("90"), "p99_ms": ms("99"), "rps": rps,
            "non_2xx": int(non2xx.group(1)) if non2xx else 0}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--destinations", type=int, default=1000)
    ap.add_argument("--sse-clients", type=int, default=100)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    serve = Serve()
    try:
        channel = serve.main_channel()
        ids = []
        for i in range(args.destinations):
            d = serve.add_destination(channel["id"], f"dest {i}", "rtmp://127.0.0.1:9/live", f"key-{i:06d}")
            ids.append(d["id"])
        base = f"http://127.0.0.1:{serve.http_port}"
        result = {"destinations": args.destinations, "connections": args.connections, "seconds": args.seconds}
        result["healthz"] = wrk(base + "/healthz", args.seconds, args.connections)
        result["list_destinations"] = wrk(base + "/api/v1/destinations", args.seconds, args.connections)
        for c in (1, 4):
            result[f"list_destinations_c{c}"] = wrk(base + "/api/v1/destinations", args.seconds, c)
        result["get_destination"] = wrk(base + f"/api/v1/destinations/{ids[0]}", args.seconds, args.connections)
        result["list_vs_healthz_p99"] = result["list_destinations"]["p99_ms"] / result["healthz"]["p99_ms"]

        # Start/stop throughput: each request flips a random destination (no input: outputs wait, no network).
        script = os.path.join(tempfile.mkdtemp(), "startstop.lua")
        with open(script, "w") as f:
            f.write("ids = {" + ",".join(f'"{i}"' for i in ids) + "}\n"
                    "verbs = {\"start\", \"stop\"}\n"
                    "request = function()\n"
                    "  local path = \"/api/v1/destinations/\" .. ids[math.random(#ids)] .. \"/\" .. verbs[math.random(2)]\n"
                    "  return wrk.format(\"POST\", path)\n"
                    "end\n")
        result["start_stop"] = wrk(base, args.seconds, args.connections, script)
        for verb in ("stop",):
            for d in ids:
                serve.api("POST", f"/destinations/{d}/{verb}")

        # SSE fan-out: every client sees every event.
        readers = [SseReader(serve) for _ in range(args.sse_clients)]
        assert all(r.status == 200 for r in readers)
        events = 200
        sample = ids[:events // 2]
        t0 = time.monotonic()
        for d in sample:
            serve.api("POST", f"/destinations/{d}/start")
        for d in sample:
            serve.api("POST", f"/destinations/{d}/stop")
        def all_received():
            want = None
            for r in readers:
                got = {e[0] for e in r.snapshot() if e[1] == "destination" and e[2]["id"] in sample}
                if want is None:
                    want = got
                if got != want or len(got) < events:
                    return None
            return want
        got = wait_for(all_received, 60, "every SSE client to receive every event")
        result["sse"] = {"clients": args.sse_clients, "events_each": len(got),
                         "all_received_s": round(time.monotonic() - t0, 2),
                         "closed_clients": sum(r.closed for r in readers)}
        for r in readers:
            r.close()
        rss = int(open(f"/proc/{serve.proc.pid}/status").read().split("VmRSS:")[1].split()[0])
        result["server_rss_kib"] = rss
    finally:
        serve.cleanup()

    stamp = time.strftime("%Y%m%dT%H%M%S")
    path = os.path.join(args.out, f"api-{stamp}.json")
    with open(path, "w") as f:
        json.dump(result, f, indent=2)
    print(json.dumps(result, indent=2))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
