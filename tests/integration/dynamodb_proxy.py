"""A DynamoDB front door for tests: an HTTP/1.1 reverse proxy on 127.0.0.1 that checks SigV4 the way DynamoDB
does (dynalite checks no signature), can answer throttling and server errors instead of forwarding, and passes
everything else to dynalite (or any DynamoDB endpoint) unchanged.

Per request, in this order (the real service's: a request that fails authentication is never throttled):
1. `/__proxy/...`: the admin endpoints below (no signature; they are not DynamoDB).
2. SigV4 (sigv4.verify, service `dynamodb`, the configured region and credentials, X-Amz-Date within 15 minutes
   of the proxy's clock): a failure is answered as DynamoDB answers it, HTTP 400 with an
   application/x-amz-json-1.0 body {"__type": "com.amazon.coral.service#<Code>", "message": ...}:
   no Authorization header -> MissingAuthenticationTokenException "Request is missing Authentication Token";
   unknown access key id, or a session token missing, wrong or not expected -> UnrecognizedClientException
   "The security token included in the request is invalid."; wrong signature -> InvalidSignatureException
   "The request signature we calculated does not match ..."; stale X-Amz-Date -> InvalidSignatureException
   "Signature expired: ..."; a malformed Authorization header -> IncompleteSignatureException.
3. A throttle rule matching the X-Amz-Target operation: the rule's error, not forwarded.
4. Forwarded to the upstream with body and headers as received (hop-by-hop headers excepted, Host kept), and
   the upstream's answer returned with all its headers (x-amz-crc32 included) but the hop-by-hop ones.
Every answer the proxy makes itself carries x-amzn-RequestId and x-amz-crc32, as DynamoDB's do.

Admin endpoints (JSON in, JSON out):
- POST /__proxy/throttle {"count": N, "operations": ["PutItem", ...], "code": "...", "mode": "count"|"always"}
  adds a rule: the next N requests (mode "count", the default; N defaults to 1) or every request until reset
  (mode "always") whose operation is listed (no "operations": any) get the error `code`:
  ProvisionedThroughputExceededException (default; 400), ThrottlingException (400), InternalServerError (500),
  RequestLimitExceeded (400) or ServiceUnavailable (503). "status", "type" (the whole __type) and "message"
  override the code's. Rules are tried in the order added; answers {"rules": [...]} (the active rules).
- GET /__proxy/throttle: {"rules": [...]}.
- GET /__proxy/stats: see DynamoDbProxy.stats().
- POST /__proxy/reset: drops the rules, zeroes the counters and the clock offset; answers {"ok": true}.
- POST /__proxy/clock {"offset_seconds": S}: the proxy's clock runs S seconds ahead (negative: behind), to
  test a client's clock skew handling; answers {"offset_seconds": S}.
- POST /__proxy/credentials {"credentials": {"AKID": "SECRET" | ["SECRET", "TOKEN"]}}: replaces the valid
  credentials (a rotation); answers {"access_key_ids": [...]}.

As a script:
    python3 dynamodb_proxy.py --listen-port P --upstream http://127.0.0.1:Q --credentials AKID:SECRET[:TOKEN]
        [--credentials ...] [--region us-east-1|any] [--max-skew-seconds 900] [--verbose]
prints `listening on 127.0.0.1:P` (P is the bound port when 0 was asked) once it accepts connections, and runs
until SIGINT or SIGTERM.

From a test:
    proxy = DynamoDbProxy("http://127.0.0.1:%d" % dynalite_port, {"AKID": "SECRET"}).start()
    self.addCleanup(proxy.stop)
    env["AWS_ENDPOINT_URL_DYNAMODB"] = proxy.url
    proxy.throttle(2, operations=["PutItem"]); ...; proxy.stats()["throttled"]
"""
import argparse
import datetime
import http.client
import http.server
import json
import random
import signal
import socket
import string
import sys
import threading
import time
import urllib.parse
import zlib

import sigv4

