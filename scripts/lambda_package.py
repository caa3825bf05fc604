#!/usr/bin/env python3
"""Packages `lunora lambda` as an AWS Lambda custom runtime zip (`make lambda-package`, README "On AWS Lambda").

The zip holds `bootstrap` (what Lambda runs), the stripped `lunora` binary, and in lib/ every shared library it
loads plus the dynamic loader it was linked with. `bootstrap` starts Lunora through that loader on those
libraries only, so it runs on Amazon Linux 2023 whatever glibc this machine has (Lambda's own is older than
Debian 12's). It points OpenSSL at the system's CA bundle, which lives elsewhere on Amazon Linux than on Debian.

usage: lambda_package.py LUNORA_BINARY OUT_DIR  -> OUT_DIR/lunora-lambda.zip (and its size on stdout)
"""
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile

BOOTSTRAP = """#!/bin/sh
# Lambda's entry point (custom runtime): Lunora through the loader and libraries packaged beside it.
case "$0" in */*) here=${0%/*} ;; *) here=. ;; esac
if [ -z "${SSL_CERT_FILE:-}" ]; then
  # OpenSSL was built for Debian's paths; Amazon Linux keeps the CA bundle in /etc/pki.
  for bundle in /etc/pki/tls/certs/ca-bundle.crt /etc/ssl/certs/ca-certificates.crt /etc/ssl/cert.pem; do
    if [ -r "$bundle" ]; then export SSL_CERT_FILE="$bundle"; break; fi
  done
fi
exec "$here/lib/LOADER" --inhibit-cache --library-path "$here/lib" "$here/lunora" lambda "$@"
"""

# `ldd` lines: "libx.so.1 => /lib/x86_64-linux-gnu/libx.so.1 (0x...)" and the loader "/lib64/ld-linux-x86-64.so.2
# (0x...)"; linux-vdso has no file.
LIBRARY = re.compile(r"^\s*(\S+)\s+=>\s+(\S+)\s+\(0x[0-9a-f]+\)")
LOADER = re.compile(r"^\s*(/\S*ld-linux\S*)\s+\(0x[0-9a-f]+\)")


def shared_libraries(binary):
    """(name, path) of every library the binary loads, and the loader's path."""
    out = subprocess.run(["ldd", binary], check=True, capture_output=True, text=True).stdout
    libraries, loader = [], None
    for line in out.splitlines():
        if "not found" in line:
            raise SystemExit(f"lambda-package: {line.strip()}: build on a machine that has it")
        m = LIBRARY.match(line)
        if m:
            libraries.append((m.group(1), m.group(2)))
            continue
        m = LOADER.match(line)
        if m:
            loader = m.group(1)
    if loader is None:
        raise SystemExit("lambda-package: ldd names no dynamic loader: is the binary dynamically linked?")
    return libraries, loader


def add_file(archive, path, name, mode):
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))  # reproducible: no build time inside
    info.external_attr = (stat.S_IFREG | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    with open(path, "rb") as f:
        archive.writestr(info, f.read(), compresslevel=6)


def main(argv):
    if len(argv) != 3:
        raise SystemExit(__doc__)
    binary, out_dir = argv[1], argv[2]
    os.makedirs(out_dir, exist_ok=True)
    libraries, loader = shared_libraries(binary)
    loader_name = os.path.basename(loader)
    with tempfile.TemporaryDirectory(prefix="lunora-lambda-") as staging:
        stripped = os.path.join(staging, "lunora")
        shutil.copyfile(binary, stripped)
        subprocess.run(["strip", "--strip-unneeded", stripped], check=True)
        zip_path = os.path.join(out_dir, "lunora-lambda.zip")
        partial = zip_path + ".partial"
        with zipfile.ZipFile(partial, "w") as archive:
            bootstrap = os.path.join(staging, "bootstrap")
            with open(bootstrap, "w") as f:
                f.write(BOOTSTRAP.replace("LOADER", loader_name))
            add_file(archive, bootstrap, "bootstrap", 0o755)
            add_file(archive, stripped, "lunora", 0o755)
            add_file(archive, os.path.realpath(loader), f"lib/{loader_name}", 0o755)
            for name, path in sorted(libraries):
                copy = os.path.join(staging, name)
                shutil.copyfile(os.path.realpath(path), copy)
                subprocess.run(["strip", "--strip-unneeded", copy], check=True)
                add_file(archive, copy, f"lib/{name}", 0o644)
        os.replace(partial, zip_path)
    with zipfile.ZipFile(zip_path) as archive:
        unzipped = sum(i.file_size for i in archive.infolist())
    print(f"{zip_path}: {os.path.getsize(zip_path) / 1e6:.1f} MB zipped, {unzipped / 1e6:.1f} MB unzipped, "
          f"{len(libraries)} libraries and {loader_name}")


if __name__ == "__main__":
    main(sys.argv)
