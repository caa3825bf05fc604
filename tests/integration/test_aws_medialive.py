"""The MediaLive client and the channel bodies Lunora plans against the fake MediaLive (medialive_fake.py: it
checks SigV4 and every body against the official API model from npm `aws-sdk@2`, pinned in tests/services/ and
installed by `make test`, and enforces MediaLive's documented rules: IDLE-only updates, one output per RTMP
output group, the role dropped by an update without it). Starts the fake on 127.0.0.1 and runs the MediaLive
tests of lunora_service_tests against it."""
import os
import subprocess

import harness
from harness import IntegrationTest
from medialive_fake import MediaLiveFake
from test_aws_dynalite import SERVICE_TESTS

# The credentials tests/support/aws_client_test_support.hpp signs with.
CREDENTIALS = {"AKIDEXAMPLE": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}


class AwsMediaLiveTest(IntegrationTest):
    def test_client_and_plans_against_the_fake(self):
        fake = MediaLiveFake(CREDENTIALS, delays={"creating": 0.1, "starting": 0.1, "stopping": 0.1,
                                                  "deleting": 0.1}).start()
        self.addCleanup(fake.stop)
        listed = subprocess.run([SERVICE_TESTS, "--gtest_list_tests"], capture_output=True, text=True, timeout=60)
        self.assertIn("MediaLivePlan.", listed.stdout, "the MediaLive service tests are not built in")
        env = dict(os.environ, LUNORA_TEST_MEDIALIVE_URL=fake.url)
        result = subprocess.run([SERVICE_TESTS, "--gtest_brief=1", "--gtest_filter=MediaLive*"], env=env,
                                capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stdout[-4000:] + result.stderr[-2000:])
        self.assertIn("PASSED", result.stdout)
        self.assertNotIn("SKIPPED", result.stdout)
        # What the fake saw: the planned bodies went through model validation (a 400 would have failed above).
        operations = [call.operation for call in fake.calls]
        for operation in ("CreateInput", "CreateChannel", "UpdateChannel", "StartChannel", "StopChannel"):
            self.assertIn(operation, operations)


if __name__ == "__main__":
    harness.main()
