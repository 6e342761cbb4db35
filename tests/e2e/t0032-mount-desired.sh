#!/usr/bin/env bash
# MOUNT/desired/ (fs.md "desired/ is a passthrough of the config folder";
# fs/desired.c, fs/mount.c) driven with the shell tools a user would use,
# on the bundled example after import and apply (so the config folder
# holds the ledger __cluster/ and the graph roots graphs/): listings, bytes,
# echo > and >>, an editor's save by rename and vim's backup dance seen by
# validate and plan, git (status, commit, stash, checkout), directories,
# symlinks, hard links, chmod, truncate, touch, find, a 64 MiB file, the
# hidden names, renames across the desired/ boundary, ownership of new
# files (root and nobody), xattrs, no fd per inode, unlink of an open file,
# fsync of a directory, df, and a clean unmount.
# shellcheck disable=SC2002,SC2010,SC2012 # cat and ls are the tools under test
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=lib_mount.sh
. "$HERE/lib_mount.sh"

if [ -z "${CFS_SRC:-}" ] || [ ! -d "$CFS_SRC/contrib/example" ]; then
	echo "FAIL: CFS_SRC must name the source tree (got '${CFS_SRC:-}')" >&2
	exit 1
fi
for tool in python3 git setpriv; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "FAIL: $tool is needed" >&2
		exit 1
	fi
done

export GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@example.com
export GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@example.com
export GIT_CONFIG_NOSYSTEM=1

D=$T/c          # the config folder
M=$T/m          # the mount point
MD=$M/desired

# run_cmd ARGS...: run a command; stdout, stderr and the exit status land in
# $T/.run/out, $T/.run/err and $RC (shown when a check of the case fails).
run_cmd() {
	LAST_CMD="$*"
	"$@" >"$T/.run/out" 2>"$T/.run/err" </dev/null
	RC=$?
}

# ls_norm DIR: `ls -la` of DIR without the "total" line, blanks squeezed
# (column widths depend on the other entries).
ls_norm() {
	ls -la --time-style=full-iso "$1" | grep -v '^total ' | tr -s ' '
}

# tree DIR: every path below DIR with type, mode, owner and size (not for
# directories: their st_size is the backing filesystem's business anyway,
# passed through unchanged), the hidden top-level folders pruned.
tree() {
	(cd "$1" && find . \( -path ./__cluster -o -path ./graphs \) -prune -o \
		\( -type d -printf '%y %m %u %p\n' \) -o -printf '%y %m %u %s %p\n' | LC_ALL=C sort)
}

# py_fsync PATH: open PATH (a directory too) and fsync it, as an editor does.
py_fsync() {
	python3 -c 'import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY | (os.O_DIRECTORY if os.path.isdir(sys.argv[1]) else 0))
os.fsync(fd)
os.close(fd)' "$1"
}

as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
}

# ------------------------------------------------------------------ setup

case_begin "setup: example cluster, imported and applied, mounted"
example_cluster "$D"
run_cfs apply --config "$D"
expect_exit 0
[ -d "$D/__cluster" ] && [ -d "$D/graphs" ]
check $? "the config folder lacks __cluster/ or graphs/ after import and apply"
chmod 755 "$T"          # nobody must reach the mount point below
mount_start "$D" "$M" -o allow_other
check $? "mount did not come up: $(tail -3 "$T/.run/daemon.log" 2>/dev/null)"
[ -d "$MD" ]
check $? "MNT/desired is not a directory"
if [ ! -d "$MD" ]; then
	finish
fi

# ------------------------------------------------------------------ hidden names

case_begin "hidden: __cluster and graphs are not listed"
run_cmd ls -a "$MD"
expect_exit 0
! grep -qx -e __cluster -e graphs "$T/.run/out"
check $? "ls MNT/desired lists a hidden name"
expect_stdout_contains cluster.yaml

case_begin "hidden: lookups fail with ENOENT"
expect_errno "stat __cluster" "$ENOENT" stat "$MD/__cluster"
expect_errno "stat graphs" "$ENOENT" stat "$MD/graphs"
expect_errno "cat __cluster/state.json" "$ENOENT" cat "$MD/__cluster/state.json"
expect_errno "ls graphs" "$ENOENT" ls "$MD/graphs"
[ ! -e "$MD/__cluster" ] && [ ! -e "$MD/graphs" ]
check $? "test -e sees a hidden name"

