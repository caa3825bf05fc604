#!/bin/sh
# Fan-out benchmark entry point (`make bench`). Arguments go to fanout.py, e.g.
#   bench/fanout/run.sh --seconds 15 --counts 1,10,50
#   bench/fanout/run.sh --systems lunora,nginx --counts 100,200
# See bench/README.md.
set -eu
cd "$(dirname "$0")/../.."
# 200 destinations means hundreds of sockets per process (and two nginx instances): raise the soft limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 16384 2>/dev/null || true
for tool in ffmpeg nginx python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is required" >&2; exit 1; }
done
[ -f /usr/lib/nginx/modules/ngx_rtmp_module.so ] || { echo "bench: libnginx-mod-rtmp is required" >&2; exit 1; }
exec python3 bench/fanout/fanout.py "$@"
