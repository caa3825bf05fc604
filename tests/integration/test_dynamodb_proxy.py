"""The test proxy in front of dynalite (dynamodb_proxy.py) and its SigV4 code (sigv4.py), before any Lunora test
relies on them:
- the verifier and the signer against every case of AWS's SigV4 test suite (tests/unit/aws/testdata/sigv4/),
  and the verifier refusing each case once tampered with;
- the proxy in front of dynalite: a signed request passes; a wrong secret, an unknown key, no Authorization, a
  stale date, a missing session token, a wrong region, a body other than the one signed each get DynamoDB's
  error; injected throttling and server errors; the admin endpoints; the command line."""
import datetime
import http.client
import json
import os
import signal
import sys
import unittest
import zlib

import harness
from harness import IntegrationTest, Process, free_port, tcp_port_listening, wait_for
import sigv4
from dynamodb_proxy import DynamoDbProxy

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.join(HERE, "..", "unit", "aws", "testdata", "sigv4")
DYNALITE = os.environ.get("LUNORA_DYNALITE",
                          os.path.join(HERE, "..", "services", "node_modules", ".bin", "dynalite"))
VECTOR_TIME = datetime.datetime(2015, 8, 30, 12, 36, 0, tzinfo=datetime.timezone.utc)

AKID = "AKIDPROXYTEST"
SECRET = "proxy/test/secret+key"
TOKEN_AKID = "ASIAPROXYTEST"
TOKEN_SECRET = "temporary/secret"
TOKEN = "FwoGZXIvYXdzEXAMPLETOKEN=="

INVALID_SIGNATURE = ("The request signature we calculated does not match the signature you provided. Check your AWS "
                     "Secret Access Key and signing method. Consult the service documentation for details.")
INVALID_TOKEN = "The security token included in the request is invalid."
THROUGHPUT = ("The level of configured provisioned throughput for the table was exceeded. Consider increasing your "
              "provisioning level with the UpdateTable API.")


def read(path):
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def parse_request(text):
    """A request.txt of the suite -> (method, target, [(name, value)], body bytes). A header line starting
    with a space continues the one before (an obsolete folded header)."""
    head, blank, body = text.partition("\n\n")
    if not blank and head.endswith("\n"):
        head = head[:-1]
    lines = head.split("\n")
    method, _, rest = lines[0].partition(" ")
    target = rest[:rest.rfind(" ")]  # the target may hold raw spaces
    headers = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t"):
            name, value = headers[-1]
            headers[-1] = (name, value + "\n" + line)
        else:
            name, _, value = line.partition(":")
            headers.append((name, value))
    return method, target, headers, body.encode("utf-8")


class Vector:
    def __init__(self, name):
        self.name = name
        self.dir = os.path.join(VECTORS, name)
        self.context = json.loads(read(os.path.join(self.dir, "context.json")))
        creds = self.context["credentials"]
        self.akid = creds["access_key_id"]
        self.secret = creds["secret_access_key"]
        self.token = creds.get("token")
        self.normalize = self.context["normalize"]

    def file(self, name):
        return read(os.path.join(self.dir, name))

    def credentials(self, secret=None):
        secret = secret or self.secret
        return {self.akid: (secret, self.token) if self.token else secret}

    def verify(self, request=None, credentials=None, now=VECTOR_TIME):
        method, target, headers, body = request or parse_request(self.file("header-signed-request.txt"))
        return sigv4.verify(method, target, headers, body, credentials or self.credentials(), "service",
                            "us-east-1", now, normalize=self.normalize)


def vectors():
    names = sorted(n for n in os.listdir(VECTORS) if os.path.isdir(os.path.join(VECTORS, n)))
    return [Vector(n) for n in names]


