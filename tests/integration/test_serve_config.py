"""`lunora serve` settings: flags, then LUNORA_* environment variables, then the TOML file, then defaults; bad
settings are refused with a message that names them."""
import os
import shutil
import socket
import subprocess
import tempfile

from harness import LUNORA, IntegrationTest, free_port, main, wait_for
from serve_harness import Serve


def run_serve(args, env=None, timeout=10):
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([LUNORA, "serve"] + args, capture_output=True, text=True, timeout=timeout, env=full_env)


class ServeConfigTest(IntegrationTest):
    def test_precedence_flag_env_file(self):
        data = tempfile.mkdtemp(prefix="lunora-config-")
        self.addCleanup(shutil.rmtree, data, True)
        file_port, env_port, flag_port = free_port(), free_port(), free_port()
        config = os.path.join(data, "lunora.toml")
        with open(config, "w") as f:
            f.write(f'http = "127.0.0.1:{file_port}"\nsrt_port = {free_port(socket.SOCK_DGRAM)}\n'
                    f'public_host = "encoder.example"\nmedialive_output_usd_per_hour = 0.5\n')  # a TOML float
        # The file alone decides http; the environment beats it; a flag beats both.
        for env, flags, expected in (({}, [], file_port),
                                     ({"LUNORA_HTTP": f"127.0.0.1:{env_port}"}, [], env_port),
                                     ({"LUNORA_HTTP": f"127.0.0.1:{env_port}"}, ["--http", f"127.0.0.1:{flag_port}"],
                                      flag_port)):
            serve = Serve(data_dir=data, extra=["--config", config] + flags, env=env, http_port=expected,
                          http_flag=False)
            channel = serve.main_channel()
            self.assertTrue(channel["input"]["ingest_url"].startswith("srt://encoder.example:"),
                            channel["input"]["ingest_url"])
            serve.stop()

    def test_first_start_prints_ingest_urls_and_token_once(self):
        serve = Serve(token=None)
        self.addCleanup(serve.cleanup)
        token_file = os.path.join(serve.data_dir, "admin-token")
        token = open(token_file).read().strip()
        self.assertEqual(os.stat(token_file).st_mode & 0o777, 0o600)
        self.assertEqual(os.stat(os.path.join(serve.data_dir, "secret.key")).st_mode & 0o777, 0o600)
        out = wait_for(lambda: "".join(serve.stdout_all) if "Admin token" in "".join(serve.stdout_all) else None, 5,
                       "banner")
        self.assertIn(token, out)
        self.assertIn(f"srt://127.0.0.1:{serve.srt_port}", out)
        self.assertIn(f"rtmp://127.0.0.1:{serve.rtmp_port}/live", out)
        serve.token = token
        self.assertEqual(len(serve.api("GET", "/channels", expect=200)["channels"]), 1)
        serve.restart()
        out = wait_for(lambda: "".join(serve.stdout_all) if "Admin token" in "".join(serve.stdout_all) else None, 5,
                       "banner after restart")
        self.assertNotIn(token, out, "the token is printed once, on first start")
        self.assertNotIn("created", out)
        self.assertEqual(len(serve.api("GET", "/channels", expect=200)["channels"]), 1, "main is created once")

    def test_bad_settings_are_refused_clearly(self):
        data = tempfile.mkdtemp(prefix="lunora-config-")
        self.addCleanup(shutil.rmtree, data, True)
        config = os.path.join(data, "bad.toml")
        with open(config, "w") as f:
            f.write('http = "127.0.0.1:8080"\nstreaming_mode = "fast"\n')
        r = run_serve(["--data-dir", data, "--config", config])
        self.assertEqual(r.returncode, 2)
        self.assertIn('unknown setting "streaming_mode"', r.stderr)
        with open(config, "w") as f:
            f.write('http = [unclosed\n')
        r = run_serve(["--data-dir", data, "--config", config])
        self.assertEqual(r.returncode, 2)
        self.assertIn(config, r.stderr)
        r = run_serve(["--data-dir", data, "--http", "nonsense"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("HOST:PORT", r.stderr)
        r = run_serve(["--data-dir", data], env={"LUNORA_SRT_PORT": "80"})
        self.assertEqual(r.returncode, 2)
        self.assertIn("srt_port", r.stderr)
        self.assertIn("environment", r.stderr)
        r = run_serve(["--data-dir", data, "--public-rtmp-url", "http://relay.example/live"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("public_rtmp_url: expected the rtmp://host[:port]/app URL", r.stderr)
        r = run_serve(["--data-dir", data], env={"LUNORA_MEDIALIVE_OUTPUT_USD_PER_HOUR": "-1"})
        self.assertEqual(r.returncode, 2)
        self.assertIn("medialive_output_usd_per_hour: expected US dollars per hour", r.stderr)
        r = run_serve(["--data-dir", data, "--config", os.path.join(data, "missing.toml")])
        self.assertEqual(r.returncode, 2)
        # A busy HTTP port is a clear error, not a crash.
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            port = busy.getsockname()[1]
            r = run_serve(["--data-dir", data, "--http", f"127.0.0.1:{port}", "--rtmp", f"127.0.0.1:{free_port()}",
                           "--srt-port", str(free_port(socket.SOCK_DGRAM))],
                          env={"LUNORA_API_TOKEN": "x" * 20})
        self.assertEqual(r.returncode, 1)
        self.assertIn("Address already in use", r.stderr)


if __name__ == "__main__":
    main()
