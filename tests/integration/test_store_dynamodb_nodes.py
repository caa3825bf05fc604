"""Two `lunora serve` nodes on one DynamoDB table (dynalite behind the SigV4-checking proxy) share the channels:
each channel is driven by exactly one node (a lease per channel, a heartbeat per node), both APIs answer for
every channel (a command for the other node's channel is forwarded to it), and when one node is `kill -9`ed
while its destination streams into nginx-rtmp the other takes its channels over within the lease and the
destination streams again. And the ways it goes wrong: a node cut from the table, a node that missed pruned
events, a late write from a channel's previous node, a copied data dir."""
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time

import harness
from dynamodb_fixture import DynamoDb
from harness import LUNORA, IntegrationTest, free_port, publish_srt, wait_for
from serve_harness import Serve

LEASE_MS = 2000
TABLE = "lunora_nodes"


class DynamoDbNodesTest(IntegrationTest):
    def node(self, proxy=None, node_url_host=None):
        """node_url_host: --node-url http://<it>:<HTTP port> instead of the default from --http."""
        http_port = free_port()
        extra = ["--store", f"dynamodb:{TABLE}", "--lease-ms", str(LEASE_MS), "--create-table"]
        if node_url_host:
            extra += ["--node-url", f"http://{node_url_host}:{http_port}"]
        serve = Serve(env=self.dynamodb.env(proxy=proxy), extra=extra, http_port=http_port)
        self.addCleanup(serve.cleanup)
        return serve

    def assert_events_in_log_order(self, sse, what):
        """Every stored event a node's SSE stream sent, its own and the other node's, in the log's order."""
        ids = [event_id for event_id, _, _ in sse.snapshot() if event_id > 0]
        self.assertTrue(ids, f"{what}: no events")
        self.assertEqual(ids, list(range(ids[0], ids[0] + len(ids))), f"{what}: events out of order or missed")

    def owners(self, serve):
        """{channel id: node id} as one node's API shows it."""
        return {c["id"]: (c["node"] or {}).get("id") for c in serve.api("GET", "/channels", expect=200)["channels"]}

    def test_two_nodes_split_the_channels_and_one_takes_over_when_the_other_dies(self):
        self.dynamodb = DynamoDb(self)
        nginx = self.nginx()
        a = self.node()
        b = self.node(node_url_host="localhost")
        events_a, events_b = a.events(), b.events()
        main = a.main_channel()
        made = [b.api("POST", "/channels", {"name": f"ch{i}", "input": {"protocol": "srt",
                                                                        "port": free_port(socket.SOCK_DGRAM)}},
                      expect=201)
                for i in range(3)]
        ids = {main["id"]} | {c["id"] for c in made}

        # Split: every channel has one owner, each node drives two, and both APIs say the same.
        def split():
            seen_a, seen_b = self.owners(a), self.owners(b)
            if set(seen_a) != ids or seen_a != seen_b or None in seen_a.values():
                return None
            return seen_a
        owners = wait_for(split, 20, "both nodes to agree on the channels and their owners")
        counts = {}
        for node in owners.values():
            counts[node] = counts.get(node, 0) + 1
        self.assertEqual(sorted(counts.values()), [2, 2], owners)
        # A started first, alone: it created `main` and drives it.
        node_a = owners[main["id"]]
        self.assertTrue(a.main_channel()["node"]["this"])
        self.assertFalse(b.main_channel()["node"]["this"])
        b_channel = next(cid for cid, node in owners.items() if node != node_a)
        b_port = next(c for c in b.api("GET", "/channels", expect=200)["channels"]
                      if c["id"] == b_channel)["input"]["port"]

        # A forwards to B at the URL B advertises (--node-url).
        b_node = next(c for c in a.api("GET", "/channels", expect=200)["channels"] if c["id"] == b_channel)["node"]
        self.assertEqual(b_node["url"], f"http://localhost:{b.http_port}")
        self.assertFalse(b_node["this"])

        # A command for B's channel sent to A is forwarded to B and answered as B answers it.
        destination = a.add_destination(b_channel, "nginx", f"rtmp://127.0.0.1:{nginx.rtmp_port}/live", "split")
        self.assertEqual(b.destination(destination["id"])["channel_id"], b_channel)
        a.api("POST", f"/destinations/{destination['id']}/start", expect=202)
        encoder = self.process(publish_srt(b_port, 120))
        b.wait_status(destination["id"], "streaming", 30)
        a.wait_status(destination["id"], "streaming", 10)  # A's mirror follows B's writes
        wait_for(lambda: nginx.stat().get("split", {}).get("bytes_in", 0) > 0, 15, "nginx to receive")

        # Both nodes write at once; each node's SSE stream has all the events, in the log's order.
        a_channel = next(cid for cid, node in owners.items() if node == node_a)

        def rename(serve, channel_id):
            for i in range(15):
                serve.api("PATCH", f"/channels/{channel_id}", {"name": f"{channel_id}-{i}"}, expect=200)
        writers = [threading.Thread(target=rename, args=(a, a_channel)),
                   threading.Thread(target=rename, args=(b, b_channel))]
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join()
        last = max(event_id for event_id, _, _ in events_b.snapshot())
        events_a.wait(lambda e: e[0] >= last, 10, "A's SSE to reach B's last event")
        self.assert_events_in_log_order(events_a, "node A's SSE")
        self.assert_events_in_log_order(events_b, "node B's SSE")
        events_a.close()
        events_b.close()

        # B dies: A takes B's channels over within the lease and turns the destination on again.
        b.proc.kill()
        b.proc.wait()
        killed_at = time.monotonic()
        wait_for(lambda: set(self.owners(a).values()) == {node_a}, 20, "A to own every channel")
        print(f"A owned B's channels {time.monotonic() - killed_at:.2f} s after the kill (lease {LEASE_MS} ms)")
        encoder.stop()
        encoder = self.process(publish_srt(b_port, 60))
        a.wait_status(destination["id"], "streaming", 30)
        wait_for(lambda: nginx.stat().get("split", {}).get("publisher_id") is not None, 15,
                 "nginx to receive from node A")
        self.assertEqual(a.destination(destination["id"])["stream_key_hint"], destination["stream_key_hint"])

    def test_a_node_cut_from_dynamodb_gives_its_channels_up_once_it_learns(self):
        """A's way to DynamoDB fails for longer than a lease: A keeps streaming meanwhile (it cannot know), B takes
        A's channel over once A's heartbeat expired, and A's first look at the leases after that makes it give
        the channel up (closing its ingest, so that B can open it) instead of driving it twice."""
        self.dynamodb = DynamoDb(self)
        own_path = self.dynamodb.another_proxy()
        a = self.node(proxy=own_path)
        b = self.node()
        main = a.main_channel()
        wait_for(lambda: b.main_channel()["node"] is not None and a.main_channel()["node"]["this"], 20,
                 "both nodes to see A drive `main`")

        own_path.throttle(mode="always", code="InternalServerError")
        wait_for(lambda: "event=heartbeat_failed" in log_text(a), 20, "A's heartbeat to fail")
        self.assertTrue(a.alive(), "a node must not stop because its store is unreachable")
        wait_for(lambda: b.main_channel()["node"]["this"], 20, "B to take `main` over")
        own_path.reset()
        wait_for(lambda: "event=channel_lost" in log_text(a), 20, "A to learn it lost `main`")
        self.assertTrue(a.alive())
        # Once A has closed the ingest, B's listener opens (B retries a busy port every few seconds).
        wait_for(lambda: b.main_channel()["input"]["listening"], 30, "B to listen on `main`'s port")
        wait_for(lambda: not a.main_channel()["node"]["this"], 10, "A's API to name B")
        self.assertEqual(a.main_channel()["id"], main["id"])

    def test_a_node_that_missed_pruned_events_reads_every_record_again(self):
        """B cannot read the table while A writes, and the events B missed are pruned meanwhile (the log keeps
        only the newest): back, B finds the log starting past where it stopped, reads every record again, and
        tells its SSE clients to resync."""
        self.dynamodb = DynamoDb(self)
        own_path = self.dynamodb.another_proxy()
        a = self.node()
        b = self.node(proxy=own_path)
        main = a.main_channel()
        wait_for(lambda: b.main_channel()["node"] is not None, 20, "B to see `main` driven by A")
        sse = b.events()

        own_path.throttle(mode="always", code="InternalServerError")
        wait_for(lambda: "event=store_sync_failed" in log_text(b), 20, "B to lose the table")
        a.api("PATCH", f"/channels/{main['id']}", {"name": "renamed-while-b-was-away"}, expect=200)
        fresh = a.api("POST", "/channels", {"name": "fresh", "input": {"protocol": "srt",
                                                                      "port": free_port(socket.SOCK_DGRAM)}},
                      expect=201)
        # What pruning does: only the newest event is left.
        events = sorted((item["sk"]["S"] for item in self.dynamodb.items(TABLE) if item["pk"]["S"] == "event"))
        self.assertGreaterEqual(len(events), 2, events)
        for sk in events[:-1]:
            status, body = self.dynamodb.call("DeleteItem", {"TableName": TABLE,
                                                             "Key": {"pk": {"S": "event"}, "sk": {"S": sk}}})
            self.assertEqual(status, 200, body)
        self.assertEqual(b.main_channel()["name"], "main", "B read the table while it was cut off")

        own_path.reset()
        wait_for(lambda: "event=store_resync" in log_text(b), 20, "B to notice the gap in the log")
        names = {c["id"]: c["name"] for c in b.api("GET", "/channels", expect=200)["channels"]}
        self.assertEqual(names, {main["id"]: "renamed-while-b-was-away", fresh["id"]: "fresh"})
        sse.wait(lambda e: e[1] == "resync", 10, "B's SSE client to be told to resync")
        self.assertTrue(b.alive())

    def test_a_late_write_from_the_previous_node_does_not_block_the_new_one(self):
        """The node that drove a channel before wrote it once more after this node took it over (it had not
        learnt yet that it lost it): the table holds a newer version than this node's. This node, the only
        writer now, writes on top of it instead of failing every later write."""
        self.dynamodb = DynamoDb(self)
        a = self.node()
        main = a.main_channel()
        wait_for(lambda: a.main_channel()["node"] is not None, 20, "A to drive `main`")
        key = {"pk": {"S": "channel"}, "sk": {"S": main["id"]}}
        status, body = self.dynamodb.call("UpdateItem", {
            "TableName": TABLE, "Key": key, "UpdateExpression": "SET version = version + :one, #n = :late",
            "ExpressionAttributeNames": {"#n": "name"},
            "ExpressionAttributeValues": {":one": {"N": "1"}, ":late": {"S": "late-write"}},
            "ReturnValues": "ALL_NEW"})
        self.assertEqual(status, 200, body)
        late_version = int(body["Attributes"]["version"]["N"])

        patched = a.api("PATCH", f"/channels/{main['id']}", {"name": "after-the-late-write"}, expect=200)
        self.assertEqual(patched["version"], late_version + 1)
        status, body = self.dynamodb.call("GetItem", {"TableName": TABLE, "Key": key, "ConsistentRead": True})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["Item"]["name"]["S"], "after-the-late-write")
        self.assertIn("event=store_version_adopted", log_text(a))
        # And the next write goes on from there.
        a.api("PATCH", f"/channels/{main['id']}", {"name": "and-again"}, expect=200)

    def test_a_copied_data_dir_is_refused_while_its_node_runs(self):
        """Two processes under one node id would both drive its channels: a node started on a copy of a running
        node's data dir is refused. The same node restarted at another URL is not (its old heartbeat stops)."""
        self.dynamodb = DynamoDb(self)
        a = self.node()
        a.main_channel()
        copy = tempfile.mkdtemp(prefix="lunora-copied-")
        shutil.copy(os.path.join(a.data_dir, "node-id"), copy)
        environment = dict(os.environ, LUNORA_API_TOKEN=a.token, **self.dynamodb.env())
        result = subprocess.run(
            [LUNORA, "serve", "--data-dir", copy, "--http", f"127.0.0.1:{free_port()}", "--rtmp",
             f"127.0.0.1:{free_port()}", "--srt-port", str(free_port(socket.SOCK_DGRAM)), "--store",
             f"dynamodb:{TABLE}", "--lease-ms", str(LEASE_MS)],
            env=environment, capture_output=True, text=True, timeout=60)
        self.assertNotEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn(f"is in use by a running node at http://127.0.0.1:{a.http_port}", result.stderr)
        self.assertIn("data dir of its own", result.stderr)
        self.assertTrue(a.alive())

        # kill -9 and back on another HTTP port: the old heartbeat is not renewed, so the start goes on.
        a.proc.kill()
        a.proc.wait()
        again = Serve(data_dir=a.data_dir, env=self.dynamodb.env(),
                      extra=["--store", f"dynamodb:{TABLE}", "--lease-ms", str(LEASE_MS)])
        self.addCleanup(again.cleanup)
        wait_for(lambda: again.main_channel()["node"] is not None and again.main_channel()["node"]["this"], 20,
                 "the restarted node to drive `main` again")


def log_text(serve):
    return "".join(serve.stdout_all) + serve.stderr_text()


if __name__ == "__main__":
    harness.main()
