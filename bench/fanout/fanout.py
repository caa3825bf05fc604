#!/usr/bin/env python3
"""Fan-out benchmark: one live 1080p30 ~6 Mbit/s H.264/AAC input restreamed to N RTMP destinations on loopback.

Systems under test (same input file, same sink, same run):
  lunora  `lunora relay --input srt://...?mode=listener --output rtmp://SINK/live/... x N`
  nginx   a second nginx-rtmp whose application has N `push rtmp://SINK/live/...;` lines (fed over RTMP)
  ffmpeg  N processes `ffmpeg -i rtmp://ORIGIN/live/src -c copy -f flv rtmp://SINK/live/...`

The sink is one nginx-rtmp (not measured). The relay side is measured from /proc: CPU from utime+stime over
the window, VmRSS and Pss (smaps_rollup) at the end of the window. See bench/README.md.

Standard library only. Every process this script starts is ended by its PID.
"""
import argparse
import datetime
import json
import os
import platform
import queue
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
NGINX_MODULES = "/usr/lib/nginx/modules"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
SYSTEMS = ("lunora", "lunora-rtmp", "nginx", "ffmpeg")


def log(msg):
    sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {msg}\n")
    sys.stderr.flush()


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_for(predicate, timeout, interval=0.2):
    """The predicate's first truthy value, or None at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def stop_pid(proc, sig=signal.SIGTERM, timeout=10):
    """Ends one child we started, by its PID (Popen.send_signal/kill target that PID only)."""
    if proc is None or proc.poll() is not None:
        return proc.returncode if proc else None
    try:
        proc.send_signal(sig)
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return proc.returncode


# ---------------------------------------------------------------------------------------------------------------
# /proc sampling

def cpu_ticks(pid):
    """utime + stime of the whole process (all threads), in clock ticks."""
    with open(f"/proc/{pid}/stat") as f:
        data = f.read()
    fields = data[data.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])  # fields 14 and 15 of stat(5)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def pss_kib(pid):
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


def strace_counts(pid, seconds, path):
    """Syscall counts of one process (all threads) over `seconds`, from `strace -c -f -p PID`.
    Run after the measurement window: tracing slows the process down."""
    tracer = subprocess.Popen(["strace", "-c", "-f", "-q", "-o", path, "-p", str(pid)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(seconds)
    stop_pid(tracer, signal.SIGINT, timeout=15)
    counts = {}
    try:
        with open(path) as f:
            for line in f:
                parts = line.split()
                # % time, seconds, usecs/call, calls, [errors], syscall
                if len(parts) >= 5 and parts[0].replace(".", "").isdigit() and parts[-1] != "total":
                    counts[parts[-1]] = int(parts[3])
    except OSError:
        pass
    return {k: round(v / seconds, 1) for k, v in sorted(counts.items(), key=lambda kv: -kv[1])[:8]}


def sum_over(pids, fn):
    total = 0
    for pid in pids:
        try:
            total += fn(pid)
        except (FileNotFoundError, ProcessLookupError, ValueError):
            pass
    return total


# ---------------------------------------------------------------------------------------------------------------
# nginx-rtmp (sink, relay under test, origin for the ffmpeg baseline)

class Nginx:
    def __init__(self, workdir, name, rtmp_port, pushes=(), worker_connections=8192):
        self.dir = os.path.join(workdir, name)
        os.makedirs(os.path.join(self.dir, "logs"), exist_ok=True)
        os.makedirs(os.path.join(self.dir, "tmp"), exist_ok=True)
        self.name = name
        self.rtmp_port = rtmp_port
        self.http_port = free_port()
        push_lines = "".join(f"      push {p};\n" for p in pushes)
        conf = f"""load_module {NGINX_MODULES}/ngx_rtmp_module.so;
daemon off;
master_process off;
worker_processes 1;
worker_rlimit_nofile 20000;
error_log {self.dir}/logs/error.log warn;
pid {self.dir}/nginx.pid;
events {{ worker_connections {worker_connections}; }}
rtmp {{
  server {{
    listen 127.0.0.1:{rtmp_port};
    chunk_size 4096;
    application live {{
      live on;
{push_lines}    }}
  }}
}}
http {{
  access_log off;
  client_body_temp_path {self.dir}/tmp;
  proxy_temp_path {self.dir}/tmp;
  fastcgi_temp_path {self.dir}/tmp;
  uwsgi_temp_path {self.dir}/tmp;
  scgi_temp_path {self.dir}/tmp;
  server {{
    listen 127.0.0.1:{self.http_port};
    location /stat {{ rtmp_stat all; }}
  }}
}}
"""
        self.conf = os.path.join(self.dir, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        self.proc = subprocess.Popen(["nginx", "-p", self.dir, "-c", self.conf], stdout=subprocess.DEVNULL,
                                     stderr=open(os.path.join(self.dir, "logs", "stderr.log"), "w"),
                                     start_new_session=True)
        if not wait_for(lambda: listening(rtmp_port) or self.proc.poll() is not None, 10) or \
                self.proc.poll() is not None:
            raise RuntimeError(f"nginx {name} did not start: see {self.dir}/logs")

    @property
    def pid(self):
        return self.proc.pid  # master_process off: this one process does all the work

    def stat(self):
        """{stream name: (bytes_in, has_publisher)}."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/stat", timeout=10) as r:
            root = ET.fromstring(r.read())
        streams = {}
        for s in root.iter("stream"):
            publishing = any(c.find("publishing") is not None for c in s.iter("client"))
            streams[s.findtext("name")] = (int(s.findtext("bytes_in") or 0), publishing)
        return streams

    def stop(self):
        stop_pid(self.proc, signal.SIGTERM)


