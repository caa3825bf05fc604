"""The AWS client against dynalite (a DynamoDB implementation, npm `dynalite@4`): starts it on 127.0.0.1 and runs
the unit binary's AwsClientDynalite tests, which are skipped unless LUNORA_TEST_DYNALITE_URL names a server.

dynalite is found through LUNORA_DYNALITE (its executable), else on PATH; without it the test is skipped with a
message (install: `npm install --prefix /opt/dynalite dynalite@4.0.0` and point LUNORA_DYNALITE at
/opt/dynalite/node_modules/.bin/dynalite)."""
import os
import shutil
import subprocess
import unittest

import harness
from harness import LUNORA, IntegrationTest, Process, free_port, tcp_port_listening, wait_for

# build/default/src/lunora -> build/default/tests/lunora_unit_tests
UNIT_TESTS = os.environ.get("LUNORA_UNIT_TESTS",
                            os.path.join(os.path.dirname(os.path.dirname(LUNORA)), "tests", "lunora_unit_tests"))


class AwsDynaliteTest(IntegrationTest):
    def test_client_against_dynalite(self):
        dynalite = os.environ.get("LUNORA_DYNALITE") or shutil.which("dynalite")
        if not dynalite:
            self.skipTest("dynalite not found: set LUNORA_DYNALITE to its executable")
        port = free_port()
        server = self.process(Process([dynalite, "--port", str(port), "--createTableMs", "0",
                                       "--deleteTableMs", "0", "--updateTableMs", "0"], "dynalite"))
        wait_for(lambda: tcp_port_listening(port), 20, "dynalite to listen")
        env = dict(os.environ, LUNORA_TEST_DYNALITE_URL=f"http://127.0.0.1:{port}")
        result = subprocess.run([UNIT_TESTS, "--gtest_filter=AwsClientDynalite.*", "--gtest_brief=1"], env=env,
                                capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stdout[-4000:] + result.stderr[-2000:])
        self.assertNotIn("SKIPPED", result.stdout)
        self.assertIn("PASSED", result.stdout)
        self.assertTrue(server.alive(), server.stderr_text())


if __name__ == "__main__":
    harness.main()
