#!/usr/bin/env python3
"""Renditions benchmark (issue 9): Lunora's 1080p30 -> 720p30 3 Mbit/s rendition next to ffmpeg doing the same
transcode with the same x264 settings, in the same run, on the same machine.

Input: 1080p30 6 Mbit/s H.264 (x264 veryfast, GOP 60, CBR nal-hrd) + AAC 128k, encoded once into
$TMPDIR/lunora-bench/ (bench/fanout's file) and played in real time with `ffmpeg -re -stream_loop -1 -c copy`.
Sink: one nginx-rtmp without recording. Phases, one at a time, alternated over --rounds rounds:

  ffmpeg-dec1       ffmpeg -threads 1 -re -stream_loop -1 -i input.mp4 -vf scale=1280:720:flags=bicubic -r 30
                    -c:v libx264 -preset veryfast -profile:v high -b:v 3000k -maxrate 3000k -bufsize 3000k -g 60
                    -keyint_min 60 -x264-params <Lunora's, read from the binary> -pix_fmt yuv420p -c:a copy
                    -f flv rtmp://SINK (one decoder thread, as Lunora's rendition)
  ffmpeg-decauto    the same without -threads 1 (ffmpeg's default decoder threads)
  lunora-pass       `lunora serve`, the feeder over SRT into `main`, one passthrough destination (the baseline)
  lunora-r1         `lunora serve` with a 720p30 3000 kbit/s rendition and one destination on it       (a)
  lunora-r2         the same process, a second destination on the rendition                            (b)
  lunora-r1p1       the same process, the rendition's one destination plus a passthrough destination  (c)

Measured over a fixed window after a warm-up: process CPU (utime+stime of /proc/PID/stat, children excluded)
and frames encoded (ffmpeg: `-progress pipe:1` frame=, interpolated at the window's edges; Lunora:
lunora_rendition_frames_encoded_total); for Lunora also lunora_rendition_cpu_seconds_total (read where the counter
moves, so that CPU and frames belong together), the CPU of every thread group of the process (/proc/PID/task, by
name) and the rendition's stats (speed, fps, preset, drops). See bench/README.md.

Standard library only. Everything binds free ports on 127.0.0.1; every process started here is ended by its PID.
"""
import argparse
import datetime
import hashlib
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, os.path.join(ROOT, "bench", "fanout"))
os.environ.setdefault("LUNORA_BIN", os.path.join(ROOT, "build", "default", "src", "lunora"))

import fanout  # noqa: E402  (Nginx sink, input encoding, feeder, /proc helpers)
import serve_harness  # noqa: E402
from serve_harness import Serve  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
RENDITION = {"name": "720p30", "width": 1280, "height": 720, "fps": 30, "video_bitrate_kbps": 3000,
             "audio_bitrate_kbps": 128, "keyframe_interval_s": 2}
FPS = 30
UNITS = ("ffmpeg-dec1", "lunora-rendition", "ffmpeg-decauto", "lunora-pass")
log = fanout.log


# ---------------------------------------------------------------------------------------------------------------
# /proc

def proc_ticks(pid):
    return fanout.cpu_ticks(pid)  # utime + stime of all threads, children excluded


def thread_groups(pid):
    """{thread name: (ticks, threads)} of one process: utime+stime per /proc/PID/task/*/comm. A numbered name
    (rendition-3) counts under its prefix ("rendition")."""
    groups = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                data = f.read()
        except OSError:
            continue
        name = data[data.index("(") + 1:data.rindex(")")]
        fields = data[data.rindex(")") + 2:].split()
        key = re.sub(r"-\d+$", "", name)
        ticks, n = groups.get(key, (0, 0))
        groups[key] = (ticks + int(fields[11]) + int(fields[12]), n + 1)
    return groups


