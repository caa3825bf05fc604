"""OBS-style RTMP publish into lunora relay: the right key restreams, a wrong key is refused and logged."""
import harness
from harness import IntegrationTest, Process, RecordingCheck, free_port, publish_rtmp

SECONDS = 6
FPS = 30


class RtmpIngestTest(IntegrationTest):
    def test_rtmp_publish_restreams_to_every_output(self):
        nginx = self.nginx()
        port = free_port()
        relay = self.relay(f"rtmp://127.0.0.1:{port}/live/s3cret-ingest-key", [nginx.url("one"), nginx.url("two")])
        relay.wait_stats(lambda s: len(s["outputs"]) == 2, 10, "outputs registered")
        encoder = self.process(publish_rtmp(f"rtmp://127.0.0.1:{port}/live/s3cret-ingest-key", SECONDS))
        stats = relay.wait_stats(lambda s: s["input"]["connected"] and s["input"]["width"] == 640 and
                                 all(o["state"] == "live" and o["bytes"] > 0 for o in s["outputs"]),
                                 20, "publisher live on every output")
        self.assertEqual(stats["input"]["codec"], "h264")
        self.assertEqual(stats["input"]["audio_codec"], "aac")
        encoder.proc.wait(SECONDS + 20)
        self.assertEqual(encoder.proc.returncode, 0, encoder.stderr_text())
        relay.wait_stats(lambda s: not s["input"]["connected"], 15, "publisher to leave")
        self.stop_relay(relay)
        self.assertNotIn("s3cret-ingest-key", relay.stderr_text(), "the ingest key must never be logged")
        nginx.stop()
        for key in ("one", "two"):
            RecordingCheck(nginx.recording(key)).assert_valid(
                self, 640, 360, min_frames=int(SECONDS * FPS * 0.93), max_frames=SECONDS * FPS + 2)

    def test_wrong_key_is_rejected_with_a_clear_log_line(self):
        port = free_port()
        relay = self.relay(f"rtmp://127.0.0.1:{port}/live/right-key")
        relay.wait_stats(lambda s: True, 10, "relay up")
        for url in (f"rtmp://127.0.0.1:{port}/live/wrong-key", f"rtmp://127.0.0.1:{port}/other/right-key"):
            encoder = self.process(publish_rtmp(url, 3))
            encoder.proc.wait(30)
            self.assertNotEqual(encoder.proc.returncode, 0, "ffmpeg must see the publish refused")
        log = relay.stderr_text()
        self.assertIn("event=input_rejected protocol=rtmp", log)
        self.assertIn("reason=wrong_app_or_key", log)
        self.assertNotIn("wrong-key", log, "even a wrong key is only shown as a hint")
        stats = relay.poll_stats()
        self.assertFalse(stats["input"]["connected"])
        self.assertEqual(stats["input"]["connections"], 0)
        self.stop_relay(relay)


if __name__ == "__main__":
    harness.main()
