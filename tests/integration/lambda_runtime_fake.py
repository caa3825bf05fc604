"""A fake of the AWS Lambda Runtime API (version 2018-06-01) for `lunora lambda`: AWS Lambda itself cannot run
here. It enforces what the API reference documents (docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html):

- GET  /2018-06-01/runtime/invocation/next waits for an invocation and answers its event with the headers
  Lambda-Runtime-Aws-Request-Id, Lambda-Runtime-Deadline-Ms, Lambda-Runtime-Invoked-Function-Arn and
  Lambda-Runtime-Trace-Id;
- POST /2018-06-01/runtime/invocation/{id}/response and .../{id}/error answer an invocation once: another id, or
  one answered already, is 400 InvalidRequestID; a response over 6 MB is 413;
- POST /2018-06-01/runtime/init/error records why the runtime could not start;
- and, as Lambda does, it freezes the runtime (SIGSTOP) while it waits for its next invocation, and thaws it
  (SIGCONT) when one comes: nothing Lunora leaves to run between invocations runs.
"""
import http.server
import json
import os
import queue
import signal
import socket
import sys
import threading
import time
import uuid

VERSION = "/2018-06-01"
MAX_RESPONSE_BYTES = 6 * 1024 * 1024
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:lunora"


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def get_request(self):
        # Headers and body go out in two writes: without TCP_NODELAY each answer waits for a delayed ACK.
        sock, address = super().get_request()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock, address

    def handle_error(self, request, client_address):
        # A runtime killed at the end of a test drops its connection: not worth a traceback.
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


class Answer:
    """What the runtime answered to one invocation: kind "response" or "error", and its body (JSON)."""

    def __init__(self, kind, body, headers):
        self.kind = kind
        self.body = body
        self.headers = headers

    def __repr__(self):
        return f"Answer({self.kind}, {self.body!r})"


class LambdaRuntimeFake:
    def __init__(self, timeout_s=30, freeze=True):
        self.timeout_s = timeout_s
        self.freeze = freeze
        self.pid = None  # the runtime's process, frozen between invocations once known
        self.pending = queue.Queue()  # (request id, event bytes) not handed out yet
        self.answers = {}  # request id -> Answer
        self.outstanding = set()  # handed out, not answered
        self.init_errors = []
        self.next_calls = 0
        self.frozen = False
        self.cond = threading.Condition()
        self.server = _Server(("127.0.0.1", 0), self._handler())
        self.port = self.server.server_address[1]
        self.address = f"127.0.0.1:{self.port}"

    def start(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self._thaw()
        self.server.shutdown()
        self.server.server_close()

    def _thaw(self):
        if self.pid is not None and self.frozen:
            try:
                os.kill(self.pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
            self.frozen = False

    def invoke(self, event, timeout=30, alive=None):
        """Queues an invocation and waits for its answer -> Answer. `alive`: whether the runtime's process still
        runs (a dead one answers nothing: fail at once)."""
        request_id = str(uuid.uuid4())
        body = event if isinstance(event, bytes) else json.dumps(event).encode()
        with self.cond:
            self._thaw()
            self.pending.put((request_id, body))
            self.cond.notify_all()
            deadline = time.monotonic() + timeout
            while request_id not in self.answers:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"the runtime did not answer invocation {request_id} in {timeout} s")
                if alive is not None and not alive():
                    raise AssertionError(f"the runtime exited before it answered invocation {request_id}")
                self.cond.wait(min(left, 0.5))
            return self.answers[request_id]

    def wait_idle(self, timeout=30):
        """Until the runtime asks for its next invocation with nothing outstanding (its work is done)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while self.outstanding or not self.waiting:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("the runtime did not come back for its next invocation")
                self.cond.wait(left)

    waiting = False  # a GET /next is waiting

    def _handler(fake):
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _send(self, status, body=b"", headers=()):
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _error(self, status, error_type, message):
                self._send(status, json.dumps({"errorType": error_type, "errorMessage": message}).encode(),
                           [("Content-Type", "application/json")])

            def do_GET(self):
                if self.path != VERSION + "/runtime/invocation/next":
                    return self._error(404, "NotFound", f"no route {self.path}")
                with fake.cond:
                    fake.next_calls += 1
                    fake.waiting = True
                    fake.cond.notify_all()
                    while fake.pending.empty():
                        if fake.freeze and fake.pid is not None and not fake.frozen and not fake.outstanding:
                            try:
                                os.kill(fake.pid, signal.SIGSTOP)
                                fake.frozen = True
                            except ProcessLookupError:  # ended meanwhile (the test is over)
                                fake.pid = None
                        fake.cond.wait(0.5)
                    request_id, body = fake.pending.get()
                    fake.waiting = False
                    fake.outstanding.add(request_id)
                deadline_ms = int((time.time() + fake.timeout_s) * 1000)
                self._send(200, body, [("Content-Type", "application/json"),
                                       ("Lambda-Runtime-Aws-Request-Id", request_id),
                                       ("Lambda-Runtime-Deadline-Ms", str(deadline_ms)),
                                       ("Lambda-Runtime-Invoked-Function-Arn", FUNCTION_ARN),
                                       ("Lambda-Runtime-Trace-Id", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700")])

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if self.path == VERSION + "/runtime/init/error":
                    with fake.cond:
                        fake.init_errors.append(Answer("init_error", json.loads(body), dict(self.headers)))
                        fake.cond.notify_all()
                    return self._send(202, b'{"status":"OK"}', [("Content-Type", "application/json")])
                prefix = VERSION + "/runtime/invocation/"
                if not self.path.startswith(prefix):
                    return self._error(404, "NotFound", f"no route {self.path}")
                request_id, _, kind = self.path[len(prefix):].partition("/")
                if kind not in ("response", "error"):
                    return self._error(404, "NotFound", f"no route {self.path}")
                if kind == "response" and len(body) > MAX_RESPONSE_BYTES:
                    return self._error(413, "RequestEntityTooLarge", "the response is larger than 6 MB")
                with fake.cond:
                    if request_id not in fake.outstanding:
                        return self._error(400, "InvalidRequestID", f"no invocation {request_id} to answer")
                    fake.outstanding.discard(request_id)
                    fake.answers[request_id] = Answer(kind, json.loads(body), dict(self.headers))
                    fake.cond.notify_all()
                self._send(202, b'{"status":"OK"}', [("Content-Type", "application/json")])

        return Handler


def http_api_event(method, path, query="", headers=None, body=None, base64=False, source_ip="198.51.100.7"):
    """An API Gateway HTTP API request event, payload format 2.0, shaped as AWS documents and sends it
    (docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html)."""
    now = time.time()
    all_headers = {"accept": "application/json", "content-length": str(len(body or "")),
                   "host": "abcdef123.execute-api.us-east-1.amazonaws.com", "user-agent": "lunora-test",
                   "x-amzn-trace-id": "Root=1-5e6722a7-cc56xmpl46db7ae02d4da47e", "x-forwarded-for": source_ip,
                   "x-forwarded-port": "443", "x-forwarded-proto": "https"}
    all_headers.update({k.lower(): v for k, v in (headers or {}).items()})
    event = {
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": query,
        "headers": all_headers,
        "requestContext": {
            "accountId": "123456789012", "apiId": "abcdef123",
            "domainName": "abcdef123.execute-api.us-east-1.amazonaws.com", "domainPrefix": "abcdef123",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": source_ip,
                     "userAgent": "lunora-test"},
            "requestId": "JKJaXmPLvHcESHA=", "routeKey": "$default", "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)), "timeEpoch": int(now * 1000)},
        "isBase64Encoded": base64,
    }
    if query:
        event["queryStringParameters"] = dict(p.partition("=")[::2] for p in query.split("&"))
    if body is not None:
        event["body"] = body
    return event


def medialive_state_change(channel_arn, state, message=""):
    """EventBridge's "MediaLive Channel State Change" (docs.aws.amazon.com/medialive/latest/ug/
    monitoring-cloudwatch-json-state-change.html)."""
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "MediaLive Channel State Change",
            "source": "aws.medialive", "account": "123456789012",
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "region": "us-east-1",
            "resources": [channel_arn],
            "detail": {"channel_arn": channel_arn, "state": state, "message": message or f"Channel {state}",
                       "pipelines_running_count": 1 if state == "RUNNING" else 0}}


def scheduled_event(rule="arn:aws:events:us-east-1:123456789012:rule/lunora-reconcile"):
    """EventBridge's "Scheduled Event" of a schedule rule (rate(1 minute))."""
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "123456789012", "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "region": "us-east-1", "resources": [rule], "detail": {}}


