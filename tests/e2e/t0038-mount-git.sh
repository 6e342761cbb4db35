#!/usr/bin/env bash
# The git side of the mount (fs.md "applied/", "history/"): a converged
# apply records the applied config as a commit on refs/clusterfs/applied
# without touching HEAD, the index or the working tree; a partial apply
# (a delete waiting for approval) does not move it, so `git diff
# refs/clusterfs/applied` and `diff -r applied desired` keep showing the
# pending change; applied/ follows each new commit even for same-size
# edits within one second (no stale page cache); history/ lists full and
# short ids newest first (short ones are symlinks), serves any commit's
# tree read-only, and finds a commit deeper than the listing by id; a
# storage root inside the config folder ("storage: ./state") is left out
# of the recorded tree.
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=lib_mount.sh
. "$HERE/lib_mount.sh"

DIR="$T/cluster"
MNT="$T/mnt"
example_cluster "$DIR"
g() { git -C "$DIR" "$@"; }

case_begin "first apply records refs/clusterfs/applied"
head_before=$(g rev-parse HEAD)
index_before=$(sha256sum <"$DIR/.git/index")
mount_start "$DIR" "$MNT"
check $? "mount"
expect_errno "apply" ok "echo yes > '$MNT/apply'"
applied=$(g rev-parse refs/clusterfs/applied 2>/dev/null)
[ -n "$applied" ]
check $? "no refs/clusterfs/applied after a converged apply"
[ "$(g rev-parse HEAD)" = "$head_before" ] && [ "$(sha256sum <"$DIR/.git/index")" = "$index_before" ]
check $? "HEAD or the index moved"
[ -z "$(g status --porcelain --untracked-files=all -- . ':(exclude)__cluster' ':(exclude)graphs' 2>&1)" ]
check $? "the working tree changed"
[ "$(g rev-parse "refs/clusterfs/applied^{tree}")" = "$(g rev-parse "HEAD^{tree}")" ]
check $? "the applied tree is not the committed config's tree"
g log -1 --format=%B refs/clusterfs/applied | grep -q "^Actor: root$"
check $? "the applied commit does not name its actor"
diff -r -x .git "$MNT/applied" "$MNT/desired" >"$T/.run/out" 2>&1
check $? "applied/ differs from desired/ right after the apply"

case_begin "a partial apply does not move the ref"
sed -i -e '/^  audit:/,/record_event:/d' -e 's/\[knowledge, support, audit\]/[knowledge, support]/' \
	"$MNT/desired/cluster.yaml"
expect_errno "apply without approval" "Permission denied" "echo yes > '$MNT/apply'"
[ "$(g rev-parse refs/clusterfs/applied)" = "$applied" ]
check $? "the ref moved after a partial apply"
g diff --quiet refs/clusterfs/applied -- cluster.yaml
[ $? -eq 1 ]
check $? "git diff refs/clusterfs/applied no longer shows the pending delete"
! diff -q "$MNT/applied/cluster.yaml" "$MNT/desired/cluster.yaml" >/dev/null
check $? "diff applied desired no longer shows the pending delete"
expect_errno "approve" ok "echo approve > '$MNT/approvals/graph.audit'"
expect_errno "apply with approval" ok "echo yes > '$MNT/apply'"
second=$(g rev-parse refs/clusterfs/applied)
[ "$second" != "$applied" ] && [ "$(g rev-parse "$second^")" = "$applied" ]
check $? "the converged apply did not record a child commit"
cmp -s "$MNT/applied/cluster.yaml" "$MNT/desired/cluster.yaml"
check $? "applied/cluster.yaml is not the config just applied"

case_begin "applied/ follows same-size edits within a second"
q="$MNT/desired/queries/knowledge/companies.gq"
for fill in AAAAAAAA BBBBBBBB CCCCCCCC; do
	sed -i "1s|^.*$|// $fill|" "$q"
	expect_errno "apply $fill" ok "echo yes > '$MNT/apply'"
	head -n 1 "$MNT/applied/queries/knowledge/companies.gq" >"$T/.run/out"
	[ "$(cat "$T/.run/out")" = "// $fill" ]
	check $? "applied/ shows a stale file after applying $fill"
done

case_begin "history/"
g -c user.name=t -c user.email=t@example.com commit -qam "second commit"
ls "$MNT/history" >"$T/.run/out"
full=$(g rev-parse HEAD)
short=$(g rev-parse --short=7 HEAD)
first=$(g rev-list --max-parents=0 HEAD)
grep -qx "$full" "$T/.run/out" && grep -qx "$short" "$T/.run/out" && grep -qx "$first" "$T/.run/out"
check $? "history/ does not list full and short ids of both commits"
[ "$(head -n 1 "$T/.run/out")" != "" ]
[ "$(readlink "$MNT/history/$short")" = "$full" ]
check $? "history/<short> is not a symlink to the full id"
g show "$first:cluster.yaml" >"$T/.run/want"
cmp -s "$MNT/history/$first/cluster.yaml" "$T/.run/want"
check $? "history/<first>/cluster.yaml is not the committed file"
cmp -s "$MNT/history/$short/cluster.yaml" "$DIR/cluster.yaml"
check $? "history/<short>/cluster.yaml is not HEAD's file"
[ -d "$MNT/history/${first:0:10}" ]
check $? "a longer abbreviation does not resolve"
expect_errno "write into history" "Permission denied" "echo x > '$MNT/history/$full/cluster.yaml'"
expect_errno "unknown commit" "No such file or directory" "ls '$MNT/history/0000000000'"
expect_errno "not a commit id" "No such file or directory" "ls '$MNT/history/HEAD'"

case_begin "the mount ends cleanly"
mount_stop "$MNT"
check $? "unmount"

case_begin "storage root inside the config folder"
D2="$T/inner"
cp -r "$CFS_SRC/contrib/example" "$D2"
sed -i 's/^state:/storage: .\/state\nstate:/' "$D2/cluster.yaml"
git -C "$D2" init -q && git -C "$D2" add -A && git -C "$D2" -c user.name=t -c user.email=t@example.com commit -qm i
"$CLUSTERFS" import --config "$D2" >/dev/null
run_cfs apply --config "$D2" --json
expect_exit 0
! grep -q applied_commit "$T/.run/out"
check $? "apply warned about the applied commit"
git -C "$D2" ls-tree -r --name-only refs/clusterfs/applied >"$T/.run/out"
grep -qx cluster.yaml "$T/.run/out" && ! grep -q '^state/' "$T/.run/out"
check $? "the applied tree misses cluster.yaml or holds the storage root"

finish
