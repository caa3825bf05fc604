"""The web GUI with a channel on MediaLive (issue 8), in a real browser: Debian's Chromium driven by
playwright-core (tests/browser/gui_medialive_e2e.mjs) against a real `lunora serve --web-dir web/dist` that drives
the fake MediaLive (medialive_fake.py, through AWS_ENDPOINT_URL_MEDIALIVE, as test_medialive_channels.py does).

A direct-mode channel and two custom RTMP destinations are made through the API. In the page: the AWS MediaLive
card shows the mode and MediaLive's channel id, and Lunora's Input and Backup input cards are absent (MediaLive
takes the feed); destination A starts without a question and streams once MediaLive runs, and the card shows
RUNNING and a cost line; starting destination B asks to restart MediaLive, naming A, and once confirmed both
stream. The fake saw exactly one StopChannel: the one restart the person allowed."""
import shutil
import tempfile
import time

from browser_script import WEB_DIST, assert_all_steps_passed, require_web_build, run_browser_script, screenshots_dir
from harness import main
from serve_harness import Serve
from test_medialive_fake import AKID, REGION, ROLE, SECRET, FakeTestCase

ENCODER = {"type": "SRT_CALLER", "srt_address": "203.0.113.5", "srt_port": 9000}
HLS = {"s3_url": "s3ssl://lunora-test/live/index", "playback_url": "https://cdn.example.com/live/index.m3u8"}
CHANNEL = "On AWS"
A, B = "Studio A", "Studio B"
STEPS = ["login", "channel", "start_a", "running", "start_b", "restarted"]
RUN_TIMEOUT_S = 150


