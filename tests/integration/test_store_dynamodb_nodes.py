"""Two `lunora serve` nodes on one DynamoDB table (dynalite behind the SigV4-checking proxy) share the channels:
each channel is driven by exactly one node (a lease per channel, a heartbeat per node), both APIs answer for
every channel (a command for the other node's channel is forwarded to it), and when one node is `kill -9`ed
while its destination streams into nginx-rtmp the other takes its channels over within the lease and the
destination streams again."""
import socket
import time

import harness
from dynamodb_fixture import DynamoDb
from harness import IntegrationTest, free_port, publish_srt, wait_for
from serve_harness import Serve

LEASE_MS = 2000
TABLE = "lunora_nodes"


class DynamoDbNodesTest(IntegrationTest):
    def node(self, proxy=None):
        serve = Serve(env=self.dynamodb.env(proxy=proxy),
                      extra=["--store", f"dynamodb:{TABLE}", "--lease-ms", str(LEASE_MS), "--create-table"])
        self.addCleanup(serve.cleanup)
        return serve

    def owners(self, serve):
        """{channel id: node id} as one node's API shows it."""
        return {c["id"]: (c["node"] or {}).get("id") for c in serve.api("GET", "/channels", expect=200)["channels"]}

    def test_two_nodes_split_the_channels_and_one_takes_over_when_the_other_dies(self):
        self.dynamodb = DynamoDb(self)
        nginx = self.nginx()
        a = self.node()
        b = self.node()
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

        # A command for B's channel sent to A is forwarded to B and answered as B answers it.
        destination = a.add_destination(b_channel, "nginx", f"rtmp://127.0.0.1:{nginx.rtmp_port}/live", "split")
        self.assertEqual(b.destination(destination["id"])["channel_id"], b_channel)
        a.api("POST", f"/destinations/{destination['id']}/start", expect=202)
        encoder = self.process(publish_srt(b_port, 120))
        b.wait_status(destination["id"], "streaming", 30)
        a.wait_status(destination["id"], "streaming", 10)  # A's mirror follows B's writes
        wait_for(lambda: nginx.stat().get("split", {}).get("bytes_in", 0) > 0, 15, "nginx to receive")

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


def log_text(serve):
    return "".join(serve.stdout_all) + serve.stderr_text()


if __name__ == "__main__":
    harness.main()
