"""Input loss (issue 6): the encoder goes away for 5 s and restarts with its timestamps back at 0. The
destination never reconnects; after `input_loss_slate_after_ms` it gets the slate, then the input again at its
first keyframe; nginx-rtmp's recording shows input, slate, input with monotonic timestamps and no gap larger
than one frame interval, and decodes cleanly."""
import time

import harness
from harness import IntegrationTest, RecordingCheck, publish_srt, wait_for
from serve_harness import Serve

FRAME_S = 1 / 30


class InputLossTest(IntegrationTest):
    def test_slate_holds_the_destination_through_an_encoder_restart(self):
        nginx = self.nginx()
        serve = Serve()
        self.addCleanup(serve.cleanup)
        channel = serve.main_channel()
        self.assertEqual(channel["input_loss_slate_after_ms"], 1000)
        self.assertEqual(channel["input"]["slate"], {"on": False, "count": 0, "seconds": 0.0, "error": None})
        d = serve.add_destination(channel["id"], "nginx", f"rtmp://127.0.0.1:{nginx.rtmp_port}/live", "held")
        serve.api("POST", f"/destinations/{d['id']}/start", expect=202)

        # The encoder stops after 6 s; `linger` lets its last frames reach Lunora before the socket closes (an
        # encoder killed mid-GOP loses its own last B-frames, a hole Lunora could not fill).
        first = self.process(publish_srt(serve.srt_port, 6, gop=30, extra_url="&linger=2"))
        serve.wait_status(d["id"], "streaming", 20)
        first.proc.wait(30)
        slate = wait_for(lambda: (lambda i: i if i["slate"]["on"] else None)(serve.main_channel()["input"]), 5,
                         "the slate to go on")
        self.assertFalse(slate["connected"])
        time.sleep(4)
        self.assertEqual(serve.destination(d["id"])["status"], "streaming", "the destination stays live on the slate")

        self.process(publish_srt(serve.srt_port, 60, gop=30))  # a new ffmpeg: its clock starts at 0 again
        back = wait_for(lambda: (lambda i: i if i["connected"] and not i["slate"]["on"] else None)(
            serve.main_channel()["input"]), 15, "the input to take over again")
        self.assertEqual(back["slate"]["count"], 1)
        self.assertGreater(back["slate"]["seconds"], 3)
        time.sleep(4)
        final = serve.destination(d["id"])
        self.assertEqual(final["status"], "streaming")
        self.assertEqual(final["stats"]["reconnects"], 0, "the destination never reconnected")
        status, metrics, _ = serve.request("GET", "/metrics", auth=False)
        self.assertIn(f'lunora_channel_slate_seconds_total{{channel_id="{channel["id"]}"}}', metrics)
        serve.api("POST", f"/destinations/{d['id']}/stop", expect=202)
        serve.wait_status(d["id"], "ready", 15)
        nginx.stop()

        rec = RecordingCheck(nginx.recording("held"))
        # Input (~4 s) + slate (~5 s) + input (~4 s), all at 30 fps, and no hole between them: the pictures are
        # shown one frame interval apart throughout. (Decode times may step wider at a splice: the input's
        # B-frames are shown later than they are decoded, and no picture may be shown twice or out of order.)
        shown = rec.assert_spliced_cleanly(self)
        video = rec.video_dts()
        self.assertGreaterEqual(len(video), int(12 * 30 * 0.9))
        self.assertLessEqual(rec.max_gap(shown), FRAME_S + 0.002, "a gap over one frame interval")
        self.assertLessEqual(rec.max_gap(video), 5 * FRAME_S + 0.002)
        self.assertEqual(harness.decode_errors(nginx.recording("held")), "")

    def test_destinations_stop_after_input_loss_stop_after_s(self):
        nginx = self.nginx()
        serve = Serve()
        self.addCleanup(serve.cleanup)
        channel = serve.main_channel()
        self.assertEqual(channel["input_loss_stop_after_s"], 0)
        serve.api("PATCH", f"/channels/{channel['id']}", {"input_loss_stop_after_s": 2}, expect=200)
        d = serve.add_destination(channel["id"], "nginx", f"rtmp://127.0.0.1:{nginx.rtmp_port}/live", "gone")
        serve.api("POST", f"/destinations/{d['id']}/start", expect=202)
        encoder = self.process(publish_srt(serve.srt_port, 60, gop=30))
        serve.wait_status(d["id"], "streaming", 20)
        encoder.stop()
        wait_for(lambda: serve.main_channel()["input"]["slate"]["on"], 5, "the slate to go on")
        self.assertEqual(serve.destination(d["id"])["status"], "streaming")
        stopped = serve.wait_status(d["id"], "ready", 10)
        self.assertFalse(stopped["enabled"], "stopped as by POST .../stop: it stays off")
        self.assertEqual(serve.api("PATCH", f"/channels/{channel['id']}", {"input_loss_stop_after_s": 90000})[0], 422)

    def test_no_slate_when_switched_off(self):
        nginx = self.nginx()
        serve = Serve()
        self.addCleanup(serve.cleanup)
        channel = serve.main_channel()
        patched = serve.api("PATCH", f"/channels/{channel['id']}", {"input_loss_slate_after_ms": 0}, expect=200)
        self.assertEqual(patched["input_loss_slate_after_ms"], 0)
        self.assertEqual(serve.api("PATCH", f"/channels/{channel['id']}", {"input_loss_slate_after_ms": -1})[0], 422)
        self.assertEqual(serve.api("PATCH", f"/channels/{channel['id']}", {"input_loss_slate_after_ms": "1s"})[0], 422)
        d = serve.add_destination(channel["id"], "nginx", f"rtmp://127.0.0.1:{nginx.rtmp_port}/live", "bare")
        serve.api("POST", f"/destinations/{d['id']}/start", expect=202)
        encoder = self.process(publish_srt(serve.srt_port, 60, gop=30))
        serve.wait_status(d["id"], "streaming", 20)
        encoder.stop()
        wait_for(lambda: not serve.main_channel()["input"]["connected"], 10, "input down")
        time.sleep(2.5)
        self.assertEqual(serve.main_channel()["input"]["slate"]["count"], 0)
        # The setting survives a restart.
        serve.restart()
        self.assertEqual(serve.main_channel()["input_loss_slate_after_ms"], 0)


if __name__ == "__main__":
    harness.main()
