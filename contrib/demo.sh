#!/bin/sh
# Show clusterfs at work on the example cluster in contrib/example.
#
# Usage: sh contrib/demo.sh [CLUSTERFS]    (default: build/clusterfs)
#
# Runs from the repository root whatever the caller's directory, and exits
# with the status of the first command that fails.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)

bin=${1:-$root/build/clusterfs}
# A relative path names a file below the caller's directory: make it
# absolute before leaving that directory.  A bare name is looked up in PATH.
case $bin in
/*) ;;
*/*)
	dir=$(cd "$(dirname "$bin")" 2>/dev/null && pwd) || {
		echo "demo: no directory for '$bin'; run 'make build' first" >&2
		exit 1
	}
	bin=$dir/$(basename "$bin")
	;;
esac
case $bin in
*/*) [ -f "$bin" ] && [ -x "$bin" ] ;;
*) command -v "$bin" >/dev/null 2>&1 ;;
esac || {
	echo "demo: '$bin' is not an executable; run 'make build' first" >&2
	exit 1
}

cd "$root"

# Print a header naming the command, then run it with the chosen binary.
run() {
	printf '==> clusterfs %s\n' "$*"
	"$bin" "$@"
}

run validate --config contrib/example || exit
echo
run validate --config contrib/example --json || exit
