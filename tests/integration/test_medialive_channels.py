"""Channels on MediaLive (issue 8) end to end: `lunora serve` drives the fake MediaLive (medialive_fake.py, which
checks SigV4 and every body against the official API model and enforces IDLE-only updates) through
AWS_ENDPOINT_URL_MEDIALIVE.

- direct mode: a destination's start puts an RTMP output group on the IDLE channel and starts it; a change of a
  running channel answers 409 restart_required naming the live destinations, unless ?allow_restart=true; changes
  within the batch window share one restart; stopping the last destination stops the channel; the ids MediaLive
  made are recorded and a restart of Lunora adopts them; MediaLive's refusals and pipeline failures show in AWS's
  words.
- hybrid mode with real media: ffmpeg stands in for MediaLive's one RTMP output (it publishes to the relay URL and
  stream name Lunora put on the MediaLive channel), and nginx-rtmp servers are the destinations; starting and
  stopping destinations never touches MediaLive's outputs.
"""
import json
import os
import subprocess
import tempfile
import time

import harness
from harness import probe, publish_rtmp, wait_for
from serve_harness import Serve
from test_medialive_fake import AKID, REGION, ROLE, SECRET, FakeTestCase, channel_body

ENCODER = {"type": "SRT_CALLER", "srt_address": "203.0.113.5", "srt_port": 9000}
HLS = {"s3_url": "s3ssl://lunora-test/live/index", "playback_url": "https://cdn.example.com/live/index.m3u8"}
BATCH_MS = 1500


