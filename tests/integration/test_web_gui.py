"""The web GUI in a real browser (issue 5): Debian's Chromium, driven by playwright-core
(tests/browser/gui_e2e.mjs), against a real `lunora serve` fed by ffmpeg over SRT and a real nginx-rtmp
destination. A producer logs in, sees the input and a playing preview, adds a custom destination with the Add
form, starts it ("Streaming" within 10 s, a non-empty bitrate chart), stops it ("Ready"), points it at a port
where nothing listens ("Error" with a reason in words), deletes it, creates and deletes a second channel, adds a
backup input whose encoder takes over when the primary's is killed ("On air", one failover, the switch back refused
while the primary sends nothing, then done by hand) and removes it, and the page keeps its live updates across a
restart of the server."""
import os
import socket
import struct

from browser_script import WEB_DIST, assert_all_steps_passed, require_web_build, run_browser_script, screenshots_dir
from harness import IntegrationTest, free_port, main, publish_srt, udp_port_taken, wait_for
from serve_harness import Serve

STREAM_KEY = "gui-e2e-key"
STEPS = ["login", "channel", "preview", "add_destination", "start", "monitoring", "refresh", "stop", "error",
         "delete", "channels", "phone", "backup_add", "failover", "switch_back", "server_restart", "logout"]
SCREENSHOTS = {"login": (1280, 800), "channel": (1280, 800), "add_destination": (1280, 800),
               "destinations": (1280, 800), "monitoring": (1280, 800), "destination_error": (1280, 800),
               "failover": (1280, 800), "phone": (390, 844)}
RUN_TIMEOUT_S = 300


def png_size(path):
    """(width, height) from a PNG's IHDR chunk."""
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        raise AssertionError(f"{path} is not a PNG")
    return struct.unpack(">II", head[16:24])


class WebGuiTest(IntegrationTest):
    def setUp(self):
        super().setUp()
        require_web_build(self, "web/dist/index.html", "web/dist/watch.html", "web/node_modules/playwright-core")
        self.serve = Serve(extra=["--web-dir", WEB_DIST])
        self.addCleanup(self.serve.cleanup)
        self.destination_server = self.nginx()
        self.channel = self.serve.main_channel()
        self.backup_port = free_port(socket.SOCK_DGRAM)
        self.primary = None
        self.shots = screenshots_dir(self, "lunora-gui-shots-")

    def input_connected(self):
        return self.serve.api("GET", f"/channels/{self.channel['id']}", expect=200)["input"]["connected"]

    def start_primary(self):
        self.primary = self.process(publish_srt(self.serve.srt_port, 300, gop=60))

    def start_backup_encoder(self):
        wait_for(lambda: udp_port_taken(self.backup_port), 10, "the backup input's SRT listener")
        self.process(publish_srt(self.backup_port, 120, gop=30))

    def kill_primary(self):
        self.primary.proc.kill()

    def restart_primary(self):
        """The killed encoder's connection holds the listener until SRT's peer idle timeout declares it dead."""
        wait_for(lambda: not self.input_connected(), 15, "the killed primary's connection to end")
        self.start_primary()

    def restart_server_and_add_a_destination(self):
        """What the script waits for in its server_restart step: the page must notice both on its own."""
        self.serve.restart()
        self.serve.add_destination(self.channel["id"], "After restart", self.destination_server.url("after"), None)

    def run_script(self):
        """Runs gui_e2e.mjs, answering its restart handshake; returns its verdict and exit code."""
        refuse_url = f"rtmp://127.0.0.1:{free_port()}/live"  # nothing listens there: the connection is refused
        args = ["--url", f"http://127.0.0.1:{self.serve.http_port}", "--token", self.serve.token,
                "--rtmp-url", f"rtmp://127.0.0.1:{self.destination_server.rtmp_port}/live",
                "--stream-key", STREAM_KEY, "--refuse-url", refuse_url,
                "--screenshots", self.shots, "--restart-handshake", "--backup-port", str(self.backup_port)]
        requests = {"backup_encoder": self.start_backup_encoder, "primary_killed": self.kill_primary,
                    "primary_back": self.restart_primary, "restart": self.restart_server_and_add_a_destination}
        return run_browser_script(self, "gui_e2e.mjs", args, RUN_TIMEOUT_S, requests)

    def test_producer_flow(self):
        self.start_primary()
        wait_for(self.input_connected, 30, "the encoder to connect")

        verdict, code = self.run_script()
        steps = assert_all_steps_passed(self, verdict, code, STEPS)

        self.assertIn("not valid", steps["login"]["wrong_token_message"])
        self.assertTrue(steps["channel"]["ingest_url"].startswith("srt://"), steps["channel"])
        self.assertGreaterEqual(steps["preview"]["preview_played_s"], 3)
        self.assertGreaterEqual(steps["monitoring"]["chart_samples"], 3)
        self.assertGreater(steps["monitoring"]["chart_max_kbps"], 0)
        # The reason is in words, with what to do, not just a code.
        reason = steps["error"]["error_reason"]
        self.assertIn("refused the connection", reason)
        self.assertIn("Check the server URL", reason)

        # The backup input: added in the page on the port asked for, on air after the primary's encoder died.
        self.assertIn(f":{self.backup_port}?", steps["backup_add"]["backup_srt_url"])
        self.assertGreaterEqual(steps["backup_add"]["backup_copy_buttons"], 3)
        self.assertTrue(steps["failover"]["failovers"].startswith("1 to the backup"), steps["failover"])
        self.assertIn("primary input stopped delivering", steps["failover"]["last_switch"])
        self.assertIn("delivers no media", steps["failover"]["refusal"])
        self.assertIn("the primary input stopped delivering", steps["failover"]["logged"])
        self.assertIn("1 back to the primary", steps["switch_back"]["failovers"])

        # The stream really reached nginx under the key typed in the form.
        recording = self.destination_server.recording(STREAM_KEY)
        self.assertTrue(os.path.exists(recording), f"nginx recorded nothing at {recording}")
        self.assertGreater(os.path.getsize(recording), 100_000)

        # The server agrees with what the page showed: the deleted destination is gone.
        names = [d["name"] for d in self.serve.api("GET", "/destinations", expect=200)["destinations"]]
        self.assertEqual(names, ["After restart"])
        channels = self.serve.api("GET", "/channels", expect=200)["channels"]
        self.assertEqual([c["name"] for c in channels], ["main"])  # the second one was created and deleted in the page
        self.assertIsNone(channels[0]["backup_input"])  # the backup input was removed in the page
        self.assertTrue(steps["channels"]["second_channel_ingest"].startswith("srt://"), steps["channels"])

        for name, size in SCREENSHOTS.items():
            path = os.path.join(self.shots, f"{name}.png")
            self.assertTrue(os.path.exists(path), f"no screenshot {name}.png")
            self.assertEqual(png_size(path), size, name)


if __name__ == "__main__":
    main()
