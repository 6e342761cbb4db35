#!/bin/sh
# Install the Debian packages clusterfs builds and tests with, only those
# that are missing.  The only install step the project has.
set -eu

PKGS="build-essential cmake pkg-config git fuse3 libfuse3-dev libyaml-dev
libjansson-dev libgit2-dev libssl-dev libcmocka-dev valgrind
libsqlite3-dev python3"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 || { echo "install-deps: need root or sudo to install:$missing" >&2; exit 1; }
	SUDO=sudo
fi
$SUDO apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