class SigV4VectorsTest(unittest.TestCase):
    """sigv4.py against AWS's SigV4 test suite: no process, no network."""

    def test_suite_is_complete(self):
        self.assertEqual(len(vectors()), 38)

    def test_verifier_accepts_every_case_and_computes_the_suites_canonical_request(self):
        for v in vectors():
            with self.subTest(v.name):
                verified = v.verify()
                self.assertEqual(verified.canonical_request, v.file("header-canonical-request.txt"))
                self.assertEqual(verified.string_to_sign, v.file("header-string-to-sign.txt"))
                self.assertEqual(verified.signature, v.file("header-signature.txt"))
                self.assertEqual(verified.access_key_id, "AKIDEXAMPLE")

    def test_signer_reproduces_every_signed_request_byte_for_byte(self):
        for v in vectors():
            with self.subTest(v.name):
                text = v.file("request.txt")
                method, target, headers, body = parse_request(text)
                signed = sigv4.sign(method, target, headers, body, v.akid, v.secret, v.context["region"],
                                    v.context["service"], VECTOR_TIME, session_token=v.token,
                                    sign_session_token=not v.context.get("omit_session_token", False),
                                    add_content_sha256=v.context["sign_body"], normalize=v.normalize)
                self.assertEqual(signed.canonical_request, v.file("header-canonical-request.txt"))
                self.assertEqual(signed.string_to_sign, v.file("header-string-to-sign.txt"))
                self.assertEqual(signed.signature, v.file("header-signature.txt"))
                head, _, _ = text.partition("\n\n")
                head = head.rstrip("\n")
                added = "".join(f"{name}:{value}\n" for name, value in signed.headers_to_add)
                self.assertEqual(f"{head}\n{added}\n{body.decode()}", v.file("header-signed-request.txt"))

    def assertRefused(self, code, message_start, fn):
        with self.assertRaises(sigv4.AuthError) as caught:
            fn()
        self.assertEqual(caught.exception.code, code, caught.exception.message)
        self.assertTrue(caught.exception.message.startswith(message_start), caught.exception.message)
        return caught.exception

    def test_verifier_refuses_every_case_tampered_with(self):
        for v in vectors():
            with self.subTest(v.name):
                method, target, headers, body = parse_request(v.file("header-signed-request.txt"))
                index = next(i for i, (n, _) in enumerate(headers) if n == "Authorization")
                auth = headers[index][1]
                flipped = auth[:-1] + ("0" if auth[-1] != "0" else "1")
                tampered = headers[:index] + [("Authorization", flipped)] + headers[index + 1:]
                self.assertRefused("InvalidSignatureException", INVALID_SIGNATURE,
                                   lambda: v.verify((method, target, tampered, body)))
                self.assertRefused("InvalidSignatureException", INVALID_SIGNATURE,
                                   lambda: v.verify(credentials=v.credentials(secret=v.secret + "x")))
                self.assertRefused("UnrecognizedClientException", INVALID_TOKEN,
                                   lambda: v.verify(credentials={"AKIDOTHER": v.secret}))
                self.assertRefused("MissingAuthenticationTokenException", "Request is missing Authentication Token",
                                   lambda: v.verify((method, target, headers[:index] + headers[index + 1:], body)))
                # 15 minutes either way is accepted, one second more is not.
                v.verify(now=VECTOR_TIME + datetime.timedelta(minutes=15))
                v.verify(now=VECTOR_TIME - datetime.timedelta(minutes=15))
                self.assertRefused("InvalidSignatureException", "Signature expired: 20150830T123600Z is now earlier "
                                   "than 20150830T123601Z (20150830T125101Z - 15 min.)",
                                   lambda: v.verify(now=VECTOR_TIME + datetime.timedelta(minutes=15, seconds=1)))
                self.assertRefused("InvalidSignatureException", "Signature not yet current: 20150830T123600Z is "
                                   "still later than 20150830T123559Z (20150830T122059Z + 15 min.)",
                                   lambda: v.verify(now=VECTOR_TIME - datetime.timedelta(minutes=15, seconds=1)))
                # Another path, another query, another signed header value, another body.
                self.assertRefused("InvalidSignatureException", INVALID_SIGNATURE,
                                   lambda: v.verify((method, "/x" + target, headers, body)))
                self.assertRefused("InvalidSignatureException", INVALID_SIGNATURE,
                                   lambda: v.verify((method, target + ("&" if "?" in target else "?") + "a=b",
                                                     headers, body)))
                host = next(i for i, (n, _) in enumerate(headers) if n.lower() == "host")
                other_host = headers[:host] + [("Host", "other.amazonaws.com")] + headers[host + 1:]
                self.assertRefused("InvalidSignatureException", INVALID_SIGNATURE,
                                   lambda: v.verify((method, target, other_host, body)))
                self.assertRefused("InvalidSignatureException", INVALID_SIGNATURE,
                                   lambda: v.verify((method, target, headers, body + b"x")))
                if v.token:
                    no_token = [(n, x) for n, x in headers if n.lower() != "x-amz-security-token"]
                    self.assertRefused("UnrecognizedClientException", INVALID_TOKEN,
                                       lambda: v.verify((method, target, no_token, body)))
                else:
                    self.assertRefused("UnrecognizedClientException", INVALID_TOKEN,
                                       lambda: v.verify(credentials={v.akid: (v.secret, "some-token")}))

    def test_scope_and_header_checks(self):
        v = Vector("get-vanilla")
        method, target, headers, body = parse_request(v.file("header-signed-request.txt"))

        def with_auth(value):
            return (method, target, [(n, value if n == "Authorization" else x) for n, x in headers], body)

        auth = dict(headers)["Authorization"]
        self.assertRefused("InvalidSignatureException", "Credential should be scoped to a valid region. ",
                           lambda: sigv4.verify(method, target, headers, body, v.credentials(), "service",
                                                "eu-west-1", VECTOR_TIME))
        sigv4.verify(method, target, headers, body, v.credentials(), "service", None, VECTOR_TIME)  # any region
        self.assertRefused("InvalidSignatureException", "Credential should be scoped to correct service: 'dynamodb'.",
                           lambda: sigv4.verify(method, target, headers, body, v.credentials(), "dynamodb",
                                                "us-east-1", VECTOR_TIME))
        self.assertRefused("InvalidSignatureException", "Date in Credential scope does not match YYYYMMDD",
                           lambda: v.verify(with_auth(auth.replace("/20150830/", "/20150831/"))))
        self.assertRefused("InvalidSignatureException", "'Host' or ':authority' must be a 'SignedHeader'",
                           lambda: v.verify(with_auth(auth.replace("SignedHeaders=host;", "SignedHeaders="))))
        self.assertRefused("IncompleteSignatureException", "Authorization header requires 'Signature' parameter.",
                           lambda: v.verify(with_auth(auth.split(", Signature=")[0])))
        self.assertRefused("IncompleteSignatureException", "Unsupported AWS 'algorithm': 'Basic'",
                           lambda: v.verify(with_auth("Basic QUtJRDpzZWNyZXQ=")))
        self.assertRefused("IncompleteSignatureException", "Authorization header requires existence of either a "
                           "'X-Amz-Date' or a 'Date' header.",
                           lambda: v.verify((method, target, [(n, x) for n, x in headers if n != "X-Amz-Date"],
                                             body)))


