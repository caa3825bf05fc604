#!/usr/bin/env python3
"""Soak (issue 6): `lunora serve` with 20 RTMP destinations for an hour while
  - the input flaps: every `--input-flap-every` s (300; the first at half that) the SRT encoder is killed (SIGKILL and SIGINT in turn) and
    restarted 10-20 s later with its timestamps back at 0; Lunora keeps the destinations and sends its slate;
  - one destination flaps: every `--destination-flap-every` s (60) its nginx-rtmp server is killed with SIGKILL
    and restarted on the same port `--destination-down` s (10) later; Lunora reconnects it.
Every `--sample-every` s (10) it reads the lunora process's VmRSS and Threads (/proc/PID/status), its open file
descriptors (/proc/PID/fd) and CPU, and every destination's status and counters from the API.

Flat means: after the warm-up (the first 5 minutes), the last 10 minutes against the first 10 minutes after the
warm-up grow by under 5 % for RSS, fds and threads, compared both median to median (the level) and max to max
(the peaks; both windows hold the same number of input and destination flaps, so transient resources such as the
slate encoder's thread or a reconnecting socket are in both). At the end every destination must be `streaming`
in the API with bytes_sent and the nginx side's bytes_in still growing.

Usage: bench/soak/soak.py [--minutes 60] [--destinations 20] [--input-flap-every 300] [--destination-flap-every 60]
                          [--lunora PATH]   (or LUNORA_BIN; default build/default/src/lunora)
Needs: ffmpeg (libx264), nginx with libnginx-mod-rtmp. Results: bench/soak/results/soak-<time>.json plus the
lunora stderr next to it. Every process started here is ended by its PID.
"""
import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
CLK_TCK = os.sysconf("SC_CLK_TCK")


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--destinations", type=int, default=20)
    ap.add_argument("--servers", type=int, default=4, help="nginx-rtmp servers for the steady destinations")
    ap.add_argument("--input-flap-every", type=float, default=300, help="seconds between encoder stops")
    ap.add_argument("--input-flap-offset", type=float, default=None,
                    help="seconds to the first encoder stop (default: half the period, so the warm-up holds one)")
    ap.add_argument("--input-down-min", type=float, default=10)
    ap.add_argument("--input-down-max", type=float, default=20)
    ap.add_argument("--destination-flap-every", type=float, default=60, help="seconds between server kills")
    ap.add_argument("--destination-down", type=float, default=10, help="seconds the killed server stays down")
    ap.add_argument("--sample-every", type=float, default=10)
    ap.add_argument("--warmup", type=float, default=300, help="seconds; at most a quarter of the run")
    ap.add_argument("--window", type=float, default=600, help="seconds compared at both ends; at most a third "
                    "of the run after the warm-up")
    ap.add_argument("--limit-percent", type=float, default=5)
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--rate", type=int, default=30)
    ap.add_argument("--bitrate", default="1500k")
    ap.add_argument("--gop", type=int, default=60)
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--lunora", default=os.environ.get("LUNORA_BIN",
                                                         os.path.join(ROOT, "build", "default", "src", "lunora")))
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    ap.add_argument("--report", metavar="JSON", help="print (and store) the summary of a saved run again")
    return ap.parse_args()


ARGS = parse_args()
os.environ["LUNORA_BIN"] = os.path.abspath(ARGS.lunora)  # read by the harness at import
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

import harness  # noqa: E402
from harness import publish_srt, wait_for  # noqa: E402
from serve_harness import Serve  # noqa: E402


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


class QuietNginx(harness.Nginx):
    """The harness's nginx-rtmp without recording (20 destinations for an hour would fill the disk) and with its
    error log at `warn`."""

    def _config(self):
        conf = super()._config()
        record = f"      record all;\n      record_path {self.record_dir};\n      record_unique off;\n"
        assert record in conf, "harness nginx config changed"
        return conf.replace(record, "").replace("/logs/error.log info;", "/logs/error.log warn;")


# ---------------------------------------------------------------------------------------------------------------
# /proc

