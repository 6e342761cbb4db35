#!/usr/bin/env bash
# Edges of the mount found in review: a storage root pointed into the
# mount itself must not hang the daemon (it is refused, reads go on); a
# config folder given through a symlink is still watched, so `cat plan`
# never serves a stale report; a ledger entry that is a symlink or a FIFO
# is neither followed nor opened; `events` is a file even before the
# first event when the storage path contains "resources"; and a write to
# approvals/<not a gate> by a user of -o group= is ENOENT, not EACCES.
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=lib_mount.sh
. "$HERE/lib_mount.sh"

DIR="$T/cluster"
MNT="$T/mnt"
example_cluster "$DIR"

case_begin "storage root inside the mount"
mount_start "$DIR" "$MNT"
check $? "mount"
cp "$DIR/cluster.yaml" "$T/cluster.yaml.orig"
sed -i "s|^state:|storage: $MNT\nstate:|" "$MNT/desired/cluster.yaml"
timeout 20 cat "$MNT/plan" >"$T/.run/out" 2>"$T/.run/err"
rc=$?
[ $rc -ne 124 ]
check $? "cat plan hung with the storage root inside the mount"
timeout 20 ls "$MNT" "$MNT/graphs" >/dev/null 2>&1
[ $? -ne 124 ]
check $? "ls hung with the storage root inside the mount"
cp "$T/cluster.yaml.orig" "$MNT/desired/cluster.yaml"
timeout 20 cat "$MNT/plan" >"$T/.run/out"
grep -q "^cluster plan: 17 change(s)" "$T/.run/out"
check $? "plan did not recover once storage pointed back"
kill -0 "$MPID"
check $? "the daemon died"

case_begin "a ledger symlink or FIFO is not followed"
mkdir -p "$DIR/__cluster/resources/query"
ln -s /etc "$DIR/__cluster/resources/query/evil"
mkfifo "$DIR/__cluster/resources/query/fifo"
expect_errno "catalog symlink" "Permission denied" "cat '$MNT/catalog/query/evil/passwd'"
expect_errno "catalog FIFO" "Permission denied" "timeout 10 cat '$MNT/catalog/query/fifo'"
rm "$DIR/__cluster/resources/query/evil" "$DIR/__cluster/resources/query/fifo"
mount_stop "$MNT"
check $? "unmount"

case_begin "config folder through a symlink"
ln -s "$DIR" "$T/link"
mount_start "$T/link" "$MNT"
check $? "mount through a symlink"
before=$(head -n 1 "$MNT/plan")
sed -i 's/limit 100/limit 7/' "$DIR/queries/knowledge/companies.gq"
[ "$(head -n 1 "$MNT/plan")" != "$before" ] && [ "$(head -n 1 "$MNT/plan")" = "$(head -n 1 "$MNT/plan")" ]
check $? "plan is stale after an edit behind a symlinked config folder"
git -C "$DIR" checkout -q -- queries
[ "$(head -n 1 "$MNT/plan")" = "$before" ]
check $? "plan is stale after reverting the edit"
mount_stop "$MNT"
check $? "unmount"

case_begin "events before the first event, storage path with 'resources'"
D3="$T/resources-x/c"
mkdir -p "$T/resources-x"
cp -r "$CFS_SRC/contrib/example" "$D3"
mkdir -p "$D3/__cluster"
mount_start "$D3" "$MNT"
check $? "mount"
[ -f "$MNT/events" ] && [ ! -s "$MNT/events" ]
check $? "events is not an empty file"
cat "$MNT/events" >/dev/null
check $? "cat events"
mount_stop "$MNT"

case_begin "approvals/<not a gate> for a group member"
gid=$(getent group users | cut -d: -f3)
if [ -n "$gid" ] && command -v setpriv >/dev/null; then
	chmod 755 "$T"         # others must reach the mount point
	mount_start "$DIR" "$MNT" -o group=users
	check $? "mount with -o group=users"
	out=$(setpriv --reuid=nobody --regid=nogroup --groups="$gid" bash -c "echo approve > '$MNT/approvals/graph.nope'" 2>&1)
	case $out in
	*"No such file or directory"*) pass ;;
	*) fail "group member writing a non-gate: want ENOENT, got: $out" ;;
	esac
	out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups bash -c "echo approve > '$MNT/approvals/graph.nope'" 2>&1)
	case $out in
	*"Permission denied"*) pass ;;
	*) fail "a stranger writing a non-gate: want EACCES, got: $out" ;;
	esac
	mount_stop "$MNT"
fi

finish