class DynamoDbProxyTest(IntegrationTest):
    """The proxy (in this process) in front of a real dynalite."""

    def setUp(self):
        super().setUp()
        self.assertTrue(os.path.exists(DYNALITE), f"{DYNALITE} is missing: `make test` installs it (tests/services)")
        self.dynalite_port = free_port()
        self.dynalite = self.process(Process([DYNALITE, "--port", str(self.dynalite_port), "--createTableMs", "0",
                                              "--deleteTableMs", "0", "--updateTableMs", "0"], "dynalite"))
        wait_for(lambda: tcp_port_listening(self.dynalite_port), 20, "dynalite to listen")
        self.proxy = DynamoDbProxy(f"http://127.0.0.1:{self.dynalite_port}",
                                   {AKID: SECRET, TOKEN_AKID: (TOKEN_SECRET, TOKEN)}).start()
        self.addCleanup(self.proxy.stop)
        self.conn = http.client.HTTPConnection("127.0.0.1", self.proxy.port, timeout=10)
        self.addCleanup(self.conn.close)

    def call(self, operation, payload=None, akid=AKID, secret=SECRET, token=None, when=None, region="us-east-1",
             body_sent=None, conn=None, authorize=True):
        """A DynamoDB call signed as the SDKs sign it, on one keep-alive connection; -> (status, JSON, headers)."""
        conn = conn or self.conn
        body = json.dumps(payload if payload is not None else {}).encode()
        headers = [("Host", f"127.0.0.1:{conn.port}"), ("Content-Type", "application/x-amz-json-1.0"),
                   ("X-Amz-Target", f"DynamoDB_20120810.{operation}")]
        if authorize:
            headers += sigv4.sign("POST", "/", headers, body, akid, secret, region, "dynamodb", when,
                                  session_token=token).headers_to_add
        conn.request("POST", "/", body_sent if body_sent is not None else body, dict(headers))
        response = conn.getresponse()
        data = response.read()
        self.assertEqual(response.getheader("x-amz-crc32"), str(zlib.crc32(data)))
        self.assertTrue(response.getheader("x-amzn-RequestId"))
        self.assertFalse(response.will_close, "the proxy closed a keep-alive connection")
        return response.status, json.loads(data), response

    def assertAwsError(self, result, status, type_, message):
        got_status, body, response = result
        self.assertEqual((got_status, body), (status, {"__type": type_, "message": message}))
        self.assertEqual(response.getheader("Content-Type"), "application/x-amz-json-1.0")

    def admin(self, method, path, payload=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.proxy.port, timeout=10)
        try:
            conn.request(method, "/__proxy/" + path, json.dumps(payload).encode() if payload is not None else None,
                         {"Content-Type": "application/json"})
            response = conn.getresponse()
            return response.status, json.loads(response.read())
        finally:
            conn.close()

    def test_signed_requests_pass_through_to_dynalite(self):
        status, body, response = self.call("ListTables")
        self.assertEqual((status, body), (200, {"TableNames": []}))
        self.assertEqual(response.getheader("Content-Type"), "application/x-amz-json-1.0")
        table = {"TableName": "proxy_test", "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
                 "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}
        status, body, _ = self.call("CreateTable", table)
        self.assertEqual(status, 200, body)
        # CreateTable answers while the table is still CREATING (dynalite, like DynamoDB, makes it ACTIVE a
        # moment later, even with --createTableMs 0): a write before that is ResourceNotFound.
        def active():
            return self.call("DescribeTable", {"TableName": "proxy_test"})[1]["Table"]["TableStatus"] == "ACTIVE"
        wait_for(active, 10, "the table to be ACTIVE")
        item = {"k": {"S": "key é"}, "v": {"S": "x" * 20000}}
        self.assertEqual(self.call("PutItem", {"TableName": "proxy_test", "Item": item})[:2], (200, {}))
        self.assertEqual(self.call("GetItem", {"TableName": "proxy_test", "Key": {"k": {"S": "key é"}}})[:2],
                         (200, {"Item": item}))
        # dynalite's own errors come back as they are.
        status, body, _ = self.call("GetItem", {"TableName": "missing", "Key": {"k": {"S": "a"}}})
        self.assertEqual((status, body["__type"]), (400, "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"))
        # A session token, when the key has one.
        self.assertEqual(self.call("ListTables", akid=TOKEN_AKID, secret=TOKEN_SECRET, token=TOKEN)[:2],
                         (200, {"TableNames": ["proxy_test"]}))
        stats = self.proxy.stats()
        waits = stats["operations"]["DescribeTable"]["forwarded"]  # however many the wait for ACTIVE took
        self.assertEqual((stats["requests"], stats["forwarded"], stats["rejected_auth"], stats["throttled"]),
                         (6 + waits, 6 + waits, 0, 0))
        self.assertEqual(stats["operations"]["ListTables"]["forwarded"], 2)

    def test_bad_credentials_get_dynamodbs_errors(self):
        coral = "com.amazon.coral.service#"
        self.assertAwsError(self.call("ListTables", secret="wrong"), 400, coral + "InvalidSignatureException",
                            INVALID_SIGNATURE)
        self.assertAwsError(self.call("ListTables", akid="AKIDUNKNOWN"), 400, coral + "UnrecognizedClientException",
                            INVALID_TOKEN)
        self.assertAwsError(self.call("ListTables", authorize=False), 400,
                            coral + "MissingAuthenticationTokenException", "Request is missing Authentication Token")
        stale = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=20)
        status, body, _ = self.call("ListTables", when=stale)
        self.assertEqual((status, body["__type"]), (400, coral + "InvalidSignatureException"))
        self.assertRegex(body["message"], r"^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z "
                                          r"\(\d{8}T\d{6}Z - 15 min\.\)$")
        self.assertAwsError(self.call("ListTables", akid=TOKEN_AKID, secret=TOKEN_SECRET), 400,
                            coral + "UnrecognizedClientException", INVALID_TOKEN)
        self.assertAwsError(self.call("ListTables", token="unexpected"), 400, coral + "UnrecognizedClientException",
                            INVALID_TOKEN)
        self.assertAwsError(self.call("ListTables", region="eu-west-1"), 400, coral + "InvalidSignatureException",
                            "Credential should be scoped to a valid region. ")
        self.assertAwsError(self.call("ListTables", {"Limit": 10}, body_sent=b'{"Limit": 11}'), 400,
                            coral + "InvalidSignatureException", INVALID_SIGNATURE)
        # The proxy's clock ahead by an hour: a request signed now is stale to it.
        self.proxy.set_clock_offset(3600)
        self.assertEqual(self.call("ListTables")[1]["__type"], coral + "InvalidSignatureException")
        self.proxy.set_clock_offset(0)
        self.assertEqual(self.call("ListTables")[0], 200)  # the same connection, still usable
        stats = self.proxy.stats()
        self.assertEqual((stats["requests"], stats["rejected_auth"], stats["forwarded"]), (10, 9, 1))
        self.assertEqual(stats["auth_errors"], {"InvalidSignatureException": 5, "UnrecognizedClientException": 3,
                                                "MissingAuthenticationTokenException": 1})
        self.assertEqual(stats["operations"]["ListTables"]["rejected_auth"], 9)

    def test_wrong_signature_leaves_the_canonical_request_in_stats(self):
        self.call("ListTables", secret="wrong")
        last = self.proxy.stats()["last_auth_error"]
        self.assertEqual((last["code"], last["operation"]), ("InvalidSignatureException", "ListTables"))
        self.assertTrue(last["canonical_request"].startswith("POST\n/\n\ncontent-type:application/x-amz-json-1.0\n"),
                        last["canonical_request"])
        self.assertTrue(last["string_to_sign"].startswith("AWS4-HMAC-SHA256\n"))

    def test_throttling_then_success(self):
        self.proxy.throttle(2)
        for _ in range(2):
            self.assertAwsError(self.call("ListTables"), 400,
                                "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException", THROUGHPUT)
        self.assertEqual(self.call("ListTables")[:2], (200, {"TableNames": []}))
        stats = self.proxy.stats()
        self.assertEqual((stats["requests"], stats["throttled"], stats["forwarded"], stats["rejected_auth"]),
                         (3, 2, 1, 0))
        self.assertEqual(stats["operations"], {"ListTables": {"requests": 3, "forwarded": 1, "throttled": 2,
                                                              "rejected_auth": 0, "upstream_errors": 0}})
        self.assertEqual(stats["rules"], [])
        # A request that fails authentication is not throttled and uses up no throttle count.
        self.proxy.throttle(1)
        self.assertEqual(self.call("ListTables", secret="wrong")[1]["__type"],
                         "com.amazon.coral.service#InvalidSignatureException")
        self.assertEqual(self.call("ListTables")[0], 400)
        self.assertEqual(self.call("ListTables")[0], 200)

    def test_throttling_by_operation_code_and_mode(self):
        self.proxy.throttle(1, operations=["PutItem"], code="ThrottlingException")
        self.assertEqual(self.call("ListTables")[0], 200)
        self.assertAwsError(self.call("PutItem", {"TableName": "t", "Item": {"k": {"S": "a"}}}), 400,
                            "com.amazon.coral.availability#ThrottlingException",
                            "Rate of requests exceeds the allowed throughput.")
        self.proxy.throttle(mode="always", operations=["ListTables"], code="InternalServerError")
        for _ in range(3):
            self.assertAwsError(self.call("ListTables"), 500, "com.amazonaws.dynamodb.v20120810#InternalServerError",
                                "Internal server error")
        self.assertEqual(len(self.proxy.stats()["rules"]), 1)
        self.proxy.reset()
        self.assertEqual(self.call("ListTables")[0], 200)
        self.assertEqual(self.proxy.stats()["requests"], 1)
        with self.assertRaises(ValueError):
            self.proxy.throttle(0)
        with self.assertRaises(ValueError):
            self.proxy.throttle(1, code="NoSuchError")

    def test_admin_endpoints(self):
        status, body = self.admin("POST", "throttle", {"count": 2, "operations": ["GetItem"]})
        self.assertEqual(status, 200)
        self.assertEqual([(r["code"], r["mode"], r["operations"], r["remaining"], r["status"]) for r in body["rules"]],
                         [("ProvisionedThroughputExceededException", "count", ["GetItem"], 2, 400)])
        self.assertEqual(self.admin("GET", "throttle")[1], body)
        key = {"TableName": "no_such_table", "Key": {"k": {"S": "a"}}}
        # Two throttled, the third forwarded: dynalite's ResourceNotFoundException.
        self.assertEqual([self.call("GetItem", key)[1]["__type"].split("#")[1] for _ in range(3)],
                         ["ProvisionedThroughputExceededException"] * 2 + ["ResourceNotFoundException"])
        status, stats = self.admin("GET", "stats")
        self.assertEqual((status, stats["requests"], stats["throttled"], stats["forwarded"]), (200, 3, 2, 1))
        self.assertEqual(self.admin("POST", "clock", {"offset_seconds": -3600}), (200, {"offset_seconds": -3600.0}))
        self.assertEqual(self.call("ListTables")[0], 400)
        self.assertEqual(self.admin("POST", "reset"), (200, {"ok": True}))
        self.assertEqual(self.call("ListTables")[0], 200)
        self.assertEqual(self.admin("POST", "credentials", {"credentials": {"AKIDNEW": "new"}}),
                         (200, {"access_key_ids": ["AKIDNEW"]}))
        self.assertEqual(self.call("ListTables")[1]["__type"], "com.amazon.coral.service#UnrecognizedClientException")
        self.assertEqual(self.call("ListTables", akid="AKIDNEW", secret="new")[0], 200)
        self.assertEqual(self.admin("POST", "throttle", {"count": 0})[0], 400)
        self.assertEqual(self.admin("POST", "throttle", {"cuont": 1})[0], 400)
        self.assertEqual(self.admin("POST", "throttle", {"code": "Nope"})[0], 400)
        self.assertEqual(self.admin("GET", "nothing")[0], 404)


