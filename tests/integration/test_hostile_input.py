"""Garbage, truncated or hostile bytes on the ingest ports never crash lunora, and a real publisher still works."""
import random
import signal
import socket
import subprocess
import tempfile

import harness
from harness import IntegrationTest, free_port, publish_rtmp, publish_srt


class HostileInputTest(IntegrationTest):
    def test_garbage_on_the_rtmp_port(self):
        port = free_port()
        relay = self.relay(f"rtmp://127.0.0.1:{port}/live/key")
        relay.wait_stats(lambda s: True, 10, "relay up")
        rng = random.Random(1234)
        payloads = [
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",                    # the wrong protocol
            bytes([3]) + bytes(rng.getrandbits(8) for _ in range(5000)),  # a version byte, then noise
            bytes([3]) + bytes(700),                               # a truncated C1, then the peer vanishes
            bytes([3]) + bytes(1536) + bytes(1536) + bytes([0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x14]) +
            bytes(rng.getrandbits(8) for _ in range(3000)),        # a huge message length after the handshake
        ]
        for data in payloads:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                try:
                    s.sendall(data)
                    s.settimeout(1)
                    s.recv(65536)
                except OSError:
                    pass
        self.assertTrue(relay.alive(), relay.stderr_text()[-2000:])
        encoder = self.process(publish_rtmp(f"rtmp://127.0.0.1:{port}/live/key", 3))
        relay.wait_stats(lambda s: s["input"]["connected"] and s["input"]["width"] == 640, 20,
                         "a real publisher after the garbage")
        encoder.proc.wait(30)
        self.stop_relay(relay)

    def test_garbage_on_the_srt_port(self):
        port = free_port()
        relay = self.relay(f"srt://127.0.0.1:{port}?mode=listener")
        relay.wait_stats(lambda s: True, 10, "relay up")
        rng = random.Random(99)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for size in (1, 16, 64, 1316, 1500):
                for _ in range(50):
                    s.sendto(bytes(rng.getrandbits(8) for _ in range(size)), ("127.0.0.1", port))
        self.assertTrue(relay.alive())
        # An SRT caller whose TS payload is noise, then a real one.
        noise = tempfile.NamedTemporaryFile(prefix="lunora-noise-", suffix=".bin")
        self.addCleanup(noise.close)
        noise.write(bytes(rng.getrandbits(8) for _ in range(400_000)))
        noise.flush()
        # Raw PCM "audio" that is really noise: ffmpeg sends the bytes as they are, paced in real time.
        garbage = self.process(harness.Process(
            ["ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-f", "s16le", "-ar", "48000", "-ac", "2",
             "-i", noise.name, "-c", "copy", "-f", "s16le", f"srt://127.0.0.1:{port}?pkt_size=1316"], "srt-noise"))
        relay.wait_stats(lambda s: s["input"]["connections"] == 1 and s["input"]["bytes"] > 300_000, 20,
                         "the noise publisher accepted and demuxed")
        garbage.proc.wait(20)
        stats = relay.wait_stats(lambda s: not s["input"]["connected"], 20, "noise publisher gone")
        self.assertIsNone(stats["input"]["codec"], "noise yields no stream")
        self.assertTrue(relay.alive(), relay.stderr_text()[-2000:])
        encoder = self.process(publish_srt(port, 3))
        relay.wait_stats(lambda s: s["input"]["connected"] and s["input"]["width"] == 640, 20,
                         "a real publisher after the garbage")
        encoder.proc.wait(30)
        self.stop_relay(relay)
        self.assertIn("resyncs=", relay.stderr_text())


if __name__ == "__main__":
    harness.main()
