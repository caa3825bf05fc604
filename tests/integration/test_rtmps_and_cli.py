"""RTMPS through nginx `stream { ssl }` with a self-signed certificate, and clear errors for bad command lines."""
import subprocess

import harness
from harness import LUNORA, IntegrationTest, RecordingCheck, free_port, publish_srt

SECONDS = 6


class RtmpsTest(IntegrationTest):
    def test_rtmps_output_with_insecure_tls(self):
        nginx = self.nginx(tls=True)
        port = free_port()
        relay = self.relay(f"srt://127.0.0.1:{port}?mode=listener", [nginx.url("secure", tls=True)],
                           extra=["--insecure-tls"])
        encoder = self.process(publish_srt(port, SECONDS))
        relay.wait_stats(lambda s: s["outputs"][0]["state"] == "live" and s["outputs"][0]["bytes"] > 0, 20,
                         "rtmps output live")
        encoder.proc.wait(SECONDS + 20)
        relay.wait_stats(lambda s: not s["input"]["connected"], 15, "input to end")
        self.stop_relay(relay)
        nginx.stop()
        RecordingCheck(nginx.recording("secure")).assert_valid(
            self, 640, 360, min_frames=int(SECONDS * 30 * 0.93), max_frames=SECONDS * 30 + 2)

    def test_self_signed_certificate_is_refused_by_default(self):
        nginx = self.nginx(tls=True)
        port = free_port()
        relay = self.relay(f"srt://127.0.0.1:{port}?mode=listener", [nginx.url("secure", tls=True)])
        stats = relay.wait_stats(lambda s: s["outputs"][0]["last_error_code"] == "tls", 15, "a TLS error")
        self.assertIn("certificate", stats["outputs"][0]["last_error"])
        self.stop_relay(relay)


class CommandLineTest(IntegrationTest):
    def run_lunora(self, *args):
        return subprocess.run([LUNORA, *args], capture_output=True, text=True, timeout=20)

    def test_bad_urls_are_clear_errors(self):
        cases = [
            (["relay", "--input", "srt://127.0.0.1:9000"], "mode=listener"),
            (["relay", "--input", "http://x/y/z"], "unsupported scheme"),
            (["relay", "--input", "srt://127.0.0.1:9000?mode=listener", "--output", "rtmp://host/onlyapp"],
             "APP/KEY"),
            (["relay", "--input", "srt://127.0.0.1:9000?mode=listener&passphrase=short"], "passphrase"),
        ]
        for args, expected in cases:
            result = self.run_lunora(*args)
            self.assertEqual(result.returncode, 1, args)
            self.assertIn(expected, result.stderr, args)

    def test_port_in_use_is_a_clear_error(self):
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen()
            port = s.getsockname()[1]
            result = self.run_lunora("relay", "--input", f"rtmp://127.0.0.1:{port}/live/k")
        self.assertEqual(result.returncode, 1)
        self.assertIn("cannot listen", result.stderr)

    def test_unsupported_codec_on_rtmp_output_is_an_error_not_garbage(self):
        nginx = self.nginx()
        port = free_port()
        relay = self.relay(f"srt://127.0.0.1:{port}?mode=listener", [nginx.url("hevc")])
        encoder = self.process(harness.Process(
            ["ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
             "-t", "6", "-c:v", "libx265", "-preset", "ultrafast", "-f", "mpegts",
             f"srt://127.0.0.1:{port}?pkt_size=1316"], "ffmpeg-hevc"))
        stats = relay.wait_stats(lambda s: s["outputs"][0]["state"] == "failed", 20, "the output to refuse HEVC")
        self.assertIn("hevc", stats["outputs"][0]["last_error"])
        self.assertEqual(stats["outputs"][0]["last_error_code"], "unsupported_codec")
        encoder.proc.wait(30)
        self.stop_relay(relay)
        self.assertNotIn("hevc", nginx.stat(), "nothing reached the RTMP server")


if __name__ == "__main__":
    harness.main()
