"""The player page in a real browser (issue 4): Debian's Chromium, driven by playwright-core
(tests/browser/play_watch.mjs), plays /watch/{id} of a real `lunora serve` fed by ffmpeg over SRT: the video's
currentTime advances by at least 5 s with no fatal hls.js error. Without input it says it waits for the stream
and then plays once the encoder starts, without a reload; a wrong token is refused."""
import json
import threading
import os
import subprocess
import time

from harness import IntegrationTest, main, publish_srt
from hls_client import get, path_of
from serve_harness import Serve

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
PLAY = os.path.join(ROOT, "tests", "browser", "play_watch.mjs")


def play(url, *args, timeout=90):
    """play_watch.mjs's JSON verdict (it closes the browser on every path)."""
    out = subprocess.run(["node", PLAY, "--url", url, "--timeout", str(timeout), *args], capture_output=True,
                         text=True, timeout=timeout + 60)
    lines = out.stdout.strip().splitlines()
    if not lines:
        raise AssertionError(f"play_watch.mjs printed nothing (exit {out.returncode}): {out.stderr[-2000:]}")
    return json.loads(lines[-1]), out.returncode


class WatchPageTest(IntegrationTest):
    def setUp(self):
        super().setUp()
        for needed in ("web/dist/watch.html", "web/dist/assets/hls.min.js", "web/node_modules/playwright-core"):
            self.assertTrue(os.path.exists(os.path.join(ROOT, needed)), f"{needed} is missing: run `make web`")
        self.serve = Serve()
        self.addCleanup(self.serve.cleanup)
        self.channel = self.serve.main_channel()

    def test_plays_in_chromium(self):
        status, body, headers = get(self.serve.http_port, path_of(self.channel["playback_url"]))
        self.assertEqual(status, 200)
        self.assertIn(b"<video", body)
        self.assertNotIn("x-frame-options", headers)  # embeddable in an iframe
        self.assertIn("frame-ancestors *", headers["content-security-policy"])
        self.process(publish_srt(self.serve.srt_port, 90, gop=60))
        verdict, code = play(self.channel["playback_url"], "--seconds", "5")
        self.assertEqual(verdict["fatal_errors"], [], verdict)
        self.assertGreaterEqual(verdict["advanced_s"], 5, verdict)
        self.assertEqual(verdict["state"], "playing", verdict)
        self.assertEqual(code, 0, verdict)

    def test_waits_for_the_stream_then_plays(self):
        verdict, _ = play(self.channel["playback_url"], "--expect-text", "Waiting for the stream", timeout=30)
        self.assertTrue(verdict["ok"], verdict)
        self.assertEqual(verdict["state"], "waiting", verdict)

        # The page is already open when the encoder starts: it must start playing on its own.
        encoder_started = []

        def start_encoder_soon():
            time.sleep(4)
            encoder_started.append(self.process(publish_srt(self.serve.srt_port, 90, gop=60)))

        starter = threading.Thread(target=start_encoder_soon)
        starter.start()
        try:
            verdict, _ = play(self.channel["playback_url"], "--seconds", "5", timeout=90)
        finally:
            starter.join()
        self.assertEqual(verdict["state"], "playing", verdict)
        self.assertGreaterEqual(verdict["advanced_s"], 5, verdict)
        self.assertEqual(verdict["fatal_errors"], [], verdict)

    def test_wrong_token_is_refused(self):
        url = self.channel["playback_url"].split("?", 1)[0] + "?token=wrong"
        verdict, _ = play(url, "--expect-text", "Access denied", timeout=30)
        self.assertTrue(verdict["ok"], verdict)


if __name__ == "__main__":
    main()