class SecretsManagerFake:
    """GetSecretValue of AWS Secrets Manager (awsJson 1.1), as the function's role reaches it: SigV4 checked
    against one key pair (sigv4.verify), `Content-Type: application/x-amz-json-1.1` and
    `X-Amz-Target: secretsmanager.GetSecretValue` required, an unknown SecretId answered 400
    ResourceNotFoundException ("Secrets Manager can't find the specified secret.")."""

    def __init__(self, credentials, secrets, region="us-east-1"):
        import sigv4
        self.sigv4 = sigv4
        self.credentials = credentials
        self.secrets = dict(secrets)  # ARN -> SecretString
        self.region = region
        self.calls = []
        self.server = _Server(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def _handler(fake):
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _send(self, status, body, error_type=None):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
                if error_type:
                    self.send_header("x-amzn-ErrorType", error_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _error(self, status, code, message):
                self._send(status, {"__type": code, "message": message}, code)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    fake.sigv4.verify("POST", self.path, list(self.headers.items()), body, fake.credentials,
                                      "secretsmanager", region=fake.region)
                except fake.sigv4.AuthError as e:
                    return self._error(400 if e.code != "InvalidSignatureException" else 403, e.code, e.message)
                if self.headers.get("Content-Type") != "application/x-amz-json-1.1":
                    return self._error(400, "SerializationException", "Start of structure or map found where not expected.")
                target = self.headers.get("X-Amz-Target")
                if target != "secretsmanager.GetSecretValue":
                    return self._error(400, "UnknownOperationException", f"unknown operation {target}")
                request = json.loads(body or b"{}")
                fake.calls.append(request)
                secret_id = request.get("SecretId")
                if secret_id not in fake.secrets:
                    return self._error(400, "ResourceNotFoundException",
                                       "Secrets Manager can't find the specified secret.")
                self._send(200, {"ARN": secret_id, "Name": secret_id.rsplit(":", 1)[-1],
                                 "SecretString": fake.secrets[secret_id], "VersionId": str(uuid.uuid4()),
                                 "VersionStages": ["AWSCURRENT"], "CreatedDate": time.time()})

        return Handler
