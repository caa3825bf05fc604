"""A viewer of `lunora serve`'s HLS: fetches playlists and segments over real HTTP and checks them the way a
player relies on them (RFC 8216), with ffprobe for the segments."""
import http.client
import json
import os
import subprocess
import tempfile
from urllib.parse import urlsplit


def get(port, path, headers=None, timeout=10):
    """(status, body bytes, lower-cased headers) of a GET without authentication."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.read(), {k.lower(): v for k, v in r.getheaders()}
    finally:
        conn.close()


def path_of(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class Playlist:
    """A parsed media playlist: tags, and its segments as dicts (uri, duration, discontinuity)."""

    def __init__(self, text):
        self.text = text
        self.lines = text.splitlines()
        self.version = None
        self.target_duration = None
        self.media_sequence = 0
        self.discontinuity_sequence = 0
        self.segments = []
        pending = {"discontinuity": False}
        for line in self.lines:
            if line.startswith("#EXT-X-VERSION:"):
                self.version = int(line.split(":", 1)[1])
            elif line.startswith("#EXT-X-TARGETDURATION:"):
                self.target_duration = int(line.split(":", 1)[1])
            elif line.startswith("#EXT-X-MEDIA-SEQUENCE:"):
                self.media_sequence = int(line.split(":", 1)[1])
            elif line.startswith("#EXT-X-DISCONTINUITY-SEQUENCE:"):
                self.discontinuity_sequence = int(line.split(":", 1)[1])
            elif line == "#EXT-X-DISCONTINUITY":
                pending["discontinuity"] = True
            elif line.startswith("#EXTINF:"):
                pending["duration"] = float(line.split(":", 1)[1].split(",", 1)[0])
            elif line and not line.startswith("#"):
                self.segments.append(dict(pending, uri=line,
                                          sequence=self.media_sequence + len(self.segments)))
                pending = {"discontinuity": False}

    def problems(self):
        """What breaks RFC 8216's rules for a live media playlist ([] when none)."""
        out = []
        if not self.lines or self.lines[0] != "#EXTM3U":
            out.append("the first line is not #EXTM3U")
        if self.version is None:
            out.append("no EXT-X-VERSION")
        if self.target_duration is None:
            out.append("no EXT-X-TARGETDURATION")
        if "#EXT-X-ENDLIST" in self.lines:
            out.append("a live playlist has EXT-X-ENDLIST")
        for s in self.segments:
            if "duration" not in s:
                out.append(f"{s['uri']} has no EXTINF")
            elif self.target_duration is not None and round(s["duration"]) > self.target_duration:
                out.append(f"{s['uri']} lasts {s['duration']} s, over the target duration {self.target_duration}")
        return out


def segment_report(data):
    """ffprobe's view of one TS segment: codecs, whether the first video packet is a keyframe, decode errors."""
    with tempfile.NamedTemporaryFile(suffix=".ts", delete=False) as f:
        f.write(data)
        path = f.name
    try:
        out = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-show_packets", "-of", "json", path],
                             capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            return {"error": out.stderr}
        info = json.loads(out.stdout)
        streams = {s["index"]: s for s in info.get("streams", [])}
        video = [p for p in info.get("packets", []) if streams[p["stream_index"]]["codec_type"] == "video"]
        decode = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "null", "-"], capture_output=True,
                                text=True, timeout=60)
        return {
            "codecs": sorted(s["codec_name"] for s in streams.values()),
            "first_video_keyframe": bool(video) and "K" in video[0].get("flags", ""),
            "video_packets": len(video),
            "decode_errors": decode.stderr.strip() if decode.returncode == 0 else f"exit {decode.returncode}",
        }
    finally:
        os.unlink(path)