ADMIN_PREFIX = "/__proxy/"
JSON_10 = "application/x-amz-json-1.0"
_DYNAMODB = "com.amazonaws.dynamodb.v20120810#"
_CORAL = "com.amazon.coral.service#"

# code -> (HTTP status, __type, message), as DynamoDB sends them.
ERRORS = {
    "ProvisionedThroughputExceededException": (
        400, _DYNAMODB + "ProvisionedThroughputExceededException",
        "The level of configured provisioned throughput for the table was exceeded. Consider increasing your "
        "provisioning level with the UpdateTable API."),
    "ThrottlingException": (400, "com.amazon.coral.availability#ThrottlingException",
                            "Rate of requests exceeds the allowed throughput."),
    "InternalServerError": (500, _DYNAMODB + "InternalServerError", "Internal server error"),
    "RequestLimitExceeded": (
        400, _DYNAMODB + "RequestLimitExceeded",
        "Throughput exceeds the current throughput limit for your account. Please contact AWS Support at "
        "https://aws.amazon.com/support request a limit increase"),
    "ServiceUnavailable": (503, _DYNAMODB + "ServiceUnavailable", "The service is currently unavailable or busy."),
}

# RFC 9110 7.6.1, plus Proxy-Connection; the names a Connection header lists are added per message.
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te",
               "trailer", "transfer-encoding", "upgrade"}


def request_id():
    return "".join(random.choices(string.ascii_uppercase + string.digits, k=52))


def operation_of(target_header):
    """"DynamoDB_20120810.PutItem" -> "PutItem"; "(none)" without the header."""
    if not target_header:
        return "(none)"
    return target_header.rsplit(".", 1)[-1]


def _wire_text(text):
    """http.server decodes the request line and headers as Latin-1; SigV4 works on the bytes (UTF-8)."""
    try:
        return text.encode("latin-1").decode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text


def _hop_by_hop(headers):
    names = set(_HOP_BY_HOP)
    for name, value in headers:
        if name.lower() == "connection":
            names.update(token.strip().lower() for token in value.split(",") if token.strip())
    return names


class _Rule:
    def __init__(self, count, operations, code, mode, status, type_, message):
        self.remaining = count
        self.operations = operations
        self.code = code
        self.mode = mode
        self.status = status
        self.type = type_
        self.message = message

    def matches(self, operation):
        return self.operations is None or operation in self.operations

    def describe(self):
        return {"code": self.code, "mode": self.mode, "operations": self.operations,
                "remaining": self.remaining if self.mode == "count" else None, "status": self.status,
                "type": self.type, "message": self.message}


