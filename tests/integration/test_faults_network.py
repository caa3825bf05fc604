"""Network faults between Lunora and one destination (issue 6, fault-injection suite): `lunora serve` restreams
one SRT input to three nginx-rtmp servers. Two are on 127.0.0.1; the third runs in a network namespace reached
through a veth pair whose link is impaired once all three stream:

- 2% random loss each way plus 300 ms one-way delay towards the destination (a lossy long-haul path), and
- a bandwidth cap of a third of the stream's bitrate (an uplink that cannot carry the stream).

The kernel these tests run on has no sch_netem (nor fq_codel, sfq or red), so `tc netem` is impossible: the loss
is iptables' `statistic` match dropping packets at random inside the namespace, the delay is iptables' NFQUEUE
handing each packet from Lunora to a small user-space program that accepts it 300 ms later (the packets of
Lunora's own TCP connection are held, so its congestion control sees the delay, as with netem; a delaying TCP
proxy would hide it), and the cap is `tc tbf` on the host's end of the veth. netns.py builds all of it.

The impaired destination may fall behind: then it drops to keyframes (counted in its `dropped_packets`) or
reconnects, keeps receiving media to the end, and what it recorded still decodes with monotonic timestamps; when
it reports no drop and no reconnect, its recording holds (nearly) every frame. The two others never notice:
no drop, no reconnect, recordings complete."""
import time

from harness import IntegrationTest, Nginx, RecordingCheck, decode_errors, main, publish_srt, wait_for
from netns import ImpairedLink
from serve_harness import Serve

FPS = 30
SECONDS = 40
STREAM_KBIT = 1000 + 128  # ffmpeg_source_args' defaults: 1 Mbit/s CBR video, 128 kbit/s audio


