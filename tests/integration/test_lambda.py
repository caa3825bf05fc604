"""`lunora lambda` (issue 10): Lunora as an AWS Lambda custom runtime, driven through a fake Lambda Runtime API
(lambda_runtime_fake.py: AWS Lambda cannot run here; it freezes the process between invocations as Lambda does),
with its state in DynamoDB (dynalite behind the SigV4-checking proxy) and its channels on the MediaLive fake.

- API Gateway HTTP API events (payload format 2.0) get the answers `lunora serve` gives to the same requests: the
  same routes, token check, validation and JSON (a serve node runs beside it on a table of its own).
- EventBridge's MediaLive state changes and the minute's scheduled event make it look at MediaLive and update the
  statuses; nothing happens between invocations.
- Bad events, local channels, event streams and missing settings get clear errors; an environment that finds
  another one's writes in the store serves them.
"""
import base64
import http.client
import json
import os
import signal
import tempfile
import time

from dynamodb_fixture import ACCESS_KEY_ID, SECRET_ACCESS_KEY, SECRET_KEY, DynamoDb
from harness import LUNORA, Process, wait_for
from lambda_runtime_fake import (LambdaRuntimeFake, SecretsManagerFake, http_api_event, medialive_state_change,
                                 scheduled_event)
from medialive_fake import MediaLiveFake
from serve_harness import TOKEN, Serve
from test_medialive_fake import AKID, FAST, ROLE, SECRET, FakeTestCase

ENCODER = {"type": "SRT_CALLER", "srt_address": "203.0.113.5", "srt_port": 9000}
HLS = {"s3_url": "s3ssl://lunora-test/live/index", "playback_url": "https://cdn.example.com/live/index.m3u8"}
# Lunora looks at MediaLive only when an invocation asks it to; an invocation may wait up to 10 s for MediaLive's
# answers (3 s by default), for a loaded test machine.
SLOW_POLLS = {"LUNORA_MEDIALIVE_POLL_MOVING_MS": "600000", "LUNORA_MEDIALIVE_POLL_STEADY_MS": "600000",
              "LUNORA_LAMBDA_SETTLE_MS": "10000"}


class LambdaFunction(Process):
    """One `lunora lambda` environment on a fake Runtime API; request() answers as Serve.request() does."""

    def __init__(self, runtime, env, token=TOKEN, command=None):
        """`env` is all the process gets (as Lambda gives a function only its own variables); `command`: what
        Lambda would run (default: `lunora lambda` of the build)."""
        self.runtime = runtime
        self.token = token
        full = {"AWS_LAMBDA_RUNTIME_API": runtime.address}
        full.update(env)
        super().__init__(command or [LUNORA, "lambda"], "lunora-lambda", env=full)
        runtime.pid = self.proc.pid

    def invoke(self, event, timeout=30):
        if not self.alive():
            raise AssertionError(f"lunora lambda exited ({self.proc.returncode}): {self.stderr_text()[-3000:]}")
        return self.runtime.invoke(event, timeout, alive=self.alive)

    def request(self, method, path, body=None, auth=True, token=None, headers=None, raw=None, query=""):
        h = dict(headers or {})
        if auth:
            h["authorization"] = f"Bearer {token or self.token}"
        text = raw.decode() if isinstance(raw, bytes) else raw
        if body is not None:
            text = json.dumps(body)
            h.setdefault("content-type", "application/json")
        path, _, q = path.partition("?")
        answer = self.invoke(http_api_event(method, path, q or query, h, text))
        assert answer.kind == "response", answer
        out = answer.body
        payload = out.get("body", "")
        if out.get("isBase64Encoded"):
            payload = base64.b64decode(payload)
        hdrs = out.get("headers", {})
        if hdrs.get("content-type", "").startswith("application/json") and payload:
            return out["statusCode"], json.loads(payload), hdrs
        return out["statusCode"], payload, hdrs

    def api(self, method, path, body=None, expect=None, **kw):
        status, obj, _ = self.request(method, "/api/v1" + path, body, **kw)
        if expect is not None and status != expect:
            raise AssertionError(f"{method} {path}: expected {expect}, got {status}: {obj}")
        return obj if expect is not None else (status, obj)


