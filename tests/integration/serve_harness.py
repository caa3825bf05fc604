"""`lunora serve` as a test peer: a real process on free ports with its own data dir, its REST API over real HTTP
and its SSE stream read by a thread."""
import http.client
import json
import os
import shutil
import signal
import socket
import tempfile
import threading
import time

from harness import LUNORA, Process, free_port, wait_for

TOKEN = "test-admin-token-0123456789abcdef"


class Serve(Process):
    """One `lunora serve`. `data_dir` survives restarts; call restart() / kill9()."""

    def __init__(self, data_dir=None, env=None, extra=(), token=TOKEN, http_port=None, rtmp_port=None,
                 srt_port=None, http_flag=True, cwd=None, wait_ready=True):
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="lunora-serve-")
        self.http_port = http_port or free_port()
        self.rtmp_port = rtmp_port or free_port()
        self.srt_port = srt_port or free_port(socket.SOCK_DGRAM)
        self.token = token
        self.extra = list(extra)
        self.env = dict(env or {})
        self.http_flag = http_flag  # False: the test sets the HTTP address through the environment or a file
        self.cwd = cwd  # the process's working directory (None: the test's)
        self.wait_ready_at_start = wait_ready  # False: a node that waits on standby before it serves
        self._start()

    def _start(self):
        args = [LUNORA, "serve", "--data-dir", self.data_dir]
        if self.http_flag:
            args += ["--http", f"127.0.0.1:{self.http_port}"]
        args += ["--rtmp", f"127.0.0.1:{self.rtmp_port}", "--srt-port", str(self.srt_port),
                "--backoff-initial-ms", "300", "--backoff-cap-ms", "2000"] + self.extra
        env = dict(os.environ)
        if self.token:
            env["LUNORA_API_TOKEN"] = self.token
        env.update(self.env)
        self._env_for_process = env
        super().__init__(args, "lunora-serve", env=env, cwd=self.cwd)
        if self.wait_ready_at_start:
            self.wait_ready()

    def wait_ready(self, timeout=20):
        wait_for(self._ready, timeout, "lunora serve to answer /healthz")

    def _ready(self):
        if not self.alive():
            raise AssertionError(f"lunora serve exited ({self.proc.returncode}): {self.stderr_text()[-3000:]}")
        try:
            status, _, _ = self.request("GET", "/healthz", auth=False)
            return status == 200
        except OSError:
            return False

    def restart(self, kill=False):
        if kill:
            self.proc.kill()
            self.proc.wait()
        else:
            self.stop(signal.SIGINT)
        self._start()

    def request(self, method, path, body=None, auth=True, token=None, headers=None, raw=None, timeout=10):
        """(status, parsed JSON body or text, headers dict). `raw` sends bytes as is."""
        conn = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=timeout)
        h = dict(headers or {})
        if auth:
            h["Authorization"] = f"Bearer {token or self.token}"
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        try:
            conn.request(method, path, body=data, headers=h)
            r = conn.getresponse()
            text = r.read().decode("utf-8", "replace")
            hdrs = {k.lower(): v for k, v in r.getheaders()}
            self.record_response(method, path, r.status, r.getheaders(), text)
        finally:
            conn.close()
        if hdrs.get("content-type", "").startswith("application/json") and text:
            return r.status, json.loads(text), hdrs
        return r.status, text, hdrs

    def record_response(self, method, path, status, headers, text):
        """Called with every response request() reads; tests that audit responses override it."""

    def api(self, method, path, body=None, expect=None, **kw):
        status, obj, _ = self.request(method, "/api/v1" + path, body, **kw)
        if expect is not None and status != expect:
            raise AssertionError(f"{method} {path}: expected {expect}, got {status}: {obj}")
        return obj if expect is not None else (status, obj)

    def main_channel(self):
        return [c for c in self.api("GET", "/channels", expect=200)["channels"] if c["name"] == "main"][0]

    def destination(self, destination_id):
        return self.api("GET", f"/destinations/{destination_id}", expect=200)

    def wait_status(self, destination_id, status, timeout=20):
        def check():
            d = self.destination(destination_id)
            return d if d["status"] == status else None
        return wait_for(check, timeout, f"destination {destination_id} to be {status}")

    def add_destination(self, channel_id, name, url, key, platform="custom"):
        return self.api("POST", "/destinations", {"channel_id": channel_id, "name": name, "platform": platform,
                                                  "url": url, "stream_key": key}, expect=201)

    def events(self, last_event_id=None, query=""):
        return SseReader(self, last_event_id, query)

    def cleanup(self):
        if self.alive():
            self.stop(signal.SIGKILL)
        shutil.rmtree(self.data_dir, ignore_errors=True)


class SseReader:
    """Reads /api/v1/events on a thread; events are (id, type, data dict)."""

    def __init__(self, serve, last_event_id=None, query=""):
        self.events = []
        self.closed = False
        self.status = None
        self.lock = threading.Lock()
        self.sock = socket.create_connection(("127.0.0.1", serve.http_port), timeout=30)
        headers = f"GET /api/v1/events{query} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {serve.token}\r\n"
        if last_event_id is not None:
            headers += f"Last-Event-ID: {last_event_id}\r\n"
        self.sock.sendall((headers + "\r\n").encode())
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        self.ready.wait(10)

    def _read(self):
        buf = b""
        try:
            while b"\r\n\r\n" not in buf:
                chunk = self.sock.recv(4096)
                if not chunk:
                    return
                buf += chunk
            head, buf = buf.split(b"\r\n\r\n", 1)
            self.status = int(head.split(b" ")[1])
            self.ready.set()
            while True:
                while b"\n\n" in buf:
                    block, buf = buf.split(b"\n\n", 1)
                    self._block(block.decode())
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                buf += chunk
        except OSError:
            pass
        finally:
            self.closed = True
            self.ready.set()

    def _block(self, block):
        fields = {}
        for line in block.split("\n"):
            if line.startswith(":") or ":" not in line:
                continue
            key, value = line.split(":", 1)
            value = value[1:] if value.startswith(" ") else value
            fields[key] = fields[key] + "\n" + value if key in fields and key == "data" else value
        if "event" in fields:
            with self.lock:
                # Events that are not stored (resync, stats) have no id: 0.
                self.events.append((int(fields.get("id", 0)), fields["event"], json.loads(fields["data"])))

    def snapshot(self):
        with self.lock:
            return list(self.events)

    def wait(self, predicate, timeout, what):
        return wait_for(lambda: [e for e in self.snapshot() if predicate(e)], timeout, what)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