class NetworkFaultsTest(IntegrationTest):
    def stream_with_one_impaired_destination(self, impair):
        """Streams SECONDS s to near1, near2 (127.0.0.1) and far (in the namespace), `impair(link)` once all three
        stream. Returns (serve, link, {key: destination at the end}, {key: RecordingCheck}, far media samples)."""
        link = ImpairedLink()
        self.addCleanup(link.close)
        far = Nginx(host=link.peer_ip, wrapper=link.wrapper())
        self.addCleanup(far.cleanup)
        near = self.nginx()
        serve = Serve()
        self.addCleanup(serve.cleanup)
        channel = serve.main_channel()
        # No slate: once the encoder is done, each recording holds exactly what it sent.
        serve.api("PATCH", f"/channels/{channel['id']}", {"input_loss_slate_after_ms": 0}, expect=200)
        servers = {"near1": near, "near2": near, "far": far}
        ids = {}
        for key, server in servers.items():
            ids[key] = serve.add_destination(channel["id"], key, f"rtmp://{server.host}:{server.rtmp_port}/live",
                                             key)["id"]
            serve.api("POST", f"/destinations/{ids[key]}/start", expect=202)
        # `linger` lets the encoder's last frames reach Lunora before its socket closes.
        encoder = self.process(publish_srt(serve.srt_port, SECONDS, gop=FPS, extra_url="&linger=2"))
        for d in ids.values():
            serve.wait_status(d, "streaming", 30)
        impair(link)

        # What reaches the far nginx while the encoder runs: (time, publisher id, bytes in).
        samples = []
        while encoder.alive():
            stream = far.stat().get("far", {})
            samples.append((time.monotonic(), stream.get("publisher_id"), stream.get("bytes_in", 0)))
            time.sleep(1)
        self.assertEqual(encoder.proc.returncode, 0, encoder.stderr_text())
        wait_for(lambda: not serve.main_channel()["input"]["connected"], 15, "the input to end")
        # Let what the far destination still has queued arrive (its bytes at nginx stop growing).
        last = [None]

        def settled():
            now = far.stat().get("far", {}).get("bytes_in", 0)
            done, last[0] = now == last[0], now
            return done
        wait_for(settled, 40, "the far destination's queue to drain", interval=3)
        self.assertTrue(serve.alive())
        final = {key: serve.destination(d) for key, d in ids.items()}
        for d in ids.values():
            serve.api("POST", f"/destinations/{d}/stop", expect=202)
        for d in ids.values():
            serve.wait_status(d, "ready", 30)
        near.stop()
        far.stop()
        recordings = {key: RecordingCheck(server.recording(key)) for key, server in servers.items()}
        return serve, link, final, recordings, samples

    def assert_near_untouched(self, final, recordings):
        for key in ("near1", "near2"):
            self.assertEqual(final[key]["status"], "streaming", final[key])
            self.assertEqual(final[key]["stats"]["reconnects"], 0, f"{key} reconnected: {final[key]}")
            self.assertEqual(final[key]["stats"]["dropped_packets"], 0, f"{key} dropped: {final[key]}")
            rec = recordings[key]
            rec.assert_valid(self, 640, 360, min_frames=int(SECONDS * FPS * 0.93), max_frames=SECONDS * FPS + 2)
            self.assertLess(rec.max_gap(rec.video_dts()), 0.2, f"{key}: a hole in the video")

    def assert_far_alive(self, samples):
        """The far nginx kept receiving media over the stream's last 15 s (from one publisher or a new one)."""
        end = samples[-1][0]
        tail = [s for s in samples if s[0] >= end - 15]
        self.assertGreaterEqual(len(tail), 5, samples)
        grew = any(b[1] is not None and (b[1] != a[1] or b[2] > a[2]) for a, b in zip(tail, tail[1:]))
        self.assertTrue(grew, f"no media reached the impaired destination at the end: {tail}")

    def assert_far_recording_sound(self, rec):
        """Whatever the far destination got is a clean stream: drops go to the next keyframe."""
        self.assertIsNotNone(rec.video, f"no video in {rec.path}")
        self.assertEqual((rec.video["codec_name"], rec.video["width"], rec.video["height"]), ("h264", 640, 360))
        for name, dts in (("video", rec.video_dts()), ("audio", rec.audio_dts())):
            self.assertEqual([(a, b) for a, b in zip(dts, dts[1:]) if b < a], [], f"far: {name} DTS went back")
        self.assertEqual(decode_errors(rec.path), "", "far: the recording does not decode cleanly")

    def test_loss_and_delay(self):
        serve, link, final, recordings, samples = self.stream_with_one_impaired_destination(
            lambda link: (link.loss(2), link.delay(300)))
        counters = link.counters()
        self.assertGreater(counters["dropped"], 0, "the link dropped nothing")
        self.assertGreater(counters["delayed"], 1000, "the link delayed nothing")
        self.assertTrue(link.delayer_alive(), "the delayer died")
        self.assert_near_untouched(final, recordings)
        self.assert_far_alive(samples)
        far = final["far"]
        self.assertEqual(far["status"], "streaming", far)
        rec = recordings["far"]
        self.assert_far_recording_sound(rec)
        if far["stats"]["dropped_packets"] == 0 and far["stats"]["reconnects"] == 0:
            # TCP carried the stream: nothing may be missing then (a loss Lunora did not count would show here).
            near_frames = recordings["near1"].video_frames()
            self.assertGreaterEqual(rec.video_frames(), near_frames - 3,
                                    f"far lost frames without reporting a drop: {far['stats']}")
            self.assertLess(rec.max_gap(rec.video_dts()), 0.2, "far: a hole in the video without a reported drop")
        else:
            self.assertGreater(rec.video_frames(), 0)

    def test_bandwidth_below_the_bitrate(self):
        cap = STREAM_KBIT // 3
        serve, link, final, recordings, samples = self.stream_with_one_impaired_destination(
            lambda link: link.rate_limit(cap))
        self.assertRegex(link.tc_stats(), r"overlimits [1-9]", "the cap never held anything back")
        self.assert_near_untouched(final, recordings)
        self.assert_far_alive(samples)
        far = final["far"]
        stats = far["stats"]
        self.assertTrue(stats["dropped_packets"] > 0 or stats["reconnects"] > 0,
                        f"a third of the bitrate carried everything? {far}")
        self.assertIn(far["status"], ("streaming", "error"), far)
        rec = recordings["far"]
        self.assert_far_recording_sound(rec)
        # It kept sending what fits (whole GOPs), not nothing; and it could not have sent everything.
        near_frames = recordings["near1"].video_frames()
        self.assertGreater(rec.video_frames(), near_frames * 0.1, f"far got almost nothing: {stats}")
        self.assertLess(rec.video_frames(), near_frames * 0.8, f"far got more than the cap allows: {stats}")


if __name__ == "__main__":
    main()