def machine_ticks():
    """(busy, total, steal) jiffies of all CPUs from /proc/stat. Steal (the hypervisor ran someone else on our
    virtual CPUs) is neither busy nor idle here, but kept: it shows a busy host."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]] + [0] * 8
    user, nice, system, idle, iowait, irq, softirq, steal = fields[:8]
    return user + nice + system + irq + softirq, sum(fields[:8]), steal


def loadavg():
    return [round(x, 2) for x in os.getloadavg()]


class Window:
    """CPU of the measured process, of our helpers (feeder, sink) and of the whole machine over [t0, t1]."""

    def __init__(self, pid, helpers):
        self.pid, self.helpers = pid, [h for h in helpers if h]
        self.t0 = time.monotonic()
        self.c0 = proc_ticks(pid)
        self.h0 = fanout.sum_over(self.helpers, proc_ticks)
        self.g0 = thread_groups(pid)
        self.m0 = machine_ticks()

    def end(self):
        self.c1 = proc_ticks(self.pid)
        self.h1 = fanout.sum_over(self.helpers, proc_ticks)
        self.g1 = thread_groups(self.pid)
        self.m1 = machine_ticks()
        self.t1 = time.monotonic()
        wall = self.t1 - self.t0
        pct = lambda ticks: round(100.0 * ticks / CLK_TCK / wall, 2)  # noqa: E731
        busy, total, steal = (b - a for a, b in zip(self.m0, self.m1))
        ncpu = os.cpu_count() or 1
        machine_pct = 100.0 * ncpu * busy / total if total else 0.0  # in % of one core, like the others
        res = {"window_s": round(wall, 2), "cpu_pct": pct(self.c1 - self.c0),
               "threads_cpu_pct": {k: pct(v[0] - self.g0.get(k, (0, 0))[0]) for k, v in sorted(self.g1.items())},
               "threads": {k: v[1] for k, v in sorted(self.g1.items())},
               "helpers_cpu_pct": pct(self.h1 - self.h0),
               "machine_busy_pct": round(machine_pct, 1),
               "steal_pct": round(100.0 * ncpu * steal / total, 1) if total else 0.0}
        # What else ran on the machine meanwhile (other work, the kernel's softirqs, this script).
        res["others_cpu_pct"] = round(machine_pct - res["cpu_pct"] - res["helpers_cpu_pct"], 1)
        return res


# ---------------------------------------------------------------------------------------------------------------
# ffmpeg doing the same transcode

def lunora_x264_params(binary):
    """The x264-params string compiled into lunora (VideoTranscoder::open_encoder), so that ffmpeg gets the same."""
    with open(binary, "rb") as f:
        found = re.search(rb"scenecut=\d+(?::[a-z0-9-]+=[A-Za-z0-9.]+)*", f.read())
    return found.group(0).decode() if found else None


def ffmpeg_args(input_file, url, decoder_threads, x264_params):
    args = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "warning"]
    if decoder_threads is not None:
        args += ["-threads", str(decoder_threads)]  # before -i: the decoder's threads
    args += ["-re", "-stream_loop", "-1", "-i", input_file,
             "-vf", "scale=1280:720:flags=bicubic", "-r", "30",
             "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high",
             "-b:v", "3000k", "-maxrate", "3000k", "-bufsize", "3000k", "-g", "60", "-keyint_min", "60",
             "-x264-params", x264_params, "-pix_fmt", "yuv420p", "-c:a", "copy",
             "-progress", "pipe:1", "-stats_period", "0.5", "-f", "flv", url]
    return args


class Ffmpeg:
    """The transcoding ffmpeg with its -progress blocks read by a thread: [(monotonic time, {key: value})]."""

    def __init__(self, args, logpath):
        self.args = args
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=open(logpath, "w"), stdin=subprocess.DEVNULL,
                                     text=True, start_new_session=True)
        self.logpath = logpath
        self.lock = threading.Lock()
        self.progress = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        block = {}
        for line in self.proc.stdout:
            key, _, value = line.strip().partition("=")
            block[key] = value.strip()
            if key == "progress":
                with self.lock:
                    self.progress.append((time.monotonic(), block))
                block = {}

    def frames(self):
        with self.lock:
            return [(t, int(b["frame"])) for t, b in self.progress if b.get("frame", "").isdigit()]

    def last(self):
        with self.lock:
            return self.progress[-1][1] if self.progress else {}

    def stop(self):
        return fanout.stop_pid(self.proc, signal.SIGINT, timeout=10)


def interpolate(series, t):
    """Value of a rising [(time, value)] series at time t (linear between the samples around it)."""
    before = [(a, v) for a, v in series if a <= t]
    after = [(a, v) for a, v in series if a >= t]
    if not before:
        return after[0][1] if after else None
    if not after:
        return before[-1][1]
    (ta, va), (tb, vb) = before[-1], after[0]
    return va if tb == ta else va + (vb - va) * (t - ta) / (tb - ta)


def run_ffmpeg_phase(args, sink, workdir, input_file, round_no, name, decoder_threads):
    stream = f"{name}-r{round_no}-{int(time.time())}"
    res = {"phase": name, "round": round_no, "loadavg_start": loadavg(), "decoder_threads": decoder_threads or "auto"}
    ff = Ffmpeg(ffmpeg_args(input_file, f"rtmp://127.0.0.1:{sink.rtmp_port}/live/{stream}", decoder_threads,
                            args.x264_params),
                os.path.join(workdir, f"{stream}.log"))
    res["command"] = " ".join(ff.args)
    try:
        ok = fanout.wait_for(lambda: ff.proc.poll() is not None or
                             (ff.frames() and ff.frames()[-1][1] > 0 and sink_stream(sink, stream)[1]), 30)
        if not ok or ff.proc.poll() is not None:
            raise RuntimeError(f"ffmpeg did not start streaming: {tail(ff.logpath)}")
        time.sleep(args.warmup)
        res["loadavg_window_start"] = loadavg()
        s0 = sink_stream(sink, stream)
        w = Window(ff.proc.pid, [sink.pid])
        time.sleep(args.seconds)
        res.update(w.end())
        s1 = sink_stream(sink, stream)
        time.sleep(0.8)  # one more progress block after the window, to interpolate the frame count at t1
        series = ff.frames()
        f0, f1 = interpolate(series, w.t0), interpolate(series, w.t1)
        res["frames"] = round(f1 - f0, 1)
        res["fps"] = round(res["frames"] / res["window_s"], 2)
        res["cpu_ms_per_frame"] = round(res["cpu_pct"] * 10 * res["window_s"] / res["frames"], 3)
        last = ff.last()
        res["progress_last"] = {k: last.get(k) for k in ("frame", "fps", "speed", "drop_frames", "dup_frames",
                                                         "bitrate", "out_time")}
        res["speed"] = last.get("speed")
        res["sink_mbit_s"] = round((s1[0] - s0[0]) * 8 / res["window_s"] / 1e6, 2)
        res["alive"] = ff.proc.poll() is None
    finally:
        res["exit_code"] = ff.stop()
    return res


def sink_stream(sink, name):
    try:
        return sink.stat().get(name, (0, False))
    except OSError:
        return (0, False)


def tail(path, n=15):
    try:
        with open(path) as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


# ---------------------------------------------------------------------------------------------------------------
# lunora serve

METRIC = re.compile(r'^(lunora_rendition_\w+)\{channel_id="[^"]*",rendition="([^"]*)"\} (\S+)$', re.M)


class MetricsPoller:
    """Polls /metrics every `interval` s on a thread: [(monotonic time, {metric: value})] of the rendition."""

    def __init__(self, serve, rendition, interval):
        self.serve, self.rendition, self.interval = serve, rendition, interval
        self.samples = []
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def read(self):
        status, text, _ = self.serve.request("GET", "/metrics", timeout=5)
        if status != 200:
            return None
        values = {m: float(v) for m, r, v in METRIC.findall(text) if r == self.rendition}
        m = re.search(r"^lunora_renditions_running (\S+)$", text, re.M)
        if m:
            values["renditions_running"] = float(m.group(1))
        return values

    def _run(self):
        while not self.stopped.is_set():
            try:
                values = self.read()
            except OSError:
                values = None
            if values is not None:
                with self.lock:
                    self.samples.append((time.monotonic(), values))
            self.stopped.wait(self.interval)

    def series(self, key):
        with self.lock:
            return [(t, v[key]) for t, v in self.samples if key in v]

    def wait_moved(self, after, key="lunora_rendition_cpu_seconds_total", timeout=6):
        """The first sample at or after `after` whose `key` differs from the sample before it: there the
        rendition had just closed a stats window, so its CPU counter and frame counter belong together."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                s = list(self.samples)
            for (ta, a), (tb, b) in zip(s, s[1:]):
                if tb >= after and key in a and key in b and b[key] != a[key]:
                    return tb, b
            time.sleep(self.interval)
        return None, None

    def stop(self):
        self.stopped.set()
        self.thread.join(5)


