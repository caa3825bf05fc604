#!/usr/bin/env python3
"""HLS benchmark (issue 4): for one 1080p30 6 Mbit/s SRT input into `lunora serve`,
  1. latency from ingest to playlist: the time from the keyframe that closes a segment entering Lunora's SRT
     listener (written by this script into srt-live-transmit, paced by the file's DTS) to that segment being
     listed in the playlist (polled every 20 ms);
  2. the player's distance from the live edge: hls.js's `latency` in headless Chromium on /watch;
  3. the CPU of HLS packaging: lunora's CPU with HLS on minus HLS off, same input, alternating phases in one run.

Usage: bench/hls/bench_hls.py [--seconds 60] [--phase-seconds 20] [--rounds 2] [--no-player] [--out DIR]
Needs: a built lunora (LUNORA_BIN or build/default/src/lunora), ffmpeg/ffprobe, srt-live-transmit (srt-tools),
and for the player part the built web assets plus web/node_modules (make web) and Debian's chromium.
"""
import argparse
import json
import os
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
os.environ.setdefault("LUNORA_BIN", os.path.join(ROOT, "build", "default", "src", "lunora"))

from harness import wait_for  # noqa: E402
from hls_client import Playlist, get, path_of  # noqa: E402
from serve_harness import Serve  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def input_file(seconds):
    """1080p30 H.264 (GOP 60, 6 Mbit/s CBR) + AAC in MPEG-TS, encoded once into $TMPDIR/lunora-bench/."""
    folder = os.path.join(os.environ.get("TMPDIR", "/tmp"), "lunora-bench")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"hls-input-{seconds}s.ts")
    if not os.path.exists(path):
        print(f"encoding {path} (once)...", flush=True)
        subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
                        "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30", "-f", "lavfi",
                        "-i", "sine=frequency=1000:sample_rate=48000", "-t", str(seconds),
                        "-c:v", "libx264", "-preset", "veryfast", "-g", "60", "-keyint_min", "60",
                        "-sc_threshold", "0", "-bf", "2", "-pix_fmt", "yuv420p", "-b:v", "6M", "-minrate", "6M",
                        "-maxrate", "6M", "-bufsize", "6M", "-x264-params", "nal-hrd=cbr", "-c:a", "aac",
                        "-b:a", "128k", "-f", "mpegts", path + ".part"], check=True)
        os.rename(path + ".part", path)
    return path


def packet_schedule(path):
    """[(byte position, dts in s, video keyframe pts in 90 kHz ticks or None)] in file order."""
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "packet=pos,dts_time,pts,flags,codec_type",
                          "-show_entries", "stream=index,codec_type", "-of", "json", path],
                         capture_output=True, text=True, check=True)
    info = json.loads(out.stdout)
    kinds = {s["index"]: s["codec_type"] for s in info["streams"]}
    schedule = []
    for p in info["packets"]:
        if "pos" not in p or "dts_time" not in p:
            continue
        key = None
        if kinds.get(p.get("stream_index"), p.get("codec_type")) == "video" and "K" in p.get("flags", ""):
            key = int(p["pts"]) % (1 << 33)
        schedule.append((int(p["pos"]), float(p["dts_time"]), key))
    schedule.sort()
    return schedule


