#!/usr/bin/env bash
# `clusterfs mount`: the tree and the report files (fs.md "Tree",
# "Reports", "Reads observe, they never lock") and the read-only views.
#
# On the bundled example (contrib/example) as a git repository with an
# imported ledger: the exact root listing (applied/ and history/ only when
# desired/ is a git repository); validate, plan, status and their .json
# twins byte-identical to the CLI's output (`plan --observe`); stat sizes
# equal to the bytes a read returns; reports following edits made through
# desired/ and directly in the backing folder (also a same-size edit after
# the cache is warm) and ledger writes by the CLI; a held lock reported,
# not waited on, never created or removed; the plan digest of plan equal
# to plan.json's; state.json, catalog/ and graphs/<id>/ equal to the
# ledger, the catalog blobs and the desired files; EACCES for every
# mutation of a read-only entry; ENOTSUP for xattrs on virtual files.
# shellcheck disable=SC2012,SC2016 # ls of virtual dirs with known names; conditions eval-ed later
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=lib_mount.sh
. "$HERE/lib_mount.sh"

ABS=$T/c
M=$T/m
EACCES='Permission denied'

# report_matches_cli NAME: `cat MNT/NAME` is byte for byte the CLI's output.
report_matches_cli() {
	local name=$1 cmd json=""
	cmd=${name%.json}
	[ "$cmd" != "$name" ] && json=--json
	case $cmd in
	plan) set -- plan --observe ;;
	*) set -- "$cmd" ;;
	esac
	cat "$M/$name" >"$T/got.$name" 2>"$T/.run/err"
	check $? "cat $name failed: $(cat "$T/.run/err")"
	LAST_CMD="clusterfs $* --config $ABS $json"
	"$CLUSTERFS" "$@" --config "$ABS" $json >"$T/.run/out" 2>>"$T/.run/err"
	RC=$?
	if cmp -s "$T/got.$name" "$T/.run/out"; then
		pass
	else
		fail "cat $name differs from '$LAST_CMD': $(diff "$T/got.$name" "$T/.run/out" | grep '^[<>]' | head -3 | tr '\n' ' ')"
	fi
	[ -s "$T/got.$name" ]
	check $? "$name is empty"
}

# size_matches NAME: stat's size of MNT/NAME equals the bytes read.
size_matches() {
	local s n
	s=$(stat -c %s "$M/$1")
	n=$(wc -c <"$M/$1")
	[ "$s" = "$n" ]
	check $? "stat -c %s $1 is $s but a read returns $n bytes"
}

# ------------------------------------------------------------------ tree

case_begin "mount: starts on the example cluster"
example_cluster "$ABS"
mount_start "$ABS" "$M"
check $? "mount did not come up: $(tail -3 "$T/.run/daemon.log" 2>/dev/null)"
MAIN_PID=$MPID

case_begin "tree: the root of a git-backed cluster"
got=$(ls -1 "$M" | paste -sd' ' -)
want="README applied apply apply.json approvals catalog desired events graphs history import import.json lock plan plan.json refresh refresh.json state.json status status.json validate validate.json"
[ "$got" = "$want" ]
check $? "ls -1 MNT is [$got], expected [$want]"
[ -s "$M/README" ]
check $? "README is empty"
grep -q 'apply' "$M/README"
check $? "README does not mention apply"
for d in desired approvals catalog graphs applied history; do
	[ -d "$M/$d" ]
	check $? "$d is not a directory"
done
got=$(ls -1 "$M/desired" | paste -sd' ' -)
[ "$got" = "cluster.yaml policies queries schemas" ]
check $? "ls desired/ is [$got] (the ledger folder must be hidden)"
got=$(ls -1 "$M/graphs" | paste -sd' ' -)
[ "$got" = "audit knowledge support" ]
check $? "ls graphs/ is [$got]"

# ------------------------------------------------------------------ reports = CLI

case_begin "reports: byte-identical to the CLI before the first apply"
for r in validate validate.json plan plan.json status status.json; do
	report_matches_cli "$r"
done
grep -q '^cluster plan: 17 change(s), 0 approval gate(s)$' "$T/got.plan"
check $? "plan does not list the 17 creates"
[ "$(json_file_get "$M/plan.json" authority)" = observed ]
check $? "plan.json authority is not observed"