class LunoraInstance:
    """One `lunora serve` with the feeder on its SRT port and destinations into the sink."""

    def __init__(self, args, sink, workdir, input_file, tag):
        self.args, self.sink, self.tag = args, sink, tag
        self.serve = Serve()
        self.cid = self.serve.main_channel()["id"]
        self.destinations = {}  # label -> (id, stream)
        self.feeder = None
        self.poller = None
        self.workdir, self.input_file = workdir, input_file

    def add_rendition(self):
        self.serve.api("POST", f"/channels/{self.cid}/renditions", RENDITION, expect=201)

    def add_destination(self, label, rendition=None):
        stream = f"{self.tag}-{label}"
        body = {"channel_id": self.cid, "name": label, "platform": "custom",
                "url": f"rtmp://127.0.0.1:{self.sink.rtmp_port}/live", "stream_key": stream}
        if rendition:
            body["rendition"] = rendition
        d = self.serve.api("POST", "/destinations", body, expect=201)
        self.destinations[label] = (d["id"], stream)
        return d["id"]

    def start(self, label, timeout=40):
        did, stream = self.destinations[label]
        self.serve.api("POST", f"/destinations/{did}/start", expect=202)
        if self.feeder is None:
            self.feeder = fanout.feeder(self.input_file, "mpegts",
                                        f"srt://127.0.0.1:{self.serve.srt_port}?pkt_size=1316",
                                        os.path.join(self.workdir, f"feeder-{self.tag}.log"))
        self.serve.wait_status(did, "streaming", timeout)
        fanout.wait_for(lambda: sink_stream(self.sink, stream)[1], 15)

    def stop(self, label):
        did, _ = self.destinations[label]
        self.serve.api("POST", f"/destinations/{did}/stop", expect=202)
        self.serve.wait_status(did, "ready", 20)

    def rendition(self):
        return self.serve.api("GET", f"/channels/{self.cid}/renditions/{RENDITION['name']}", expect=200)

    def destination_stats(self, labels):
        out = {}
        for label in labels:
            did, stream = self.destinations[label]
            d = self.serve.destination(did)
            out[label] = {"status": d["status"], "rendition": d["rendition"], **d["stats"],
                          "warnings": d.get("warnings")}
        return out

    def close(self):
        if self.poller:
            self.poller.stop()
        if self.feeder:
            fanout.stop_pid(self.feeder)
        code = self.serve.stop(signal.SIGINT, timeout=20) if self.serve.alive() else self.serve.proc.returncode
        text = self.serve.stderr_text()
        notable = [l.rstrip() for l in text.splitlines()
                   if " warn " in l or " error " in l or "preset_changed" in l or "overloaded" in l]
        self.serve.cleanup()
        return code, notable[-30:]


