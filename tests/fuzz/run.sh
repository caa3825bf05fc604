#!/usr/bin/env bash
# Runs one libFuzzer target for a while. New inputs go to a scratch directory; the committed corpus is read only
# (merge findings into it by hand with -merge=1, keeping it small, and add minimized crashers).
#   tests/fuzz/run.sh ts_demuxer_fuzz [seconds] [build_dir]
set -eu
target=${1:?usage: run.sh TARGET [SECONDS] [BUILD_DIR]}
seconds=${2:-60}
build=${3:-build/fuzz}
here=$(cd "$(dirname "$0")" && pwd)
binary=$(cd "$build" && pwd)/tests/$target
scratch=$(mktemp -d "/tmp/${target}.XXXXXX")
cd "$scratch"
"$binary" -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 \
  "$scratch" "$here/corpus/$target"
echo "scratch corpus and any crash files: $scratch"
