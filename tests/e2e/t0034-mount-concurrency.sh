#!/usr/bin/env bash
# `clusterfs mount`: concurrency (fs.md "Concurrency", "Control files";
# cluster.md §8): the ledger lock serializes the mount and the CLI.
#
# A CLI apply holding the lock (asleep at a failpoint) makes a mount apply
# fail at once with EBUSY; a mount apply holding it (the daemon asleep at
# the failpoint) makes a CLI apply exit 1 with state_lock_held; two mounts
# of one cluster: one apply EBUSY, one ok; within one mount, refresh during
# an apply is EBUSY, and two writes to the same control file are
# serialized by the kernel (the second runs after the first). After every
# round the ledger is valid, the plan shows 0 changes and the revision
# moved exactly once per successful ledger write.
# shellcheck disable=SC2012,SC2016 # ls of virtual dirs with known names; conditions eval-ed later
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=lib_mount.sh
. "$HERE/lib_mount.sh"

ABS=$T/c
M=$T/m
M2=$T/m2
EV=$ABS/__cluster/events.jsonl
EBUSY='Device or resource busy'
SLEEP_FP='cluster_apply.before_state_write=sleep(3000)'
REV=1 # the revision the ledger must be at

# ledger_ok: the CLI reads a valid ledger at revision REV, unlocked, and the
# mount's plan has nothing left to do.
ledger_ok() {
	run_cfs status --config "$ABS"
	expect_exit 0
	expect_stdout_contains "cluster state: revision $REV, "
	expect_stdout_contains "lock: not held"
	[ ! -e "$ABS/__cluster/lock.json" ]
	check $? "lock.json left behind"
	[ -z "$(ls -A "$ABS/__cluster/recoveries" 2>/dev/null)" ]
	check $? "recovery sidecars left behind: $(ls -A "$ABS/__cluster/recoveries")"
	grep -q '^cluster plan: 0 change(s), 0 approval gate(s)$' "$M/plan"
	check $? "plan: $(sed -n 2p "$M/plan")"
	[ "$(json_file_get "$ABS/__cluster/state.json" state_revision)" = "$REV" ]
	check $? "state.json state_revision $(json_file_get "$ABS/__cluster/state.json" state_revision), expected $REV"
}

# edit_query: a real change (companies.gq: two query updates) for the next apply to write.
EDITS=0
edit_query() {
	local q=$ABS/queries/knowledge/companies.gq
	if [ $((EDITS % 2)) = 0 ]; then printf '\n' >>"$q"; else truncate -s -1 "$q"; fi
	EDITS=$((EDITS + 1))
}

# wait_lock: until lock.json exists (up to 5 s).
wait_lock() {
	wait_until '[ -e "$ABS/__cluster/lock.json" ]' 50
	check $? "nobody took the lock"
}

# bg_write FILE TEXT OUT: `echo TEXT > FILE` in the background; its
# errno_of result and the end time (ms) land in OUT; sets BGP.
bg_write() {
	(
		r=$(errno_of "echo $2 > '$1'")
		echo "$r"
		now_ms
	) >"$3" &
	BGP=$!
}

case_begin "setup: the example cluster, mounted"
example_cluster "$ABS"
mount_start "$ABS" "$M"
check $? "mount did not come up: $(tail -3 "$T/.run/daemon.log" 2>/dev/null)"
M_PID=$MPID

# ------------------------------------------------------------------ CLI holds the lock

case_begin "CLI apply holds the lock: a mount apply is EBUSY at once"
LAST_CMD="CLUSTERFS_FAILPOINTS=$SLEEP_FP clusterfs apply --config $ABS"
CLUSTERFS_FAILPOINTS=$SLEEP_FP "$CLUSTERFS" apply --config "$ABS" >"$T/cli.out" 2>&1 &
CLI=$!
wait_lock
t0=$(now_ms)
expect_errno "mount apply under the CLI's lock" "$EBUSY" "echo yes > '$M/apply'"
t1=$(now_ms)
[ $((t1 - t0)) -lt 2000 ]
check $? "the refused write took $((t1 - t0)) ms (it must not wait for the lock)"
kill -0 "$CLI" 2>/dev/null
check $? "the CLI apply ended before the mount's write: nothing was tested"
grep -q '^ERROR state_lock_held __cluster/lock.json: ' "$M/apply"
check $? "cat apply does not show state_lock_held"
wait "$CLI"
RC=$?
cp "$T/cli.out" "$T/.run/out"
expect_exit 0
expect_stdout_contains "cluster apply: 17 applied, 0 deferred/blocked"
REV=$((REV + 1))
ledger_ok

case_begin "CLI apply holds the lock: then the mount apply has nothing to do"
expect_errno "mount apply after the CLI" ok "echo yes > '$M/apply'"
head -1 "$M/apply" | grep -q '^cluster apply: 0 applied, 0 deferred/blocked$'
check $? "cat apply: $(head -1 "$M/apply")"
ledger_ok

# ------------------------------------------------------------------ the mount holds the lock