case_begin "hidden: nothing can be created under those names"
expect_errno "mkdir graphs" "Operation not permitted" mkdir "$MD/graphs"
expect_errno "mkdir -p graphs/x" "Operation not permitted" mkdir -p "$MD/graphs/x"
expect_errno "touch __cluster" "Operation not permitted" touch "$MD/__cluster"
expect_errno "echo > graphs" "Operation not permitted" "echo x > $MD/graphs"
expect_errno "ln -s to graphs" "Operation not permitted" ln -s cluster.yaml "$MD/graphs"
expect_errno "ln to __cluster" "Operation not permitted" ln "$MD/cluster.yaml" "$MD/__cluster"
printf 'x\n' >"$MD/x"
run_cmd mv "$MD/x" "$MD/__cluster"
[ "$RC" != 0 ]
check $? "mv x __cluster succeeded"
expect_stderr_contains "Operation not permitted"
[ -f "$D/x" ] && [ -d "$D/__cluster" ] && [ -f "$D/__cluster/state.json" ]
check $? "mv x __cluster changed the config folder"
run_cmd mv "$MD/x" "$MD/graphs"
[ "$RC" != 0 ] && [ -f "$D/x" ] && [ -d "$D/graphs" ]
check $? "mv x graphs succeeded or changed the config folder"
expect_errno "mv __cluster away" "$ENOENT" mv "$MD/__cluster" "$MD/ledger"
run_cmd rm -rf "$MD/__cluster" "$MD/graphs"
[ -f "$D/__cluster/state.json" ] && [ -d "$D/graphs" ] && [ ! -e "$D/ledger" ]
check $? "rm -rf / mv of a hidden name touched the ledger or graph roots"
rm -f "$MD/x"

case_begin "hidden: only the top-level names are hidden"
mkdir "$MD/queries/graphs" && touch "$MD/graphs.txt" "$MD/queries/graphs/__cluster"
check $? "mkdir queries/graphs or touch graphs.txt failed"
[ -f "$D/queries/graphs/__cluster" ] && [ -f "$D/graphs.txt" ] && ls "$MD/queries" | grep -qx graphs
check $? "a nested graphs/__cluster or graphs.txt is not passed through"
rm -r "$MD/queries/graphs" "$MD/graphs.txt"
[ ! -e "$D/queries/graphs" ] && [ ! -e "$D/graphs.txt" ]
check $? "rm of nested names did not reach the config folder"

# ------------------------------------------------------------------ listings and bytes

case_begin "ls -la: MNT/desired lists what the config folder lists, minus the hidden"
ls_norm "$MD" | grep -v ' \.\.$' >"$T/ls.mnt"
ls_norm "$D" | grep -v -e ' \.\.$' -e ' __cluster$' -e ' graphs$' >"$T/ls.dir"
LAST_CMD="ls -la $MD"
cp "$T/ls.mnt" "$T/.run/out"
cmp -s "$T/ls.mnt" "$T/ls.dir"
check $? "ls -la differs: $(diff "$T/ls.dir" "$T/ls.mnt" | grep '^[<>]' | head -4 | tr '\n' ' ')"
for sub in queries queries/knowledge schemas .git; do
	ls_norm "$MD/$sub" >"$T/ls.mnt"
	ls_norm "$D/$sub" >"$T/ls.dir"
	cmp -s "$T/ls.mnt" "$T/ls.dir"
	check $? "ls -la $sub differs: $(diff "$T/ls.dir" "$T/ls.mnt" | grep '^[<>]' | head -4 | tr '\n' ' ')"
done

case_begin "find: the whole tree equals the config folder's"
tree "$MD" >"$T/tree.mnt"
tree "$D" >"$T/tree.dir"
cmp -s "$T/tree.mnt" "$T/tree.dir"
check $? "find differs: $(diff "$T/tree.dir" "$T/tree.mnt" | grep '^[<>]' | head -4 | tr '\n' ' ')"
(cd "$MD" && find . -name '*.gq' | LC_ALL=C sort) >"$T/gq.mnt"
(cd "$D" && find . \( -path ./__cluster -o -path ./graphs \) -prune -o -name '*.gq' -print | LC_ALL=C sort) >"$T/gq.dir"
[ -s "$T/gq.dir" ] && cmp -s "$T/gq.mnt" "$T/gq.dir"
check $? "find -name '*.gq' differs: $(diff "$T/gq.dir" "$T/gq.mnt" | tr '\n' ' ')"
find "$MD" -name '*.gq' | grep -q '/queries/knowledge/people.gq$'
check $? "find MNT/desired -name '*.gq' misses people.gq"

