"""Real peers for integration tests: nginx-rtmp as the destination, ffmpeg as the encoder, lunora relay in between.

Every server binds a free port on 127.0.0.1; every wait is a predicate with a deadline, never a bare sleep.
Processes started here are ended by PID when the test finishes.
"""
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import warnings
import xml.etree.ElementTree as ET
import urllib.parse
import urllib.request

LUNORA = os.environ.get("LUNORA_BIN", "build/default/src/lunora")
NGINX_MODULES = "/usr/lib/nginx/modules"


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _proc_net_ports(tables, state=None):
    ports = set()
    for table in tables:
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if state is None or fields[3] == state:
                        ports.add(int(fields[1].rsplit(":", 1)[1], 16))
        except OSError:
            continue
    return ports


def udp_port_taken(port):
    """True once something (an SRT listener) has bound the UDP port (read from /proc: probing by binding could
    steal the port from the listener starting up)."""
    return port in _proc_net_ports(("/proc/net/udp", "/proc/net/udp6"))


def tcp_port_listening(port):
    """True once something listens on the TCP port (from /proc: a probing connect would be a client)."""
    return port in _proc_net_ports(("/proc/net/tcp", "/proc/net/tcp6"), state="0A")


def wait_for(predicate, timeout, what, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Process:
    """A child process whose stdout and stderr are collected by threads."""

    def __init__(self, args, name, stdin=None, env=None, cwd=None):
        self.name = name
        self.args = args
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=stdin, text=True,
                                     encoding="utf-8", errors="replace", start_new_session=True, env=env, cwd=cwd)
        self.stdout_lines = queue.Queue()
        self.stdout_all = []
        self.stderr_all = []
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.stdout_all, self.stdout_lines),
                         daemon=True).start()
        threading.Thread(target=self._pump, args=(self.proc.stderr, self.stderr_all, None), daemon=True).start()

    @staticmethod
    def _pump(stream, store, q):
        for line in stream:
            store.append(line)
            if q is not None:
                q.put(line)

    def alive(self):
        return self.proc.poll() is None

    def stderr_text(self):
        return "".join(self.stderr_all)

    def stop(self, sig=signal.SIGINT, timeout=15):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdin,):
            if stream:
                try:
                    stream.close()
                except OSError:
                    pass
        return self.proc.returncode


