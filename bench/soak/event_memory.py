#!/usr/bin/env python3
"""Does lunora serve's RSS follow the number of stored events, and does it stop growing once the bounded caches are
full? A side check for the soak (issue 6), where RSS grew slowly while the flapping destination wrote events.

Starts `lunora serve` (no input, no destination server needed), adds --destinations destinations, then starts
and stops them in turns through the API (every start/stop writes events) and prints VmRSS/RssAnon after every
--step events, up to --events.

Usage: bench/soak/event_memory.py [--events 12000] [--step 500] [--lunora PATH]
"""
import argparse
import json
import os
import sqlite3
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))

ap = argparse.ArgumentParser()
ap.add_argument("--events", type=int, default=12000)
ap.add_argument("--step", type=int, default=500)
ap.add_argument("--destinations", type=int, default=20)
ap.add_argument("--lunora", default=os.environ.get("LUNORA_BIN",
                                                     os.path.join(ROOT, "build", "default", "src", "lunora")))
ap.add_argument("--out", default=None, help="write the points as JSON here")
args = ap.parse_args()
os.environ["LUNORA_BIN"] = os.path.abspath(args.lunora)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

from serve_harness import Serve  # noqa: E402


def mem(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon"):
                out[key] = int(value.split()[0])
    return out


def stored_events(serve):
    """(newest event id, rows kept) in the store, read-only beside the running server (WAL allows it)."""
    db = sqlite3.connect(f"file:{os.path.join(serve.data_dir, 'lunora.db')}?mode=ro", uri=True, timeout=5)
    try:
        return db.execute("SELECT COALESCE(MAX(id), 0), COUNT(*) FROM events").fetchone()
    finally:
        db.close()


def main():
    serve = Serve()
    points = []
    try:
        channel = serve.main_channel()
        dests = [serve.add_destination(channel["id"], f"e{i}", "rtmp://127.0.0.1:9/live", f"k{i}")
                 for i in range(args.destinations)]
        pid = serve.proc.pid
        for d in dests:  # every destination started once before the first point: its output's own memory is in
            serve.api("POST", f"/destinations/{d['id']}/start", expect=202)
            serve.api("POST", f"/destinations/{d['id']}/stop", expect=202)
        time.sleep(1)
        requests = 0
        points.append({"requests": 0, "event_id": stored_events(serve)[0], **mem(pid)})
        print(f"requests=0 {points[-1]}", flush=True)
        i = 0
        while requests < args.events:
            d = dests[i % len(dests)]
            serve.api("POST", f"/destinations/{d['id']}/start", expect=202)
            serve.api("POST", f"/destinations/{d['id']}/stop", expect=202)
            requests += 2
            i += 1
            if requests % args.step == 0:
                time.sleep(0.2)
                newest, kept = stored_events(serve)
                points.append({"requests": requests, "event_id": newest, "events_kept": kept, **mem(pid)})
                print(f"requests={requests} {points[-1]}", flush=True)
    finally:
        serve.cleanup()
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"lunora": os.environ["LUNORA_BIN"], "points": points}, f, indent=1)


if __name__ == "__main__":
    main()
