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

# Headers for the steps that are not one command.
say() {
	printf '\n### %s\n' "$*"
}

say "1. Validate the example cluster (text, then the JSON report's first lines)"
run validate --config contrib/example || exit
run validate --config contrib/example --json | head -n 8 || exit

# Everything below writes a ledger and graph roots, so it works on a copy.
work=$(mktemp -d "${TMPDIR:-/tmp}/clusterfs-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cp -R contrib/example "$work/cluster"
c="$work/cluster"

say "2. Bootstrap the state ledger, plan, apply, look at the status"
run import --config "$c" || exit
run plan --config "$c" || exit
run apply --config "$c" --as demo || exit
run status --config "$c" || exit

say "3. Load data into the knowledge graph and run a stored query"
run graph load "$c/graphs/knowledge.omni" contrib/example-data/knowledge.jsonl || exit
run graph query "$c/graphs/knowledge.omni" --file "$c/queries/knowledge/people.gq" \
	--name colleagues --param name=Ada || exit

say "4. Edit a schema (drop Person.joined, add Person.phone) and a query, then plan and apply"
sed -i -e '/joined: Date?/d' -e 's/title: String?/title: String?\n  phone: String?/' "$c/schemas/knowledge.pg"
sed -i 's/limit 100/limit 50/' "$c/queries/knowledge/companies.gq"
run plan --config "$c" || exit
run apply --config "$c" --as demo || exit

say "5. Remove the audit graph: the delete waits for an approval"
sed -i -e '/^  audit:/,/record_event:/d' -e 's/\[knowledge, support, audit\]/[knowledge, support]/' "$c/cluster.yaml"
run plan --config "$c" || exit
run apply --config "$c" --as demo || exit
run approve graph.audit --config "$c" --as demo || exit
run apply --config "$c" --as demo || exit
run status --config "$c" || exit
[ ! -e "$c/graphs/audit.omni" ] && echo "==> graphs/audit.omni is gone; the ledger keeps its tombstone"
