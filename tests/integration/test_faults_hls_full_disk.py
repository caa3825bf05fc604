"""A full disk under `lunora serve` (issue 6, fault-injection suite): its data dir, working directory and TMPDIR
are on a 2 MiB tmpfs that a filler file then takes to 100%.

- HLS is packaged in memory: the live playlist stays valid and keeps sliding, and its new segments decode and
  start with a keyframe.
- Destinations keep streaming (nginx-rtmp sees the same publisher throughout).
- Every API write that needs the store answers 503 `store_unavailable` with a message, and changes nothing, not
  even the engine: a live destination that a failed stop or delete leaves in place keeps its connection.
- The process stays up; once there is space again, writes work and survive a restart."""
import os
import shutil
import subprocess
import tempfile
import time

from harness import IntegrationTest, main, publish_srt, wait_for
from hls_client import Playlist, get, path_of, segment_report
from serve_harness import Serve


class FullDiskTest(IntegrationTest):
    def setUp(self):
        super().setUp()
        self.mount = tempfile.mkdtemp(prefix="lunora-fulldisk-")
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", self.mount], check=True)
        self.addCleanup(self.unmount)
        self.filler = os.path.join(self.mount, "filler")
        tmp = os.path.join(self.mount, "tmp")
        os.makedirs(tmp)
        self.serve = Serve(data_dir=os.path.join(self.mount, "data"), env={"TMPDIR": tmp}, cwd=self.mount)
        self.addCleanup(self.serve.cleanup)
        self.nginx_server = self.nginx()
        self.channel = self.serve.main_channel()
        self.live = self.serve.add_destination(self.channel["id"], "live",
                                               f"rtmp://127.0.0.1:{self.nginx_server.rtmp_port}/live", "live")
        self.spare = self.serve.add_destination(self.channel["id"], "spare",
                                                f"rtmp://127.0.0.1:{self.nginx_server.rtmp_port}/live", "spare")
        self.serve.api("POST", f"/destinations/{self.live['id']}/start", expect=202)
        self.encoder = self.process(publish_srt(self.serve.srt_port, 120, gop=60))
        self.serve.wait_status(self.live["id"], "streaming", 30)
        wait_for(lambda: self.nginx_server.stat().get("live", {}).get("publisher_id"), 15, "nginx to see the publisher")

    def unmount(self):
        if subprocess.run(["umount", self.mount], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", self.mount], capture_output=True)
        shutil.rmtree(self.mount, ignore_errors=True)

    def fill_disk(self):
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            for size in (1 << 16, 512, 1):
                try:
                    while True:
                        os.write(fd, b"\xff" * size)
                except OSError:
                    pass
        finally:
            os.close(fd)
        self.assertEqual(os.statvfs(self.mount).f_bavail, 0, "the disk is not full")

    def assert_refused(self, method, path, body=None):
        status, obj = self.serve.api(method, path, body)
        self.assertEqual(status, 503, f"{method} {path} on a full disk: {status} {obj}")
        self.assertEqual(obj["error"]["code"], "store_unavailable", obj)
        self.assertIn("disk", obj["error"]["message"])
        self.assertTrue(self.serve.alive(), f"lunora serve died: {self.serve.stderr_text()[-3000:]}")

    def assert_live_untouched(self, publisher):
        d = self.serve.destination(self.live["id"])
        self.assertEqual((d["status"], d["enabled"], d["name"]), ("streaming", True, "live"), d)
        self.assertEqual(d["stats"]["reconnects"], 0, d)
        self.assertEqual(d["stats"]["dropped_packets"], 0, d)
        stat = self.nginx_server.stat().get("live", {})
        self.assertEqual(stat.get("publisher_id"), publisher, f"the live destination reconnected: {stat}")

    def test_hls_and_destinations_keep_going_on_a_full_disk(self):
        serve, cid = self.serve, self.channel["id"]
        path = path_of(self.channel["hls"]["playlist_url"])
        wait_for(lambda: (lambda r: r[0] == 200 and Playlist(r[1].decode()).segments)(get(serve.http_port, path)),
                 30, "a playlist before the disk fills", interval=0.5)
        publisher = self.nginx_server.stat()["live"]["publisher_id"]
        before = self.nginx_server.stat()["live"]["bytes_in"]
        self.fill_disk()

        # HLS keeps going for 12 s: a valid live playlist that slides, every new segment whole.
        sequences, checked = [], {}
        deadline = time.monotonic() + 12
        while time.monotonic() < deadline:
            status, body, _ = get(serve.http_port, path)
            self.assertEqual(status, 200, body)
            playlist = Playlist(body.decode())
            self.assertEqual(playlist.problems(), [], playlist.text)
            sequences.append(playlist.media_sequence + len(playlist.segments))
            for segment in playlist.segments:
                if segment["uri"] not in checked:
                    status, data, _ = get(serve.http_port, f"/hls/{cid}/{segment['uri']}")
                    self.assertEqual(status, 200, segment["uri"])
                    checked[segment["uri"]] = segment_report(data)
            time.sleep(1)
        self.assertEqual(sequences, sorted(sequences))
        self.assertGreaterEqual(sequences[-1] - sequences[0], 3, "no new segments while the disk was full")
        for uri, report in checked.items():
            self.assertEqual(report.get("codecs"), ["aac", "h264"], f"{uri}: {report}")
            self.assertTrue(report["first_video_keyframe"], uri)
            self.assertEqual(report["decode_errors"], "", uri)
        self.assertEqual(serve.main_channel()["hls"]["status"], "live")
        self.assertGreater(self.nginx_server.stat()["live"]["bytes_in"], before + 500_000, "the destination stalled")
        self.assert_live_untouched(publisher)

        # Writes fail clearly and change nothing.
        self.assert_refused("PATCH", f"/channels/{cid}", {"name": "renamed"})
        self.assert_refused("PATCH", f"/channels/{cid}", {"input_loss_slate_after_ms": 1500})
        self.assert_refused("POST", "/destinations", {"channel_id": cid, "name": "new", "platform": "custom",
                                                      "url": "rtmp://127.0.0.1:1/live", "stream_key": "new"})
        self.assert_refused("PATCH", f"/destinations/{self.live['id']}", {"name": "renamed"})
        self.assert_refused("POST", f"/destinations/{self.spare['id']}/start")
        self.assert_refused("POST", f"/destinations/{self.live['id']}/stop")
        self.assert_refused("POST", f"/channels/{cid}/playback-token")
        time.sleep(2)
        channel = serve.main_channel()
        self.assertEqual((channel["name"], channel["input_loss_slate_after_ms"]), ("main", 1000))
        self.assertEqual(channel["playback_url"], self.channel["playback_url"])
        names = sorted(d["name"] for d in serve.api("GET", "/destinations", expect=200)["destinations"])
        self.assertEqual(names, ["live", "spare"])
        self.assertEqual(serve.destination(self.spare["id"])["status"], "ready")
        self.assertNotIn("spare", self.nginx_server.stat())
        self.assert_live_untouched(publisher)
        self.assertEqual(get(serve.http_port, "/healthz")[0], 200)

        # Space again: writes work, and survive a restart.
        os.unlink(self.filler)
        serve.api("PATCH", f"/channels/{cid}", {"name": "renamed"}, expect=200)
        added = serve.api("POST", "/destinations", {"channel_id": cid, "name": "new", "platform": "custom",
                                                    "url": "rtmp://127.0.0.1:1/live", "stream_key": "new"},
                          expect=201)
        self.assert_live_untouched(publisher)
        serve.restart()
        self.assertEqual(serve.api("GET", f"/channels/{cid}", expect=200)["name"], "renamed")
        self.assertEqual(serve.destination(added["id"])["name"], "new")
        self.encoder.stop()  # its SRT connection ended with the old process
        self.process(publish_srt(serve.srt_port, 60, gop=60))
        serve.wait_status(self.live["id"], "streaming", 30)

    def test_deleting_a_live_destination_on_a_full_disk_changes_nothing(self):
        serve = self.serve
        publisher = self.nginx_server.stat()["live"]["publisher_id"]
        self.fill_disk()
        self.assert_refused("DELETE", f"/destinations/{self.live['id']}")
        # "nothing was changed": the destination is still there and still on the same connection.
        for _ in range(6):
            self.assert_live_untouched(publisher)
            time.sleep(0.5)

        os.unlink(self.filler)
        status, _ = serve.api("DELETE", f"/destinations/{self.live['id']}")
        self.assertIn(status, (200, 204))
        self.assertEqual(serve.api("GET", f"/destinations/{self.live['id']}")[0], 404)
        wait_for(lambda: self.nginx_server.stat().get("live", {}).get("nclients", 0) == 0, 15,
                 "the deleted destination to leave nginx")


if __name__ == "__main__":
    main()
