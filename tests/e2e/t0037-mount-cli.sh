#!/usr/bin/env bash
# Command-line surface of `clusterfs mount` (fs.md): help, usage errors
# (exit 2, nothing mounted), a missing config folder or mount point
# (exit 1), our -o options (config=, group=, actor=) and their errors,
# the mount's source and options as the kernel records them, a folder that is not a git repository
# (no applied/ or history/), and a clean unmount (exit 0).
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=lib_mount.sh
. "$HERE/lib_mount.sh"

mkdir -p mnt
DIR="$T/cluster"
cp -r "$CFS_SRC/contrib/example" "$DIR"

# not_mounted: nothing of ours is mounted at $T/mnt.
not_mounted() {
	! grep -q " $T/mnt fuse" /proc/mounts
	check $? "something got mounted at mnt"
}

case_begin "mount --help"
run_cfs mount --help
expect_exit 0
expect_stderr_empty
expect_stdout_contains "usage: clusterfs mount [--config DIR] MOUNTPOINT [-f] [-d] [-o OPTS]"
expect_stdout_contains "group=NAME"
expect_stdout_contains "actor=UID:NAME"

case_begin "listed in clusterfs --help"
run_cfs --help
expect_stdout_contains "    mount        Serve the cluster as a FUSE filesystem"

case_begin "no mount point"
run_cfs mount --config "$DIR"
expect_usage_error "clusterfs mount: missing MOUNTPOINT"
not_mounted

case_begin "two mount points"
run_cfs mount --config "$DIR" mnt other
expect_usage_error "clusterfs mount: unexpected argument 'other'"
not_mounted

case_begin "unknown option"
run_cfs mount --config "$DIR" mnt --bogus
expect_usage_error "clusterfs mount: unknown option '--bogus'"
not_mounted

case_begin "--config without a value"
run_cfs mount mnt --config
expect_usage_error "clusterfs mount: option '--config' requires an argument"

case_begin "-o without a value"
run_cfs mount mnt -o
expect_usage_error "clusterfs mount: option '-o' requires an argument"

case_begin "bad actor= option"
for bad in actor=alice actor=:alice actor=12: actor=x1:alice; do
	run_cfs mount --config "$DIR" mnt -o "$bad"
	expect_usage_error "clusterfs mount: bad option '$bad' (want actor=UID:NAME)"
done
not_mounted

case_begin "unknown group"
run_cfs mount --config "$DIR" mnt -o group=no-such-group-here
expect_usage_error "clusterfs mount: unknown group 'no-such-group-here'"
not_mounted

case_begin "missing config folder"
run_cfs mount --config "$T/nope" mnt -f
expect_exit 1
expect_stdout_empty
expect_stderr_contains "clusterfs mount: config directory '$T/nope' not found"
not_mounted

case_begin "missing mount point"
run_cfs mount --config "$DIR" "$T/no-such-mnt" -f
expect_exit 1
expect_stderr_contains "no-such-mnt"
not_mounted

case_begin "config= option, not a git repository"
mount_start / "$T/mnt" -o "config=$DIR,actor=0:ops-bot"
check $? "mount with -o config= did not come up"
grep -q "^clusterfs:$DIR $T/mnt fuse.clusterfs .*default_permissions" /proc/mounts
check $? "/proc/mounts does not show clusterfs:<dir> with default_permissions"
ls "$T/mnt" >"$T/.run/out"
! grep -qx -e applied -e history "$T/.run/out"
check $? "applied/ or history/ listed for a folder outside git"
[ ! -e "$T/mnt/applied" ] && [ ! -e "$T/mnt/history" ]
check $? "applied/ or history/ exist for a folder outside git"
[ -s "$T/mnt/validate" ] && grep -q "cluster config valid" "$T/mnt/validate"
check $? "validate of the -o config= folder"
FIRST=$MPID

case_begin "actor= names the actor"
"$CLUSTERFS" import --config "$DIR" >/dev/null
expect_errno "apply through the mount" ok "echo yes > '$T/mnt/apply'"
grep -q '"operation":"apply","actor":"ops-bot","ok":true' "$DIR/__cluster/events.jsonl"
check $? "the apply's event does not name ops-bot"

case_begin "clean unmount"
MPID=$FIRST
mount_stop "$T/mnt"
check $? "the daemon did not exit 0 after fusermount3 -u"
not_mounted

finish
