"""Renditions (issue 9): ffmpeg sends 1080p30 at 6 Mbit/s over SRT; a 720p30 3 Mbit/s rendition feeds two nginx-rtmp
destinations and a third takes the input as it comes. ffprobe reads what nginx recorded: 1280x720 at 30 fps with a
keyframe every 2 s on the rendition's streams, 1920x1080 on the passthrough one. The metrics show ONE encoder for the
two destinations; the encoder starts with the first of them and stops after the last, and the passthrough
destination never notices. Also: the input changing resolution, the API's refusals (a rendition in use, bad values)
and the platform checks with their numbers."""
import json
import re
import subprocess
import time

import harness
from harness import IntegrationTest, Process, RecordingCheck, ffmpeg_source_args, publish_srt, wait_for
from serve_harness import Serve

RENDITION = {"name": "720p30", "width": 1280, "height": 720, "fps": 30, "video_bitrate_kbps": 3000,
             "audio_bitrate_kbps": 128, "keyframe_interval_s": 2}


def metric(serve, name, **labels):
    status, text, _ = serve.request("GET", "/metrics")
    assert status == 200
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    for line in text.splitlines():
        if line.startswith(name + ("{" + want + "}" if want else " ")):
            return float(line.rsplit(" ", 1)[1])
    return None


def video_packets(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries",
                          "packet=pts_time,dts_time,flags", "-of", "json", path],
                         capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout)["packets"]


def frame_sizes(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "frame=width,height",
                          "-of", "csv=p=0", path], capture_output=True, text=True, timeout=300, check=True)
    return {line.strip() for line in out.stdout.splitlines() if line.strip()}


def rendition(serve, channel_id, name):
    return serve.api("GET", f"/channels/{channel_id}/renditions/{name}", expect=200)