case_begin "cat: every file reads as its backing bytes"
bad=""
while IFS= read -r f; do
	cat "$MD/$f" 2>/dev/null | cmp -s - "$D/$f" || bad="$bad $f"
done < <(cd "$D" && find . \( -path ./__cluster -o -path ./graphs \) -prune -o -type f -print)
[ -z "$bad" ]
check $? "cat differs from the backing file for:$bad"

# ------------------------------------------------------------------ git

case_begin "git: status is clean on the example repository"
run_cmd git -C "$MD" status --porcelain
expect_exit 0
expect_stdout_empty
expect_stderr_empty

case_begin "editor save: write a swap file, fsync, mv -f over cluster.yaml"
before=$(head -1 "$M/plan")
sed 's/^graphs:$/graphs:\n  extra:\n    schema: schemas\/knowledge.pg/' "$D/cluster.yaml" >"$T/cluster.new"
grep -q '^  extra:$' "$T/cluster.new"
check $? "could not prepare the edited cluster.yaml"
cat "$T/cluster.new" >"$MD/.cluster.yaml.swp" && py_fsync "$MD/.cluster.yaml.swp" &&
	mv -f "$MD/.cluster.yaml.swp" "$MD/cluster.yaml"
check $? "the save failed"
cmp -s "$D/cluster.yaml" "$T/cluster.new"
check $? "the config folder does not hold the saved cluster.yaml"
[ ! -e "$D/.cluster.yaml.swp" ] && [ ! -e "$MD/.cluster.yaml.swp" ]
check $? "the swap file is still there"
cmp -s "$MD/cluster.yaml" "$T/cluster.new"
check $? "MNT/desired/cluster.yaml does not read as the saved bytes"
run_cmd cat "$M/validate"
expect_stdout_contains "graphs.extra"
cp "$T/.run/out" "$T/validate.mnt"
run_cfs validate --config "$D"
cmp -s "$T/.run/out" "$T/validate.mnt"
check $? "cat MNT/validate differs from clusterfs validate after the save"
run_cmd cat "$M/plan"
expect_stdout_contains "Create graph.extra"
[ "$(head -1 "$T/.run/out")" != "$before" ]
check $? "the plan digest did not change with the edit ($before)"
run_cmd git -C "$MD" status --porcelain
expect_exit 0
expect_out <<'X'
 M cluster.yaml
X

case_begin "git stash / stash pop / checkout through the mount"
git -C "$D" show HEAD:cluster.yaml >"$T/cluster.head"
run_cmd git -C "$MD" stash
expect_exit 0
cmp -s "$D/cluster.yaml" "$T/cluster.head"
check $? "git stash did not restore cluster.yaml"
run_cmd git -C "$MD" status --porcelain
expect_stdout_empty
run_cmd cat "$M/plan"
expect_stdout_contains "cluster plan: 0 change(s)"
run_cmd git -C "$MD" stash pop
expect_exit 0
cmp -s "$D/cluster.yaml" "$T/cluster.new"
check $? "git stash pop did not bring the edit back"
run_cmd git -C "$MD" checkout -- cluster.yaml
expect_exit 0
cmp -s "$D/cluster.yaml" "$T/cluster.head"
check $? "git checkout did not restore cluster.yaml"
run_cmd git -C "$MD" status --porcelain
expect_stdout_empty

case_begin "vim backup dance: mv to cluster.yaml~, write anew, rm the backup"
mv "$MD/cluster.yaml" "$MD/cluster.yaml~" && [ -f "$D/cluster.yaml~" ] && [ ! -e "$D/cluster.yaml" ]
check $? "mv cluster.yaml cluster.yaml~ failed"
cat "$T/cluster.new" >"$MD/cluster.yaml" && py_fsync "$MD/cluster.yaml" && rm "$MD/cluster.yaml~"
check $? "writing the new cluster.yaml or removing the backup failed"
cmp -s "$D/cluster.yaml" "$T/cluster.new" && [ ! -e "$D/cluster.yaml~" ]
check $? "the config folder does not hold the new cluster.yaml alone"
run_cmd cat "$M/plan"
expect_stdout_contains "Create graph.extra"
git -C "$MD" checkout -q -- cluster.yaml

