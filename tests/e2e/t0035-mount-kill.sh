#!/usr/bin/env bash
# The mount daemon killed with SIGKILL in the middle of an apply (fs.md
# "Failure"): a write to MNT/apply is held at a graph-moving failpoint by a
# sleep, the daemon is killed, the dead mount is unmounted, and a new
# mount recovers through the files alone: `cat lock` shows the dead
# apply's lock, `echo yes > apply` is refused with EBUSY, writing the lock
# id into `lock` removes it, and the next apply converges (no changes left,
# every declared graph opens, no sidecar, the ledger reads).  Once per
# failpoint of §17 on the apply path, over a config that changes between
# rounds (graphs created, a schema updated, a graph deleted by approval).
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=lib_mount.sh
. "$HERE/lib_mount.sh"

DIR="$T/cluster"
MNT="$T/mnt"
example_cluster "$DIR"

# json_field FILE KEY: the first "KEY": "value" string of a pretty JSON file.
json_field() {
	sed -n "s/^ *\"$2\": \"\\([^\"]*\\)\".*/\\1/p" "$1" | head -1
}

# converge ROUND: after a kill, remount and drive the cluster to no changes.
converge() {
	local round=$1 id
	case_begin "$round: recover"
	mount_start "$DIR" "$MNT"
	check $? "remount after kill"
	LAST_CMD="cat $MNT/lock"
	cat "$MNT/lock" >"$T/.run/out" 2>"$T/.run/err"
	id=$(json_field "$T/.run/out" lock_id)
	if [ -n "$id" ]; then
		expect_errno "apply while the dead lock is held" "Device or resource busy" "echo yes > '$MNT/apply'"
		expect_errno "force-unlock through lock" ok "echo '$id' > '$MNT/lock'"
		[ ! -s "$MNT/lock" ]
		check $? "lock is empty after force-unlock"
	fi
	# a second apply may be needed when the first rolls a sidecar forward
	local tries=0
	while [ $tries -lt 3 ]; do
		bash -c "echo yes > '$MNT/apply'" 2>/dev/null
		grep -q '^  no changes$' "$MNT/plan" && break
		tries=$((tries + 1))
	done
	LAST_CMD="cat $MNT/plan"
	cat "$MNT/plan" >"$T/.run/out"
	grep -q '^  no changes$' "$T/.run/out"
	check $? "plan shows no changes after recovery"
	run_cfs status --config "$DIR"
	expect_exit 0
	expect_stdout_contains "lock: not held"
	[ -z "$(ls "$DIR/__cluster/recovery" 2>/dev/null)" ]
	check $? "no recovery sidecar left"
	local g
	for g in $(ls "$MNT/graphs"); do
		[ -s "$MNT/graphs/$g/version" ]
		check $? "graph $g opens (version file)"
	done
	mount_stop "$MNT"
	check $? "clean unmount"
}

# kill_at ROUND POINT: mount with POINT sleeping, apply, kill -9 mid-sleep.
kill_at() {
	local round=$1 point=$2 writer i=0
	case_begin "$round: kill at $point"
	CLUSTERFS_FAILPOINTS="$point=sleep(3000)" mount_start "$DIR" "$MNT"
	check $? "mount with failpoint $point"
	bash -c "echo yes > '$MNT/apply'" 2>/dev/null &
	writer=$!
	# the apply is under way once the lock exists
	while [ ! -e "$DIR/__cluster/lock.json" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	[ -e "$DIR/__cluster/lock.json" ]
	check $? "apply took the lock"
	sleep 0.5
	kill -9 "$MPID"
	wait "$writer" 2>/dev/null
	fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -uz "$MNT"
	! mountpoint -q "$MNT"
	check $? "dead mount unmounted"
	converge "$round"
}

# Round 1: first apply of the example (graph creates), killed while the
# first graph is being created.
kill_at r1 cluster_apply.after_graph_create

# Round 2: a schema update killed around the schema apply.
printf '\nnode Memo {\n  text: String @key\n}\n' >>"$DIR/schemas/knowledge.pg"
kill_at r2 cluster_apply.before_schema_apply
printf '\nnode Note {\n  text: String @key\n}\n' >>"$DIR/schemas/knowledge.pg"
kill_at r3 cluster_apply.after_schema_apply

# Round 4: catalog publish and ledger write.
sed -i 's/^/\n/;1s/^\n//' "$DIR/queries/support/tickets.gq"
kill_at r4 cluster_apply.after_payload_phase
printf '\n' >>"$DIR/queries/support/tickets.gq"
kill_at r5 cluster_apply.before_state_write

# Round 6: an approved graph delete killed mid-delete.
sed -i -e '/^  audit:/,/record_event:/d' -e 's/\[knowledge, support, audit\]/[knowledge, support]/' "$DIR/cluster.yaml"
case_begin "r6: approve"
mount_start "$DIR" "$MNT"
expect_errno "approve graph.audit" ok "echo approve > '$MNT/approvals/graph.audit'"
mount_stop "$MNT"
kill_at r6 cluster_apply.after_graph_delete

finish
