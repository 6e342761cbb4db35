#!/usr/bin/env bash
# fs_bench: `clusterfs mount` against libfuse's high-level passthrough
# example and the native filesystem, in the same run (fs.md "Performance
# notes").  Run by `make bench` after the build:
#
#   bash bench/fs_bench.sh        (CLUSTERFS=path/to/clusterfs, default
#                                  build/clusterfs)
#
# (a) warm `cat MOUNT/plan` against `cat` of a regular file of the same
#     size, natively and through passthrough: ITER opens by one cat
#     process, so the time per op is open+read+close, not fork+exec;
# (b) desired/ against the same folder through passthrough and natively:
#     warm cat of FILES 4 KiB files, sequential read of a BIG_MB MiB file,
#     write of a WRITE_MB MiB file, `ls -l` of the FILES files.
#
# Each figure is the best of REPS timed passes after one warm-up pass (for
# (a), one open of each file), and is printed with the ratio
# clusterfs/passthrough (above 1: slower than passthrough).  It asserts nothing about speed and is not part of `make
# test`; a missing prerequisite skips that column.  Sizes can be changed
# through the environment: FILES ITER BIG_MB WRITE_MB REPS.
#
# The cluster is a copy of contrib/example with a ledger (`clusterfs
# import`), so that plan works; the bench files live in its bench-files/
# folder, outside what cluster.yaml names.  passthrough.c is compiled at
# run time from /usr/share/doc/libfuse3-dev/examples (Debian's
# libfuse3-dev); it mirrors /, so the same folder is read through it at
# PTMOUNT/<absolute path>.  Both filesystems are unmounted on exit
# (fusermount3 -u); only the daemons started here are ever signalled.
# shellcheck disable=SC2317 # the workloads are called through best_us
set -u
export LC_ALL=C

