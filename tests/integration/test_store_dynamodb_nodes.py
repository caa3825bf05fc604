"""Two `lunora serve` nodes on one DynamoDB table (dynalite behind the SigV4-checking proxy): one is active and
drives the channels, the other waits on standby without binding a port. `kill -9` of the active node while a
destination streams into nginx-rtmp: the standby takes the lease over once it expires and turns the live
destination on again (it streams into nginx again, same ids and keys). A clean stop releases the lease: the
next node becomes active without waiting for it to expire."""
import time

import harness
from dynamodb_fixture import DynamoDb
from harness import IntegrationTest, free_port, publish_srt, wait_for
from serve_harness import Serve

LEASE_MS = 2000
TABLE = "lunora_nodes"


def log_text(serve):
    return "".join(serve.stdout_all) + serve.stderr_text()


class DynamoDbNodesTest(IntegrationTest):
    def node(self, first, wait_ready, proxy=None):
        """A node on the table with the first node's ingest ports, so that the encoder finds whichever is active
        (`first` None: ports of its own, as on another host)."""
        extra = ["--store", f"dynamodb:{TABLE}", "--lease-ms", str(LEASE_MS), "--create-table"]
        env = self.dynamodb.env(proxy=proxy)
        if first is None:
            serve = Serve(env=env, extra=extra, wait_ready=wait_ready)
        else:
            serve = Serve(env=env, extra=extra, rtmp_port=first.rtmp_port, srt_port=first.srt_port,
                          wait_ready=wait_ready)
        self.addCleanup(serve.cleanup)
        return serve

    def test_standby_takes_over_a_killed_active_node_and_resumes_its_destinations(self):
        self.dynamodb = DynamoDb(self)
        nginx = self.nginx()
        active = self.node(None, wait_ready=True)
        standby = self.node(active, wait_ready=False)
        wait_for(lambda: "event=standby" in log_text(standby), 20, "the second node to wait on standby")
        self.assertIn(f"active_node={active_node_id(active)}", log_text(standby))
        self.assertFalse(standby._ready(), "a standby node answers nothing")

        channel = active.main_channel()
        destination = active.add_destination(channel["id"], "nginx", f"rtmp://127.0.0.1:{nginx.rtmp_port}/live",
                                             "takeover")
        off = active.add_destination(channel["id"], "stays off", f"rtmp://127.0.0.1:{nginx.rtmp_port}/live",
                                     "off")["id"]
        encoder = self.process(publish_srt(active.srt_port, 120))
        active.api("POST", f"/destinations/{destination['id']}/start", expect=202)
        active.wait_status(destination["id"], "streaming", 30)
        wait_for(lambda: nginx.stat().get("takeover", {}).get("bytes_in", 0) > 0, 15, "nginx to receive")
        ingest = active.api("GET", f"/channels/{channel['id']}/ingest", expect=200)

        active.proc.kill()
        active.proc.wait()
        killed_at = time.monotonic()
        standby.wait_ready(timeout=30)
        took_over_s = time.monotonic() - killed_at
        self.assertIn("event=node_active", log_text(standby))
        # The encoder's SRT connection died with the node; it calls again, now reaching the standby.
        encoder.stop()
        encoder = self.process(publish_srt(active.srt_port, 60))
        standby.wait_status(destination["id"], "streaming", 30)
        wait_for(lambda: nginx.stat().get("takeover", {}).get("publisher_id") is not None, 15,
                 "nginx to receive from the new node")
        print(f"standby answered {took_over_s:.2f} s after the kill (lease {LEASE_MS} ms)")

        # The same channel, destinations, keys and settings, read from the table.
        self.assertEqual(standby.api("GET", f"/channels/{channel['id']}/ingest", expect=200), ingest)
        self.assertEqual(standby.destination(off)["status"], "ready")
        self.assertEqual(standby.destination(destination["id"])["stream_key_hint"], destination["stream_key_hint"])

        # A clean stop gives the lease up: the next node is active at once, never on standby.
        standby.api("POST", f"/destinations/{destination['id']}/stop", expect=202)
        standby.wait_status(destination["id"], "ready", 20)
        standby.stop()
        encoder.stop()
        third = self.node(active, wait_ready=True)
        self.assertNotIn("event=standby", log_text(third))
        self.assertEqual(third.destination(destination["id"])["status"], "ready")

    def test_a_node_that_finds_its_lease_taken_stops(self):
        """The active node's way to DynamoDB fails for longer than a lease: it keeps streaming meanwhile (it
        cannot know), the standby takes over, and the first renewal that gets through finds the lease taken: the
        node stops at once (exit 3) instead of publishing the same destinations twice."""
        self.dynamodb = DynamoDb(self)
        own_path = self.dynamodb.another_proxy()
        active = self.node(None, wait_ready=True, proxy=own_path)
        # Another host: ingest ports of its own, which the active node still holds here.
        standby = self.node(None, wait_ready=False)
        wait_for(lambda: "event=standby" in log_text(standby), 20, "the second node to wait on standby")

        own_path.throttle(mode="always", code="InternalServerError")
        wait_for(lambda: "event=lease_renewal_failed" in log_text(active), 20, "a failed renewal")
        self.assertTrue(active.alive(), "a node must not stop because its store is unreachable")
        standby.wait_ready(timeout=30)
        own_path.reset()
        wait_for(lambda: not active.alive(), 20, "the node that lost its lease to stop")
        self.assertEqual(active.proc.returncode, 3)
        self.assertIn("event=lease_lost", log_text(active))
        self.assertEqual(standby.api("GET", "/channels", expect=200)["channels"][0]["name"], "main")


def active_node_id(serve):
    for line in log_text(serve).splitlines():
        if "event=node_active" in line:
            return line.split("node=")[1].split()[0]
    raise AssertionError("the node never became active: " + log_text(serve)[-2000:])


if __name__ == "__main__":
    harness.main()