def proc_sample(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon"):
                out[key.lower() + "_kib"] = int(value.split()[0])
            elif key == "Threads":
                out["threads"] = int(value)
    out["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    out["tasks"] = len(os.listdir(f"/proc/{pid}/task"))
    out["cpu_s"] = cpu_seconds(pid)
    return out


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        data = f.read()
    fields = data[data.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def fd_kinds(pid):
    """How many of the open descriptors are sockets, pipes, anon inodes (eventfd, epoll, timerfd) and files."""
    kinds = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        kind = target.split(":")[0] if ":" in target and not target.startswith("/") else "file"
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def thread_names(pid):
    names = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
        except OSError:
            continue
        names[name] = names.get(name, 0) + 1
    return names


# ---------------------------------------------------------------------------------------------------------------
# flatness

def growth(samples, key, t_warm, window, t_end):
    """Baseline = the first `window` s after the warm-up, end = the last `window` s."""
    base = [s[key] for s in samples if t_warm <= s["t"] < t_warm + window]
    last = [s[key] for s in samples if s["t"] >= t_end - window]
    after = [s for s in samples if s["t"] >= t_warm]
    if not base or not last:
        return None
    bmed, bmax, lmed, lmax = statistics.median(base), max(base), statistics.median(last), max(last)
    pct = lambda a, b: round(100.0 * (a - b) / b, 2) if b else None  # noqa: E731
    slope = None
    if len(after) >= 3:
        xs = [s["t"] for s in after]
        ys = [s[key] for s in after]
        mx, my = statistics.fmean(xs), statistics.fmean(ys)
        den = sum((x - mx) ** 2 for x in xs)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den * 3600 if den else 0.0
    return {"baseline_samples": len(base), "end_samples": len(last),
            "first": samples[0][key], "at_warmup_end": after[0][key] if after else None, "last": samples[-1][key],
            "min_after_warmup": min(s[key] for s in after), "max_after_warmup": max(s[key] for s in after),
            "baseline_median": bmed, "baseline_max": bmax, "end_median": lmed, "end_max": lmax,
            "growth_median_pct": pct(lmed, bmed), "growth_max_pct": pct(lmax, bmax),
            "end_max_over_baseline_median_pct": pct(lmax, bmed),
            "slope_per_hour": round(slope, 2) if slope is not None else None,
            "slope_per_hour_pct_of_baseline": pct(bmed + slope, bmed) if slope is not None else None}


# ---------------------------------------------------------------------------------------------------------------

def report(path):
    with open(path) as f:
        result = json.load(f)
    summarize(result, result["config"]["minutes"] * 60)
    with open(path, "w") as f:
        json.dump(result, f, indent=1)


def main():
    args = ARGS
    if args.report:
        return report(args.report)
    os.makedirs(args.out, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    out_json = os.path.join(args.out, f"soak-{stamp}.json")
    out_stderr = os.path.join(args.out, f"soak-{stamp}-lunora-stderr.log")
    duration = args.minutes * 60
    warmup = min(args.warmup, duration / 4)
    window = min(args.window, (duration - warmup) / 3)
    rng = random.Random(args.seed)
    log(f"soak: {args.destinations} destinations, {args.minutes:g} min, input flap every {args.input_flap_every:g} s "
        f"(down {args.input_down_min:g}-{args.input_down_max:g} s), destination flap every "
        f"{args.destination_flap_every:g} s (down {args.destination_down:g} s); warm-up {warmup:g} s, "
        f"windows {window:g} s; lunora {os.environ['LUNORA_BIN']}")

    result = {"started_at": stamp, "lunora": os.environ["LUNORA_BIN"], "nproc": os.cpu_count(),
              "config": {k: v for k, v in vars(args).items() if k not in ("out",)},
              "warmup_s": warmup, "window_s": window, "events": [], "samples": []}
    try:
        result["lunora_mtime"] = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                               time.gmtime(os.path.getmtime(os.environ["LUNORA_BIN"])))
        result["git_head"] = subprocess.run(["git", "-C", ROOT, "rev-parse", "HEAD"], capture_output=True,
                                            text=True).stdout.strip()
    except OSError:
        pass

    servers, encoder, serve = [], None, None
    t0 = None

    def event(kind, **kw):
        e = {"t": round(time.monotonic() - t0, 2) if t0 else 0.0, "at": time.strftime("%H:%M:%S"), "event": kind}
        e.update(kw)
        result["events"].append(e)
        log(f"t={e['t']:.0f}s {kind} {kw if kw else ''}")

    try:
        serve = Serve()
        pid = serve.proc.pid
        channel = serve.main_channel()
        # Steady destinations spread over `--servers` servers; the flapping one alone on its own server.
        steady = [QuietNginx() for _ in range(args.servers)]
        flapper = QuietNginx()
        servers = steady + [flapper]
        dests = []  # (destination, server, key, flapping)
        for i in range(args.destinations - 1):
            server = steady[i % len(steady)]
            key = f"soak-{i:02d}"
            dests.append((serve.add_destination(channel["id"], key, f"rtmp://127.0.0.1:{server.rtmp_port}/live",
                                                key), server, key, False))
        key = "soak-flap"
        dests.append((serve.add_destination(channel["id"], key, f"rtmp://127.0.0.1:{flapper.rtmp_port}/live", key),
                      flapper, key, True))
        for d, *_ in dests:
            serve.api("POST", f"/destinations/{d['id']}/start", expect=202)

        def new_encoder():
            return publish_srt(serve.srt_port, int(duration + 600), size=args.size, rate=args.rate, gop=args.gop,
                               bitrate=args.bitrate)

        encoder = new_encoder()
        t0 = time.monotonic()
        event("encoder_started", pid=encoder.proc.pid)

        def all_streaming():
            listed = serve.api("GET", "/destinations", expect=200)["destinations"]
            return all(x["status"] == "streaming" for x in listed)

        wait_for(all_streaming, 60, "every destination streaming")
        event("all_streaming")
        result["seconds_to_all_streaming"] = round(time.monotonic() - t0, 2)

        # Schedule: flaps at k * period while they end at least 30 s before the end of the run.
        # The first encoder stop falls inside the warm-up (half a period in): the slate's one-time setup (its
        # encoder, its buffers) is then not counted as growth, and both compared windows hold the same number of
        # encoder stops.
        offset = args.input_flap_offset if args.input_flap_offset is not None else args.input_flap_every / 2
        input_flaps = []
        k = 0
        while offset + k * args.input_flap_every + args.input_down_max + 30 <= duration:
            down = round(rng.uniform(args.input_down_min, args.input_down_max), 1)
            input_flaps.append({"at": offset + k * args.input_flap_every, "down": down,
                                "signal": "SIGKILL" if k % 2 == 0 else "SIGINT"})
            k += 1
        dest_flaps = []
        k = 1
        while k * args.destination_flap_every + args.destination_down + 30 <= duration:
            dest_flaps.append({"at": k * args.destination_flap_every, "down": args.destination_down})
            k += 1
        result["schedule"] = {"input_flaps": list(input_flaps), "destination_flaps": len(dest_flaps)}

        next_sample = 0.0
        encoder_down_until = None
        server_down_until = None
        cpu_prev = None
        ffmpeg_cpu_total = 0.0
        while True:
            now = time.monotonic() - t0
            if now >= duration:
                break
            if serve.proc.poll() is not None:
                event("lunora_exited", code=serve.proc.returncode)
                break
            if input_flaps and now >= input_flaps[0]["at"]:
                f = input_flaps.pop(0)
                try:
                    ffmpeg_cpu_total += cpu_seconds(encoder.proc.pid)
                except OSError:
                    pass
                if f["signal"] == "SIGKILL":
                    encoder.proc.kill()
                    encoder.proc.wait()
                else:
                    encoder.stop(signal.SIGINT)
                encoder_down_until = now + f["down"]
                event("encoder_stopped", signal=f["signal"], down_s=f["down"])
            if encoder_down_until is not None and now >= encoder_down_until:
                encoder = new_encoder()
                encoder_down_until = None
                event("encoder_started", pid=encoder.proc.pid)
            if dest_flaps and now >= dest_flaps[0]["at"]:
                f = dest_flaps.pop(0)
                flapper.kill()
                server_down_until = now + f["down"]
                event("server_killed", port=flapper.rtmp_port)
            if server_down_until is not None and now >= server_down_until:
                flapper.start()
                server_down_until = None
                event("server_restarted", port=flapper.rtmp_port)
            if now >= next_sample:
                next_sample += args.sample_every
                try:
                    s = {"t": round(now, 1)}
                    s.update(proc_sample(pid))
                    if cpu_prev:
                        s["cpu_pct"] = round(100 * (s["cpu_s"] - cpu_prev[1]) / max(now - cpu_prev[0], 1e-6), 2)
                    cpu_prev = (now, s["cpu_s"])
                    s["loadavg"] = os.getloadavg()[0]
                    ch = serve.main_channel()["input"]
                    s["input_connected"] = ch["connected"]
                    s["slate_on"] = ch["slate"]["on"]
                    s["slate_count"] = ch["slate"]["count"]
                    listed = serve.api("GET", "/destinations", expect=200)["destinations"]
                    s["streaming"] = sum(1 for x in listed if x["status"] == "streaming")
                    s["dest"] = {x["name"]: [x["status"], x["stats"]["bytes_sent"], x["stats"]["reconnects"],
                                             x["stats"]["dropped_packets"]] for x in listed}
                    result["samples"].append(s)
                    if len(result["samples"]) % 6 == 1:
                        log(f"t={now:.0f}s rss={s['vmrss_kib']} KiB fds={s['fds']} threads={s['threads']} "
                            f"cpu={s.get('cpu_pct', 0)}% streaming={s['streaming']}/{len(listed)} "
                            f"input={'up' if s['input_connected'] else 'down'} slate={s['slate_on']} "
                            f"slates={s['slate_count']} load={s['loadavg']:.2f}")
                    if len(result["samples"]) in (2, 60):
                        result.setdefault("fd_kinds", {})[str(s["t"])] = fd_kinds(pid)
                        result.setdefault("thread_names", {})[str(s["t"])] = thread_names(pid)
                except (OSError, AssertionError, ValueError, KeyError) as e:
                    event("sample_failed", error=repr(e)[:300])
            time.sleep(0.2)

        # End: bring back anything still down (the schedule leaves 30 s), then check every destination.
        if serve.proc.poll() is None:
            if server_down_until is not None:
                flapper.start()
                event("server_restarted", port=flapper.rtmp_port)
            if encoder_down_until is not None:
                encoder = new_encoder()
                event("encoder_started", pid=encoder.proc.pid)
            end_t = time.monotonic() - t0
            result.setdefault("fd_kinds", {})["end"] = fd_kinds(pid)
            result.setdefault("thread_names", {})["end"] = thread_names(pid)
            first = {x["name"]: x for x in serve.api("GET", "/destinations", expect=200)["destinations"]}
            stat_first = {}
            for srv in servers:
                stat_first.update(srv.stat())
            time.sleep(10)
            last = {x["name"]: x for x in serve.api("GET", "/destinations", expect=200)["destinations"]}
            stat_last = {}
            for srv in servers:
                stat_last.update(srv.stat())
            final = {}
            for d, srv, key, flapping in dests:
                a, b = first[key], last[key]
                sa, sb = stat_first.get(key, {}), stat_last.get(key, {})
                final[key] = {"status": b["status"], "flapping": flapping,
                              "bytes_sent": b["stats"]["bytes_sent"],
                              "bytes_sent_growth_10s": b["stats"]["bytes_sent"] - a["stats"]["bytes_sent"],
                              "nginx_bytes_in_growth_10s": sb.get("bytes_in", 0) - sa.get("bytes_in", 0),
                              "nginx_publisher": "publisher_id" in sb,
                              "reconnects": b["stats"]["reconnects"], "dropped_packets": b["stats"]["dropped_packets"],
                              "uptime_s": b["stats"]["uptime_s"], "last_error": b.get("last_error")}
                final[key]["ok"] = (b["status"] == "streaming" and final[key]["bytes_sent_growth_10s"] > 0
                                    and final[key]["nginx_bytes_in_growth_10s"] > 0 and final[key]["nginx_publisher"])
            ch = serve.main_channel()["input"]
            result["end"] = {"t": round(end_t, 1), "destinations": final,
                             "streaming_ok": sum(1 for v in final.values() if v["ok"]),
                             "input": {"connected": ch["connected"], "slate": ch["slate"]}}
            status, metrics, _ = serve.request("GET", "/metrics", auth=False)
            result["end"]["metrics"] = [line for line in metrics.splitlines()
                                        if line.startswith(("lunora_channel_slate", "lunora_destination_reconnects",
                                                            "lunora_destination_dropped"))]
        try:
            ffmpeg_cpu_total += cpu_seconds(encoder.proc.pid)
        except OSError:
            pass
        result["encoder_cpu_s"] = round(ffmpeg_cpu_total, 1)
    finally:
        if encoder:
            encoder.stop(signal.SIGKILL)
        code = None
        if serve:
            code = serve.stop(signal.SIGINT, timeout=30)
            result["lunora_exit_code"] = code
            with open(out_stderr, "w") as f:
                f.write(serve.stderr_text())
            result["lunora_stderr_file"] = os.path.relpath(out_stderr, ROOT)
            serve.cleanup()
        for srv in servers:
            srv.cleanup()
        summarize(result, duration)
        with open(out_json, "w") as f:
            json.dump(result, f, indent=1)
        log(f"wrote {out_json}")


def log_counts(path, keys):
    """From lunora's stderr: successful connections (`output_live`) and failures (`output_error`, by reason) per
    destination, the input and slate events, and every line at level error or above. The API's `reconnects`
    counts every connection attempt after the first, so a server down for 10 s costs several; `output_live`
    counts the reconnections that succeeded."""
    out = {"output_live": {}, "output_error": {}, "events": {}, "errors": []}
    by_suffix = {k[-4:]: k for k in keys}  # the log shows the key's last 4 characters only
    try:
        with open(path, errors="replace") as f:
            lines = f.readlines()
    except OSError:
        return None
    for line in lines:
        parts = line.split()
        if len(parts) < 3:
            continue
        level, ev = parts[1], parts[2].removeprefix("event=")
        if level in ("error", "critical"):
            out["errors"].append(line.strip()[:400])
        if ev in ("output_live", "output_error"):
            url = next((p for p in parts if p.startswith("url=")), "")
            key = by_suffix.get(url[-4:], url)
            if ev == "output_live":
                out["output_live"][key] = out["output_live"].get(key, 0) + 1
            else:
                reason = next((p[7:] for p in parts if p.startswith("reason=")), "?")
                per = out["output_error"].setdefault(key, {})
                per[reason] = per.get(reason, 0) + 1
        elif ev.startswith(("input_", "slate_", "serve_")) or level not in ("info", "debug", "trace"):
            out["events"][f"{level} {ev}"] = out["events"].get(f"{level} {ev}", 0) + 1
    out["errors"] = out["errors"][:50]
    return out


def summarize(result, duration):
    samples = result["samples"]
    limit = result["config"]["limit_percent"]
    t_end = samples[-1]["t"] if samples else 0
    summary = {"samples": len(samples), "ran_s": t_end}
    flat = True
    for key in ("vmrss_kib", "fds", "threads"):
        g = growth(samples, key, result["warmup_s"], result["window_s"], t_end) if samples else None
        summary[key] = g
        if g is None or g["growth_median_pct"] is None or g["growth_max_pct"] is None \
                or g["growth_median_pct"] >= limit or g["growth_max_pct"] >= limit:
            flat = False
    summary["flat"] = flat
    end = result.get("end")
    n = result["config"]["destinations"]
    summary["streaming_at_end"] = end["streaming_ok"] if end else 0
    summary["destinations"] = n
    if end:
        summary["reconnects"] = {k: v["reconnects"] for k, v in end["destinations"].items() if v["reconnects"]}
        summary["reconnects_steady_total"] = sum(v["reconnects"] for v in end["destinations"].values()
                                                 if not v["flapping"])
        summary["reconnects_flapping"] = sum(v["reconnects"] for v in end["destinations"].values() if v["flapping"])
        summary["dropped_packets_total"] = sum(v["dropped_packets"] for v in end["destinations"].values())
        summary["slate_count"] = end["input"]["slate"]["count"]
        summary["slate_seconds"] = end["input"]["slate"]["seconds"]
        stderr = os.path.join(ROOT, result.get("lunora_stderr_file", ""))
        counts = log_counts(stderr, list(end["destinations"])) if result.get("lunora_stderr_file") else None
        if counts:
            summary["log"] = counts
            flapping = [k for k, v in end["destinations"].items() if v["flapping"]]
            summary["reconnected_flapping"] = sum(counts["output_live"].get(k, 0) for k in flapping) - len(flapping)
            summary["reconnected_steady"] = sum(v for k, v in counts["output_live"].items()
                                                if k not in flapping) - (n - len(flapping))
    summary["encoder_stops"] = sum(1 for e in result["events"] if e["event"] == "encoder_stopped")
    summary["server_kills"] = sum(1 for e in result["events"] if e["event"] == "server_killed")
    summary["streaming_min_during_run"] = min((s["streaming"] for s in samples), default=0)
    cpu = [s["cpu_pct"] for s in samples if "cpu_pct" in s and s["t"] >= result["warmup_s"]]
    summary["lunora_cpu_pct_mean"] = round(statistics.fmean(cpu), 2) if cpu else None
    summary["lunora_exit_code"] = result.get("lunora_exit_code")
    summary["completed"] = t_end >= duration - 2 * result["config"]["sample_every"] and end is not None
    summary["pass"] = bool(flat and end and summary["streaming_at_end"] == n and summary["completed"]
                           and not any(e["event"] == "lunora_exited" for e in result["events"]))
    result["summary"] = summary

    print("\n=== soak summary ===")
    print(f"ran {t_end:.0f} s of {duration:.0f} s, {len(samples)} samples; warm-up {result['warmup_s']:g} s, "
          f"windows {result['window_s']:g} s; limit {limit:g} %")
    for key, label in (("vmrss_kib", "RSS KiB"), ("fds", "fds"), ("threads", "threads")):
        g = summary[key]
        if g:
            print(f"{label:8s} first {g['first']}, after warm-up {g['at_warmup_end']}, last {g['last']}; baseline "
                  f"median/max {g['baseline_median']}/{g['baseline_max']}, end median/max {g['end_median']}/"
                  f"{g['end_max']}: growth median {g['growth_median_pct']} %, max {g['growth_max_pct']} % "
                  f"(end max vs baseline median {g['end_max_over_baseline_median_pct']} %, slope "
                  f"{g['slope_per_hour']}/h)")
    print(f"flat: {flat}")
    print(f"streaming at end: {summary['streaming_at_end']}/{n}; lowest during the run: "
          f"{summary['streaming_min_during_run']}")
    print(f"encoder stops: {summary['encoder_stops']}, slate count: {summary.get('slate_count')} "
          f"({summary.get('slate_seconds')} s); server kills: {summary['server_kills']}, reconnects: flapping "
          f"{summary.get('reconnects_flapping')}, others {summary.get('reconnects_steady_total')}; dropped packets "
          f"{summary.get('dropped_packets_total')}")
    if "log" in summary:
        print(f"lunora log: reconnections that succeeded: flapping {summary['reconnected_flapping']}, others "
              f"{summary['reconnected_steady']}; input/slate/warning events {summary['log']['events']}; "
              f"{len(summary['log']['errors'])} lines at level error")
    print(f"lunora CPU after warm-up: {summary['lunora_cpu_pct_mean']} % of a core; exit code "
          f"{summary['lunora_exit_code']}")
    print(f"PASS: {summary['pass']}")


if __name__ == "__main__":
    main()
