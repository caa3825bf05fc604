"""The fake MediaLive endpoint (medialive_fake.py), before any Lunora test relies on it: signed requests only;
request bodies validated against the official API model with the JSON path of each problem; the channel
lifecycle and its documented conflicts; the rules AWS checks beyond the model (422); the RoleArn that an
UpdateChannel without it drops; injected throttling and server errors; the command line."""
import http.client
import json
import os
import signal
import sys
import time

import harness
from harness import IntegrationTest, Process, wait_for
import medialive_fake
import sigv4
from medialive_fake import MediaLiveFake

HERE = os.path.dirname(os.path.abspath(__file__))
AKID = "AKIDMEDIALIVETEST"
SECRET = "medialive/test/secret+key"
REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/MediaLiveAccessRole"
# Short transitions; a DELETED resource stays describable long enough for a poll to see it on a loaded machine.
FAST = {"creating": 0.15, "starting": 0.15, "stopping": 0.15, "deleting": 0.15, "deleted": 1.5}

INVALID_SIGNATURE = ("The request signature we calculated does not match the signature you provided. Check your AWS "
                     "Secret Access Key and signing method. Consult the service documentation for details.")
INVALID_TOKEN = "The security token included in the request is invalid."
RTMP_OUTPUT = "encoderSettings.outputGroups[1].outputs[0].outputSettings.rtmpOutputSettings"


def rtmp_output(name, destination="rtmp_1"):
    return {"outputName": name, "videoDescriptionName": "video_1080p", "audioDescriptionNames": ["audio_aac"],
            "outputSettings": {"rtmpOutputSettings": {"destination": {"destinationRefId": destination},
                                                      "connectionRetryInterval": 2, "numRetries": 10}}}


def channel_body(input_id, channel_class="SINGLE_PIPELINE", role=ROLE):
    """A minimal but realistic channel: one input, H.264 1080p, AAC, HLS to S3 and one RTMP destination."""
    pipelines = 2 if channel_class == "STANDARD" else 1
    body = {
        "name": "lunora-test", "channelClass": channel_class,
        "inputSpecification": {"codec": "AVC", "resolution": "HD", "maximumBitrate": "MAX_10_MBPS"},
        "inputAttachments": [{"inputId": input_id, "inputAttachmentName": "primary",
                              "inputSettings": {"sourceEndBehavior": "CONTINUE",
                                                "audioSelectors": [{"name": "default"}]}}],
        "destinations": [
            {"id": "hls_s3", "settings": [{"url": f"s3ssl://lunora-test-bucket/live{p}/index"}
                                          for p in range(pipelines)]},
            {"id": "rtmp_1", "settings": [{"url": "rtmp://live.example.com/app", "streamName": "stream-key"}
                                          for _ in range(pipelines)]}],
        "encoderSettings": {
            "timecodeConfig": {"source": "SYSTEMCLOCK"},
            "videoDescriptions": [{
                "name": "video_1080p", "width": 1920, "height": 1080, "scalingBehavior": "DEFAULT",
                "codecSettings": {"h264Settings": {
                    "profile": "HIGH", "level": "H264_LEVEL_4_1", "rateControlMode": "CBR", "bitrate": 6000000,
                    "framerateControl": "SPECIFIED", "framerateNumerator": 30, "framerateDenominator": 1,
                    "gopSize": 2, "gopSizeUnits": "SECONDS", "parControl": "SPECIFIED", "parNumerator": 1,
                    "parDenominator": 1, "scanType": "PROGRESSIVE"}}}],
            "audioDescriptions": [{
                "name": "audio_aac", "audioSelectorName": "default",
                "codecSettings": {"aacSettings": {"bitrate": 128000, "codingMode": "CODING_MODE_2_0",
                                                  "sampleRate": 48000, "profile": "LC", "rateControlMode": "CBR"}}}],
            "outputGroups": [
                {"name": "hls", "outputGroupSettings": {"hlsGroupSettings": {
                    "destination": {"destinationRefId": "hls_s3"}, "segmentLength": 6,
                    "hlsCdnSettings": {"hlsS3Settings": {}}}},
                 "outputs": [{"outputName": "1080p", "videoDescriptionName": "video_1080p",
                              "audioDescriptionNames": ["audio_aac"],
                              "outputSettings": {"hlsOutputSettings": {
                                  "nameModifier": "_1080p",
                                  "hlsSettings": {"standardHlsSettings": {"m3u8Settings": {}}}}}}]},
                {"name": "rtmp_1", "outputGroupSettings": {"rtmpGroupSettings": {"inputLossAction": "EMIT_OUTPUT"}},
                 "outputs": [rtmp_output("rtmp_1")]}]}}
    if role is not None:
        body["roleArn"] = role
    return body