FILES=${FILES:-2000}
ITER=${ITER:-2000}
BIG_MB=${BIG_MB:-256}
WRITE_MB=${WRITE_MB:-64}
REPS=${REPS:-3}
EXAMPLES=/usr/share/doc/libfuse3-dev/examples

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${CLUSTERFS:-$root/build/clusterfs}
case $bin in
/*) ;;
*) bin=$PWD/$bin ;;
esac

say() { printf 'fs_bench: %s\n' "$*"; }
die() {
	say "$*" >&2
	exit 1
}

[ -x "$bin" ] || die "no clusterfs binary at $bin; run 'make build' first"
command -v fusermount3 >/dev/null || die "fusermount3 is missing (Debian package fuse3)"
[ -e /dev/fuse ] || die "/dev/fuse is missing: FUSE is not available here"

W=$(mktemp -d "${TMPDIR:-/tmp}/cfs-fsbench.XXXXXX") || exit 1
cfg=$W/cluster
files=$cfg/bench-files
pt_mnt=$W/pt
cfs_mnt=$W/cfs
pt_pid=""
cfs_pid=""

# ---------------------------------------------------------------- mounts

# unmount_daemon MOUNTPOINT PID: unmount, then wait up to 5 s for the daemon
# to leave; a daemon that does not is sent SIGTERM, then SIGKILL.
unmount_daemon() {
	local mnt=$1 pid=$2 i
	[ -n "$pid" ] || return 0
	if mountpoint -q "$mnt" 2>/dev/null; then
		fusermount3 -u "$mnt" 2>/dev/null || fusermount3 -u -z "$mnt" 2>/dev/null
	fi
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		say "the daemon on $mnt did not exit within 5 s of its unmount; sending SIGTERM" >&2
		kill -TERM "$pid" 2>/dev/null
		sleep 1
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
}

cleanup() {
	unmount_daemon "$cfs_mnt" "$cfs_pid"
	unmount_daemon "$pt_mnt" "$pt_pid"
	cfs_pid=""
	pt_pid=""
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_for PATH PID: until PATH exists (10 s at most, or until PID dies).
wait_for() {
	local path=$1 pid=$2 i
	for ((i = 0; i < 100; i++)); do
		[ -e "$path" ] && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# mount_passthrough: build passthrough.c and mount it at $pt_mnt.
mount_passthrough() {
	local src=$EXAMPLES/passthrough.c
	if [ ! -r "$src" ]; then
		say "passthrough skipped: no $src (install libfuse3-dev)"
		return 1
	fi
	# shellcheck disable=SC2046 # pkg-config prints several flags
	if ! gcc -O2 -w -o "$W/passthrough" "$src" -I"$EXAMPLES" \
		$(pkg-config --cflags --libs fuse3) >"$W/passthrough.log" 2>&1; then
		say "passthrough skipped: it does not compile:"
		sed 's/^/    /' "$W/passthrough.log"
		return 1
	fi
	mkdir -p "$pt_mnt"
	"$W/passthrough" -f "$pt_mnt" 2>"$W/passthrough.err" &
	pt_pid=$!
	if ! wait_for "$pt_mnt$cfg/cluster.yaml" "$pt_pid"; then
		say "passthrough skipped: it did not mount within 10 s:"
		sed 's/^/    /' "$W/passthrough.err"
		unmount_daemon "$pt_mnt" "$pt_pid"
		pt_pid=""
		return 1
	fi
}

# mount_clusterfs: mount the cluster at $cfs_mnt.
mount_clusterfs() {
	if ! "$bin" mount --help >/dev/null 2>&1; then
		say "clusterfs skipped: this build has no 'clusterfs mount'"
		return 1
	fi
	mkdir -p "$cfs_mnt"
	"$bin" mount --config "$cfg" "$cfs_mnt" -f 2>"$W/clusterfs.err" &
	cfs_pid=$!
	if ! wait_for "$cfs_mnt/README" "$cfs_pid"; then
		say "clusterfs skipped: it did not mount within 10 s:"
		sed 's/^/    /' "$W/clusterfs.err"
		unmount_daemon "$cfs_mnt" "$cfs_pid"
		cfs_pid=""
		return 1
	fi
}

# ---------------------------------------------------------------- timing

# best_us DIR CMD...: in DIR, run CMD once to warm up, then REPS times;
# print the shortest run in microseconds (nothing if a run failed).  The
# workloads use names relative to DIR, so that every filesystem pays the
# same path walk whatever its mount point (passthrough.c sets no entry or
# attribute timeouts, and a long absolute path would be looked up anew at
# every open).
best_us() {
	local best="" i t0 t1 d
	cd "$1" || return 1
	shift
	if [ "$WARMUP" = 1 ]; then "$@" || return 1; fi
	for ((i = 0; i < REPS; i++)); do
		t0=${EPOCHREALTIME/./}
		"$@" || return 1
		t1=${EPOCHREALTIME/./}
		d=$((t1 - t0))
		if [ -z "$best" ] || [ "$d" -lt "$best" ]; then best=$d; fi
	done
	echo "$best"
}

WARMUP=1

# The workloads, run in the bench-files folder (or, for cat_many, the
# folder of the file).
cat_many() { # NAME: ITER opens of NAME by one cat
	local -a args
	local i
	for ((i = 0; i < ITER; i++)); do args[i]=$1; done
	cat -- "${args[@]}" >/dev/null
}
cat_small() { cat -- "${small_names[@]}" >/dev/null; }
read_big() { cat -- big >/dev/null; }
write_big() {
	rm -f write.tmp || return 1
	dd if=/dev/zero of=write.tmp bs=1M count="$WRITE_MB" status=none || return 1
	rm -f write.tmp
}
ls_small() { ls -l -- small >/dev/null; }

# ---------------------------------------------------------------- report

# fmt X: a number with 1 decimal, or "n/a".
fmt() {
	if [ -n "$1" ]; then awk -v x="$1" 'BEGIN { printf "%.1f", x }'; else echo n/a; fi
}

# ratio A B: A/B with 2 decimals, or "n/a".
ratio() {
	if [ -n "$1" ] && [ -n "$2" ] && [ "$2" != 0 ]; then
		awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
	else
		echo n/a
	fi
}

# per US COUNT: US/COUNT, or "" when US is "".
per() {
	[ -n "$1" ] && awk -v a="$1" -v n="$2" 'BEGIN { printf "%.3f", a / n }'
}

# rate US MIB: MiB/s for MIB MiB in US microseconds ("" when US is "").
rate() {
	[ -n "$1" ] && awk -v a="$1" -v m="$2" 'BEGIN { printf "%.1f", m / (a / 1e6) }'
}

# row LABEL UNIT NATIVE PASSTHROUGH CLUSTERFS [LOWER_IS_BETTER]: one line of
# the table; the ratio is clusterfs/passthrough in time (so for a rate it
# is passthrough/clusterfs: above 1 always means clusterfs is slower).
row() {
	local r
	if [ "${6:-time}" = rate ]; then r=$(ratio "$4" "$5"); else r=$(ratio "$5" "$4"); fi
	printf '%-34s %-9s %12s %12s %12s %10s\n' "$1" "$2" "$(fmt "$3")" "$(fmt "$4")" "$(fmt "$5")" "$r"
}

header() {
	printf '%-34s %-9s %12s %12s %12s %10s\n' "$1" unit native passthrough clusterfs "cfs/pt"
}

# ---------------------------------------------------------------- setup

say "setting up in $W"
cp -R "$root/contrib/example" "$cfg" || die "cannot copy contrib/example"
if ! "$bin" import --config "$cfg" >"$W/import.out" 2>&1; then
	sed 's/^/    /' "$W/import.out"
	die "clusterfs import failed"
fi
mkdir -p "$files/small" || exit 1
head -c $((FILES * 4096)) /dev/urandom | (cd "$files/small" && split -b 4096 -a 5 -d - f) ||
	die "cannot create the small files"
head -c $((BIG_MB * 1024 * 1024)) /dev/urandom >"$files/big" || die "cannot create the big file"
mapfile -t small_names < <(cd "$files" && printf '%s\n' small/f*)

have_pt=0
have_cfs=0
mount_passthrough && have_pt=1
mount_clusterfs && have_cfs=1

# ---------------------------------------------------------------- (a)

plan_nat="" plan_pt="" plan_cfs=""
if [ "$have_cfs" = 1 ] && cp "$cfs_mnt/plan" "$W/plan.copy" 2>/dev/null; then
	plan_size=$(wc -c <"$W/plan.copy")
	# one open each warms the caches; a warm-up pass of ITER opens would
	# only make a slow plan slower to measure
	cat "$W/plan.copy" "$cfs_mnt/plan" >/dev/null
	[ "$have_pt" = 1 ] && cat "$pt_mnt$W/plan.copy" >/dev/null
	WARMUP=0
	plan_nat=$(best_us "$W" cat_many plan.copy)
	[ "$have_pt" = 1 ] && plan_pt=$(best_us "$pt_mnt$W" cat_many plan.copy)
	plan_cfs=$(best_us "$cfs_mnt" cat_many plan)
	echo
	echo "(a) warm cat of MOUNT/plan ($plan_size bytes) vs a regular file of the same size,"
	echo "    $ITER opens each by one cat process; best of $REPS"
	printf '    %-34s %10s us/op\n' "regular file, native" "$(fmt "$(per "$plan_nat" "$ITER")")"
	printf '    %-34s %10s us/op\n' "regular file, through passthrough" "$(fmt "$(per "$plan_pt" "$ITER")")"
	printf '    %-34s %10s us/op\n' "MOUNT/plan" "$(fmt "$(per "$plan_cfs" "$ITER")")"
	printf '    %-34s %10s\n' "plan / regular file (native)" "$(ratio "$plan_cfs" "$plan_nat")"
	printf '    %-34s %10s\n' "plan / regular file (passthrough)" "$(ratio "$plan_cfs" "$plan_pt")"
	WARMUP=1
else
	echo
	echo "(a) skipped: no clusterfs mount (or its plan could not be read)"
fi

# ---------------------------------------------------------------- (b)

# measure WORKLOAD: best time natively, through passthrough and through
# desired/; sets n_us, p_us, c_us ("" where not measured or failed).
measure() {
	n_us=$(best_us "$files" "$1")
	p_us=""
	c_us=""
	[ "$have_pt" = 1 ] && p_us=$(best_us "$pt_mnt$files" "$1")
	[ "$have_cfs" = 1 ] && c_us=$(best_us "$cfs_mnt/desired/bench-files" "$1")
}

echo
echo "(b) desired/ vs libfuse passthrough (high-level example) vs native; best of $REPS"
header "workload"
measure cat_small
row "warm cat of $FILES x 4 KiB files" "us/file" \
	"$(per "$n_us" "$FILES")" "$(per "$p_us" "$FILES")" "$(per "$c_us" "$FILES")"
measure read_big
row "sequential read, $BIG_MB MiB" "MiB/s" \
	"$(rate "$n_us" "$BIG_MB")" "$(rate "$p_us" "$BIG_MB")" "$(rate "$c_us" "$BIG_MB")" rate
measure write_big
row "write of a $WRITE_MB MiB file" "MiB/s" \
	"$(rate "$n_us" "$WRITE_MB")" "$(rate "$p_us" "$WRITE_MB")" "$(rate "$c_us" "$WRITE_MB")" rate
measure ls_small
row "ls -l of $FILES files" "ms" \
	"$(per "$n_us" 1000)" "$(per "$p_us" 1000)" "$(per "$c_us" 1000)"
echo
echo "cfs/pt: clusterfs time over passthrough time (above 1: clusterfs is slower)."
exit 0