def measure_lunora(inst, args, name, round_no, active_labels, rendition_on):
    """One window on a running instance whose destinations `active_labels` stream."""
    res = {"phase": name, "round": round_no, "loadavg_window_start": loadavg(), "destinations": list(active_labels)}
    streams = [inst.destinations[l][1] for l in active_labels]
    dest0 = inst.destination_stats(active_labels)
    r0 = inst.rendition() if rendition_on else None
    s0 = {s: sink_stream(inst.sink, s) for s in streams}
    w = Window(inst.serve.proc.pid, [inst.feeder.pid, inst.sink.pid])
    t_start = w.t0
    time.sleep(args.seconds)
    res.update(w.end())
    s1 = {s: sink_stream(inst.sink, s) for s in streams}
    dest1 = inst.destination_stats(active_labels)
    res["sink_mbit_s"] = {l: round((s1[s][0] - s0[s][0]) * 8 / res["window_s"] / 1e6, 2)
                          for l, s in zip(active_labels, streams)}
    res["sink_publishing"] = {l: s1[s][1] for l, s in zip(active_labels, streams)}
    res["destination_stats"] = dest1
    res["destination_dropped_in_window"] = {l: dest1[l]["dropped_packets"] - dest0[l]["dropped_packets"]
                                            for l in active_labels}
    res["destination_reconnects_in_window"] = {l: dest1[l]["reconnects"] - dest0[l]["reconnects"]
                                               for l in active_labels}
    ren_threads = res["threads_cpu_pct"].get("rendition", 0.0)
    res["rendition_threads_cpu_pct"] = ren_threads
    res["outside_rendition_cpu_pct"] = round(res["cpu_pct"] - ren_threads, 2)
    res["io_threads_cpu_pct"] = res["threads_cpu_pct"].get("lunora", 0.0)  # the threads that write the sockets
    if not rendition_on:
        return res
    p = inst.poller
    # Frames in [t0, t1] from the frame counter (polled), interpolated at the window's edges.
    time.sleep(args.poll * 2)
    frames = p.series("lunora_rendition_frames_encoded_total")
    f0, f1 = interpolate(frames, w.t0), interpolate(frames, w.t1)
    res["frames"] = round(f1 - f0, 1)
    res["fps"] = round(res["frames"] / res["window_s"], 2)
    res["cpu_ms_per_frame_process"] = round(res["cpu_pct"] * 10 * res["window_s"] / res["frames"], 3)
    res["rendition_threads_ms_per_frame_proc"] = round(ren_threads * 10 * res["window_s"] / res["frames"], 3)
    # The rendition's own CPU counter: it moves when the rendition closes a stats window, so CPU and frames are
    # read at the first sample where it moved after each edge of the window.
    ta, a = p.wait_moved(t_start)
    tb, b = p.wait_moved(w.t1)
    if a and b:
        dcpu = b["lunora_rendition_cpu_seconds_total"] - a["lunora_rendition_cpu_seconds_total"]
        dfr = b["lunora_rendition_frames_encoded_total"] - a["lunora_rendition_frames_encoded_total"]
        res["metrics_span"] = {"from_s": round(ta - t_start, 2), "to_s": round(tb - t_start, 2),
                               "cpu_seconds": round(dcpu, 2), "frames": dfr}
        res["cpu_ms_per_frame_metrics"] = round(1000 * dcpu / dfr, 3) if dfr > 0 else None
        res["rendition_cpu_pct_metrics"] = round(100 * dcpu / (tb - ta), 2)
    inwin = lambda key: [v for t, v in p.series(key) if w.t0 <= t <= w.t1]  # noqa: E731
    for key, out in (("lunora_rendition_speed", "speed"), ("lunora_rendition_fps_out", "fps_out_reported"),
                     ("lunora_rendition_fps_in", "fps_in_reported"),
                     ("lunora_rendition_cpu_percent", "cpu_percent_reported")):
        vals = inwin(key)
        res[out] = round(statistics.median(vals), 2) if vals else None
        res[out + "_range"] = [round(min(vals), 2), round(max(vals), 2)] if vals else None
    # stats.speed is media time / busy time and fps_* are frames / media time, with the media time taken from the
    # video packets' PTS steps in arrival order. speed x fps_in is frames per busy second whatever that media time
    # is; over the input's real frame rate (30) it is the speed in real time.
    with p.lock:
        pairs = [v for t, v in p.samples if w.t0 <= t <= w.t1 and "lunora_rendition_speed" in v]
    true = [v["lunora_rendition_speed"] * v["lunora_rendition_fps_in"] / FPS for v in pairs]
    res["speed_from_frames"] = round(statistics.median(true), 2) if true else None
    outputs = inwin("lunora_rendition_outputs")
    running = inwin("renditions_running")
    res["rendition_outputs"] = sorted(set(outputs))
    res["renditions_running"] = sorted(set(running))
    r1 = inst.rendition()
    st0, st1 = (r0 or {}).get("stats") or {}, r1.get("stats") or {}
    res["rendition_stats_end"] = st1
    res["preset"] = st1.get("preset")
    res["preset_changes"] = st1.get("preset_changes")
    res["rendition_dropped_in_window"] = \
        (st1.get("dropped_packets", 0) - st0.get("dropped_packets", 0)) if st0 else None
    res["rendition_error"] = r1.get("error")
    return res


def subphases(extra):
    """(a), (b), (c): the phase's name and the destinations streaming besides `ren1` (`extra` of them in (b), (c))."""
    return {"a": ("lunora-r1", []), "b": ("lunora-r2", [f"ren{k + 2}" for k in range(extra)]),
            "c": ("lunora-r1p1", ["pass"] + [f"pass{k + 2}" for k in range(extra - 1)])}


