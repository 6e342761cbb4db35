#!/usr/bin/env bash
# The mount daemon under valgrind memcheck for a whole session: every kind
# of entry is read (reports, views, git trees, events), desired/ is edited,
# apply, approve, refresh and a refused write run, then the mount is
# unmounted.  memcheck must report no error and no definite or indirect
# leak (exit status 99 otherwise).  Skipped in the sanitizer build (ASan
# and valgrind do not mix; that build checks leaks at the daemon's exit).
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=lib_mount.sh
. "$HERE/lib_mount.sh"

if ! command -v valgrind >/dev/null 2>&1 || ldd "$CLUSTERFS" | grep -q libasan; then
	echo "ok: skipped (no valgrind, or a sanitizer build)"
	exit 0
fi

DIR="$T/cluster"
MNT="$T/mnt"
example_cluster "$DIR"

case_begin "session under memcheck"
mkdir -p "$MNT"
valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	--log-file="$T/.run/valgrind.log" \
	"$CLUSTERFS" mount --config "$DIR" "$MNT" -f 2>>"$T/.run/daemon.log" &
MPID=$!
DAEMONS="$DAEMONS $MPID"
MOUNTS="$MOUNTS $MNT"
i=0
while [ ! -e "$MNT/README" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
[ -e "$MNT/README" ]
check $? "the daemon under valgrind mounted"

{
	ls -la "$MNT" "$MNT/desired"
	cat "$MNT/README" "$MNT/validate" "$MNT/validate.json" "$MNT/plan" "$MNT/plan.json"
	cat "$MNT/status" "$MNT/status.json" "$MNT/lock" "$MNT/state.json"
	echo yes >"$MNT/apply"
	cat "$MNT/apply" "$MNT/apply.json" "$MNT/events"
	ls -R "$MNT/catalog" "$MNT/graphs"
	cat "$MNT"/graphs/*/status "$MNT"/graphs/knowledge/schema.pg "$MNT"/graphs/knowledge/queries/*.gq
	ls "$MNT/history"
	diff -r -x .git "$MNT/applied" "$MNT/desired"
	echo '// edited' >>"$MNT/desired/schemas/support.pg"
	mv "$MNT/desired/schemas/support.pg" "$MNT/desired/schemas/support.pg.tmp"
	mv "$MNT/desired/schemas/support.pg.tmp" "$MNT/desired/schemas/support.pg"
	sed -i -e '/^  audit:/,/record_event:/d' -e 's/\[knowledge, support, audit\]/[knowledge, support]/' \
		"$MNT/desired/cluster.yaml"
	cat "$MNT/plan"
	echo yes >"$MNT/apply"
	ls -l "$MNT/approvals"
	cat "$MNT/approvals/graph.audit"
	echo approve >"$MNT/approvals/graph.audit"
	echo nonsense >"$MNT/apply"
	echo yes >"$MNT/apply"
	cat "$MNT/apply"
	echo yes >"$MNT/refresh"
	cat "$MNT/refresh" "$MNT/status"
	ls "$MNT/history/$(git -C "$DIR" rev-parse --short=7 HEAD)/"
	echo nope >"$MNT/lock"
} >"$T/.run/out" 2>"$T/.run/err"
grep -q "^  Delete graph.audit Applied$" "$T/.run/out"
check $? "the session ran (the approved delete applied)"

fusermount3 -u "$MNT"
wait "$MPID"
rc=$?
LAST_CMD="valgrind clusterfs mount"
cp "$T/.run/valgrind.log" "$T/.run/err" 2>/dev/null
[ "$rc" -eq 0 ]
check $? "memcheck clean and exit 0 (got $rc): $(head -c 2000 "$T/.run/valgrind.log")"

finish