case_begin "mount apply holds the lock: a CLI apply fails with state_lock_held"
CLUSTERFS_FAILPOINTS=$SLEEP_FP mount_start "$ABS" "$M2"
check $? "the failpoint mount did not come up"
M2_PID=$MPID
edit_query
bg_write "$M2/apply" yes "$T/w1"
W1=$BGP
wait_lock
run_cfs apply --config "$ABS" --json
expect_exit 1
json_flatten "$T/.run/out" >"$T/.v/flat"
json_diag_lines "$T/.v/flat" >"$T/.v/jdiags"
grep -q '^ERROR state_lock_held __cluster/lock.json: cluster state lock already exists (lock id ' "$T/.v/jdiags"
check $? "the CLI's --json diagnostics have no state_lock_held: $(head -3 "$T/.v/jdiags" | tr '\n' ' ')"
expect_json ok false
expect_json state_written false
expect_json state_observations/locked true
expect_json state_observations/lock_operation apply
kill -0 "$W1" 2>/dev/null
check $? "the mount's apply ended before the CLI ran: nothing was tested"
wait "$W1"
[ "$(sed -n 1p "$T/w1")" = ok ]
check $? "the mount apply holding the lock: $(sed -n 1p "$T/w1")"
grep -q '^cluster apply: 2 applied, 0 deferred/blocked$' "$M2/apply"
check $? "cat apply on the failpoint mount: $(head -1 "$M2/apply")"
REV=$((REV + 1))
ledger_ok
run_cfs apply --config "$ABS"
expect_exit 0
expect_stdout_contains "cluster apply: 0 applied, 0 deferred/blocked"
ledger_ok

# ------------------------------------------------------------------ two mounts

case_begin "two mounts of one cluster: one apply ok, one EBUSY"
edit_query
n0=$(event_count_of "$EV")
bg_write "$M2/apply" yes "$T/w1"
W1=$BGP
wait_lock
expect_errno "the other mount's apply" "$EBUSY" "echo yes > '$M/apply'"
kill -0 "$W1" 2>/dev/null
check $? "the first apply ended before the second: nothing was tested"
wait "$W1"
[ "$(sed -n 1p "$T/w1")" = ok ]
check $? "the apply holding the lock: $(sed -n 1p "$T/w1")"
REV=$((REV + 1))
ledger_ok
[ "$(event_count_of "$EV")" = $((n0 + 2)) ]
check $? "$(($(event_count_of "$EV") - n0)) events for two applies"
ok_lines=$(sed -n "$((n0 + 1)),\$p" "$EV" | grep -c '"operation":"apply","actor":"root","ok":true,')
busy_lines=$(sed -n "$((n0 + 1)),\$p" "$EV" | grep -c '"operation":"apply","actor":"root","ok":false,.*"codes":\["state_lock_held"\]')
[ "$ok_lines:$busy_lines" = 1:1 ]
check $? "events: $ok_lines ok and $busy_lines state_lock_held applies, expected 1 and 1"

# ------------------------------------------------------------------ one mount

case_begin "one mount: refresh during an apply is EBUSY"
edit_query
bg_write "$M2/apply" yes "$T/w1"
W1=$BGP
wait_lock
expect_errno "refresh during the apply" "$EBUSY" "echo yes > '$M2/refresh'"
t0=$(now_ms)
cat "$M2/plan" >/dev/null
t1=$(now_ms)
[ $((t1 - t0)) -lt 2000 ]
check $? "cat plan during the mount's own apply took $((t1 - t0)) ms"
kill -0 "$W1" 2>/dev/null
check $? "the apply ended before the refresh: nothing was tested"
wait "$W1"
[ "$(sed -n 1p "$T/w1")" = ok ]
check $? "the apply: $(sed -n 1p "$T/w1")"
REV=$((REV + 1))
ledger_ok

case_begin "one mount: two writes to apply run one after the other"
# The kernel holds the inode lock of a FUSE file across open(O_TRUNC) and
# write, so a second `echo yes > apply` on the same mount waits for the
# first write to return instead of meeting the ledger lock: both succeed,
# the second finds nothing left to do.  (EBUSY needs a second file, a
# second mount or the CLI: the cases above.)
edit_query
n0=$(event_count_of "$EV")
bg_write "$M2/apply" yes "$T/w1"
W1=$BGP
wait_lock
bg_write "$M2/apply" yes "$T/w2"
W2=$BGP
wait "$W1" "$W2"
r1=$(sed -n 1p "$T/w1")
r2=$(sed -n 1p "$T/w2")
[ "$r1:$r2" = ok:ok ]
check $? "two writes to apply: '$r1' and '$r2'"
[ "$(sed -n 2p "$T/w2")" -ge "$(sed -n 2p "$T/w1")" ]
check $? "the second write returned before the first"
REV=$((REV + 1))
ledger_ok
[ "$(event_count_of "$EV")" = $((n0 + 2)) ]
check $? "$(($(event_count_of "$EV") - n0)) events for two applies"
c1=$(event_field "$(sed -n "$((n0 + 1))p" "$EV")" changes)
c2=$(event_field "$(sed -n "$((n0 + 2))p" "$EV")" changes)
[ "$c1:$c2" = 2:0 ]
check $? "the two applies applied $c1 and $c2 change(s), expected 2 and 0"

case_begin "teardown: both daemons stop cleanly"
mount_stop_pid "$M2" "$M2_PID"
check $? "the failpoint mount did not stop"
mount_stop_pid "$M" "$M_PID"
check $? "the mount did not stop"
run_cfs status --config "$ABS"
expect_exit 0
expect_stdout_contains "cluster state: revision $REV, "

finish
