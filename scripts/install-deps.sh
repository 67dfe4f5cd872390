#!/bin/sh
# Installs the Debian packages the build and tests need, only when missing.
# Safe to run repeatedly; needs root (or sudo) only when something is absent.
set -eu

# Build: compiler, libraries.  Tests also use the openssl and sqlite3 command
# lines (an independent HMAC check, a database integrity check) and binutils' nm.
# The OneRoster CSV plugin needs libzip and libcsv; its tests run a real sshd.
# The console's browser suite drives headless Chromium with Selenium.
# The PostgreSQL backend links libpq; its tests start their own server.
PKGS="gcc make pkg-config binutils libcurl4-openssl-dev libjson-c-dev check libsqlite3-dev \
libssl-dev libmicrohttpd-dev zlib1g-dev ca-certificates openssl sqlite3 \
libzip-dev libcsv-dev openssh-server openssh-client \
chromium chromium-driver python3-selenium libpq-dev postgresql"
[ "${WITH_VALGRIND:-0}" = 1 ] && PKGS="$PKGS valgrind"
[ "${WITH_CLANG:-0}" = 1 ] && PKGS="$PKGS clang libclang-rt-dev"
# make bench's Node.js peer: the machine's own Node.js (20) when it has one.
if [ "${WITH_NODE:-0}" = 1 ] && ! command -v npm >/dev/null 2>&1; then PKGS="$PKGS nodejs npm"; fi

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "install-deps: need root to install:$missing" >&2; exit 1; }
    SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
