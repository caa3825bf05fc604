"""The AWS client and the DynamoDB store against dynalite (npm `dynalite@4.0.0`, pinned in tests/services/ and
installed by `make test`, a DynamoDB implementation standing in for the real service, which cannot be reached
here): starts it on 127.0.0.1 and runs lunora_service_tests against it: the client (CreateTable, PutItem,
GetItem, and dynalite's own ConditionalCheckFailed, ResourceNotFound and Validation errors) and the store
conformance suite, the same tests the SQLite store passes, on the DynamoDB store."""
import os
import subprocess

import harness
from harness import LUNORA, IntegrationTest, Process, free_port, tcp_port_listening, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
DYNALITE = os.environ.get("LUNORA_DYNALITE",
                          os.path.join(HERE, "..", "services", "node_modules", ".bin", "dynalite"))
# build/<preset>/src/lunora -> build/<preset>/tests/lunora_service_tests
SERVICE_TESTS = os.environ.get("LUNORA_SERVICE_TESTS",
                               os.path.join(os.path.dirname(os.path.dirname(LUNORA)), "tests", "lunora_service_tests"))


class AwsDynaliteTest(IntegrationTest):
    def test_client_against_dynalite(self):
        self.assertTrue(os.path.exists(DYNALITE), f"{DYNALITE} is missing: `make test` installs it (tests/services)")
        port = free_port()
        server = self.process(Process([DYNALITE, "--port", str(port), "--createTableMs", "0",
                                       "--deleteTableMs", "0", "--updateTableMs", "0"], "dynalite"))
        wait_for(lambda: tcp_port_listening(port), 20, "dynalite to listen")
        env = dict(os.environ, LUNORA_TEST_DYNALITE_URL=f"http://127.0.0.1:{port}")
        listed = subprocess.run([SERVICE_TESTS, "--gtest_list_tests"], capture_output=True, text=True, timeout=60)
        self.assertIn("DynamoDb/StoreConformance.", listed.stdout, "the store conformance suite is not built in")
        result = subprocess.run([SERVICE_TESTS, "--gtest_brief=1", "--gtest_filter=-MediaLive*"], env=env, capture_output=True, text=True,
                                timeout=120)
        self.assertEqual(result.returncode, 0, result.stdout[-4000:] + result.stderr[-2000:])
        self.assertIn("PASSED", result.stdout)
        self.assertNotIn("SKIPPED", result.stdout)
        self.assertTrue(server.alive(), server.stderr_text())


if __name__ == "__main__":
    harness.main()
