"""`lunora lambda` with a relay node (issue 10: "hybrid mode when a relay node URL is configured"): the function
(on the fake Runtime API) and a `lunora serve --lambda-relay` node share one DynamoDB table (dynalite); the
function's LUNORA_RELAY_NODE_URL names the node's API.

- A hybrid channel asked of the function is made by the relay node (the function's default engine and role go
  with the request), which drives it: MediaLive's channel (the fake) and the relay's fan-out. ffmpeg stands in
  for MediaLive's one RTMP output; nginx-rtmp is the destination. Every command on it, asked of the function,
  lands on the relay node; the function reads its statuses from the table.
- A MediaLive direct channel stays the function's: the relay node never drives it and refuses commands on it.
- A relay node that does not answer is a 502 naming it; without LUNORA_RELAY_NODE_URL hybrid channels are refused.
- A relay node behind a TLS proxy (https://): the function checks its certificate and name.
"""
import os
import socket
import ssl
import subprocess
import tempfile
import threading

from harness import free_port, probe, publish_rtmp, wait_for
from serve_harness import Serve
from test_lambda import ENCODER, LambdaCase

RTMP_PUSH = {"type": "RTMP_PUSH", "rtmp_stream": "live/encoder", "allowed_cidr": "198.51.100.0/24"}


class TlsProxy:
    """Terminates TLS on 127.0.0.1 (certificate for `localhost`, made here) and pipes each connection to a plain
    TCP port, as a relay node's reverse proxy would."""

    def __init__(self, target_port):
        self.dir = tempfile.mkdtemp(prefix="lunora-tls-proxy-")
        self.cert = os.path.join(self.dir, "cert.pem")
        key = os.path.join(self.dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                        "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-keyout", key,
                        "-out", self.cert], check=True, capture_output=True)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(self.cert, key)
        self.target_port = target_port
        self.port = free_port()
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(raw,), daemon=True).start()

    def _serve(self, raw):
        try:
            client = self.context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()  # a client that did not trust the certificate
            return
        upstream = socket.create_connection(("127.0.0.1", self.target_port))

        def pipe(source, sink):
            try:
                while data := source.recv(65536):
                    sink.sendall(data)
            except OSError:
                pass
            finally:
                for s in (source, sink):
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        back = threading.Thread(target=pipe, args=(upstream, client), daemon=True)
        back.start()
        pipe(client, upstream)
        back.join(10)
        client.close()
        upstream.close()

    def close(self):
        self.listener.close()


