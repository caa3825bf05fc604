"""ffmpeg -> SRT (or RTMP) -> lunora serve -> HLS over HTTP (issue 4): a valid live playlist, segments that
decode and start with a keyframe, EXT-X-DISCONTINUITY after the encoder reconnects, access by playback token,
no path outside the channel, and HLS switched on and off with the channel and its viewers."""
import time

from harness import IntegrationTest, Process, main, publish_rtmp, publish_srt, wait_for
from hls_client import Playlist, get, path_of, segment_report
from serve_harness import Serve


class HlsTest(IntegrationTest):
    def serve(self, **kw):
        s = Serve(**kw)
        self.addCleanup(s.cleanup)
        return s

    def playlist_path(self, channel):
        return path_of(channel["hls"]["playlist_url"])

    def wait_playlist(self, serve, path, predicate=lambda p: p.segments, timeout=30, what="a playlist"):
        """The first 200 playlist that satisfies `predicate` (requests mark the channel watched)."""
        def check():
            status, body, headers = get(serve.http_port, path)
            if status != 200:
                return None
            playlist = Playlist(body.decode())
            return (playlist, headers) if predicate(playlist) else None
        return wait_for(check, timeout, what, interval=0.5)

    def test_playlist_segments_and_reconnect_over_srt(self):
        serve = self.serve()
        channel = serve.main_channel()
        self.assertEqual(channel["hls"]["status"], "off")
        self.assertIn(f"/watch/{channel['id']}?token=", channel["playback_url"])
        path = self.playlist_path(channel)
        token = path.split("token=", 1)[1]

        # Nobody watches and the channel does not run: no HLS, and asking for it says why (503, retry).
        status, body, headers = get(serve.http_port, path)
        self.assertEqual(status, 503, body)
        self.assertEqual(headers.get("retry-after"), "2")
        self.assertEqual(headers.get("access-control-allow-origin"), "*")

        encoder = self.process(publish_srt(serve.srt_port, 120, gop=60))
        playlist, headers = self.wait_playlist(serve, path, lambda p: len(p.segments) >= 3, 40, "3 segments")
        self.assertEqual(headers["content-type"], "application/vnd.apple.mpegurl")
        self.assertEqual(headers["cache-control"], "no-cache")
        self.assertEqual(headers["access-control-allow-origin"], "*")
        self.assertEqual(playlist.problems(), [])
        self.assertEqual(playlist.version, 3)
        self.assertTrue(all(s["uri"].endswith(f"?token={token}") for s in playlist.segments), playlist.text)
        # The channel's view follows the engine's reports (4 a second).
        wait_for(lambda: (lambda h: h["status"] == "live" and h["segments"] >= 3)(serve.main_channel()["hls"]), 5,
                 "the channel to show HLS live with 3 segments")

        # Media sequence only grows; the window slides (default 6) and every listed segment decodes alone.
        sequences = [playlist.media_sequence]
        checked = {}
        deadline = time.monotonic() + 16
        while time.monotonic() < deadline:
            status, body, _ = get(serve.http_port, path)
            self.assertEqual(status, 200)
            current = Playlist(body.decode())
            self.assertEqual(current.problems(), [], current.text)
            self.assertLessEqual(len(current.segments), 6)
            sequences.append(current.media_sequence)
            for segment in current.segments:
                if segment["uri"] in checked:
                    continue
                status, data, seg_headers = get(serve.http_port, f"/hls/{channel['id']}/{segment['uri']}")
                self.assertEqual(status, 200, segment["uri"])
                self.assertEqual(seg_headers["content-type"], "video/mp2t")
                self.assertIn("immutable", seg_headers["cache-control"])
                checked[segment["uri"]] = segment_report(data)
            time.sleep(1)
        self.assertEqual(sequences, sorted(sequences))
        self.assertGreater(sequences[-1], sequences[0], "the window never slid")
        for uri, report in checked.items():
            self.assertEqual(report.get("codecs"), ["aac", "h264"], f"{uri}: {report}")
            self.assertTrue(report["first_video_keyframe"], f"{uri} does not start with a keyframe")
            self.assertEqual(report["decode_errors"], "", uri)
        self.assertGreaterEqual(len(checked), 6)

        # The encoder goes away: no playlist while there is no input; it comes back: a discontinuity.
        encoder.stop()
        wait_for(lambda: not serve.main_channel()["input"]["connected"], 10, "input down")
        self.assertEqual(get(serve.http_port, path)[0], 503)
        self.process(publish_srt(serve.srt_port, 60, gop=60))
        playlist, _ = self.wait_playlist(
            serve, path, lambda p: any(s["discontinuity"] for s in p.segments) and not p.segments[-1]["discontinuity"],
            40, "a discontinuity followed by a new segment")
        self.assertEqual(playlist.problems(), [])
        after = [s for s in playlist.segments if s["discontinuity"]][0]
        status, data, _ = get(serve.http_port, f"/hls/{channel['id']}/{after['uri']}")
        self.assertEqual(status, 200)
        self.assertTrue(segment_report(data)["first_video_keyframe"])

    def test_rtmp_input_is_packaged(self):
        serve = self.serve()
        channel = serve.main_channel()
        ingest = serve.api("GET", f"/channels/{channel['id']}/ingest", expect=200)
        self.process(publish_rtmp(ingest["rtmp_url"], 60, gop=60))
        path = self.playlist_path(channel)
        playlist, _ = self.wait_playlist(serve, path, lambda p: len(p.segments) >= 2, 40, "2 segments")
        self.assertEqual(playlist.problems(), [])
        status, data, _ = get(serve.http_port, f"/hls/{channel['id']}/{playlist.segments[-1]['uri']}")
        self.assertEqual(status, 200)
        report = segment_report(data)
        self.assertEqual(report["codecs"], ["aac", "h264"])
        self.assertTrue(report["first_video_keyframe"])
        self.assertEqual(report["decode_errors"], "")

    def test_hevc_input_is_a_clear_hls_error(self):
        serve = self.serve()
        channel = serve.main_channel()
        self.process(Process(
            ["ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
             "-t", "60", "-c:v", "libx265", "-preset", "ultrafast", "-f", "mpegts",
             f"srt://127.0.0.1:{serve.srt_port}?pkt_size=1316"], "ffmpeg-hevc"))
        serve.api("POST", f"/channels/{channel['id']}/start", expect=202)
        hls = wait_for(lambda: (lambda h: h if h["status"] == "error" else None)(serve.main_channel()["hls"]), 30,
                       "HLS to report the codec")
        self.assertIn("hevc", hls["error"])
        self.assertIn("H.264 video and AAC audio only", hls["error"])
        status, body, _ = get(serve.http_port, self.playlist_path(channel))
        self.assertEqual(status, 503, body)
        self.assertIn(b"H.264 video and AAC audio only", body)

    def test_tokens_public_channels_and_paths(self):
        serve = self.serve()
        channel = serve.main_channel()
        cid = channel["id"]
        token = channel["playback_url"].split("token=", 1)[1]
        self.process(publish_srt(serve.srt_port, 90, gop=60))
        path = self.playlist_path(channel)
        playlist, _ = self.wait_playlist(serve, path, timeout=40)
        segment = playlist.segments[0]["uri"].split("?", 1)[0]

        for bad in ("", "?token=", "?token=wrong", f"?token={token}x", f"?token={token[:-1]}"):
            for what in (f"/hls/{cid}/index.m3u8", f"/hls/{cid}/{segment}"):
                status, body, _ = get(serve.http_port, what + bad)
                self.assertEqual(status, 403, f"{what}{bad}: {body}")
            self.assertEqual(get(serve.http_port, f"/watch/{cid}{bad}")[0], 403, bad)
        self.assertEqual(get(serve.http_port, f"/hls/ch_nope/index.m3u8?token={token}")[0], 404)
        self.assertEqual(get(serve.http_port, f"/watch/ch_nope?token={token}")[0], 404)

        # Nothing outside the channel's window is a file, whatever the spelling.
        for evil in ("../../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2findex.m3u8", "..", "%2e%2e",
                     "seg-..ts", "seg-1.ts%00.m3u8", "index.m3u8%2F..", "lunora.db", "secret.key",
                     "..%5C..%5Csecret.key", "seg-999999.ts"):
            status, body, _ = get(serve.http_port, f"/hls/{cid}/{evil}?token={token}")
            self.assertEqual(status, 404, f"{evil}: {status} {body[:200]}")
            self.assertNotIn(b"root:", body)
        for evil in ("/hls/../api/v1/channels", "/hls/%2e%2e/%2e%2e/etc/passwd", f"/hls/{cid}/../{cid}/index.m3u8",
                     "/assets/../lunora.db", "/assets/..%2F..%2FCMakeLists.txt", "/assets/%2e%2e"):
            status, body, _ = get(serve.http_port, evil)
            self.assertIn(status, (403, 404), f"{evil}: {status}")
            self.assertNotIn(b"root:", body)

        # Public: no token needed, and the playback URL drops it; a new token retires the old one.
        public = serve.api("PATCH", f"/channels/{cid}", {"public": True}, expect=200)
        self.assertTrue(public["public"])
        self.assertNotIn("token=", public["playback_url"])
        self.assertEqual(get(serve.http_port, f"/hls/{cid}/index.m3u8")[0], 200)
        self.assertEqual(get(serve.http_port, f"/hls/{cid}/{segment}")[0], 200)
        serve.api("PATCH", f"/channels/{cid}", {"public": False}, expect=200)
        self.assertEqual(get(serve.http_port, f"/hls/{cid}/index.m3u8")[0], 403)
        rotated = serve.api("POST", f"/channels/{cid}/playback-token", expect=200)
        new_token = rotated["playback_url"].split("token=", 1)[1]
        self.assertNotEqual(new_token, token)
        self.assertEqual(get(serve.http_port, f"/hls/{cid}/index.m3u8?token={token}")[0], 403)
        self.assertEqual(get(serve.http_port, f"/hls/{cid}/index.m3u8?token={new_token}")[0], 200)
        # The token survives a restart.
        serve.restart()
        self.assertEqual(serve.main_channel()["playback_url"], rotated["playback_url"])
        self.assertEqual(serve.api("PATCH", f"/channels/{cid}", {"public": "yes"})[0], 422)

    def test_hls_follows_the_channel_and_its_viewers(self):
        serve = self.serve()
        channel = serve.main_channel()
        cid = channel["id"]
        serve.api("PATCH", f"/channels/{cid}", {"auto_stop_after_s": 0}, expect=200)
        self.process(publish_srt(serve.srt_port, 120, gop=60))
        wait_for(lambda: serve.main_channel()["input"]["connected"], 15, "input connected")
        time.sleep(1)
        self.assertEqual(serve.main_channel()["hls"]["status"], "off", "HLS runs with no reason to")

        # The channel runs: HLS runs, without any viewer.
        serve.api("POST", f"/channels/{cid}/start", expect=202)
        wait_for(lambda: serve.main_channel()["hls"]["status"] == "live", 20, "HLS live with the channel")
        serve.api("POST", f"/channels/{cid}/stop", expect=202)
        wait_for(lambda: serve.main_channel()["hls"]["status"] == "off", 10, "HLS off with the channel")

        # A viewer turns it on; once nobody asks for the playlist it goes off again.
        path = self.playlist_path(channel)
        self.wait_playlist(serve, path, timeout=30, what="a playlist for a viewer")
        # The channel's view follows the engine's reports (4 a second), a moment after the playlist.
        wait_for(lambda: serve.main_channel()["hls"]["status"] == "live", 5, "the channel to show HLS live")
        wait_for(lambda: serve.main_channel()["hls"]["status"] == "off", 40, "HLS off without viewers")


if __name__ == "__main__":
    main()
