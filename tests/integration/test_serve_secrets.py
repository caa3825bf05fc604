"""A secret scan of `lunora serve`: stream keys set through the API, and the channel's SRT passphrase and RTMP key,
run through create / start / stream / patch / restart / stop / delete / error, must never appear in a response, a
response header, an event, a metric, a log line or the SQLite files, except the channel's ingest secrets where
docs/openapi.yaml shows them (the create answer's `ingest` and GET /api/v1/channels/{id}/ingest). Also the admin
token: generated, written 0600, printed once."""
import json
import os
import secrets
import signal
import socket
import stat
import unittest

from harness import Nginx, free_port, main, publish_srt, wait_for
from serve_harness import TOKEN, Serve, SseReader


class RecordingServe(Serve):
    """A Serve that keeps every response it received (status line, headers and body as sent) and the output of
    every process it ran, across restarts."""

    def __init__(self, **kw):
        self.transcript = []  # (method, path, status, headers text, body text)
        self.earlier_output = ""
        super().__init__(**kw)

    def restart(self, kill=False):
        self.earlier_output += self.output()
        super().restart(kill)

    def output(self):
        return self.stderr_text() + "".join(self.stdout_all)

    def all_output(self):
        return self.earlier_output + self.output()

    def record_response(self, method, path, status, headers, text):
        header_text = "".join(f"{k}: {v}\n" for k, v in headers)
        self.transcript.append((method, path, status, header_text, text))


class RecordingSse(SseReader):
    """An SSE reader that also keeps every byte it received."""

    def __init__(self, serve, last_event_id=None):
        self.raw = []
        super().__init__(serve, last_event_id)

    def _block(self, block):
        self.raw.append(block)
        super()._block(block)


def read_store(data_dir):
    """The bytes of the SQLite database and its WAL / shared-memory files."""
    out = {}
    for name in ("lunora.db", "lunora.db-wal", "lunora.db-shm", "lunora.db-journal"):
        path = os.path.join(data_dir, name)
        if os.path.exists(path):
            with open(path, "rb") as f:
                out[name] = f.read()
    return out