class LambdaRelayTest(LambdaCase):
    def relay(self, table):
        serve = Serve(env=self.aws_env(table), extra=[
            "--store", f"dynamodb:{table}", "--create-table", "--lambda-relay",
            "--medialive-poll-moving-ms", "150", "--medialive-poll-steady-ms", "600"])
        self.addCleanup(serve.cleanup)
        return serve

    def relay_url(self, ml_id):
        """(url, stream name) of the one RTMP output the fake MediaLive channel has: the relay into Lunora."""
        channel = self.fake.channel(ml_id)
        settings = {d["id"]: d["settings"][0] for d in channel["destinations"]}
        return settings["lunora-relay"]["url"], settings["lunora-relay"]["streamName"]

    def test_hybrid_channel_runs_on_the_relay_node(self):
        table = "lunora-relay"
        relay = self.relay(table)
        function = self.function(table, env={"LUNORA_RELAY_NODE_URL": f"http://127.0.0.1:{relay.http_port}"})

        # No engine and no role in the body: the function's defaults (medialive, its role) reach the relay node.
        made = function.api("POST", "/channels", {"name": "hybrid", "medialive": {"input": RTMP_PUSH}}, expect=201)
        self.assertEqual((made["engine"], made["medialive"]["mode"]), ("medialive", "hybrid"))
        self.assertEqual(made["node"]["url"], f"http://127.0.0.1:{relay.http_port}")  # the relay node made it
        channel_id = made["id"]
        # Viewers watch it on the relay node (the function serves no player page).
        self.assertTrue(function.api("GET", f"/channels/{channel_id}", expect=200)["playback_url"].startswith(
            f"http://127.0.0.1:{relay.http_port}/watch/{channel_id}"))
        self.assertEqual(relay.api("GET", f"/channels/{channel_id}", expect=200)["node"]["this"], True)

        def ready():
            channel = function.api("GET", f"/channels/{channel_id}", expect=200)
            return channel if channel["medialive"]["phase"] == "ready" and channel["medialive"]["channel_id"] else None
        ml_id = wait_for(ready, 30, "the relay node to make MediaLive's input and channel", interval=0.3)[
            "medialive"]["channel_id"]
        self.assertEqual(self.fake.channel(ml_id)["roleArn"], self.aws_env(table)["LUNORA_MEDIALIVE_ROLE_ARN"])
        url, stream = self.relay_url(ml_id)
        self.assertEqual(url, f"rtmp://127.0.0.1:{relay.rtmp_port}/live")

        # A destination and its start, asked of the function, are the relay node's to do.
        nginx = self.nginx()
        destination = function.api("POST", "/destinations", {
            "channel_id": channel_id, "name": "a", "platform": "custom",
            "url": nginx.url("a").rsplit("/", 1)[0], "stream_key": "a"}, expect=201)["id"]
        self.assertEqual(relay.destination(destination)["name"], "a")
        function.api("POST", f"/destinations/{destination}/start", expect=202)
        wait_for(lambda: self.fake.channel(ml_id)["state"] == "RUNNING", 20, "the relay node to start MediaLive")
        publisher = self.process(publish_rtmp(f"{url}/{stream}", 12, size="640x360"))

        def status(wanted):
            return lambda: function.api("GET", f"/destinations/{destination}", expect=200)["status"] == wanted
        wait_for(status("streaming"), 30, "the function to read `streaming` from the table", interval=0.3)
        # The list (the GUI's poll) says so too.
        listed = {d["id"]: d for d in function.api("GET", "/destinations", expect=200)["destinations"]}
        self.assertEqual(listed[destination]["status"], "streaming")
        publisher.proc.wait(40)

        function.api("POST", f"/destinations/{destination}/stop", expect=202)
        wait_for(status("ready"), 20, "the destination to stop")
        wait_for(lambda: self.fake.channel(ml_id)["state"] == "IDLE", 20, "the relay node to stop MediaLive")
        streams, _ = probe(nginx.recording("a"))
        video = [s for s in streams.values() if s["codec_type"] == "video"]
        self.assertEqual([(v["width"], v["height"]) for v in video], [(640, 360)])

        # A MediaLive direct channel stays the function's: made and driven there, refused by the relay node.
        direct = self.direct_channel(function, name="direct")
        self.assertIsNone(direct.get("node"))
        self.wait_ready(function, direct["id"])
        status_code, body = relay.api("POST", "/destinations", {
            "channel_id": direct["id"], "name": "d", "platform": "custom",
            "url": "rtmp://127.0.0.1:1935/live", "stream_key": "d"})
        self.assertEqual(status_code, 409, body)
        self.assertEqual(body["error"]["code"], "driven_by_lambda")
        # Mirrored from the table: the relay node reads the log on its next tick.
        wait_for(lambda: relay.api("GET", f"/channels/{direct['id']}", expect=200)["medialive"]["phase"] == "ready",
                 10, "the relay node to mirror the direct channel's MediaLive phase", interval=0.1)

        # A local channel asked of the function is the relay node's too.
        studio = function.api("POST", "/channels", {"name": "studio", "engine": "local",
                                                    "input": {"protocol": "rtmp"}}, expect=201)
        self.assertEqual(studio["engine"], "local")
        self.assertTrue(relay.api("GET", f"/channels/{studio['id']}", expect=200)["node"]["this"])
        self.assertIn(f"127.0.0.1:{relay.rtmp_port}/", studio["ingest"]["rtmp_url"])

        # The relay node gone: its channels' commands say so; the function's own still answer.
        relay.stop()
        status_code, body = function.api("POST", f"/destinations/{destination}/start")
        self.assertEqual(status_code, 502, body)
        self.assertEqual(body["error"]["code"], "node_unreachable")
        self.assertIn(f"127.0.0.1:{relay.http_port}", body["error"]["message"])
        function.api("GET", f"/channels/{direct['id']}", expect=200)
        names = sorted(c["name"] for c in function.api("GET", "/channels", expect=200)["channels"])
        self.assertEqual(names, ["direct", "hybrid", "studio"])

        # An environment without LUNORA_RELAY_NODE_URL reads the relay node's channels and says what it needs.
        unrelayed = self.function(table)
        def seen():
            medialive = unrelayed.api("GET", f"/channels/{channel_id}", expect=200)["medialive"]
            return (medialive["phase"], medialive["state"]) == ("ready", "IDLE")
        wait_for(seen, 10, "MediaLive's last state as the relay node saw it", interval=0.2)
        status_code, body = unrelayed.api("POST", f"/destinations/{destination}/start")
        self.assertEqual(status_code, 503, body)
        self.assertEqual(body["error"]["code"], "relay_node_needed")
        self.assertIn("LUNORA_RELAY_NODE_URL", body["error"]["message"])
        self.assertEqual(unrelayed.api("GET", f"/destinations/{destination}", expect=200)["status"], "ready")

    def test_relay_node_behind_https(self):
        table = "lunora-relay-tls"
        relay = self.relay(table)
        proxy = TlsProxy(relay.http_port)
        self.addCleanup(proxy.close)
        url = f"https://localhost:{proxy.port}"
        # The proxy's certificate is the only one the function trusts (SSL_CERT_FILE, as OpenSSL reads it).
        function = self.function(table, env={"LUNORA_RELAY_NODE_URL": url, "SSL_CERT_FILE": proxy.cert})
        made = function.api("POST", "/channels", {"name": "studio", "engine": "local",
                                                  "input": {"protocol": "rtmp"}}, expect=201)
        self.assertTrue(relay.api("GET", f"/channels/{made['id']}", expect=200)["node"]["this"])
        function.api("PATCH", f"/channels/{made['id']}", {"auto_stop_after_s": 60}, expect=200)
        self.assertEqual(relay.api("GET", f"/channels/{made['id']}", expect=200)["auto_stop_after_s"], 60)

        # A function that does not trust the certificate never sends the token there.
        runtime = self.runtime()
        untrusting = self.function(table, runtime=runtime, env={"LUNORA_RELAY_NODE_URL": url,
                                                                "SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt"})
        status_code, body = untrusting.api("PATCH", f"/channels/{made['id']}", {"auto_stop_after_s": 90})
        self.assertEqual(status_code, 502, body)
        self.assertEqual(body["error"]["code"], "node_unreachable")
        self.assertIn("TLS", body["error"]["message"])
        self.assertEqual(relay.api("GET", f"/channels/{made['id']}", expect=200)["auto_stop_after_s"], 60)

    def test_without_a_relay_node_hybrid_and_local_are_refused(self):
        function = self.function("lunora-no-relay")
        for body, field in (({"name": "h", "medialive": {"input": RTMP_PUSH}}, "medialive.mode"),
                            ({"name": "l", "engine": "local"}, "engine")):
            status_code, answer = function.api("POST", "/channels", body)
            self.assertEqual(status_code, 422, answer)
            self.assertEqual(answer["error"]["field"], field)
            self.assertIn("LUNORA_RELAY_NODE_URL", answer["error"]["message"])
        # A bad relay URL is an init error naming the setting.
        runtime = self.runtime(freeze=False)
        bad = self.function("lunora-no-relay", runtime=runtime, env={"LUNORA_RELAY_NODE_URL": "ftp://relay"})
        self.assertEqual(bad.proc.wait(20), 1)
        self.assertEqual(len(runtime.init_errors), 1)
        self.assertIn("relay_node_url", runtime.init_errors[0].body["errorMessage"])


if __name__ == "__main__":
    import unittest
    unittest.main()
