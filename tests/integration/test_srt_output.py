"""An SRT output: lunora calls an ffmpeg SRT listener; what it receives is a TS that decodes."""
import os
import tempfile

import harness
from harness import IntegrationTest, Process, RecordingCheck, free_port, publish_rtmp, udp_port_taken, wait_for

SECONDS = 6


class SrtOutputTest(IntegrationTest):
    def test_srt_output_delivers_decodable_ts(self):
        out_dir = tempfile.mkdtemp(prefix="lunora-srt-out-")
        received = os.path.join(out_dir, "received.ts")
        listen_port = free_port()
        receiver = self.process(Process(
            ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i",
             f"srt://127.0.0.1:{listen_port}?mode=listener&passphrase=0123456789abcdef", "-c", "copy",
             "-f", "mpegts", received], "ffmpeg-srt-listener"))
        # On a loaded machine ffmpeg can take seconds to listen: the output's first call must find it, or the
        # short stream could end before the output's backoff brings it live.
        wait_for(lambda: udp_port_taken(listen_port), 15, "the ffmpeg SRT listener")
        ingest = free_port()
        relay = self.relay(f"rtmp://127.0.0.1:{ingest}/live/key",
                           [f"srt://127.0.0.1:{listen_port}?passphrase=0123456789abcdef"])
        encoder = self.process(publish_rtmp(f"rtmp://127.0.0.1:{ingest}/live/key", SECONDS))
        relay.wait_stats(lambda s: s["outputs"][0]["state"] == "live" and s["outputs"][0]["bytes"] > 100000, 20,
                         "SRT output live")
        encoder.proc.wait(SECONDS + 20)
        relay.wait_stats(lambda s: not s["input"]["connected"], 15, "publisher to leave")
        self.stop_relay(relay)
        wait_for(lambda: not receiver.alive(), 20, "the SRT listener to see the end of the stream")
        check = RecordingCheck(received)
        check.assert_valid(self, 640, 360, min_frames=int(SECONDS * 30 * 0.9), max_frames=SECONDS * 30 + 2)

    def test_wrong_passphrase_is_reported_as_such(self):
        listen_port = free_port()
        self.process(Process(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i",
                              f"srt://127.0.0.1:{listen_port}?mode=listener&passphrase=0123456789abcdef",
                              "-c", "copy", "-f", "null", "-"], "ffmpeg-srt-listener"))
        ingest = free_port()
        relay = self.relay(f"rtmp://127.0.0.1:{ingest}/live/key",
                           [f"srt://127.0.0.1:{listen_port}?passphrase=not-the-right-one"])
        self.process(publish_rtmp(f"rtmp://127.0.0.1:{ingest}/live/key", 8))
        stats = relay.wait_stats(lambda s: s["outputs"][0]["last_error"] is not None, 20, "an SRT error")
        self.assertIn("passphrase", stats["outputs"][0]["last_error"])
        self.assertNotIn("not-the-right-one", relay.stderr_text())


if __name__ == "__main__":
    harness.main()