case_begin "reports: the plan digest of plan is plan.json's"
d1=$(plan_digest_of "$M/plan")
d2=$(json_file_get "$M/plan.json" plan_digest)
[[ $d1 =~ ^[0-9a-f]{64}$ ]]
check $? "plan's first line has no digest: $(head -1 "$M/plan")"
[ "$d1" = "$d2" ]
check $? "plan digest $d1 but plan.json plan_digest $d2"

case_begin "stat: sizes equal the bytes read"
for f in README validate validate.json plan plan.json status status.json apply apply.json \
	refresh refresh.json import import.json lock state.json events; do
	size_matches "$f"
done

case_begin "reports: follow a ledger write by the CLI"
run_cfs apply --config "$ABS"
expect_exit 0
for r in plan plan.json status status.json; do
	report_matches_cli "$r"
done
grep -q '^cluster plan: 0 change(s), 0 approval gate(s)$' "$M/plan"
check $? "plan after the apply: $(sed -n 2p "$M/plan")"
grep -q '^cluster state: revision 2, ' "$M/status"
check $? "status after the apply: $(head -1 "$M/status")"
for f in plan plan.json status status.json apply apply.json state.json events; do
	size_matches "$f"
done

case_begin "views: applied/ and history/ after the apply"
git -C "$ABS" rev-parse -q --verify refs/clusterfs/applied >/dev/null
check $? "the apply recorded no refs/clusterfs/applied"
# (desired/ passes .git through, so git works there; applied/ has none)
diff -r -x .git "$M/applied" "$M/desired" >"$T/applied.diff" 2>&1
check $? "applied/ differs from desired/: $(head -3 "$T/applied.diff" | tr '\n' ' ')"
head_id=$(git -C "$ABS" rev-parse HEAD)
ls -1 "$M/history" | grep -qx "$head_id"
check $? "history/ does not list HEAD $head_id"
cmp -s "$M/history/$head_id/cluster.yaml" "$ABS/cluster.yaml"
check $? "history/HEAD/cluster.yaml differs from the committed file"

# ------------------------------------------------------------------ read-only views

case_begin "views: state.json is the ledger's file"
cmp -s "$M/state.json" "$ABS/__cluster/state.json"
check $? "state.json differs from __cluster/state.json"

case_begin "views: catalog/ holds the published blobs"
got=$(ls -1 "$M/catalog" | paste -sd' ' -)
[ "$got" = "policy query" ]
check $? "ls catalog/ is [$got]"
# every query/policy/schema resource of the CLI's validate --json, with its
# digest and desired file
"$CLUSTERFS" validate --config "$ABS" --json >"$T/val.json"
json_flatten "$T/val.json" | awk -F'\t' '
	$1 == "V" && $2 ~ /^resources\/[0-9]+\/(address|digest|path)$/ {
		split($2, p, "/"); v[p[2], p[3]] = $3; if (p[2] + 1 > n) n = p[2] + 1 }
	END { for (i = 0; i < n; i++) if (v[i, "path"] != "") print v[i, "address"], v[i, "digest"], v[i, "path"] }' \
	>"$T/resources"
nq=0
while read -r addr digest path; do
	case $addr in
	query.*)
		rest=${addr#query.}
		g=${rest%%.*}
		q=${rest#*.}
		nq=$((nq + 1))
		cmp -s "$M/catalog/query/$g/$q/$digest.gq" "$path"
		check $? "catalog/query/$g/$q/$digest.gq differs from ${path#"$ABS"/}"
		cmp -s "$M/graphs/$g/queries/$q.gq" "$path"
		check $? "graphs/$g/queries/$q.gq differs from ${path#"$ABS"/}"
		;;
	policy.*)
		cmp -s "$M/catalog/policy/${addr#policy.}/$digest.yaml" "$path"
		check $? "catalog/policy/${addr#policy.}/$digest.yaml differs from ${path#"$ABS"/}"
		;;
	schema.*)
		cmp -s "$M/graphs/${addr#schema.}/schema.pg" "$path"
		check $? "graphs/${addr#schema.}/schema.pg differs from ${path#"$ABS"/}"
		;;
	esac
