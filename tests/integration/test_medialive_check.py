"""`lunora medialive check`, the smoke test a user with an AWS account runs, against the fake MediaLive: it
finds MediaLive the way the AWS SDKs do (AWS_ENDPOINT_URL_MEDIALIVE here), lists the channels, describes one
with its RTMP outputs (stream keys never printed), and a refusal stops it with AWS's own words and where the
credentials came from, never the secret."""
import os
import subprocess
import tempfile

import harness
from harness import LUNORA
from test_medialive_fake import AKID, REGION, SECRET, FakeTestCase, channel_body


class MediaLiveCheckTest(FakeTestCase):
    def check(self, *args, secret=SECRET, akid=AKID):
        home = tempfile.mkdtemp(prefix="lunora-aws-home-")  # no ~/.aws of the machine's user
        env = dict(os.environ, AWS_REGION=REGION, AWS_ACCESS_KEY_ID=akid, AWS_SECRET_ACCESS_KEY=secret,
                   AWS_SESSION_TOKEN="", AWS_PROFILE="", AWS_ENDPOINT_URL="", HOME=home,
                   AWS_ENDPOINT_URL_MEDIALIVE=self.fake.url)
        return subprocess.run([LUNORA, "medialive", "check", *args], env=env, capture_output=True, text=True,
                              timeout=60)

    def test_lists_and_describes_with_the_shells_aws_setup(self):
        channel = self.create_channel(channel_body(self.push_input()["id"]))
        result = self.check("--channel", channel["id"])
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn(f"MediaLive at {self.fake.url} (region {REGION}", result.stdout)
        self.assertIn("ListChannels: ok, 1 channel(s)", result.stdout)
        self.assertIn(f"  {channel['id']}  ", result.stdout)
        self.assertIn(f"DescribeChannel {channel['id']}: ok", result.stdout)
        self.assertIn("RTMP outputs: 1", result.stdout)
        self.assertIn("(stream key set)", result.stdout)
        stream_names = [s["streamName"] for d in channel_body("1")["destinations"] for s in d.get("settings", [])
                        if s.get("streamName")]
        self.assertTrue(stream_names)
        for name in stream_names:
            self.assertNotIn(name, result.stdout + result.stderr)
        self.assertIn("check passed", result.stdout)
        self.assertEqual([c.operation for c in self.fake.calls][-2:], ["ListChannels", "DescribeChannel"])

    def test_refusals_stop_it_with_aws_words(self):
        result = self.check(secret="not-the-secret")
        self.assertEqual(result.returncode, 1, result.stdout)
        self.assertIn("ListChannels: InvalidSignatureException", result.stderr)
        self.assertIn(f"access key …{AKID[-4:]} from environment", result.stderr)
        self.assertNotIn("not-the-secret", result.stdout + result.stderr)

        result = self.check("--channel", "4040404")
        self.assertEqual(result.returncode, 1, result.stdout)
        self.assertIn("DescribeChannel: NotFoundException", result.stderr)

        result = self.check("--channel", "../inputs")
        self.assertEqual(result.returncode, 1, result.stdout)
        self.assertIn("is not a MediaLive id", result.stderr)


if __name__ == "__main__":
    harness.main()