class _Stats:
    def __init__(self):
        self.requests = 0
        self.forwarded = 0
        self.throttled = 0
        self.rejected_auth = 0
        self.upstream_errors = 0
        self.operations = {}
        self.auth_errors = {}
        self.last_auth_error = None

    def count(self, operation, what):
        setattr(self, what, getattr(self, what) + 1)
        per = self.operations.setdefault(operation, {"requests": 0, "forwarded": 0, "throttled": 0,
                                                     "rejected_auth": 0, "upstream_errors": 0})
        per[what] += 1

    def to_json(self):
        return {"requests": self.requests, "forwarded": self.forwarded, "throttled": self.throttled,
                "rejected_auth": self.rejected_auth, "upstream_errors": self.upstream_errors,
                "operations": json.loads(json.dumps(self.operations)), "auth_errors": dict(self.auth_errors),
                "last_auth_error": self.last_auth_error}


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, proxy):
        self.proxy = proxy
        self.connections = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request, client_address):
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self):
        with self.connections_lock:
            connections = list(self.connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without TCP_NODELAY a keep-alive client waits ~40 ms for the
    # delayed ACK between them.
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        if self.server.proxy.verbose:
            sys.stderr.write("dynamodb_proxy: %s - %s\n" % (self.address_string(), fmt % args))

    # ---- plumbing ----

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):  # trailers
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status, body, headers=(), reason=None):
        self.send_response_only(status, reason)
        names = set()
        for name, value in headers:
            names.add(name.lower())
            self.send_header(name, value)
        if "date" not in names:
            self.send_header("Date", self.date_time_string())
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def _send_json(self, status, obj):
        self._send(status, json.dumps(obj).encode(), [("Content-Type", "application/json")])

    def _send_aws_error(self, status, type_, message):
        body = json.dumps({"__type": type_, "message": message}, separators=(",", ":")).encode()
        self._send(status, body, [("x-amzn-RequestId", request_id()), ("x-amz-crc32", str(zlib.crc32(body))),
                                  ("Content-Type", JSON_10)])

    # ---- requests ----

    def do_POST(self):
        self._handle()

    do_GET = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = do_POST

    def _handle(self):
        body = self._read_body()
        if self.path.startswith(ADMIN_PREFIX):
            self._admin(body)
            return
        proxy = self.server.proxy
        headers = [(_wire_text(name), _wire_text(value)) for name, value in self.headers.items()]
        operation = operation_of(self.headers.get("X-Amz-Target"))
        with proxy.lock:
            proxy._stats.count(operation, "requests")
            credentials = dict(proxy._credentials)
            now = datetime.datetime.fromtimestamp(time.time() + proxy._clock_offset, datetime.timezone.utc)
        try:
            sigv4.verify(self.command, _wire_text(self.path), headers, body, credentials, proxy.service,
                         proxy.region, now, proxy.max_skew_seconds)
        except sigv4.AuthError as e:
            with proxy.lock:
                proxy._stats.count(operation, "rejected_auth")
                proxy._stats.auth_errors[e.code] = proxy._stats.auth_errors.get(e.code, 0) + 1
                proxy._stats.last_auth_error = dict({"code": e.code, "message": e.message, "operation": operation},
                                                    **e.detail)
            if proxy.verbose:
                sys.stderr.write(f"dynamodb_proxy: {operation}: {e.code}: {e.message}\n")
                for key, value in e.detail.items():
                    sys.stderr.write(f"dynamodb_proxy: {key}:\n{value}\n")
            self._send_aws_error(400, _CORAL + e.code, e.message)
            return
        rule = proxy._take_rule(operation)
        if rule is not None:
            self._send_aws_error(rule.status, rule.type, rule.message)
            return
        self._forward(operation, body)

    def _forward(self, operation, body):
        proxy = self.server.proxy
        incoming = list(self.headers.items())
        drop = _hop_by_hop(incoming) | {"content-length", "expect"}
        out_headers = [(n, v) for n, v in incoming if n.lower() not in drop]
        for attempt in (0, 1):
            reused = getattr(self, "_upstream", None) is not None
            if not reused:
                self._upstream = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port,
                                                            timeout=proxy.upstream_timeout)
            try:
                conn = self._upstream
                conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for name, value in out_headers:
                    conn.putheader(name, value)
                conn.putheader("Content-Length", str(len(body)))
                conn.endheaders(body)
                response = conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as e:
                self._upstream.close()
                self._upstream = None
                if reused and attempt == 0:
                    continue  # the upstream closed an idle keep-alive connection: once more on a new one
                error = e
            except (OSError, http.client.HTTPException) as e:
                self._upstream.close()
                self._upstream = None
                error = e
            with proxy.lock:
                proxy._stats.count(operation, "upstream_errors")
            self._send(502, json.dumps({"__type": "dynamodb_proxy#UpstreamError",
                                        "message": f"{proxy.upstream}: {error!r}"}).encode(),
                       [("Content-Type", JSON_10)])
            return
        with proxy.lock:
            proxy._stats.count(operation, "forwarded")
        response_headers = response.getheaders()
        drop = _hop_by_hop(response_headers) | {"content-length"}
        if response.will_close:
            self._upstream.close()
            self._upstream = None
        self._send(response.status, data, [(n, v) for n, v in response_headers if n.lower() not in drop],
                   reason=response.reason)

    def finish(self):
        upstream = getattr(self, "_upstream", None)
        if upstream is not None:
            upstream.close()
        super().finish()

    # ---- admin ----

    def _admin(self, body):
        proxy = self.server.proxy
        path = urllib.parse.urlsplit(self.path).path[len(ADMIN_PREFIX):].strip("/")
        try:
            args = json.loads(body) if body.strip() else {}
            if not isinstance(args, dict):
                raise ValueError("the body must be a JSON object")
            if path == "stats" and self.command == "GET":
                self._send_json(200, proxy.stats())
            elif path == "throttle" and self.command == "POST":
                known = {"count", "operations", "code", "mode", "status", "type", "message"}
                unknown = set(args) - known
                if unknown:
                    raise ValueError(f"unknown fields {sorted(unknown)}; known: {sorted(known)}")
                self._send_json(200, {"rules": proxy.throttle(**args)})
            elif path == "throttle" and self.command == "GET":
                self._send_json(200, {"rules": proxy.rules()})
            elif path == "reset" and self.command == "POST":
                proxy.reset()
                self._send_json(200, {"ok": True})
            elif path == "clock" and self.command == "POST":
                proxy.set_clock_offset(float(args.get("offset_seconds", 0)))
                self._send_json(200, {"offset_seconds": proxy._clock_offset})
            elif path == "credentials" and self.command == "POST":
                proxy.set_credentials(args["credentials"])
                self._send_json(200, {"access_key_ids": sorted(proxy._credentials)})
            else:
                self._send_json(404, {"error": f"no admin endpoint {self.command} {self.path}"})
        except (ValueError, TypeError, KeyError) as e:
            self._send_json(400, {"error": str(e)})


