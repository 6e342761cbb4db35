#!/bin/sh
# Show clusterfs at work on the example cluster in contrib/example: the
# cluster mounted as a filesystem, driven with cat, echo, diff and git.
#
# Usage: sh contrib/demo.sh [CLUSTERFS]    (default: build/clusterfs)
#
# Runs from the repository root whatever the caller's directory, and exits
# with the status of the first command that fails.  Needs /dev/fuse and
# fusermount3 (contrib/install-deps.sh installs fuse3).
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

# Print a shell command as the user would type it, then run it.
sh_run() {
	printf '$ %s\n' "$*"
	bash -c "$*"
}

# Headers for the steps that are not one command.
say() {
	printf '\n### %s\n' "$*"
}

say "1. Validate the example cluster"
run validate --config contrib/example || exit

# Everything below writes a ledger and graph roots, so it works on a copy,
# kept in git as operators keep their cluster folders.
work=$(mktemp -d "${TMPDIR:-/tmp}/clusterfs-demo.XXXXXX")
c="$work/cluster"
m="$work/mnt"
pid=
cleanup() {
	cd /
	if [ -n "$pid" ]; then
		fusermount3 -u "$m" 2>/dev/null || fusermount3 -uz "$m" 2>/dev/null
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM PIPE
cp -R contrib/example "$c"
mkdir "$m"
git -C "$c" init -q
git -C "$c" add -A
git -C "$c" -c user.name=demo -c user.email=demo@example.com commit -qm "example cluster"

say "2. Mount the cluster"
printf '$ clusterfs mount --config %s %s\n' "$c" "$m"
"$bin" mount --config "$c" "$m" -f 2>"$work/daemon.log" &
pid=$!
i=0
while [ ! -e "$m/README" ]; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "demo: the mount did not come up:" >&2
		cat "$work/daemon.log" >&2
		exit 1
	fi
	sleep 0.1
done
cd "$m"
sh_run 'ls'

say "3. Bootstrap the ledger, read the plan, apply it, read the status"
sh_run 'echo yes > import && cat import'
sh_run 'cat plan'
sh_run 'echo yes > apply && cat apply'
sh_run 'cat status'
sh_run 'ls graphs/knowledge graphs/knowledge/queries && cat graphs/knowledge/version'

say "4. Load data into the knowledge graph and run a stored query"
cd "$root"
run graph load "$c/graphs/knowledge.omni" contrib/example-data/knowledge.jsonl || exit
run graph query "$c/graphs/knowledge.omni" --file "$c/queries/knowledge/people.gq" \
	--name colleagues --param name=Ada || exit
cd "$m"

say "5. Edit desired/ (drop Person.joined, add Person.phone; a query limit), review, apply by digest"
sh_run "sed -i -e '/joined: Date?/d' -e 's/title: String?/title: String?\\n  phone: String?/' desired/schemas/knowledge.pg"
sh_run "sed -i 's/limit 100/limit 50/' desired/queries/knowledge/companies.gq"
sh_run 'diff -r -x .git applied desired || true'
sh_run 'cat plan'
sh_run 'd=$(head -n 1 plan | cut -d" " -f3) && echo "$d" > apply && cat apply'
sh_run 'git -C desired diff --stat refs/clusterfs/applied; git -C desired log --oneline refs/clusterfs/applied'

say "6. Remove the audit graph: the delete waits for an approval written into approvals/"
sh_run "sed -i -e '/^  audit:/,/record_event:/d' -e 's/\\[knowledge, support, audit\\]/[knowledge, support]/' desired/cluster.yaml"
sh_run 'echo yes > apply || echo "(apply refused the delete: no approval yet)"'
sh_run 'cat apply'
sh_run 'ls -l approvals && cat approvals/graph.audit'
sh_run 'echo approve > approvals/graph.audit && echo yes > apply && cat apply'
sh_run 'cat status'
[ ! -e "$c/graphs/audit.omni" ] && echo "==> graphs/audit.omni is gone; the ledger keeps its tombstone"
sh_run 'tail -n 4 events'

say "7. Unmount"
cd "$root"
printf '$ fusermount3 -u %s\n' "$m"
fusermount3 -u "$m"
wait "$pid"
pid=
