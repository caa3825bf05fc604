"""A fake AWS Elemental MediaLive endpoint for tests: an HTTP/1.1 server on 127.0.0.1 that speaks MediaLive's
REST-JSON API (point AWS_ENDPOINT_URL_MEDIALIVE at `.url`) and holds inputs and channels in memory. It enforces
what AWS documents, so that a client passing against it has a good chance of working against AWS.

Per request, in this order:
1. SigV4 (sigv4.verify, service `medialive`, the fake's region and credentials, X-Amz-Date within 15 minutes):
   a failure is HTTP 403, header x-amzn-ErrorType: <code>, body {"message": ...}, with sigv4.py's codes and
   messages (MissingAuthenticationTokenException, UnrecognizedClientException, InvalidSignatureException,
   IncompleteSignatureException): the REST-JSON front door's answer.
2. Routing by the API model's `http.method` and `http.requestUri` (apis/medialive-2017-10-14.min.json of the
   aws-sdk npm package, pinned in tests/services). No operation there: 404 UnknownOperationException (the fake's).
3. The request is appended to `.calls`; then an injected fault (throttle(), fail()) answers instead, if one
   matches.
4. Model validation of the JSON body and the query string against the operation's input shape, recursively:
   members are the members' locationNames; uri/querystring/header members are not body members; types; required
   members; enum values and min/max bounds. The minified model carries neither enums nor bounds: the same
   package's typings (clients/medialive.d.ts) name every member's original shape, whose enum values are there
   as string unions, and MediaLive's shape names encode their bounds (`__integerMin1000`: >= 1000,
   `__stringMin1Max255`: length 1..255; the MediaLive model declares no min/max traits, only these names).
   Any failure: 400 BadRequestException, message "<json path>: <problem>", e.g.
   "encoderSettings.outputGroups[0].outputs[0].outputSettings.rtmpOutputSettings.destination.destinationRefId:
   expected string".
5. The operation. Implemented: CreateInput, DescribeInput, DeleteInput, ListInputs, CreateInputSecurityGroup,
   CreateChannel, DescribeChannel, UpdateChannel, StartChannel, StopChannel, DeleteChannel, ListChannels. Any
   other operation of the model: 501 NotImplementedException (the fake's) after validation.
Success answers use the model's responseCode (201 for the creates) and the output shapes' members only.

AWS rules enforced beyond the model (codes and statuses as AWS answers them; messages are AWS's where a source
gives them, the fake's otherwise). "facts" is shared/reference/medialive-facts.md, "typings" the package's
clients/medialive.d.ts, "error list" the errors and their descriptions that the full MediaLive API model gives
each operation (facts 3.2 quotes UpdateChannel's; the minified model drops them):
- Channel states CREATING -> IDLE -> STARTING -> RUNNING -> STOPPING -> IDLE -> DELETING -> DELETED (facts 3.1);
  each transition takes a configurable delay. A DELETED channel stays describable (state DELETED) for a while,
  as the SDK's ChannelDeleted waiter expects (apis/medialive-2017-10-14.waiters2.json), then is 404; every
  other operation on it is 404 at once.
- UpdateChannel only when IDLE (facts 3.1: "you can edit or delete a channel only when it is not running");
  otherwise 409 ConflictException (facts 3.2), with the error list's description as the message.
- StartChannel only from IDLE; in CREATING: 400 (facts 3.2, openfun/marsha#796); in any other state 409
  (error list: "The channel is unable to start due to an issue with channel resources.").
- StopChannel only from RUNNING or RECOVERING, otherwise 409 (the error list's ConflictException and message;
  the facts file does not say what AWS answers).
- DeleteChannel only from IDLE, otherwise 409 (facts 3.1: delete only when not running).
- UpdateChannel without roleArn removes the channel's role (typings, UpdateChannelRequest.RoleArn: "If you do
  not specify this on an update call but the role was previously set that role will be removed."). Every
  other member left out of UpdateChannel keeps its value. StartChannel on a channel without a role: 400
  BadRequestException (the fake's choice: AWS's answer is not documented; 400 is in StartChannel's error list
  and the user guide says a channel can't be created without a role, role-and-remember-arn).
- 400 "Exactly one of settings, MediaPackage settings, or Multiplex settings is required for destination <id>."
  (hashicorp/terraform-provider-aws#30659).
- 422 UnprocessableEntityException {"message", "validationErrors": [{"elementPath", "errorMessage"}]}; the
  message joins "<elementPath> <errorMessage>" with "; " and encoder element paths start below encoderSettings,
  as AWS's do (aws-solutions-library-samples/live-streaming-on-aws#6, aws/aws-sdk-java-v2#5716):
  - an RTMP output group with more than one output (facts 3.4: "An RTMP output can contain only one output");
  - a destinationRefId that names no channel destination ('Object references undefined destination "X"',
    aws/aws-sdk-java#1525);
  - a destination with a number of `settings` other than 1 for SINGLE_PIPELINE or 2 for STANDARD (user guide,
    channel-class: a standard channel delivers each output to two destinations, a single-pipeline one to one);
    channelClass defaults to STANDARD, as in the API;
  - an output naming a video or audio description that does not exist (the fake's wording);
  - an audio description no output references ('Audio description "X" is not referenced by any output',
    live-streaming-on-aws#6);
  - an input attachment naming no input (the fake's wording).
- 409 "inputId=<id> is already attached" when a channel attaches an input another channel has (facts 3.2,
  cloudformation-coverage-roadmap#2080); DeleteInput of an attached input: 409 (in its error list).
- CreateInput: RTMP_PUSH needs exactly one input security group, and destinations whose streamName is
  "app/instance"; SRT_CALLER is a pull input, so no security group (facts 3.5), and needs srtSettings with
  srtCallerSources. One destination or source: a SINGLE_PIPELINE input, two: STANDARD (facts 3.5; user guide,
  single-channel-upgrade: single-class and standard-class inputs). Errors: 400 with the fake's wording.
  RTMP_PUSH destinations get urls rtmp://<ip>:1935/<app>/<instance> where ip is
  the constructor's `input_ips` (loopback by default: nothing a test pushes to it leaves the machine).
- The model's idempotency token (requestId) on CreateChannel and CreateInput: a retry with the same token
  answers the resource the first request created.
- ListChannels and ListInputs page with maxResults and an opaque nextToken.

Fault injection: throttle() answers 429 TooManyRequestsException ("Too Many Requests", the front door's
throttling message); fail() answers 500 InternalServerErrorException (or 502 BadGatewayException, 503
ServiceUnavailableException, 504 GatewayTimeoutException).

A pipeline failure (pipeline_failure()) shows in DescribeChannel as state RECOVERING (a documented channel
state, facts 3.1) with pipelinesRunningCount one lower and the failed pipeline gone from pipelineDetails: this
model's DescribeChannel has no alert field (ListAlerts came later), so the message itself is only in
`fake.channel(id)["alerts"]`.

From a test:
    fake = MediaLiveFake({"AKID": "SECRET"}).start()
    self.addCleanup(fake.stop)
    env["AWS_ENDPOINT_URL_MEDIALIVE"] = fake.url
    fake.set_delays(starting=1.0); fake.throttle(2, operations=["StartChannel"]); fake.calls[-1].operation

As a script (hand testing):
    python3 medialive_fake.py --port 4599 --access-key AKID --secret SECRET [--region us-east-1] [--delay 0.3]
prints `listening on 127.0.0.1:P` once it accepts connections and serves until SIGINT or SIGTERM.
"""
import argparse
import collections
import copy
import functools
import http.server
import json
import os
import re
import signal
import socket
import sys
import threading
import time
import urllib.parse
import uuid

