#!/usr/bin/env bash
# Installs what gcx needs on a fresh Debian machine (as root, or with sudo): the C libraries it
# links and the Python packages its tools use. Swift itself must already be installed.
set -euo pipefail
packages=(zlib1g-dev libpng-dev libjpeg62-turbo-dev libcurl4-openssl-dev python3)
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
