"""Every output failure is classified into a reason a person can act on, and retried with backoff."""
import time

import harness
from harness import IntegrationTest, free_port


class FailureReasonsTest(IntegrationTest):
    def test_each_failure_has_its_reason(self):
        nginx = self.nginx()
        unused = free_port()
        outputs = {
            "dns": "rtmp://no-such-host.invalid/live/key1",
            "refused": f"rtmp://127.0.0.1:{unused}/live/key2",
            "wrong_app": f"rtmp://127.0.0.1:{nginx.rtmp_port}/no-such-app/key3",
            "denied": f"rtmp://127.0.0.1:{nginx.rtmp_port}/locked/key4",
        }
        port = free_port()
        relay = self.relay(f"srt://127.0.0.1:{port}?mode=listener", list(outputs.values()))
        stats = relay.wait_stats(lambda s: all(o["last_error"] and o["reconnects"] >= 1 for o in s["outputs"]), 20,
                                 "every output to fail and retry")
        by_url = {o["id"]: o for o in stats["outputs"]}
        dns, refused, wrong_app, denied = (by_url[i] for i in (1, 2, 3, 4))
        self.assertEqual(dns["last_error_code"], "dns", dns)
        self.assertIn("no-such-host.invalid", dns["last_error"])
        self.assertEqual(refused["last_error_code"], "refused", refused)
        self.assertEqual(wrong_app["last_error_code"], "publish_rejected", wrong_app)
        self.assertIn("application name", wrong_app["last_error"])
        self.assertEqual(denied["last_error_code"], "publish_rejected", denied)
        self.assertIn("check the stream key", denied["last_error"])
        for o in stats["outputs"]:
            self.assertIn(o["state"], ("retrying", "connecting", "publishing"))
        # Backoff: retries of a refused key slow down (doubling from the harness's short first delay, with
        # jitter: about 5 in 8 s); a backoff that started over after every accepted-then-closed publish retried
        # about 30 times in 8 s.
        before = denied["reconnects"]
        time.sleep(8)
        later = {o["id"]: o for o in relay.poll_stats()["outputs"]}[4]
        self.assertLessEqual(later["reconnects"] - before, 12, later)
        log = relay.stderr_text()
        self.assertIn("event=output_error", log)
        for secret in ("key1", "key2", "key3", "key4"):
            self.assertNotIn(f"/{secret}", log)
        self.stop_relay(relay)


if __name__ == "__main__":
    harness.main()
