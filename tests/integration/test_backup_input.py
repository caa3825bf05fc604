"""Backup input (issue 6): two encoders, one on the channel's SRT listener and one on its backup listener. The
primary is killed (SIGKILL) while a destination streams: the backup takes over within `failover_after_ms` (from
its latest keyframe, so no slate is needed), the destination never reconnects and nginx-rtmp records one
continuous stream; the primary comes back and takes over again after `failback_after_s`; switches by hand go
through `POST /api/v1/channels/{id}/input/switch`. The API, the event stream and /metrics tell the story."""
import os
import socket
import tempfile
import time

import harness
from harness import IntegrationTest, Process, RecordingCheck, free_port, publish_srt, udp_port_taken, wait_for
from hls_client import path_of
from serve_harness import Serve

FRAME_S = 1 / 30


def active(serve, name):
    channel = serve.main_channel()
    return channel if channel["active_input"] == name else None


class BackupInputTest(IntegrationTest):
    def test_failover_failback_and_switch_by_hand(self):
        nginx = self.nginx()
        serve = Serve()
        self.addCleanup(serve.cleanup)
        channel = serve.main_channel()
        cid = channel["id"]
        self.assertIsNone(channel["backup_input"])
        self.assertEqual(channel["active_input"], "primary")
        self.assertEqual((channel["failover_after_ms"], channel["failback_after_s"]), (1000, 10))
        backup_port = free_port(socket.SOCK_DGRAM)
        patched = serve.api("PATCH", f"/channels/{cid}",
                            {"backup_input": {"protocol": "srt", "port": backup_port}, "failback_after_s": 5},
                            expect=200)
        self.assertEqual(patched["backup_input"]["port"], backup_port)
        self.assertEqual(patched["backup_input"]["protocol"], "srt")
        self.assertTrue(patched["backup_input"]["listening"])
        ingest = serve.api("GET", f"/channels/{cid}/ingest", expect=200)
        self.assertEqual(ingest["backup"]["srt_url"], f"srt://127.0.0.1:{backup_port}?mode=caller")
        self.assertNotEqual(ingest["backup"]["rtmp_key"], ingest["rtmp_key"])
        wait_for(lambda: udp_port_taken(backup_port), 10, "the backup listener")

        d = serve.add_destination(cid, "nginx", f"rtmp://127.0.0.1:{nginx.rtmp_port}/live", "failover")
        serve.api("POST", f"/destinations/{d['id']}/start", expect=202)
        primary = self.process(publish_srt(serve.srt_port, 120, gop=30))
        self.process(publish_srt(backup_port, 120, gop=30))
        serve.wait_status(d["id"], "streaming", 20)
        both = wait_for(lambda: (lambda c: c if c["input"]["delivering"] and c["backup_input"]["delivering"]
                                 else None)(serve.main_channel()), 15, "both inputs delivering")
        self.assertEqual(both["active_input"], "primary")
        self.assertTrue(both["backup_input"]["connected"])
        self.assertEqual(both["backup_input"]["video"]["codec"], "h264")
        time.sleep(3)

        # The primary dies: the backup takes over on its own.
        sse = serve.events()
        self.addCleanup(sse.close)
        killed_at = time.monotonic()
        primary.proc.kill()
        over = wait_for(lambda: active(serve, "backup"), 10, "the failover to the backup")
        took = time.monotonic() - killed_at
        print(f"failover seen by the API {took:.2f} s after the kill (failover_after_ms 1000, reports at 4 Hz)")
        self.assertLess(took, 1.0 + 1.0 + 1.5, "within failover_after_ms plus one GOP (and the report lag)")
        self.assertEqual(over["failover"]["count"], 1)
        self.assertEqual(over["failover"]["last_reason"], "primary_lost")
        self.assertIsNotNone(over["failover"]["last_at"])
        self.assertEqual(over["input"]["slate"]["count"], 0, "the backup took over before a slate was needed")
        switched = sse.wait(lambda e: e[1] == "input_switched", 5, "the input_switched event")[0][2]
        self.assertEqual(switched, {"channel_id": cid, "from": "primary", "to": "backup", "reason": "primary_lost"})
        status, metrics, _ = serve.request("GET", "/metrics", auth=False)
        self.assertIn(f'lunora_channel_failovers_total{{channel_id="{cid}"}} 1', metrics)
        self.assertIn(f'lunora_channel_active_input{{channel_id="{cid}",input="backup"}} 1', metrics)
        self.assertIn(f'lunora_channel_input_delivering{{channel_id="{cid}",input="primary"}} 0', metrics)

        # The primary's encoder restarts 2 s after the kill (its clock from 0). Its killed connection would hold
        # the listener until SRT's 5-s peer idle timeout; silent for a second, it is replaced by the new publisher.
        time.sleep(max(0.0, 2 - (time.monotonic() - killed_at)))
        back_at = time.monotonic()
        self.process(publish_srt(serve.srt_port, 120, gop=30))
        wait_for(lambda: serve.main_channel()["input"]["delivering"], 4, "the restarted primary let in at once")
        self.assertIn("event=input_replacing protocol=srt", serve.stderr_text())
        back = wait_for(lambda: active(serve, "primary"), 20, "the failback to the primary")
        self.assertGreaterEqual(time.monotonic() - back_at, 5, "not before failback_after_s")
        self.assertEqual(back["failover"]["failbacks"], 1)
        self.assertEqual(back["failover"]["last_reason"], "failback")
        time.sleep(2)

        # By hand: to the backup, which then holds (no failback), and back with an empty body.
        self.assertEqual(serve.api("POST", f"/channels/{cid}/input/switch", {"to": "sideways"})[0], 422)
        asked = serve.api("POST", f"/channels/{cid}/input/switch", {"to": "backup"}, expect=202)
        self.assertIn(asked["failover"]["switching_to"], ("backup", None))
        held = wait_for(lambda: active(serve, "backup"), 10, "the switch by hand")
        self.assertEqual(held["failover"]["last_reason"], "manual")
        time.sleep(6.5)  # longer than failback_after_s: it stays on the backup
        self.assertEqual(serve.main_channel()["active_input"], "backup")
        status, _, _ = serve.request("POST", f"/api/v1/channels/{cid}/input/switch", None)
        self.assertEqual(status, 202)
        wait_for(lambda: active(serve, "primary"), 10, "the switch back by hand")
        time.sleep(2)

        final = serve.destination(d["id"])
        self.assertEqual(final["status"], "streaming")
        self.assertEqual(final["stats"]["reconnects"], 0, "the destination never reconnected")
        serve.api("POST", f"/destinations/{d['id']}/stop", expect=202)
        serve.wait_status(d["id"], "ready", 15)
        nginx.stop()

        # One continuous stream through four switches: timestamps only grow, every picture is shown once and
        # the pictures follow each other closely. A switch can lose the B-frames the old input had not sent yet
        # (the killed encoder's, or those behind the last frame taken before a keyframe switch), at most two
        # at 30 fps with -bf 2: gaps stay within three frame intervals.
        rec = RecordingCheck(nginx.recording("failover"))
        shown = rec.assert_spliced_cleanly(self)
        video = rec.video_dts()
        audio = rec.audio_dts()
        self.assertLessEqual(rec.max_gap(shown), 3 * FRAME_S + 0.002, "a hole in the pictures")
        self.assertLessEqual(rec.max_gap(audio), 0.5, "a hole in the audio")
        self.assertGreaterEqual(video[-1] - video[0], 20, "the recording covers the whole test")
        self.assertEqual(harness.decode_errors(nginx.recording("failover")), "")

    def test_settings_and_refusals(self):
        serve = Serve()
        self.addCleanup(serve.cleanup)
        cid = serve.main_channel()["id"]
        status, body = serve.api("POST", f"/channels/{cid}/input/switch", {"to": "backup"})
        self.assertEqual(status, 409)
        self.assertIn("no backup input", body["error"]["message"])
        for bad in ({"backup_input": {"protocol": "udp"}}, {"backup_input": {"port": 80}},
                    {"backup_input": {"port": serve.srt_port}}, {"backup_input": 7},
                    {"failover_after_ms": 50}, {"failback_after_s": -1}, {"backup_input": {"key": "x"}}):
            status, body = serve.api("PATCH", f"/channels/{cid}", bad)
            self.assertEqual(status, 422, f"{bad}: {body}")
        # An RTMP backup: a second key on the shared RTMP port, no SRT listener.
        patched = serve.api("PATCH", f"/channels/{cid}", {"backup_input": {"protocol": "rtmp"},
                                                          "failback_after_s": 0, "failover_after_ms": 500},
                            expect=200)
        self.assertEqual(patched["backup_input"]["protocol"], "rtmp")
        self.assertEqual(patched["backup_input"]["port"], serve.rtmp_port)
        self.assertEqual((patched["failover_after_ms"], patched["failback_after_s"]), (500, 0))
        ingest = serve.api("GET", f"/channels/{cid}/ingest", expect=200)
        self.assertIsNone(ingest["backup"]["srt_url"])
        self.assertTrue(ingest["backup"]["rtmp_url"].endswith("/live/" + ingest["backup"]["rtmp_key"]))
        # Nothing delivers on the backup: a switch by hand is refused, saying why.
        status, body = serve.api("POST", f"/channels/{cid}/input/switch", {"to": "backup"})
        self.assertEqual(status, 409)
        self.assertIn("delivers no media", body["error"]["message"])
        # The backup (and its key) survive a restart; null removes it.
        serve.restart()
        again = serve.main_channel()
        self.assertEqual(again["backup_input"]["protocol"], "rtmp")
        self.assertEqual(serve.api("GET", f"/channels/{cid}/ingest", expect=200)["backup"]["rtmp_key"],
                         ingest["backup"]["rtmp_key"])
        removed = serve.api("PATCH", f"/channels/{cid}", {"backup_input": None}, expect=200)
        self.assertIsNone(removed["backup_input"])
        self.assertIsNone(serve.api("GET", f"/channels/{cid}/ingest", expect=200)["backup"])

    def test_rtmp_backup_takes_over_from_srt(self):
        """Also an SRT destination: its MPEG-TS timestamps run on across the switch as RTMP's do."""
        nginx = self.nginx()
        serve = Serve()
        self.addCleanup(serve.cleanup)
        cid = serve.main_channel()["id"]
        serve.api("PATCH", f"/channels/{cid}", {"backup_input": {"protocol": "rtmp"}}, expect=200)
        key = serve.api("GET", f"/channels/{cid}/ingest", expect=200)["backup"]["rtmp_key"]
        d = serve.add_destination(cid, "nginx", f"rtmp://127.0.0.1:{nginx.rtmp_port}/live", "mixed")
        received = os.path.join(tempfile.mkdtemp(prefix="lunora-srt-out-"), "received.ts")
        listen_port = free_port(socket.SOCK_DGRAM)
        receiver = self.process(Process(
            ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", f"srt://127.0.0.1:{listen_port}?mode=listener",
             "-c", "copy", "-f", "mpegts", received], "ffmpeg-srt-listener"))
        wait_for(lambda: udp_port_taken(listen_port), 15, "the ffmpeg SRT listener")
        srt_dest = serve.add_destination(cid, "srt", f"srt://127.0.0.1:{listen_port}", "")
        serve.api("POST", f"/destinations/{d['id']}/start", expect=202)
        serve.api("POST", f"/destinations/{srt_dest['id']}/start", expect=202)
        primary = self.process(publish_srt(serve.srt_port, 60, gop=30))
        serve.wait_status(d["id"], "streaming", 20)
        serve.wait_status(srt_dest["id"], "streaming", 20)
        self.process(harness.publish_rtmp(f"rtmp://127.0.0.1:{serve.rtmp_port}/live/{key}", 60, gop=30))
        wait_for(lambda: serve.main_channel()["backup_input"]["delivering"], 15, "the RTMP backup delivering")
        primary.stop()
        over = wait_for(lambda: active(serve, "backup"), 10, "the failover to the RTMP backup")
        self.assertEqual(over["backup_input"]["connected_protocol"], "rtmp")
        # The primary is gone, the backup on air: the channel still runs and its HLS stream is live.
        wait_for(lambda: not serve.main_channel()["input"]["connected"], 10, "the primary disconnected")
        live = wait_for(lambda: (lambda c: c if c["hls"]["status"] == "live" else None)(serve.main_channel()), 10,
                        "HLS live on the backup")
        self.assertEqual(live["state"], "running")
        status, _, _ = serve.request("GET", path_of(live["hls"]["playlist_url"]), auth=False)
        self.assertEqual(status, 200, "the playlist is served while the backup is on air")
        time.sleep(3)
        for destination in (d, srt_dest):
            final = serve.destination(destination["id"])
            self.assertEqual(final["status"], "streaming")
            self.assertEqual(final["stats"]["reconnects"], 0)
        serve.api("POST", f"/destinations/{srt_dest['id']}/stop", expect=202)
        wait_for(lambda: not receiver.alive(), 20, "the SRT listener to see the end of the stream")
        rec = RecordingCheck(received)
        video = rec.video_dts()
        self.assertEqual([(a, b) for a, b in zip(video, video[1:]) if b < a], [], "video DTS went backwards")
        self.assertLessEqual(rec.max_gap(video), 0.2, "the SRT destination's timeline jumped at the switch")
        self.assertGreater(video[-1] - video[0], 4)
        self.assertEqual(harness.decode_errors(received), "")


if __name__ == "__main__":
    harness.main()
