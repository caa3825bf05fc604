"""Live counters for charts (issue 5): GET /api/v1/events?stats=1 adds an `event: stats` once a second with the
input's and every destination's counters, next to the stored events; without the flag there is none. The input
reports its keyframe interval (platforms ask for 2 s)."""
import time

from harness import IntegrationTest, main, publish_srt, wait_for
from serve_harness import Serve


class ServeStatsTest(IntegrationTest):
    def test_stats_events_follow_a_live_destination(self):
        nginx = self.nginx()
        serve = Serve()
        self.addCleanup(serve.cleanup)
        channel = serve.main_channel()
        plain = serve.events()
        self.addCleanup(plain.close)
        live = serve.events(query="?stats=1")
        self.addCleanup(live.close)
        self.assertEqual(live.status, 200)

        self.process(publish_srt(serve.srt_port, 60, gop=60))
        d = serve.add_destination(channel["id"], "nginx", f"rtmp://127.0.0.1:{nginx.rtmp_port}/live", "statskey")
        serve.api("POST", f"/destinations/{d['id']}/start", expect=202)
        serve.wait_status(d["id"], "streaming", 20)

        def flowing(event):
            _, kind, data = event
            if kind != "stats":
                return False
            mine = [x for x in data["destinations"] if x["id"] == d["id"]]
            return mine and mine[0]["status"] == "streaming" and mine[0]["stats"]["bitrate_kbps"] > 100
        stats = live.wait(flowing, 15, "a stats event with the destination's bitrate")[-1][2]
        self.assertEqual([c["id"] for c in stats["channels"]], [channel["id"]])
        self.assertTrue(stats["channels"][0]["input"]["connected"])
        self.assertGreater(stats["channels"][0]["input"]["bitrate_kbps"], 100)
        self.assertTrue(stats["at"].endswith("Z"))

        # About once a second, and never stored: they carry no id and the stored events keep their order.
        count = len([e for e in live.snapshot() if e[1] == "stats"])
        time.sleep(3)
        self.assertGreaterEqual(len([e for e in live.snapshot() if e[1] == "stats"]) - count, 2)
        self.assertTrue(all(e[0] == 0 for e in live.snapshot() if e[1] == "stats"))
        stored = [e[0] for e in live.snapshot() if e[1] != "stats"]
        self.assertEqual(stored, sorted(stored))
        self.assertEqual([e for e in plain.snapshot() if e[1] == "stats"], [])

        interval = wait_for(lambda: serve.main_channel()["input"]["video"]["keyframe_interval_s"] or None, 10,
                            "the keyframe interval")
        self.assertAlmostEqual(interval, 2.0, delta=0.1)


if __name__ == "__main__":
    main()