import sigv4

HERE = os.path.dirname(os.path.abspath(__file__))
AWS_SDK_DIR = os.path.normpath(os.path.join(HERE, "..", "services", "node_modules", "aws-sdk"))
MODEL_FILE = os.path.join("apis", "medialive-2017-10-14.min.json")
TYPINGS_FILE = os.path.join("clients", "medialive.d.ts")
ACCOUNT_ID = "123456789012"
SERVICE = "medialive"

DEFAULT_DELAYS = {"creating": 0.3, "starting": 0.3, "stopping": 0.3, "deleting": 0.3, "deleted": 2.0}

# status -> error code for fail(); the 5xx errors MediaLive's operations list (and the front door's 503).
SERVER_ERRORS = {500: ("InternalServerErrorException", "Internal Service Error"),
                 502: ("BadGatewayException", "Bad Gateway Error"),
                 503: ("ServiceUnavailableException", "Service Unavailable"),
                 504: ("GatewayTimeoutException", "Gateway Timeout")}


class ApiError(Exception):
    """An error answer: HTTP `status`, x-amzn-ErrorType `code`, body {"message": message, **extra}."""

    def __init__(self, status, code, message, **extra):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra


def bad_request(message):
    return ApiError(400, "BadRequestException", message)


def conflict(message):
    return ApiError(409, "ConflictException", message)


def unprocessable(errors):
    """`errors`: [(elementPath, errorMessage)] -> 422 as MediaLive sends it."""
    return ApiError(422, "UnprocessableEntityException", "; ".join(f"{path} {text}" for path, text in errors),
                    validationErrors=[{"elementPath": path, "errorMessage": text} for path, text in errors])


# ---- the API model ----

class Field:
    """A structure member: `location` None for the body, or "uri", "querystring", "header"."""

    def __init__(self, location, shape):
        self.location = location
        self.shape = shape


class Shape:
    """A resolved shape: `type` as in the model; structure: `members` {locationName: Field} and `required`
    (locationNames); list: `member`; map: `value`; scalars: `enum` (list or None), `min`/`max` (numbers:
    value; strings: length; None: unbounded)."""

    def __init__(self, type_):
        self.type = type_
        self.members = {}
        self.required = set()
        self.member = None
        self.value = None
        self.enum = None
        self.min = None
        self.max = None


class Operation:
    def __init__(self, name, http, input_shape, output_shape):
        self.name = name
        self.method = http.get("method", "POST")
        self.response_code = http.get("responseCode", 200)
        self.input = input_shape
        self.output = output_shape
        uri = http["requestUri"]
        self.labels = re.findall(r"\{(\w+)\}", uri)
        self.regex = re.compile("".join(f"(?P<{part[1:-1]}>[^/]+)" if part.startswith("{") else re.escape(part)
                                        for part in re.split(r"(\{\w+\})", uri)))


# MediaLive's scalar shape names carry their bounds: __integerMin1Max20, __doubleMinNegative59Max0,
# __stringMin1Max255, __stringPattern010920300 (a pattern the typings don't give, so not checked).
_BOUNDED = re.compile(r"^__(integer|long|double|string)(?:Min(Negative)?(\d+))?(?:Max(\d+))?(?:Pattern\w+)?$")


