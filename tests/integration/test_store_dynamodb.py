"""`lunora serve --store dynamodb:TABLE` against dynalite behind a SigV4-checking proxy (dynamodb_fixture.py):
the table created on request (on-demand), a missing table and refused credentials stop the start with AWS's
own words, state and events survive a restart, a node with another secret key is refused, and throttling is
retried and, past the retries, answered 503 store_unavailable with nothing changed."""
import os
import subprocess
import tempfile

import harness
from dynamodb_fixture import DynamoDb
from harness import LUNORA, IntegrationTest, free_port, wait_for
from serve_harness import Serve


class DynamoDbStoreTest(IntegrationTest):
    def setUp(self):
        super().setUp()
        self.dynamodb = DynamoDb(self)

    def serve(self, table, extra=(), **env):
        serve = Serve(env=self.dynamodb.env(**env), extra=["--store", f"dynamodb:{table}", *extra])
        self.addCleanup(serve.cleanup)
        return serve

    def failed_start(self, table, extra=(), **env):
        """Runs `lunora serve` that must not start -> its stderr."""
        data_dir = tempfile.mkdtemp(prefix="lunora-serve-")
        environment = dict(os.environ, LUNORA_API_TOKEN="test-admin-token-0123456789abcdef",
                           **self.dynamodb.env(**env))
        result = subprocess.run(
            [LUNORA, "serve", "--data-dir", data_dir, "--http", f"127.0.0.1:{free_port()}", "--rtmp",
             f"127.0.0.1:{free_port()}", "--store", f"dynamodb:{table}", *extra],
            env=environment, capture_output=True, text=True, timeout=60)
        self.assertNotEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertNotIn("serve_started", result.stdout + result.stderr)
        return result.stderr

    def test_missing_table_stops_the_start_and_names_create_table(self):
        stderr = self.failed_start("lunora_missing")
        self.assertIn("DynamoDB table lunora_missing does not exist", stderr)
        self.assertIn("--create-table", stderr)
        self.assertEqual(self.dynamodb.tables(), [], "nothing may be created without --create-table")

    def test_refused_credentials_stop_the_start_with_aws_words_and_no_secret(self):
        stderr = self.failed_start("lunora_creds", secret="not-the-secret-key")
        self.assertIn("InvalidSignatureException", stderr)
        self.assertIn("The request signature we calculated does not match", stderr)
        self.assertNotIn("not-the-secret-key", stderr)
        self.assertIn("access key …TEST from environment", stderr)

        stderr = self.failed_start("lunora_creds", access_key_id="AKIDUNKNOWNKEY")
        self.assertIn("UnrecognizedClientException", stderr)
        self.assertIn("The security token included in the request is invalid", stderr)
        self.assertEqual(self.dynamodb.proxy.stats()["forwarded"], 0, "a refused request reached the table")

        stderr = self.failed_start("bad/name")
        self.assertIn("store: expected sqlite or dynamodb:TABLE", stderr)

        stderr = self.failed_start("lunora_creds", extra=["--node-url", "10.0.1.7:8080"])
        self.assertIn("node_url: expected the http:// URL the other nodes reach this node's API at", stderr)

    def test_create_table_then_state_and_events_survive_a_restart(self):
        serve = self.serve("lunora_state", extra=["--create-table"])
        self.assertEqual(self.dynamodb.tables(), ["lunora_state"])
        status, described = self.dynamodb.call("DescribeTable", {"TableName": "lunora_state"})
        self.assertEqual(status, 200, described)
        table = described["Table"]
        self.assertEqual(table["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        self.assertEqual([(k["AttributeName"], k["KeyType"]) for k in table["KeySchema"]],
                         [("pk", "HASH"), ("sk", "RANGE")])

        channel = serve.main_channel()
        events = serve.events()
        destination = serve.add_destination(channel["id"], "Twitch", "rtmp://127.0.0.1:1/app", "live_secret_3f9a")
        renamed = serve.api("PATCH", f"/channels/{channel['id']}", {"name": "stage"}, expect=200)
        self.assertEqual(renamed["name"], "stage")
        wait_for(lambda: any(e[1] == "destination" for e in events.events), 10, "the destination event")
        last_id = max(int(e[0]) for e in events.events if e[0])
        events.close()

        # The stream key is sealed in the table: never there in plain text.
        items = self.dynamodb.items("lunora_state")
        self.assertNotIn("live_secret_3f9a", str(items))
        self.assertTrue(any(i["pk"]["S"] == "destination" for i in items))

        node = serve.api("GET", f"/channels/{channel['id']}", expect=200)["node"]
        self.assertTrue(node["this"], node)
        serve.restart(kill=True)
        channels = serve.api("GET", "/channels", expect=200)["channels"]
        self.assertEqual([(c["id"], c["name"]) for c in channels], [(channel["id"], "stage")])
        # The same node (its id is kept in the data dir) drives its channel again at once, not a lease later.
        self.assertEqual(channels[0]["node"], node)
        again = serve.destination(destination["id"])
        self.assertEqual((again["name"], again["stream_key_hint"]), ("Twitch", destination["stream_key_hint"]))
        # A client resuming from an event it saw gets what came after it, from the table.
        serve.api("PATCH", f"/destinations/{destination['id']}", {"name": "Twitch main"}, expect=200)
        resumed = serve.events(last_event_id=last_id - 1)
        wait_for(lambda: any(e[1] == "destination" and e[2].get("name") == "Twitch main" for e in resumed.events),
                 10, "the resumed events")
        self.assertEqual(int(resumed.events[0][0]), last_id, "the resume did not start after the id it named")
        resumed.close()

        # A node with another secret key could not open the stream keys: it is refused at the start.
        serve.stop()
        stderr = self.failed_start("lunora_state", secret_key="6a" * 32)
        self.assertIn("sealed with another secret key", stderr)

    def test_throttling_is_retried_then_reported_and_loses_nothing(self):
        serve = self.serve("lunora_throttle", extra=["--create-table"])
        channel_id = serve.main_channel()["id"]

        self.dynamodb.proxy.throttle(count=2, operations=["PutItem"])
        serve.api("PATCH", f"/channels/{channel_id}", {"name": "after-two-throttles"}, expect=200)
        self.assertEqual(self.dynamodb.proxy.stats()["throttled"], 2)

        self.dynamodb.proxy.throttle(mode="always", operations=["PutItem"])
        status, body = serve.api("PATCH", f"/channels/{channel_id}", {"name": "refused"})
        self.assertEqual(status, 503, body)
        self.assertEqual(body["error"]["code"], "store_unavailable")
        self.assertIn("ProvisionedThroughputExceededException", body["error"]["message"])
        self.assertIn("nothing was changed", body["error"]["message"])
        # Reads still work, and show the state before the refused change.
        self.assertEqual(serve.api("GET", f"/channels/{channel_id}", expect=200)["name"], "after-two-throttles")

        self.dynamodb.proxy.reset()
        serve.api("PATCH", f"/channels/{channel_id}", {"name": "after-reset"}, expect=200)
        serve.restart(kill=True)
        self.assertEqual(serve.api("GET", f"/channels/{channel_id}", expect=200)["name"], "after-reset")


if __name__ == "__main__":
    harness.main()