# ---------------------------------------------------------------------------------------------------------------
# Input

def encode_input(path, seconds, bitrate):
    """Pre-encodes the input once: 1080p30 H.264 (x264, GOP 60, CBR with nal-hrd=cbr) + AAC 128k stereo."""
    if os.path.exists(path):
        log(f"input: reusing {path}")
        return
    log(f"input: encoding {seconds}s of 1080p30 {bitrate} H.264/AAC into {path} (once)")
    tmp = path + ".part.mp4"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30",
                    "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000",
                    "-t", str(seconds), "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high",
                    "-pix_fmt", "yuv420p", "-g", "60", "-keyint_min", "60", "-sc_threshold", "0", "-bf", "2",
                    "-b:v", bitrate, "-minrate", bitrate, "-maxrate", bitrate, "-bufsize", bitrate,
                    "-x264-params", "nal-hrd=cbr", "-c:a", "aac", "-b:a", "128k", "-ac", "2",
                    "-movflags", "+faststart", tmp], check=True)
    os.rename(tmp, path)


def feeder(input_file, fmt, url, logpath):
    """Plays the pre-encoded file in a loop in real time, without re-encoding."""
    args = ["ffmpeg", "-hide_banner", "-loglevel", "warning", "-nostdin", "-re", "-stream_loop", "-1",
            "-i", input_file, "-c", "copy", "-f", fmt, url]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=open(logpath, "w"), start_new_session=True)


# ---------------------------------------------------------------------------------------------------------------
# lunora

