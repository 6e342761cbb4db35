# tests/e2e/lib_mount.sh: mounting clusterfs for real in the mount tests.
#
# Sourced after lib.sh.  mount_start CONFIG MNT starts `clusterfs mount -f`
# in the background and waits until MNT/README appears; every mount made
# here is recorded, and the EXIT trap unmounts all of them (also when the
# test fails or is interrupted) and stops only the daemons this script
# started, by PID.  Needs root and /dev/fuse; without them the test is
# skipped (exit 77 would hide it, so it fails loudly instead: CI has both).

if [ ! -c /dev/fuse ] || ! command -v fusermount3 >/dev/null 2>&1; then
	echo "FAIL: the mount tests need /dev/fuse and fusermount3" >&2
	exit 1
fi

MOUNTS=""      # mount points to unmount at exit
DAEMONS=""     # PIDs of daemons this script started

mount_cleanup() {
	local m p
	cd / || true
	for m in $MOUNTS; do
		# /proc/mounts, not mountpoint(1): a dead daemon's mount answers
		# ENOTCONN to stat, yet it must be unmounted
		if grep -q " $m fuse" /proc/mounts; then
			fusermount3 -u "$m" 2>/dev/null || fusermount3 -uz "$m" 2>/dev/null
		fi
	done
	for p in $DAEMONS; do
		kill -0 "$p" 2>/dev/null && kill "$p" 2>/dev/null
	done
	for p in $DAEMONS; do
		# wait up to 5 s, then insist
		local i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		kill -0 "$p" 2>/dev/null && kill -9 "$p" 2>/dev/null
	done
	chmod -R u+rwx "$T" 2>/dev/null
	rm -rf "$T"
}
trap mount_cleanup EXIT
trap 'exit 130' INT TERM

# mount_start CONFIG MNT [extra mount args...]: start the daemon; sets MPID.
mount_start() {
	local cfg=$1 mnt=$2 i=0
	shift 2
	mkdir -p "$mnt"
	"$CLUSTERFS" mount --config "$cfg" "$mnt" -f "$@" 2>>"$T/.run/daemon.log" &
	MPID=$!
	DAEMONS="$DAEMONS $MPID"
	MOUNTS="$MOUNTS $mnt"
	while [ ! -e "$mnt/README" ] && [ $i -lt 100 ]; do
		kill -0 "$MPID" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	[ -e "$mnt/README" ]
}

# mount_stop MNT: unmount cleanly; true if the daemon then exits with 0
# (under ASan a leak at exit makes that status non-zero).
mount_stop() {
	local mnt=$1 i=0
	fusermount3 -u "$mnt" || return 1
	while kill -0 "$MPID" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	kill -0 "$MPID" 2>/dev/null && return 1
	wait "$MPID"
}

# errno_of CMD...: run a shell command, print the strerror text it printed
# (bash's "write error: <text>" or "<path>: <text>"), or "ok".
errno_of() {
	local out
	if out=$(bash -c "$*" 2>&1); then
		echo ok
	else
		printf '%s\n' "$out" | sed -n 's/.*: \([A-Z][A-Za-z ]*\)$/\1/p' | tail -1
	fi
}

# expect_errno WHAT EXPECTED CMD...: the shell command fails with that
# strerror text ("ok" for success).
expect_errno() {
	local what=$1 want=$2 got
	shift 2
	got=$(errno_of "$@")
	LAST_CMD="$*"
	[ "$got" = "$want" ]
	check $? "$what: want '$want', got '$got'"
}

# example_cluster DIR: the bundled example as a git repository with one
# commit, and an imported ledger.
example_cluster() {
	local d=$1
	cp -r "$CFS_SRC/contrib/example" "$d"
	git -C "$d" init -q
	git -C "$d" add -A
	git -C "$d" -c user.name=test -c user.email=test@example.com commit -qm "example cluster"
	"$CLUSTERFS" import --config "$d" >/dev/null
}

# ---------------------------------------------------------------- more helpers
# (reports, control files and concurrency: t0031, t0033, t0034)

# now_ms: wall-clock milliseconds.
now_ms() {
	date +%s%3N
}

# wait_until COND [TENTHS]: poll the shell condition COND every 0.1 s, at
# most TENTHS times (default 100 = 10 s); status 0 once it holds.
wait_until() {
	local n=${2:-100} i=0
	until eval "$1"; do
		[ "$i" -ge "$n" ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}

# plan_digest_of FILE: the digest on the first line of a text plan report.
plan_digest_of() {
	sed -n '1s/^plan digest: //p' "$1"
}

# json_file_get FILE PATH: the scalar at PATH of the pretty JSON in FILE
# (json_flatten paths: a/0/b); status 1 if absent.
json_file_get() {
	json_flatten "$1" | awk -F'\t' -v p="$2" '$1 == "V" && $2 == p { print $3; f = 1; exit } END { exit !f }'
}

# event_field LINE KEY: a top-level scalar of one compact events line
# (strings without their quotes; null, true, false and numbers as written).
event_field() {
	printf '%s\n' "$1" | sed -n "s/.*\"$2\":\(\"[^\"]*\"\|[^,}]*\).*/\1/p" | sed 's/^"\(.*\)"$/\1/'
}

# event_count_of FILE: lines in an events log (0 when it does not exist).
event_count_of() {
	if [ -e "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi
}

# expect_event FILE N OPERATION ACTOR OK: line N (1-based) of the events log
# FILE names that operation, actor and result, and is one JSON object.
expect_event() {
	local line op actor ok
	line=$(sed -n "${2}p" "$1")
	op=$(event_field "$line" operation)
	actor=$(event_field "$line" actor)
	ok=$(event_field "$line" ok)
	case "$line" in
	"{"*"}") pass ;;
	*) fail "event $2 is not one JSON object: $line" ;;
	esac
	[ "$op $actor $ok" = "$3 $4 $5" ]
	check $? "event $2 is '$op $actor $ok', expected '$3 $4 $5': $line"
}

# as_nobody CMD: run the shell command CMD as user nobody (no groups), or
# with the supplementary group AS_GROUPS (a gid list) when that is set.
as_nobody() {
	if [ -n "${AS_GROUPS:-}" ]; then
		setpriv --reuid=nobody --regid=nogroup --groups="$AS_GROUPS" bash -c "$1"
	else
		setpriv --reuid=nobody --regid=nogroup --clear-groups bash -c "$1"
	fi
}

# mount_stop_pid MNT PID: unmount MNT and wait for its daemon PID to exit
# (mount_stop for a mount other than the last one started).
mount_stop_pid() {
	local mnt=$1 pid=$2 i=0
	fusermount3 -u "$mnt" || return 1
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	! kill -0 "$pid" 2>/dev/null
}
