"""The encoder drops and comes back (also with a new resolution): destinations stay connected, their timestamps
continue without going backwards, and they get the new sequence headers."""
import harness
from harness import IntegrationTest, RecordingCheck, free_port, publish_srt


class InputReconnectTest(IntegrationTest):
    def test_destinations_survive_an_encoder_restart(self):
        nginx = self.nginx()
        port = free_port()
        relay = self.relay(f"srt://127.0.0.1:{port}?mode=listener", [nginx.url("continuous")])
        first = self.process(publish_srt(port, 4))
        relay.wait_stats(lambda s: s["input"]["connected"] and s["outputs"][0]["state"] == "live", 20,
                         "first publisher live")
        first.proc.wait(30)
        relay.wait_stats(lambda s: not s["input"]["connected"], 15, "first publisher gone")

        # The encoder restarts with its clock back at 0 and a new resolution.
        second = self.process(publish_srt(port, 4, size="320x240"))
        relay.wait_stats(lambda s: s["input"]["connected"] and s["input"]["width"] == 320, 20,
                         "second publisher with the new resolution")
        second.proc.wait(30)
        stats = relay.wait_stats(lambda s: not s["input"]["connected"], 15, "second publisher gone")
        out = stats["outputs"][0]
        self.assertEqual(out["reconnects"], 0, "the destination stayed connected through the input's restart")
        self.assertEqual(out["state"], "live")
        self.assertEqual(stats["input"]["connections"], 2)
        self.stop_relay(relay)
        nginx.stop()

        rec = RecordingCheck(nginx.recording("continuous"))
        video = rec.video_dts()
        self.assertEqual([(a, b) for a, b in zip(video, video[1:]) if b < a], [], "video DTS went backwards")
        audio = rec.audio_dts()
        self.assertEqual([(a, b) for a, b in zip(audio, audio[1:]) if b < a], [], "audio DTS went backwards")
        # Both halves are there (4 s each at 30 fps) and the splice leaves no multi-second jump on the wire.
        self.assertGreaterEqual(len(video), int(8 * 30 * 0.9))
        self.assertLess(rec.max_gap(video), 0.5)
        self.assertEqual(harness.decode_errors(nginx.recording("continuous")), "",
                         "the new sequence headers let the decoder switch resolution cleanly")


if __name__ == "__main__":
    harness.main()