class MediaLiveChannelsTest(FakeTestCase):
    """The fake (short delays) and a signed client of it: FakeTestCase."""

    def serve(self, aws=True, **kw):
        home = tempfile.mkdtemp(prefix="lunora-aws-home-")  # no ~/.aws of the machine's user
        env = {"HOME": home, "AWS_PROFILE": "", "AWS_ENDPOINT_URL": "", "AWS_SESSION_TOKEN": ""}
        if aws:
            env.update(AWS_REGION=REGION, AWS_ACCESS_KEY_ID=AKID, AWS_SECRET_ACCESS_KEY=SECRET,
                       AWS_ENDPOINT_URL_MEDIALIVE=self.fake.url)
        else:
            env.update(AWS_REGION="", AWS_ACCESS_KEY_ID="", AWS_SECRET_ACCESS_KEY="")
        serve = Serve(env=env, extra=["--medialive-poll-moving-ms", "150", "--medialive-poll-steady-ms", "600",
                                      "--medialive-batch-window-ms", str(BATCH_MS)], **kw)
        self.addCleanup(serve.cleanup)
        return serve

    def operations(self, name=None):
        ops = [c.operation for c in self.fake.calls]
        return ops if name is None else ops.count(name)

    def wait_channel(self, serve, channel_id, predicate, what, timeout=20):
        def check():
            channel = serve.api("GET", f"/channels/{channel_id}", expect=200)
            return channel if predicate(channel) else None
        return wait_for(check, timeout, what)

    def rtmp_outputs(self, ml_id):
        """{destination id: (url, streamName)} of the RTMP outputs the fake channel has."""
        channel = self.fake.channel(ml_id)
        destinations = {d["id"]: d["settings"][0] for d in channel["destinations"]}
        outputs = {}
        for group in channel["encoderSettings"]["outputGroups"]:
            if "rtmpGroupSettings" in group["outputGroupSettings"]:
                ref = group["outputs"][0]["outputSettings"]["rtmpOutputSettings"]["destination"]["destinationRefId"]
                outputs[ref] = (destinations[ref]["url"], destinations[ref]["streamName"])
        return outputs

    def direct_channel(self, serve, **medialive):
        body = {"name": "on-aws", "engine": "medialive",
                "medialive": {"mode": "direct", "role_arn": ROLE, "input": ENCODER, "hls": HLS, **medialive}}
        channel = serve.api("POST", "/channels", body, expect=201)
        ready = self.wait_channel(serve, channel["id"], lambda c: c["medialive"]["phase"] == "ready"
                                  and c["medialive"]["channel_id"], "MediaLive's input and channel to be made")
        return ready

    def test_direct_mode_restarts_only_when_allowed_and_batches_them(self):
        serve = self.serve()
        channel = self.direct_channel(serve)
        ml_id = channel["medialive"]["channel_id"]
        self.assertEqual(channel["engine"], "medialive")
        self.assertEqual(channel["playback_url"], HLS["playback_url"])
        self.assertEqual(channel["state"], "idle")
        made = self.fake.channel(ml_id)
        self.assertEqual(made["roleArn"], ROLE)
        self.assertEqual(made["inputAttachments"][0]["inputId"], channel["medialive"]["input_id"])
        self.assertEqual(self.fake.input(channel["medialive"]["input_id"])["type"], "SRT_CALLER")
        ingest = serve.api("GET", f"/channels/{channel['id']}/ingest", expect=200)
        self.assertEqual(ingest["medialive"]["srt_listener"], "srt://203.0.113.5:9000")

        # MediaLive pushes RTMP(S) only.
        status, body = serve.api("POST", "/destinations", {"channel_id": channel["id"], "name": "srt",
                                                           "platform": "custom", "url": "srt://127.0.0.1:7001"})
        self.assertEqual(status, 422, body)
        self.assertIn("rtmp:// and rtmps://", body["error"]["message"])

        a = serve.add_destination(channel["id"], "a", "rtmp://127.0.0.1:1935/live", "key-a")["id"]
        b = serve.add_destination(channel["id"], "b", "rtmp://127.0.0.1:1935/live", "key-b")["id"]
        c = serve.add_destination(channel["id"], "c", "rtmps://127.0.0.1:1936/app", "key-c")["id"]

        # IDLE: update, then start; `streaming` only once MediaLive says RUNNING. Throttling is retried.
        self.fake.throttle(1, operations=["UpdateChannel"])
        self.fake.throttle(1, operations=["StartChannel"])
        serve.api("POST", f"/destinations/{a}/start", expect=202)
        serve.wait_status(a, "streaming")
        self.assertEqual(self.rtmp_outputs(ml_id), {a: ("rtmp://127.0.0.1:1935/live", "key-a")})
        self.assertEqual(self.operations("StartChannel"), 2)  # the throttled one and its retry
        self.assertEqual(self.fake.channel(ml_id)["state"], "RUNNING")
        running = self.wait_channel(serve, channel["id"], lambda c: c["state"] == "running", "the channel to run")
        self.assertEqual(running["medialive"]["outputs"], [a])

        # RUNNING: a change needs a restart, and says which live destinations it interrupts.
        status, body = serve.api("POST", f"/destinations/{b}/start")
        self.assertEqual(status, 409, body)
        self.assertEqual(body["error"]["code"], "restart_required")
        self.assertEqual(body["error"]["destinations"], [a])
        self.assertEqual(serve.destination(b)["status"], "ready")
        self.assertEqual(self.operations("StopChannel"), 0)

        # Allowed: b and c, asked for within one batch window, share one restart.
        updates, stops = self.operations("UpdateChannel"), self.operations("StopChannel")
        serve.api("POST", f"/destinations/{b}/start?allow_restart=true", expect=202)
        serve.api("POST", f"/destinations/{c}/start?allow_restart=true", expect=202)
        starting = serve.destination(c)
        self.assertEqual(starting["status"], "starting")
        for d in (a, b, c):
            serve.wait_status(d, "streaming", timeout=30)
        self.assertEqual(self.operations("StopChannel") - stops, 1)
        self.assertEqual(self.operations("UpdateChannel") - updates, 1)  # one restart, one update
        self.assertEqual(self.operations("StartChannel"), 3)
        self.assertEqual(set(self.rtmp_outputs(ml_id)), {a, b, c})
        self.assertEqual(self.rtmp_outputs(ml_id)[c], ("rtmps://127.0.0.1:1936/app", "key-c"))
        self.assertEqual(self.fake.channel(ml_id)["roleArn"], ROLE)  # every update sent the role back

        # A new key for a live destination is a change too; once allowed, MediaLive pushes with the new key.
        status, body = serve.api("PATCH", f"/destinations/{c}", {"stream_key": "key-c2"})
        self.assertEqual((status, body["error"]["code"]), (409, "restart_required"), body)
        serve.api("PATCH", f"/destinations/{c}?allow_restart=true", {"stream_key": "key-c2"}, expect=200)
        wait_for(lambda: self.rtmp_outputs(ml_id).get(c) == ("rtmps://127.0.0.1:1936/app", "key-c2"), 30,
                 "MediaLive to push with the new key")
        for d in (a, b, c):
            serve.wait_status(d, "streaming", timeout=30)

        # Stopping one of three restarts it too; stopping the channel stops it without asking.
        status, body = serve.api("POST", f"/destinations/{b}/stop")
        self.assertEqual((status, body["error"]["code"]), (409, "restart_required"))
        self.assertEqual(sorted(body["error"]["destinations"]), sorted([a, c]))
        serve.api("POST", f"/channels/{channel['id']}/stop", expect=202)
        for d in (a, b, c):
            serve.wait_status(d, "ready", timeout=30)
        idle = self.wait_channel(serve, channel["id"], lambda c: c["state"] == "idle"
                                 and not c["medialive"]["outputs"], "the channel to stop and lose its outputs")
        self.assertEqual(self.fake.channel(ml_id)["state"], "IDLE")
        self.assertEqual(self.rtmp_outputs(ml_id), {})
        cost = idle["medialive"]["cost"]
        self.assertGreaterEqual(cost["runs"], 2)
        self.assertGreaterEqual(cost["billed_minutes"], 20)  # ten minutes at least per start
        self.assertGreater(cost["estimated_usd"], 0)
        self.assertFalse(cost["running"])

        # A restart of Lunora drives the same MediaLive channel: nothing is made twice.
        serve.restart()
        again = self.wait_channel(serve, channel["id"], lambda c: c["medialive"]["phase"] == "ready",
                                  "the channel to be driven again")
        self.assertEqual(again["medialive"]["channel_id"], ml_id)
        self.assertEqual(self.operations("CreateChannel"), 1)
        self.assertEqual(self.operations("CreateInput"), 1)
        serve.api("POST", f"/destinations/{a}/start", expect=202)
        serve.wait_status(a, "streaming", timeout=30)

        # A deleted channel does not keep running (and billing) on AWS.
        serve.api("DELETE", f"/channels/{channel['id']}?force=true", expect=204)
        wait_for(lambda: self.fake.channel(ml_id)["state"] == "IDLE", 20, "MediaLive to stop the deleted channel")

    def plan(self, serve, *args):
        env = dict(os.environ, **serve.env)
        return subprocess.run([harness.LUNORA, "medialive", "plan", *args, "--data-dir", serve.data_dir], env=env,
                              capture_output=True, text=True, timeout=60)

    def test_plan_prints_the_next_update_without_sending_it(self):
        serve = self.serve()
        channel = self.direct_channel(serve)
        ml_id = channel["medialive"]["channel_id"]
        a = serve.add_destination(channel["id"], "a", "rtmp://127.0.0.1:1935/live", "secret-key-a")["id"]
        b = serve.add_destination(channel["id"], "b", "rtmp://127.0.0.1:1935/live", "secret-key-b")["id"]
        serve.api("POST", f"/destinations/{a}/start", expect=202)
        serve.wait_status(a, "streaming")
        updates = self.operations("UpdateChannel")

        result = self.plan(serve, "on-aws", "--start", "b")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(f"MediaLive channel {ml_id} is RUNNING; the next change sends this UpdateChannel (not sent)",
                      result.stderr)
        body = json.loads(result.stdout)
        groups = [g["name"] for g in body["encoderSettings"]["outputGroups"]]
        self.assertEqual(groups[0], "hls")
        self.assertEqual(sorted(groups[1:]), sorted([f"rtmp-group-{a}", f"rtmp-group-{b}"]))
        self.assertEqual(body["roleArn"], ROLE)
        self.assertNotIn("secret-key", result.stdout + result.stderr)  # stream keys only as hints
        self.assertEqual(self.operations("UpdateChannel"), updates)  # nothing was sent

        same = self.plan(serve, channel["id"])
        self.assertEqual(same.returncode, 0, same.stderr)
        self.assertIn("its RTMP outputs are already these: no UpdateChannel is needed", same.stderr)

        local = self.plan(serve, "main")
        self.assertEqual(local.returncode, 1)
        self.assertIn('channel "main" runs on the local engine, not on MediaLive', local.stderr)
        missing = self.plan(serve, "nowhere")
        self.assertEqual(missing.returncode, 1)
        self.assertIn("no channel nowhere", missing.stderr)

    def test_refusals_and_pipeline_failures_show_in_aws_words(self):
        serve = self.serve()
        # An adopted channel without an IAM role: MediaLive refuses to start it.
        unrolled = channel_body(self.push_input()["id"])
        del unrolled["roleArn"]
        adopted = self.create_channel(unrolled)["id"]
        channel = serve.api("POST", "/channels", {"name": "adopted", "engine": "medialive", "medialive": {
            "mode": "direct", "channel_id": adopted}}, expect=201)
        channel = self.wait_channel(serve, channel["id"], lambda c: c["medialive"]["phase"] == "ready",
                                    "the adopted channel to be driven")
        self.assertEqual(channel["medialive"]["channel_id"], adopted)
        self.assertIsNone(channel["playback_url"])  # HLS neither here nor known on S3: no player
        d = serve.add_destination(channel["id"], "a", "rtmp://127.0.0.1:1935/live", "key-a")["id"]
        serve.api("POST", f"/destinations/{d}/start", expect=202)
        failed = serve.wait_status(d, "error", timeout=20)
        self.assertEqual(failed["last_error"]["code"], "medialive_refused")
        self.assertIn("BadRequestException", failed["last_error"]["message"])
        self.assertIn("role", failed["last_error"]["message"].lower())
        self.assertEqual(self.operations("CreateChannel"), 1)  # only the test's

        # A pipeline failure of a running channel: the channel and its destinations say so.
        serve.api("DELETE", f"/channels/{channel['id']}?force=true", expect=204)
        body = {"name": "second", "engine": "medialive",
                "medialive": {"mode": "direct", "role_arn": ROLE, "input": ENCODER, "hls": HLS}}
        second = serve.api("POST", "/channels", body, expect=201)
        d2 = serve.add_destination(second["id"], "a", "rtmp://127.0.0.1:1935/live", "key-a")["id"]
        serve.api("POST", f"/destinations/{d2}/start", expect=202)
        serve.wait_status(d2, "streaming", timeout=30)
        ml_id = serve.api("GET", f"/channels/{second['id']}", expect=200)["medialive"]["channel_id"]
        self.fake.pipeline_failure(ml_id, "Video codec mismatch", recover_after=3)
        broken = self.wait_channel(serve, second["id"], lambda c: c["state"] == "error", "the channel error")
        self.assertIn("RECOVERING", broken["state_message"])
        failing = serve.wait_status(d2, "error", timeout=10)
        self.assertEqual(failing["last_error"]["code"], "medialive_pipeline_failure")
        serve.wait_status(d2, "streaming", timeout=30)
        self.wait_channel(serve, second["id"], lambda c: c["state"] == "running", "the channel to recover")

    def test_provisioning_that_failed_is_tried_again(self):
        serve = self.serve()
        self.fake.fail(3, 500, operations=["CreateInput"])  # every attempt of the first try (3, as the SDKs)
        body = {"name": "later", "engine": "medialive",
                "medialive": {"mode": "direct", "role_arn": ROLE, "input": ENCODER, "hls": HLS}}
        channel = serve.api("POST", "/channels", body, expect=201)
        failed = self.wait_channel(serve, channel["id"], lambda c: c["medialive"]["phase"] == "failed",
                                   "provisioning to fail")
        self.assertEqual(failed["state"], "error")
        self.assertIn("InternalServerErrorException", failed["medialive"]["error"])
        # The fault is used up meanwhile: the next try (10 s backoff, jittered) makes the input and channel.
        ready = self.wait_channel(serve, channel["id"], lambda c: c["medialive"]["phase"] == "ready", "a retry", 40)
        self.assertEqual(ready["state"], "idle")
        self.assertEqual(self.operations("CreateChannel"), 1)

    def test_bad_medialive_settings_and_no_aws(self):
        serve = self.serve(aws=False)
        cases = [
            ({"engine": "medialive"}, "medialive"),
            ({"engine": "cloud"}, "engine"),
            ({"medialive": {"mode": "direct"}}, "medialive"),
            ({"engine": "medialive", "medialive": {"mode": "sideways", "role_arn": ROLE, "input": ENCODER}},
             "medialive.mode"),
            ({"engine": "medialive", "medialive": {"mode": "direct", "input": ENCODER}}, "medialive.role_arn"),
            ({"engine": "medialive", "medialive": {"mode": "direct", "role_arn": ROLE, "input": ENCODER}},
             "medialive.hls"),
            ({"engine": "medialive", "medialive": {"mode": "direct", "role_arn": ROLE,
                                                   "input": {"type": "SRT_CALLER", "srt_port": 9000}}},
             "medialive.input.srt_address"),
            ({"engine": "medialive", "medialive": {"mode": "direct", "role_arn": ROLE, "channel_id": "../x"}},
             "medialive.channel_id"),
            ({"engine": "medialive", "medialive": {"mode": "hybrid", "role_arn": ROLE,
                                                   "input": {"type": "RTMP_PUSH", "allowed_cidr": "everyone"}}},
             "medialive.input.allowed_cidr"),
            ({"engine": "medialive", "input": {"protocol": "srt"},
              "medialive": {"mode": "direct", "role_arn": ROLE, "input": ENCODER}}, "input"),
        ]
        for extra, field in cases:
            status, body = serve.api("POST", "/channels", {"name": "bad", **extra})
            self.assertEqual(status, 422, (extra, body))
            self.assertEqual(body["error"]["field"], field, body)
        # Valid settings, but this node has no AWS settings: a clear refusal, nothing saved.
        status, body = serve.api("POST", "/channels", {"name": "aws", "engine": "medialive", "medialive": {
            "mode": "direct", "role_arn": ROLE, "input": ENCODER, "hls": HLS}})
        self.assertEqual(status, 409, body)
        self.assertEqual(body["error"]["code"], "medialive_unavailable")
        self.assertIn("MediaLive is not available on this node", body["error"]["message"])
        names = [c["name"] for c in serve.api("GET", "/channels", expect=200)["channels"]]
        self.assertEqual(names, ["main"])

    def test_hybrid_mode_fans_out_without_touching_medialive(self):
        serve = self.serve()
        body = {"name": "hybrid", "engine": "medialive",
                "medialive": {"mode": "hybrid", "role_arn": ROLE,
                              "input": {"type": "RTMP_PUSH", "rtmp_stream": "live/encoder",
                                        "allowed_cidr": "198.51.100.0/24"}}}
        channel = serve.api("POST", "/channels", body, expect=201)
        channel = self.wait_channel(serve, channel["id"], lambda c: c["medialive"]["phase"] == "ready"
                                    and c["medialive"]["channel_id"], "MediaLive's resources")
        ml_id = channel["medialive"]["channel_id"]
        self.assertTrue(channel["playback_url"].startswith(f"http://127.0.0.1:{serve.http_port}/watch/"))
        ingest = serve.api("GET", f"/channels/{channel['id']}/ingest", expect=200)
        self.assertTrue(ingest["medialive"]["ingest_url"].endswith("/live/encoder"), ingest)
        # The one RTMP output MediaLive has: the relay into this channel's RTMP ingest.
        relay = self.rtmp_outputs(ml_id)
        self.assertEqual(relay, {"lunora-relay": (f"rtmp://127.0.0.1:{serve.rtmp_port}/live", ingest["rtmp_key"])})
        self.assertNotIn(ingest["rtmp_key"], str(channel))  # the API shows the relay key only as a hint

        nginx_a, nginx_b = self.nginx(), self.nginx()
        a = serve.add_destination(channel["id"], "a", nginx_a.url("a").rsplit("/", 1)[0], "a")["id"]
        b = serve.add_destination(channel["id"], "b", nginx_b.url("b").rsplit("/", 1)[0], "b")["id"]
        serve.api("POST", f"/destinations/{a}/start", expect=202)
        wait_for(lambda: self.fake.channel(ml_id)["state"] == "RUNNING", 20, "MediaLive to start the channel")
        calls = self.operations()

        # MediaLive's output, played by ffmpeg: what the channel pushes, where the channel says.
        url, stream = relay["lunora-relay"]
        publisher = self.process(publish_rtmp(f"{url}/{stream}", 25, size="1280x720"))
        serve.wait_status(a, "streaming", timeout=30)
        serve.api("POST", f"/destinations/{b}/start", expect=202)  # no restart, no 409
        serve.wait_status(b, "streaming", timeout=30)
        changes = [op for op in self.operations()[len(calls):] if op != "DescribeChannel"]
        self.assertEqual(changes, [], "starting a destination in hybrid mode must not touch MediaLive")
        time.sleep(3)
        serve.api("POST", f"/destinations/{b}/stop", expect=202)
        serve.wait_status(b, "ready", timeout=20)
        self.assertEqual(self.fake.channel(ml_id)["state"], "RUNNING")  # a is still on
        serve.api("POST", f"/destinations/{a}/stop", expect=202)
        serve.wait_status(a, "ready", timeout=20)
        wait_for(lambda: self.fake.channel(ml_id)["state"] == "IDLE", 20, "MediaLive to stop after the last one")
        self.assertEqual([op for op in self.operations()[len(calls):] if op not in ("DescribeChannel",)],
                         ["StopChannel"])
        publisher.stop()
        for nginx, key in ((nginx_a, "a"), (nginx_b, "b")):
            streams, _ = probe(nginx.recording(key))
            video = [s for s in streams.values() if s["codec_type"] == "video"]
            self.assertEqual(len(video), 1, streams)
            self.assertEqual((video[0]["width"], video[0]["height"]), (1280, 720))  # what MediaLive's output sent


if __name__ == "__main__":
    harness.main()