def _bounds(type_name):
    match = _BOUNDED.match(type_name or "")
    if not match:
        if type_name and type_name.startswith("__") and re.search(r"M(in|ax)", type_name):
            raise ValueError(f"typings: cannot read the bounds of {type_name}")  # a new naming: teach _BOUNDED
        return None, None
    low = int(match.group(3)) * (-1 if match.group(2) else 1) if match.group(3) else None
    high = int(match.group(4)) if match.group(4) else None
    return low, high


def _parse_typings(text):
    """clients/medialive.d.ts -> ({interface: {member: type name}}, {alias: right-hand side})."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    namespace = text[text.index("declare namespace MediaLive {"):]
    interfaces = {name: dict(re.findall(r"^\s+(\w+)\??: ([\w\[\]]+);$", body, re.M))
                  for name, body in re.findall(r"export interface (\w+) \{(.*?)\n  \}", namespace, re.S)}
    aliases = dict(re.findall(r"^  export type (\w+) = (.*);$", namespace, re.M))
    return interfaces, aliases


class Model:
    """The operations of apis/medialive-2017-10-14.min.json with shapes resolved against the typings."""

    def __init__(self, model, typings):
        self._shapes = model["shapes"]
        self._interfaces, self._aliases = _parse_typings(typings)
        self._cache = {}
        self.operations = {}
        for name, op in model["operations"].items():
            input_shape, output_shape = (
                self._compile(op[part], f"{name}{suffix}") if part in op else Shape("structure")
                for part, suffix in (("input", "Request"), ("output", "Response")))
            self.operations[name] = Operation(name, op["http"], input_shape, output_shape)

    def _compile(self, ref, type_name):
        raw = self._shapes[ref["shape"]] if "shape" in ref else ref
        # The minified model shares one shape among all identical ones (an enum and a plain string look the
        # same there): the typings' name is part of the key.
        key = (id(raw), type_name)
        if key in self._cache:
            return self._cache[key]
        shape = Shape(raw.get("type", "string"))
        self._cache[key] = shape
        if shape.type == "structure":
            fields = self._interfaces[type_name]  # a KeyError: the typings don't match the model
            for name, member in raw.get("members", {}).items():
                shape.members[member.get("locationName", name)] = Field(member.get("location"),
                                                                        self._compile(member, fields[name]))
            shape.required = {raw["members"][name].get("locationName", name) for name in raw.get("required", [])}
        elif shape.type == "list":
            element = re.fullmatch(r"(\w+)\[\]", self._aliases[type_name]).group(1)
            shape.member = self._compile(raw["member"], element)
        elif shape.type == "map":
            value = re.fullmatch(r"\{\[key: string\]: (\w+)\}", self._aliases[type_name]).group(1)
            shape.value = self._compile(raw["value"], value)
        else:
            values = re.findall(r'"([^"]*)"', self._aliases.get(type_name, ""))
            shape.enum = values or None
            shape.min, shape.max = _bounds(type_name)
        return shape

    def route(self, method, path):
        """-> (Operation, {label: decoded value}), or None. A literal segment beats a label."""
        matches = []
        for op in self.operations.values():
            match = op.regex.fullmatch(path) if op.method == method else None
            if match:
                labels = {name: urllib.parse.unquote(value) for name, value in match.groupdict().items()}
                matches.append((len(op.labels), op, labels))
        if not matches:
            return None
        _, op, labels = min(matches, key=lambda m: m[0])
        return op, labels


@functools.lru_cache(maxsize=None)
def load_model(aws_sdk_dir=AWS_SDK_DIR):
    """The Model, read once per process."""
    paths = [os.path.join(aws_sdk_dir, MODEL_FILE), os.path.join(aws_sdk_dir, TYPINGS_FILE)]
    for path in paths:
        if not os.path.exists(path):
            raise FileNotFoundError(f"{path} is missing: `make test-services` installs it (the aws-sdk package of "
                                    "tests/services)")
    with open(paths[0], encoding="utf-8") as f:
        model = json.load(f)
    with open(paths[1], encoding="utf-8") as f:
        typings = f.read()
    return Model(model, typings)


# ---- validation against the model ----

_EXPECTED = {"structure": "object", "map": "object", "list": "list", "string": "string", "integer": "integer",
             "long": "integer", "double": "number", "boolean": "boolean", "timestamp": "timestamp",
             "blob": "base64 string"}


def _is_type(shape, value):
    if shape.type in ("structure", "map"):
        return isinstance(value, dict)
    if shape.type == "list":
        return isinstance(value, list)
    if shape.type in ("string", "blob"):
        return isinstance(value, str)
    if shape.type in ("integer", "long"):
        return isinstance(value, int) and not isinstance(value, bool)
    if shape.type == "double":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if shape.type == "boolean":
        return isinstance(value, bool)
    if shape.type == "timestamp":  # ISO 8601 text or epoch seconds, as the SDKs send them
        return isinstance(value, (str, int, float)) and not isinstance(value, bool)
    raise ValueError(f"unknown shape type {shape.type}")


def _join(path, name):
    return f"{path}.{name}" if path else name


def validate(shape, value, path=""):
    """Raises ApiError(400 BadRequestException) naming the JSON path of the first problem in `value`."""
    where = path or "request body"
    if not _is_type(shape, value):
        raise bad_request(f"{where}: expected {_EXPECTED[shape.type]}")
    if shape.type == "structure":
        for name, item in value.items():
            field = shape.members.get(name)
            if field is None or field.location is not None:
                raise bad_request(f"{_join(path, name)}: unknown member")
            validate(field.shape, item, _join(path, name))
        for name in sorted(shape.required):
            if shape.members[name].location is None and name not in value:
                raise bad_request(f"{_join(path, name)}: missing required member")
    elif shape.type == "list":
        for index, item in enumerate(value):
            validate(shape.member, item, f"{path}[{index}]")
    elif shape.type == "map":
        for key, item in value.items():
            validate(shape.value, item, _join(path, key))
    else:
        _check_scalar(shape, value, where)


def _check_scalar(shape, value, where):
    if shape.enum is not None and value not in shape.enum:
        raise bad_request(f"{where}: {json.dumps(value)} is not one of {', '.join(shape.enum)}")
    measure, what = (len(value), "length ") if shape.type == "string" else (value, "")
    if shape.min is not None and measure < shape.min:
        raise bad_request(f"{where}: {what}{measure} is less than the minimum {shape.min}")
    if shape.max is not None and measure > shape.max:
        raise bad_request(f"{where}: {what}{measure} is more than the maximum {shape.max}")


def parse_query(shape, query):
    """The querystring members of `shape` from a raw query string, typed; unknown parameters are ignored."""
    params = urllib.parse.parse_qs(query, keep_blank_values=True)
    out = {}
    for name, field in shape.members.items():
        if field.location != "querystring" or name not in params:
            continue
        text = params[name][0]
        if field.shape.type in ("integer", "long"):
            if not re.fullmatch(r"-?\d+", text):
                raise bad_request(f"{name}: expected integer")
            out[name] = int(text)
        else:
            out[name] = text
        _check_scalar(field.shape, out[name], name)
    for name in sorted(shape.required):
        if shape.members[name].location == "querystring" and name not in out:
            raise bad_request(f"{name}: missing required query parameter")
    return out


def pick(shape, value):
    """`value` cut down to what the output `shape` has, recursively: an answer carries nothing else (a stored
    channel holds its request's members, and an input shape may have members its output shape lacks)."""
    if shape.type == "structure":
        return {name: pick(shape.members[name].shape, item) for name, item in value.items()
                if name in shape.members and item is not None}
    if shape.type == "list":
        return [pick(shape.member, item) for item in value]
    if shape.type == "map":
        return {key: pick(shape.value, item) for key, item in value.items()}
    return value


# ---- channel configuration rules AWS checks beyond the model ----

def _encoder_references(node, path, found):
    """Every destinationRefId under `node` -> found[(elementPath, id)]."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "destinationRefId" and isinstance(value, str):
                found.append((path, value))
            else:
                _encoder_references(value, _join(path, key), found)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _encoder_references(value, f"{path}[{index}]", found)
    return found


def check_destinations(destinations, channel_class):
    """-> [(elementPath, errorMessage)]; raises the 400 of a destination with no or several kinds of settings."""
    errors = []
    wanted = 2 if channel_class == "STANDARD" else 1
    for index, destination in enumerate(destinations):
        kinds = [k for k in ("settings", "mediaPackageSettings", "multiplexSettings") if destination.get(k)]
        if len(kinds) != 1:
            raise bad_request("Exactly one of settings, MediaPackage settings, or Multiplex settings is required "
                              f"for destination {destination.get('id')}.")
        settings = destination.get("settings")
        if settings is not None and len(settings) != wanted:
            errors.append((f"destinations[{index}].settings",
                           f"A {channel_class} channel needs {wanted} destination settings, not {len(settings)}"))
    return errors


def check_encoder(encoder, destination_ids):
    """-> [(elementPath below encoderSettings, errorMessage)]."""
    errors = []
    for path, ref in _encoder_references(encoder.get("outputGroups", []), "outputGroups", []):
        if ref not in destination_ids:
            errors.append((path, f'Object references undefined destination "{ref}"'))
    video_names = {d.get("name") for d in encoder.get("videoDescriptions", [])}
    audio_names = [d.get("name") for d in encoder.get("audioDescriptions", [])]
    referenced_audio = set()
    for g, group in enumerate(encoder.get("outputGroups", [])):
        outputs = group.get("outputs", [])
        if "rtmpGroupSettings" in group.get("outputGroupSettings", {}) and len(outputs) > 1:
            errors.append((f"outputGroups[{g}].outputs",
                           f"An RTMP output group can contain only one output, not {len(outputs)}"))
        for o, output in enumerate(outputs):
            path = f"outputGroups[{g}].outputs[{o}]"
            video = output.get("videoDescriptionName")
            if video is not None and video not in video_names:
                errors.append((f"{path}.videoDescriptionName",
                               f'Object references undefined video description "{video}"'))
            for a, audio in enumerate(output.get("audioDescriptionNames", [])):
                referenced_audio.add(audio)
                if audio not in audio_names:
                    errors.append((f"{path}.audioDescriptionNames[{a}]",
                                   f'Object references undefined audio description "{audio}"'))
    for index, name in enumerate(audio_names):
        if name not in referenced_audio:
            errors.append((f"audioDescriptions[{index}]",
                           f'Audio description "{name}" is not referenced by any output'))
    return errors


# ---- the fake ----

Call = collections.namedtuple("Call", "operation params body")  # params: the uri labels and query parameters


class _Fault:
    def __init__(self, remaining, operations, status, code, message):
        self.remaining = remaining
        self.operations = None if operations is None else list(operations)
        self.error = ApiError(status, code, message)

    def matches(self, operation):
        return self.operations is None or operation in self.operations


class _Resource:
    """A channel or an input as stored: `data` its API members (camelCase), `state`, the pending transitions
    `steps` [(state, due: time.monotonic())], a state None meaning "forgotten" (404 from then on), and the
    `alerts` of a channel's failed pipelines ({"pipelineId", "message"})."""

    def __init__(self, data, state):
        self.data = data
        self.state = state
        self.steps = []
        self.alerts = []

    def schedule(self, *steps):
        """Replaces the pending transitions with `steps`: (state, seconds after the step before)."""
        due = time.monotonic()
        self.steps = []
        for state, delay in steps:
            due += delay
            self.steps.append((state, due))

    def settle(self):
        """Applies the transitions that are due; False once the resource is to be forgotten."""
        now = time.monotonic()
        while self.steps and self.steps[0][1] <= now:
            state, _ = self.steps.pop(0)
            if state is None:
                return False
            self.state, self.alerts = state, []
        return True


class MediaLiveFake:
    """The fake, served from a thread of the test's process.

    `credentials`: {access key id: secret} or {access key id: (secret, session token)}; `region`: the one the
    credential scope must name, and the ARNs'; `port`: 0 picks a free one (see `.port` after construction);
    `delays`: seconds per transition, keys of DEFAULT_DELAYS ("deleted": how long a DELETED channel or input
    stays describable); `input_ips`: the addresses of a push input's two endpoints."""

    def __init__(self, credentials, region="us-east-1", host="127.0.0.1", port=0, delays=None,
                 input_ips=("127.0.0.1", "127.0.0.2"), aws_sdk_dir=AWS_SDK_DIR, max_skew_seconds=900, verbose=False):
        self.model = load_model(aws_sdk_dir)
        self.credentials = dict(credentials)
        self.region = region
        self.input_ips = tuple(input_ips)
        self.max_skew_seconds = max_skew_seconds
        self.verbose = verbose
        self.lock = threading.RLock()
        self.delays = dict(DEFAULT_DELAYS)
        self.set_delays(**(delays or {}))
        self.calls = []
        self._faults = []
        self._channels = {}
        self._inputs = {}
        self._security_groups = {}
        self._idempotency = {}  # (operation, requestId) -> resource id
        self._next_id = {"channel": 1000001, "input": 2000001, "inputSecurityGroup": 300001}
        self._server = _Server((host, port), self)
        self.host, self.port = self._server.server_address[:2]
        self.url = f"http://{self.host}:{self.port}"
        self._thread = None

    # ---- serving ----

    def start(self):
        self._thread = threading.Thread(target=self._server.serve_forever, name="medialive-fake", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Stops accepting, closes every client connection, and waits for the serving thread."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(10)
            self._thread = None
        self._server.server_close()
        self._server.close_connections()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ---- control, for tests ----

    def set_delays(self, **delays):
        unknown = set(delays) - set(DEFAULT_DELAYS)
        if unknown:
            raise ValueError(f"unknown delays {sorted(unknown)}; known: {sorted(DEFAULT_DELAYS)}")
        with self.lock:
            self.delays.update({name: float(seconds) for name, seconds in delays.items()})

    def throttle(self, count=1, operations=None):
        """The next `count` requests for `operations` (None: any) get 429 TooManyRequestsException."""
        self._add_fault(count, operations, 429, "TooManyRequestsException", "Too Many Requests")

    def fail(self, count=1, status=500, operations=None):
        """The next `count` requests for `operations` (None: any) get the 5xx error of `status`."""
        if status not in SERVER_ERRORS:
            raise ValueError(f"status must be one of {sorted(SERVER_ERRORS)}, not {status!r}")
        self._add_fault(count, operations, status, *SERVER_ERRORS[status])

    def _add_fault(self, count, operations, status, code, message):
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ValueError(f"count must be a positive integer, not {count!r}")
        unknown = set(operations or ()) - set(self.model.operations)
        if isinstance(operations, str) or unknown:
            raise ValueError(f"operations must be a list of MediaLive operation names (unknown: {sorted(unknown)})")
        with self.lock:
            self._faults.append(_Fault(count, operations, status, code, message))

    def channel(self, channel_id):
        """A copy of the channel as DescribeChannel shows it, plus "alerts" (pipeline_failure()); None if
        unknown."""
        with self.lock:
            resource = self._settled(self._channels, channel_id)
            if resource is None:
                return None
            return dict(copy.deepcopy(self._channel_view(resource)), alerts=copy.deepcopy(resource.alerts))

    def input(self, input_id):
        """A copy of the input as DescribeInput shows it; None if unknown."""
        with self.lock:
            resource = self._settled(self._inputs, input_id)
            return None if resource is None else copy.deepcopy(self._input_view(resource))

    def set_state(self, channel_id, state):
        """Puts a channel in `state` at once (any of the model's ChannelState), cancelling its transition."""
        with self.lock:
            resource = self._channels[channel_id]
            resource.state, resource.steps, resource.alerts = state, [], []

    def pipeline_failure(self, channel_id, message, recover_after=None):
        """A RUNNING channel loses a pipeline: state RECOVERING, one pipeline fewer running, `message` in
        channel(id)["alerts"]; back to RUNNING after `recover_after` seconds (None: stays until set_state or
        StopChannel)."""
        with self.lock:
            resource = self._settled(self._channels, channel_id)
            if resource is None or resource.state != "RUNNING":
                raise ValueError(f"channel {channel_id} is not RUNNING")
            resource.state = "RECOVERING"
            resource.alerts.append({"pipelineId": "PIPELINE_0", "message": message})
            resource.schedule(*([] if recover_after is None else [("RUNNING", recover_after)]))

    # ---- requests ----

    def handle(self, method, target, headers, body):
        """One request -> (status, [(header, value)], JSON object)."""
        try:
            return self._handle(method, target, headers, body)
        except ApiError as e:
            if self.verbose:
                sys.stderr.write(f"medialive_fake: {method} {target}: {e}\n")
            return e.status, [("x-amzn-ErrorType", e.code)], dict({"message": e.message}, **e.extra)

    def _handle(self, method, target, headers, body):
        try:
            sigv4.verify(method, target, headers, body, self.credentials, SERVICE, self.region,
                         max_skew_seconds=self.max_skew_seconds)
        except sigv4.AuthError as e:
            raise ApiError(403, e.code, e.message)
        path, query = sigv4.split_target(target)
        routed = self.model.route(method, path)
        if routed is None:
            raise ApiError(404, "UnknownOperationException", f"No MediaLive operation is {method} {path}")
        op, labels = routed
        payload = self._parse_body(body)
        with self.lock:
            self.calls.append(Call(op.name, dict(labels, **_raw_query(query)), payload))
            self._inject_fault(op.name)
        request = dict(labels, **parse_query(op.input, query))
        payload = {} if payload is None else payload
        validate(op.input, payload)
        request.update(payload)
        handler = getattr(self, "_op_" + op.name, None)
        if handler is None:
            raise ApiError(501, "NotImplementedException", f"medialive_fake does not implement {op.name}")
        with self.lock:
            response = handler(request)
        return op.response_code, [], response

    @staticmethod
    def _parse_body(body):
        if not body.strip():
            return None
        try:
            return json.loads(body)
        except ValueError as e:
            raise bad_request(f"request body: not JSON ({e})")

    def _inject_fault(self, operation):
        for fault in self._faults:
            if fault.matches(operation):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                raise fault.error

    # ---- storage ----

    def _new_id(self, kind):
        number = self._next_id[kind]
        self._next_id[kind] += 1
        return str(number), f"arn:aws:medialive:{self.region}:{ACCOUNT_ID}:{kind}:{number}"

    def _settled(self, table, resource_id):
        """The resource with its due transitions applied; None when unknown or forgotten."""
        resource = table.get(resource_id)
        if resource is not None and not resource.settle():
            del table[resource_id]
            return None
        return resource

    def _live(self, table, resource_id, what):
        """The resource for an operation: 404 when unknown or DELETED."""
        resource = self._settled(table, resource_id)
        if resource is None or resource.state == "DELETED":
            raise ApiError(404, "NotFoundException", f"The {what} you're requesting does not exist.")
        return resource

    def _live_resources(self, table):
        """The resources for a List operation: neither forgotten nor DELETED."""
        return [r for r in (self._settled(table, i) for i in list(table)) if r is not None and r.state != "DELETED"]

    def _idempotent(self, operation, request, table):
        """The resource an earlier request with this requestId created, or None."""
        token = request.get("requestId")
        resource_id = self._idempotency.get((operation, token)) if token else None
        return self._settled(table, resource_id) if resource_id else None

    def _remember(self, operation, request, resource_id):
        if request.get("requestId"):
            self._idempotency[(operation, request["requestId"])] = resource_id

    def _attached_channels(self, input_id):
        """Ids of the channels (not DELETED) that attach the input."""
        out = []
        for channel_id in list(self._channels):
            resource = self._settled(self._channels, channel_id)
            if resource is not None and resource.state != "DELETED" and any(
                    a.get("inputId") == input_id for a in resource.data.get("inputAttachments", [])):
                out.append(channel_id)
        return out

    def _page(self, items, request):
        """ListChannels/ListInputs paging: nextToken is the offset, opaque to clients."""
        token = request.get("nextToken")
        if token is not None and not token.isdigit():
            raise bad_request(f"nextToken: invalid token {token!r}")
        start = int(token or 0)
        size = request.get("maxResults") or 1000
        if size < 1:
            raise bad_request("maxResults: must be at least 1")
        out = {}
        if start + size < len(items):
            out["nextToken"] = str(start + size)
        return items[start:start + size], out

    def _response(self, operation, view, key):
        """The output of `operation` for a resource: under `key` when the output has that member (CreateChannel:
        "channel"), else its members at the top level (DescribeChannel)."""
        output = self.model.operations[operation].output
        if key in output.members:
            return {key: pick(output.members[key].shape, view)}
        return pick(output, view)

    # ---- inputs ----

    def _input_view(self, resource):
        data = dict(resource.data, state=resource.state)
        data["attachedChannels"] = self._attached_channels(data["id"])
        if resource.state == "DETACHED" and data["attachedChannels"]:
            data["state"] = "ATTACHED"
        return data

    def _push_destinations(self, request):
        destinations = request.get("destinations") or []
        if len(request.get("inputSecurityGroups") or []) != 1:
            raise bad_request("inputSecurityGroups: an RTMP_PUSH input needs exactly one input security group")
        if request["inputSecurityGroups"][0] not in self._security_groups:
            raise bad_request(f"inputSecurityGroups[0]: no input security group {request['inputSecurityGroups'][0]!r}")
        if len(destinations) not in (1, 2):
            raise bad_request("destinations: an RTMP_PUSH input has 1 (single-pipeline) or 2 (standard) destinations")
        out = []
        for index, destination in enumerate(destinations):
            stream = destination.get("streamName", "")
            if not re.fullmatch(r"[^/\s]+/[^/\s]+", stream):
                raise bad_request(f"destinations[{index}].streamName: must be \"appName/appInstance\", not {stream!r}")
            ip = self.input_ips[index]
            out.append({"ip": ip, "port": "1935", "url": f"rtmp://{ip}:1935/{stream}"})
        return out

    @staticmethod
    def _srt_sources(request):
        if request.get("inputSecurityGroups"):
            raise bad_request("inputSecurityGroups: an SRT_CALLER input is a pull input and takes no input "
                              "security group")
        sources = (request.get("srtSettings") or {}).get("srtCallerSources") or []
        if len(sources) not in (1, 2):
            raise bad_request("srtSettings.srtCallerSources: an SRT_CALLER input has 1 (single-pipeline) or 2 "
                              "(standard) sources")
        return sources

    def _op_CreateInput(self, request):
        earlier = self._idempotent("CreateInput", request, self._inputs)
        if earlier is not None:
            return self._response("CreateInput", self._input_view(earlier), "input")
        data = {key: request[key] for key in ("name", "roleArn", "tags", "type", "srtSettings") if key in request}
        data["securityGroups"] = list(request.get("inputSecurityGroups") or [])
        data["sources"] = [dict(source) for source in request.get("sources") or []]
        data["destinations"] = []
        if request.get("type") == "RTMP_PUSH":
            data["destinations"] = self._push_destinations(request)
            pipelines = len(data["destinations"])
        elif request.get("type") == "SRT_CALLER":
            pipelines = len(self._srt_sources(request))
        else:
            pipelines = len(data["sources"])
        data["inputClass"] = "STANDARD" if pipelines == 2 else "SINGLE_PIPELINE"
        data["inputSourceType"] = "STATIC"
        data["id"], data["arn"] = self._new_id("input")
        self._inputs[data["id"]] = _Resource(data, "DETACHED")
        self._remember("CreateInput", request, data["id"])
        return self._response("CreateInput", self._input_view(self._inputs[data["id"]]), "input")

    def _op_DescribeInput(self, request):
        resource = self._settled(self._inputs, request["inputId"])
        if resource is None:  # a DELETED input is still described, as the InputDeleted waiter expects
            raise ApiError(404, "NotFoundException", "Input not found")
        return self._response("DescribeInput", self._input_view(resource), "input")

    def _op_DeleteInput(self, request):
        resource = self._live(self._inputs, request["inputId"], "input")
        attached = self._attached_channels(resource.data["id"])
        if attached:
            raise conflict(f"Input {resource.data['id']} is attached to channel {attached[0]}: detach it first")
        resource.state = "DELETED"
        resource.schedule((None, self.delays["deleted"]))
        return {}

    def _op_ListInputs(self, request):
        inputs = [self._input_view(r) for r in self._live_resources(self._inputs)]
        page, out = self._page(inputs, request)
        shape = self.model.operations["ListInputs"].output.members["inputs"].shape.member
        return dict(out, inputs=[pick(shape, item) for item in page])

    def _op_CreateInputSecurityGroup(self, request):
        group_id, arn = self._new_id("inputSecurityGroup")
        group = {"id": group_id, "arn": arn, "inputs": [], "state": "IDLE", "tags": request.get("tags", {}),
                 "whitelistRules": [dict(rule) for rule in request.get("whitelistRules", [])]}
        self._security_groups[group_id] = group
        return self._response("CreateInputSecurityGroup", group, "securityGroup")

    # ---- channels ----

    def _channel_view(self, resource):
        data = dict(resource.data, state=resource.state)
        pipelines = 2 if data["channelClass"] == "STANDARD" else 1
        running = pipelines - len(resource.alerts) if resource.state in ("RUNNING", "RECOVERING") else 0
        data["pipelinesRunningCount"] = running
        attachments = data.get("inputAttachments") or [{}]
        failed = {alert["pipelineId"] for alert in resource.alerts}
        data["pipelineDetails"] = [
            {"pipelineId": f"PIPELINE_{p}", "activeInputAttachmentName": attachments[0].get("inputAttachmentName")}
            for p in range(pipelines) if running and f"PIPELINE_{p}" not in failed]
        return data

    def _check_channel(self, data, channel_id=None):
        """The rules AWS checks beyond the model (see the module's doc), on the channel as it would be stored."""
        for index, attachment in enumerate(data.get("inputAttachments", [])):
            input_id = attachment.get("inputId")
            if self._settled(self._inputs, input_id) is None or self._inputs[input_id].state == "DELETED":
                raise unprocessable([(f"inputAttachments[{index}].inputId", f'Input "{input_id}" does not exist')])
            if any(other != channel_id for other in self._attached_channels(input_id)):
                raise conflict(f"inputId={input_id} is already attached")
        errors = check_destinations(data.get("destinations", []), data["channelClass"])
        destination_ids = {d.get("id") for d in data.get("destinations", [])}
        errors += check_encoder(data.get("encoderSettings", {}), destination_ids)
        if errors:
            raise unprocessable(errors)

    def _op_CreateChannel(self, request):
        earlier = self._idempotent("CreateChannel", request, self._channels)
        if earlier is not None:
            return self._response("CreateChannel", self._channel_view(earlier), "channel")
        data = {key: value for key, value in request.items() if key not in ("requestId", "reserved")}
        data.setdefault("channelClass", "STANDARD")
        data.setdefault("tags", {})
        self._check_channel(data)
        data["id"], data["arn"] = self._new_id("channel")
        resource = _Resource(data, "CREATING")
        resource.schedule(("IDLE", self.delays["creating"]))
        self._channels[data["id"]] = resource
        self._remember("CreateChannel", request, data["id"])
        return self._response("CreateChannel", self._channel_view(resource), "channel")

    def _op_DescribeChannel(self, request):
        resource = self._settled(self._channels, request["channelId"])
        if resource is None:  # a DELETED channel is still described, as the ChannelDeleted waiter expects
            raise ApiError(404, "NotFoundException", "The channel you're requesting to describe does not exist.")
        return self._response("DescribeChannel", self._channel_view(resource), "channel")

    def _op_UpdateChannel(self, request):
        resource = self._live(self._channels, request["channelId"], "channel")
        if resource.state != "IDLE":
            raise conflict("The channel is unable to update due to an issue with channel resources.")
        data = dict(resource.data)
        data.update({key: value for key, value in request.items() if key != "channelId"})
        if "roleArn" not in request:
            data.pop("roleArn", None)  # documented: a role left out of an update is removed
        self._check_channel(data, resource.data["id"])
        resource.data = data
        return self._response("UpdateChannel", self._channel_view(resource), "channel")

    def _op_StartChannel(self, request):
        resource = self._live(self._channels, request["channelId"], "channel")
        if resource.state == "CREATING":
            raise bad_request(f"Channel {resource.data['id']} is still being created (state CREATING)")
        if resource.state != "IDLE":
            raise conflict("The channel is unable to start due to an issue with channel resources.")
        if not resource.data.get("roleArn"):
            raise bad_request(f"Channel {resource.data['id']} has no roleArn: MediaLive needs a role to run it "
                              "(an UpdateChannel without roleArn removes the role)")
        resource.state = "STARTING"
        resource.schedule(("RUNNING", self.delays["starting"]))
        return self._response("StartChannel", self._channel_view(resource), "channel")

    def _op_StopChannel(self, request):
        resource = self._live(self._channels, request["channelId"], "channel")
        if resource.state not in ("RUNNING", "RECOVERING"):
            raise conflict("The channel is unable to stop due to an issue with channel resources.")
        resource.state, resource.alerts = "STOPPING", []
        resource.schedule(("IDLE", self.delays["stopping"]))
        return self._response("StopChannel", self._channel_view(resource), "channel")

    def _op_DeleteChannel(self, request):
        resource = self._live(self._channels, request["channelId"], "channel")
        if resource.state != "IDLE":
            raise conflict("The channel is unable to delete due to an issue with channel resources.")
        resource.state = "DELETING"
        resource.schedule(("DELETED", self.delays["deleting"]), (None, self.delays["deleted"]))
        return self._response("DeleteChannel", self._channel_view(resource), "channel")

    def _op_ListChannels(self, request):
        channels = [self._channel_view(r) for r in self._live_resources(self._channels)]
        page, out = self._page(channels, request)
        shape = self.model.operations["ListChannels"].output.members["channels"].shape.member
        return dict(out, channels=[pick(shape, item) for item in page])


def _raw_query(query):
    return {name: values[0] for name, values in urllib.parse.parse_qs(query, keep_blank_values=True).items()}


# ---- HTTP ----

def _wire_text(text):
    """http.server decodes the request line and headers as Latin-1; SigV4 works on the bytes (UTF-8)."""
    try:
        return text.encode("latin-1").decode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, fake):
        self.fake = fake
        self.connections = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def handle_error(self, request, client_address):
        # A client that hangs up before reading the answer (a timed-out attempt, a test ending) is no news.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def process_request(self, request, client_address):
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self):
        """Ends the keep-alive connections whose handler threads wait for a next request."""
        with self.connections_lock:
            connections = list(self.connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no delayed-ACK wait between them

    def log_message(self, fmt, *args):
        if self.server.fake.verbose:
            sys.stderr.write("medialive_fake: %s - %s\n" % (self.address_string(), fmt % args))

    def do_GET(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = [(_wire_text(name), _wire_text(value)) for name, value in self.headers.items()]
        status, extra_headers, payload = self.server.fake.handle(self.command, _wire_text(self.path), headers, body)
        data = json.dumps(payload).encode()
        self.send_response_only(status)
        for name, value in extra_headers + [("Content-Type", "application/json"),
                                            ("x-amzn-RequestId", str(uuid.uuid4())),
                                            ("Date", self.date_time_string()), ("Content-Length", str(len(data)))]:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--access-key", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--delay", type=float, default=None, help="seconds of every state transition")
    parser.add_argument("--verbose", action="store_true", help="log every request and error to stderr")
    args = parser.parse_args(argv)
    delays = None if args.delay is None else {name: args.delay for name in DEFAULT_DELAYS if name != "deleted"}
    fake = MediaLiveFake({args.access_key: args.secret}, region=args.region, host=args.host, port=args.port,
                         delays=delays, verbose=args.verbose)

    def stop(signum, frame):
        threading.Thread(target=fake._server.shutdown, daemon=True).start()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print(f"listening on {fake.host}:{fake.port}", flush=True)
    fake._server.serve_forever()
    fake._server.server_close()
    fake._server.close_connections()
    return 0


if __name__ == "__main__":
    sys.exit(main())
