#!/usr/bin/env bash
# Runs each libFuzzer target for a bounded time over a scratch copy of its committed corpus (new inputs stay out
# of the repository). A crash fails the run and leaves the crashing input in build/fuzz/crashes/.
set -euo pipefail
bin_dir=$1
seconds=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
crashes=$(pwd)/build/fuzz/crashes
mkdir -p "$crashes"
for target in "$@"; do
  scratch=$(mktemp -d)
  cp -r "$here/corpus/$target/." "$scratch/" 2>/dev/null || true
  echo "fuzzing $target for ${seconds}s"
  "$bin_dir/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$crashes/$target-" "$scratch" 2>"$crashes/$target.log" || {
    tail -50 "$crashes/$target.log"
    echo "fuzz target $target failed"
    exit 1
  }
  grep -E "stat::number_of_executed_units" "$crashes/$target.log" || true
  rm -rf "$scratch"
done
echo "fuzzing done"