case_begin "git: add -A and commit through the mount"
printf 'notes\n' >"$MD/NOTES.md"
run_cmd git -C "$MD" status --porcelain
expect_out <<'X'
?? NOTES.md
X
run_cmd bash -c "git -C '$MD' add -A && git -C '$MD' commit -qm x"
expect_exit 0
run_cmd git -C "$D" log -1 --format=%s --name-only
expect_out <<'X'
x

NOTES.md
X
git -C "$D" ls-files | grep -q -e '^__cluster/' -e '^graphs/'
[ $? = 1 ]
check $? "git add -A through the mount added the ledger or graph roots"
run_cmd git -C "$MD" status --porcelain
expect_stdout_empty

# ------------------------------------------------------------------ writes

case_begin "echo > and >>"
if echo one >"$MD/new.txt" && echo two >>"$MD/new.txt"; then pass; else fail "echo > / >> failed"; fi
[ "$(cat "$D/new.txt")" = "$(printf 'one\ntwo')" ] && [ "$(cat "$MD/new.txt")" = "$(printf 'one\ntwo')" ]
check $? "new.txt is not 'one two' in both places"
echo three >"$MD/new.txt"
[ "$(cat "$D/new.txt")" = three ]
check $? "echo > did not truncate"

case_begin "ownership: files made as root belong to uid 0"
mkdir "$MD/rootdir"
[ "$(stat -c %u:%g "$D/new.txt")" = 0:0 ] && [ "$(stat -c %u:%g "$D/rootdir")" = 0:0 ]
check $? "root's file or directory is owned by $(stat -c %u:%g "$D/new.txt") / $(stat -c %u:%g "$D/rootdir")"
rmdir "$MD/rootdir"

case_begin "ownership: files made as nobody (allow_other) belong to nobody"
mkdir "$MD/tmp-dir" && chmod 777 "$MD/tmp-dir"
run_cmd as_nobody touch "$MD/tmp-dir/x"
expect_exit 0
as_nobody mkdir "$MD/tmp-dir/d" && as_nobody ln -s x "$MD/tmp-dir/l"
check $? "nobody cannot mkdir or ln -s in a 777 directory"
for f in x d l; do
	[ "$(stat -c %U:%G "$D/tmp-dir/$f")" = nobody:nogroup ]
	check $? "tmp-dir/$f is owned by $(stat -c %U:%G "$D/tmp-dir/$f" 2>&1) in the config folder"
	[ "$(stat -c %U:%G "$MD/tmp-dir/$f")" = nobody:nogroup ]
	check $? "tmp-dir/$f is owned by $(stat -c %U:%G "$MD/tmp-dir/$f" 2>&1) through the mount"
done
[ "$(stat -c %a "$D/tmp-dir/x")" = 644 ] && [ "$(stat -c %a "$D/tmp-dir/d")" = 755 ]
check $? "nobody's new file/dir modes are $(stat -c %a "$D/tmp-dir/x") / $(stat -c %a "$D/tmp-dir/d"), expected 644 / 755"
expect_errno "nobody writes root's cluster.yaml" "Permission denied" "setpriv --reuid=nobody --regid=nogroup --clear-groups sh -c 'echo x >> $MD/cluster.yaml'"
git -C "$D" diff --quiet -- cluster.yaml
check $? "nobody changed cluster.yaml"
rm -r "$MD/tmp-dir"

case_begin "mkdir -p, rmdir, rm -r of a tree"
mkdir -p "$MD/a/b/c" && [ -d "$D/a/b/c" ]
check $? "mkdir -p a/b/c"
rmdir "$MD/a/b/c" && [ ! -e "$D/a/b/c" ] && [ -d "$D/a/b" ]
check $? "rmdir a/b/c"
mkdir -p "$MD/a/b/c/d" && printf 'deep\n' >"$MD/a/b/c/d/f" && printf 'x\n' >"$MD/a/f" &&
	ln -s ../f "$MD/a/b/l" && mkdir "$MD/a/e"
check $? "building a tree under a/"
expect_errno "rmdir of a non-empty dir" "Directory not empty" rmdir "$MD/a/b"
[ "$(cat "$D/a/b/c/d/f")" = deep ]
check $? "a/b/c/d/f is not in the config folder"
run_cmd rm -r "$MD/a"
expect_exit 0
[ ! -e "$D/a" ] && [ ! -e "$MD/a" ]
check $? "rm -r a left something behind"