class FakeTestCase(IntegrationTest):
    """A fake with short delays and a signed client on one keep-alive connection."""

    def setUp(self):
        super().setUp()
        model = os.path.join(medialive_fake.AWS_SDK_DIR, medialive_fake.MODEL_FILE)
        self.assertTrue(os.path.exists(model), f"{model} is missing: `make test-services` installs it")
        self.fake = MediaLiveFake({AKID: SECRET}, delays=FAST).start()
        self.addCleanup(self.fake.stop)
        self.conn = http.client.HTTPConnection("127.0.0.1", self.fake.port, timeout=10)
        self.addCleanup(self.conn.close)

    def call(self, method, path, body=None, akid=AKID, secret=SECRET, region=REGION, service="medialive",
             authorize=True, raw=None, body_sent=None):
        """A request signed as the SDKs sign it -> (status, JSON body, response). `raw`: bytes to send (and
        sign) instead of `body`'s JSON; `body_sent`: bytes to send instead of the signed ones."""
        data = raw if raw is not None else json.dumps(body).encode() if body is not None else b""
        headers = [("Host", f"127.0.0.1:{self.fake.port}"), ("Content-Type", "application/json")]
        if authorize:
            headers += sigv4.sign(method, path, headers, data, akid, secret, region, service).headers_to_add
        self.conn.request(method, path, body_sent if body_sent is not None else data, dict(headers))
        response = self.conn.getresponse()
        payload = json.loads(response.read())
        self.assertEqual(response.getheader("Content-Type"), "application/json")
        self.assertTrue(response.getheader("x-amzn-RequestId"))
        return response.status, payload, response

    def assertError(self, result, status, code, message=None):
        """`message`: the exact text, or None to only check that there is one. Returns the body."""
        got_status, body, response = result
        self.assertEqual((got_status, response.getheader("x-amzn-ErrorType")), (status, code), body)
        self.assertIsInstance(body.get("message"), str)
        if message is not None:
            self.assertEqual(body["message"], message)
        return body

    def ok(self, result, status=200):
        self.assertEqual(result[0], status, result[1])
        self.assertIsNone(result[2].getheader("x-amzn-ErrorType"))
        return result[1]

    def security_group(self):
        body = self.ok(self.call("POST", "/prod/inputSecurityGroups", {"whitelistRules": [{"cidr": "0.0.0.0/0"}]}))
        return body["securityGroup"]["id"]

    def push_input(self, stream="live/lunora"):
        body = {"name": "lunora-push", "type": "RTMP_PUSH", "inputSecurityGroups": [self.security_group()],
                "destinations": [{"streamName": stream}]}
        return self.ok(self.call("POST", "/prod/inputs", body), 201)["input"]

    def create_channel(self, body):
        return self.ok(self.call("POST", "/prod/channels", body), 201)["channel"]

    def state(self, channel_id):
        return self.ok(self.call("GET", f"/prod/channels/{channel_id}"))["state"]

    def wait_state(self, channel_id, state):
        wait_for(lambda: self.state(channel_id) == state, 5, f"channel {channel_id} to be {state}", interval=0.03)

    def idle_channel(self, body=None):
        channel = self.create_channel(body or channel_body(self.push_input()["id"]))
        self.wait_state(channel["id"], "IDLE")
        return channel["id"]

    def assertMatchesOutput(self, operation, body):
        """The answer is valid for the operation's output shape in the model."""
        try:
            medialive_fake.validate(self.fake.model.operations[operation].output, body)
        except medialive_fake.ApiError as e:
            self.fail(f"{operation} answered outside its output shape: {e.message}")