class DynamoDbProxy:
    """The proxy, run in a thread of the test's process.

    `upstream`: "http://host:port" of dynalite; `credentials`: {access key id: secret} or {access key id:
    (secret, session token)} (a key with a token requires it); `region`: the region the credential scope must
    name (None: any); `port`: 0 picks a free one (see `.port` after start())."""

    def __init__(self, upstream, credentials, region="us-east-1", host="127.0.0.1", port=0, max_skew_seconds=900,
                 service="dynamodb", upstream_timeout=30, verbose=False):
        parsed = urllib.parse.urlsplit(upstream)
        if parsed.scheme != "http" or not parsed.hostname:
            raise ValueError(f"upstream must be http://host:port, not {upstream!r}")
        self.upstream = upstream
        self.upstream_host = parsed.hostname
        self.upstream_port = parsed.port or 80
        self.upstream_timeout = upstream_timeout
        self.region = region
        self.service = service
        self.max_skew_seconds = max_skew_seconds
        self.verbose = verbose
        self.lock = threading.Lock()
        self._credentials = {}
        self.set_credentials(credentials)
        self._rules = []
        self._stats = _Stats()
        self._clock_offset = 0.0
        self._server = _Server((host, port), self)
        self.host, self.port = self._server.server_address[:2]
        self.url = f"http://{self.host}:{self.port}"
        self._thread = None

    def start(self):
        """Serves in a daemon thread (the socket already listens: connections made before are queued)."""
        self._thread = threading.Thread(target=self._server.serve_forever, name="dynamodb-proxy", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self):
        self._server.serve_forever()

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

    # ---- control (the admin endpoints call these) ----

    def throttle(self, count=1, operations=None, code="ProvisionedThroughputExceededException", mode="count",
                 status=None, type=None, message=None):
        """Adds a rule (see the module's doc); returns the active rules."""
        if mode not in ("count", "always"):
            raise ValueError(f"mode must be 'count' or 'always', not {mode!r}")
        if mode == "count" and (not isinstance(count, int) or isinstance(count, bool) or count < 1):
            raise ValueError(f"count must be a positive integer, not {count!r}")
        if operations is not None:
            if isinstance(operations, str) or not all(isinstance(op, str) for op in operations):
                raise ValueError("operations must be a list of operation names")
            operations = list(operations)
        default_status, default_type, default_message = ERRORS.get(code, (None, None, None))
        if default_status is None and (status is None or type is None or message is None):
            raise ValueError(f"unknown code {code!r} (known: {sorted(ERRORS)}); give status, type and message "
                             "for another")
        rule = _Rule(count, operations, code, mode, int(status if status is not None else default_status),
                     type if type is not None else default_type, message if message is not None else default_message)
        with self.lock:
            self._rules.append(rule)
            return [r.describe() for r in self._rules]

    def _take_rule(self, operation):
        with self.lock:
            for rule in self._rules:
                if rule.matches(operation):
                    if rule.mode == "count":
                        rule.remaining -= 1
                        if rule.remaining == 0:
                            self._rules.remove(rule)
                    self._stats.count(operation, "throttled")
                    return rule
        return None

    def rules(self):
        with self.lock:
            return [r.describe() for r in self._rules]

    def stats(self):
        """{"requests", "forwarded", "throttled", "rejected_auth", "upstream_errors": totals,
        "operations": {op: the same five per X-Amz-Target operation ("(none)" without one)},
        "auth_errors": {code: n}, "last_auth_error": {"code", "message", "operation"[, "canonical_request",
        "string_to_sign"] (the proxy's, for a wrong signature)} or None, "rules": the active throttle rules,
        "clock_offset_seconds"}. requests = forwarded + throttled + rejected_auth + upstream_errors."""
        with self.lock:
            out = self._stats.to_json()
            out["rules"] = [r.describe() for r in self._rules]
            out["clock_offset_seconds"] = self._clock_offset
            return out

    def reset(self):
        with self.lock:
            self._rules = []
            self._stats = _Stats()
            self._clock_offset = 0.0

    def set_clock_offset(self, seconds):
        with self.lock:
            self._clock_offset = float(seconds)

    def set_credentials(self, credentials):
        parsed = {}
        for key, value in dict(credentials).items():
            if isinstance(value, str):
                parsed[key] = value
            elif isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(v, str) for v in value):
                parsed[key] = (value[0], value[1])
            else:
                raise ValueError(f"credentials for {key!r}: a secret or [secret, session token]")
        with self.lock:
            self._credentials = parsed


