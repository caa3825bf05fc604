"""Outputs join and leave a live hub without disturbing the others; a dead or stalled destination stays isolated."""
import signal
import socket
import threading
import time

import harness
from harness import IntegrationTest, Nginx, RecordingCheck, free_port, publish_srt, wait_for

FPS = 30


class LiveOutputsTest(IntegrationTest):
    def test_add_and_remove_outputs_on_a_live_hub(self):
        nginx = self.nginx()
        port = free_port()
        relay = self.relay(f"srt://127.0.0.1:{port}?mode=listener", [nginx.url("steady")], commands=True)
        encoder = self.process(publish_srt(port, 14))
        relay.wait_stats(lambda s: s["outputs"][0]["state"] == "live" and s["outputs"][0]["bytes"] > 0, 20,
                         "first output live")
        wait_for(lambda: "steady" in nginx.stat() and nginx.stat()["steady"].get("publisher_id"), 10,
                 "nginx to see the publisher")
        before = nginx.stat()["steady"]

        added_at = time.monotonic()
        relay.send(f"add {nginx.url('joiner')}")
        joined = relay.wait_event("output_added")
        relay.wait_stats(lambda s: any(o["id"] == joined["id"] and o["state"] == "live" and o["bytes"] > 0
                                       for o in s["outputs"]), 10, "added output live")
        wait_for(lambda: nginx.stat().get("joiner", {}).get("bytes_in", 0) > 0, 10, "joiner's media at nginx")
        time_to_media = time.monotonic() - added_at
        self.assertLess(time_to_media, 5, "a joiner starts at once from the GOP cache")
        time.sleep(2)
        relay.send(f"remove {joined['id']}")
        relay.wait_event("output_removed")
        wait_for(lambda: "joiner" not in nginx.stat() or nginx.stat()["joiner"]["nclients"] == 0, 10,
                 "joiner gone from nginx")

        after = nginx.stat()["steady"]
        self.assertEqual(after["publisher_id"], before["publisher_id"], "the steady output never reconnected")
        self.assertGreater(after["publisher_time"], before["publisher_time"])
        stats = relay.poll_stats()
        steady = next(o for o in stats["outputs"] if o["id"] == 1)
        self.assertEqual(steady["reconnects"], 0)
        self.assertEqual(steady["dropped_packets"], 0)
        encoder.proc.wait(30)
        relay.wait_stats(lambda s: not s["input"]["connected"], 15, "input to end")
        self.stop_relay(relay)
        nginx.stop()
        steady_rec = RecordingCheck(nginx.recording("steady"))
        steady_rec.assert_valid(self, 640, 360, min_frames=int(14 * FPS * 0.93), max_frames=14 * FPS + 2)
        self.assertLess(steady_rec.max_gap(steady_rec.video_dts()), 0.2, "no timestamp gap while others came and went")
        joiner_rec = RecordingCheck(nginx.recording("joiner"))
        self.assertLess(joiner_rec.video_dts()[0], 0.5, "a joiner's timestamps start near 0")
        self.assertEqual(decode := harness.decode_errors(nginx.recording("joiner")), "", decode)

    def test_dead_destination_reconnects_and_others_never_notice(self):
        stable = self.nginx()
        flaky = self.nginx()
        port = free_port()
        relay = self.relay(f"srt://127.0.0.1:{port}?mode=listener", [stable.url("stable"), flaky.url("flaky")])
        self.process(publish_srt(port, 25))
        relay.wait_stats(lambda s: all(o["state"] == "live" and o["bytes"] > 0 for o in s["outputs"]), 20,
                         "both outputs live")
        flaky.kill()
        stats = relay.wait_stats(lambda s: s["outputs"][1]["state"] in ("retrying", "connecting"), 10,
                                 "flaky output to notice")
        down_at = time.monotonic()
        time.sleep(3)
        flaky.start()
        relay.wait_stats(lambda s: s["outputs"][1]["state"] == "live" and s["outputs"][1]["reconnects"] >= 1, 15,
                         "flaky output to come back")
        # Backoff capped at 2 s in the harness: back within the cap plus a connect after nginx returns.
        self.assertLess(time.monotonic() - down_at, 3 + 2 + 3)
        stats = relay.poll_stats()
        self.assertIsNotNone(stats["outputs"][1]["last_error"])
        self.assertEqual(stats["outputs"][0]["reconnects"], 0)
        self.assertEqual(stats["outputs"][0]["dropped_packets"], 0)
        self.assertEqual(stats["outputs"][0]["state"], "live")
        self.stop_relay(relay)

    def test_stalled_destination_drops_alone(self):
        # A destination whose network stalls after it went live: the proxy stops reading from lunora.
        nginx = self.nginx()
        proxy = FreezableProxy(nginx.rtmp_port)
        self.addCleanup(proxy.close)
        port = free_port()
        relay = self.relay(f"srt://127.0.0.1:{port}?mode=listener",
                           [nginx.url("healthy"), f"rtmp://127.0.0.1:{proxy.port}/live/stalled"],
                           extra=["--queue-ms", "1000"])
        self.process(publish_srt(port, 40, size="1280x720", bitrate="6M"))
        relay.wait_stats(lambda s: all(o["state"] == "live" and o["bytes"] > 0 for o in s["outputs"]), 20,
                         "both outputs live")
        proxy.freeze()
        stats = relay.wait_stats(lambda s: s["outputs"][1]["dropped_packets"] > 0, 30, "the stalled output to drop")
        healthy = stats["outputs"][0]
        self.assertEqual(healthy["dropped_packets"], 0)
        self.assertEqual(healthy["reconnects"], 0)
        self.assertEqual(healthy["state"], "live")
        rates = []
        for _ in range(3):
            time.sleep(1.1)
            rates.append(relay.poll_stats()["outputs"][0]["bitrate_kbps"])
        self.assertGreater(min(rates), 1000, f"the healthy output keeps full rate: {rates}")
        self.assertEqual(relay.poll_stats()["outputs"][0]["dropped_packets"], 0)
        # A write that makes no progress for 10 s ends that connection alone, classified as a timeout.
        stats = relay.wait_stats(lambda s: s["outputs"][1]["last_error_code"] == "timeout", 30, "write timeout")
        self.assertIn("stopped reading", stats["outputs"][1]["last_error"])
        self.assertEqual(stats["outputs"][0]["reconnects"], 0)
        self.stop_relay(relay)


class FreezableProxy:
    """A TCP proxy to nginx that can stop reading from its client, like a destination whose network stalls."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen()
        self.port = self.listener.getsockname()[1]
        self.frozen = threading.Event()
        self.sockets = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, src, dst, from_client):
        while True:
            if from_client and self.frozen.is_set():
                time.sleep(0.1)
                continue
            try:
                data = src.recv(65536)
                if not data:
                    return
                dst.sendall(data)
            except OSError:
                return

    def freeze(self):
        self.frozen.set()

    def close(self):
        for s in [self.listener] + self.sockets:
            try:
                s.close()
            except OSError:
                pass


if __name__ == "__main__":
    harness.main()
