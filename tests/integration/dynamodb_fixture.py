"""DynamoDB for the integration tests: dynalite (npm `dynalite@4.0.0`, a DynamoDB implementation; the real
service cannot be reached here) behind dynamodb_proxy.DynamoDbProxy, which checks SigV4 signatures against one
key pair as AWS does and can inject throttling. `lunora serve --store dynamodb:TABLE` reaches it through
AWS_ENDPOINT_URL_DYNAMODB with the environment from env()."""
import http.client
import json
import os
import tempfile

import sigv4
from dynamodb_proxy import DynamoDbProxy
from harness import Process, free_port, tcp_port_listening, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
DYNALITE = os.environ.get("LUNORA_DYNALITE",
                          os.path.join(HERE, "..", "services", "node_modules", ".bin", "dynalite"))
ACCESS_KEY_ID = "AKIDLUNORATEST"
SECRET_ACCESS_KEY = "lunora/test/secret+KEY"
REGION = "us-east-1"
# Every node of one store seals secrets with the same key (README: several nodes on one table).
SECRET_KEY = "5f" * 32


class DynamoDb:
    """Started by a test (IntegrationTest.process keeps the dynalite process); stop with test cleanup."""

    def __init__(self, test):
        test.assertTrue(os.path.exists(DYNALITE), f"{DYNALITE} is missing: `make test` installs it (tests/services)")
        port = free_port()
        test.process(Process([DYNALITE, "--port", str(port), "--createTableMs", "200", "--deleteTableMs", "0",
                              "--updateTableMs", "0"], "dynalite"))
        wait_for(lambda: tcp_port_listening(port), 20, "dynalite to listen")
        self.upstream = f"http://127.0.0.1:{port}"
        self.test = test
        self.proxy = self.another_proxy()
        # An empty home: no ~/.aws of the machine's user reaches Lunora.
        self.home = tempfile.mkdtemp(prefix="lunora-aws-home-")

    def another_proxy(self):
        """A front door of its own to the same table: one node's path to DynamoDB can fail alone."""
        proxy = DynamoDbProxy(self.upstream, {ACCESS_KEY_ID: SECRET_ACCESS_KEY}).start()
        self.test.addCleanup(proxy.stop)
        return proxy

    def env(self, access_key_id=ACCESS_KEY_ID, secret=SECRET_ACCESS_KEY, secret_key=SECRET_KEY, proxy=None):
        return {"AWS_REGION": REGION, "AWS_ACCESS_KEY_ID": access_key_id, "AWS_SECRET_ACCESS_KEY": secret,
                "AWS_ENDPOINT_URL_DYNAMODB": (proxy or self.proxy).url, "HOME": self.home, "AWS_PROFILE": "",
                "AWS_SESSION_TOKEN": "", "AWS_ENDPOINT_URL": "", "LUNORA_SECRET_KEY": secret_key}

    def call(self, operation, payload):
        """A signed call through the proxy -> (HTTP status, JSON body)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.proxy.port, timeout=10)
        try:
            body = json.dumps(payload).encode()
            headers = [("Host", f"127.0.0.1:{self.proxy.port}"), ("Content-Type", "application/x-amz-json-1.0"),
                       ("X-Amz-Target", f"DynamoDB_20120810.{operation}")]
            headers += sigv4.sign("POST", "/", headers, body, ACCESS_KEY_ID, SECRET_ACCESS_KEY, REGION,
                                  "dynamodb").headers_to_add
            conn.request("POST", "/", body, dict(headers))
            response = conn.getresponse()
            return response.status, json.loads(response.read())
        finally:
            conn.close()

    def tables(self):
        status, body = self.call("ListTables", {})
        assert status == 200, body
        return body["TableNames"]

    def items(self, table):
        """Every item of the table (a Scan, following pages)."""
        items, start = [], None
        while True:
            payload = {"TableName": table, "ConsistentRead": True}
            if start:
                payload["ExclusiveStartKey"] = start
            status, body = self.call("Scan", payload)
            assert status == 200, body
            items += body["Items"]
            start = body.get("LastEvaluatedKey")
            if not start:
                return items