def parse_credentials(specs):
    """["AKID:SECRET", "AKID2:SECRET2:TOKEN"] -> {AKID: SECRET, AKID2: (SECRET2, TOKEN)}."""
    credentials = {}
    for spec in specs:
        parts = spec.split(":", 2)
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise ValueError(f"--credentials wants AKID:SECRET[:TOKEN], not {spec!r}")
        credentials[parts[0]] = parts[1] if len(parts) == 2 else (parts[1], parts[2])
    return credentials


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen-host", default="127.0.0.1")
    parser.add_argument("--listen-port", type=int, default=0)
    parser.add_argument("--upstream", required=True, help="http://host:port of dynalite")
    parser.add_argument("--credentials", action="append", required=True, metavar="AKID:SECRET[:TOKEN]")
    parser.add_argument("--region", default="us-east-1", help="the credential scope's region; 'any' for any")
    parser.add_argument("--max-skew-seconds", type=int, default=900)
    parser.add_argument("--verbose", action="store_true", help="log every request and auth failure to stderr")
    args = parser.parse_args(argv)
    try:
        credentials = parse_credentials(args.credentials)
    except ValueError as e:
        parser.error(str(e))
    proxy = DynamoDbProxy(args.upstream, credentials, region=None if args.region == "any" else args.region,
                          host=args.listen_host, port=args.listen_port, max_skew_seconds=args.max_skew_seconds,
                          verbose=args.verbose)

    def stop(signum, frame):
        threading.Thread(target=proxy._server.shutdown, daemon=True).start()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print(f"listening on {proxy.host}:{proxy.port}", flush=True)
    proxy.serve_forever()
    proxy._server.server_close()
    proxy._server.close_connections()
    return 0


if __name__ == "__main__":
    sys.exit(main())
