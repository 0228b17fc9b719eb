#!/usr/bin/env bash
# Installs what gcx needs on a fresh Debian machine (as root, or with sudo): the C libraries it
# links and the Python packages its tools use. Swift itself must already be installed.
set -euo pipefail
packages=(zlib1g-dev libpng-dev libjpeg62-turbo-dev libcurl4-openssl-dev python3 python3-pip
          # Photos as phones and cameras write them: WebP, TIFF, GIF, HEIF/HEIC and AVIF (libheif with
          # its HEVC and AV1 decoders).
          libwebp-dev libtiff-dev libgif-dev libheif-dev libheif1 libde265-0 libdav1d6
          # The evaluation harness's reference codecs (tools/eval).
          libjpeg-turbo-progs webp libavif-bin libjxl-tools)
missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi
# The evaluation harness's Python packages (numpy, scipy, Pillow, matplotlib, ssimulacra2, tqdm, pytest).
# Debian's own Python refuses pip installs outside a virtual environment (PEP 668); these are tools'
# dependencies on a build machine, so they go in beside it.
pip_install() { python3 -m pip install -q --disable-pip-version-check "$@"; }
pip_install -r tools/eval/requirements.txt 2>/dev/null || pip_install --break-system-packages -r tools/eval/requirements.txt