class SignatureTest(FakeTestCase):
    def test_signed_requests_are_served_and_others_refused(self):
        self.assertEqual(self.ok(self.call("GET", "/prod/channels")), {"channels": []})
        self.assertError(self.call("GET", "/prod/channels", secret="wrong"), 403, "InvalidSignatureException",
                         INVALID_SIGNATURE)
        self.assertError(self.call("GET", "/prod/channels", akid="AKIDUNKNOWN"), 403, "UnrecognizedClientException",
                         INVALID_TOKEN)
        self.assertError(self.call("GET", "/prod/channels", authorize=False), 403,
                         "MissingAuthenticationTokenException", "Request is missing Authentication Token")
        self.assertError(self.call("GET", "/prod/channels", region="eu-west-1"), 403, "InvalidSignatureException",
                         "Credential should be scoped to a valid region. ")
        self.assertError(self.call("GET", "/prod/channels", service="dynamodb"), 403, "InvalidSignatureException",
                         "Credential should be scoped to correct service: 'medialive'. ")
        self.assertError(self.call("POST", "/prod/inputSecurityGroups", {"tags": {}},
                                   body_sent=b'{"tags": {"a": "b"}}'), 403, "InvalidSignatureException",
                         INVALID_SIGNATURE)
        # Refused requests never reach an operation, nor use up an injected fault.
        self.fake.throttle(1)
        self.call("GET", "/prod/channels", secret="wrong")
        self.assertEqual([c.operation for c in self.fake.calls], ["ListChannels"])
        self.assertError(self.call("GET", "/prod/channels"), 429, "TooManyRequestsException")


class ValidationTest(FakeTestCase):
    def test_model_violations_are_bad_requests_naming_the_json_path(self):
        input_id = self.push_input()["id"]

        def with_change(change):
            body = channel_body(input_id)
            change(body)
            return body

        def rtmp(body):
            return body["encoderSettings"]["outputGroups"][1]["outputs"][0]["outputSettings"]["rtmpOutputSettings"]

        def h264(body):
            return body["encoderSettings"]["videoDescriptions"][0]["codecSettings"]["h264Settings"]

        cases = [
            (lambda b: rtmp(b)["destination"].update(destinationRefId=5),
             f"{RTMP_OUTPUT}.destination.destinationRefId: expected string"),
            (lambda b: rtmp(b).update(bogus=True), f"{RTMP_OUTPUT}.bogus: unknown member"),
            (lambda b: b.update(ChannelClass="STANDARD"), "ChannelClass: unknown member"),  # PascalCase is not JSON
            (lambda b: b.update(channelClass="DOUBLE_PIPELINE"),
             'channelClass: "DOUBLE_PIPELINE" is not one of STANDARD, SINGLE_PIPELINE'),
            (lambda b: h264(b).update(profile="ULTRA"),
             'encoderSettings.videoDescriptions[0].codecSettings.h264Settings.profile: "ULTRA" is not one of BASELINE, '
             'HIGH, HIGH_10BIT, HIGH_422, HIGH_422_10BIT, MAIN'),
            (lambda b: h264(b).update(bitrate=500),
             "encoderSettings.videoDescriptions[0].codecSettings.h264Settings.bitrate: 500 is less than the minimum "
             "1000"),
            (lambda b: h264(b).update(framerateNumerator=1.5),
             "encoderSettings.videoDescriptions[0].codecSettings.h264Settings.framerateNumerator: expected integer"),
            (lambda b: b["encoderSettings"]["videoDescriptions"][0].update(sharpness=101),
             "encoderSettings.videoDescriptions[0].sharpness: 101 is more than the maximum 100"),
            (lambda b: b["encoderSettings"]["timecodeConfig"].pop("source"),
             "encoderSettings.timecodeConfig.source: missing required member"),
            (lambda b: b["encoderSettings"].pop("videoDescriptions"),
             "encoderSettings.videoDescriptions: missing required member"),
            (lambda b: b["encoderSettings"]["outputGroups"][0].update(outputs={}),
             "encoderSettings.outputGroups[0].outputs: expected list"),
            (lambda b: b.update(roleArn=None), "roleArn: expected string"),
            (lambda b: b.update(tags={"team": 7}), "tags.team: expected string"),
        ]
        for change, message in cases:
            with self.subTest(message):
                self.assertError(self.call("POST", "/prod/channels", with_change(change)), 400, "BadRequestException",
                                 message)
        self.assertError(self.call("POST", "/prod/channels", ["not", "an", "object"]), 400, "BadRequestException",
                         "request body: expected object")
        # UpdateChannel's channelId is a uri member, not a body member.
        self.assertError(self.call("PUT", "/prod/channels/1000001", {"channelId": "1000001"}), 400,
                         "BadRequestException", "channelId: unknown member")
        self.assertError(self.call("POST", "/prod/channels", raw=b"{nope"), 400, "BadRequestException")
        self.assertEqual(self.ok(self.call("GET", "/prod/channels")), {"channels": []})

    def test_string_length_bounds(self):
        # AudioDescription.languageCode is __stringMin1Max35.
        body = channel_body(self.push_input()["id"])
        body["encoderSettings"]["audioDescriptions"][0]["languageCode"] = ""
        self.assertError(self.call("POST", "/prod/channels", body), 400, "BadRequestException",
                         "encoderSettings.audioDescriptions[0].languageCode: length 0 is less than the minimum 1")

    def test_query_parameters_and_paging(self):
        ids = [self.push_input(f"live/s{i}")["id"] for i in range(3)]
        seen, token = [], None
        while True:
            query = "?maxResults=2" + (f"&nextToken={token}" if token else "")
            page = self.ok(self.call("GET", "/prod/inputs" + query))
            seen += [i["id"] for i in page["inputs"]]
            token = page.get("nextToken")
            if token is None:
                break
        self.assertEqual(seen, ids)
        self.assertError(self.call("GET", "/prod/inputs?maxResults=two"), 400, "BadRequestException",
                         "maxResults: expected integer")
        self.assertError(self.call("GET", "/prod/inputs?nextToken=bogus"), 400, "BadRequestException")
        self.assertEqual(self.fake.calls[-1].params, {"nextToken": "bogus"})