class Relay(Process):
    """`lunora relay --stats`, with its JSON stats lines parsed."""

    def __init__(self, input_url, outputs=(), extra=(), commands=False):
        args = [LUNORA, "relay", "--input", input_url, "--stats", "--backoff-initial-ms", "300",
                "--backoff-cap-ms", "2000"]
        for o in outputs:
            args += ["--output", o]
        args += list(extra)
        if commands:
            args.append("--commands")
        super().__init__(args, "lunora", stdin=subprocess.PIPE if commands else None)
        self.last_stats = None
        self.events = []
        self._wait_for_input(input_url)

    def _wait_for_input(self, input_url):
        """An encoder started before lunora listens is refused (an ASan build starts slowly): wait for the
        input's port, or for lunora to exit (tests of bad inputs)."""
        parsed = urllib.parse.urlsplit(input_url)
        try:
            port = parsed.port
        except ValueError:
            return
        if not port or parsed.scheme not in ("srt", "rtmp"):
            return
        ready = udp_port_taken if parsed.scheme == "srt" else tcp_port_listening
        wait_for(lambda: not self.alive() or ready(port), 20, f"lunora to listen on {input_url}")

    def send(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def poll_stats(self):
        """Consumes stdout lines; returns the latest stats object."""
        while True:
            try:
                line = self.stdout_lines.get_nowait()
            except queue.Empty:
                return self.last_stats
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                continue
            if "event" in obj:
                self.events.append(obj)
            else:
                self.last_stats = obj

    def wait_stats(self, predicate, timeout, what):
        def check():
            s = self.poll_stats()
            if not self.alive():
                raise AssertionError(f"lunora exited ({self.proc.returncode}): {self.stderr_text()[-3000:]}")
            return s if s is not None and predicate(s) else None
        return wait_for(check, timeout, what)

    def wait_event(self, name, timeout=10):
        def check():
            self.poll_stats()
            for e in self.events:
                if e.get("event") == name:
                    self.events.remove(e)
                    return e
            return None
        return wait_for(check, timeout, f"event {name}")


class Nginx:
    """nginx with the RTMP module: a real RTMP server that records what it receives and reports rtmp_stat."""

    def __init__(self, tls=False, rtmp_port=None, host="127.0.0.1", wrapper=()):
        """`host`: the address nginx listens on and is reached at; `wrapper`: a command prefix for nginx (e.g.
        `ip netns exec NS`, for an nginx in a network namespace)."""
        self.host = host
        self.wrapper = list(wrapper)
        self.dir = tempfile.mkdtemp(prefix="lunora-nginx-")
        self.record_dir = os.path.join(self.dir, "rec")
        os.makedirs(self.record_dir)
        os.makedirs(os.path.join(self.dir, "logs"))
        self.rtmp_port = rtmp_port or free_port()
        self.http_port = free_port()
        self.tls_port = free_port() if tls else None
        self.tls = tls
        if tls:
            self.cert = os.path.join(self.dir, "cert.pem")
            self.key = os.path.join(self.dir, "key.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                            "/CN=localhost", "-keyout", self.key, "-out", self.cert], check=True,
                           capture_output=True)
        self.conf = os.path.join(self.dir, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(self._config())
        self.proc = None
        self.start()

    def _config(self):
        stream = ""
        load = f"load_module {NGINX_MODULES}/ngx_rtmp_module.so;\n"
        if self.tls:
            load += f"load_module {NGINX_MODULES}/ngx_stream_module.so;\n"
            stream = f"""
stream {{
  server {{
    listen {self.host}:{self.tls_port} ssl;
    ssl_certificate {self.cert};
    ssl_certificate_key {self.key};
    proxy_pass {self.host}:{self.rtmp_port};
  }}
}}
"""
        return f"""{load}
daemon off;
master_process off;
worker_processes 1;
error_log {self.dir}/logs/error.log info;
pid {self.dir}/nginx.pid;
events {{ worker_connections 1024; }}
rtmp {{
  server {{
    listen {self.host}:{self.rtmp_port};
    chunk_size 4096;
    application live {{
      live on;
      record all;
      record_path {self.record_dir};
      record_unique off;
    }}
    application locked {{
      live on;
      deny publish all;
    }}
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
    listen {self.host}:{self.http_port};
    location /stat {{ rtmp_stat all; }}
  }}
}}
{stream}
"""

    def start(self):
        self.proc = subprocess.Popen(self.wrapper + ["nginx", "-p", self.dir, "-c", self.conf],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        wait_for(lambda: self._listening(self.rtmp_port, self.host), 10, "nginx to listen")

    @staticmethod
    def _listening(port, host="127.0.0.1"):
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful: finishes recordings
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def url(self, key, tls=False):
        if tls:
            return f"rtmps://localhost:{self.tls_port}/live/{key}"
        return f"rtmp://{self.host}:{self.rtmp_port}/live/{key}"

    def stat(self):
        """{stream name: {"nclients", "bytes_in", "time", "publisher_id", "publisher_time"}}."""
        with urllib.request.urlopen(f"http://{self.host}:{self.http_port}/stat", timeout=5) as r:
            root = ET.fromstring(r.read())
        streams = {}
        for s in root.iter("stream"):
            name = s.findtext("name")
            info = {"nclients": int(s.findtext("nclients") or 0), "bytes_in": int(s.findtext("bytes_in") or 0),
                    "time": int(s.findtext("time") or 0)}
            for c in s.iter("client"):
                if c.find("publishing") is not None:
                    info["publisher_id"] = c.findtext("id")
                    info["publisher_time"] = int(c.findtext("time") or 0)
            streams[name] = info
        return streams

    def recording(self, key):
        return os.path.join(self.record_dir, f"{key}.flv")

    def cleanup(self):
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def ffmpeg_source_args(seconds, size="640x360", rate=30, gop=30, bitrate="1M"):
    """A live test pattern with a tone: H.264 (x264, B-frames on) + AAC, paced in real time."""
    return ["ffmpeg", "-hide_banner", "-loglevel", "error", "-re",
            "-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}",
            "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000",
            "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-g", str(gop), "-bf", "2",
            "-pix_fmt", "yuv420p", "-b:v", bitrate, "-minrate", bitrate, "-maxrate", bitrate, "-bufsize", bitrate,
            "-x264-params", "nal-hrd=cbr", "-c:a", "aac", "-b:a", "128k"]


def publish_srt(port, seconds, extra_url="", **kw):
    args = ffmpeg_source_args(seconds, **kw) + ["-f", "mpegts",
                                               f"srt://127.0.0.1:{port}?pkt_size=1316{extra_url}"]
    return Process(args, "ffmpeg-srt")


def publish_rtmp(url, seconds, **kw):
    return Process(ffmpeg_source_args(seconds, **kw) + ["-f", "flv", url], "ffmpeg-rtmp")


def probe(path):
    """Streams and per-stream packet DTS lists of a media file, through ffprobe."""
    out = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-show_packets", "-of", "json", path],
                         capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise AssertionError(f"ffprobe failed on {path}: {out.stderr}")
    data = json.loads(out.stdout)
    streams = {s["index"]: s for s in data.get("streams", [])}
    packets = {}
    for p in data.get("packets", []):
        packets.setdefault(p["stream_index"], []).append(p)
    return streams, packets


def decode_errors(path):
    """ffmpeg's decode errors for the whole file (an empty string when it decodes cleanly)."""
    out = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "null", "-"], capture_output=True, text=True,
                         timeout=180)
    return out.stderr.strip() if out.returncode == 0 else f"exit {out.returncode}: {out.stderr}"


class RecordingCheck:
    """What the issue asks of a recording: codec, resolution, frame count near what was sent, monotonic DTS."""

    def __init__(self, path):
        self.path = path
        self.streams, self.packets = probe(path)
        self.video = next((s for s in self.streams.values() if s["codec_type"] == "video"), None)
        self.audio = next((s for s in self.streams.values() if s["codec_type"] == "audio"), None)

    def video_dts(self):
        return [float(p["dts_time"]) for p in self.packets.get(self.video["index"], []) if "dts_time" in p]

    def audio_dts(self):
        return [float(p["dts_time"]) for p in self.packets.get(self.audio["index"], []) if "dts_time" in p]

    def video_frames(self):
        return len(self.packets.get(self.video["index"], []))

    def max_gap(self, dts):
        return max((b - a for a, b in zip(dts, dts[1:])), default=0)

    def assert_spliced_cleanly(self, test):
        """What a destination must see across a splice (slate, input switch, encoder restart): decode and
        presentation times that never go back and no picture shown twice. Returns the pictures' presentation
        times without the recording's last 0.3 s, which lacks the B-frames in flight when the destination
        stopped, for the caller's gap bound."""
        for name, dts in (("video", self.video_dts()), ("audio", self.audio_dts())):
            test.assertEqual([(a, b) for a, b in zip(dts, dts[1:]) if b < a], [], f"{name} DTS went backwards")
        shown = sorted(float(p["pts_time"]) for p in self.packets[self.video["index"]] if "pts_time" in p)
        test.assertEqual(len(set(shown)), len(shown), "two pictures shown at the same time")
        return [t for t in shown if t < self.video_dts()[-1] - 0.3]

    def assert_valid(self, test, width, height, min_frames, max_frames):
        test.assertIsNotNone(self.video, f"no video in {self.path}")
        test.assertIsNotNone(self.audio, f"no audio in {self.path}")
        test.assertEqual(self.video["codec_name"], "h264")
        test.assertEqual(self.audio["codec_name"], "aac")
        test.assertEqual((self.video["width"], self.video["height"]), (width, height))
        frames = self.video_frames()
        test.assertGreaterEqual(frames, min_frames, f"{self.path}: {frames} frames")
        test.assertLessEqual(frames, max_frames, f"{self.path}: {frames} frames")
        for name, dts in (("video", self.video_dts()), ("audio", self.audio_dts())):
            backwards = [(a, b) for a, b in zip(dts, dts[1:]) if b < a]
            test.assertEqual(backwards, [], f"{self.path}: non-monotonic {name} DTS")
        test.assertEqual(decode_errors(self.path), "", f"{self.path} does not decode cleanly")


class IntegrationTest(unittest.TestCase):
    """Cleans up every peer a test started, in reverse order."""

    def setUp(self):
        self._cleanups = []

    def nginx(self, **kw):
        n = Nginx(**kw)
        self.addCleanup(n.cleanup)
        return n

    def relay(self, *args, **kw):
        r = Relay(*args, **kw)

        def end():
            if r.alive():
                r.stop(signal.SIGKILL)
            if os.environ.get("LUNORA_TEST_VERBOSE"):
                sys.stderr.write(r.stderr_text())
        self.addCleanup(end)
        return r

    def process(self, p):
        self.addCleanup(lambda: p.alive() and p.stop(signal.SIGKILL))
        return p

    def stop_relay(self, relay):
        code = relay.stop(signal.SIGINT, timeout=15)
        self.assertEqual(code, 0, f"lunora did not stop cleanly: {relay.stderr_text()[-3000:]}")


def main():
    warnings.simplefilter("ignore", ResourceWarning)
    unittest.main(verbosity=2, warnings="ignore")