case_begin "symlinks: ln -s, readlink, cat through the link"
printf 'target bytes\n' >"$MD/target.txt"
ln -s target.txt "$MD/link" && ln -s queries "$MD/qlink"
check $? "ln -s failed"
[ "$(readlink "$MD/link")" = target.txt ] && [ "$(readlink "$D/link")" = target.txt ]
check $? "readlink link: '$(readlink "$MD/link")' through the mount, '$(readlink "$D/link")' in the folder"
[ -L "$MD/link" ] && [ -L "$D/link" ]
check $? "link is not a symlink"
[ "$(cat "$MD/link")" = "target bytes" ]
check $? "cat through the symlink: '$(cat "$MD/link" 2>&1)'"
[ -f "$MD/qlink/knowledge/people.gq" ] && cmp -s "$MD/qlink/knowledge/people.gq" "$D/queries/knowledge/people.gq"
check $? "a directory symlink does not lead into queries/"
rm "$MD/link" "$MD/qlink" && [ -f "$D/target.txt" ] && [ ! -L "$D/link" ]
check $? "rm of a symlink removed the wrong thing"

case_begin "hard links: ln and the link count"
ln "$MD/target.txt" "$MD/hard.txt"
check $? "ln failed"
[ "$(stat -c %h "$MD/target.txt")" = 2 ] && [ "$(stat -c %h "$MD/hard.txt")" = 2 ] && [ "$(stat -c %h "$D/hard.txt")" = 2 ]
check $? "link count is $(stat -c %h "$MD/target.txt") through the mount, $(stat -c %h "$D/hard.txt") in the folder"
echo more >>"$MD/hard.txt"
[ "$(cat "$MD/target.txt")" = "$(printf 'target bytes\nmore')" ]
check $? "a write through one hard link is not seen through the other"
rm "$MD/hard.txt"
[ "$(stat -c %h "$MD/target.txt")" = 1 ]
check $? "link count after rm is $(stat -c %h "$MD/target.txt")"

case_begin "chmod, truncate -s, touch -d"
chmod 640 "$MD/target.txt"
[ "$(stat -c %a "$MD/target.txt")" = 640 ] && [ "$(stat -c %a "$D/target.txt")" = 640 ]
check $? "chmod 640: mode $(stat -c %a "$MD/target.txt") through the mount, $(stat -c %a "$D/target.txt") in the folder"
chmod u+x,g-r "$MD/target.txt"
[ "$(stat -c %a "$D/target.txt")" = 700 ]
check $? "chmod u+x,g-r: mode $(stat -c %a "$D/target.txt")"
truncate -s 6 "$MD/target.txt"
[ "$(stat -c %s "$MD/target.txt")" = 6 ] && [ "$(cat "$D/target.txt")" = target ]
check $? "truncate -s 6: size $(stat -c %s "$MD/target.txt"), content '$(cat "$D/target.txt")'"
truncate -s 1M "$MD/target.txt"
[ "$(stat -c %s "$MD/target.txt")" = 1048576 ] && [ "$(stat -c %s "$D/target.txt")" = 1048576 ] &&
	[ "$(tail -c +7 "$MD/target.txt" | tr -d '\0' | wc -c)" = 0 ]
check $? "truncate -s 1M: size $(stat -c %s "$MD/target.txt") or the extension is not zeros"
touch -d @1700000000 "$MD/target.txt"
[ "$(stat -c %Y "$MD/target.txt")" = 1700000000 ] && [ "$(stat -c %Y "$D/target.txt")" = 1700000000 ]
check $? "touch -d: mtime $(stat -c %Y "$MD/target.txt") through the mount, $(stat -c %Y "$D/target.txt") in the folder"
touch -d @1600000000 "$MD/NOTES.md"
[ "$(stat -c %Y "$D/NOTES.md")" = 1600000000 ]
check $? "touch -d on a closed file: mtime $(stat -c %Y "$D/NOTES.md")"
rm "$MD/target.txt"

# ------------------------------------------------------------------ xattrs