class ChannelTest(FakeTestCase):
    def test_realistic_channels_are_accepted_and_described_back(self):
        push = self.push_input()
        self.assertEqual(push["destinations"], [{"ip": "127.0.0.1", "port": "1935",
                                                 "url": "rtmp://127.0.0.1:1935/live/lunora"}])
        self.assertEqual((push["type"], push["inputClass"], push["state"]),
                         ("RTMP_PUSH", "SINGLE_PIPELINE", "DETACHED"))
        srt_settings = {"srtCallerSources": [{"srtListenerAddress": "127.0.0.1", "srtListenerPort": "9000",
                                              "streamId": "lunora", "minimumLatency": 120}]}
        srt = self.ok(self.call("POST", "/prod/inputs", {"name": "lunora-srt", "type": "SRT_CALLER",
                                                         "srtSettings": srt_settings}), 201)["input"]
        self.assertEqual((srt["srtSettings"], srt["destinations"]), (srt_settings, []))
        self.assertMatchesOutput("CreateInput", {"input": srt})
        for input_id in (push["id"], srt["id"]):
            with self.subTest(input_id):
                body = channel_body(input_id)
                created = self.create_channel(body)
                self.assertRegex(created["id"], r"^\d+$")
                self.assertEqual(created["arn"], f"arn:aws:medialive:{REGION}:123456789012:channel:{created['id']}")
                self.assertEqual(created["state"], "CREATING")
                described = self.ok(self.call("GET", f"/prod/channels/{created['id']}"))
                self.assertMatchesOutput("DescribeChannel", described)
                for key in ("encoderSettings", "destinations", "inputAttachments", "roleArn", "channelClass", "name"):
                    self.assertEqual(described[key], body[key], key)
                self.assertEqual((described["tags"], described["pipelinesRunningCount"]), ({}, 0))
                described_input = self.ok(self.call("GET", f"/prod/inputs/{input_id}"))
                self.assertMatchesOutput("DescribeInput", described_input)
                self.assertEqual((described_input["state"], described_input["attachedChannels"]),
                                 ("ATTACHED", [created["id"]]))
        listed = self.ok(self.call("GET", "/prod/channels"))
        self.assertMatchesOutput("ListChannels", listed)
        self.assertEqual(len(listed["channels"]), 2)
        self.assertNotIn("encoderSettings", listed["channels"][0])  # a summary, as the model's ChannelSummary

    def test_answers_carry_only_the_output_shapes_members(self):
        # CreateChannel's vpc has publicAddressAllocationIds; the channel's vpc (VpcOutputSettingsDescription)
        # does not.
        body = dict(channel_body(self.push_input()["id"]),
                    vpc={"subnetIds": ["subnet-1"], "publicAddressAllocationIds": ["eipalloc-1"]})
        created = self.create_channel(body)
        self.assertEqual(created["vpc"], {"subnetIds": ["subnet-1"]})
        self.assertMatchesOutput("CreateChannel", {"channel": created})

    def test_standard_channel_has_two_pipelines(self):
        body = {"name": "std", "type": "RTMP_PUSH", "inputSecurityGroups": [self.security_group()],
                "destinations": [{"streamName": "live/a"}, {"streamName": "live/b"}]}
        push = self.ok(self.call("POST", "/prod/inputs", body), 201)["input"]
        self.assertEqual([d["url"] for d in push["destinations"]],
                         ["rtmp://127.0.0.1:1935/live/a", "rtmp://127.0.0.2:1935/live/b"])
        self.assertEqual(push["inputClass"], "STANDARD")
        channel_id = self.idle_channel(channel_body(push["id"], "STANDARD"))
        self.ok(self.call("POST", f"/prod/channels/{channel_id}/start"))
        self.wait_state(channel_id, "RUNNING")
        described = self.ok(self.call("GET", f"/prod/channels/{channel_id}"))
        self.assertEqual(described["pipelinesRunningCount"], 2)
        self.assertEqual([p["pipelineId"] for p in described["pipelineDetails"]], ["PIPELINE_0", "PIPELINE_1"])

    def test_lifecycle(self):
        channel_id = self.idle_channel()
        path = f"/prod/channels/{channel_id}"
        started = self.ok(self.call("POST", path + "/start"))
        self.assertMatchesOutput("StartChannel", started)
        self.assertEqual(started["state"], "STARTING")
        self.wait_state(channel_id, "RUNNING")
        running = self.ok(self.call("GET", path))
        self.assertEqual(running["pipelinesRunningCount"], 1)
        self.assertEqual(running["pipelineDetails"], [{"pipelineId": "PIPELINE_0",
                                                       "activeInputAttachmentName": "primary"}])
        update = {"name": "renamed", "roleArn": ROLE}
        self.assertError(self.call("PUT", path, update), 409, "ConflictException",
                         "The channel is unable to update due to an issue with channel resources.")
        self.assertEqual(self.ok(self.call("POST", path + "/stop"))["state"], "STOPPING")
        self.wait_state(channel_id, "IDLE")
        updated = self.ok(self.call("PUT", path, update))["channel"]
        self.assertEqual((updated["name"], updated["state"]), ("renamed", "IDLE"))
        self.assertEqual(self.ok(self.call("DELETE", path))["state"], "DELETING")
        self.wait_state(channel_id, "DELETED")
        self.assertError(self.call("POST", path + "/start"), 404, "NotFoundException")
        self.assertEqual(self.ok(self.call("GET", "/prod/channels")), {"channels": []})
        wait_for(lambda: self.call("GET", path)[0] == 404, 5, "the deleted channel to be forgotten")
        self.assertEqual(self.fake.channel(channel_id), None)

    def test_changes_in_the_wrong_state_conflict(self):
        self.fake.set_delays(creating=30, starting=30)  # the transitional states last the whole test
        channel_id = self.create_channel(channel_body(self.push_input()["id"]))["id"]
        path = f"/prod/channels/{channel_id}"
        # In CREATING, StartChannel is a 400 (shared/reference/medialive-facts.md 3.2).
        self.assertError(self.call("POST", path + "/start"), 400, "BadRequestException")
        self.assertError(self.call("PUT", path, {"roleArn": ROLE}), 409, "ConflictException")
        self.fake.set_state(channel_id, "IDLE")
        self.assertError(self.call("POST", path + "/stop"), 409, "ConflictException",
                         "The channel is unable to stop due to an issue with channel resources.")
        self.assertEqual(self.ok(self.call("POST", path + "/start"))["state"], "STARTING")
        for method, suffix in (("POST", "/start"), ("POST", "/stop"), ("DELETE", ""), ("PUT", "")):
            with self.subTest(f"{method} {suffix} while STARTING"):
                self.assertError(self.call(method, path + suffix, {"roleArn": ROLE} if method == "PUT" else None),
                                 409, "ConflictException")
        self.fake.set_state(channel_id, "RUNNING")
        self.assertError(self.call("DELETE", path), 409, "ConflictException",
                         "The channel is unable to delete due to an issue with channel resources.")
        self.assertError(self.call("GET", "/prod/channels/999"), 404, "NotFoundException")

    def test_rtmp_output_group_with_two_outputs_is_unprocessable(self):
        body = channel_body(self.push_input()["id"])
        body["encoderSettings"]["outputGroups"][1]["outputs"].append(rtmp_output("rtmp_2"))
        error = self.assertError(self.call("POST", "/prod/channels", body), 422, "UnprocessableEntityException",
                                 "outputGroups[1].outputs An RTMP output group can contain only one output, not 2")
        self.assertEqual(error["validationErrors"], [{
            "elementPath": "outputGroups[1].outputs",
            "errorMessage": "An RTMP output group can contain only one output, not 2"}])
        # One destination = one RTMP output group each.
        body["encoderSettings"]["outputGroups"][1]["outputs"].pop()
        body["destinations"].append({"id": "rtmp_2", "settings": [{"url": "rtmp://other.example.com/app",
                                                                   "streamName": "key2"}]})
        body["encoderSettings"]["outputGroups"].append({"name": "rtmp_2", "outputGroupSettings": {
            "rtmpGroupSettings": {}}, "outputs": [rtmp_output("rtmp_2", "rtmp_2")]})
        self.create_channel(body)

    def test_rules_aws_checks_beyond_the_model(self):
        input_id = self.push_input()["id"]

        def errors_of(change, channel_class="SINGLE_PIPELINE"):
            body = channel_body(input_id, channel_class)
            change(body)
            error = self.assertError(self.call("POST", "/prod/channels", body), 422, "UnprocessableEntityException")
            self.assertEqual(error["message"], "; ".join(f"{e['elementPath']} {e['errorMessage']}"
                                                         for e in error["validationErrors"]))
            return [(e["elementPath"], e["errorMessage"]) for e in error["validationErrors"]]

        def encoder(body):
            return body["encoderSettings"]

        def unknown_audio(body):
            for group in encoder(body)["outputGroups"]:
                group["outputs"][0]["audioDescriptionNames"] = ["audio_mp3"]

        self.assertEqual(
            errors_of(lambda b: b["destinations"].pop()),
            [("outputGroups[1].outputs[0].outputSettings.rtmpOutputSettings.destination",
              'Object references undefined destination "rtmp_1"')])
        self.assertEqual(
            errors_of(lambda b: b["destinations"][0]["settings"].pop(), "STANDARD"),
            [("destinations[0].settings", "A STANDARD channel needs 2 destination settings, not 1")])
        self.assertEqual(
            errors_of(lambda b: b["destinations"][1]["settings"].append({"url": "rtmp://x/app", "streamName": "k"})),
            [("destinations[1].settings", "A SINGLE_PIPELINE channel needs 1 destination settings, not 2")])
        self.assertEqual(
            errors_of(lambda b: encoder(b)["outputGroups"][0]["outputs"][0].update(videoDescriptionName="video_720p")),
            [("outputGroups[0].outputs[0].videoDescriptionName",
              'Object references undefined video description "video_720p"')])
        self.assertEqual(
            errors_of(unknown_audio),
            [("outputGroups[0].outputs[0].audioDescriptionNames[0]",
              'Object references undefined audio description "audio_mp3"'),
             ("outputGroups[1].outputs[0].audioDescriptionNames[0]",
              'Object references undefined audio description "audio_mp3"'),
             ("audioDescriptions[0]", 'Audio description "audio_aac" is not referenced by any output')])
        self.assertEqual(
            errors_of(lambda b: b["inputAttachments"][0].update(inputId="424242")),
            [("inputAttachments[0].inputId", 'Input "424242" does not exist')])
        body = channel_body(input_id)
        body["destinations"][0]["mediaPackageSettings"] = [{"channelId": "mp"}]
        self.assertError(self.call("POST", "/prod/channels", body), 400, "BadRequestException",
                         "Exactly one of settings, MediaPackage settings, or Multiplex settings is required for "
                         "destination hls_s3.")
        self.assertEqual(self.ok(self.call("GET", "/prod/channels")), {"channels": []})

    def test_update_without_role_arn_drops_the_role(self):
        channel_id = self.idle_channel()
        path = f"/prod/channels/{channel_id}"
        updated = self.ok(self.call("PUT", path, {"name": "no-role"}))["channel"]
        self.assertNotIn("roleArn", updated)
        self.assertNotIn("roleArn", self.ok(self.call("GET", path)))
        self.assertNotIn("roleArn", self.fake.channel(channel_id))
        self.assertEqual(updated["encoderSettings"], channel_body("x")["encoderSettings"])  # kept when left out
        self.assertError(self.call("POST", path + "/start"), 400, "BadRequestException",
                         f"Channel {channel_id} has no roleArn: MediaLive needs a role to run it (an UpdateChannel "
                         "without roleArn removes the role)")
        self.assertEqual(self.ok(self.call("PUT", path, {"roleArn": ROLE}))["channel"]["roleArn"], ROLE)
        self.assertEqual(self.ok(self.call("POST", path + "/start"))["state"], "STARTING")

    def test_pipeline_failure_shows_as_recovering(self):
        channel_id = self.idle_channel()
        self.ok(self.call("POST", f"/prod/channels/{channel_id}/start"))
        self.wait_state(channel_id, "RUNNING")
        self.fake.pipeline_failure(channel_id, "RTMP connection to rtmp_1 lost", recover_after=2)
        described = self.ok(self.call("GET", f"/prod/channels/{channel_id}"))
        self.assertEqual((described["state"], described["pipelinesRunningCount"], described["pipelineDetails"]),
                         ("RECOVERING", 0, []))
        self.assertEqual(self.fake.channel(channel_id)["alerts"],
                         [{"pipelineId": "PIPELINE_0", "message": "RTMP connection to rtmp_1 lost"}])
        self.wait_state(channel_id, "RUNNING")
        recovered = self.fake.channel(channel_id)
        self.assertEqual((recovered["alerts"], recovered["pipelinesRunningCount"]), ([], 1))
        self.fake.pipeline_failure(channel_id, "again")
        self.ok(self.call("POST", f"/prod/channels/{channel_id}/stop"))  # a recovering channel can be stopped
        self.wait_state(channel_id, "IDLE")
        with self.assertRaises(ValueError):
            self.fake.pipeline_failure(channel_id, "not running")

    def test_idempotency_token(self):
        body = dict(channel_body(self.push_input()["id"]), requestId="a1b2c3")
        first = self.create_channel(body)
        self.assertEqual(self.create_channel(body)["id"], first["id"])
        self.assertEqual(len(self.ok(self.call("GET", "/prod/channels"))["channels"]), 1)

    def test_sdk_waiters_see_the_states_they_expect(self):
        """Each channel waiter of the SDK's waiters2.json (delays shortened) reaches success on the fake."""
        path = os.path.join(medialive_fake.AWS_SDK_DIR, "apis", "medialive-2017-10-14.waiters2.json")
        with open(path, encoding="utf-8") as f:
            waiters = json.load(f)["waiters"]
        channel_id = self.create_channel(channel_body(self.push_input()["id"]))["id"]
        path = f"/prod/channels/{channel_id}"
        for waiter, request in (("ChannelCreated", None), ("ChannelRunning", ("POST", path + "/start")),
                                ("ChannelStopped", ("POST", path + "/stop")), ("ChannelDeleted", ("DELETE", path))):
            with self.subTest(waiter):
                if request is not None:
                    self.ok(self.call(*request))
                self.assertEqual(self.run_waiter(waiters[waiter], channel_id), "success")

    def run_waiter(self, waiter, channel_id):
        """The acceptors of a DescribeChannel waiter ("State" is the member whose JSON name is "state"), polled
        every 50 ms. Stricter than the SDKs: an answer no acceptor knows ends the wait, so every state the fake
        passes through on the way must be one the waiter expects."""
        for _ in range(waiter["maxAttempts"] * 10):
            status, body, _ = self.call("GET", f"/prod/channels/{channel_id}")
            for acceptor in waiter["acceptors"]:
                matched = (acceptor["matcher"] == "status" and status == acceptor["expected"]) or (
                    acceptor["matcher"] == "path" and status == 200 and body.get("state") == acceptor["expected"])
                if matched and acceptor["state"] != "retry":
                    return acceptor["state"]
                if matched:
                    break
            else:
                return f"no acceptor for {status} {body}"
            time.sleep(0.05)
        return "timeout"