class PacedSender:
    """Writes the file into srt-live-transmit in real time (by DTS) and notes when each keyframe went in."""

    def __init__(self, path, schedule, srt_port, latency_ms):
        self.path = path
        self.schedule = schedule
        self.keyframe_sent = {}  # pts -> time.monotonic() when its bytes were handed to the SRT sender
        self.proc = subprocess.Popen(
            ["srt-live-transmit", "-q", "file://con",
             f"srt://127.0.0.1:{srt_port}?mode=caller&latency={latency_ms}"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.done = threading.Event()
        self.stopping = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        with open(self.path, "rb") as f:
            data = f.read()
        start = time.monotonic()
        dts0 = self.schedule[0][1]
        latest = dts0
        written = 0
        try:
            for pos, dts, key in self.schedule:
                if self.stopping:
                    break
                latest = max(latest, dts)
                delay = start + (latest - dts0) - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                if pos > written:
                    self.proc.stdin.write(data[written:pos])
                    self.proc.stdin.flush()
                    written = pos
                if key is not None:
                    self.keyframe_sent[key] = time.monotonic()
            if not self.stopping:
                self.proc.stdin.write(data[written:])
                self.proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass
        self.done.set()

    def stop(self, wait=True):
        self.stopping = True
        if wait:
            self.done.wait(timeout=5)
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        self.proc.terminate()
        self.proc.wait(timeout=10)


def first_video_pts(data):
    import tempfile
    with tempfile.NamedTemporaryFile(suffix=".ts") as f:
        f.write(data)
        f.flush()
        out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "packet=pts",
                              "-read_intervals", "%+#1", "-of", "csv=p=0", f.name], capture_output=True, text=True)
    lines = [x.strip(",") for x in out.stdout.split() if x.strip(",")]
    return int(lines[0]) % (1 << 33) if lines else None


def measure_latency(serve, channel, path, schedule, seconds, latency_ms):
    """Per segment: listed-in-playlist time minus the time the keyframe that ends it entered Lunora."""
    playlist_path = path_of(channel["hls"]["playlist_url"])
    serve.api("POST", f"/channels/{channel['id']}/start", expect=202)  # HLS on before the input arrives
    wait_for(lambda: serve.main_channel()["hls"]["status"] == "starting", 10, "HLS on")
    sender = PacedSender(path, schedule, serve.srt_port, latency_ms)
    listed = {}  # uri -> monotonic time first seen
    contents = {}  # uri -> segment bytes
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not sender.done.is_set():
        status, body, _ = get(serve.http_port, playlist_path)
        now = time.monotonic()
        if status == 200:
            for s in Playlist(body.decode()).segments:
                if s["uri"] not in listed:
                    listed[s["uri"]] = now
                    # Fetched now: it slides out of the window (6 segments) long before the run ends.
                    seg_status, data, _ = get(serve.http_port, f"/hls/{channel['id']}/{s['uri']}")
                    if seg_status == 200:
                        contents[s["uri"]] = data
        time.sleep(0.02)
    sender.stop()
    # Segment n ends where segment n+1 starts: at the keyframe with segment n+1's first PTS.
    ordered = sorted(listed.items(), key=lambda item: item[1])
    starts = {uri: first_video_pts(data) for uri, data in contents.items()}
    samples = []
    for (uri, seen), (next_uri, _) in zip(ordered, ordered[1:]):
        end_pts = starts.get(next_uri)
        if end_pts is not None and end_pts in sender.keyframe_sent:
            samples.append((seen - sender.keyframe_sent[end_pts]) * 1000)
    serve.api("POST", f"/channels/{channel['id']}/stop", expect=202)
    return sorted(samples), len(ordered)


def player_distance(serve, channel, path, schedule, latency_ms, seconds):
    script = os.path.join(ROOT, "tests", "browser", "play_watch.mjs")
    sender = PacedSender(path, schedule, serve.srt_port, latency_ms)
    try:
        out = subprocess.run(["node", script, "--url", channel["playback_url"], "--seconds", str(seconds),
                              "--timeout", str(seconds + 40)], capture_output=True, text=True, timeout=seconds + 90)
    finally:
        sender.stop()
    line = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else "{}"
    return json.loads(line)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def thread_cpu_seconds(pid, name):
    """CPU seconds of the process's threads called `name` (the HLS packager is "lunora-hls")."""
    total = 0.0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                if f.read().strip() != name:
                    continue
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        except FileNotFoundError:
            continue
    return total


