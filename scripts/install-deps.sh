#!/usr/bin/env bash
# Installs the Debian packages Lunora builds and tests with, when any is missing (TOOLING.md has the why of
# each choice: Boost 1.81, libsrt's GnuTLS build).
set -euo pipefail

packages=(
  build-essential cmake pkg-config clang-14 libclang-rt-14-dev clang-format clang-tidy
  libboost1.81-dev libboost-url1.81-dev libboost-json1.81-dev libsrt-gnutls-dev
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libx264-dev libssl-dev libsqlite3-dev
  nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev libsodium-dev libgtest-dev libbenchmark-dev
  libcpptoml-dev wrk python3 python3-yaml ffmpeg nginx libnginx-mod-rtmp libnginx-mod-stream srt-tools openssl
  # The network fault tests (tests/integration/netns.py): namespaces and tbf (iproute2), loss and delay (iptables).
  iproute2 iptables
  chromium fonts-liberation
)

# Node.js and npm build the browser assets (web/); the machine's own Node.js is used when there is one.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
