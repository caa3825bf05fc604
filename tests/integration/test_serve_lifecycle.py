"""ffmpeg -> SRT -> lunora serve -> nginx-rtmp, three destinations started and stopped through the REST API, the
truth reported over SSE in order; a destination added while two stream leaves them untouched."""
import time

from harness import IntegrationTest, main, publish_srt, wait_for
from serve_harness import Serve


class ServeLifecycleTest(IntegrationTest):
    def serve(self, **kw):
        s = Serve(**kw)
        self.addCleanup(s.cleanup)
        return s

    def test_three_destinations_through_the_api(self):
        nginx = self.nginx()
        serve = self.serve()
        channel = serve.main_channel()
        self.assertEqual(channel["state"], "idle")
        self.assertEqual(channel["input"]["protocol"], "srt")
        self.assertFalse(channel["input"]["connected"])
        sse = serve.events()
        self.addCleanup(sse.close)
        self.assertEqual(sse.status, 200)

        ids = []
        for key in ("one", "two", "three"):
            d = serve.add_destination(channel["id"], f"nginx {key}", f"rtmp://127.0.0.1:{nginx.rtmp_port}/live", key)
            self.assertEqual(d["status"], "ready")
            self.assertNotIn(key, d["stream_key_hint"])
            ids.append(d["id"])
        one, two, three = ids

        # Started without input: waits in `starting`, does not connect.
        started = serve.api("POST", f"/destinations/{one}/start", expect=202)
        self.assertEqual(started["status"], "starting")
        time.sleep(1.0)
        waiting = serve.destination(one)
        self.assertEqual(waiting["status"], "starting")
        self.assertEqual(waiting["status_detail"], "waiting for input")
        self.assertNotIn("one", nginx.stat())
        waiting_channel = serve.api("GET", f"/channels/{channel['id']}", expect=200)
        self.assertEqual((waiting_channel["state"], waiting_channel["state_message"]), ("starting", "waiting for input"))

        encoder = self.process(publish_srt(serve.srt_port, 40))
        serve.wait_status(one, "streaming", 20)
        wait_for(lambda: serve.main_channel()["input"]["connected"], 10, "input connected")
        wait_for(lambda: serve.main_channel()["state"] == "running", 5, "channel running")
        live = serve.main_channel()["input"]
        self.assertEqual(live["video"]["codec"], "h264")
        self.assertEqual((live["video"]["width"], live["video"]["height"]), (640, 360))
        self.assertEqual(live["audio"]["codec"], "aac")
        self.assertIsNotNone(live["connected_since"])

        serve.api("POST", f"/destinations/{two}/start", expect=202)
        serve.wait_status(two, "streaming", 20)
        wait_for(lambda: nginx.stat().get("two", {}).get("publisher_id"), 10, "nginx sees two")
        before = nginx.stat()

        # A third joins while two stream: same nginx clients for the first two, bytes keep flowing.
        serve.api("POST", f"/destinations/{three}/start", expect=202)
        serve.wait_status(three, "streaming", 20)
        time.sleep(2)
        after = nginx.stat()
        for key in ("one", "two"):
            self.assertEqual(after[key]["publisher_id"], before[key]["publisher_id"], f"{key} reconnected")
            self.assertGreater(after[key]["bytes_in"], before[key]["bytes_in"], f"{key} stalled")
        streaming = serve.destination(one)
        self.assertGreater(streaming["stats"]["bytes_sent"], 0)
        self.assertGreater(streaming["stats"]["bitrate_kbps"], 100)

        # Idempotent start: no reconnect.
        again = serve.api("POST", f"/destinations/{one}/start", expect=202)
        self.assertEqual(again["status"], "streaming")

        stopped = serve.api("POST", f"/destinations/{two}/stop", expect=202)
        self.assertEqual(stopped["status"], "stopping")
        serve.wait_status(two, "ready", 15)
        wait_for(lambda: "two" not in nginx.stat() or nginx.stat()["two"]["nclients"] == 0, 10, "two gone from nginx")
        self.assertEqual(serve.api("POST", f"/destinations/{two}/stop", expect=202)["status"], "ready")
        self.assertEqual(nginx.stat()["one"]["publisher_id"], before["one"]["publisher_id"])

        # The event stream told every transition, in order, with increasing ids.
        def statuses(destination_id):
            return [e[2]["status"] for e in sse.snapshot() if e[1] == "destination" and e[2]["id"] == destination_id]

        def collapse(seq):
            return [s for i, s in enumerate(seq) if i == 0 or seq[i - 1] != s]

        wait_for(lambda: collapse(statuses(two))[-1:] == ["ready"], 5, "two's ready event")
        self.assertEqual(collapse(statuses(one))[:3], ["ready", "starting", "streaming"])
        self.assertEqual(collapse(statuses(two)), ["ready", "starting", "streaming", "stopping", "ready"])
        event_ids = [e[0] for e in sse.snapshot()]
        self.assertEqual(event_ids, sorted(event_ids))
        self.assertEqual(len(event_ids), len(set(event_ids)), "event ids are unique")

        # Channel goes idle `auto_stop_after_s` after its last destination stops.
        serve.api("PATCH", f"/channels/{channel['id']}", {"auto_stop_after_s": 1}, expect=200)
        for d in (one, three):
            serve.api("POST", f"/destinations/{d}/stop", expect=202)
        for d in (one, three):
            serve.wait_status(d, "ready", 15)
        wait_for(lambda: serve.main_channel()["state"] == "idle", 10, "channel idle")
        self.assertEqual(serve.main_channel()["destinations_on"], 0)
        encoder.stop()

    def test_patch_of_a_live_destination_reconnects_only_that_one(self):
        nginx = self.nginx()
        serve = self.serve()
        channel = serve.main_channel()
        self.process(publish_srt(serve.srt_port, 30))
        a = serve.add_destination(channel["id"], "a", f"rtmp://127.0.0.1:{nginx.rtmp_port}/live", "keya")["id"]
        b = serve.add_destination(channel["id"], "b", f"rtmp://127.0.0.1:{nginx.rtmp_port}/live", "keyb")["id"]
        for d in (a, b):
            serve.api("POST", f"/destinations/{d}/start", expect=202)
        for d in (a, b):
            serve.wait_status(d, "streaming", 20)
        wait_for(lambda: nginx.stat().get("keya", {}).get("publisher_id"), 10, "nginx sees a")
        before = nginx.stat()["keya"]
        patched = serve.api("PATCH", f"/destinations/{b}", {"stream_key": "keyc-0000-9f3a"}, expect=200)
        self.assertEqual(patched["stream_key_hint"], "…9f3a")
        wait_for(lambda: nginx.stat().get("keyc-0000-9f3a", {}).get("bytes_in", 0) > 0, 20, "b moved to its new key")
        wait_for(lambda: "keyb" not in nginx.stat() or nginx.stat()["keyb"]["nclients"] == 0, 10, "old key dropped")
        serve.wait_status(b, "streaming", 20)
        self.assertEqual(nginx.stat()["keya"]["publisher_id"], before["publisher_id"], "a never reconnected")

    def test_dead_destination_reports_the_reason_and_retries(self):
        serve = self.serve()
        channel = serve.main_channel()
        self.process(publish_srt(serve.srt_port, 30))
        from harness import free_port
        dead = serve.add_destination(channel["id"], "dead", f"rtmp://127.0.0.1:{free_port()}/live", "k")["id"]
        serve.api("POST", f"/destinations/{dead}/start", expect=202)
        d = serve.wait_status(dead, "error", 20)
        self.assertEqual(d["last_error"]["code"], "refused")
        self.assertIn("refused", d["last_error"]["message"])
        self.assertIsNotNone(d["last_error"]["at"])
        self.assertIsNotNone(d["next_retry_at"])
        reconnects = wait_for(lambda: serve.destination(dead)["stats"]["reconnects"] >= 2, 15, "retries")
        self.assertTrue(reconnects)
        # Stop cancels the retries.
        serve.api("POST", f"/destinations/{dead}/stop", expect=202)
        d = serve.wait_status(dead, "ready", 10)
        self.assertIsNone(d["next_retry_at"])


if __name__ == "__main__":
    main()
