"""Renditions in the web GUI (issue 9), in a real browser: Debian's Chromium driven by playwright-core
(tests/browser/gui_renditions_e2e.mjs) against a real `lunora serve --web-dir web/dist` fed by ffmpeg over SRT, with
a real nginx-rtmp destination.

In the page: a rendition made from the Twitch suggestion under a name of its own (an odd width refused first, the
server's message under the width field); a Twitch destination that uses it; a second rendition at 8000 kbps typed
in, the destination switched to it and warned with Twitch's 6000 and the rendition's 8000; the destination started,
and the rendition's card shows it running (frame rates, speed, CPU share, preset, audio); the bitrate lowered to
5000 and the warning gone; the rendition deleted while in use (the dialog names the destination, which then says
passthrough); the other, unused one deleted. The server agrees with what the page showed, and nginx recorded the
rendition's 1280x720, not the input's 640x360."""
import os

from browser_script import WEB_DIST, assert_all_steps_passed, require_web_build, run_browser_script, screenshots_dir
from harness import IntegrationTest, RecordingCheck, main, publish_srt, wait_for
from serve_harness import Serve

STREAM_KEY = "gui-renditions-key"
DESTINATION = "Twitch main"
FIRST, SECOND = "tw-main", "hot-8000"
STEPS = ["login", "add_from_suggestion", "add_destination", "second_rendition", "running", "edit_rendition",
         "delete_in_use", "delete_unused"]
RUN_TIMEOUT_S = 240


class WebGuiRenditionsTest(IntegrationTest):
    def setUp(self):
        super().setUp()
        require_web_build(self, "web/dist/index.html", "web/node_modules/playwright-core")
        self.serve = Serve(extra=["--web-dir", WEB_DIST])
        self.addCleanup(self.serve.cleanup)
        self.destination_server = self.nginx()
        self.channel = self.serve.main_channel()
        self.shots = screenshots_dir(self, "lunora-gui-renditions-shots-")

    def input_connected(self):
        return self.serve.api("GET", f"/channels/{self.channel['id']}", expect=200)["input"]["connected"]

    def run_script(self):
        args = ["--url", f"http://127.0.0.1:{self.serve.http_port}", "--token", self.serve.token,
                "--rtmp-url", f"rtmp://127.0.0.1:{self.destination_server.rtmp_port}/live",
                "--stream-key", STREAM_KEY, "--screenshots", self.shots]
        return run_browser_script(self, "gui_renditions_e2e.mjs", args, RUN_TIMEOUT_S)

    def test_renditions_made_used_warned_and_deleted_in_the_page(self):
        # A small input (640x360, 1 Mbit/s, a keyframe a second): passthrough breaks none of Twitch's limits, so
        # every warning on the card is the rendition's. The machine has 2 cores: one 720p encode at a time.
        self.process(publish_srt(self.serve.srt_port, 300, gop=30))
        wait_for(self.input_connected, 30, "the encoder to connect")

        verdict, code = self.run_script()
        steps = assert_all_steps_passed(self, verdict, code, STEPS)

        self.assertIn("No renditions yet", steps["login"]["empty"])

        # The Twitch suggestion filled the form; the server's refusal of an odd width showed under the field.
        made = steps["add_from_suggestion"]
        self.assertEqual(made["suggestion"], "Twitch: 1920×1080 at 30 fps, 6000 kbps")
        self.assertEqual(made["prefilled"], {"name": "twitch-1080p30", "width": "1920", "video": "6000"})
        self.assertIn("even", made["width_error"])
        self.assertEqual(made["width_invalid"], "true")
        self.assertEqual((made["picture"], made["bitrate"], made["state"]),
                         ("1920×1080 at 30 fps", "6000 kbps video, 128 kbps audio", "Idle"))

        # The destination form offers passthrough and the rendition; the card names what the destination gets.
        added = steps["add_destination"]
        self.assertEqual(added["choices"], ["Passthrough (the input as it comes)",
                                            f"{FIRST} — 1920×1080 at 30 fps, 6000 kbps"])
        self.assertIn(f"the rendition {FIRST}", added["sends"])
        self.assertEqual(added["rendition"], f"Rendition {FIRST}: 1920×1080 at 30 fps, 6000 kbps")
        self.assertEqual(added["warnings"], 0)

        # Switched to the 8000 kbps rendition: warned with both numbers, in the server's words.
        warned = steps["second_rendition"]
        self.assertEqual(warned["rendition"], f"Rendition {SECOND}: 1280×720 at 30 fps, 8000 kbps")
        self.assertEqual(warned["warnings"],
                         ["Twitch takes at most 6000 kbit/s of video; the rendition sends 8000 kbit/s"])
        self.assertEqual(warned["warnings_label"], f"Warnings for {DESTINATION}")

        # Running: the live counters reached the rendition's card.
        running = steps["running"]
        self.assertRegex(running["fps"], r"^\d+(\.\d+)? in, \d+(\.\d+)? out$")
        self.assertRegex(running["speed"], r"^\d+\.\dx real time$")
        self.assertRegex(running["cpu"], r"^(\d+% of a core|—)$")
        self.assertTrue(running["preset"].startswith(("veryfast", "superfast", "ultrafast", "faster")), running)
        self.assertIn(running["audio"], ["Passed through as it comes", "Measuring the input’s bitrate…",
                                         "Re-encoded at 128 kbps"])
        self.assertEqual(running["outputs"], "1 destination")
        self.assertEqual(running["used-by"], f"1 destination: {DESTINATION} (on)")
        self.assertEqual(running["channel_errors"], 0, running)

        edited = steps["edit_rendition"]
        self.assertEqual(edited["name_fields"], 0)
        self.assertEqual(edited["rendition"], f"Rendition {SECOND}: 1280×720 at 30 fps, 5000 kbps")

        # The delete of the rendition in use asked, naming the destination; confirmed, it went back to passthrough.
        deleted = steps["delete_in_use"]
        self.assertEqual(deleted["in_use"], f"This destination uses it: {DESTINATION}.")
        self.assertIn("?force=true", deleted["message"])
        self.assertEqual(deleted["rendition"], "Passthrough (the input as it comes)")
        self.assertIn("No destination uses it", steps["delete_unused"]["question"])

        # The server agrees with what the page showed.
        renditions = self.serve.api("GET", f"/channels/{self.channel['id']}/renditions", expect=200)["renditions"]
        self.assertEqual(renditions, [])
        destinations = self.serve.api("GET", "/destinations", expect=200)["destinations"]
        self.assertEqual([(d["name"], d["platform"], d["rendition"], d["enabled"]) for d in destinations],
                         [(DESTINATION, "twitch", None, False)])

        # What reached nginx while the destination streamed was the rendition's picture, not the input's.
        recording = self.destination_server.recording(STREAM_KEY)
        self.assertTrue(os.path.exists(recording), f"nginx recorded nothing at {recording}")
        video = RecordingCheck(recording).video
        self.assertEqual((video["codec_name"], video["width"], video["height"]), ("h264", 1280, 720))


if __name__ == "__main__":
    main()