def run_lunora_unit(args, sink, workdir, input_file, round_no, order):
    """lunora-r1 (a), lunora-r2 (b) and lunora-r1p1 (c) in `order` on one process: the same encoder throughout,
    the rendition's first destination streaming all along, the extra one started (and the previous extra one
    stopped) before each window."""
    tag = f"lunora-ren-r{round_no}-{int(time.time())}"
    results = []
    inst = LunoraInstance(args, sink, workdir, input_file, tag)
    try:
        inst.add_rendition()
        inst.add_destination("ren1", RENDITION["name"])
        phases = subphases(args.extra)
        for label in phases["b"][1]:
            inst.add_destination(label, RENDITION["name"])
        for label in phases["c"][1]:
            inst.add_destination(label, None)
        active = []
        for i, sub in enumerate(order):
            name, extras = phases[sub]
            load0 = loadavg()
            for label in active:
                if label not in extras:
                    inst.stop(label)
            if i == 0:
                inst.start("ren1")
                inst.poller = MetricsPoller(inst.serve, RENDITION["name"], args.poll)
            for label in extras:
                if label not in active:
                    inst.start(label)
            active = list(extras)
            if i == 0:
                fanout.wait_for(lambda: (inst.rendition().get("stats") or {}).get("frames_out", 0) > 0, 20)
                time.sleep(args.warmup)
            else:
                time.sleep(args.settle)  # the join's burst of the GOP cache is over
            res = measure_lunora(inst, args, name, round_no, ["ren1"] + extras, True)
            res["loadavg_start"] = load0
            res["position_in_process"] = i
            results.append(res)
    finally:
        code, notable = inst.close()
    for r in results:
        r["lunora_exit_code"] = code
    if results:
        results[-1]["lunora_log_notable"] = notable
    return results


def run_lunora_pass(args, sink, workdir, input_file, round_no):
    tag = f"lunora-pass-r{round_no}-{int(time.time())}"
    inst = LunoraInstance(args, sink, workdir, input_file, tag)
    try:
        load0 = loadavg()
        inst.add_destination("pass", None)
        inst.start("pass")
        time.sleep(args.warmup)
        res = measure_lunora(inst, args, "lunora-pass", round_no, ["pass"], False)
        res["loadavg_start"] = load0
    finally:
        code, notable = inst.close()
    res["lunora_exit_code"] = code
    res["lunora_log_notable"] = notable
    return [res]


# ---------------------------------------------------------------------------------------------------------------
# Summary and report

def med(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 3) if values else None


def summarize(report):
    """Per round: Lunora against ffmpeg; then medians over the rounds."""
    rounds = []
    for rnd in report["rounds"]:
        ph = {p["phase"]: p for p in rnd["phases"] if "error" not in p}
        r = {"round": rnd["round"]}
        f1, fa = ph.get("ffmpeg-dec1"), ph.get("ffmpeg-decauto")
        a, b, c, base = ph.get("lunora-r1"), ph.get("lunora-r2"), ph.get("lunora-r1p1"), ph.get("lunora-pass")
        r["ffmpeg_dec1_ms_per_frame"] = f1 and f1["cpu_ms_per_frame"]
        r["ffmpeg_decauto_ms_per_frame"] = fa and fa["cpu_ms_per_frame"]
        r["lunora_metrics_ms_per_frame"] = a and a.get("cpu_ms_per_frame_metrics")
        r["lunora_rendition_threads_ms_per_frame"] = a and a.get("rendition_threads_ms_per_frame_proc")
        # (a), (b) and (c) run the same encoder on the same input: the median of the three is the same figure with
        # less noise (destinations do not touch the rendition's work).
        r["lunora_metrics_abc_ms_per_frame"] = med([p.get("cpu_ms_per_frame_metrics") for p in (a, b, c) if p])
        if a and base:
            # The whole process minus the passthrough-only baseline, per frame the rendition encoded.
            net_pct = a["cpu_pct"] - base["cpu_pct"]
            r["lunora_process_net_cpu_pct"] = round(net_pct, 2)
            r["lunora_process_net_ms_per_frame"] = round(net_pct * 10 / a["fps"], 3)
        for key in ("lunora_metrics_ms_per_frame", "lunora_metrics_abc_ms_per_frame",
                    "lunora_rendition_threads_ms_per_frame", "lunora_process_net_ms_per_frame"):
            for ff, fkey in (("dec1", "ffmpeg_dec1_ms_per_frame"), ("decauto", "ffmpeg_decauto_ms_per_frame")):
                if r.get(key) and r.get(fkey):
                    r[f"ratio_{key.replace('lunora_', '').replace('_ms_per_frame', '')}_over_{ff}"] = \
                        round(r[key] / r[fkey], 3)
        if a:
            # Per added destination: (b) and (c) add `extra` destinations each (1 unless --extra).
            n = report["config"].get("extra", 1)
            for name, other in (("second_rendition_destination", b), ("passthrough_destination", c)):
                if other:
                    r[f"{name}_cpu_pct"] = round((other["cpu_pct"] - a["cpu_pct"]) / n, 3)
                    r[f"{name}_outside_rendition_cpu_pct"] = round(
                        (other["outside_rendition_cpu_pct"] - a["outside_rendition_cpu_pct"]) / n, 3)
                    r[f"{name}_rendition_threads_cpu_pct"] = round(
                        (other["rendition_threads_cpu_pct"] - a["rendition_threads_cpu_pct"]) / n, 3)
                    io = lambda ph: ph.get("threads_cpu_pct", {}).get("lunora")  # noqa: E731
                    if io(other) is not None and io(a) is not None:
                        r[f"{name}_io_threads_cpu_pct"] = round((io(other) - io(a)) / n, 3)
        rounds.append(r)
    keys = sorted({k for r in rounds for k in r if k != "round"})
    summary = {"per_round": rounds, "median": {k: med([r.get(k) for r in rounds]) for k in keys}}
    by_phase = {}
    for rnd in report["rounds"]:
        for p in rnd["phases"]:
            by_phase.setdefault(p["phase"], []).append(p)
    summary["phases"] = {}
    for name, ps in by_phase.items():
        ok = [p for p in ps if "error" not in p]
        s = {"n": len(ok), "errors": [p["error"] for p in ps if "error" in p]}
        for key in ("cpu_pct", "fps", "cpu_ms_per_frame", "cpu_ms_per_frame_process", "cpu_ms_per_frame_metrics",
                    "rendition_threads_cpu_pct", "outside_rendition_cpu_pct", "rendition_cpu_pct_metrics",
                    "speed", "speed_from_frames", "fps_out_reported", "fps_in_reported", "cpu_percent_reported",
                    "others_cpu_pct", "machine_busy_pct"):
            vals = [p.get(key) for p in ok]
            if key == "speed" and name.startswith("ffmpeg"):
                vals = [float(v.rstrip("x")) if isinstance(v, str) and v.rstrip("x").replace(".", "").isdigit()
                        else None for v in vals]
            vals = [v for v in vals if isinstance(v, (int, float))]
            if vals:
                s[key] = {"median": round(statistics.median(vals), 3), "min": min(vals), "max": max(vals)}
        s["presets"] = sorted({p.get("preset") for p in ok if p.get("preset")})
        s["preset_changes"] = sorted({p.get("preset_changes") for p in ok if p.get("preset_changes") is not None})
        s["rendition_dropped_in_window"] = [p.get("rendition_dropped_in_window") for p in ok
                                            if "rendition_dropped_in_window" in p]
        s["destination_dropped_in_window"] = [p.get("destination_dropped_in_window") for p in ok
                                              if "destination_dropped_in_window" in p]
        s["loadavg_start"] = [p.get("loadavg_start") for p in ok]
        summary["phases"][name] = s
    return summary


