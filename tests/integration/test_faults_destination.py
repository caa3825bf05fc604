"""A destination server dies (SIGKILL) and comes back on the same port while `lunora serve` streams (issue 6,
fault-injection suite): that destination goes to `error` ("retrying", with the reason and the next retry) and
back to `streaming` on its own; the other destination never notices: it stays `streaming` throughout (as its
events show), never reconnects or drops, and its nginx-rtmp recording is complete."""
import time

from harness import IntegrationTest, RecordingCheck, decode_errors, main, publish_srt, wait_for
from serve_harness import Serve

FPS = 30
SECONDS = 40


class DestinationFaultsTest(IntegrationTest):
    def test_destination_server_killed_and_restarted(self):
        steady_server = self.nginx()
        victim_server = self.nginx()
        serve = Serve()
        self.addCleanup(serve.cleanup)
        channel = serve.main_channel()
        # No slate: once the encoder is done, the steady recording holds exactly what it sent.
        serve.api("PATCH", f"/channels/{channel['id']}", {"input_loss_slate_after_ms": 0}, expect=200)
        steady = serve.add_destination(channel["id"], "steady", f"rtmp://127.0.0.1:{steady_server.rtmp_port}/live",
                                       "steady")["id"]
        victim = serve.add_destination(channel["id"], "victim", f"rtmp://127.0.0.1:{victim_server.rtmp_port}/live",
                                       "victim")["id"]
        for d in (steady, victim):
            serve.api("POST", f"/destinations/{d}/start", expect=202)
        encoder = self.process(publish_srt(serve.srt_port, SECONDS, gop=FPS, extra_url="&linger=2"))
        for d in (steady, victim):
            serve.wait_status(d, "streaming", 30)
        sse = serve.events()
        self.addCleanup(sse.close)
        self.assertEqual(sse.status, 200)
        time.sleep(3)

        victim_server.kill()
        down = serve.wait_status(victim, "error", 20)
        self.assertEqual(down["status_detail"], "retrying", down)
        self.assertTrue(down["enabled"], "a failure does not switch the destination off")
        self.assertIsNotNone(down["last_error"], down)
        self.assertTrue(down["last_error"]["code"] and down["last_error"]["message"], down)
        # While nginx is away every attempt is refused; Lunora keeps trying on its own.
        refused = wait_for(lambda: (lambda d: d if d["stats"]["reconnects"] >= 2 and d["next_retry_at"] else None)(
            serve.destination(victim)), 20, "Lunora to retry the dead destination")
        self.assertEqual(refused["status"], "error", refused)
        self.assertEqual(refused["last_error"]["code"], "refused", refused)
        self.assertEqual(serve.destination(steady)["status"], "streaming")

        victim_server.start()  # the same port, as a restarted server would
        back = serve.wait_status(victim, "streaming", 30)
        self.assertGreaterEqual(back["stats"]["reconnects"], 2)
        wait_for(lambda: victim_server.stat().get("victim", {}).get("bytes_in", 0) > 0, 15,
                 "media at the restarted destination")

        encoder.proc.wait(SECONDS + 30)
        self.assertEqual(encoder.proc.returncode, 0, encoder.stderr_text())
        wait_for(lambda: not serve.main_channel()["input"]["connected"], 15, "the input to end")
        final = serve.destination(steady)
        self.assertEqual(final["status"], "streaming", final)
        self.assertEqual(final["stats"]["reconnects"], 0, f"the steady destination reconnected: {final}")
        self.assertEqual(final["stats"]["dropped_packets"], 0, f"the steady destination dropped: {final}")
        events = [e[2] for e in sse.snapshot() if e[1] == "destination"]
        statuses = [e["status"] for e in events if e["id"] == steady]
        self.assertEqual([s for s in statuses if s != "streaming"], [], f"the steady destination left: {statuses}")
        victim_statuses = [e["status"] for e in events if e["id"] == victim]
        self.assertIn("error", victim_statuses)
        self.assertEqual(victim_statuses[-1], "streaming", victim_statuses)

        for d in (steady, victim):
            serve.api("POST", f"/destinations/{d}/stop", expect=202)
        for d in (steady, victim):
            serve.wait_status(d, "ready", 20)
        self.assertTrue(serve.alive())
        steady_server.stop()
        victim_server.stop()
        rec = RecordingCheck(steady_server.recording("steady"))
        rec.assert_valid(self, 640, 360, min_frames=int(SECONDS * FPS * 0.93), max_frames=SECONDS * FPS + 2)
        self.assertLess(rec.max_gap(rec.video_dts()), 0.2, "a hole in the steady destination's video")
        # What the restarted server recorded (its new session) starts at a keyframe and decodes cleanly.
        again = RecordingCheck(victim_server.recording("victim"))
        self.assertGreater(again.video_frames(), 5 * FPS)
        self.assertIn("K", again.packets[again.video["index"]][0]["flags"])
        self.assertEqual(decode_errors(again.path), "", "the restarted destination's recording")


if __name__ == "__main__":
    main()