def measure_cpu(serve, channel, path, schedule, latency_ms, phase_seconds, rounds):
    """Alternates HLS off / on under the same input; returns per-phase CPU % of one core."""
    phases = []
    sender = None
    try:
        for _ in range(rounds):
            for hls_on in (False, True):
                # Every phase on a fresh pass of the file, so that none runs out of input.
                if sender:
                    sender.stop(wait=False)
                    wait_for(lambda: not serve.main_channel()["input"]["connected"], 10, "input down")
                sender = PacedSender(path, schedule, serve.srt_port, latency_ms)
                wait_for(lambda: serve.main_channel()["input"]["connected"], 10, "input connected")
                serve.api("POST", f"/channels/{channel['id']}/{'start' if hls_on else 'stop'}", expect=202)
                want = "live" if hls_on else "off"
                # Off waits out the viewers' linger (10 s) of the earlier parts.
                wait_for(lambda: serve.main_channel()["hls"]["status"] == want, 45, f"HLS {want}")
                time.sleep(2)  # settle
                pid = serve.proc.pid
                c0, p0, t0 = cpu_seconds(pid), thread_cpu_seconds(pid, "lunora-hls"), time.monotonic()
                time.sleep(phase_seconds)
                c1, p1, t1 = cpu_seconds(pid), thread_cpu_seconds(pid, "lunora-hls"), time.monotonic()
                phases.append({"hls": hls_on, "cpu_percent": 100 * (c1 - c0) / (t1 - t0),
                               "packager_thread_percent": 100 * (p1 - p0) / (t1 - t0),
                               "input_ended_early": sender.done.is_set()})
    finally:
        if sender:
            sender.stop()
        serve.api("POST", f"/channels/{channel['id']}/stop", expect=202)
    return phases


def percentile(values, q):
    if not values:
        return None
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=60, help="length of the input file and of the latency run")
    ap.add_argument("--phase-seconds", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--player-seconds", type=int, default=20)
    ap.add_argument("--srt-latency-ms", type=int, default=120)
    ap.add_argument("--no-player", action="store_true")
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    path = input_file(args.seconds)
    schedule = packet_schedule(path)
    serve = Serve()
    try:
        channel = serve.main_channel()
        # HLS goes off as soon as the channel stops and nobody watches (the CPU phases toggle it).
        serve.api("PATCH", f"/channels/{channel['id']}", {"auto_stop_after_s": 0}, expect=200)
        if args.srt_latency_ms != channel["input"]["latency_ms"]:
            serve.api("PATCH", f"/channels/{channel['id']}", {"input": {"latency_ms": args.srt_latency_ms}},
                      expect=200)
            channel = serve.main_channel()
        result = {"input": "1080p30 H.264 6 Mbit/s GOP 2 s + AAC, SRT", "srt_latency_ms": args.srt_latency_ms,
                  "nproc": os.cpu_count()}

        samples, segments = measure_latency(serve, channel, path, schedule, args.seconds, args.srt_latency_ms)
        result["latency_ms"] = {"segments": segments, "samples": len(samples),
                                "p50": percentile(samples, 0.5), "p90": percentile(samples, 0.9),
                                "max": samples[-1] if samples else None}
        print(f"ingest -> listed: {result['latency_ms']}", flush=True)

        if not args.no_player:
            result["player"] = player_distance(serve, channel, path, schedule, args.srt_latency_ms,
                                               args.player_seconds)
            print(f"player: {result['player']}", flush=True)
            serve.api("POST", f"/channels/{channel['id']}/stop", expect=202)

        phases = measure_cpu(serve, channel, path, schedule, args.srt_latency_ms, args.phase_seconds, args.rounds)
        off = [p["cpu_percent"] for p in phases if not p["hls"]]
        on = [p["cpu_percent"] for p in phases if p["hls"]]
        result["cpu"] = {"phases": phases, "hls_off_percent": sum(off) / len(off),
                         "hls_on_percent": sum(on) / len(on),
                         "packaging_percent": sum(on) / len(on) - sum(off) / len(off),
                         "packager_thread_percent": sum(p["packager_thread_percent"] for p in phases if p["hls"])
                         / len(on),
                         "on_over_off": (sum(on) / len(on)) / max(sum(off) / len(off), 1e-9)}
        print(f"cpu: {json.dumps({k: v for k, v in result['cpu'].items() if k != 'phases'})}", flush=True)
    finally:
        serve.cleanup()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    out = os.path.join(args.out, f"hls-{stamp}.json")
    with open(out, "w") as f:
        json.dump(result, f, indent=2)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
