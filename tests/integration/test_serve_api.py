"""The REST API of `lunora serve` over real HTTP, against a real process with a real SQLite file: every route of
docs/openapi.yaml, every documented error, and the destination state machine with its invalid transitions."""
import json
import os
import re
import socket
import threading
import time

import yaml

from harness import IntegrationTest, free_port, main, publish_srt, wait_for
from serve_harness import Serve, SseReader

SPEC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "openapi.yaml")
HTTP_METHODS = ("get", "post", "put", "patch", "delete")
PRESETS = ("youtube", "twitch", "facebook", "restream", "kick")


def spec_routes():
    """{path: {METHOD: operation}} from docs/openapi.yaml."""
    with open(SPEC) as f:
        spec = yaml.safe_load(f)
    return {path: {m.upper(): op for m, op in item.items() if m in HTTP_METHODS}
            for path, item in spec["paths"].items()}


def needs_token(op):
    return op.get("security", [{"bearerAuth": []}]) != []


def udp_port_free(port):
    """True when this machine lets us bind UDP `port` on every address (nobody listens on it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind(("0.0.0.0", port))
            return True
        except OSError:
            return False


def metric_samples(text):
    """[(name, {label: value}, value)] of a Prometheus text exposition."""
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)', line)
        assert m, f"not a Prometheus sample line: {line!r}"
        labels = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        samples.append((m.group(1), labels, float(m.group(3))))
    return samples


def raw_exchange(serve, data, timeout=10):
    """Sends `data` as is on a fresh connection; (status, parsed JSON body or raw body bytes, head text)."""
    with socket.create_connection(("127.0.0.1", serve.http_port), timeout=timeout) as sock:
        sock.sendall(data)
        reply = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            reply += chunk
            head, _, body = reply.partition(b"\r\n\r\n")
            m = re.search(rb"(?i)content-length: *(\d+)", head)
            if m and len(body) >= int(m.group(1)):
                break
    head, _, body = reply.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1]) if head else None
    try:
        body = json.loads(body)
    except ValueError:
        pass
    return status, body, head.decode("latin-1")


class SseQuery(SseReader):
    """An SSE stream resumed with ?last_event_id= (for clients that cannot set headers)."""

    def __init__(self, serve, last_event_id):  # pylint: disable=super-init-not-called
        self.events = []
        self.closed = False
        self.status = None
        self.lock = threading.Lock()
        self.sock = socket.create_connection(("127.0.0.1", serve.http_port), timeout=30)
        self.sock.sendall((f"GET /api/v1/events?last_event_id={last_event_id} HTTP/1.1\r\nHost: x\r\n"
                           f"Authorization: Bearer {serve.token}\r\n\r\n").encode())
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        self.ready.wait(10)


class ServeApiTest(IntegrationTest):
    def serve(self, **kw):
        s = Serve(**kw)
        self.addCleanup(s.cleanup)
        return s

    def assertError(self, answer, status, code, field=None, what=""):
        """`answer` is (status, body) or (status, body, headers); checks the documented error body."""
        got_status, body = answer[0], answer[1]
        self.assertEqual(got_status, status, f"{what}: {body}")
        self.assertIsInstance(body, dict, f"{what}: not a JSON body: {body!r}")
        self.assertEqual(body["error"]["code"], code, f"{what}: {body}")
        self.assertIsInstance(body["error"]["message"], str)
        self.assertTrue(body["error"]["message"].strip(), f"{what}: empty message")
        if field is not None:
            self.assertEqual(body["error"].get("field"), field, f"{what}: {body}")
        return body["error"]

    def new_channel(self, serve, name, **input_settings):
        input_settings.setdefault("port", free_port(socket.SOCK_DGRAM))
        return serve.api("POST", "/channels", {"name": name, "input": input_settings}, expect=201)

    def concrete(self, path, channel_id, destination_id):
        path = path.replace("{segment}", "seg-1.ts").replace("{file}", "hls.min.js").replace("{name}", "720p30")
        if path.startswith(("/api/v1/channels/", "/hls/", "/watch/")):
            return path.replace("{id}", channel_id)
        return path.replace("{id}", destination_id)

    # ---- authentication -------------------------------------------------------------------------------------

    def test_every_api_route_needs_the_token(self):
        serve = self.serve()
        channel = serve.main_channel()
        dest = serve.add_destination(channel["id"], "keep", "rtmp://127.0.0.1:1/live", "authkey")
        routes = spec_routes()
        api_routes = [(p, m) for p, ops in routes.items() for m, op in ops.items() if p.startswith("/api/v1")]
        self.assertGreaterEqual(len(api_routes), 15, "the spec lists the API routes")
        bodies = {"/api/v1/channels": {"name": "authless"}, "/api/v1/destinations": {
            "channel_id": channel["id"], "name": "authless", "platform": "youtube", "stream_key": "x1234"}}
        refusals = [("no token", {"auth": False}),
                    ("wrong token", {"token": "not-the-token"}),
                    ("Basic scheme", {"auth": False, "headers": {"Authorization": "Basic " + serve.token}}),
                    ("bare token", {"auth": False, "headers": {"Authorization": serve.token}}),
                    ("empty Bearer", {"auth": False, "headers": {"Authorization": "Bearer "}})]
        for path, method in api_routes:
            self.assertTrue(needs_token(routes[path][method]), f"{method} {path} is documented without a token")
            target = self.concrete(path, channel["id"], dest["id"])
            body = bodies.get(path, {"name": "authless"}) if method in ("POST", "PATCH") else None
            if path.endswith("/start") or path.endswith("/stop"):
                body = None
            for what, kw in refusals:
                status, obj, headers = serve.request(method, target, body, **kw)
                self.assertError((status, obj), 401, "unauthorized", what=f"{method} {target} ({what})")
                self.assertEqual(headers.get("www-authenticate"), "Bearer", f"{method} {target} ({what})")
        # Nothing happened on the refused requests.
        self.assertEqual([c["name"] for c in serve.api("GET", "/channels", expect=200)["channels"]], ["main"])
        still = serve.destination(dest["id"])
        self.assertEqual((still["name"], still["status"], still["enabled"], still["version"]),
                         ("keep", "ready", False, dest["version"]))
        self.assertEqual(len(serve.api("GET", "/destinations", expect=200)["destinations"]), 1)

        # The routes documented without a token answer without one.
        open_routes = [(p, m) for p, ops in routes.items() for m, op in ops.items() if not needs_token(op)]
        # ... and the playback routes, which take the channel's playback token instead (test_hls.py).
        self.assertEqual(sorted(open_routes), [("/", "GET"), ("/assets/{file}", "GET"), ("/healthz", "GET"),
                                               ("/hls/{id}/index.m3u8", "GET"), ("/hls/{id}/{segment}", "GET"),
                                               ("/metrics", "GET"), ("/watch/{id}", "GET")])
        status, body, _ = serve.request("GET", "/healthz", auth=False)
        self.assertEqual((status, body), (200, {"status": "ok"}))
        status, text, headers = serve.request("GET", "/metrics", auth=False)
        self.assertEqual(status, 200)
        self.assertIn("lunora_destination_status", text)

    def test_bearer_scheme_is_case_insensitive(self):
        """RFC 7235 2.1 / RFC 6750: the auth scheme is case-insensitive; "bearer <token>" is the admin token."""
        serve = self.serve()
        for scheme in ("bearer", "BEARER"):
            status, body, _ = serve.request("GET", "/api/v1/channels", auth=False,
                                            headers={"Authorization": f"{scheme} {serve.token}"})
            self.assertEqual(status, 200, f"{scheme}: {body}")

    # ---- 404 / 405 ------------------------------------------------------------------------------------------

    def test_unknown_ids_paths_and_methods(self):
        serve = self.serve()
        channel = serve.main_channel()
        dest = serve.add_destination(channel["id"], "real", "rtmp://127.0.0.1:1/live", "k404")
        routes = spec_routes()
        patch_bodies = {"/api/v1/channels/{id}": {"name": "renamed"}, "/api/v1/destinations/{id}": {"name": "x"},
                        "/api/v1/channels/{id}/renditions/{name}": {"fps": 25}}
        # (The playback routes' unknown ids are tested in test_hls.py: /watch answers HTML.)
        id_routes = [(p, m) for p, ops in routes.items() for m in ops if "{id}" in p and p.startswith("/api/v1/")]
        self.assertEqual(len(id_routes), 21, id_routes)
        for path, method in id_routes:
            for unknown in ("ch_doesnotexist", "d_doesnotexist", "nope"):
                target = path.replace("{id}", unknown).replace("{name}", "720p30")
                body = patch_bodies.get(path) if method == "PATCH" else None
                if method == "POST" and path.endswith("/renditions"):
                    body = {"name": "x"}  # a body route: a JSON body, or 415 comes first
                answer = serve.request(method, target, body)
                err = self.assertError(answer, 404, "not_found", what=f"{method} {target}")
                self.assertIn(unknown, err["message"])
        # Nothing was touched by those.
        self.assertEqual(serve.main_channel()["name"], "main")
        self.assertEqual(serve.destination(dest["id"])["name"], "real")

        for path in ("/api/v1/nope", "/api/v2/channels", "/api/v1/channels/" + channel["id"] + "/bogus",
                     "/api/v1/destinations/" + dest["id"] + "/start/now", "/nope", "/api/v1"):
            self.assertError(serve.request("GET", path), 404, "not_found", what=path)

        # Every documented path answers 405 with the documented methods in Allow for a method it lacks.
        for path, ops in routes.items():
            target = self.concrete(path, channel["id"], dest["id"])
            wrong = next(m for m in ("PUT", "PATCH", "DELETE", "POST", "GET") if m not in ops)
            status, obj, headers = serve.request(wrong, target, {"x": 1} if wrong in ("PUT", "PATCH", "POST") else None)
            self.assertError((status, obj), 405, "method_not_allowed", what=f"{wrong} {target}")
            allow = {m.strip() for m in headers.get("allow", "").split(",") if m.strip()}
            self.assertEqual(allow, set(ops), f"Allow of {target}")
        # The 405s changed nothing.
        self.assertEqual(serve.destination(dest["id"])["status"], "ready")
        self.assertEqual(len(serve.api("GET", "/channels", expect=200)["channels"]), 1)

    # ---- bodies: 413 / 415 / 400 ---------------------------------------------------------------------------

    def test_body_errors(self):
        serve = self.serve()
        channel = serve.main_channel()
        dest = serve.add_destination(channel["id"], "body", "rtmp://127.0.0.1:1/live", "kbody")
        with_body = [("POST", "/api/v1/channels"), ("PATCH", f"/api/v1/channels/{channel['id']}"),
                     ("POST", "/api/v1/destinations"), ("PATCH", f"/api/v1/destinations/{dest['id']}")]
        json_type = {"Content-Type": "application/json"}
        big = json.dumps({"name": "x" * (65 * 1024)}).encode()
        for method, path in with_body:
            self.assertError(serve.request(method, path, raw=big, headers=json_type), 413, "payload_too_large",
                             what=f"{method} {path} 65 KiB")
            for headers in ({}, {"Content-Type": "text/plain"}, {"Content-Type": "application/x-www-form-urlencoded"},
                            {"Content-Type": "multipart/form-data; boundary=x"}):
                self.assertError(serve.request(method, path, raw=b'{"name": "typed"}', headers=headers), 415,
                                 "unsupported_media_type", what=f"{method} {path} {headers}")
            for raw in (b'{"name":', b"not json", b"{'name': 'single'}", b'{"name": "a",}', b""):
                self.assertError(serve.request(method, path, raw=raw, headers=json_type), 400, "invalid_json",
                                 what=f"{method} {path} {raw!r}")
        # Exactly 64 KiB is not too large: it reaches validation (the name is too long).
        exact = b'{"name": "' + b"y" * (64 * 1024 - 12) + b'"}'
        self.assertEqual(len(exact), 64 * 1024)
        self.assertError(serve.request("POST", "/api/v1/channels", raw=exact, headers=json_type), 422,
                         "validation_failed", field="name", what="64 KiB body")
        # A charset parameter is still JSON.
        status, created, _ = serve.request("POST", "/api/v1/channels", raw=json.dumps(
            {"name": "charset", "input": {"port": free_port(socket.SOCK_DGRAM)}}).encode(),
            headers={"Content-Type": "application/json; charset=utf-8"})
        self.assertEqual(status, 201, created)
        # None of the refused bodies created or changed anything; the server still answers.
        names = sorted(c["name"] for c in serve.api("GET", "/channels", expect=200)["channels"])
        self.assertEqual(names, ["charset", "main"])
        self.assertEqual(serve.destination(dest["id"])["name"], "body")
        self.assertEqual(len(serve.api("GET", "/destinations", expect=200)["destinations"]), 1)

    def test_protocol_errors(self):
        serve = self.serve()
        token = f"Authorization: Bearer {serve.token}\r\n".encode()
        # 431: headers over 16 KiB.
        status, body, _ = raw_exchange(serve, b"GET /api/v1/channels HTTP/1.1\r\nHost: x\r\n" + token +
                                       b"X-Big: " + b"a" * (17 * 1024) + b"\r\n\r\n")
        self.assertError((status, body), 431, "headers_too_large")
        # 400: a request that is not HTTP, and a target that is not a path.
        status, body, _ = raw_exchange(serve, b"THIS IS NOT HTTP\r\n\r\n")
        self.assertError((status, body), 400, "bad_request", what="garbage request line")
        status, body, _ = raw_exchange(serve, b"GET http://127.0.0.1/api/v1/channels HTTP/1.1\r\nHost: x\r\n" +
                                       token + b"\r\n")
        self.assertError((status, body), 400, "bad_request", what="absolute-form target")
        # The server is fine afterwards.
        self.assertEqual(serve.api("GET", "/channels", expect=200)["channels"][0]["name"], "main")

    # ---- 422 / 409 -----------------------------------------------------------------------------------------

    def test_validation_failures_name_the_field(self):
        serve = self.serve()
        main_ch = serve.main_channel()
        cid = main_ch["id"]
        dest = serve.add_destination(cid, "valid", "rtmp://127.0.0.1:1/live", "kvalid")
        port = free_port(socket.SOCK_DGRAM)
        custom = {"channel_id": cid, "name": "c", "platform": "custom"}
        cases = [
            # channels
            ("POST", "/channels", [1, 2], None),
            ("POST", "/channels", "main", None),
            ("POST", "/channels", {"name": "a", "colour": "red"}, "colour"),
            ("POST", "/channels", {"input": {"protocol": "srt"}}, "name"),
            ("POST", "/channels", {"name": ""}, "name"),
            ("POST", "/channels", {"name": "   "}, "name"),
            ("POST", "/channels", {"name": 42}, "name"),
            ("POST", "/channels", {"name": "x" * 101}, "name"),
            ("POST", "/channels", {"name": "a\nb"}, "name"),
            ("POST", "/channels", {"name": "a", "input": "srt"}, "input"),
            ("POST", "/channels", {"name": "a", "input": {"protocol": "webrtc"}}, "input.protocol"),
            ("POST", "/channels", {"name": "a", "input": {"protocol": 1}}, "input.protocol"),
            ("POST", "/channels", {"name": "a", "input": {"port": port, "color": 1}}, "input.color"),
            ("POST", "/channels", {"name": "a", "input": {"port": 80}}, "input.port"),
            ("POST", "/channels", {"name": "a", "input": {"port": 1023}}, "input.port"),
            ("POST", "/channels", {"name": "a", "input": {"port": 65536}}, "input.port"),
            ("POST", "/channels", {"name": "a", "input": {"port": "9000"}}, "input.port"),
            ("POST", "/channels", {"name": "a", "input": {"port": port, "passphrase": "short"}}, "input.passphrase"),
            ("POST", "/channels", {"name": "a", "input": {"port": port, "passphrase": "123456789"}},
             "input.passphrase"),
            ("POST", "/channels", {"name": "a", "input": {"port": port, "passphrase": "p" * 80}}, "input.passphrase"),
            ("POST", "/channels", {"name": "a", "input": {"port": port, "latency_ms": 19}}, "input.latency_ms"),
            ("POST", "/channels", {"name": "a", "input": {"port": port, "latency_ms": 8001}}, "input.latency_ms"),
            ("POST", "/channels", {"name": "a", "input": {"port": port, "latency_ms": 1.5}}, "input.latency_ms"),
            ("POST", "/channels", {"name": "a", "auto_stop_after_s": -1}, "auto_stop_after_s"),
            ("POST", "/channels", {"name": "a", "auto_stop_after_s": 86401}, "auto_stop_after_s"),
            ("POST", "/channels", {"name": "a", "auto_start": "yes"}, "auto_start"),
            ("POST", "/channels", {"name": "a", "engine": "cloud"}, "engine"),
            ("POST", "/channels", {"name": "a", "input": {"protocol": "rtmp", "port": 1935}}, "input.port"),
            ("POST", "/channels", {"name": "a", "input": {"protocol": "rtmp", "port": serve.rtmp_port + 1}},
             "input.port"),
            ("POST", "/channels", {"name": "a", "input": {"protocol": "rtmp", "passphrase": "0123456789abc"}},
             "input.passphrase"),
            ("POST", "/channels", {"name": "a", "input": {"protocol": "rtmp", "streamid": "live/x"}},
             "input.streamid"),
            ("PATCH", f"/channels/{cid}", [], None),
            ("PATCH", f"/channels/{cid}", {"engine": "local"}, "engine"),
            ("PATCH", f"/channels/{cid}", {"id": "ch_other"}, "id"),
            ("PATCH", f"/channels/{cid}", {"name": ""}, "name"),
            ("PATCH", f"/channels/{cid}", {"auto_stop_after_s": -5}, "auto_stop_after_s"),
            ("PATCH", f"/channels/{cid}", {"input": {"latency_ms": 9000}}, "input.latency_ms"),
            ("PATCH", f"/channels/{cid}", {"input": {"port": 70000}}, "input.port"),
            ("PATCH", f"/channels/{cid}", {"input": {"passphrase": "tooshort"}}, "input.passphrase"),
            ("PATCH", f"/channels/{cid}", {"input": {"protocol": "hls"}}, "input.protocol"),
            # destinations
            ("POST", "/destinations", ["not", "an", "object"], None),
            ("POST", "/destinations", None, None),
            ("POST", "/destinations", dict(custom, url="rtmp://h/app", stream_key="k", extra=1), "extra"),
            ("POST", "/destinations", {"name": "n", "platform": "youtube", "stream_key": "k1234"}, "channel_id"),
            ("POST", "/destinations", {"channel_id": cid, "platform": "youtube", "stream_key": "k1234"}, "name"),
            ("POST", "/destinations", {"channel_id": cid, "name": "n", "stream_key": "k1234"}, "platform"),
            ("POST", "/destinations", {"channel_id": "ch_nope", "name": "n", "platform": "youtube",
                                       "stream_key": "k1234"}, "channel_id"),
            ("POST", "/destinations", {"channel_id": cid, "name": "n", "platform": "periscope",
                                       "stream_key": "k1234"}, "platform"),
            ("POST", "/destinations", {"channel_id": cid, "name": "n", "platform": 3, "stream_key": "k1234"},
             "platform"),
            ("POST", "/destinations", {"channel_id": cid, "name": "n", "platform": "youtube"}, "stream_key"),
            ("POST", "/destinations", dict(custom, stream_key="k1234"), "url"),
            ("POST", "/destinations", dict(custom, url=None, stream_key="k1234"), "url"),
            ("POST", "/destinations", dict(custom, url="http://example.com/live", stream_key="k"), "url"),
            ("POST", "/destinations", dict(custom, url="https://example.com/live", stream_key="k"), "url"),
            ("POST", "/destinations", dict(custom, url="rtmp:///live", stream_key="k"), "url"),
            ("POST", "/destinations", dict(custom, url="rtmp://:1935/live", stream_key="k"), "url"),
            ("POST", "/destinations", dict(custom, url="rtmp://h:99999/app", stream_key="k"), "url"),
            ("POST", "/destinations", dict(custom, url="rtmp://h:port/app", stream_key="k"), "url"),
            ("POST", "/destinations", dict(custom, url="rtmp://h/app"), "url"),
            ("POST", "/destinations", dict(custom, url="srt://h:9000?mode=listener"), "url"),
            ("POST", "/destinations", dict(custom, url="srt://h?mode=caller"), "url"),
            ("POST", "/destinations", dict(custom, url="rtmp://h/app", stream_key="has space"), "stream_key"),
            ("POST", "/destinations", dict(custom, url="rtmp://h/app", stream_key="tab\there"), "stream_key"),
            ("POST", "/destinations", dict(custom, url="rtmp://h/app", stream_key=12345), "stream_key"),
            ("POST", "/destinations", dict(custom, url="rtmp://h/app", stream_key="k" * 1025), "stream_key"),
            ("POST", "/destinations", dict(custom, url="rtmp://h/" + "a" * 2048, stream_key="k"), "url"),
            ("POST", "/destinations", dict(custom, name="x" * 101, url="rtmp://h/app", stream_key="k"), "name"),
            ("POST", "/destinations", dict(custom, name="", url="rtmp://h/app", stream_key="k"), "name"),
            ("PATCH", f"/destinations/{dest['id']}", "x", None),
            ("PATCH", f"/destinations/{dest['id']}", {"status": "streaming"}, "status"),
            ("PATCH", f"/destinations/{dest['id']}", {"channel_id": cid}, "channel_id"),
            ("PATCH", f"/destinations/{dest['id']}", {"name": "y" * 101}, "name"),
            ("PATCH", f"/destinations/{dest['id']}", {"url": "http://h/live"}, "url"),
            ("PATCH", f"/destinations/{dest['id']}", {"url": "rtmp://h:0x10/live"}, "url"),
            ("PATCH", f"/destinations/{dest['id']}", {"url": "srt://h:9000?mode=listener"}, "url"),
            ("PATCH", f"/destinations/{dest['id']}", {"stream_key": "a b"}, "stream_key"),
            ("PATCH", f"/destinations/{dest['id']}", {"platform": "myspace"}, "platform"),
        ]
        for method, path, body, field in cases:
            raw = json.dumps(body).encode()
            status, obj, _ = serve.request(method, "/api/v1" + path, raw=raw,
                                           headers={"Content-Type": "application/json"})
            err = self.assertError((status, obj), 422, "validation_failed", field=field,
                                   what=f"{method} {path} {raw[:120]!r}")
            if field is None:
                self.assertNotIn("field", err, f"{method} {path} {body!r}: the whole body is at fault")
        # The URL messages say what is wrong.
        _, obj = serve.api("POST", "/destinations", dict(custom, url="rtmp://h:99999/app", stream_key="k"))
        self.assertIn("port", obj["error"]["message"])
        _, obj = serve.api("POST", "/destinations", dict(custom, url="rtmp:///app", stream_key="k"))
        self.assertIn("host", obj["error"]["message"])
        _, obj = serve.api("POST", "/destinations", dict(custom, url="http://h/app", stream_key="k"))
        self.assertIn("rtmp://", obj["error"]["message"])
        _, obj = serve.api("POST", "/destinations", dict(custom, url="srt://h:9000?mode=listener"))
        self.assertIn("listener", obj["error"]["message"])
        # Boundaries that are valid.
        ok = self.new_channel(serve, "n" * 100, passphrase="p" * 10, latency_ms=20)
        self.assertEqual(ok["input"]["latency_ms"], 20)
        serve.api("PATCH", f"/channels/{ok['id']}", {"input": {"passphrase": "q" * 79, "latency_ms": 8000},
                                                     "auto_stop_after_s": 0}, expect=200)
        serve.api("PATCH", f"/channels/{ok['id']}", {"auto_stop_after_s": 86400}, expect=200)
        rtmp = serve.api("POST", "/channels", {"name": "rtmp-same-port",
                                               "input": {"protocol": "rtmp", "port": serve.rtmp_port}}, expect=201)
        self.assertEqual(rtmp["input"]["port"], serve.rtmp_port)
        # Nothing of the refused requests stuck.
        self.assertEqual(serve.main_channel()["version"], main_ch["version"])
        after = serve.destination(dest["id"])
        self.assertEqual((after["name"], after["url"], after["version"]), ("valid", dest["url"], dest["version"]))
        self.assertEqual(sorted(c["name"] for c in serve.api("GET", "/channels", expect=200)["channels"]),
                         sorted(["main", "n" * 100, "rtmp-same-port"]))
        self.assertEqual(len(serve.api("GET", "/destinations", expect=200)["destinations"]), 1)

    def test_conflicts(self):
        serve = self.serve()
        main_ch = serve.main_channel()
        main_port = main_ch["input"]["port"]
        other = self.new_channel(serve, "other")

        err = self.assertError(serve.api("POST", "/channels", {"name": "main"}), 409, "conflict", what="same name")
        self.assertIn("main", err["message"])
        self.assertError(serve.api("PATCH", f"/channels/{other['id']}", {"name": "main"}), 409, "conflict",
                         what="rename onto a used name")
        err = self.assertError(serve.api("POST", "/channels", {"name": "dup-port", "input": {"port": main_port}}),
                               409, "conflict", what="SRT port of another channel")
        self.assertIn(str(main_port), err["message"])
        err = self.assertError(serve.api("PATCH", f"/channels/{other['id']}", {"input": {"port": main_port}}),
                               409, "conflict", what="move onto another channel's SRT port")
        self.assertIn(str(main_port), err["message"])

        # A UDP port taken by another program.
        busy = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(busy.close)
        busy.bind(("0.0.0.0", 0))
        busy_port = busy.getsockname()[1]
        err = self.assertError(serve.api("POST", "/channels", {"name": "busy", "input": {"port": busy_port}}),
                               409, "conflict", what="SRT port busy in the OS")
        self.assertIn(str(busy_port), err["message"])
        self.assertRegex(err["message"], r"(?i)listen|in use|busy|taken")
        err = self.assertError(serve.api("PATCH", f"/channels/{other['id']}", {"input": {"port": busy_port}}),
                               409, "conflict", what="move onto a port busy in the OS")
        self.assertIn(str(busy_port), err["message"])
        # The refused move left the old listener as it was.
        kept = serve.api("GET", f"/channels/{other['id']}", expect=200)
        self.assertEqual((kept["name"], kept["input"]["port"], kept["input"]["listening"], kept["state"]),
                         ("other", other["input"]["port"], True, "idle"))
        self.assertFalse(udp_port_free(other["input"]["port"]), "the old listener still holds its port")
        names = sorted(c["name"] for c in serve.api("GET", "/channels", expect=200)["channels"])
        self.assertEqual(names, ["main", "other"])
        # Once the port is free again the same request works.
        busy.close()
        moved = serve.api("POST", "/channels", {"name": "busy", "input": {"port": busy_port}}, expect=201)
        self.assertEqual(moved["input"]["port"], busy_port)

    # ---- channels ------------------------------------------------------------------------------------------

    def test_channel_crud_ingest_and_moving_the_listener(self):
        serve = self.serve()
        sse = serve.events()
        self.addCleanup(sse.close)
        passphrase = "correct-horse-battery-staple"
        port = free_port(socket.SOCK_DGRAM)
        created = serve.api("POST", "/channels", {
            "name": "studio", "input": {"protocol": "srt", "port": port, "passphrase": passphrase,
                                        "latency_ms": 200},
            "auto_stop_after_s": 5}, expect=201)
        cid = created["id"]
        self.assertTrue(cid.startswith("ch_"))
        self.assertEqual((created["name"], created["state"], created["engine"], created["auto_start"],
                          created["auto_stop_after_s"], created["destinations_on"], created["version"]),
                         ("studio", "idle", "local", True, 5, 0, 1))
        self.assertEqual((created["input"]["protocol"], created["input"]["port"], created["input"]["latency_ms"],
                          created["input"]["passphrase_set"], created["input"]["connected"]),
                         ("srt", port, 200, True, False))
        ingest = created["ingest"]
        self.assertEqual(ingest["channel_id"], cid)
        self.assertEqual(ingest["passphrase"], passphrase)
        self.assertIn(f":{port}", ingest["srt_url"])
        self.assertIn(f"passphrase={passphrase}", ingest["srt_url"])
        self.assertEqual(ingest["ingest_url"], ingest["srt_url"])
        self.assertTrue(ingest["rtmp_key"])
        self.assertEqual(ingest["rtmp_url"], ingest["rtmp_server"] + "/" + ingest["rtmp_key"])
        self.assertIn(f":{serve.rtmp_port}/", ingest["rtmp_url"])
        # The channel itself never shows the secrets.
        shown = {k: v for k, v in created.items() if k != "ingest"}
        for secret in (passphrase, ingest["rtmp_key"]):
            self.assertNotIn(secret, json.dumps(shown))
        self.assertNotIn("passphrase", created["input"])

        got = serve.api("GET", f"/channels/{cid}", expect=200)
        self.assertEqual(got, shown)
        listed = {c["id"]: c for c in serve.api("GET", "/channels", expect=200)["channels"]}
        self.assertEqual(set(listed), {cid, serve.main_channel()["id"]})
        self.assertEqual(listed[cid], shown)
        for secret in (passphrase, ingest["rtmp_key"]):
            self.assertNotIn(secret, json.dumps(got))
            self.assertNotIn(secret, json.dumps(listed))
        self.assertEqual(serve.api("GET", f"/channels/{cid}/ingest", expect=200), ingest)

        # PATCH: only the given fields change.
        patched = serve.api("PATCH", f"/channels/{cid}", {"name": "studio two", "auto_stop_after_s": 7,
                                                          "input": {"latency_ms": 300}}, expect=200)
        self.assertEqual((patched["name"], patched["auto_stop_after_s"], patched["input"]["latency_ms"],
                          patched["input"]["port"], patched["input"]["passphrase_set"]),
                         ("studio two", 7, 300, port, True))
        self.assertGreater(patched["version"], created["version"])
        self.assertEqual(serve.api("PATCH", f"/channels/{cid}", {}, expect=200)["name"], "studio two")
        # Switching to RTMP while a passphrase is set needs passphrase: null in the same request.
        err = self.assertError(serve.api("PATCH", f"/channels/{cid}", {"input": {"protocol": "rtmp"}}), 422,
                               "validation_failed", what="SRT -> RTMP with a passphrase")
        self.assertIn("passphrase", err["message"])
        self.assertEqual(serve.api("GET", f"/channels/{cid}", expect=200)["input"]["latency_ms"], 300)

        # input.port moves the listener: the old port is released, an encoder on the new one connects.
        new_port = free_port(socket.SOCK_DGRAM)
        moved = serve.api("PATCH", f"/channels/{cid}", {"input": {"port": new_port}}, expect=200)
        self.assertEqual((moved["input"]["port"], moved["input"]["listening"]), (new_port, True))
        wait_for(lambda: udp_port_free(port), 10, "the old SRT port to be released")
        moved_ingest = serve.api("GET", f"/channels/{cid}/ingest", expect=200)
        self.assertIn(f":{new_port}", moved_ingest["srt_url"])
        self.assertEqual(moved_ingest["passphrase"], passphrase)
        encoder = self.process(publish_srt(new_port, 20, extra_url=f"&passphrase={passphrase}"))
        wait_for(lambda: serve.api("GET", f"/channels/{cid}", expect=200)["input"]["connected"], 20,
                 "the encoder on the new port to connect")
        live = serve.api("GET", f"/channels/{cid}", expect=200)["input"]
        self.assertEqual(live["connected_protocol"], "srt")
        wait_for(lambda: serve.api("GET", f"/channels/{cid}", expect=200)["input"]["video"], 10, "video info")
        encoder.stop()

        # Events of the channel carry no secret either.
        wait_for(lambda: [e for e in sse.snapshot() if e[1] == "channel" and e[2]["id"] == cid], 5, "channel events")
        for _, kind, data in sse.snapshot():
            self.assertNotIn(passphrase, json.dumps(data))

        # DELETE: 204, then the channel is gone from every route and its port is free.
        status, body, _ = serve.request("DELETE", f"/api/v1/channels/{cid}")
        self.assertEqual((status, body), (204, ""))
        for method, path in (("GET", f"/channels/{cid}"), ("GET", f"/channels/{cid}/ingest"),
                             ("DELETE", f"/channels/{cid}"), ("POST", f"/channels/{cid}/start"),
                             ("POST", f"/channels/{cid}/stop"), ("GET", f"/destinations?channel_id={cid}")):
            self.assertError(serve.api(method, path), 404, "not_found", what=f"{method} {path} after delete")
        self.assertError(serve.api("PATCH", f"/channels/{cid}", {"name": "ghost"}), 404, "not_found")
        self.assertNotIn(cid, [c["id"] for c in serve.api("GET", "/channels", expect=200)["channels"]])
        wait_for(lambda: udp_port_free(new_port), 10, "the deleted channel's SRT port to be released")
        sse.wait(lambda e: e[1] == "channel_deleted" and e[2] == {"id": cid}, 5, "channel_deleted event")

    def test_field_of_a_leftover_passphrase_is_input_passphrase(self):
        """SRT channel with a passphrase (no streamid) switched to RTMP: the field at fault is input.passphrase."""
        serve = self.serve()
        channel = self.new_channel(serve, "secured", passphrase="correct-horse-battery")
        err = self.assertError(serve.api("PATCH", f"/channels/{channel['id']}", {"input": {"protocol": "rtmp"}}),
                               422, "validation_failed", what="SRT -> RTMP with a passphrase")
        self.assertEqual(err.get("field"), "input.passphrase", err)
        # With passphrase: null in the same request it works.
        switched = serve.api("PATCH", f"/channels/{channel['id']}",
                             {"input": {"protocol": "rtmp", "passphrase": None}}, expect=200)
        self.assertEqual((switched["input"]["protocol"], switched["input"]["passphrase_set"]), ("rtmp", False))

    def test_empty_patch_changes_nothing(self):
        """docs/openapi.yaml: "an empty object changes nothing and answers the channel" (version counts changes)."""
        serve = self.serve()
        channel = serve.main_channel()
        dest = serve.add_destination(channel["id"], "same", "rtmp://127.0.0.1:1/live", "samekey")
        sse = serve.events()
        self.addCleanup(sse.close)
        got_channel = serve.api("PATCH", f"/channels/{channel['id']}", {}, expect=200)
        got_dest = serve.api("PATCH", f"/destinations/{dest['id']}", {}, expect=200)
        marker = serve.add_destination(channel["id"], "marker", "rtmp://127.0.0.1:1/live", "marker")
        sse.wait(lambda e: e[1] == "destination" and e[2]["id"] == marker["id"], 10, "the marker event")
        self.assertEqual((got_channel["version"], got_channel["updated_at"]),
                         (channel["version"], channel["updated_at"]), "PATCH {} saved a channel change")
        self.assertEqual((got_dest["version"], got_dest["updated_at"]), (dest["version"], dest["updated_at"]),
                         "PATCH {} saved a destination change")
        self.assertEqual([(e[1], e[2]["id"]) for e in sse.snapshot()], [("destination", marker["id"])],
                         "PATCH {} published events")

    def test_channel_list_is_oldest_first(self):
        """docs/openapi.yaml, GET /api/v1/channels: "Every channel, oldest first"."""
        serve = self.serve()
        made = [serve.main_channel()]
        for i in range(6):
            made.append(self.new_channel(serve, f"c{i}"))
        expected = [c["id"] for c in sorted(made, key=lambda c: c["created_at"])]  # stable: ties keep creation order
        listed = [c["id"] for c in serve.api("GET", "/channels", expect=200)["channels"]]
        self.assertEqual(listed, expected)

    def test_rtmp_channel(self):
        serve = self.serve()
        created = serve.api("POST", "/channels", {"name": "obs", "input": {"protocol": "rtmp"}}, expect=201)
        self.assertEqual((created["input"]["protocol"], created["input"]["port"]), ("rtmp", serve.rtmp_port))
        ingest = created["ingest"]
        self.assertIsNone(ingest["srt_url"])
        self.assertIsNone(ingest["passphrase"])
        self.assertEqual(ingest["ingest_url"], ingest["rtmp_url"])
        self.assertNotIn(ingest["rtmp_key"], json.dumps(serve.api("GET", f"/channels/{created['id']}", expect=200)))
        self.assertEqual(serve.api("GET", f"/channels/{created['id']}/ingest", expect=200), ingest)
        # Switching to SRT and back.
        port = free_port(socket.SOCK_DGRAM)
        srt = serve.api("PATCH", f"/channels/{created['id']}", {"input": {"protocol": "srt", "port": port}},
                        expect=200)
        self.assertEqual((srt["input"]["protocol"], srt["input"]["port"]), ("srt", port))
        back = serve.api("PATCH", f"/channels/{created['id']}", {"input": {"protocol": "rtmp"}}, expect=200)
        self.assertEqual(back["input"]["protocol"], "rtmp")
        wait_for(lambda: udp_port_free(port), 10, "the SRT port to be released after switching to RTMP")

    def test_delete_channel_with_a_started_destination(self):
        nginx = self.nginx()
        serve = self.serve()
        sse = serve.events()
        self.addCleanup(sse.close)
        channel = self.new_channel(serve, "doomed")
        cid = channel["id"]
        live = serve.add_destination(cid, "live", f"rtmp://127.0.0.1:{nginx.rtmp_port}/live", "doomed-live")
        idle = serve.add_destination(cid, "idle", f"rtmp://127.0.0.1:{nginx.rtmp_port}/live", "doomed-idle")
        keeper = serve.add_destination(serve.main_channel()["id"], "elsewhere",
                                       f"rtmp://127.0.0.1:{nginx.rtmp_port}/live", "elsewhere")
        self.process(publish_srt(channel["input"]["port"], 40))
        serve.api("POST", f"/destinations/{live['id']}/start", expect=202)
        serve.wait_status(live["id"], "streaming", 25)
        wait_for(lambda: nginx.stat().get("doomed-live", {}).get("bytes_in", 0) > 0, 10, "nginx receives")

        for path in (f"/channels/{cid}", f"/channels/{cid}?force=false", f"/channels/{cid}?force=0",
                     f"/channels/{cid}?force=yes"):
            err = self.assertError(serve.api("DELETE", path), 409, "conflict", what=f"DELETE {path}")
            self.assertEqual(err.get("destinations"), [live["id"]], err)
        self.assertEqual(serve.destination(live["id"])["status"], "streaming")
        self.assertEqual(serve.api("GET", f"/channels/{cid}", expect=200)["destinations_on"], 1)

        status, body, _ = serve.request("DELETE", f"/api/v1/channels/{cid}?force=true")
        self.assertEqual((status, body), (204, ""))
        for d in (live, idle):
            self.assertError(serve.api("GET", f"/destinations/{d['id']}"), 404, "not_found", what="destination")
            self.assertError(serve.api("POST", f"/destinations/{d['id']}/start"), 404, "not_found")
        self.assertError(serve.api("GET", f"/channels/{cid}"), 404, "not_found")
        remaining = [d["id"] for d in serve.api("GET", "/destinations", expect=200)["destinations"]]
        self.assertEqual(remaining, [keeper["id"]])
        # nginx stops receiving from the deleted destination.
        wait_for(lambda: nginx.stat().get("doomed-live", {}).get("nclients", 0) == 0, 15,
                 "nginx to lose the force-deleted destination's publisher")
        # One destination_deleted per destination, then channel_deleted.
        sse.wait(lambda e: e[1] == "channel_deleted", 5, "channel_deleted")
        deletions = [(e[1], e[2].get("id")) for e in sse.snapshot() if e[1].endswith("_deleted")]
        self.assertEqual(deletions[-1], ("channel_deleted", cid))
        self.assertEqual(sorted(deletions[:-1]), sorted([("destination_deleted", live["id"]),
                                                         ("destination_deleted", idle["id"])]))

        # force=1 also works, on a channel without live destinations plain DELETE does.
        c2 = self.new_channel(serve, "doomed two")
        d2 = serve.add_destination(c2["id"], "x", "rtmp://127.0.0.1:1/live", "x")
        serve.api("POST", f"/destinations/{d2['id']}/start", expect=202)
        self.assertError(serve.api("DELETE", f"/channels/{c2['id']}"), 409, "conflict")
        status, _, _ = serve.request("DELETE", f"/api/v1/channels/{c2['id']}?force=1")
        self.assertEqual(status, 204)
        c3 = self.new_channel(serve, "doomed three")
        serve.add_destination(c3["id"], "y", "rtmp://127.0.0.1:1/live", "y")
        status, _, _ = serve.request("DELETE", f"/api/v1/channels/{c3['id']}")
        self.assertEqual(status, 204)
        self.assertEqual([d["id"] for d in serve.api("GET", "/destinations", expect=200)["destinations"]],
                         [keeper["id"]])

    def test_channel_start_and_stop(self):
        serve = self.serve()
        channel = serve.api("POST", "/channels", {"name": "manual", "auto_start": False, "auto_stop_after_s": 60,
                                                  "input": {"port": free_port(socket.SOCK_DGRAM)}}, expect=201)
        cid = channel["id"]
        dest = serve.add_destination(cid, "m", "rtmp://127.0.0.1:1/live", "manualkey")
        err = self.assertError(serve.api("POST", f"/destinations/{dest['id']}/start"), 409, "conflict",
                               what="start with the channel idle and auto_start off")
        self.assertIn(f"/api/v1/channels/{cid}/start", err["message"])
        self.assertEqual(serve.destination(dest["id"])["status"], "ready")

        # Started by hand without input, the channel waits for it (as with a destination on: the lifecycle
        # test's `starting` / "waiting for input").
        started = serve.api("POST", f"/channels/{cid}/start", expect=202)
        self.assertEqual((started["state"], started["state_message"]), ("starting", "waiting for input"))
        again = serve.api("POST", f"/channels/{cid}/start", expect=202)
        self.assertEqual((again["state"], again["version"]), ("starting", started["version"]))
        d = serve.api("POST", f"/destinations/{dest['id']}/start", expect=202)
        self.assertEqual(d["status"], "starting")
        self.assertEqual(serve.api("GET", f"/channels/{cid}", expect=200)["destinations_on"], 1)

        stopped = serve.api("POST", f"/channels/{cid}/stop", expect=202)
        self.assertIn(stopped["state"], ("stopping", "idle"))
        self.assertEqual(stopped["destinations_on"], 0)
        self.assertIn(serve.destination(dest["id"])["status"], ("stopping", "ready"))
        serve.wait_status(dest["id"], "ready", 10)
        wait_for(lambda: serve.api("GET", f"/channels/{cid}", expect=200)["state"] == "idle", 10,
                 "channel idle at once after stop (no auto_stop grace)")
        self.assertEqual(serve.api("POST", f"/channels/{cid}/stop", expect=202)["state"], "idle")
        # The manual start ended: starting a destination is refused again.
        self.assertError(serve.api("POST", f"/destinations/{dest['id']}/start"), 409, "conflict")

        # With auto_start (the default) a destination start makes the channel run; channel stop stops it.
        main_ch = serve.main_channel()
        d2 = serve.add_destination(main_ch["id"], "auto", "rtmp://127.0.0.1:1/live", "autokey")
        serve.api("POST", f"/destinations/{d2['id']}/start", expect=202)
        wait_for(lambda: serve.main_channel()["state"] in ("starting", "running"), 10, "main channel starting")
        serve.api("POST", f"/channels/{main_ch['id']}/stop", expect=202)
        serve.wait_status(d2["id"], "ready", 10)
        self.assertFalse(serve.destination(d2["id"])["enabled"])
        wait_for(lambda: serve.main_channel()["state"] == "idle", 10, "main idle")

    # ---- destinations --------------------------------------------------------------------------------------

    def test_destination_crud_and_presets(self):
        serve = self.serve()
        main_ch = serve.main_channel()
        other = self.new_channel(serve, "other")
        platforms = {p["id"]: p for p in serve.api("GET", "/platforms", expect=200)["platforms"]}

        made = []
        for platform in PRESETS:
            key = f"{platform}-key-{platform[:2]}9z"
            d = serve.api("POST", "/destinations", {"channel_id": main_ch["id"], "name": f"{platform} dest",
                                                    "platform": platform, "stream_key": key}, expect=201)
            self.assertEqual(d["url"], platforms[platform]["default_url"], platform)
            self.assertEqual(d["platform"], platform)
            self.assertEqual(d["stream_key_hint"], "…" + key[-4:])
            self.assertEqual((d["status"], d["enabled"], d["last_error"], d["next_retry_at"], d["channel_id"]),
                             ("ready", False, None, None, main_ch["id"]))
            self.assertEqual(d["stats"], {"bitrate_kbps": 0, "bytes_sent": 0, "uptime_s": 0, "reconnects": 0,
                                          "dropped_packets": 0})
            self.assertNotIn(key, json.dumps(d))
            self.assertTrue(d["id"].startswith("d_"))
            made.append(d)
        # url: null also means the default.
        nulled = serve.api("POST", "/destinations", {"channel_id": main_ch["id"], "name": "yt null url",
                                                     "platform": "youtube", "url": None, "stream_key": "abcd-1234"},
                           expect=201)
        self.assertEqual(nulled["url"], platforms["youtube"]["default_url"])
        made.append(nulled)
        custom = serve.add_destination(other["id"], "custom", "rtmp://127.0.0.1:1/live", "custom-key")
        self.assertEqual(custom["url"], "rtmp://127.0.0.1:1/live")

        # Lists: all (oldest first), per channel, unknown channel.
        # (Same-millisecond order: test_list_keeps_creation_order_within_a_millisecond.)
        everything = serve.api("GET", "/destinations", expect=200)["destinations"]
        self.assertEqual(sorted(d["id"] for d in everything), sorted([d["id"] for d in made] + [custom["id"]]))
        self.assertEqual([d["created_at"] for d in everything], sorted(d["created_at"] for d in everything))
        for d in everything:
            self.assertEqual(d, serve.destination(d["id"]))
        of_main = serve.api("GET", f"/destinations?channel_id={main_ch['id']}", expect=200)["destinations"]
        self.assertEqual(sorted(d["id"] for d in of_main), sorted(d["id"] for d in made))
        self.assertEqual([d for d in everything if d["channel_id"] == main_ch["id"]], of_main)
        of_other = serve.api("GET", f"/destinations?channel_id={other['id']}", expect=200)["destinations"]
        self.assertEqual([d["id"] for d in of_other], [custom["id"]])
        empty = self.new_channel(serve, "empty")
        self.assertEqual(serve.api("GET", f"/destinations?channel_id={empty['id']}", expect=200),
                         {"destinations": []})
        self.assertError(serve.api("GET", "/destinations?channel_id=ch_unknown"), 404, "not_found")

        # PATCH name and url.
        renamed = serve.api("PATCH", f"/destinations/{custom['id']}", {"name": "renamed"}, expect=200)
        self.assertEqual((renamed["name"], renamed["url"]), ("renamed", custom["url"]))
        self.assertGreater(renamed["version"], custom["version"])
        moved = serve.api("PATCH", f"/destinations/{custom['id']}", {"url": "rtmps://127.0.0.1:2/app"}, expect=200)
        self.assertEqual((moved["url"], moved["name"], moved["status"]), ("rtmps://127.0.0.1:2/app", "renamed",
                                                                          "ready"))
        self.assertEqual(serve.destination(custom["id"])["url"], "rtmps://127.0.0.1:2/app")
        # Changing the platform without a url moves to that platform's default URL.
        yt = made[0]
        twitch = serve.api("PATCH", f"/destinations/{yt['id']}", {"platform": "twitch"}, expect=200)
        self.assertEqual((twitch["platform"], twitch["url"]), ("twitch", platforms["twitch"]["default_url"]))

        # start/stop are idempotent: 202 twice, the second one changes nothing.
        first = serve.api("POST", f"/destinations/{custom['id']}/start", expect=202)
        self.assertEqual((first["status"], first["enabled"]), ("starting", True))
        settled = wait_for(lambda: (lambda x: x if x["status_detail"] == "waiting for input" else None)(
            serve.destination(custom["id"])), 10, "waiting for input")
        second = serve.api("POST", f"/destinations/{custom['id']}/start", expect=202)
        self.assertEqual((second["status"], second["enabled"]), ("starting", True))
        self.assertEqual(second["version"], settled["version"], "a second start saved a change")
        stop1 = serve.api("POST", f"/destinations/{custom['id']}/stop", expect=202)
        self.assertEqual((stop1["status"], stop1["enabled"]), ("stopping", False))
        serve.wait_status(custom["id"], "ready", 10)
        stop2 = serve.api("POST", f"/destinations/{custom['id']}/stop", expect=202)
        ready = serve.destination(custom["id"])
        self.assertEqual((stop2["status"], stop2["version"]), ("ready", ready["version"]))

        # DELETE: 204 then 404 everywhere.
        status, body, _ = serve.request("DELETE", f"/api/v1/destinations/{custom['id']}")
        self.assertEqual((status, body), (204, ""))
        for method, suffix in (("GET", ""), ("DELETE", ""), ("POST", "/start"), ("POST", "/stop")):
            self.assertError(serve.api(method, f"/destinations/{custom['id']}{suffix}"), 404, "not_found",
                             what=f"{method} after delete")
        self.assertError(serve.api("PATCH", f"/destinations/{custom['id']}", {"name": "ghost"}), 404, "not_found")
        self.assertEqual(serve.api("GET", f"/destinations?channel_id={other['id']}", expect=200),
                         {"destinations": []})

    def test_list_keeps_creation_order(self):
        """"The destinations, oldest first", also for destinations created in a quick burst (creation times are
        strictly increasing, so a burst within one millisecond does not fall back on the random ids)."""
        serve = self.serve()
        cid = serve.main_channel()["id"]
        created = [serve.add_destination(cid, f"n{i}", "rtmp://127.0.0.1:1/live", "orderkey") for i in range(60)]
        stamps = [d["created_at"] for d in created]
        self.assertEqual(len(set(stamps)), len(stamps), "creation times are unique")
        self.assertEqual(stamps, sorted(stamps))
        self.assertNotEqual([d["id"] for d in created], sorted(d["id"] for d in created),
                            "ids are random, so the order below does not come from them")
        listed = [d["id"] for d in serve.api("GET", "/destinations", expect=200)["destinations"]]
        self.assertEqual(listed, [d["id"] for d in created])

    def test_platforms(self):
        serve = self.serve()
        status, body, headers = serve.request("GET", "/api/v1/platforms")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("application/json"))
        platforms = body["platforms"]
        self.assertEqual([p["id"] for p in platforms], ["youtube", "twitch", "facebook", "restream", "kick", "custom"])
        by_id = {p["id"]: p for p in platforms}
        self.assertIsNone(by_id["facebook"]["ingest"]["rtmp"])
        self.assertTrue(by_id["facebook"]["ingest"]["rtmps"].startswith("rtmps://"))
        self.assertIsNone(by_id["custom"]["default_url"])
        self.assertFalse(by_id["custom"]["stream_key_required"])
        required = {"max_video_bitrate_kbps", "max_audio_bitrate_kbps", "keyframe_interval_s", "video_codecs",
                    "audio_codecs", "max_width", "max_height", "max_fps", "notes"}
        for p in platforms:
            self.assertEqual(set(p), {"id", "name", "ingest", "default_url", "stream_key_required", "requirements",
                                      "help_url", "suggested_rendition"}, p["id"])
            self.assertEqual(set(p["ingest"]), {"rtmp", "rtmps"})
            self.assertTrue(p["name"])
            self.assertEqual(set(p["requirements"]), required, p["id"])
            r = p["requirements"]
            self.assertGreater(r["max_video_bitrate_kbps"], 0)
            self.assertGreater(r["keyframe_interval_s"], 0)
            self.assertIn("h264", r["video_codecs"])
            self.assertIn("aac", r["audio_codecs"])
            if p["id"] != "custom":
                self.assertTrue(p["stream_key_required"])
                self.assertIn(p["default_url"], (p["ingest"]["rtmp"], p["ingest"]["rtmps"]))
                self.assertRegex(p["default_url"], r"^rtmps?://[^/]+/")
            for url in p["ingest"].values():
                if url is not None:
                    self.assertRegex(url, r"^rtmps?://")
            if p["ingest"]["rtmps"] and p["id"] != "custom":
                self.assertEqual(p["default_url"], p["ingest"]["rtmps"], f"{p['id']}: RTMPS is the default")

    # ---- metrics -------------------------------------------------------------------------------------------

    def test_metrics(self):
        serve = self.serve()
        main_ch = serve.main_channel()
        ready = serve.add_destination(main_ch["id"], 'quote " name', "rtmp://127.0.0.1:1/live", "metrickey1")
        waiting = serve.add_destination(main_ch["id"], "waiting", "rtmp://127.0.0.1:1/live", "metrickey2")
        serve.api("POST", f"/destinations/{waiting['id']}/start", expect=202)
        status, text, headers = serve.request("GET", "/metrics", auth=False)
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"].replace(" ", "").split(";")[:2], ["text/plain", "version=0.0.4"])
        families = ["lunora_channel_state", "lunora_channel_input_connected", "lunora_channel_input_bitrate_kbps",
                    "lunora_channel_input_bytes_total", "lunora_destination_status", "lunora_destination_bitrate_kbps",
                    "lunora_destination_bytes_sent_total", "lunora_destination_reconnects_total",
                    "lunora_destination_dropped_packets_total", "lunora_destination_uptime_seconds"]
        for family in families:
            self.assertRegex(text, rf"(?m)^# HELP {family} \S.*$")
            kind = "counter" if family.endswith("_total") else "gauge"
            self.assertRegex(text, rf"(?m)^# TYPE {family} {kind}$")
            help_at = text.index(f"# HELP {family} ")
            first_sample = re.search(rf"(?m)^{family}[{{ ]", text)
            self.assertIsNotNone(first_sample, family)
            self.assertLess(help_at, first_sample.start(), f"{family}: HELP after samples")
        samples = metric_samples(text)
        status_of = {}
        for name, labels, value in samples:
            if name == "lunora_destination_status":
                self.assertEqual(set(labels), {"destination_id", "channel_id", "destination", "platform", "status"})
                status_of.setdefault(labels["destination_id"], {})[labels["status"]] = value
        self.assertEqual(status_of[ready["id"]], {"ready": 1, "starting": 0, "streaming": 0, "stopping": 0, "error": 0})
        waiting_now = serve.destination(waiting["id"])["status"]
        self.assertEqual(waiting_now, "starting")
        self.assertEqual(status_of[waiting["id"]][waiting_now], 1)
        self.assertEqual(sum(status_of[waiting["id"]].values()), 1)
        names = {labels["destination"] for name, labels, _ in samples if name == "lunora_destination_status"}
        self.assertIn('quote \\" name', names)
        states = {labels["state"]: v for name, labels, v in samples
                  if name == "lunora_channel_state" and labels["channel_id"] == main_ch["id"]}
        self.assertEqual(set(states), {"idle", "starting", "running", "stopping", "error"})
        self.assertEqual(sum(states.values()), 1)
        self.assertEqual(states[serve.main_channel()["state"]], 1)
        for name, labels, value in samples:
            if name.startswith("lunora_destination_") and name != "lunora_destination_status":
                self.assertEqual(set(labels), {"destination_id", "channel_id"}, name)
                if labels["destination_id"] == ready["id"]:
                    self.assertEqual(value, 0, f"{name} of an off destination")
        # A deleted destination leaves the metrics.
        serve.api("DELETE", f"/destinations/{ready['id']}", expect=204)
        _, text, _ = serve.request("GET", "/metrics", auth=False)
        self.assertNotIn(ready["id"], text)
        self.assertIn(waiting["id"], text)

    # ---- events --------------------------------------------------------------------------------------------

    def test_events_auth_and_resume(self):
        serve = self.serve()
        channel = serve.main_channel()
        self.assertError(serve.request("GET", "/api/v1/events", auth=False), 401, "unauthorized")
        self.assertError(serve.request("GET", "/api/v1/events", token="wrong"), 401, "unauthorized")
        for bad in ("abc", "-1", "1.5", "12abc", "0x10", "1e3"):
            self.assertError(serve.request("GET", "/api/v1/events", headers={"Last-Event-ID": bad}), 400,
                             "bad_request", what=f"Last-Event-ID {bad!r}")
            self.assertError(serve.request("GET", f"/api/v1/events?last_event_id={bad}"), 400, "bad_request",
                             what=f"last_event_id={bad!r}")

        first = serve.events()
        self.addCleanup(first.close)
        self.assertEqual(first.status, 200)
        one = serve.add_destination(channel["id"], "one", "rtmp://127.0.0.1:1/live", "k1")
        two = serve.add_destination(channel["id"], "two", "rtmp://127.0.0.1:1/live", "k2")
        serve.api("PATCH", f"/destinations/{one['id']}", {"name": "one again"}, expect=200)
        seen = first.wait(lambda e: e[1] == "destination" and e[2]["name"] == "one again", 10, "the patch event")
        events = first.snapshot()
        ids = [e[0] for e in events]
        self.assertEqual(ids, sorted(set(ids)), "increasing, unique ids")
        about_one = [e for e in events if e[1] == "destination" and e[2]["id"] == one["id"]]
        self.assertTrue(about_one)
        self.assertEqual(about_one[0][2]["status"], "ready")
        self.assertEqual(about_one[0][2], {**one, "stats": about_one[0][2]["stats"]})
        self.assertTrue([e for e in events if e[1] == "destination" and e[2]["id"] == two["id"]])
        last_seen = seen[-1][0]
        first.close()

        # While nobody listens, one more change happens.
        three = serve.add_destination(channel["id"], "three", "rtmp://127.0.0.1:1/live", "k3")

        resume_from = about_one[0][0]
        expected_replay = [e for e in events if e[0] > resume_from]
        resumed = serve.events(last_event_id=resume_from)
        self.addCleanup(resumed.close)
        self.assertEqual(resumed.status, 200)
        resumed.wait(lambda e: e[1] == "destination" and e[2]["id"] == three["id"], 10, "the missed event")
        replay = resumed.snapshot()
        self.assertEqual(replay[:len(expected_replay)], expected_replay, "the events after Last-Event-ID, again")
        missed = replay[len(expected_replay):]
        self.assertEqual([(e[1], e[2]["id"]) for e in missed], [("destination", three["id"])])
        self.assertGreater(missed[0][0], last_seen)
        rids = [e[0] for e in replay]
        self.assertEqual(len(rids), len(set(rids)), "no duplicates")
        self.assertTrue(all(r > resume_from for r in rids))

        # New changes reach the resumed stream once; the query parameter resumes the same way.
        four = serve.add_destination(channel["id"], "four", "rtmp://127.0.0.1:1/live", "k4")
        resumed.wait(lambda e: e[1] == "destination" and e[2]["id"] == four["id"], 10, "a live event after resume")
        by_query = SseQuery(serve, resume_from)
        self.addCleanup(by_query.close)
        by_query.wait(lambda e: e[1] == "destination" and e[2]["id"] == four["id"], 10, "query resume")
        time.sleep(0.3)
        self.assertEqual(by_query.snapshot(), resumed.snapshot())

        # Resuming from the newest id replays nothing; a stream without Last-Event-ID starts from now.
        newest = resumed.snapshot()[-1][0]
        tail = serve.events(last_event_id=newest)
        self.addCleanup(tail.close)
        fresh = serve.events()
        self.addCleanup(fresh.close)
        serve.api("DELETE", f"/destinations/{two['id']}", expect=204)
        for stream in (tail, fresh):
            got = stream.wait(lambda e: e[1] == "destination_deleted", 10, "the delete event")
            self.assertEqual(got[0][2], {"id": two["id"], "channel_id": channel["id"]})
            self.assertEqual([e[1] for e in stream.snapshot()], ["destination_deleted"], "no replay")
            self.assertGreater(got[0][0], newest)

    def test_events_last_event_id_beyond_int64_is_refused(self):
        """Last-Event-ID is an int64 (docs/openapi.yaml); a value past it must not silently mean "from now"."""
        serve = self.serve()
        for header in ("Last-Event-ID: 99999999999999999999999", None):
            with socket.create_connection(("127.0.0.1", serve.http_port), timeout=10) as sock:
                target = "/api/v1/events" if header else "/api/v1/events?last_event_id=99999999999999999999999"
                request = f"GET {target} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {serve.token}\r\n"
                sock.sendall((request + (header + "\r\n" if header else "") + "\r\n").encode())
                head = b""
                while b"\r\n" not in head:
                    chunk = sock.recv(1024)
                    if not chunk:
                        break
                    head += chunk
            status = int(head.split(b" ")[1])
            self.assertEqual(status, 400, f"{header or target}: answered {head[:200]!r}")

    # ---- the state machine ---------------------------------------------------------------------------------

    def test_state_machine(self):
        nginx = self.nginx()
        serve = self.serve()
        sse = serve.events()
        self.addCleanup(sse.close)
        channel = serve.main_channel()
        base = f"rtmp://127.0.0.1:{nginx.rtmp_port}/live"
        d = serve.add_destination(channel["id"], "live", base, "sm-live")
        dead = serve.add_destination(channel["id"], "dead", f"rtmp://127.0.0.1:{free_port()}/live", "sm-dead")

        # stop on ready: 202, stays ready, nothing saved.
        answer = serve.api("POST", f"/destinations/{d['id']}/stop", expect=202)
        self.assertEqual((answer["status"], answer["enabled"], answer["version"]), ("ready", False, d["version"]))

        # start on ready -> starting; without input it waits.
        answer = serve.api("POST", f"/destinations/{d['id']}/start", expect=202)
        self.assertEqual((answer["status"], answer["enabled"]), ("starting", True))
        waiting = wait_for(lambda: (lambda x: x if x["status_detail"] == "waiting for input" else None)(
            serve.destination(d["id"])), 10, "waiting for input")
        self.assertEqual(waiting["status"], "starting")
        # start on starting: no change.
        again = serve.api("POST", f"/destinations/{d['id']}/start", expect=202)
        self.assertEqual((again["status"], again["version"]), ("starting", waiting["version"]))

        # starting -> streaming when media flows.
        self.process(publish_srt(serve.srt_port, 60))
        streaming = serve.wait_status(d["id"], "streaming", 25)
        self.assertIsNone(streaming["last_error"])
        publisher = wait_for(lambda: nginx.stat().get("sm-live", {}).get("publisher_id"), 10, "nginx publisher")
        metrics = metric_samples(serve.request("GET", "/metrics", auth=False)[1])
        self.assertIn(("lunora_destination_status", "streaming", 1.0),
                      [(n, l.get("status"), v) for n, l, v in metrics if l.get("destination_id") == d["id"]])

        # start on streaming: no change.
        again = serve.api("POST", f"/destinations/{d['id']}/start", expect=202)
        self.assertEqual((again["status"], again["version"]), ("streaming", serve.destination(d["id"])["version"]))
        # PATCH of the name keeps it streaming on the same connection.
        before = nginx.stat()["sm-live"]["bytes_in"]
        renamed = serve.api("PATCH", f"/destinations/{d['id']}", {"name": "live renamed"}, expect=200)
        self.assertEqual((renamed["status"], renamed["name"]), ("streaming", "live renamed"))
        wait_for(lambda: nginx.stat()["sm-live"]["bytes_in"] > before + 50000, 15, "bytes keep flowing")
        self.assertEqual(nginx.stat()["sm-live"].get("publisher_id"), publisher, "the rename reconnected")
        self.assertEqual(serve.destination(d["id"])["status"], "streaming")

        # A dead URL: starting -> error (with reason and retry), start on error changes nothing,
        # stop on error -> stopping -> ready.
        serve.api("POST", f"/destinations/{dead['id']}/start", expect=202)
        failed = serve.wait_status(dead["id"], "error", 20)
        self.assertEqual(failed["last_error"]["code"], "refused")
        self.assertIsNotNone(failed["next_retry_at"])
        again = serve.api("POST", f"/destinations/{dead['id']}/start", expect=202)
        self.assertTrue(again["enabled"])
        self.assertIn(again["status"], ("error", "starting"))
        stop = serve.api("POST", f"/destinations/{dead['id']}/stop", expect=202)
        self.assertEqual((stop["status"], stop["enabled"], stop["next_retry_at"]), ("stopping", False, None))
        stopped = serve.wait_status(dead["id"], "ready", 10)
        self.assertIsNone(stopped["next_retry_at"])

        # streaming -> stopping -> ready; nginx loses the publisher; ready -> starting -> streaming again.
        stop = serve.api("POST", f"/destinations/{d['id']}/stop", expect=202)
        self.assertEqual(stop["status"], "stopping")
        serve.wait_status(d["id"], "ready", 15)
        wait_for(lambda: nginx.stat().get("sm-live", {}).get("nclients", 0) == 0, 10, "nginx publisher gone")
        self.assertEqual(serve.destination(d["id"])["stats"]["bytes_sent"], 0)
        serve.api("POST", f"/destinations/{d['id']}/start", expect=202)
        serve.wait_status(d["id"], "streaming", 25)
        second = wait_for(lambda: nginx.stat().get("sm-live", {}).get("publisher_id"), 10, "nginx publisher again")
        self.assertNotEqual(second, publisher)

        # A started destination deleted: nginx stops receiving; start/stop after delete are 404.
        serve.api("DELETE", f"/destinations/{d['id']}", expect=204)
        wait_for(lambda: nginx.stat().get("sm-live", {}).get("nclients", 0) == 0, 10,
                 "nginx to lose the deleted destination")
        settled = nginx.stat().get("sm-live", {}).get("bytes_in", 0)
        time.sleep(1.5)
        self.assertEqual(nginx.stat().get("sm-live", {}).get("bytes_in", 0), settled, "still publishing")
        self.assertError(serve.api("POST", f"/destinations/{d['id']}/start"), 404, "not_found")
        self.assertError(serve.api("POST", f"/destinations/{d['id']}/stop"), 404, "not_found")

        # The events tell every transition in order.
        sse.wait(lambda e: e[1] == "destination_deleted" and e[2]["id"] == d["id"], 5, "delete event")

        def statuses(destination_id):
            seq = [e[2]["status"] for e in sse.snapshot() if e[1] == "destination" and e[2]["id"] == destination_id]
            return [s for i, s in enumerate(seq) if i == 0 or seq[i - 1] != s]

        self.assertEqual(statuses(d["id"]), ["ready", "starting", "streaming", "stopping", "ready", "starting",
                                             "streaming"])
        dead_seq = statuses(dead["id"])
        self.assertEqual(dead_seq[:3], ["ready", "starting", "error"])
        self.assertEqual(dead_seq[-2:], ["stopping", "ready"])
        self.assertTrue(set(dead_seq) <= {"ready", "starting", "error", "stopping"}, dead_seq)


if __name__ == "__main__":
    main()