def fmt(v, nd=2, unit=""):
    return "-" if v is None else f"{v:.{nd}f}{unit}"


def markdown(report):
    s = report["summary"]
    m = s["median"]
    cfg = report["config"]
    ff_cmds = [p["command"] for rnd in report["rounds"] for p in rnd["phases"] if p.get("command")]
    x264 = cfg.get("x264_params") or (re.search(r"-x264-params (\S+)", ff_cmds[0]).group(1) if ff_cmds else "?")
    out = [f"Run {report['date']}: {cfg['rounds']} rounds, windows of {cfg['seconds']} s after {cfg['warmup']} s of "
           f"warm-up; machine {report['machine']['cpu']} x {report['machine']['nproc']}, "
           f"{report['machine']['ffmpeg'].split(' Copyright')[0]}; "
           f"git HEAD at the start {report.get('git_head', '?')}, "
           f"lunora binary of {report['lunora'].get('mtime')}; ffmpeg's -x264-params {x264}.", ""]
    out.append("| phase | rounds | process CPU % of a core | frames/s | CPU ms / frame | "
               "rest of the machine, % of a core | notes |")
    out.append("|---|---:|---:|---:|---:|---:|---|")
    for name in ("ffmpeg-dec1", "ffmpeg-decauto", "lunora-pass", "lunora-r1", "lunora-r2", "lunora-r1p1"):
        p = s["phases"].get(name)
        if not p:
            continue
        g = lambda k: (p.get(k) or {}).get("median")  # noqa: E731
        notes = []
        if name.startswith("lunora-r"):
            notes.append(f"rendition threads {fmt(g('rendition_threads_cpu_pct'))} %, outside them "
                         f"{fmt(g('outside_rendition_cpu_pct'))} %")
            notes.append(f"metrics: {fmt(g('cpu_ms_per_frame_metrics'), 3)} ms/frame")
            notes.append(f"speed {fmt(g('speed'))} reported, {fmt(g('speed_from_frames'))} from frames; "
                         f"fps_in/out reported {fmt(g('fps_in_reported'), 1)}/{fmt(g('fps_out_reported'), 1)}; "
                         f"preset {','.join(p['presets'])}")
        elif name == "lunora-pass":
            notes.append(f"outside rendition {fmt(g('outside_rendition_cpu_pct'))} %")
        else:
            notes.append(f"speed {fmt(g('speed'))}x")
        if p["errors"]:
            notes.append(f"errors: {p['errors']}")
        per_frame = g("cpu_ms_per_frame") or g("cpu_ms_per_frame_process")
        out.append(f"| {name} | {p['n']} | {fmt(g('cpu_pct'))} | {fmt(g('fps'))} | {fmt(per_frame, 3)} | "
                   f"{fmt(g('others_cpu_pct'), 0)} | {'; '.join(notes)} |")
    out += ["", "CPU per encoded frame (median over rounds; ratios are taken within each round, then the median):", "",
            "| | ms / frame | / ffmpeg -threads 1 | / ffmpeg default threads |", "|---|---:|---:|---:|"]
    out.append(f"| ffmpeg, decoder -threads 1 | {fmt(m.get('ffmpeg_dec1_ms_per_frame'), 3)} | 1 | |")
    out.append(f"| ffmpeg, default decoder threads | {fmt(m.get('ffmpeg_decauto_ms_per_frame'), 3)} | | 1 |")
    for key, label in (("metrics", "Lunora, rendition metrics (cpu_seconds_total / frames_encoded_total)"),
                       ("metrics_abc", "Lunora, rendition metrics, median of the windows (a), (b), (c) of a round"),
                       ("rendition_threads", "Lunora, rendition threads from /proc/PID/task"),
                       ("process_net", "Lunora, whole process minus the passthrough baseline")):
        out.append(f"| {label} | {fmt(m.get(f'lunora_{key}_ms_per_frame'), 3)} | "
                   f"{fmt(m.get(f'ratio_{key}_over_dec1'), 3)} | {fmt(m.get(f'ratio_{key}_over_decauto'), 3)} |")
    n = cfg.get("extra", 1)
    per = "" if n == 1 else f" per destination ((b) and (c) add {n} destinations each; the difference / {n})"
    out += ["", f"Added CPU (% of one core) against lunora-r1 (rendition + 1 destination){per}, median over rounds:",
            "", "| added | whole process | outside the rendition's threads | of which the I/O threads (`lunora`) | "
            "in the rendition's threads |", "|---|---:|---:|---:|---:|"]
    for key, label in (("second_rendition_destination", "(b) a destination on the rendition"),
                       ("passthrough_destination", "(c) a passthrough destination")):
        out.append(f"| {label} | {fmt(m.get(f'{key}_cpu_pct'), 3)} | "
                   f"{fmt(m.get(f'{key}_outside_rendition_cpu_pct'), 3)} | "
                   f"{fmt(m.get(f'{key}_io_threads_cpu_pct'), 3)} | "
                   f"{fmt(m.get(f'{key}_rendition_threads_cpu_pct'), 3)} |")
    out += ["", "Per round (the last column: each phase's 1-minute load average at its start / the rest of the "
            "machine's CPU in its window, % of a core):", "",
            "| round | order | ffmpeg dec1 / auto ms/frame | lunora metrics / process-net ms/frame | "
            "ratio metrics/dec1 | ratio net/dec1 | (b)-(a) | (c)-(a) | (b)-(a) outside | (c)-(a) outside | "
            "load / rest of the machine |", "|---|---|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for rnd, r in zip(report["rounds"], s["per_round"]):
        sub = "".join(rnd.get("order_abc") or ["a"] + [{"ren2": "b", "pass": "c"}[x] for x in rnd.get("order_bc", [])])
        order = [f"lunora-rendition({sub})" if u == "lunora-rendition" else u for u in rnd["order"]]
        loads = ", ".join(f"{p['phase']} {(p.get('loadavg_start') or ['?'])[0]}/{fmt(p.get('others_cpu_pct'), 0)}"
                          for p in rnd["phases"])
        out.append(f"| {r['round']} | {' '.join(order)} | {fmt(r.get('ffmpeg_dec1_ms_per_frame'), 2)} / "
                   f"{fmt(r.get('ffmpeg_decauto_ms_per_frame'), 2)} | {fmt(r.get('lunora_metrics_ms_per_frame'), 2)} / "
                   f"{fmt(r.get('lunora_process_net_ms_per_frame'), 2)} | {fmt(r.get('ratio_metrics_over_dec1'), 3)} | "
                   f"{fmt(r.get('ratio_process_net_over_dec1'), 3)} | "
                   f"{fmt(r.get('second_rendition_destination_cpu_pct'), 3)} | "
                   f"{fmt(r.get('passthrough_destination_cpu_pct'), 3)} | "
                   f"{fmt(r.get('second_rendition_destination_outside_rendition_cpu_pct'), 3)} | "
                   f"{fmt(r.get('passthrough_destination_outside_rendition_cpu_pct'), 3)} | {loads} |")
    odd = []
    for name, p in s["phases"].items():
        if p["errors"]:
            odd.append(f"{name}: errors {p['errors']}")
        if any(x for x in p["preset_changes"]):
            odd.append(f"{name}: preset changes {p['preset_changes']}, presets {p['presets']}")
        if any(x for x in p["rendition_dropped_in_window"] if x):
            odd.append(f"{name}: rendition dropped packets in windows {p['rendition_dropped_in_window']}")
        if any(v for d in p["destination_dropped_in_window"] for v in (d or {}).values()):
            odd.append(f"{name}: destination drops {p['destination_dropped_in_window']}")
    if odd:
        out += ["", "Notable: " + "; ".join(odd)]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------------------------

def machine():
    m = fanout.machine()
    m["ffmpeg"] = m["ffmpeg"].split(" Copyright")[0]
    return m


def git_head():
    try:
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no", "src"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return head + ("+dirty-src" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=30, help="measurement window per phase (default 30)")
    ap.add_argument("--warmup", type=float, default=10, help="seconds after streaming starts before a window (10)")
    ap.add_argument("--settle", type=float, default=5,
                    help="seconds after a destination joins a running Lunora before its window (5)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds; every phase runs once per round (default 3)")
    ap.add_argument("--extra", type=int, default=1,
                    help="destinations (b) and (c) add: on the rendition, passthrough (default 1; more resolves the "
                         "cost per destination above the noise)")
    ap.add_argument("--x264-params", default="auto",
                    help="ffmpeg's -x264-params; auto (default): the string compiled into the lunora binary, so that "
                         "both encode alike (scenecut=0:open-gop=0 if none is found)")
    ap.add_argument("--poll", type=float, default=0.5, help="seconds between reads of Lunora's /metrics (0.5)")
    ap.add_argument("--input-seconds", type=int, default=30, help="length of the looped input file (30)")
    ap.add_argument("--bitrate", default="6M", help="video bitrate of the input (6M)")
    ap.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "lunora-bench"),
                    help="where the input is kept between runs (never committed)")
    ap.add_argument("--lunora", default=os.environ["LUNORA_BIN"], help="the lunora binary (LUNORA_BIN or "
                    "build/default/src/lunora)")
    ap.add_argument("--out", default=os.path.join(HERE, "results"), help="results directory")
    ap.add_argument("--label", default="", help="suffix for the results file name")
    ap.add_argument("--report", metavar="JSON", help="only print the report of a saved run")
    args = ap.parse_args()
    if args.report:
        with open(args.report) as f:
            report = json.load(f)
        report["summary"] = summarize(report)
        print(markdown(report))
        return 0
    if not os.access(args.lunora, os.X_OK):
        ap.error(f"no lunora binary at {args.lunora} (build it, or set LUNORA_BIN)")
    for tool in ("ffmpeg", "nginx"):
        if not fanout.shutil.which(tool):
            ap.error(f"{tool} is required")
    os.makedirs(args.cache, exist_ok=True)
    input_file = os.path.join(args.cache, f"input-1080p30-{args.bitrate}-{args.input_seconds}s.mp4")
    fanout.encode_input(input_file, args.input_seconds, args.bitrate)
    workdir = tempfile.mkdtemp(prefix="lunora-bench-renditions-")
    log(f"work directory {workdir}")
    # Every phase runs this copy: a rebuild of the binary during the run does not change what is measured.
    binary = os.path.join(workdir, "lunora")
    fanout.shutil.copy2(args.lunora, binary)
    with open(binary, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    serve_harness.LUNORA = binary
    if args.x264_params == "auto":
        args.x264_params = lunora_x264_params(binary) or "scenecut=0:open-gop=0"
    log(f"ffmpeg gets -x264-params {args.x264_params}")
    started = time.monotonic()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    report = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "machine": machine(), "git_head": git_head(),
              "lunora": {"path": os.path.abspath(args.lunora), "sha256": digest,
                         "mtime": datetime.datetime.fromtimestamp(os.path.getmtime(binary),
                                                                  datetime.timezone.utc).isoformat(timespec="seconds")},
              "config": {"seconds": args.seconds, "warmup": args.warmup, "settle": args.settle, "rounds": args.rounds,
                         "extra": args.extra, "x264_params": args.x264_params, "poll": args.poll,
                         "input": os.path.basename(input_file), "rendition": RENDITION,
                         "command": " ".join([os.path.relpath(sys.argv[0], ROOT)] + sys.argv[1:])},
              "rounds": []}
    sink = fanout.Nginx(workdir, "sink", fanout.free_port())
    log(f"sink nginx on 127.0.0.1:{sink.rtmp_port} (pid {sink.pid})")
    interrupted = False
    try:
        for i in range(args.rounds):
            round_no = i + 1
            order = list(UNITS[i % len(UNITS):] + UNITS[:i % len(UNITS)])
            # Within the Lunora process: a, b, c, then b, c, a, then c, a, b, ... (no sub-phase always first).
            order_abc = ["a", "b", "c"][i % 3:] + ["a", "b", "c"][:i % 3]
            rnd = {"round": round_no, "order": order, "order_abc": order_abc, "phases": []}
            report["rounds"].append(rnd)
            for unit in order:
                log(f"round {round_no}: {unit}")
                try:
                    if unit == "ffmpeg-dec1":
                        res = [run_ffmpeg_phase(args, sink, workdir, input_file, round_no, unit, 1)]
                    elif unit == "ffmpeg-decauto":
                        res = [run_ffmpeg_phase(args, sink, workdir, input_file, round_no, unit, None)]
                    elif unit == "lunora-pass":
                        res = run_lunora_pass(args, sink, workdir, input_file, round_no)
                    else:
                        res = run_lunora_unit(args, sink, workdir, input_file, round_no, order_abc)
                except Exception as e:  # noqa: BLE001 - record it and go on
                    log(f"round {round_no}: {unit} failed: {e!r}")
                    res = [{"phase": unit, "round": round_no, "error": repr(e)[:2000]}]
                for r in res:
                    brief = {k: r.get(k) for k in ("phase", "cpu_pct", "fps", "cpu_ms_per_frame",
                                                   "cpu_ms_per_frame_process", "cpu_ms_per_frame_metrics",
                                                   "outside_rendition_cpu_pct", "speed", "preset", "others_cpu_pct",
                                                   "loadavg_window_start", "error") if r.get(k) is not None}
                    log(json.dumps(brief))
                rnd["phases"].extend(res)
                time.sleep(2)
    except KeyboardInterrupt:
        interrupted = True
        log("interrupted: writing what was measured")
    finally:
        sink.stop()
    report["elapsed_s"] = round(time.monotonic() - started)
    report["summary"] = summarize(report)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, f"renditions-{stamp}{'-' + args.label if args.label else ''}.json")
    with open(path, "w") as f:
        json.dump(report, f, indent=1)
    print(markdown(report))
    log(f"results: {path}")
    fanout.shutil.rmtree(workdir, ignore_errors=True)
    return 1 if interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
