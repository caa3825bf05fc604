"""What the GUI tests (test_web_gui.py, test_web_gui_medialive.py) share: a driver of tests/browser run under node,
its screenshots folder, and its JSON verdict read and checked."""
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from harness import Process

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
WEB_DIST = os.path.join(ROOT, "web", "dist")


def require_web_build(test, *needed):
    for path in needed:
        test.assertTrue(os.path.exists(os.path.join(ROOT, path)), f"{path} is missing: run `make web`")


def screenshots_dir(test, prefix):
    """A temporary folder for the script's screenshots, kept when the test failed: the script leaves
    failed-<step>.png there."""
    path = tempfile.mkdtemp(prefix=prefix)

    def remove():
        result = getattr(getattr(test, "_outcome", None), "result", None)
        failed = result is not None and any(t is test for t, _ in result.failures + result.errors)
        if failed:
            print(f"screenshots kept in {path}", file=sys.stderr)
        else:
            shutil.rmtree(path, ignore_errors=True)

    test.addCleanup(remove)
    return path


def run_browser_script(test, name, args, timeout_s, requests=None):
    """Runs `node tests/browser/<name> args`; a {"waiting_for": what} line is answered by calling requests[what]()
    and then writing "done" to its stdin. Returns its verdict (the JSON line with "steps") and its exit code."""
    requests = requests or {}
    process = Process(["node", os.path.join(ROOT, "tests", "browser", name), *args],
                      os.path.splitext(name)[0].replace("_", "-"), stdin=subprocess.PIPE if requests else None)
    test.addCleanup(lambda: process.alive() and process.stop(signal.SIGKILL))
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            line = process.stdout_lines.get(timeout=1)
        except queue.Empty:
            if not process.alive() and process.stdout_lines.empty():
                break
            continue
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            continue
        if message.get("waiting_for") in requests:
            requests[message["waiting_for"]]()
            process.proc.stdin.write("done\n")
            process.proc.stdin.flush()
        elif "steps" in message:
            process.proc.wait(30)
            if os.environ.get("LUNORA_TEST_VERBOSE"):
                print(json.dumps(message, indent=1), file=sys.stderr)
            return message, process.proc.returncode
    raise AssertionError(f"{name} gave no verdict (exit {process.proc.poll()}): "
                         f"{''.join(process.stdout_all)[-2000:]} {process.stderr_text()[-2000:]}")


def assert_all_steps_passed(test, verdict, code, expected_steps):
    """Every step ran, in order, and passed, with exit 0 and no console error; returns the steps by name."""
    failed = [s for s in verdict["steps"] if not s["ok"]]
    test.assertEqual(failed, [], verdict.get("error"))
    test.assertEqual([s["step"] for s in verdict["steps"]], expected_steps, verdict)
    test.assertTrue(verdict["ok"], verdict)
    test.assertEqual(code, 0, verdict)
    test.assertEqual(verdict["console_errors"], [], verdict)
    return {s["step"]: s for s in verdict["steps"]}