done <"$T/resources"
[ "$nq" = 10 ]
check $? "$nq query resources checked, expected 10"
got=$(ls -1 "$M/graphs/audit/queries" | paste -sd' ' -)
[ "$got" = "recent_events.gq record_event.gq" ]
check $? "ls graphs/audit/queries is [$got]"

case_begin "views: graphs/<id>/ version and status"
for g in audit knowledge support; do
	got=$(ls -1 "$M/graphs/$g" | paste -sd' ' -)
	[ "$got" = "queries schema.pg status version" ]
	check $? "ls graphs/$g is [$got]"
	v=$(cat "$M/graphs/$g/version")
	[[ $v =~ ^[0-9]+$ ]]
	check $? "graphs/$g/version is '$v'"
	cp "$M/graphs/$g/status" "$T/gstatus"
	check_pretty_json "$T/gstatus"
	[ "$(json_get exists)" = true ]
	check $? "graphs/$g/status has no \"exists\": true"
	[ "$(json_get graph)" = "$g" ]
	check $? "graphs/$g/status names graph '$(json_get graph)'"
	for f in schema.pg version status; do
		size_matches "graphs/$g/$f"
	done
done

case_begin "views: read-only entries refuse every change"
blob=$(find "$M/catalog/policy" -type f | head -1)
expect_errno "write state.json" "$EACCES" "echo x > '$M/state.json'"
expect_errno "truncate state.json" "$EACCES" "truncate -s0 '$M/state.json'"
expect_errno "write plan" "$EACCES" "echo x > '$M/plan'"
expect_errno "write plan.json" "$EACCES" "echo x > '$M/plan.json'"
expect_errno "write README" "$EACCES" "echo x > '$M/README'"
expect_errno "write apply.json" "$EACCES" "echo x > '$M/apply.json'"
expect_errno "append to events" "$EACCES" "echo x >> '$M/events'"
expect_errno "create at the root" "$EACCES" "touch '$M/newfile'"
expect_errno "mkdir at the root" "$EACCES" "mkdir '$M/newdir'"
expect_errno "symlink at the root" "$EACCES" "ln -s plan '$M/link'"
expect_errno "unlink plan" "$EACCES" "rm -f '$M/plan'"
expect_errno "unlink state.json" "$EACCES" "rm -f '$M/state.json'"
expect_errno "unlink apply" "$EACCES" "rm -f '$M/apply'"
expect_errno "rename plan" "$EACCES" "mv '$M/plan' '$M/plan2'"
expect_errno "chmod plan" "$EACCES" "chmod 666 '$M/plan'"
expect_errno "write a catalog blob" "$EACCES" "echo x > '$blob'"
expect_errno "unlink a catalog blob" "$EACCES" "rm -f '$blob'"
expect_errno "create in catalog/" "$EACCES" "touch '$M/catalog/x'"
expect_errno "write graphs/<id>/version" "$EACCES" "echo 9 > '$M/graphs/knowledge/version'"
expect_errno "write graphs/<id>/schema.pg" "$EACCES" "echo x > '$M/graphs/knowledge/schema.pg'"
expect_errno "create in graphs/<id>/" "$EACCES" "touch '$M/graphs/knowledge/x'"
expect_errno "unlink a graphs/ query" "$EACCES" "rm -f '$M/graphs/audit/queries/recent_events.gq'"
cmp -s "$M/state.json" "$ABS/__cluster/state.json" && [ -e "$M/plan" ] && [ -e "$blob" ]
check $? "a refused change changed something"

case_begin "xattrs: virtual files answer ENOTSUP"
if command -v getfattr >/dev/null 2>&1; then
	for f in plan state.json apply; do
		out=$(getfattr -n user.x "$M/$f" 2>&1)
		case $out in
		*"Operation not supported"*) pass ;;
		*) fail "getfattr -n user.x $f: $out" ;;
		esac
	done