def shape(value):
    """The structure of a JSON value: keys, and types of the leaves (ids, times and counters differ). `node` is
    left out: a serve node on DynamoDB names itself (several nodes share a table), a Lambda function is no node."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items() if k != "node"}
    if isinstance(value, list):
        return [shape(v) for v in value[:1]]
    return type(value).__name__


class LambdaCase(FakeTestCase):
    """DynamoDB (dynalite), the MediaLive fake and `lunora lambda` environments on fake Runtime APIs."""

    def setUp(self):
        super().setUp()
        # One key pair for DynamoDB and MediaLive, as a Lambda function's role gives one to both.
        self.fake.stop()
        self.fake = MediaLiveFake({AKID: SECRET, ACCESS_KEY_ID: SECRET_ACCESS_KEY}, delays=FAST).start()
        self.addCleanup(self.fake.stop)
        self.conn = http.client.HTTPConnection("127.0.0.1", self.fake.port, timeout=10)
        self.addCleanup(self.conn.close)
        self.dynamodb = DynamoDb(self)

    def aws_env(self, table):
        env = self.dynamodb.env()
        env.update({"AWS_ENDPOINT_URL_MEDIALIVE": self.fake.url, "LUNORA_STORE": f"dynamodb:{table}",
                    "LUNORA_CREATE_TABLE": "true", "LUNORA_API_TOKEN": TOKEN, "LUNORA_MEDIALIVE_ROLE_ARN": ROLE})
        return env

    def runtime(self, **kw):
        runtime = LambdaRuntimeFake(**kw).start()
        self.addCleanup(runtime.stop)
        return runtime

    def function(self, table="lunora-lambda", runtime=None, env=None, without=()):
        env_all = self.aws_env(table)
        env_all.update(SLOW_POLLS)
        env_all.update(env or {})
        for name in without:
            env_all.pop(name, None)
        function = LambdaFunction(runtime or self.runtime(), env_all)
        self.process(function)
        return function

    def serve(self, table="lunora-serve"):
        env = self.aws_env(table)
        serve = Serve(env=env, extra=["--store", f"dynamodb:{table}", "--create-table",
                                      "--medialive-poll-moving-ms", "150", "--medialive-poll-steady-ms", "600"])
        self.addCleanup(serve.cleanup)
        return serve

    def direct_channel(self, door, name="on-aws"):
        body = {"name": name, "engine": "medialive",
                "medialive": {"mode": "direct", "role_arn": ROLE, "input": ENCODER, "hls": HLS}}
        return door.api("POST", "/channels", body, expect=201)

    def wait_ready(self, door, channel_id):
        """Made, and IDLE at MediaLive: a channel still CREATING is looked at again when its next state change
        event comes (these tests poll MediaLive only when they say so), not by the invocation that found it so."""
        def check():
            channel = door.api("GET", f"/channels/{channel_id}", expect=200)
            return channel if channel["medialive"]["phase"] == "ready" and channel["medialive"]["channel_id"] else None
        channel = wait_for(check, 20, "MediaLive's input and channel to be made", interval=0.3)
        ml_id = channel["medialive"]["channel_id"]
        wait_for(lambda: self.fake.channel(ml_id)["state"] == "IDLE", 10, "the MediaLive channel to be IDLE",
                 interval=0.05)
        return channel

    def operations(self, name):
        return [c.operation for c in self.fake.calls].count(name)



class LambdaTest(LambdaCase):
    # --- one router, two front doors -------------------------------------------------------------------------

    def test_http_api_events_get_the_answers_lunora_serve_gives(self):
        serve = self.serve()
        function = self.function()
        doors = {"serve": serve, "lambda": function}

        def both(method, path, body=None, **kw):
            answers = {name: door.request(method, "/api/v1" + path, body, **kw) for name, door in doors.items()}
            return answers["serve"], answers["lambda"]

        # A wrong token and none: the same 401, word for word.
        for kw in ({"token": "wrong-token-0123456789abcdef"}, {"auth": False}):
            s, l = both("GET", "/channels", **kw)
            self.assertEqual((s[0], s[1]), (l[0], l[1]))
            self.assertEqual(s[0], 401)
        channels = {name: self.direct_channel(door) for name, door in doors.items()}
        self.maxDiff = None
        self.assertEqual(shape(channels["serve"]), shape(channels["lambda"]), (channels["serve"], channels["lambda"]))
        for key in ("name", "engine", "playback_url"):
            self.assertEqual(channels["serve"][key], channels["lambda"][key], key)
        ready = {name: self.wait_ready(door, channels[name]["id"]) for name, door in doors.items()}
        # The same fields (MediaLive's state is null until the first look, which serve makes on its own clock).
        self.assertEqual(sorted(ready["serve"]["medialive"]), sorted(ready["lambda"]["medialive"]))

        # Bad bodies: the same refusal, naming the same field.
        bad_bodies = [
            {"channel_id": "x", "name": "no such channel", "url": "rtmp://a.example.com/app", "stream_key": "k"},
            {"name": "no channel id"},
            {"channel_id": None, "name": 5},
        ]
        for bad in bad_bodies:
            s, l = both("POST", "/destinations", bad)
            self.assertEqual((s[0], s[1]), (l[0], l[1]), bad)
            self.assertGreaterEqual(s[0], 400)
        s, l = both("POST", "/destinations", raw=b"{not json", headers={"content-type": "application/json"})
        self.assertEqual((s[0], s[1]), (l[0], l[1]))
        self.assertEqual(s[0], 400)
        s, l = both("GET", "/destinations/no-such-id")
        self.assertEqual((s[0], s[1]), (l[0], l[1]))
        s, l = both("DELETE", "/platforms")
        self.assertEqual((s[0], s[1], s[2].get("allow")), (l[0], l[1], l[2].get("allow")))
        self.assertEqual(s[0], 405)

        # Create, start and read a destination: the same answers, bar ids and times.
        made = {}
        for name, door in doors.items():
            body = {"channel_id": channels[name]["id"], "name": "Twitch", "platform": "twitch",
                    "url": "rtmp://live.twitch.tv/app", "stream_key": "live_123_secret"}
            status, made[name], headers = door.request("POST", "/api/v1/destinations", body)
            self.assertEqual(status, 201, made[name])
            self.assertEqual(headers.get("content-type"), "application/json")
            self.assertEqual(headers.get("cache-control"), "no-store")
        self.assertEqual(shape(made["serve"]), shape(made["lambda"]))
        for key in ("name", "platform", "url", "status", "desired", "rendition", "warnings"):
            self.assertEqual(made["serve"].get(key), made["lambda"].get(key), key)
        self.assertNotIn("live_123_secret", json.dumps(made["lambda"]))
        started = {name: door.api("POST", f"/destinations/{made[name]['id']}/start", expect=202)
                   for name, door in doors.items()}
        self.assertEqual(shape(started["serve"]), shape(started["lambda"]))
        self.assertEqual(started["serve"]["status"], started["lambda"]["status"])
        read = {name: door.api("GET", f"/destinations/{made[name]['id']}", expect=200) for name, door in doors.items()}
        self.assertEqual(sorted(read["serve"]), sorted(read["lambda"]))
        # The start reached MediaLive before the function froze: its channel pushes to Twitch.
        function.runtime.wait_idle()
        ml_id = ready["lambda"]["medialive"]["channel_id"]
        self.assertIn("rtmp://live.twitch.tv/app",
                      [d["settings"][0].get("url") for d in self.fake.channel(ml_id)["destinations"]])
        listed = {name: door.api("GET", "/destinations", expect=200) for name, door in doors.items()}
        # The same fields (the statuses move on at their own pace on each side: a detail may be null on one).
        self.assertEqual([sorted(d) for d in listed["serve"]["destinations"]],
                         [sorted(d) for d in listed["lambda"]["destinations"]])

    # --- EventBridge ---------------------------------------------------------------------------------------

    def test_medialive_state_change_and_scheduled_events_update_statuses(self):
        function = self.function()
        channel = self.direct_channel(function)
        channel = self.wait_ready(function, channel["id"])
        ml_id = channel["medialive"]["channel_id"]
        destination = function.api("POST", "/destinations", {
            "channel_id": channel["id"], "name": "YouTube", "platform": "youtube",
            "url": "rtmp://a.rtmp.youtube.com/live2", "stream_key": "yt-key-1"}, expect=201)
        started = function.api("POST", f"/destinations/{destination['id']}/start", expect=202)
        self.assertEqual(started["status"], "starting")
        # The invocation's settle asked MediaLive for the output and the start before the function froze.
        wait_for(lambda: self.operations("StartChannel") == 1, 10, "StartChannel")
        time.sleep(0.6)  # the fake's channel is RUNNING now; Lunora, frozen and slow to poll, has not looked
        self.assertEqual(function.api("GET", f"/destinations/{destination['id']}", expect=200)["status"],
                         "starting")
        describes = self.operations("DescribeChannel")
        arn = self.fake.channel(ml_id)["arn"]
        answer = function.invoke(medialive_state_change(arn, "RUNNING"))
        self.assertEqual(answer.kind, "response", answer)
        self.assertEqual(answer.body, {"reconciled": True, "event": "medialive_state_change", "settled": True})
        self.assertGreater(self.operations("DescribeChannel"), describes)
        # Streaming now: the event's look found RUNNING (read by GETs, which make no look of their own; on a
        # loaded machine the look may finish while a GET thaws the process).
        def streaming():
            return function.api("GET", f"/destinations/{destination['id']}", expect=200)["status"] == "streaming"
        try:
            wait_for(streaming, 10, "the destination to be streaming", interval=0.2)
        except AssertionError as e:
            raise AssertionError(f"{e}\n{function.stderr_text()[-5000:]}") from None

        # Stopped behind Lunora's back: the minute's reconcile sees it and starts it again.
        self.call("POST", f"/prod/channels/{ml_id}/stop")
        wait_for(lambda: self.fake.channel(ml_id)["state"] == "IDLE", 10, "the channel to stop", interval=0.1)
        starts = self.operations("StartChannel")
        answer = function.invoke(scheduled_event())
        self.assertEqual(answer.kind, "response", answer)
        self.assertEqual(answer.body, {"reconciled": True, "event": "scheduled", "settled": True})
        self.assertEqual(self.operations("StartChannel"), starts + 1)

    # --- refusals ------------------------------------------------------------------------------------------

    def test_bad_events_local_channels_and_event_streams_get_clear_errors(self):
        function = self.function()
        answer = function.invoke(b"{not json")
        self.assertEqual(answer.kind, "error")
        self.assertEqual(answer.body["errorType"], "Lunora.BadEvent")
        self.assertIn("not JSON", answer.body["errorMessage"])
        self.assertEqual(answer.headers.get("Lambda-Runtime-Function-Error-Type"), "Lunora.BadEvent")
        answer = function.invoke({"source": "aws.s3", "detail-type": "Object Created", "detail": {}})
        self.assertEqual(answer.kind, "error")
        self.assertIn("aws.s3", answer.body["errorMessage"])
        answer = function.invoke({"Records": [{"eventSource": "aws:sqs"}]})
        self.assertEqual(answer.kind, "error")
        self.assertIn("API Gateway HTTP API", answer.body["errorMessage"])

        status, body = function.api("POST", "/channels", {"name": "local", "engine": "local"})
        self.assertEqual((status, body["error"]["field"]), (422, "engine"))
        self.assertIn("AWS Lambda", body["error"]["message"])
        status, body = function.api("POST", "/channels", {
            "name": "hybrid", "engine": "medialive",
            "medialive": {"mode": "hybrid", "role_arn": ROLE, "input": ENCODER}})
        self.assertEqual((status, body["error"]["field"]), (422, "medialive.mode"))
        # No engine named: on MediaLive, which then wants its settings.
        status, body = function.api("POST", "/channels", {"name": "unnamed engine"})
        self.assertEqual((status, body["error"]["field"]), (422, "medialive"))
        self.assertEqual(function.api("GET", "/channels", expect=200)["channels"], [])

        status, body = function.api("GET", "/events")
        self.assertEqual((status, body["error"]["code"]), (501, "events_unavailable"))
        # Still serving after all of it; a channel without role_arn gets the function's MediaLive role.
        self.assertTrue(function.api("GET", "/platforms", expect=200)["platforms"])
        made = function.api("POST", "/channels", {
            "name": "default role", "medialive": {"mode": "direct", "input": ENCODER, "hls": HLS}}, expect=201)
        self.assertEqual((made["engine"], made["medialive"]["role_arn"]), ("medialive", ROLE))

    def test_missing_settings_are_an_init_error_and_the_runtime_exits(self):
        runtime = self.runtime(freeze=False)
        env = self.aws_env("lunora-lambda")
        del env["LUNORA_API_TOKEN"]
        function = LambdaFunction(runtime, env)
        self.process(function)
        self.assertEqual(function.proc.wait(20), 1)
        self.assertEqual(len(runtime.init_errors), 1)
        error = runtime.init_errors[0].body
        self.assertEqual(error["errorType"], "Lunora.InitError")
        self.assertIn("LUNORA_API_TOKEN", error["errorMessage"])
        self.assertEqual(runtime.next_calls, 0)

    def test_token_and_key_come_from_secrets_manager(self):
        token_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:lunora-admin-token-AbCdEf"
        key_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:lunora-secret-key-GhIjKl"
        secrets = SecretsManagerFake({ACCESS_KEY_ID: SECRET_ACCESS_KEY},
                                     {token_arn: "from-secrets-manager-0123456789", key_arn: "ab" * 32}).start()
        self.addCleanup(secrets.stop)
        env = {"LUNORA_API_TOKEN_SECRET_ARN": token_arn, "LUNORA_SECRET_KEY_SECRET_ARN": key_arn,
               "AWS_ENDPOINT_URL_SECRETS_MANAGER": secrets.url}
        function = self.function(env=env, without=("LUNORA_API_TOKEN", "LUNORA_SECRET_KEY"))
        function.token = "from-secrets-manager-0123456789"
        self.assertEqual(function.api("GET", "/channels", expect=200)["channels"], [])
        status, _ = function.api("GET", "/channels", token=TOKEN)
        self.assertEqual(status, 401)
        self.assertEqual(sorted(c["SecretId"] for c in secrets.calls), sorted([token_arn, key_arn]))
        # A secret that is not there: an init error in Secrets Manager's words, naming it.
        runtime = self.runtime(freeze=False)
        env["LUNORA_API_TOKEN_SECRET_ARN"] = token_arn + "-gone"
        broken = self.function(runtime=runtime, env=env, without=("LUNORA_API_TOKEN", "LUNORA_SECRET_KEY"))
        self.assertEqual(broken.proc.wait(20), 1)
        message = runtime.init_errors[0].body["errorMessage"]
        self.assertIn(token_arn + "-gone", message)
        self.assertIn("can't find the specified secret", message)

    # --- one environment after another ---------------------------------------------------------------------

    def test_an_environment_serves_what_another_environment_wrote(self):
        first = self.function()
        first.runtime.wait_idle()  # its init made the table
        second = self.function()
        channel = self.direct_channel(first)
        self.wait_ready(first, channel["id"])
        made = first.api("POST", "/destinations", {
            "channel_id": channel["id"], "name": "Facebook", "platform": "facebook",
            "url": "rtmps://live-api-s.facebook.com:443/rtmp", "stream_key": "fb-key"}, expect=201)
        listed = second.api("GET", "/destinations", expect=200)["destinations"]
        self.assertEqual([d["id"] for d in listed], [made["id"]])
        second.api("PATCH", f"/destinations/{made['id']}", {"name": "Facebook page"}, expect=200)
        self.assertEqual(first.api("GET", f"/destinations/{made['id']}", expect=200)["name"], "Facebook page")
        self.assertIn("event=lambda_state_reload", first.stderr_text())


if __name__ == "__main__":
    import unittest
    unittest.main()
