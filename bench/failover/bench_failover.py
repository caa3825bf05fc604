#!/usr/bin/env python3
"""Failover benchmark (issue 6): how long a destination waits when the primary encoder dies with a backup running.

`lunora serve` gets two live SRT encoders (640x360p30, GOP 2 s as the platforms ask, 1 Mbit/s), the primary on
the channel's listener and the backup on its backup listener, and restreams to one nginx-rtmp destination. Each
round kills the primary with SIGKILL and measures, from the kill to Lunora's `event=input_switched` log line, how
long until the backup is on air; then restarts the primary and measures the failback (from the restarted
primary's first media to its switch). The issue's bound is `failover_after_ms` plus one GOP; the report gives the
ratio of each failover to `failover_after_ms` (the baseline: Lunora cannot know sooner that an input is gone).
At the end nginx's recording is checked: no reconnect, timestamps only growing, the largest gap between shown
pictures, clean decode.

Usage: bench/failover/bench_failover.py [--rounds 5] [--failback-after 5] [--out DIR]
Needs: a built lunora (LUNORA_BIN or build/default/src/lunora), ffmpeg/ffprobe, nginx with the RTMP module.
"""
import argparse
import datetime
import json
import os
import re
import socket
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
os.environ.setdefault("LUNORA_BIN", os.path.join(ROOT, "build", "default", "src", "lunora"))

from harness import Nginx, RecordingCheck, decode_errors, free_port, publish_srt, udp_port_taken, wait_for  # noqa
from serve_harness import Serve  # noqa: E402

GOP_S = 2
SWITCH_LINE = re.compile(r"^(\S+) info event=input_switched from=(\w+) to=(\w+) reason=(\w+)$", re.M)


def switches(serve):
    """[(unix time, from, to, reason)] from lunora's log (its timestamps are local time, millisecond precision)."""
    return [(datetime.datetime.fromisoformat(t).timestamp(), a, b, r)
            for t, a, b, r in SWITCH_LINE.findall(serve.stderr_text())]


def wait_switch(serve, count, to, timeout):
    found = wait_for(lambda: (lambda s: s if len(s) >= count else None)(switches(serve)), timeout,
                     f"switch #{count} to {to}")
    entry = found[count - 1]
    if entry[2] != to:
        raise AssertionError(f"switch #{count} went to {entry[2]}, not {to}")
    return entry


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run(args):
    nginx = Nginx()
    serve = Serve()
    encoders = []
    try:
        cid = serve.main_channel()["id"]
        backup_port = free_port(socket.SOCK_DGRAM)
        serve.api("PATCH", f"/channels/{cid}", {"backup_input": {"protocol": "srt", "port": backup_port},
                                                "failback_after_s": args.failback_after}, expect=200)
        wait_for(lambda: udp_port_taken(backup_port), 10, "the backup listener")
        failover_after_ms = serve.main_channel()["failover_after_ms"]
        d = serve.add_destination(cid, "nginx", f"rtmp://127.0.0.1:{nginx.rtmp_port}/live", "bench")
        serve.api("POST", f"/destinations/{d['id']}/start", expect=202)
        seconds = 3600
        encoders.append(publish_srt(backup_port, seconds, gop=GOP_S * 30))
        failovers, failbacks = [], []
        for round_no in range(1, args.rounds + 1):
            primary = publish_srt(serve.srt_port, seconds, gop=GOP_S * 30)
            encoders.append(primary)
            started = time.time()
            if round_no > 1:
                back = wait_switch(serve, 2 * (round_no - 1), "primary", args.failback_after + 20)
                # From the primary's first media (it connects within a few hundred ms of starting).
                failbacks.append(back[0] - started)
            wait_for(lambda: (lambda c: c if c["active_input"] == "primary" and c["input"]["delivering"]
                              and c["backup_input"]["delivering"] else None)(serve.main_channel()), 30,
                     "both inputs delivering, the primary on air")
            time.sleep(3 + round_no % 2 * 0.7)  # kill at different points of the GOP
            killed_at = time.time()
            primary.proc.kill()
            over = wait_switch(serve, 2 * round_no - 1, "backup", 15)
            failovers.append(over[0] - killed_at)
            print(f"round {round_no}: backup on air {failovers[-1] * 1000:.0f} ms after the kill"
                  + (f"; previous failback {failbacks[-1]:.2f} s after the primary restarted" if failbacks else ""),
                  flush=True)
            # The killed connection holds the primary's listener until SRT's peer idle timeout.
            wait_for(lambda: not serve.main_channel()["input"]["connected"], 15, "the killed primary to be dropped")
        time.sleep(2)
        final = serve.destination(d["id"])
        channel = serve.main_channel()
        serve.api("POST", f"/destinations/{d['id']}/stop", expect=202)
        serve.wait_status(d["id"], "ready", 15)
        nginx.stop()
        rec = RecordingCheck(nginx.recording("bench"))
        video = rec.video_dts()
        shown = sorted(float(p["pts_time"]) for p in rec.packets[rec.video["index"]] if "pts_time" in p)
        shown = [t for t in shown if t < video[-1] - 0.3]
        result = {
            "at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "rounds": args.rounds,
            "gop_s": GOP_S,
            "failover_after_ms": failover_after_ms,
            "failback_after_s": args.failback_after,
            "failover_ms": [round(v * 1000) for v in failovers],
            "failover_ms_p50": round(statistics.median(failovers) * 1000),
            "failover_ms_max": round(max(failovers) * 1000),
            "failover_ratio_to_failover_after_p50": round(statistics.median(failovers) * 1000 / failover_after_ms, 3),
            "bound_ms": failover_after_ms + GOP_S * 1000,
            "failback_s": [round(v, 2) for v in failbacks],
            "destination_reconnects": final["stats"]["reconnects"],
            "destination_status": final["status"],
            "slates": channel["input"]["slate"]["count"],
            "failovers_counted": channel["failover"]["count"],
            "recording_video_dts_backwards": sum(1 for a, b in zip(video, video[1:]) if b < a),
            "recording_max_shown_gap_ms": round(rec.max_gap(shown) * 1000, 1),
            "recording_seconds": round(video[-1] - video[0], 1),
            "recording_decode_errors": decode_errors(nginx.recording("bench")),
        }
        return result
    finally:
        for e in encoders:
            if e.alive():
                e.proc.kill()
        serve.cleanup()
        nginx.cleanup()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--failback-after", type=int, default=5)
    parser.add_argument("--out", default=os.path.join(HERE, "results"))
    args = parser.parse_args()
    result = run(args)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "failover-" + time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + ".json")
    with open(path, "w") as f:
        json.dump(result, f, indent=2)
    print(json.dumps(result, indent=2))
    print(f"failover: p50 {result['failover_ms_p50']} ms, max {result['failover_ms_max']} ms "
          f"({result['failover_ratio_to_failover_after_p50']}x failover_after_ms; bound {result['bound_ms']} ms); "
          f"slates {result['slates']}, reconnects {result['destination_reconnects']}, "
          f"largest gap between shown pictures {result['recording_max_shown_gap_ms']} ms; saved {path}")


if __name__ == "__main__":
    main()
