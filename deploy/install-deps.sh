#!/usr/bin/env bash
# Installs the Debian 12 packages rectrack needs to build and test, if any
# are missing. Run as root (or with sudo) on Debian 12 (bookworm).
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config git systemd python3-yaml
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librocksdb-dev libabsl-dev libgtest-dev libgmock-dev libssl-dev libcli11-dev
  libcpp-httplib-dev libxlsxwriter-dev libcurl4-openssl-dev
  python3 python3-grpcio python3-protobuf
  libzip-dev libpugixml-dev libgumbo-dev
)
# --for-tests: also what only the tests need (the HTML report is rendered in
# headless Chromium, certificates are made with openssl, the fuzz targets are
# built with clang and libFuzzer, the screenshot is read with Pillow,
# the Excel report is opened with openpyxl, /metrics is parsed with
# prometheus_client,
# deploy/lint.sh runs clang-format, clang-tidy and buf (from npm), the
# demo's test looks for its server with pgrep, the printed report's text is
# read with pdftotext, and the power-cut test makes an ext4 image with
# mkfs.ext4 and shuts it down with xfs_io, and the update cycle's test
# receives rectrackd's mail with a real SMTP server, aiosmtpd).
if [ "${1:-}" = "--for-tests" ]; then
  packages+=(chromium fonts-liberation python3-pil openssl clang libclang-rt-14-dev
             clang-format clang-tidy procps poppler-utils e2fsprogs xfsprogs
             nodejs python3-openpyxl python3-prometheus-client python3-aiosmtpd)
  # A Node.js from elsewhere brings its own npm; Debian's is for Debian's.
  command -v npm >/dev/null || packages+=(npm)
fi

# --for-bench: also PostgreSQL, the peer bench/pg_peer.py measures beside
# rectrackd.
if [ "${1:-}" = "--for-bench" ]; then
  packages+=(postgresql)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "rectrack needs these Debian packages: ${missing[*]}" >&2
  echo "Run this script as root (or: sudo bash $0)." >&2
  exit 1
fi
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