class SecretScanTest(unittest.TestCase):
    """One run of the whole lifecycle (setUpClass); each test looks at one place the secrets must not be."""

    @classmethod
    def setUpClass(cls):
        cls._cleanups_cls = []
        try:
            cls._run()
        except BaseException:
            cls._cleanup_all()
            raise

    @classmethod
    def tearDownClass(cls):
        cls._cleanup_all()

    @classmethod
    def _cleanup_all(cls):
        for fn in reversed(cls._cleanups_cls):
            try:
                fn()
            except Exception:  # noqa: BLE001 - cleanup goes on
                pass
        cls._cleanups_cls = []

    @classmethod
    def _run(cls):
        rnd = secrets.token_hex(6)
        cls.keys = {  # destination stream keys, each given in the stream_key field
            "live": f"sk-LEAKCHECK-live-{rnd}",
            "rotated": f"sk-LEAKCHECK-rotated-{rnd}",
            "dead": f"sk-LEAKCHECK-dead-{rnd}",
            "srt": f"sk-LEAKCHECK-srt-{rnd}",
            "youtube": f"sk-LEAKCHECK-yt-{rnd}",
            "refused": f"sk-LEAKCHECK-refused-{rnd}",
        }
        cls.url_secrets = {  # secrets a user put inside a destination URL
            "key in an RTMP URL": f"sk-LEAKCHECK-inurl-{rnd}",
            "passphrase in an SRT URL": f"pp-LEAKCHECK-srtdest-{rnd}",
        }
        cls.passphrase = f"pp-LEAKCHECK-{rnd}"
        cls.admin_token = TOKEN

        nginx = Nginx()
        cls._cleanups_cls.append(nginx.cleanup)
        cls.nginx = nginx
        serve = RecordingServe()
        cls._cleanups_cls.append(serve.cleanup)
        cls.serve = serve
        cls.sse = [RecordingSse(serve)]
        cls._cleanups_cls.append(lambda: [s.close() for s in cls.sse])
        cls.metrics = []
        encoders = []
        cls._cleanups_cls.append(lambda: [e.stop(signal.SIGKILL) for e in encoders if e.alive()])

        def scrape():
            status, text, headers = serve.request("GET", "/metrics", auth=False)
            assert status == 200, text
            cls.metrics.append(text)

        # The channel with a passphrase; its ingest secrets are shown on create and on the ingest route only.
        srt_port = free_port(socket.SOCK_DGRAM)
        created = serve.api("POST", "/channels", {"name": "scan", "input": {"port": srt_port,
                                                                            "passphrase": cls.passphrase}},
                            expect=201)
        cls.channel_create_index = len(serve.transcript) - 1
        cls.channel_created = created
        cid = created["id"]
        cls.rtmp_key = created["ingest"]["rtmp_key"]
        cls.channel_get = serve.api("GET", f"/channels/{cid}", expect=200)
        cls.ingest = serve.api("GET", f"/channels/{cid}/ingest", expect=200)
        cls.ingest_indexes = {len(serve.transcript) - 1}

        # Requests refused by validation must not echo the key either.
        for url in ("rtmp://127.0.0.1:99999/live", "rtmp:///live", "http://127.0.0.1/live",
                    "srt://127.0.0.1:9000?mode=listener", "rtmp://127.0.0.1/"):
            status, _ = serve.api("POST", "/destinations", {"channel_id": cid, "name": "refused", "platform": "custom",
                                                             "url": url, "stream_key": cls.keys["refused"]})
            assert status == 422, (url, status)
        status, _ = serve.api("POST", "/destinations", {"channel_id": cid, "name": "refused", "platform": "custom",
                                                         "url": "rtmp://h/live",
                                                         "stream_key": cls.keys["refused"] + " x"})
        assert status == 422

        dead_tcp = free_port()
        dead_udp = free_port(socket.SOCK_DGRAM)
        base = f"rtmp://127.0.0.1:{nginx.rtmp_port}/live"
        d = {}
        d["live"] = serve.add_destination(cid, "live", base, cls.keys["live"])
        d["dead"] = serve.add_destination(cid, "dead", f"rtmp://127.0.0.1:{dead_tcp}/live", cls.keys["dead"])
        d["srt"] = serve.add_destination(
            cid, "srt", f"srt://127.0.0.1:{dead_udp}?passphrase={cls.url_secrets['passphrase in an SRT URL']}",
            cls.keys["srt"])
        d["youtube"] = serve.api("POST", "/destinations", {"channel_id": cid, "name": "yt", "platform": "youtube",
                                                            "stream_key": cls.keys["youtube"]}, expect=201)
        d["inurl"] = serve.api("POST", "/destinations", {
            "channel_id": cid, "name": "inurl", "platform": "custom",
            "url": f"rtmp://127.0.0.1:{dead_tcp}/live/{cls.url_secrets['key in an RTMP URL']}"}, expect=201)
        cls.destinations = d
        scrape()

        for name in ("live", "dead", "srt", "inurl"):
            serve.api("POST", f"/destinations/{d[name]['id']}/start", expect=202)
        encoders.append(publish_srt(srt_port, 60, extra_url=f"&passphrase={cls.passphrase}"))
        serve.wait_status(d["live"]["id"], "streaming", 30)
        wait_for(lambda: nginx.stat().get(cls.keys["live"], {}).get("bytes_in", 0) > 0, 10, "nginx gets the key")
        serve.wait_status(d["dead"]["id"], "error", 20)
        serve.wait_status(d["inurl"]["id"], "error", 20)
        serve.wait_status(d["srt"]["id"], "error", 30)
        wait_for(lambda: serve.destination(d["dead"]["id"])["stats"]["reconnects"] >= 2, 20, "retries of dead")
        scrape()

        # Rotate the live key, rename, move the dead one.
        serve.api("PATCH", f"/destinations/{d['live']['id']}", {"stream_key": cls.keys["rotated"]}, expect=200)
        wait_for(lambda: nginx.stat().get(cls.keys["rotated"], {}).get("bytes_in", 0) > 0, 20, "the rotated key")
        serve.wait_status(d["live"]["id"], "streaming", 20)
        serve.api("PATCH", f"/destinations/{d['live']['id']}", {"name": "live renamed"}, expect=200)
        serve.api("PATCH", f"/destinations/{d['dead']['id']}", {"url": f"rtmp://127.0.0.1:{free_port()}/live"},
                  expect=200)
        serve.wait_status(d["dead"]["id"], "error", 20)
        scrape()
        cls.store_while_running = read_store(serve.data_dir)

        # A restart: what was on comes back; the event stream resumes.
        last = cls.sse[-1].snapshot()[-1][0]
        for reader in cls.sse:
            reader.close()
        encoders[-1].stop(signal.SIGKILL)
        serve.restart()
        cls.sse.append(RecordingSse(serve, last_event_id=last))
        encoders.append(publish_srt(srt_port, 40, extra_url=f"&passphrase={cls.passphrase}"))
        serve.wait_status(d["live"]["id"], "streaming", 30)
        serve.wait_status(d["dead"]["id"], "error", 20)
        scrape()
        cls.ingest_after_restart = serve.api("GET", f"/channels/{cid}/ingest", expect=200)
        cls.ingest_indexes.add(len(serve.transcript) - 1)
        serve.api("GET", "/destinations", expect=200)
        serve.api("GET", "/channels", expect=200)

        # Stop, delete, delete the channel.
        for name in ("live", "dead", "srt", "inurl"):
            serve.api("POST", f"/destinations/{d[name]['id']}/stop", expect=202)
        for name in ("live", "dead", "srt", "inurl"):
            serve.wait_status(d[name]["id"], "ready", 15)
        scrape()
        serve.api("POST", f"/destinations/{d['live']['id']}/start", expect=202)
        serve.wait_status(d["live"]["id"], "streaming", 30)
        serve.api("DELETE", f"/destinations/{d['dead']['id']}", expect=204)
        serve.api("DELETE", f"/channels/{cid}?force=true", expect=204)
        wait_for(lambda: nginx.stat().get(cls.keys["rotated"], {}).get("nclients", 0) == 0, 15, "nginx idle")
        scrape()
        cls.events = [e for reader in cls.sse for e in reader.snapshot()]
        cls.sse_raw = [b for reader in cls.sse for b in reader.raw]
        for reader in cls.sse:
            reader.close()
        encoders[-1].stop(signal.SIGKILL)
        serve.stop(signal.SIGINT)
        cls.output = serve.all_output()
        cls.store_after_stop = read_store(serve.data_dir)

    # ---- where the secrets must never be ------------------------------------------------------------------

    def never(self):
        """Every secret that must not appear anywhere (the channel's ones are checked apart)."""
        out = {f"stream key ({k})": v for k, v in self.keys.items()}
        out["admin token"] = self.admin_token
        return out

    def channel_secrets(self):
        return {"SRT passphrase": self.passphrase, "channel RTMP key": self.rtmp_key}

    def leaks(self, secrets_by_name, places):
        """[(secret name, place name)] for every secret found in a place ({name: text or bytes})."""
        found = []
        for secret_name, secret in secrets_by_name.items():
            for place, content in places.items():
                needle = secret.encode() if isinstance(content, bytes) else secret
                if needle in content:
                    found.append((secret_name, place))
        return found

    def responses(self, allowed=frozenset()):
        places = {}
        for i, (method, path, status, headers, body) in enumerate(self.serve.transcript):
            if i in allowed:
                continue
            places[f"#{i} {method} {path} -> {status} headers"] = headers
            places[f"#{i} {method} {path} -> {status} body"] = body
        return places

    def test_the_scan_saw_real_traffic(self):
        """The places scanned are the real ones: the keys were used, the store and logs are the server's."""
        self.assertGreater(len(self.serve.transcript), 50)
        self.assertGreater(len(self.events), 20)
        destination_events = {e[2]["id"] for e in self.events if e[1] == "destination"}
        self.assertTrue({d["id"] for d in self.destinations.values()} <= destination_events)
        statuses = {e[2]["status"] for e in self.events if e[1] == "destination"}
        self.assertTrue({"ready", "starting", "streaming", "error", "stopping"} <= statuses, statuses)
        self.assertIn("event=output_error", self.output)
        self.assertIn("event=output_live", self.output)
        self.assertIn("event=serve_started", self.output)
        self.assertEqual(self.output.count("Lunora is running"), 2, "both runs' output was collected")
        for files in (self.store_while_running, self.store_after_stop):
            blob = b"".join(files.values())
            self.assertIn(self.destinations["live"]["id"].encode(), blob)
        self.assertTrue(self.metrics and all("lunora_destination_status" in m for m in self.metrics))

    def test_never_in_responses(self):
        allowed = {self.channel_create_index} | self.ingest_indexes
        self.assertEqual(self.leaks(self.never(), self.responses()), [])
        self.assertEqual(self.leaks(self.channel_secrets(), self.responses(allowed)), [])

    def test_never_in_events(self):
        places = {f"event block {i}": block for i, block in enumerate(self.sse_raw)}
        self.assertEqual(self.leaks({**self.never(), **self.channel_secrets()}, places), [])

    def test_never_in_metrics(self):
        places = {f"scrape {i}": text for i, text in enumerate(self.metrics)}
        self.assertEqual(self.leaks({**self.never(), **self.channel_secrets()}, places), [])

    def test_never_in_logs(self):
        self.assertEqual(self.leaks({**self.never(), "SRT passphrase": self.passphrase},
                                    {"stderr+stdout": self.output}), [])
        # The channel's RTMP key is not the `main` channel's: `main`'s alone is printed on first start.
        self.assertEqual(self.leaks({"channel RTMP key": self.rtmp_key}, {"stderr+stdout": self.output}), [])

    def test_never_in_the_store(self):
        for when, files in (("while running", self.store_while_running), ("after stop", self.store_after_stop)):
            places = {f"{name} {when}": data for name, data in files.items()}
            self.assertIn("lunora.db", files)
            self.assertEqual(self.leaks({**self.never(), **self.channel_secrets()}, places), [])

    def test_secrets_inside_destination_urls_never_leak(self):
        """A key typed into a custom RTMP URL and a passphrase inside an srt:// URL are secrets too: the API shows
        them only as hints (docs/openapi.yaml, Destination.url), and they are encrypted at rest like keys."""
        places = dict(self.responses())
        places.update({f"event block {i}": block for i, block in enumerate(self.sse_raw)})
        places.update({f"scrape {i}": text for i, text in enumerate(self.metrics)})
        places["stderr+stdout"] = self.output
        for when, files in (("while running", self.store_while_running), ("after stop", self.store_after_stop)):
            places.update({f"{name} {when}": data for name, data in files.items()})
        self.assertEqual(self.leaks(self.url_secrets, places), [])

    # ---- where the channel secrets are shown --------------------------------------------------------------

    def test_passphrase_shown_exactly_where_documented(self):
        ingest = self.channel_created["ingest"]
        self.assertEqual(ingest["passphrase"], self.passphrase)
        self.assertIn(f"passphrase={self.passphrase}", ingest["srt_url"])
        self.assertEqual(ingest["rtmp_key"], self.rtmp_key)
        for shown in (self.ingest, self.ingest_after_restart):
            self.assertEqual(shown["passphrase"], self.passphrase)
            self.assertIn(f"passphrase={self.passphrase}", shown["srt_url"])
            self.assertEqual(shown["rtmp_key"], self.rtmp_key)
        for channel in (self.channel_created, self.channel_get):
            self.assertTrue(channel["input"]["passphrase_set"])
            without_ingest = {k: v for k, v in channel.items() if k != "ingest"}
            self.assertNotIn(self.passphrase, json.dumps(without_ingest))
            self.assertNotIn(self.rtmp_key, json.dumps(without_ingest))
        # Destinations show a hint of their key, never the key.
        self.assertEqual(self.destinations["live"]["stream_key_hint"], "…" + self.keys["live"][-4:])
        self.assertEqual(self.destinations["youtube"]["stream_key_hint"], "…" + self.keys["youtube"][-4:])

    def test_the_keys_reached_the_destination(self):
        """Positive control: the secrets scanned for are the ones that really went out."""
        for name in ("live", "rotated"):
            recording = self.nginx.recording(self.keys[name])
            self.assertTrue(os.path.exists(recording) and os.path.getsize(recording) > 10000,
                            f"nginx recorded nothing under the {name} key")