class Lunora:
    def __init__(self, binary, input_url, outputs, logdir, tag, commands=False):
        args = [binary, "relay", "--input", input_url, "--stats"]
        for o in outputs:
            args += ["--output", o]
        if commands:
            args.append("--commands")
        self.stderr_path = os.path.join(logdir, f"lunora-{tag}.stderr.log")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=open(self.stderr_path, "w"),
                                     stdin=subprocess.PIPE if commands else subprocess.DEVNULL, text=True,
                                     start_new_session=True)
        self.lock = threading.Lock()
        self.last_stats = None
        self.events = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.proc.stdout:
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                continue
            if "event" in obj:
                self.events.put((time.monotonic(), obj))
            else:
                with self.lock:
                    self.last_stats = obj

    @property
    def pid(self):
        return self.proc.pid

    def stats(self):
        with self.lock:
            return self.last_stats

    def send(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def wait_event(self, name, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                t, e = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if e.get("event") == name:
                return t, e
            if e.get("event") == "error":
                log(f"lunora command error: {e}")
        return None, None

    def stderr_tail(self, lines=30):
        try:
            with open(self.stderr_path) as f:
                return f.readlines()[-lines:]
        except OSError:
            return []

    def stop(self):
        code = stop_pid(self.proc, signal.SIGINT, timeout=30)
        return code


def summarize_lunora(stats):
    if not stats:
        return {}
    outs = stats.get("outputs", [])
    states = {}
    for o in outs:
        states[o.get("state")] = states.get(o.get("state"), 0) + 1
    return {"dropped_packets": sum(o.get("dropped_packets", 0) for o in outs),
            "reconnects": sum(o.get("reconnects", 0) for o in outs),
            "states": states,
            "input_kbps": stats.get("input", {}).get("bitrate_kbps"),
            "errors": sorted({o.get("last_error_code") for o in outs if o.get("last_error_code")})}


# ---------------------------------------------------------------------------------------------------------------
# One (system, N) point

class Point:
    def __init__(self, args, sink, workdir, system, n, input_file):
        self.args, self.sink, self.workdir, self.system, self.n = args, sink, workdir, system, n
        self.input_file = input_file
        self.prefix = f"{system}-{n}-{int(time.time())}-"
        self.names = [f"{self.prefix}{i}" for i in range(n)]
        self.procs = []        # everything we started for this point, stopped in reverse order
        self.measured = []     # PIDs whose CPU and memory are the relay side
        self.lunora = None
        self.logdir = os.path.join(workdir, "logs")
        os.makedirs(self.logdir, exist_ok=True)

    def sink_url(self, name):
        return f"rtmp://127.0.0.1:{self.sink.rtmp_port}/live/{name}"

    def start(self):
        tag = f"{self.system}-{self.n}"
        if self.system == "lunora":
            port = free_port(socket.SOCK_DGRAM)
            self.lunora = Lunora(self.args.lunora, f"srt://127.0.0.1:{port}?mode=listener",
                                 [self.sink_url(x) for x in self.names], self.logdir, tag)
            self.procs.append(self.lunora)
            self.measured = [self.lunora.pid]
            time.sleep(0.5)
            if self.lunora.proc.poll() is not None:
                raise RuntimeError(f"lunora exited: {''.join(self.lunora.stderr_tail())}")
            self.procs.append(feeder(self.input_file, "mpegts", f"srt://127.0.0.1:{port}?pkt_size=1316",
                                     os.path.join(self.logdir, f"feeder-{tag}.log")))
        elif self.system == "lunora-rtmp":
            # The same relay with an RTMP input (what OBS sends), fed like the nginx relay: -f flv.
            port = free_port()
            url = f"rtmp://127.0.0.1:{port}/live/src"
            self.lunora = Lunora(self.args.lunora, url, [self.sink_url(x) for x in self.names], self.logdir, tag)
            self.procs.append(self.lunora)
            self.measured = [self.lunora.pid]
            if not wait_for(lambda: listening(port) or self.lunora.proc.poll() is not None, 10) or \
                    self.lunora.proc.poll() is not None:
                raise RuntimeError(f"lunora exited: {''.join(self.lunora.stderr_tail())}")
            self.procs.append(feeder(self.input_file, "flv", url, os.path.join(self.logdir, f"feeder-{tag}.log")))
        elif self.system == "nginx":
            relay = Nginx(self.workdir, f"nginx-relay-{self.n}", free_port(),
                          pushes=[self.sink_url(x) for x in self.names])
            self.procs.append(relay)
            self.measured = [relay.pid]
            self.procs.append(feeder(self.input_file, "flv", f"rtmp://127.0.0.1:{relay.rtmp_port}/live/src",
                                     os.path.join(self.logdir, f"feeder-{tag}.log")))
        elif self.system == "ffmpeg":
            origin = Nginx(self.workdir, f"origin-{self.n}", free_port())
            self.procs.append(origin)
            self.procs.append(feeder(self.input_file, "flv", f"rtmp://127.0.0.1:{origin.rtmp_port}/live/src",
                                     os.path.join(self.logdir, f"feeder-{tag}.log")))
            src = f"rtmp://127.0.0.1:{origin.rtmp_port}/live/src"
            wait_for(lambda: origin.stat().get("src", (0, False))[1], 15)
            errlog = open(os.path.join(self.logdir, f"ffmpeg-{tag}.log"), "w")
            for name in self.names:
                p = subprocess.Popen(["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-i", src,
                                      "-c", "copy", "-f", "flv", self.sink_url(name)],
                                     stdout=subprocess.DEVNULL, stderr=errlog, start_new_session=True)
                self.procs.append(p)
                self.measured.append(p.pid)
        self.t_start = time.monotonic()

    def stop(self):
        for p in reversed(self.procs):
            if isinstance(p, (Nginx, Lunora)):
                p.stop()
            else:
                stop_pid(p, signal.SIGTERM)

    def sink_streams(self):
        try:
            st = self.sink.stat()
        except OSError:
            return {}
        return {k: v for k, v in st.items() if k.startswith(self.prefix)}

    def wait_all_live(self, timeout):
        """Waits until all N sink streams have a publisher and growing bytes_in; returns seconds taken."""
        prev = {}
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            cur = self.sink_streams()
            growing = sum(1 for k, (b, pub) in cur.items() if pub and b > prev.get(k, (1 << 62, 0))[0])
            if growing >= self.n:
                return time.monotonic() - self.t_start
            prev = cur
            time.sleep(1.0)
        return None

    def measure(self, seconds):
        res = {"system": self.system, "n": self.n, "window_s": seconds}
        live_wait = self.wait_all_live(self.args.live_timeout + (60 if self.system == "ffmpeg" else 0) +
                                       self.n * 0.1)
        res["seconds_to_all_live"] = None if live_wait is None else round(live_wait, 1)
        time.sleep(self.args.warmup)
        pids = [p for p in self.measured if os.path.exists(f"/proc/{p}")]
        lun0 = summarize_lunora(self.lunora.stats()) if self.lunora else None
        snaps = [self.sink_streams()]
        sink_t0 = cpu_ticks(self.sink.pid)
        t0 = time.monotonic()
        c0 = sum_over(pids, cpu_ticks)
        interval = max(1.0, seconds / 6)
        while time.monotonic() - t0 < seconds - 0.05:
            time.sleep(min(interval, seconds - (time.monotonic() - t0)))
            snaps.append(self.sink_streams())
        c1 = sum_over(pids, cpu_ticks)
        t1 = time.monotonic()
        res["cpu_pct"] = round(100.0 * (c1 - c0) / CLK_TCK / (t1 - t0), 3)
        res["rss_kib"] = sum_over(pids, rss_kib)
        res["pss_kib"] = sum_over(pids, pss_kib)
        res["processes"] = len(pids)
        res["sink_cpu_pct"] = round(100.0 * (cpu_ticks(self.sink.pid) - sink_t0) / CLK_TCK / (t1 - t0), 1)
        # Live: has a publisher at the end and bytes_in grew in every sampling interval of the window.
        live = 0
        for name in self.names:
            ok = all(name in s for s in snaps) and snaps[-1][name][1]
            if ok:
                ok = all(b[name][0] > a[name][0] for a, b in zip(snaps, snaps[1:]))
            live += ok
        res["live"] = live
        total_bytes = sum(snaps[-1].get(n, (0, 0))[0] - snaps[0].get(n, (0, 0))[0] for n in self.names)
        res["sink_mbit_s_per_dest"] = round(total_bytes * 8 / (t1 - t0) / 1e6 / max(1, self.n), 2)
        res["loadavg"] = os.getloadavg()[0]
        if self.args.strace_seconds > 0 and len(pids) == 1 and shutil.which("strace"):
            res["syscalls_per_s"] = strace_counts(pids[0], self.args.strace_seconds,
                                                  os.path.join(self.logdir, f"strace-{self.system}-{self.n}.txt"))
        if self.lunora:
            lun1 = summarize_lunora(self.lunora.stats())
            res["lunora"] = lun1
            res["dropped_in_window"] = (lun1.get("dropped_packets", 0) - lun0.get("dropped_packets", 0)) \
                if lun0 else None
            if self.lunora.proc.poll() is not None:
                res["lunora_exit"] = self.lunora.proc.returncode
        return res


# ---------------------------------------------------------------------------------------------------------------
# Join latency: a transparent TCP tap in front of the sink that parses the client->server RTMP chunk stream

class RtmpTap:
    """Forwards 127.0.0.1:port -> sink. For each connection, records (time.monotonic()) when it was accepted,
    when the client's `publish` command arrived, and when the first byte of the first audio/video message
    (RTMP message type 8 or 9) arrived from the client, plus whether the first video message was a keyframe."""

    def __init__(self, sink_port):
        self.sink_port = sink_port
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.conns = queue.Queue()
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            rec = {"accepted": time.monotonic(), "publish": None, "first_media": None, "first_video": None,
                   "first_video_keyframe": None, "first_media_type": None}
            c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                u = socket.create_connection(("127.0.0.1", self.sink_port))
                u.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                c.close()
                continue
            self.conns.put(rec)
            threading.Thread(target=self._up, args=(c, u, rec), daemon=True).start()
            threading.Thread(target=self._down, args=(u, c, rec), daemon=True).start()

    @staticmethod
    def _down(u, c, rec):
        down = rec.setdefault("down", [])  # (arrival time, bytes) of the sink's first replies
        try:
            while True:
                d = u.recv(65536)
                if not d:
                    break
                if len(down) < 12:
                    down.append((time.monotonic(), len(d)))
                c.sendall(d)
        except OSError:
            pass
        for s in (c, u):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _up(self, c, u, rec):
        parser = ChunkParser(rec)
        try:
            while True:
                d = c.recv(65536)
                if not d:
                    break
                now = time.monotonic()
                if parser is not None:
                    parser.feed(d, now)
                    if rec.get("first_video_frame") is not None:
                        parser = None
                u.sendall(d)
        except OSError:
            pass
        for s in (c, u):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        self.closed = True
        self.sock.close()


class ChunkParser:
    """Just enough of the RTMP chunk stream (client -> server) to find message starts and their types."""
    HANDSHAKE = 1 + 1536 + 1536  # C0, C1, C2

    def __init__(self, rec):
        self.rec = rec
        self.buf = bytearray()
        self.base = 0             # absolute stream offset of buf[0]
        self.marks = []           # (absolute end offset of a recv, its arrival time)
        self.chunk_size = 128
        self.cs = {}              # csid -> dict(len, type, remaining, ext)
        self.skipped = 0

    def _time_at(self, offset):
        for end, t in self.marks:
            if offset < end:
                return t
        return self.marks[-1][1]

    def feed(self, data, now):
        self.buf += data
        self.marks.append((self.base + len(self.buf), now))
        if self.skipped < self.HANDSHAKE:
            n = min(self.HANDSHAKE - self.skipped, len(self.buf))
            del self.buf[:n]
            self.base += n
            self.skipped += n
        while self.buf and self._one_chunk():
            pass
        self.marks = [m for m in self.marks if m[0] > self.base] or self.marks[-1:]

    def _one_chunk(self):
        b = self.buf
        if len(b) < 1:
            return False
        fmt, csid, pos = b[0] >> 6, b[0] & 0x3F, 1
        if csid == 0:
            if len(b) < 2:
                return False
            csid, pos = 64 + b[1], 2
        elif csid == 1:
            if len(b) < 3:
                return False
            csid, pos = 64 + b[1] + b[2] * 256, 3
        st = self.cs.setdefault(csid, {"len": 0, "type": 0, "remaining": 0, "ext": False})
        hdr = (11, 7, 3, 0)[fmt]
        if len(b) < pos + hdr:
            return False
        ts = int.from_bytes(b[pos:pos + 3], "big") if fmt < 3 else None
        new = dict(st)
        if fmt <= 1:
            new["len"] = int.from_bytes(b[pos + 3:pos + 6], "big")
            new["type"] = b[pos + 6]
        pos += hdr
        ext = (ts == 0xFFFFFF) if fmt < 3 else st["ext"]
        if ext:
            pos += 4
            if len(b) < pos:
                return False
        new["ext"] = ext
        starts = fmt < 3 or st["remaining"] == 0
        remaining = new["len"] if starts else st["remaining"]
        size = min(self.chunk_size, remaining)
        if len(b) < pos + size:
            return False
        payload = bytes(b[pos:pos + size])
        if starts:
            t = self._time_at(self.base)
            mtype = new["type"]
            if mtype == 1 and size >= 4:
                self.chunk_size = int.from_bytes(payload[:4], "big") & 0x7FFFFFFF
            elif mtype == 20:
                # AMF0 command name: 0x02, u16 length, the name.
                if len(payload) >= 3 and payload[0] == 2:
                    name = payload[3:3 + int.from_bytes(payload[1:3], "big")].decode("latin-1")
                    self.rec.setdefault("commands", {}).setdefault(name, t)
                    if name == "publish" and self.rec["publish"] is None:
                        self.rec["publish"] = t
            elif mtype in (8, 9):
                if self.rec["first_media"] is None:
                    self.rec["first_media"] = t
                    self.rec["first_media_type"] = "video" if mtype == 9 else "audio"
                if mtype == 9 and self.rec["first_video"] is None:
                    self.rec["first_video"] = t
                    self.rec["first_video_keyframe"] = bool(payload) and (payload[0] >> 4) == 1
                # A coded frame, not a sequence header: AVCPacketType / AACPacketType 1 (FLV codec ids 7, 10).
                is_frame = len(payload) >= 2 and payload[1] == 1 and \
                    ((mtype == 9 and payload[0] & 0x0F == 7) or (mtype == 8 and payload[0] >> 4 == 10))
                if is_frame and self.rec.get("first_frame") is None:
                    self.rec["first_frame"] = t
                    self.rec["first_frame_type"] = "video" if mtype == 9 else "audio"
                if is_frame and mtype == 9 and self.rec.get("first_video_frame") is None:
                    self.rec["first_video_frame"] = t
                    self.rec["first_video_frame_keyframe"] = (payload[0] >> 4) == 1
        new["remaining"] = remaining - size
        self.cs[csid] = new
        del b[:pos + size]
        self.base += pos + size
        return True


def pct(values, p):
    s = sorted(values)
    if not s:
        return None
    k = (len(s) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def join_latency(args, sink, workdir, input_file):
    log(f"join latency: hub of {args.join_hub} outputs, {args.joins} joins through an RTMP tap")
    tap = RtmpTap(sink.rtmp_port)
    logdir = os.path.join(workdir, "logs")
    os.makedirs(logdir, exist_ok=True)
    port = free_port(socket.SOCK_DGRAM)
    prefix = f"join-{int(time.time())}-"
    lun = Lunora(args.lunora, f"srt://127.0.0.1:{port}?mode=listener",
                 [f"rtmp://127.0.0.1:{sink.rtmp_port}/live/{prefix}hub{i}" for i in range(args.join_hub)],
                 logdir, "join", commands=True)
    feed = feeder(input_file, "mpegts", f"srt://127.0.0.1:{port}?pkt_size=1316", os.path.join(logdir, "feeder-join.log"))
    samples = []
    try:
        ok = wait_for(lambda: (lun.stats() or {}).get("outputs") and
                      all(o["state"] == "live" for o in lun.stats()["outputs"]) and
                      lun.stats()["outputs"][0]["packets"] > 100, 30)
        if not ok:
            log("join latency: the hub did not go live")
        time.sleep(2)
        for k in range(args.joins):
            time.sleep(random.uniform(0.3, 2.3))  # lands the join at a random point of the 2 s GOP
            t_add = time.monotonic()
            lun.send(f"add rtmp://127.0.0.1:{tap.port}/live/{prefix}{k}")
            t_evt, evt = lun.wait_event("output_added", 10)
            try:
                rec = tap.conns.get(timeout=10)
            except queue.Empty:
                log(f"join {k}: no connection reached the tap")
                samples.append({"add_to_added_event_ms": None, "error": "no connection"})
                continue
            wait_for(lambda: rec.get("first_video_frame") is not None, 10, 0.01)
            ms = lambda t: None if t is None else round((t - t_add) * 1000, 1)
            s = {"add_to_added_event_ms": ms(t_evt), "add_to_connect_ms": ms(rec["accepted"]),
                 "add_to_publish_ms": ms(rec["publish"]), "add_to_first_media_ms": ms(rec["first_media"]),
                 "first_media_type": rec["first_media_type"], "add_to_first_video_ms": ms(rec["first_video"]),
                 "first_video_keyframe": rec["first_video_keyframe"],
                 "add_to_first_frame_ms": ms(rec.get("first_frame")), "first_frame_type": rec.get("first_frame_type"),
                 "add_to_first_video_frame_ms": ms(rec.get("first_video_frame")),
                 "first_video_frame_keyframe": rec.get("first_video_frame_keyframe"),
                 "commands_ms": {k: ms(v) for k, v in rec.get("commands", {}).items()},
                 "sink_replies_ms": [(ms(t), n) for t, n in list(rec.get("down", []))[:8]]}
            samples.append(s)
            log(f"join {k}: {s}")
            if evt:
                lun.send(f"remove {evt['id']}")
                lun.wait_event("output_removed", 10)
        stats = summarize_lunora(lun.stats())
    finally:
        stop_pid(feed)
        code = lun.stop()
        tap.close()
    out = {"hub_outputs": args.join_hub, "joins": len(samples), "samples": samples, "lunora_exit": code,
           "hub_stats_at_end": stats}
    summarize_joins(out)
    return out


def summarize_joins(out):
    samples = out["samples"]
    for s in samples:
        # Lunora's own share: from the sink's last reply before the first media (the end of the publish
        # exchange) to the first media bytes.
        media = s.get("add_to_first_media_ms")
        before = [t for t, _ in s.get("sink_replies_ms", []) if media is not None and t is not None and t <= media]
        s["sink_last_reply_to_first_media_ms"] = round(media - before[-1], 1) if before else None
    for key in ("add_to_added_event_ms", "add_to_connect_ms", "add_to_publish_ms", "add_to_first_media_ms",
                "add_to_first_video_ms", "add_to_first_frame_ms", "add_to_first_video_frame_ms",
                "sink_last_reply_to_first_media_ms"):
        vals = [s[key] for s in samples if s.get(key) is not None]
        out[key] = {"median": round(statistics.median(vals), 1) if vals else None,
                    "p90": round(pct(vals, 90), 1) if vals else None, "n": len(vals)}


# ---------------------------------------------------------------------------------------------------------------
# Fits and report

def fit(points, key):
    """Least-squares slope and intercept of key over n."""
    xs = [p["n"] for p in points]
    ys = [p[key] for p in points]
    if len(xs) < 2:
        return None, None
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None, None
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return slope, my - slope * mx


def per_destination(results):
    out = {}
    for system in SYSTEMS:
        pts = sorted((p for p in results if p["system"] == system and "cpu_pct" in p), key=lambda p: p["n"])
        if len(pts) < 2:
            continue
        d = {"counts": [p["n"] for p in pts]}
        for key, name in (("cpu_pct", "cpu_pct"), ("rss_kib", "rss_kib"), ("pss_kib", "pss_kib")):
            slope, icept = fit(pts, key)
            d[f"{name}_per_dest_fit"] = round(slope, 4 if key == "cpu_pct" else 1)
            d[f"{name}_intercept_fit"] = round(icept, 3 if key == "cpu_pct" else 1)
            lo, hi = pts[0], pts[-1]
            d[f"{name}_per_dest_ends"] = round((hi[key] - lo[key]) / (hi["n"] - lo["n"]), 4 if key == "cpu_pct" else 1)
        out[system] = d
    if "lunora" in out and "nginx" in out and out["nginx"]["cpu_pct_per_dest_fit"] > 0:
        out["ratio_lunora_over_nginx_cpu_per_dest"] = round(
            out["lunora"]["cpu_pct_per_dest_fit"] / out["nginx"]["cpu_pct_per_dest_fit"], 2)
    if "lunora-rtmp" in out and "nginx" in out and out["nginx"]["cpu_pct_per_dest_fit"] > 0:
        out["ratio_lunora_rtmp_over_nginx_cpu_per_dest"] = round(
            out["lunora-rtmp"]["cpu_pct_per_dest_fit"] / out["nginx"]["cpu_pct_per_dest_fit"], 2)
    return out


def markdown(report):
    lines = []
    lines.append(f"Run {report['date']} ({report['label']}): window {report['config']['seconds']} s per point, "
                 f"counts {report['config']['counts']}, machine: {report['machine']['cpu']} x "
                 f"{report['machine']['nproc']}, {report['machine']['mem_gib']} GiB, kernel "
                 f"{report['machine']['kernel']}.")
    lines.append("")
    lines.append("| system | N | CPU % of one core | RSS MiB | PSS MiB | live/N | procs | sink CPU % | notes |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    rows = list(report["points"]) + [dict(s, skipped=True) for s in report.get("skipped", [])]
    rows.sort(key=lambda p: (p["n"], SYSTEMS.index(p["system"]) if p["system"] in SYSTEMS else 99))
    for p in rows:
        if p.get("skipped"):
            lines.append(f"| {p['system']} | {p['n']} | - | - | - | - | - | - | skipped: {p['reason']} |")
            continue
        if "cpu_pct" not in p:
            lines.append(f"| {p['system']} | {p['n']} | - | - | - | - | - | - | {p.get('error', '')} |")
            continue
        notes = []
        if p["system"].startswith("lunora") and "lunora" in p:
            notes.append(f"dropped {p['lunora'].get('dropped_packets')} (window {p.get('dropped_in_window')})")
            notes.append(f"states {p['lunora'].get('states')}")
            if p["lunora"].get("errors"):
                notes.append(f"errors {p['lunora']['errors']}")
        if p.get("syscalls_per_s"):
            top = ", ".join(f"{k} {v:g}" for k, v in list(p["syscalls_per_s"].items())[:4])
            notes.append(f"syscalls/s (strace): {top}")
        if p.get("seconds_to_all_live") is None:
            notes.append("not all live before the window")
        lines.append(f"| {p['system']} | {p['n']} | {p['cpu_pct']:.2f} | {p['rss_kib'] / 1024:.1f} | "
                     f"{p['pss_kib'] / 1024:.1f} | {p['live']}/{p['n']} | {p['processes']} | "
                     f"{p['sink_cpu_pct']} | {'; '.join(notes)} |")
    pd = report.get("per_destination", {})
    if pd:
        lines.append("")
        lines.append("Per added destination (least-squares slope over the counts measured; in brackets the "
                     "difference between the smallest and largest N):")
        lines.append("")
        lines.append("| system | counts | CPU % of a core / dest | RSS KiB / dest | PSS KiB / dest | "
                     "fixed CPU % (intercept) | fixed PSS MiB (intercept) |")
        lines.append("|---|---|---:|---:|---:|---:|---:|")
        for system in SYSTEMS:
            if system not in pd:
                continue
            d = pd[system]
            lines.append(f"| {system} | {','.join(map(str, d['counts']))} | {d['cpu_pct_per_dest_fit']:.4f} "
                         f"({d['cpu_pct_per_dest_ends']:.4f}) | {d['rss_kib_per_dest_fit']:.0f} "
                         f"({d['rss_kib_per_dest_ends']:.0f}) | {d['pss_kib_per_dest_fit']:.0f} "
                         f"({d['pss_kib_per_dest_ends']:.0f}) | {d['cpu_pct_intercept_fit']:.2f} | "
                         f"{d['pss_kib_intercept_fit'] / 1024:.1f} |")
        if "ratio_lunora_over_nginx_cpu_per_dest" in pd:
            lines.append("")
            lines.append(f"CPU per added destination, lunora / nginx-rtmp push: "
                         f"**{pd['ratio_lunora_over_nginx_cpu_per_dest']}** (target <= 1, goal 0.5).")
        if "ratio_lunora_rtmp_over_nginx_cpu_per_dest" in pd:
            lines.append("")
            lines.append(f"CPU per added destination, lunora with RTMP input / nginx-rtmp push: "
                         f"**{pd['ratio_lunora_rtmp_over_nginx_cpu_per_dest']}**.")
    j = report.get("join")
    if j:
        lines.append("")
        lines.append(f"Join latency (lunora, hub of {j['hub_outputs']} live outputs, {j['joins']} joins via "
                     f"`--commands add`, measured at a TCP tap in front of the sink):")
        lines.append("")
        lines.append("| from `add` written to | median ms | p90 ms | n |")
        lines.append("|---|---:|---:|---:|")
        for key, label in (("add_to_added_event_ms", "`output_added` event on stdout"),
                           ("add_to_connect_ms", "TCP connection accepted"),
                           ("add_to_publish_ms", "`publish` command received"),
                           ("add_to_first_media_ms", "first audio/video message (first media bytes)"),
                           ("add_to_first_video_ms", "first video message"),
                           ("add_to_first_frame_ms", "first coded audio/video frame (not a sequence header)"),
                           ("add_to_first_video_frame_ms", "first coded video frame")):
            if not j.get(key, {}).get("n"):
                continue
            v = j[key]
            lines.append(f"| {label} | {v['median']} | {v['p90']} | {v['n']} |")
        if j.get("sink_last_reply_to_first_media_ms", {}).get("n"):
            v = j["sink_last_reply_to_first_media_ms"]
            lines.append(f"| (lunora's own share: the sink's last reply before it, to the first media) | "
                         f"{v['median']} | {v['p90']} | {v['n']} |")
        kf = [s.get("first_video_keyframe") for s in j["samples"] if s.get("first_video_keyframe") is not None]
        if kf:
            lines.append("")
            lines.append(f"First video message was a keyframe in {sum(kf)}/{len(kf)} joins.")
        kf = [s.get("first_video_frame_keyframe") for s in j["samples"] if s.get("first_video_frame_keyframe") is not None]
        if kf:
            lines.append(f"First coded video frame was a keyframe (IDR) in {sum(kf)}/{len(kf)} joins.")
    return "\n".join(lines)


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1])
    return {"cpu": cpu, "nproc": os.cpu_count(), "mem_gib": round(mem / 1024 / 1024, 1),
            "kernel": platform.release(), "python": platform.python_version(),
            "nginx": subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip(),
            "ffmpeg": subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout.split("\n")[0]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--counts", default="1,10,50,100,200", help="destination counts N (default 1,10,50,100,200)")
    ap.add_argument("--seconds", type=float, default=60, help="measurement window per point (default 60)")
    ap.add_argument("--systems", default="lunora,nginx,ffmpeg",
                    help="which systems: lunora, nginx, ffmpeg (default), and lunora-rtmp (lunora with RTMP input)")
    ap.add_argument("--ffmpeg-max", type=int, default=50,
                    help="largest N for the ffmpeg-per-destination baseline (default 50)")
    ap.add_argument("--joins", type=int, default=20, help="join-latency samples (0 to skip; default 20)")
    ap.add_argument("--join-hub", type=int, default=10, help="live outputs on the hub during joins (default 10)")
    ap.add_argument("--warmup", type=float, default=3, help="seconds after all are live before the window")
    ap.add_argument("--live-timeout", type=float, default=30, help="seconds to wait for all N to be live")
    ap.add_argument("--input-seconds", type=int, default=30, help="length of the looped input file")
    ap.add_argument("--bitrate", default="6M", help="video bitrate of the input (default 6M)")
    ap.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "lunora-bench"),
                    help="where the pre-encoded input is kept between runs (never committed)")
    ap.add_argument("--lunora", default=os.environ.get("LUNORA_BIN", os.path.join(ROOT, "build/default/src/lunora")))
    ap.add_argument("--out", default=os.path.join(HERE, "results"), help="results directory")
    ap.add_argument("--label", default="", help="suffix for the results file name")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (logs, nginx configs)")
    ap.add_argument("--strace-seconds", type=float, default=0,
                    help="after each window, count the relay's syscalls with strace -c for this long (default off)")
    ap.add_argument("--report", metavar="JSON", help="only print the markdown of a saved results file")
    args = ap.parse_args()
    if args.report:
        with open(args.report) as f:
            report = json.load(f)
        if report.get("join"):
            summarize_joins(report["join"])
        report["per_destination"] = per_destination(report["points"])
        print(markdown(report))
        return 0

    counts = [int(x) for x in args.counts.split(",") if x]
    systems = [s for s in args.systems.split(",") if s]
    for s in systems:
        if s not in SYSTEMS:
            ap.error(f"unknown system {s}")
    if any(s.startswith("lunora") for s in systems) and not os.access(args.lunora, os.X_OK):
        ap.error(f"no lunora binary at {args.lunora} (build it, or set LUNORA_BIN)")

    os.makedirs(args.cache, exist_ok=True)
    input_file = os.path.join(args.cache, f"input-1080p30-{args.bitrate}-{args.input_seconds}s.mp4")
    encode_input(input_file, args.input_seconds, args.bitrate)

    workdir = tempfile.mkdtemp(prefix="lunora-bench-")
    log(f"work directory {workdir}")
    date = datetime.datetime.now().strftime("%Y-%m-%d")
    report = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "label": args.label or "run",
              "machine": machine(),
              "config": {"counts": counts, "seconds": args.seconds, "systems": systems,
                         "ffmpeg_max": args.ffmpeg_max, "warmup_s": args.warmup, "input": os.path.basename(input_file),
                         "lunora": args.lunora},
              "points": [], "skipped": []}
    sink = Nginx(workdir, "sink", free_port(), worker_connections=16384)
    log(f"sink nginx on 127.0.0.1:{sink.rtmp_port} (pid {sink.pid})")
    interrupted = False
    try:
        for n in counts:
            for system in systems:
                if system == "ffmpeg" and n > args.ffmpeg_max:
                    report["skipped"].append({"system": system, "n": n,
                                              "reason": f"ffmpeg baseline capped at N={args.ffmpeg_max}"})
                    continue
                log(f"{system} N={n}: starting")
                pt = Point(args, sink, workdir, system, n, input_file)
                try:
                    pt.start()
                    res = pt.measure(args.seconds)
                except Exception as e:  # noqa: BLE001 - record and go on to the next point
                    res = {"system": system, "n": n, "error": repr(e)}
                finally:
                    if pt.lunora:
                        tail = pt.lunora.stderr_tail(15)
                    pt.stop()
                if pt.lunora:
                    res["lunora_exit_code"] = pt.lunora.proc.returncode
                    res["lunora_stderr_tail"] = [l.rstrip("\n")[:400] for l in tail]
                log(f"{system} N={n}: " + json.dumps({k: v for k, v in res.items() if k != 'lunora_stderr_tail'}))
                report["points"].append(res)
                # Let the sink see every stream of this point end before the next one starts.
                wait_for(lambda: not pt.sink_streams(), 15, 0.5)
                time.sleep(2)
        if args.joins > 0 and any(s.startswith("lunora") for s in systems):
            try:
                report["join"] = join_latency(args, sink, workdir, input_file)
            except Exception as e:  # noqa: BLE001
                report["join_error"] = repr(e)
    except KeyboardInterrupt:
        interrupted = True
        log("interrupted: writing what was measured")
    finally:
        sink.stop()
    report["per_destination"] = per_destination(report["points"])
    md = markdown(report)
    print(md)
    os.makedirs(args.out, exist_ok=True)
    name = date + (f"-{args.label}" if args.label else "")
    with open(os.path.join(args.out, name + ".json"), "w") as f:
        json.dump(report, f, indent=1)
    with open(os.path.join(args.out, name + ".md"), "w") as f:
        f.write(md + "\n")
    log(f"results: {os.path.join(args.out, name + '.json')} and .md")
    if args.keep:
        log(f"kept {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