class InputTest(FakeTestCase):
    def test_input_rules(self):
        group = self.security_group()
        self.assertError(self.call("POST", "/prod/inputs", {"type": "RTMP_PUSH", "destinations": [
            {"streamName": "live/x"}]}), 400, "BadRequestException",
            "inputSecurityGroups: an RTMP_PUSH input needs exactly one input security group")
        self.assertError(self.call("POST", "/prod/inputs", {"type": "RTMP_PUSH", "inputSecurityGroups": [group],
                                                            "destinations": [{"streamName": "nostream"}]}),
                         400, "BadRequestException",
                         "destinations[0].streamName: must be \"appName/appInstance\", not 'nostream'")
        self.assertError(self.call("POST", "/prod/inputs", {"type": "SRT_CALLER", "inputSecurityGroups": [group],
                                                            "srtSettings": {"srtCallerSources": [{}]}}),
                         400, "BadRequestException",
                         "inputSecurityGroups: an SRT_CALLER input is a pull input and takes no input security group")
        self.assertError(self.call("POST", "/prod/inputs", {"type": "SRT_CALLER"}), 400, "BadRequestException",
                         "srtSettings.srtCallerSources: an SRT_CALLER input has 1 (single-pipeline) or 2 (standard) "
                         "sources")
        self.assertError(self.call("GET", "/prod/inputs/2999999"), 404, "NotFoundException")

    def test_attached_inputs(self):
        input_id = self.push_input()["id"]
        self.assertEqual(self.fake.input(input_id)["arn"],
                         f"arn:aws:medialive:{REGION}:123456789012:input:{input_id}")
        channel_id = self.idle_channel(channel_body(input_id))
        self.assertError(self.call("POST", "/prod/channels", channel_body(input_id)), 409, "ConflictException",
                         f"inputId={input_id} is already attached")
        self.ok(self.call("PUT", f"/prod/channels/{channel_id}", {"inputAttachments": channel_body(input_id)[
            "inputAttachments"], "roleArn": ROLE}))  # the same channel may keep it
        self.assertError(self.call("DELETE", f"/prod/inputs/{input_id}"), 409, "ConflictException")
        self.ok(self.call("DELETE", f"/prod/channels/{channel_id}"))
        wait_for(lambda: self.fake.input(input_id)["state"] == "DETACHED", 5, "the input to be detached")
        self.assertEqual(self.ok(self.call("DELETE", f"/prod/inputs/{input_id}")), {})
        self.assertEqual(self.ok(self.call("GET", f"/prod/inputs/{input_id}"))["state"], "DELETED")
        self.assertEqual(self.ok(self.call("GET", "/prod/inputs")), {"inputs": []})
        wait_for(lambda: self.call("GET", f"/prod/inputs/{input_id}")[0] == 404, 5, "the input to be forgotten")