case_begin "xattrs: setfattr/getfattr pass through when the backing fs has them"
printf 'x\n' >"$D/xattr-probe"
if python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.probe", b"1")' "$D/xattr-probe" 2>/dev/null; then
	if command -v setfattr >/dev/null 2>&1 && command -v getfattr >/dev/null 2>&1; then
		run_cmd setfattr -n user.k -v v "$MD/cluster.yaml"
		expect_exit 0
		run_cmd getfattr -n user.k --only-values "$MD/cluster.yaml"
		expect_exit 0
		[ "$(cat "$T/.run/out")" = v ]
		check $? "getfattr through the mount: '$(cat "$T/.run/out")'"
		[ "$(getfattr -n user.k --only-values "$D/cluster.yaml" 2>&1)" = v ]
		check $? "the xattr did not reach the backing file"
		run_cmd setfattr -x user.k "$MD/cluster.yaml"
		expect_exit 0
	else
		# setfattr (package attr) is not installed: same calls from python
		run_cmd python3 -c 'import os, sys
p, b = sys.argv[1:]
os.setxattr(p, "user.k", b"v")
assert os.getxattr(p, "user.k") == b"v", "getxattr through the mount"
assert os.getxattr(b, "user.k") == b"v", "getxattr of the backing file"
assert "user.k" in os.listxattr(p), "listxattr"
os.removexattr(p, "user.k")
assert "user.k" not in os.listxattr(b), "removexattr did not reach the backing file"' "$MD/cluster.yaml" "$D/cluster.yaml"
		expect_exit 0
		expect_stderr_empty
	fi
else
	expect_errno "setxattr on a filesystem without xattrs" "Operation not supported" \
		python3 -c "'import os; os.setxattr(\"$MD/cluster.yaml\", \"user.k\", b\"v\")'"
fi
rm -f "$D/xattr-probe"

# ------------------------------------------------------------------ big files

case_begin "dd: 64 MiB through the mount, compared both ways"
dd if=/dev/urandom of="$T/rand.bin" bs=1M count=64 status=none
run_cmd dd if="$T/rand.bin" of="$MD/big.bin" bs=1M conv=fsync status=none
expect_exit 0
cmp -s "$D/big.bin" "$T/rand.bin"
check $? "the backing file differs from what dd wrote"
cmp -s "$MD/big.bin" "$T/rand.bin"
check $? "reading back through the mount differs"
run_cmd dd if="$MD/big.bin" bs=64K skip=300 count=7 status=none
dd if="$T/rand.bin" bs=64K skip=300 count=7 status=none | cmp -s - "$T/.run/out"
check $? "a read at an offset differs"
[ "$(stat -c %s "$MD/big.bin")" = 67108864 ]
check $? "stat size $(stat -c %s "$MD/big.bin")"
rm "$MD/big.bin" "$T/rand.bin"

# ------------------------------------------------------------------ renames across the boundary

case_begin "rename across the desired/ boundary fails cleanly"
printf 'precious\n' >"$MD/keep.txt"
for dst in "$M/" "$M/plan" "$M/history/"; do
	run_cmd mv "$MD/keep.txt" "$dst"
	[ "$RC" != 0 ]
	check $? "mv desired/keep.txt $dst succeeded"
	expect_stderr_nonempty
	[ "$(cat "$D/keep.txt" 2>/dev/null)" = precious ]
	check $? "mv desired/keep.txt $dst lost the file"
done
[ ! -e "$M/keep.txt" ]
check $? "MNT/keep.txt appeared"
[ "$(head -1 "$M/plan")" != precious ]
check $? "mv overwrote MNT/plan"
# rename(2) itself: EXDEV (what lets mv fall back to copy) or EACCES
run_cmd python3 -c 'import os, sys
try:
    os.rename(sys.argv[1], sys.argv[2])
except OSError as e:
    print(os.strerror(e.errno))' "$MD/keep.txt" "$M/keep.txt"
case "$(cat "$T/.run/out")" in
"Invalid cross-device link" | "Permission denied") pass ;;
*) fail "rename(2) desired/keep.txt -> MNT/keep.txt: '$(cat "$T/.run/out")'" ;;
esac
rm "$MD/keep.txt"
cp "$M/README" "$T/README.before"
run_cmd mv "$M/README" "$MD/"
[ "$RC" != 0 ] && cmp -s "$M/README" "$T/README.before"
check $? "mv MNT/README desired/ succeeded or changed README"
rm -f "$MD/README"

# ------------------------------------------------------------------ no fd per inode