class WebGuiMediaLiveTest(FakeTestCase):
    """The fake MediaLive (short delays): FakeTestCase."""

    def setUp(self):
        super().setUp()
        require_web_build(self, "web/dist/index.html", "web/node_modules/playwright-core")
        home = tempfile.mkdtemp(prefix="lunora-aws-home-")  # no ~/.aws of the machine's user
        self.addCleanup(shutil.rmtree, home, True)
        env = {"HOME": home, "AWS_PROFILE": "", "AWS_ENDPOINT_URL": "", "AWS_SESSION_TOKEN": "",
               "AWS_REGION": REGION, "AWS_ACCESS_KEY_ID": AKID, "AWS_SECRET_ACCESS_KEY": SECRET,
               "AWS_ENDPOINT_URL_MEDIALIVE": self.fake.url}
        self.serve = Serve(env=env, extra=["--web-dir", WEB_DIST, "--medialive-poll-moving-ms", "150",
                                           "--medialive-poll-steady-ms", "600", "--medialive-batch-window-ms", "1500"])
        self.addCleanup(self.serve.cleanup)
        self.shots = screenshots_dir(self, "lunora-gui-medialive-shots-")

    def operations(self, name):
        return [c.operation for c in self.fake.calls].count(name)

    def direct_channel(self):
        body = {"name": CHANNEL, "engine": "medialive",
                "medialive": {"mode": "direct", "role_arn": ROLE, "input": ENCODER, "hls": HLS}}
        channel = self.serve.api("POST", "/channels", body, expect=201)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            channel = self.serve.api("GET", f"/channels/{channel['id']}", expect=200)
            if channel["medialive"]["phase"] == "ready" and channel["medialive"]["state"] == "IDLE":
                return channel
            time.sleep(0.1)
        raise AssertionError(f"MediaLive's input and channel were not made: {channel['medialive']}")

    def rtmp_outputs(self, ml_id):
        """{(url, streamName)} of the RTMP destinations the fake channel pushes to."""
        channel = self.fake.channel(ml_id)
        refs = {group["outputs"][0]["outputSettings"]["rtmpOutputSettings"]["destination"]["destinationRefId"]
                for group in channel["encoderSettings"]["outputGroups"]
                if "rtmpGroupSettings" in group["outputGroupSettings"]}
        return {(d["settings"][0]["url"], d["settings"][0]["streamName"])
                for d in channel["destinations"] if d["id"] in refs}

    def run_script(self):
        args = ["--url", f"http://127.0.0.1:{self.serve.http_port}", "--token", self.serve.token, "--channel", CHANNEL,
                "--local-channel", "main", "--destination-a", A, "--destination-b", B, "--screenshots", self.shots]
        return run_browser_script(self, "gui_medialive_e2e.mjs", args, RUN_TIMEOUT_S)

    def test_direct_channel_restart_is_asked_and_applied_once(self):
        channel = self.direct_channel()
        ml_id = channel["medialive"]["channel_id"]
        a = self.serve.add_destination(channel["id"], A, "rtmp://127.0.0.1:1935/live", "key-a")["id"]
        b = self.serve.add_destination(channel["id"], B, "rtmp://127.0.0.1:1935/live", "key-b")["id"]
        self.assertEqual(self.operations("StartChannel"), 0)

        verdict, code = self.run_script()
        steps = assert_all_steps_passed(self, verdict, code, STEPS)

        # The local channel shows its Input and Backup input cards (the same locators find none below).
        self.assertEqual(steps["login"]["local_input_cards"], 1, steps["login"])
        self.assertEqual(steps["login"]["local_backup_cards"], 1, steps["login"])

        # The MediaLive card: the mode, MediaLive's own channel id; Lunora's input cards are absent.
        shown = steps["channel"]
        self.assertTrue(shown["mode"].startswith("Direct mode: MediaLive pushes every destination"), shown)
        self.assertEqual(shown["medialive_channel_id"], ml_id)
        self.assertIn("Lunora never sees it", shown["feed"])
        self.assertEqual(shown["srt_listener"], "srt://203.0.113.5:9000")
        self.assertEqual((shown["input_cards"], shown["backup_cards"], shown["add_backup_buttons"]), (0, 0, 0), shown)

        # Destinations page: no "No input yet" (Lunora never gets the feed), a pointer to MediaLive instead; A
        # started on the IDLE channel without a question.
        self.assertEqual(steps["start_a"]["no_input_notices"], 0, steps["start_a"])
        self.assertIn("MediaLive takes the feed", steps["start_a"]["feed_hint"])
        self.assertEqual(steps["start_a"]["dialogs_for_a"], 0, steps["start_a"])

        # RUNNING, pushing to A, with a cost line.
        running = steps["running"]
        self.assertEqual(running["outputs"], A)
        self.assertRegex(running["billed"], r"^\d+ min \(1 start\)$")
        self.assertGreaterEqual(int(running["billed"].split()[0]), 10)  # MediaLive bills a start 10 minutes at least
        self.assertRegex(running["estimate"], r"^\$\d+\.\d\d$")
        self.assertRegex(running["running_time"], r"^0:0\d:\d\d$")
        self.assertIn("at least 10 minutes", running["minimum_left"])

        # The question named the live destination the restart interrupts, in the server's words.
        asked = steps["start_b"]
        self.assertIn(A, asked["interrupted"])
        self.assertNotIn(B, asked["interrupted"])
        self.assertIn(f"MediaLive channel {ml_id} is RUNNING", asked["message"])
        self.assertIn("allow_restart=true", asked["message"])

        # After the confirmed restart: two starts, both pushed, MediaLive's lines in the events log.
        restarted = steps["restarted"]
        self.assertRegex(restarted["billed"], r"^\d+ min \(2 starts\)$")
        self.assertGreaterEqual(int(restarted["billed"].split()[0]), 20)
        self.assertEqual(sorted(restarted["outputs"].split(", ")), [A, B])
        self.assertEqual(restarted["input_charts"], 0, restarted)
        log = restarted["log"]
        self.assertIn(f"MediaLive channel {ml_id}: RUNNING", log)
        self.assertIn(f"MediaLive channel {ml_id}: restarting to apply the destination changes", log)

        # The server and the fake agree: both stream, MediaLive pushes to both, and it was stopped exactly once
        # (the one restart allowed), started twice and updated once per start.
        for d in (a, b):
            self.assertEqual(self.serve.destination(d)["status"], "streaming")
        self.assertEqual(self.rtmp_outputs(ml_id), {("rtmp://127.0.0.1:1935/live", "key-a"),
                                                    ("rtmp://127.0.0.1:1935/live", "key-b")})
        self.assertEqual(self.fake.channel(ml_id)["state"], "RUNNING")
        self.assertEqual(self.operations("StopChannel"), 1)
        self.assertEqual(self.operations("StartChannel"), 2)
        self.assertEqual(self.operations("UpdateChannel"), 2)


if __name__ == "__main__":
    main()