class FaultTest(FakeTestCase):
    def test_throttling_and_server_errors(self):
        channel_id = self.idle_channel()
        path = f"/prod/channels/{channel_id}"
        self.fake.throttle(2, operations=["DescribeChannel"])
        self.assertEqual(self.ok(self.call("GET", "/prod/channels"))["channels"][0]["id"], channel_id)
        for _ in range(2):
            self.assertError(self.call("GET", path), 429, "TooManyRequestsException", "Too Many Requests")
        self.assertEqual(self.ok(self.call("GET", path))["state"], "IDLE")
        self.fake.fail(1)
        self.assertError(self.call("POST", path + "/start"), 500, "InternalServerErrorException",
                         "Internal Service Error")
        self.assertEqual(self.state(channel_id), "IDLE")  # the failed request changed nothing
        self.fake.fail(1, status=503, operations=["StartChannel"])
        self.assertError(self.call("POST", path + "/start"), 503, "ServiceUnavailableException")
        self.ok(self.call("POST", path + "/start"))
        starts = [c for c in self.fake.calls if c.operation == "StartChannel"]
        self.assertEqual([c.params for c in starts], [{"channelId": channel_id}] * 3)
        with self.assertRaises(ValueError):
            self.fake.throttle(0)
        with self.assertRaises(ValueError):
            self.fake.fail(1, status=418)
        with self.assertRaises(ValueError):
            self.fake.throttle(1, operations=["StartChanel"])

    def test_calls_and_set_state(self):
        channel_id = self.idle_channel()
        body = {"name": "x", "roleArn": ROLE}
        self.fake.set_state(channel_id, "RUNNING")
        self.assertError(self.call("PUT", f"/prod/channels/{channel_id}", body), 409, "ConflictException")
        self.assertEqual(self.fake.calls[-1], ("UpdateChannel", {"channelId": channel_id}, body))
        self.assertEqual(self.fake.channel(channel_id)["state"], "RUNNING")

    def test_unknown_routes_and_unimplemented_operations(self):
        self.assertError(self.call("GET", "/prod/nothing"), 404, "UnknownOperationException")
        self.assertError(self.call("GET", "/prod/multiplexes"), 501, "NotImplementedException")
        self.assertEqual([c.operation for c in self.fake.calls], ["ListMultiplexes"])


class CommandLineTest(IntegrationTest):
    def test_script(self):
        port = harness.free_port()
        fake = self.process(Process([sys.executable, os.path.join(HERE, "medialive_fake.py"), "--port", str(port),
                                     "--access-key", AKID, "--secret", SECRET, "--delay", "0"], "medialive_fake"))
        self.assertEqual(fake.stdout_lines.get(timeout=20), f"listening on 127.0.0.1:{port}\n")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.addCleanup(conn.close)

        def list_channels(secret):
            headers = [("Host", f"127.0.0.1:{port}")]
            headers += sigv4.sign("GET", "/prod/channels", headers, b"", AKID, secret, REGION,
                                  "medialive").headers_to_add
            conn.request("GET", "/prod/channels", headers=dict(headers))
            response = conn.getresponse()
            return response.status, json.loads(response.read())

        self.assertEqual(list_channels(SECRET), (200, {"channels": []}))
        self.assertEqual(list_channels("wrong")[0], 403)
        self.assertEqual(fake.stop(signal.SIGTERM), 0, fake.stderr_text())


if __name__ == "__main__":
    harness.main()