class DynamoDbProxyCommandLineTest(IntegrationTest):
    def test_script(self):
        self.assertTrue(os.path.exists(DYNALITE), f"{DYNALITE} is missing: `make test` installs it (tests/services)")
        dynalite_port = free_port()
        self.process(Process([DYNALITE, "--port", str(dynalite_port)], "dynalite"))
        wait_for(lambda: tcp_port_listening(dynalite_port), 20, "dynalite to listen")
        port = free_port()
        proxy = self.process(Process([sys.executable, os.path.join(HERE, "dynamodb_proxy.py"), "--listen-port",
                                      str(port), "--upstream", f"http://127.0.0.1:{dynalite_port}", "--credentials",
                                      f"{AKID}:{SECRET}", "--credentials", f"{TOKEN_AKID}:{TOKEN_SECRET}:{TOKEN}"],
                                     "dynamodb_proxy"))
        line = proxy.stdout_lines.get(timeout=20)
        self.assertEqual(line, f"listening on 127.0.0.1:{port}\n")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.addCleanup(conn.close)

        def list_tables(**kw):
            body = b"{}"
            headers = [("Host", f"127.0.0.1:{port}"), ("Content-Type", "application/x-amz-json-1.0"),
                       ("X-Amz-Target", "DynamoDB_20120810.ListTables")]
            headers += sigv4.sign("POST", "/", headers, body, region="us-east-1", service="dynamodb",
                                  **kw).headers_to_add
            conn.request("POST", "/", body, dict(headers))
            response = conn.getresponse()
            return response.status, json.loads(response.read())

        self.assertEqual(list_tables(access_key_id=AKID, secret_access_key=SECRET), (200, {"TableNames": []}))
        self.assertEqual(list_tables(access_key_id=TOKEN_AKID, secret_access_key=TOKEN_SECRET, session_token=TOKEN),
                         (200, {"TableNames": []}))
        admin = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.addCleanup(admin.close)
        admin.request("POST", "/__proxy/throttle", b'{"count": 1}')
        response = admin.getresponse()
        self.assertEqual(response.status, 200, response.read())
        response.read()
        self.assertEqual(list_tables(access_key_id=AKID, secret_access_key=SECRET)[0], 400)
        self.assertEqual(list_tables(access_key_id=AKID, secret_access_key="wrong")[1]["__type"],
                         "com.amazon.coral.service#InvalidSignatureException")
        admin.request("GET", "/__proxy/stats")
        stats = json.loads(admin.getresponse().read())
        self.assertEqual((stats["requests"], stats["forwarded"], stats["throttled"], stats["rejected_auth"]),
                         (4, 2, 1, 1))
        self.assertEqual(proxy.stop(signal.SIGTERM), 0, proxy.stderr_text())


if __name__ == "__main__":
    harness.main()
