"""The channel's own slate picture (issue 6): uploaded as PNG/JPEG through the API (bad types, broken pictures,
empty and oversized bodies refused clearly), kept across a restart, and what a destination gets while the input
is lost; DELETE goes back to the built-in card."""
import socket
import subprocess
import time

import harness
from harness import IntegrationTest, publish_srt, wait_for
from hls_client import get
from serve_harness import Serve


def picture(color, fmt="png", size="320x240"):
    """A plain picture of one colour, made by ffmpeg."""
    out = subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"color=c={color}:s={size}:d=1",
                          "-frames:v", "1", "-f", "image2", "-c:v", "png" if fmt == "png" else "mjpeg", "-"],
                         capture_output=True, check=True)
    return out.stdout


def mean_rgb(recording, at_s):
    """The average colour of the recording's picture at `at_s` seconds."""
    out = subprocess.run(["ffmpeg", "-v", "error", "-ss", str(at_s), "-i", recording, "-frames:v", "1",
                          "-vf", "scale=8:8", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True,
                         check=True).stdout
    pixels = len(out) // 3
    return tuple(sum(out[i::3]) / pixels for i in range(3))


class SlateImageTest(IntegrationTest):
    def test_upload_validation_and_what_destinations_get(self):
        nginx = self.nginx()
        serve = Serve()
        self.addCleanup(serve.cleanup)
        cid = serve.main_channel()["id"]
        path = f"/api/v1/channels/{cid}/slate"
        self.assertEqual(serve.main_channel()["slate_image"], "built-in")
        status, card, headers = serve.request("GET", path)
        self.assertEqual((status, headers["content-type"]), (200, "image/png"))

        # Refused, and nothing changes.
        red = picture("red")
        status, body, _ = serve.request("PUT", path, raw=red, headers={"Content-Type": "application/json"})
        self.assertEqual((status, body["error"]["code"]), (415, "unsupported_media_type"))
        status, body, _ = serve.request("PUT", path, raw=b"\x89PNG\r\n\x1a\nnot really", headers={"Content-Type": "image/png"})
        self.assertEqual((status, body["error"]["code"]), (422, "validation_failed"))
        self.assertIn("cannot be decoded", body["error"]["message"])
        status, body, _ = serve.request("PUT", path, raw=b"", headers={"Content-Type": "image/png"})
        self.assertEqual(status, 422)
        # 9 MiB announced as curl does (Expect: 100-continue): refused before the body is sent.
        with socket.create_connection(("127.0.0.1", serve.http_port), timeout=10) as sock:
            sock.sendall((f"PUT {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {serve.token}\r\n"
                          f"Content-Type: image/png\r\nContent-Length: {9 << 20}\r\nExpect: 100-continue\r\n\r\n")
                         .encode())
            answer = sock.recv(65536).decode()
        self.assertTrue(answer.startswith("HTTP/1.1 413"), answer)
        self.assertIn("payload_too_large", answer)
        self.assertIn("8 MiB", answer)
        status, body, _ = serve.request("PUT", f"/api/v1/channels/ch_nope/slate", raw=red,
                                        headers={"Content-Type": "image/png"})
        self.assertEqual(status, 404)
        self.assertEqual(serve.main_channel()["slate_image"], "built-in")
        # A JSON route keeps its 64 KiB cap.
        status, _, _ = serve.request("PATCH", f"/api/v1/channels/{cid}", raw=b"{" + b" " * (70 << 10) + b"}",
                                     headers={"Content-Type": "application/json"})
        self.assertEqual(status, 413)

        # Set (a JPEG too), read back, kept across a restart.
        status, body, _ = serve.request("PUT", path, raw=picture("blue", "jpeg"), headers={"Content-Type": "image/jpeg"})
        self.assertEqual((status, body["slate_image"]), (200, "custom"))
        status, body, _ = serve.request("PUT", path, raw=red, headers={"Content-Type": "image/png"})
        self.assertEqual((status, body["slate_image"]), (200, "custom"))
        serve.restart()
        status, got, headers = get(serve.http_port, path, headers={"Authorization": f"Bearer {serve.token}"})
        self.assertEqual((status, headers["content-type"]), (200, "image/png"))
        self.assertEqual(got, red)

        # What the destination gets while the encoder is away: the red picture.
        d = serve.add_destination(cid, "nginx", f"rtmp://127.0.0.1:{nginx.rtmp_port}/live", "red")
        serve.api("POST", f"/destinations/{d['id']}/start", expect=202)
        first = self.process(publish_srt(serve.srt_port, 4, gop=30, extra_url="&linger=2"))
        serve.wait_status(d["id"], "streaming", 20)
        first.proc.wait(30)
        wait_for(lambda: serve.main_channel()["input"]["slate"]["on"], 5, "the slate to go on")
        time.sleep(3)
        serve.api("POST", f"/destinations/{d['id']}/stop", expect=202)
        serve.wait_status(d["id"], "ready", 15)
        nginx.stop()
        rec = nginx.recording("red")
        r, g, b = mean_rgb(rec, 1.0)  # the encoder's test pattern
        self.assertFalse(r > 150 and g < 60 and b < 60, (r, g, b))
        r, g, b = mean_rgb(rec, harness.RecordingCheck(rec).video_dts()[-1] - 0.5)  # the slate
        self.assertGreater(r, 150)
        self.assertLess(g, 60)
        self.assertLess(b, 60)

        # DELETE: the built-in card again.
        status, body, _ = serve.request("DELETE", path)
        self.assertEqual((status, body["slate_image"]), (200, "built-in"))
        status, got, _ = get(serve.http_port, path, headers={"Authorization": f"Bearer {serve.token}"})
        self.assertEqual((status, got[:4]), (200, b"\x89PNG"))
        self.assertNotEqual(got, red)


if __name__ == "__main__":
    harness.main()