elif command -v python3 >/dev/null 2>&1; then
	# getfattr (package attr) is absent: the same getxattr(2) through python
	for f in plan state.json apply; do
		out=$(python3 -c 'import os, sys
try:
    os.getxattr(sys.argv[1], "user.x"); print("ok")
except OSError as e:
    print(e.strerror)' "$M/$f")
		[ "$out" = "Operation not supported" ]
		check $? "getxattr user.x on $f: $out"
	done
else
	echo "note: neither getfattr nor python3; xattr checks skipped"
fi

# ------------------------------------------------------------------ cache invalidation

case_begin "cache: an edit through desired/ (sed -i, a rename) shows in plan"
sed -i 's/^graphs:$/graphs:\n  extra:\n    schema: schemas\/audit.pg/' "$M/desired/cluster.yaml"
grep -q '^  extra:$' "$ABS/cluster.yaml"
check $? "the edit did not reach the backing file"
grep -q '^  Create graph.extra$' "$M/plan"
check $? "plan does not show the new graph: $(sed -n 2p "$M/plan")"
report_matches_cli plan
report_matches_cli plan.json
report_matches_cli validate

case_begin "cache: an edit in the backing folder shows in plan"
sed -i '/^  extra:$/,+1d' "$ABS/cluster.yaml"
! grep -q 'graph.extra' "$M/plan"
check $? "plan still shows the removed graph"
grep -q '^cluster plan: 0 change(s)' "$M/plan"
check $? "plan after the revert: $(sed -n 2p "$M/plan")"
report_matches_cli plan
report_matches_cli status

case_begin "cache: a same-size edit after the cache is warm"
sleep 2.2 # past the racy window: the next reads are served from the cache
cat "$M/plan" >"$T/warm1"
cat "$M/plan" >"$T/warm2"
cmp -s "$T/warm1" "$T/warm2"
check $? "two warm reads differ"
before=$(plan_digest_of "$T/warm1")
sz=$(stat -c %s "$ABS/cluster.yaml")
ino=$(stat -c %i "$ABS/cluster.yaml")
# overwrite one byte in place: same inode, same size, only the times move
off=$(grep -bo 'name: acme-graphs' "$ABS/cluster.yaml" | cut -d: -f1)
printf 'z' | dd of="$ABS/cluster.yaml" bs=1 seek=$((off + 16)) conv=notrunc status=none
grep -q '^  name: acme-graphz$' "$ABS/cluster.yaml"
check $? "the in-place edit did not land"
[ "$(stat -c %s "$ABS/cluster.yaml")" = "$sz" ] && [ "$(stat -c %i "$ABS/cluster.yaml")" = "$ino" ]
check $? "the edit changed the size or the inode"
after=$(plan_digest_of "$M/plan")
[ -n "$after" ] && [ "$before" != "$after" ]
check $? "plan digest did not change after a same-size edit ($before)"
report_matches_cli plan
report_matches_cli plan.json
size_matches plan
size_matches plan.json

case_begin "cache: an in-place query edit (same inode) after the cache is warm"
sleep 2.2
cat "$M/plan" >/dev/null
cat "$M/plan" >/dev/null
q=$ABS/queries/audit/recent.gq
ino=$(stat -c %i "$q")
printf '\n' >>"$q"
[ "$(stat -c %i "$q")" = "$ino" ]
check $? "the edit replaced the file"
grep -q '^  Update query.audit.recent_events$' "$M/plan"
check $? "plan does not show the query update: $(sed -n 2,4p "$M/plan" | tr '\n' '|')"
report_matches_cli plan
truncate -s -1 "$q"
! grep -q 'query.audit.recent_events' "$M/plan"
check $? "plan still shows the reverted query update"

# ------------------------------------------------------------------ a held lock

case_begin "lock: reads while a CLI apply holds the lock"
# the metadata edit above is a pending ledger write: the apply reaches
# before_state_write and sleeps there holding the lock
CLUSTERFS_FAILPOINTS='cluster_apply.before_state_write=sleep(4000)' \
	"$CLUSTERFS" apply --config "$ABS" >"$T/bg.out" 2>&1 &
BG=$!
wait_until '[ -e "$ABS/__cluster/lock.json" ]' 50
check $? "the background apply did not take the lock"
ls -A "$ABS/__cluster" >"$T/ledger.before"
lock_sum=$(sha256_file "$ABS/__cluster/lock.json")
lock_id=$(json_file_get "$ABS/__cluster/lock.json" lock_id)
t0=$(now_ms)
cat "$M/plan" >"$T/locked.plan"
rc=$?
t1=$(now_ms)
[ "$rc" = 0 ] && [ -s "$T/locked.plan" ]
check $? "cat plan failed under a held lock"
[ $((t1 - t0)) -lt 2000 ]
check $? "cat plan took $((t1 - t0)) ms under a held lock"
kill -0 "$BG" 2>/dev/null
check $? "the background apply ended before the read: the read was not made under the lock"
grep -qF "WARN  plan_observed_lock_held __cluster/lock.json: the state lock is held by apply (lock $lock_id)" "$T/locked.plan"
check $? "plan does not report the held lock: $(tail -1 "$T/locked.plan")"
cat "$M/plan.json" >"$T/locked.json"
[ "$(json_file_get "$T/locked.json" authority)" = observed ]
check $? "plan.json authority is not observed"
[ "$(json_file_get "$T/locked.json" state_observations/locked)" = true ]
check $? "plan.json state_observations/locked is not true"
[ "$(json_file_get "$T/locked.json" state_observations/lock_id)" = "$lock_id" ]
check $? "plan.json state_observations/lock_id is not $lock_id"
[ "$(json_file_get "$T/locked.json" state_observations/lock_acquired)" = false ]
check $? "plan.json says it acquired the lock"
[ "$(plan_digest_of "$T/locked.plan")" = "$(json_file_get "$T/locked.json" plan_digest)" ]
check $? "plan digest of plan and plan.json differ under the lock"
# the text names no lock age: it must equal the CLI's observed plan
report_matches_cli plan
t0=$(now_ms)
cat "$M/status" >"$T/locked.status"
t1=$(now_ms)
[ $((t1 - t0)) -lt 2000 ] && grep -q "lock: held" "$T/locked.status"
check $? "status under the lock ($((t1 - t0)) ms): $(sed -n 3p "$T/locked.status")"
cmp -s "$M/lock" "$ABS/__cluster/lock.json"
check $? "lock does not show lock.json"
ls -A "$ABS/__cluster" >"$T/ledger.after"
cmp -s "$T/ledger.before" "$T/ledger.after"
check $? "reads changed the ledger folder: $(diff "$T/ledger.before" "$T/ledger.after" | tr '\n' ' ')"
[ "$(sha256_file "$ABS/__cluster/lock.json")" = "$lock_sum" ]
check $? "reads changed lock.json"
wait "$BG"
rc=$?
[ "$rc" = 0 ]
check $? "the background apply exited $rc: $(cat "$T/bg.out")"
[ ! -e "$ABS/__cluster/lock.json" ]
check $? "the lock stayed after the apply"
grep -q '^cluster plan: 0 change(s), 0 approval gate(s)$' "$M/plan" && ! grep -q lock_held "$M/plan"
check $? "plan after the lock was released: $(sed -n '2p;$p' "$M/plan" | tr '\n' '|')"
report_matches_cli plan
report_matches_cli plan.json
report_matches_cli status.json

# ------------------------------------------------------------------ without git

case_begin "tree: a cluster that is not a git repository"
cp -r "$CFS_SRC/contrib/example" "$T/ng"
"$CLUSTERFS" import --config "$T/ng" >/dev/null
mount_start "$T/ng" "$T/mng"
check $? "second mount did not come up"
got=$(ls -1 "$T/mng" | paste -sd' ' -)
want="README apply apply.json approvals catalog desired events graphs import import.json lock plan plan.json refresh refresh.json state.json status status.json validate validate.json"
[ "$got" = "$want" ]
check $? "ls -1 MNT is [$got], expected [$want]"
expect_errno "ls applied/ without git" "No such file or directory" "ls '$T/mng/applied'"
expect_errno "ls history/ without git" "No such file or directory" "ls '$T/mng/history'"
cmp -s "$T/mng/plan" <("$CLUSTERFS" plan --observe --config "$T/ng")
check $? "plan without git differs from the CLI"
mount_stop "$T/mng"
check $? "the second mount did not stop cleanly"

case_begin "mount: the daemon is still serving"
kill -0 "$MAIN_PID" 2>/dev/null && [ -s "$M/README" ]
check $? "the daemon died"

finish
