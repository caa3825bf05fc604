"""`kill -9` while two destinations stream: after a restart both come back to `streaming` on their own, and
nothing in the store is lost."""
import socket
import sqlite3

from harness import IntegrationTest, main, publish_srt, wait_for
from serve_harness import Serve


class ServeRestartTest(IntegrationTest):
    def test_kill_9_and_restart(self):
        nginx = self.nginx()
        serve = Serve()
        self.addCleanup(serve.cleanup)
        channel = serve.main_channel()
        base = f"rtmp://127.0.0.1:{nginx.rtmp_port}/live"
        on = [serve.add_destination(channel["id"], f"on {k}", base, k)["id"] for k in ("alpha", "bravo")]
        off = serve.add_destination(channel["id"], "off", base, "charlie")["id"]
        encoder = self.process(publish_srt(serve.srt_port, 60))
        for d in on:
            serve.api("POST", f"/destinations/{d}/start", expect=202)
        for d in on:
            serve.wait_status(d, "streaming", 20)
        before = {d["id"]: d for d in serve.api("GET", "/destinations", expect=200)["destinations"]}
        ingest_before = serve.api("GET", f"/channels/{channel['id']}/ingest", expect=200)
        sse = serve.events()
        last_id = max([0] + [e[0] for e in sse.snapshot()])
        sse.close()

        serve.restart(kill=True)
        # The encoder's SRT connection died with the process; ffmpeg gives up, so publish again.
        encoder.stop()
        encoder = self.process(publish_srt(serve.srt_port, 40))
        for d in on:
            self.assertIn(serve.destination(d)["status"], ("starting", "streaming"))
        for d in on:
            serve.wait_status(d, "streaming", 30)
        wait_for(lambda: all(nginx.stat().get(k, {}).get("bytes_in", 0) > 0 for k in ("alpha", "bravo")), 15,
                 "both destinations publishing to nginx again")
        self.assertEqual(serve.destination(off)["status"], "ready")

        after = {d["id"]: d for d in serve.api("GET", "/destinations", expect=200)["destinations"]}
        self.assertEqual(set(after), set(before))
        for d_id, d in before.items():
            for field in ("name", "url", "platform", "stream_key_hint", "channel_id", "created_at"):
                self.assertEqual(after[d_id][field], d[field], f"{d_id}.{field} survived")
        self.assertEqual(serve.api("GET", f"/channels/{channel['id']}/ingest", expect=200), ingest_before,
                         "channel keys survived")
        # Event ids keep increasing across the restart.
        sse = serve.events(last_event_id=last_id)
        self.addCleanup(sse.close)
        events = sse.wait(lambda e: e[1] == "destination", 10, "replayed events")
        self.assertTrue(all(e[0] > last_id for e in sse.snapshot()))
        self.assertTrue(events)

        # The store is a real SQLite file in WAL mode.
        db = sqlite3.connect(f"file:{serve.data_dir}/lunora.db?mode=ro", uri=True)
        self.assertEqual(db.execute("PRAGMA journal_mode").fetchone()[0], "wal")
        self.assertEqual(db.execute("SELECT COUNT(*) FROM destinations").fetchone()[0], 3)
        db.close()

    def test_busy_ingest_port_is_an_error_until_it_is_free(self):
        nginx = self.nginx()
        serve = Serve()
        self.addCleanup(serve.cleanup)
        channel = serve.main_channel()
        d = serve.add_destination(channel["id"], "n", f"rtmp://127.0.0.1:{nginx.rtmp_port}/live", "busyport")["id"]
        serve.stop()
        squatter = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        squatter.bind(("0.0.0.0", serve.srt_port))
        try:
            serve.restart()
            broken = serve.main_channel()
            self.assertEqual(broken["state"], "error")
            self.assertIn(f"UDP port {serve.srt_port} is already in use", broken["state_message"])
            self.assertFalse(broken["input"]["listening"])
            serve.api("POST", f"/destinations/{d}/start", expect=202)
            waiting = serve.wait_status(d, "error", 10)
            self.assertEqual(waiting["last_error"]["code"], "input_unavailable")
            self.assertIn("already in use", waiting["last_error"]["message"])
        finally:
            squatter.close()
        # Lunora tries again on its own; once the port is free the channel and its destination recover.
        wait_for(lambda: serve.main_channel()["input"]["listening"], 15, "the ingest to listen again")
        self.process(publish_srt(serve.srt_port, 20))
        serve.wait_status(d, "streaming", 20)
        self.assertEqual(serve.main_channel()["state"], "running")


if __name__ == "__main__":
    main()
