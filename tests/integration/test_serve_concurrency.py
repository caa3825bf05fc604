"""50 concurrent start/stop/delete requests on the same destinations: no crash, the end state matches the last
accepted request, no engine output without a record and no record that claims to stream without one."""
import random
import threading
import time

from harness import IntegrationTest, main, publish_srt, wait_for
from serve_harness import Serve


class ServeConcurrencyTest(IntegrationTest):
    def test_fifty_concurrent_requests(self):
        nginx = self.nginx()
        serve = Serve()
        self.addCleanup(serve.cleanup)
        channel = serve.main_channel()
        self.process(publish_srt(serve.srt_port, 60))
        base = f"rtmp://127.0.0.1:{nginx.rtmp_port}/live"
        keys = [f"race{i}" for i in range(5)]
        ids = {serve.add_destination(channel["id"], k, base, k)["id"]: k for k in keys}
        rng = random.Random(7)
        # Four destinations get starts and stops; the fifth also gets deletes, racing its own starts and stops.
        order = list(ids)
        plan = [(d, rng.choice(["start", "start", "stop"])) for d in (rng.choice(order[:4]) for _ in range(40))]
        plan += [(order[4], rng.choice(["start", "stop", "delete"])) for _ in range(10)]
        rng.shuffle(plan)
        results = [None] * len(plan)
        barrier = threading.Barrier(len(plan))

        def run(i, destination_id, verb):
            barrier.wait()
            if verb == "delete":
                status, body = serve.api("DELETE", f"/destinations/{destination_id}")
            else:
                status, body = serve.api("POST", f"/destinations/{destination_id}/{verb}")
            results[i] = (time.monotonic(), status, verb, destination_id, body)

        threads = [threading.Thread(target=run, args=(i, d, v)) for i, (d, v) in enumerate(plan)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertTrue(serve.alive(), serve.stderr_text()[-3000:])
        for r in results:
            self.assertIsNotNone(r)
            self.assertIn(r[1], (202, 204, 404), r)

        # The last accepted request per destination decides. The control thread serializes requests and every
        # reply carries the record's version after it: the highest version is the last one applied.
        expected = {}
        for _, status, verb, d, body in results:
            if status == 204:
                expected[d] = (float("inf"), "deleted")
            elif status == 202 and expected.get(d, (0,))[0] != float("inf"):
                if body["version"] >= expected.get(d, (-1,))[0]:
                    expected[d] = (body["version"], "on" if body["enabled"] else "off")
        expected = {d: want for d, (_, want) in expected.items()}

        def settled():
            listed = {d["id"]: d for d in serve.api("GET", "/destinations", expect=200)["destinations"]}
            settled_now = all(d["status"] not in ("starting", "stopping") for d in listed.values())
            return (listed,) if settled_now else None
        try:
            listed = wait_for(settled, 30, "every destination settled")[0]
        except AssertionError:
            print({d["id"]: (d["status"], d["status_detail"], d["enabled"]) for d in
                   serve.api("GET", "/destinations", expect=200)["destinations"]})
            raise

        for d, want in expected.items():
            if want == "deleted":
                self.assertNotIn(d, listed)
            else:
                self.assertEqual(listed[d]["status"], "streaming" if want == "on" else "ready", d)

        # nginx agrees with the records: a publisher exactly for each destination that claims to stream.
        def publishing():
            return {k for k, s in nginx.stat().items() if s.get("publisher_id") and s["nclients"] > 0}
        want_keys = {ids[d] for d, x in listed.items() if x["status"] == "streaming"}
        self.assertTrue(want_keys, "the plan leaves some destinations on")
        wait_for(lambda: publishing() == want_keys, 15, f"nginx publishers == {want_keys}")


if __name__ == "__main__":
    main()