case_begin "no fd per inode: find and cat over 3000 files"
# made in the config folder directly (3000 creates through FUSE cost seconds)
mkdir "$D/many" && awk -v d="$D/many" 'BEGIN { for (i = 1; i <= 3000; i++) { f = d "/f" i; print i > f; close(f) } }'
check $? "could not create the 3000 files"
n=$(find "$MD" | wc -l)
[ "$n" -gt 3000 ]
check $? "find MNT/desired saw $n entries"
n=$(find "$MD/many" -type f -exec cat {} + | wc -l)
[ "$n" = 3000 ]
check $? "cat of every file gave $n lines"
ls -l "$MD/many" >/dev/null
nfd=$(ls "/proc/$MPID/fd" | wc -l)
[ "$nfd" -lt 50 ]
check $? "the daemon holds $nfd fds after touching 3000 files"
rm -rf "$D/many"

# ------------------------------------------------------------------ unlink of an open file

case_begin "unlink of an open file: the open descriptor still reads"
printf 'still here\n' >"$MD/open.txt"
exec 3<"$MD/open.txt"
rm "$MD/open.txt"
[ ! -e "$D/open.txt" ] && [ ! -e "$MD/open.txt" ]
check $? "open.txt is still there after rm"
# pread leaves the offset for the cat below
run_cmd python3 -c 'import os; print(os.pread(3, 100, 0).decode(), end="")'
expect_exit 0
[ "$(cat "$T/.run/out")" = "still here" ]
check $? "read(2) of the unlinked open file: '$(cat "$T/.run/out")'"
run_cmd python3 -c 'import os; print(os.fstat(3).st_size)'
[ "$(cat "$T/.run/out")" = 11 ]
check $? "fstat(2) of the unlinked open file: '$(cat "$T/.run/out")' $(tail -1 "$T/.run/err")"
LAST_CMD="exec 3<open.txt; rm open.txt; cat <&3"
got=$(cat <&3 2>"$T/.run/err")
RC=$?
printf '%s\n' "$got" >"$T/.run/out"
[ "$RC" = 0 ] && [ "$got" = "still here" ]
check $? "cat <&3 of the unlinked open file: '$got' $(cat "$T/.run/err")"
exec 3<&-
i=0
while [ -n "$(find "$D" -name '.fuse_hidden*' -print -quit)" ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
[ -z "$(find "$D" -name '.fuse_hidden*' -print -quit)" ]
check $? ".fuse_hidden files left in the config folder: $(find "$D" -name '.fuse_hidden*' | head -3 | tr '\n' ' ')"

# ------------------------------------------------------------------ fsync, df

case_begin "fsync of a directory and a file"
run_cmd py_fsync "$MD/queries"
expect_exit 0
run_cmd py_fsync "$MD"
expect_exit 0
run_cmd py_fsync "$MD/NOTES.md"
expect_exit 0

case_begin "df"
run_cmd df "$M"
expect_exit 0
run_cmd df "$MD"
expect_exit 0
[ "$(df --output=size "$MD" | tail -1)" = "$(df --output=size "$D" | tail -1)" ]
check $? "df size $(df --output=size "$MD" | tail -1) through the mount, $(df --output=size "$D" | tail -1) for the folder"

# ------------------------------------------------------------------ end state

case_begin "end: the tree still matches, git is clean but for our files"
tree "$MD" >"$T/tree.mnt"
tree "$D" >"$T/tree.dir"
cmp -s "$T/tree.mnt" "$T/tree.dir"
check $? "find differs: $(diff "$T/tree.dir" "$T/tree.mnt" | grep '^[<>]' | head -4 | tr '\n' ' ')"
run_cmd git -C "$MD" status --porcelain
expect_out <<'X'
?? new.txt
X

case_begin "unmount: clean, the daemon exits 0"
LAST_CMD="fusermount3 -u $M"
cp "$T/.run/daemon.log" "$T/.run/err" 2>/dev/null
: >"$T/.run/out"
mount_stop "$M"
check $? "the daemon did not exit after fusermount3 -u"
wait "$MPID"
RC=$?
[ "$RC" = 0 ]
check $? "the daemon exited $RC"
! mountpoint -q "$M"
check $? "still mounted"
[ -f "$D/__cluster/state.json" ] && [ -d "$D/graphs" ]
check $? "the ledger or graph roots are gone"

finish