class RenditionsTest(IntegrationTest):
    def assert_rendition_stream(self, path):
        """1280x720 H.264 + AAC at ~30 fps, an IDR every 2 s, decoding cleanly."""
        check = RecordingCheck(path)
        self.assertEqual((check.video["codec_name"], check.video["width"], check.video["height"]), ("h264", 1280, 720))
        self.assertEqual(check.audio["codec_name"], "aac")
        packets = video_packets(path)
        dts = sorted(float(p["dts_time"]) for p in packets)
        steps = sorted(b - a for a, b in zip(dts, dts[1:]))
        self.assertAlmostEqual(steps[len(steps) // 2], 1 / 30, delta=0.002, msg="30 fps")
        keys = [float(p["pts_time"]) for p in packets if "K" in p["flags"]]
        self.assertGreaterEqual(len(keys), 4, keys)
        gaps = [round(b - a, 3) for a, b in zip(keys, keys[1:])]
        for gap in gaps:
            self.assertAlmostEqual(gap, 2.0, delta=0.05, msg=f"keyframe gaps {gaps}")
        self.assertEqual(harness.decode_errors(path), "", f"{path} does not decode cleanly")

    def test_one_encoder_feeds_two_destinations_and_passthrough_is_untouched(self):
        nginx = self.nginx()
        serve = Serve()
        self.addCleanup(serve.cleanup)
        cid = serve.main_channel()["id"]
        made = serve.api("POST", f"/channels/{cid}/renditions", RENDITION, expect=201)
        self.assertEqual(made["state"], "idle")
        self.assertEqual(made["destinations"], [])
        base = f"rtmp://127.0.0.1:{nginx.rtmp_port}/live"
        a = serve.api("POST", "/destinations", {"channel_id": cid, "name": "A", "platform": "custom", "url": base,
                                                "stream_key": "ra", "rendition": "720p30"}, expect=201)
        b = serve.api("POST", "/destinations", {"channel_id": cid, "name": "B", "platform": "custom", "url": base,
                                                "stream_key": "rb", "rendition": "720p30"}, expect=201)
        p = serve.add_destination(cid, "P", base, "pass")
        self.assertEqual((a["rendition"], p["rendition"]), ("720p30", None))
        for d in (a, b, p):
            serve.api("POST", f"/destinations/{d['id']}/start", expect=202)
        self.process(publish_srt(serve.srt_port, 75, size="1920x1080", gop=60, bitrate="6M"))
        for d in (a, b, p):
            serve.wait_status(d["id"], "streaming", 40)
        # The first window of 2 s is short of what the encoder's lookahead still holds; the next ones are not.
        running = wait_for(lambda: (lambda r: r if r["state"] == "running" and r["stats"]["fps_out"] > 25 else None)(
            rendition(serve, cid, "720p30")), 30, "the rendition to report its frame rates")
        self.assertEqual(running["stats"]["encoders"], 1)
        self.assertEqual(running["stats"]["outputs"], 2)
        self.assertEqual(sorted(running["destinations"]), sorted([a["id"], b["id"]]))
        self.assertEqual(running["destinations_on"], 2)
        self.assertGreater(running["stats"]["cpu_percent"], 0)
        # Frames per second of media (not of wall time): the input's B-frames must not skew them.
        self.assertAlmostEqual(running["stats"]["fps_in"], 30, delta=3)
        self.assertAlmostEqual(running["stats"]["fps_out"], 30, delta=3)
        self.assertEqual(metric(serve, "lunora_renditions_running"), 1, "ONE encoder for two destinations")
        self.assertEqual(metric(serve, "lunora_rendition_outputs", channel_id=cid, rendition="720p30"), 2)
        self.assertGreater(metric(serve, "lunora_rendition_frames_encoded_total", channel_id=cid,
                                  rendition="720p30"), 0)
        channel = serve.main_channel()
        self.assertEqual(channel["renditions"][0]["name"], "720p30")
        wait_for(lambda: nginx.stat().get("pass", {}).get("publisher_id"), 10, "nginx to see the passthrough")
        passthrough_publisher = nginx.stat()["pass"]["publisher_id"]
        time.sleep(8)

        # B stops: the encoder goes on for A.
        serve.api("POST", f"/destinations/{b['id']}/stop", expect=202)
        serve.wait_status(b["id"], "ready", 15)
        wait_for(lambda: rendition(serve, cid, "720p30")["stats"]["outputs"] == 1, 5, "the encoder to feed A only")
        self.assertEqual(metric(serve, "lunora_renditions_running"), 1)
        # A, its last destination, stops: the encoder stops.
        serve.api("POST", f"/destinations/{a['id']}/stop", expect=202)
        serve.wait_status(a["id"], "ready", 15)
        wait_for(lambda: rendition(serve, cid, "720p30")["state"] == "idle", 10, "the encoder to stop")
        self.assertEqual(metric(serve, "lunora_renditions_running"), 0)
        self.assertEqual(metric(serve, "lunora_rendition_running", channel_id=cid, rendition="720p30"), 0)
        # A again: the encoder starts again, and A streams from its first keyframe.
        serve.api("POST", f"/destinations/{a['id']}/start", expect=202)
        serve.wait_status(a["id"], "streaming", 30)
        wait_for(lambda: metric(serve, "lunora_renditions_running") == 1, 10, "the encoder to start again")
        time.sleep(10)
        self.assertEqual(nginx.stat()["pass"]["publisher_id"], passthrough_publisher,
                         "the passthrough destination never reconnected")
        self.assertEqual(serve.destination(p["id"])["stats"]["reconnects"], 0)
        for d in (a, p):
            serve.api("POST", f"/destinations/{d['id']}/stop", expect=202)
            serve.wait_status(d["id"], "ready", 15)
        nginx.stop()

        self.assert_rendition_stream(nginx.recording("rb"))  # B: from the start until it stopped
        self.assert_rendition_stream(nginx.recording("ra"))  # A: its second run
        rb = RecordingCheck(nginx.recording("rb"))
        self.assertGreater(len(rb.video_dts()), 30 * 7, "B streamed for its whole run (8 s and more)")
        passthrough = RecordingCheck(nginx.recording("pass"))
        passthrough.assert_valid(self, 1920, 1080, min_frames=30 * 20, max_frames=30 * 80)
        self.assertLess(passthrough.max_gap(passthrough.video_dts()), 0.2,
                        "the passthrough stream has no gap while the encoder started and stopped")
        log = serve.stderr_text()
        self.assertEqual(len(re.findall(r"event=rendition_started channel=\S+ rendition=720p30", log)), 2, log[-3000:])
        self.assertEqual(len(re.findall(r"event=rendition_stopped channel=\S+ rendition=720p30", log)), 2, log[-3000:])

    def test_the_rendition_keeps_its_format_when_the_input_changes_size(self):
        nginx = self.nginx()
        serve = Serve()
        self.addCleanup(serve.cleanup)
        cid = serve.main_channel()["id"]
        serve.api("POST", f"/channels/{cid}/renditions",
                  {"name": "small", "width": 640, "height": 360, "fps": 30, "video_bitrate_kbps": 800,
                   "keyframe_interval_s": 2}, expect=201)
        d = serve.api("POST", "/destinations", {"channel_id": cid, "name": "S", "platform": "custom",
                                                "url": f"rtmp://127.0.0.1:{nginx.rtmp_port}/live",
                                                "stream_key": "small", "rendition": "small"}, expect=201)
        serve.api("POST", f"/destinations/{d['id']}/start", expect=202)
        first = self.process(publish_srt(serve.srt_port, 8, size="640x360", gop=30))
        serve.wait_status(d["id"], "streaming", 30)
        first.proc.wait(30)
        # Another encoder, another size and shape (4:3): letterboxed into the same 640x360.
        wait_for(lambda: not serve.main_channel()["input"]["connected"], 15, "the first publisher to leave")
        second = self.process(publish_srt(serve.srt_port, 8, size="480x360", gop=30))
        wait_for(lambda: (serve.main_channel()["input"]["video"] or {}).get("width") == 480, 20, "the new input")
        second.proc.wait(30)
        time.sleep(2)
        publisher = nginx.stat()["small"]["publisher_id"]
        self.assertIsNotNone(publisher)
        serve.api("POST", f"/destinations/{d['id']}/stop", expect=202)
        serve.wait_status(d["id"], "ready", 15)
        nginx.stop()
        path = nginx.recording("small")
        self.assertEqual(frame_sizes(path), {"640,360"}, "every picture in the rendition's format")
        check = RecordingCheck(path)
        self.assertGreater(len(check.video_dts()), 30 * 12, "both publishers' pictures are in one recording")
        self.assertEqual([(x, y) for x, y in zip(check.video_dts(), check.video_dts()[1:]) if y < x], [])
        self.assertEqual(harness.decode_errors(path), "")

    def test_api_refusals_delete_in_use_and_platform_warnings(self):
        nginx = self.nginx()
        serve = Serve()
        self.addCleanup(serve.cleanup)
        cid = serve.main_channel()["id"]
        bad = [
            ({"width": 1280, "height": 720}, "name"),
            ({"name": "has space", "width": 1280}, "name"),
            ({"name": "x", "width": 1281, "height": 720}, "width"),
            ({"name": "x", "height": 721}, "height"),
            ({"name": "x", "fps": 500}, "fps"),
            ({"name": "x", "video_bitrate_kbps": 50}, "video_bitrate_kbps"),
            ({"name": "x", "audio_bitrate_kbps": 8}, "audio_bitrate_kbps"),
            ({"name": "x", "keyframe_interval_s": 30}, "keyframe_interval_s"),
            ({"name": "x", "preset": "turbo"}, "preset"),
            ({"name": "x", "bitrate": 3000}, "bitrate"),
            ({"from_platform": "myspace"}, "from_platform"),
        ]
        for body, field in bad:
            status, obj = serve.api("POST", f"/channels/{cid}/renditions", body)
            self.assertEqual(status, 422, (body, obj))
            self.assertEqual(obj["error"]["field"], field, (body, obj))
        status, obj = serve.api("POST", f"/channels/{cid}/renditions", "not an object")
        self.assertEqual(status, 422)
        self.assertEqual(serve.api("GET", "/channels/nope/renditions")[0], 404)

        # A platform's suggestion, and a rendition that breaks Twitch's cap.
        listed = serve.api("GET", f"/channels/{cid}/renditions", expect=200)
        twitch = next(s for s in listed["suggestions"] if s["platform"] == "twitch")
        self.assertEqual((twitch["height"], twitch["fps"], twitch["video_bitrate_kbps"]), (1080, 30, 6000))
        made = serve.api("POST", f"/channels/{cid}/renditions", {"from_platform": "twitch"}, expect=201)
        self.assertEqual((made["name"], made["width"], made["video_bitrate_kbps"]), ("twitch-1080p30", 1920, 6000))
        self.assertEqual(serve.api("POST", f"/channels/{cid}/renditions", {"from_platform": "twitch"})[0], 409)
        serve.api("POST", f"/channels/{cid}/renditions", {"name": "big", "video_bitrate_kbps": 8000,
                                                          "keyframe_interval_s": 4}, expect=201)
        base = f"rtmp://127.0.0.1:{nginx.rtmp_port}/live"
        t = serve.api("POST", "/destinations", {"channel_id": cid, "name": "T", "platform": "twitch", "url": base,
                                                "stream_key": "tw", "rendition": "big"}, expect=201)
        codes = {w["code"]: w for w in t["warnings"]}
        self.assertEqual(set(codes), {"video_bitrate", "keyframe_interval"}, t["warnings"])
        self.assertEqual((codes["video_bitrate"]["limit"], codes["video_bitrate"]["actual"]), (6000, 8000))
        self.assertIn("6000", codes["video_bitrate"]["message"])
        self.assertEqual((codes["keyframe_interval"]["limit"], codes["keyframe_interval"]["actual"]), (2, 4))
        fixed = serve.api("PATCH", f"/destinations/{t['id']}", {"rendition": "twitch-1080p30"}, expect=200)
        self.assertEqual(fixed["warnings"], [])
        # The input as it comes, with a keyframe every 5 s: Twitch wants 2.
        passthrough = serve.api("PATCH", f"/destinations/{t['id']}", {"rendition": None}, expect=200)
        self.assertIsNone(passthrough["rendition"])
        self.process(publish_srt(serve.srt_port, 30, gop=150))
        warned = wait_for(lambda: (lambda d: d if d["warnings"] else None)(serve.destination(t["id"])), 25,
                          "the keyframe warning once the input's interval is known")
        self.assertEqual([w["code"] for w in warned["warnings"]], ["keyframe_interval"])
        self.assertAlmostEqual(warned["warnings"][0]["actual"], 5.0, delta=0.2)

        # Destinations may only name the channel's renditions.
        status, obj = serve.api("PATCH", f"/destinations/{t['id']}", {"rendition": "nope"})
        self.assertEqual((status, obj["error"]["field"]), (422, "rendition"))
        self.assertIn("twitch-1080p30", obj["error"]["message"])
        status, obj = serve.api("POST", "/destinations", {"channel_id": cid, "name": "X", "platform": "custom",
                                                          "url": base + "/x", "rendition": 5})
        self.assertEqual((status, obj["error"]["field"]), (422, "rendition"))

        # A rendition in use is not deleted unless forced; forced, its destination goes back to passthrough.
        serve.api("PATCH", f"/destinations/{t['id']}", {"rendition": "big"}, expect=200)
        status, obj = serve.api("DELETE", f"/channels/{cid}/renditions/big")
        self.assertEqual((status, obj["error"]["code"]), (409, "rendition_in_use"))
        self.assertEqual(obj["error"]["destinations"], [t["id"]])
        self.assertEqual(len(serve.api("GET", f"/channels/{cid}/renditions", expect=200)["renditions"]), 2)
        status, _ = serve.api("DELETE", f"/channels/{cid}/renditions/big?force=true")
        self.assertEqual(status, 204)
        self.assertIsNone(serve.destination(t["id"])["rendition"])
        self.assertEqual(serve.api("GET", f"/channels/{cid}/renditions/big")[0], 404)
        # An unused one goes at once; a rename is refused; an edit is kept across a restart.
        status, obj = serve.api("PATCH", f"/channels/{cid}/renditions/twitch-1080p30", {"name": "other"})
        self.assertEqual((status, obj["error"]["field"]), (422, "name"))
        serve.api("PATCH", f"/channels/{cid}/renditions/twitch-1080p30", {"video_bitrate_kbps": 4500}, expect=200)
        serve.restart()
        kept = rendition(serve, cid, "twitch-1080p30")
        self.assertEqual(kept["video_bitrate_kbps"], 4500)
        serve.api("PATCH", f"/destinations/{t['id']}", {"rendition": "twitch-1080p30"}, expect=200)
        self.assertEqual(serve.destination(t["id"])["rendition"], "twitch-1080p30", "kept across a restart too")
        serve.restart()
        self.assertEqual(serve.destination(t["id"])["rendition"], "twitch-1080p30")


if __name__ == "__main__":
    harness.main()