class AdminTokenTest(unittest.TestCase):
    def test_generated_token_file_modes_and_printed_once(self):
        serve = Serve(token=None)
        self.addCleanup(serve.cleanup)
        token_path = os.path.join(serve.data_dir, "admin-token")
        key_path = os.path.join(serve.data_dir, "secret.key")
        wait_for(lambda: "Admin token" in "".join(serve.stdout_all), 10, "the admin token line")
        with open(token_path) as f:
            token = f.read().strip()
        self.assertGreaterEqual(len(token), 24)
        for path in (token_path, key_path):
            mode = stat.S_IMODE(os.stat(path).st_mode)
            self.assertEqual(mode, 0o600, f"{path} has mode {oct(mode)}")
        self.assertEqual(stat.S_IMODE(os.stat(serve.data_dir).st_mode) & 0o077, 0, "data dir open to others")
        stdout = "".join(serve.stdout_all)
        self.assertEqual(stdout.count(token), 1, stdout)
        self.assertNotIn(token, serve.stderr_text())

        # The token works; a wrong one does not.
        self.assertEqual(serve.request("GET", "/api/v1/channels", token=token)[0], 200)
        self.assertEqual(serve.request("GET", "/api/v1/channels", token=token[:-1] + "x")[0], 401)
        # It is stored hashed.
        store = b"".join(read_store(serve.data_dir).values())
        self.assertNotIn(token.encode(), store)

        # A restart does not print it again, and it still works.
        serve.restart()
        wait_for(lambda: "Admin token" in "".join(serve.stdout_all), 10, "the admin token line after restart")
        again = "".join(serve.stdout_all)
        self.assertNotIn(token, again)
        self.assertIn(token_path, again)
        self.assertNotIn(token, serve.stderr_text())
        with open(token_path) as f:
            self.assertEqual(f.read().strip(), token)
        self.assertEqual(stat.S_IMODE(os.stat(token_path).st_mode), 0o600)
        self.assertEqual(serve.request("GET", "/api/v1/channels", token=token)[0], 200)
        serve.stop(signal.SIGINT)
        store = b"".join(read_store(serve.data_dir).values())
        self.assertNotIn(token.encode(), store)

    def test_configured_token_is_neither_printed_nor_written(self):
        serve = Serve()
        self.addCleanup(serve.cleanup)
        wait_for(lambda: "Admin token" in "".join(serve.stdout_all), 10, "the admin token line")
        self.assertNotIn(TOKEN, "".join(serve.stdout_all) + serve.stderr_text())
        self.assertFalse(os.path.exists(os.path.join(serve.data_dir, "admin-token")))
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(serve.data_dir, "secret.key")).st_mode), 0o600)


if __name__ == "__main__":
    main()
