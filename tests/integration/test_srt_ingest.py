"""ffmpeg -> SRT -> lunora relay -> three outputs on a real nginx-rtmp: what nginx records is the stream sent."""
import harness
from harness import IntegrationTest, RecordingCheck, free_port, publish_srt, wait_for

SECONDS = 8
FPS = 30


class SrtIngestTest(IntegrationTest):
    def test_three_rtmp_outputs_record_what_was_sent(self):
        nginx = self.nginx()
        port = free_port()
        keys = ["alpha", "bravo", "charlie"]
        relay = self.relay(f"srt://127.0.0.1:{port}?mode=listener&latency=120",
                           [nginx.url(k) for k in keys])
        relay.wait_stats(lambda s: len(s["outputs"]) == 3, 10, "outputs registered")
        encoder = self.process(publish_srt(port, SECONDS))

        stats = relay.wait_stats(
            lambda s: s["input"]["connected"] and s["input"]["width"] == 640 and
            all(o["state"] == "live" and o["bytes"] > 0 for o in s["outputs"]), 20, "input connected, outputs live")
        self.assertEqual(stats["input"]["codec"], "h264")
        self.assertEqual(stats["input"]["audio_codec"], "aac")
        self.assertEqual(stats["input"]["height"], 360)
        self.assertAlmostEqual(stats["input"]["fps"], FPS, delta=0.5)
        self.assertEqual(stats["input"]["audio_sample_rate"], 48000)
        self.assertGreater(stats["input"]["bitrate_kbps"], 100)
        for o in stats["outputs"]:
            self.assertNotIn("alpha", o["url"], "stream keys must not appear in stats")

        encoder.proc.wait(SECONDS + 20)
        relay.wait_stats(lambda s: not s["input"]["connected"], 15, "input to disconnect")
        final = relay.poll_stats()
        for o in final["outputs"]:
            self.assertEqual(o["dropped_packets"], 0, o)
            self.assertEqual(o["reconnects"], 0, o)
        self.stop_relay(relay)
        self.assertIn("event=relay_stopped", relay.stderr_text())
        nginx.stop()

        for key in keys:
            RecordingCheck(nginx.recording(key)).assert_valid(
                self, 640, 360, min_frames=int(SECONDS * FPS * 0.93), max_frames=SECONDS * FPS + 2)

    def test_passphrase_and_streamid_are_enforced(self):
        port = free_port()
        relay = self.relay(f"srt://127.0.0.1:{port}?mode=listener&passphrase=ingest-secret-123&streamid=cam-1")
        relay.wait_stats(lambda s: True, 10, "relay up")
        for extra in ("&passphrase=ingest-secret-123&streamid=cam-2",   # wrong streamid
                      "&passphrase=not-the-secret-9&streamid=cam-1",     # wrong passphrase
                      "&streamid=cam-1"):                                # no encryption
            caller = self.process(publish_srt(port, 2, extra_url=extra))
            caller.proc.wait(30)
            self.assertNotEqual(caller.proc.returncode, 0, f"{extra} must be refused")
        stats = relay.poll_stats()
        self.assertEqual(stats["input"]["connections"], 0)
        self.assertIn("reason=wrong_streamid", relay.stderr_text())
        self.assertNotIn("ingest-secret-123", relay.stderr_text())
        good = self.process(publish_srt(port, 3, extra_url="&passphrase=ingest-secret-123&streamid=cam-1"))
        relay.wait_stats(lambda s: s["input"]["connected"] and s["input"]["width"] == 640, 20, "the right caller")
        good.proc.wait(30)
        self.stop_relay(relay)


if __name__ == "__main__":
    harness.main()
