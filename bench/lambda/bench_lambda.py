#!/usr/bin/env python3
"""`lunora lambda` benchmark (issue 10): what the serverless front door costs against `lunora serve`, in the same
run, on this machine (AWS Lambda itself cannot run here).

Everything runs on 127.0.0.1: dynalite behind the SigV4-checking proxy (tests/integration/dynamodb_fixture.py),
the MediaLive fake (tests/integration/medialive_fake.py) and the fake Lambda Runtime API
(tests/integration/lambda_runtime_fake.py, here without freezing the process between invocations: a thaw costs
Lambda itself a few milliseconds, SIGSTOP/SIGCONT here would measure the test machine's scheduler).

1. Package: `scripts/lambda_package.py` on the release build: zipped and unzipped size, number of libraries.
2. Start: from spawning the process to ready, per round (`--rounds`), on one table holding one MediaLive channel
   in direct mode with one destination:
   - `lunora lambda` as Lambda runs it (the packaged `bootstrap`, only the function's variables): ready = its
     first `GET /next` (init done: settings, DynamoDB opened, the first look at every MediaLive channel);
   - `lunora serve --store dynamodb:T` of the same build on a table of its own holding the same: ready = its
     first 200 on /healthz.
   Reported: median and max of each and the ratio lambda/serve of the medians.
3. Warm requests: `GET /api/v1/destinations` one at a time (`--requests`), alternating between the function
   (an API Gateway HTTP API event through the Runtime API fake) and the serve node (HTTP on a keep-alive
   connection). Reported: p50, p90, max and the ratio. The function's figure includes the fake's own Python HTTP
   handling of two requests per invocation (next and response), which Lambda's service does instead.

Usage: bench/lambda/bench_lambda.py [--rounds 5] [--requests 200] [--out DIR]
Needs: a built lunora (LUNORA_BIN or build/default/src/lunora), tests/services/node_modules (`npm ci` there).
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import unittest
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
INTEGRATION = os.path.join(ROOT, "tests", "integration")
sys.path.insert(0, INTEGRATION)
os.environ.setdefault("LUNORA_BIN", os.path.join(ROOT, "build", "default", "src", "lunora"))

from harness import LUNORA, wait_for  # noqa: E402
from lambda_runtime_fake import LambdaRuntimeFake  # noqa: E402
from test_lambda import ENCODER, HLS, ROLE, LambdaCase, LambdaFunction  # noqa: E402

PACKAGER = os.path.join(ROOT, "scripts", "lambda_package.py")


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def summary(ms):
    return {"n": len(ms), "p50": round(statistics.median(ms), 2), "p90": round(percentile(ms, 0.9), 2),
            "max": round(max(ms), 2)}


class Bench(LambdaCase):
    """The fakes of the integration tests (setUp/cleanups), driven by hand instead of by unittest."""

    def runTest(self):  # unittest needs one; the benchmark calls the steps itself
        pass

    def package(self):
        out = tempfile.mkdtemp(prefix="lunora-bench-zip-")
        done = subprocess.run([sys.executable, PACKAGER, LUNORA, out], check=True, capture_output=True, text=True)
        path = os.path.join(out, "lunora-lambda.zip")
        task = tempfile.mkdtemp(prefix="lunora-bench-task-")
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(i.file_size for i in archive.infolist())
            libraries = sum(1 for n in archive.namelist() if n.startswith("lib/"))
            for info in archive.infolist():
                os.chmod(archive.extract(info, task), (info.external_attr >> 16) & 0o777)
        print(done.stdout.strip(), file=sys.stderr)
        return task, {"zipped_mb": round(os.path.getsize(path) / 1e6, 1), "unzipped_mb": round(unzipped / 1e6, 1),
                      "files_in_lib": libraries}

    def seed(self, door):
        """One MediaLive channel in direct mode with one destination, made through `door` and ready."""
        channel = door.api("POST", "/channels", {"name": "bench", "engine": "medialive", "medialive": {
            "mode": "direct", "role_arn": ROLE, "input": ENCODER, "hls": HLS}}, expect=201)
        self.wait_ready(door, channel["id"])
        door.api("POST", "/destinations", {"channel_id": channel["id"], "name": "Twitch", "platform": "twitch",
                                           "url": "rtmp://live.twitch.tv/app", "stream_key": "live_1"}, expect=201)

    def start_function(self, command, table, create_table=False):
        runtime = LambdaRuntimeFake(freeze=False).start()
        env = self.aws_env(table)
        env["LUNORA_CREATE_TABLE"] = "true" if create_table else "false"
        started = time.monotonic()
        function = LambdaFunction(runtime, env, command=command)
        wait_for(lambda: runtime.waiting or not function.alive(), 60, "the function's first next", interval=0.002)
        ready_ms = (time.monotonic() - started) * 1000
        if not function.alive():
            raise SystemExit(f"lunora lambda exited: {function.stderr_text()[-3000:]}")
        return function, runtime, ready_ms

    def start_serve(self, table):
        started = time.monotonic()
        serve = self.serve(table)  # waits for /healthz
        return serve, (time.monotonic() - started) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--out", default=os.path.join(HERE, "results"))
    args = parser.parse_args()

    bench = Bench()
    bench.setUp()
    try:
        task, package = bench.package()
        # The tables, made and seeded once: a first function makes the Lambda table, a first serve the other.
        seeder, runtime, _ = bench.start_function([os.path.join(task, "bootstrap")], "bench-lambda", True)
        bench.seed(seeder)
        seeder.stop()
        runtime.stop()
        serve, _ = bench.start_serve("bench-serve")
        bench.seed(serve)
        serve.stop()

        starts = {"lambda": [], "serve": []}
        for _ in range(args.rounds):
            function, runtime, ms = bench.start_function([os.path.join(task, "bootstrap")], "bench-lambda")
            starts["lambda"].append(ms)
            function.stop()
            runtime.stop()
            serve, ms = bench.start_serve("bench-serve")
            starts["serve"].append(ms)
            serve.stop()

        function, runtime, _ = bench.start_function([os.path.join(task, "bootstrap")], "bench-lambda")
        serve, _ = bench.start_serve("bench-serve")
        requests = {"lambda": [], "serve": []}
        for i in range(args.requests):
            order = (("lambda", function), ("serve", serve)) if i % 2 == 0 else (("serve", serve), ("lambda", function))
            for name, door in order:
                t = time.monotonic()
                status, _, _ = door.request("GET", "/api/v1/destinations")
                requests[name].append((time.monotonic() - t) * 1000)
                assert status == 200, (name, status)
        function.stop()
        runtime.stop()
        serve.stop()
    finally:
        bench.doCleanups()

    result = {
        "when": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": f"{os.cpu_count()} cores", "package": package,
        "start_ms": {name: {"median": round(statistics.median(v), 1), "max": round(max(v), 1),
                            "runs": [round(x, 1) for x in v]} for name, v in starts.items()},
        "get_destinations_ms": {name: summary(v) for name, v in requests.items()},
    }
    result["start_ratio_lambda_over_serve"] = round(
        result["start_ms"]["lambda"]["median"] / result["start_ms"]["serve"]["median"], 2)
    result["get_p50_ratio_lambda_over_serve"] = round(
        result["get_destinations_ms"]["lambda"]["p50"] / result["get_destinations_ms"]["serve"]["p50"], 2)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, time.strftime("%Y%m%dT%H%M%S") + ".json")
    with open(path, "w") as f:
        json.dump(result, f, indent=2)
    print(json.dumps(result, indent=2))
    print(f"written to {path}", file=sys.stderr)


if __name__ == "__main__":
    unittest.util._MAX_LENGTH = 2000
    main()
