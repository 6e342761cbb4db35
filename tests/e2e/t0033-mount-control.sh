#!/usr/bin/env bash
# `clusterfs mount`: the control files, approvals/, lock, events and the
# permissions (fs.md "Control files", "approvals/", "events",
# "Permissions"; cluster.md §8, §9, §12-§14).
#
# On the bundled example (contrib/example, git, imported): `echo yes >
# apply` applies and `cat apply` / apply.json report it; the errno of every
# failure (junk EINVAL, invalid config EINVAL with the ledger untouched,
# stale digest ESTALE - also a digest applied twice -, approval missing
# EACCES, unknown gate ENOENT, import over a ledger EEXIST, lock held
# EBUSY, wrong lock id EINVAL, no lock ENOENT); a gated delete approved
# through approvals/ (mode 0644 -> 0444, approved_by = the caller, or the
# name an actor=UID:NAME option maps it to); refresh and import; a stale
# lock shown by `cat lock` and removed by writing its id; one events line
# per operation with the right operation, actor and result, followed by
# `tail -f`; and who may write: the owner, nobody only with
# -o allow_other for reads and -o group=NAME (as a member) for writes.
# shellcheck disable=SC2012,SC2016 # ls of virtual dirs with known names; conditions eval-ed later
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=lib_mount.sh
. "$HERE/lib_mount.sh"

ABS=$T/c
M=$T/m
EV=$ABS/__cluster/events.jsonl
EINVAL='Invalid argument'
EACCES='Permission denied'
# user nobody, no groups (for commands run through expect_errno)
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"

# The events log: EVN is the number of lines already accounted for.
EVN=0
# expect_new_event OP ACTOR OK: exactly one line was appended since the
# last call, with that operation, actor and result.
expect_new_event() {
	local n
	n=$(event_count_of "$EV")
	[ "$n" = $((EVN + 1)) ]
	check $? "events: $((n - EVN)) new line(s) for $1 by $2, expected 1: $(sed -n "$((EVN + 1)),\$p" "$EV" | tr '\n' ' ')"
	expect_event "$EV" "$n" "$@"
	EVN=$n
}
# expect_no_event WHAT: nothing was appended since the last call.
expect_no_event() {
	local n
	n=$(event_count_of "$EV")
	[ "$n" = "$EVN" ]
	check $? "events: $1 appended $((n - EVN)) line(s): $(sed -n "$((EVN + 1)),\$p" "$EV" | tr '\n' ' ')"
	EVN=$n
}

# ledger_sum: digest of state.json.
ledger_sum() {
	sha256_file "$ABS/__cluster/state.json"
}

# revision: the state revision the status report shows.
revision() {
	sed -n '1s/^cluster state: revision \([0-9]*\),.*/\1/p' "$M/status"
}

# set_name NAME: change metadata.name in desired/ (a pending ledger write:
# the config digest changes, no resource does).
set_name() {
	sed -i "s/^  name: .*/  name: $1/" "$M/desired/cluster.yaml"
}

# ------------------------------------------------------------------ apply

case_begin "mount: starts on the example cluster"
example_cluster "$ABS"
EVN=$(event_count_of "$EV")
mount_start "$ABS" "$M"
check $? "mount did not come up: $(tail -3 "$T/.run/daemon.log" 2>/dev/null)"

case_begin "apply: echo yes > apply"
expect_errno "echo yes > apply" ok "echo yes > '$M/apply'"
head -1 "$M/apply" | grep -q '^cluster apply: 17 applied, 0 deferred/blocked$'
check $? "cat apply starts with: $(head -1 "$M/apply")"
cat "$M/apply.json" >"$T/apply.json"
check_pretty_json "$T/apply.json"
expect_json ok true
expect_json actor root
expect_json converged true
expect_json state_written true
expect_json state_observations/state_revision 2
grep -q '^cluster state: revision 2, 17 resource(s)$' "$M/status"
check $? "status after the apply: $(head -1 "$M/status")"
grep -q '^cluster plan: 0 change(s), 0 approval gate(s)$' "$M/plan"
check $? "plan after the apply: $(sed -n 2p "$M/plan")"
expect_new_event apply root true
[ "$(event_field "$(tail -1 "$EV")" changes)" = 17 ]
check $? "the apply event has changes $(event_field "$(tail -1 "$EV")" changes), expected 17"
[ "$(event_field "$(tail -1 "$EV")" state_revision)" = 2 ]
check $? "the apply event has state_revision $(event_field "$(tail -1 "$EV")" state_revision)"
[ "$(stat -c %s "$M/apply")" = "$(wc -c <"$M/apply")" ]
check $? "stat size of apply differs from its content"

case_begin "apply: a converged re-run writes nothing"
sum=$(ledger_sum)
expect_errno "echo 1 > apply" ok "echo 1 > '$M/apply'"
head -1 "$M/apply" | grep -q '^cluster apply: 0 applied, 0 deferred/blocked$'
check $? "cat apply: $(head -1 "$M/apply")"
[ "$(ledger_sum)" = "$sum" ]
check $? "a no-op apply changed state.json"
expect_new_event apply root true
expect_errno "an empty line" ok "echo > '$M/apply'"
expect_new_event apply root true

# ------------------------------------------------------------------ errnos

case_begin "apply: junk is EINVAL and runs nothing"
sum=$(ledger_sum)
expect_errno "echo garbage > apply" "$EINVAL" "echo garbage > '$M/apply'"
expect_errno "echo no > apply" "$EINVAL" "echo no > '$M/apply'"
expect_errno "a 63-digit digest" "$EINVAL" "printf '%063d\n' 0 > '$M/apply'"
expect_errno "an uppercase digest" "$EINVAL" "printf '%064d\n' 0 | tr 0 A > '$M/apply'"
[ "$(ledger_sum)" = "$sum" ]
check $? "junk changed state.json"
expect_no_event "junk"

case_begin "apply: an invalid config is EINVAL, the ledger untouched"
cp "$ABS/cluster.yaml" "$T/cluster.yaml.good"
sum=$(ledger_sum)
sed -i 's#schemas/audit.pg#schemas/missing.pg#' "$M/desired/cluster.yaml"
expect_errno "missing schema file" "$EINVAL" "echo yes > '$M/apply'"
grep -q '^ERROR schema_file_missing ' "$M/apply"
check $? "cat apply does not show the validation error"
[ "$(json_file_get "$M/apply.json" ok)" = false ]
check $? "apply.json ok is not false"
[ "$(ledger_sum)" = "$sum" ]
check $? "an invalid config changed state.json"
expect_new_event apply root false
printf 'version: 1\ngraphs: [\n' >"$M/desired/cluster.yaml"
expect_errno "unparseable cluster.yaml" "$EINVAL" "echo yes > '$M/apply'"
grep -q '^ERROR invalid_cluster_yaml ' "$M/apply"
check $? "cat apply does not show the parse error"
[ "$(ledger_sum)" = "$sum" ]
check $? "an unparseable config changed state.json"
# No check on events here: with cluster.yaml unparseable the storage root
# is unknown, and the engine records events only under a resolved root
# (engine/ops.h cfs_op_record_event), so this apply leaves no line.
EVN=$(event_count_of "$EV")
cp "$T/cluster.yaml.good" "$M/desired/cluster.yaml"
[ ! -e "$ABS/__cluster/lock.json" ]
check $? "a refused apply left the lock"

case_begin "apply: plan digests (stale, twice, current)"
set_name acme-one
d1=$(plan_digest_of "$M/plan")
set_name acme-two
d2=$(plan_digest_of "$M/plan")
[[ $d1 =~ ^[0-9a-f]{64}$ ]] && [[ $d2 =~ ^[0-9a-f]{64}$ ]] && [ "$d1" != "$d2" ]
check $? "plan digests '$d1' '$d2'"
sum=$(ledger_sum)
rev=$(revision)
expect_errno "digest of an old plan" "Stale file handle" "echo $d1 > '$M/apply'"
grep -q '^ERROR plan_stale changes: ' "$M/apply"
check $? "cat apply does not show plan_stale"
[ "$(ledger_sum)" = "$sum" ]
check $? "a stale digest changed state.json"
expect_new_event apply root false
expect_errno "stale digest to refresh" "Stale file handle" "echo $d1 > '$M/refresh'"
[ "$(ledger_sum)" = "$sum" ]
check $? "a stale refresh digest changed state.json"
EVN=$(event_count_of "$EV") # (a refused digest check: no operation ran)
expect_errno "the current digest" ok "echo $d2 > '$M/apply'"
[ "$(revision)" = $((rev + 1)) ]
check $? "revision $(revision) after applying the current digest, expected $((rev + 1))"
expect_new_event apply root true
sum=$(ledger_sum)
expect_errno "the same digest again" "Stale file handle" "echo $d2 > '$M/apply'"
[ "$(ledger_sum)" = "$sum" ]
check $? "a digest applied twice changed state.json"
expect_new_event apply root false
[ "$(revision)" = $((rev + 1)) ]
check $? "revision moved on a stale digest"

# ------------------------------------------------------------------ approvals

case_begin "approvals: removing a graph is gated (EACCES)"
sed -i '/^  audit:$/,/record_event:/d; s/applies_to: \[knowledge, support, audit\]/applies_to: [knowledge, support]/' \
	"$M/desired/cluster.yaml"
! grep -q '^  audit:$\|applies_to:.*audit' "$ABS/cluster.yaml"
check $? "the edit left audit in cluster.yaml"
[ "$(ls -1 "$M/approvals" | paste -sd' ' -)" = graph.audit ]
check $? "ls approvals/ is [$(ls -1 "$M/approvals" | paste -sd' ' -)]"
expect_errno "apply without approval" "$EACCES" "echo yes > '$M/apply'"
grep -q '^  Delete graph.audit Blocked: approval_required$' "$M/apply"
check $? "cat apply does not show the blocked delete"
# a blocked change alone is not a failed apply (cluster.md §12): the report
# and its event say ok; the errno tells the writer what is missing
[ "$(json_file_get "$M/apply.json" ok)" = true ]
check $? "apply.json ok is not true"
expect_new_event apply root true
[ -d "$ABS/graphs/audit.omni" ]
check $? "the graph root went without approval"
[ -f "$M/approvals/graph.audit" ]
check $? "approvals/graph.audit is missing"
[ "$(stat -c %a "$M/approvals/graph.audit")" = 644 ]
check $? "approvals/graph.audit mode $(stat -c %a "$M/approvals/graph.audit"), expected 644"
cat "$M/approvals/graph.audit" >"$T/gate.json"
check_pretty_json "$T/gate.json"
expect_json resource graph.audit
expect_json satisfied false
expect_json reason "delete may remove deployed graph or schema definition"
expect_json change/operation delete
[ "$(stat -c %s "$M/approvals/graph.audit")" = "$(wc -c <"$T/gate.json")" ]
check $? "stat size of approvals/graph.audit differs from its content"

case_begin "approvals: a name that is no gate is ENOENT"
expect_errno "approve graph.nope" "No such file or directory" "echo approve > '$M/approvals/graph.nope'"
expect_errno "approve graph.knowledge" "No such file or directory" "echo approve > '$M/approvals/graph.knowledge'"
[ -z "$(ls -A "$ABS/__cluster/approvals" 2>/dev/null)" ]
check $? "an approval artifact was written"
expect_no_event "approvals of no gate"

case_begin "approvals: echo approve approves as the caller"
expect_errno "approve graph.audit" ok "echo approve > '$M/approvals/graph.audit'"
[ "$(stat -c %a "$M/approvals/graph.audit")" = 444 ]
check $? "approvals/graph.audit mode $(stat -c %a "$M/approvals/graph.audit") after approval, expected 444"
[ "$(json_file_get "$M/approvals/graph.audit" satisfied)" = true ]
check $? "approvals/graph.audit is not satisfied"
art=$(ls "$ABS/__cluster/approvals/"*.json 2>/dev/null)
[ "$(echo "$art" | wc -w)" = 1 ]
check $? "approval artifacts: [$art]"
[ "$(json_file_get "$art" approved_by)" = root ] && [ "$(json_file_get "$art" resource)" = graph.audit ]
check $? "artifact approved_by '$(json_file_get "$art" approved_by)' resource '$(json_file_get "$art" resource)'"
expect_new_event approve root true

case_begin "approvals: the approved delete applies"
expect_errno "apply with approval" ok "echo yes > '$M/apply'"
grep -q '^  Delete graph.audit Applied$' "$M/apply"
check $? "cat apply does not show the delete applied"
expect_new_event apply root true
[ ! -e "$ABS/graphs/audit.omni" ]
check $? "the graph root of audit is still there"
cat "$M/status.json" >"$T/status.json"
check_pretty_json "$T/status.json"
! json_get resource_digests/graph.audit >/dev/null && ! json_get resource_statuses/graph.audit/status >/dev/null
check $? "status.json still has graph.audit"
[ "$(json_get observations/graph.audit/kind)" = tombstone ]
check $? "no tombstone for graph.audit in status.json"
[ "$(ls -1 "$M/graphs" | paste -sd' ' -)" = "knowledge support" ]
check $? "ls graphs/ is [$(ls -1 "$M/graphs" | paste -sd' ' -)]"
[ -z "$(ls -A "$M/approvals")" ]
check $? "approvals/ still lists [$(ls -A "$M/approvals")]"
[ "$(json_file_get "$art" consumed_by_operation)" = apply ]
check $? "the artifact was not consumed"
grep -q '^cluster plan: 0 change(s), 0 approval gate(s)$' "$M/plan"
check $? "plan after the delete: $(sed -n 2p "$M/plan")"

case_begin "approvals: -o actor=0:alice names the caller alice"
M2=$T/m2
mount_start "$ABS" "$M2" -o actor=0:alice
check $? "the second mount did not come up"
M2_PID=$MPID
sed -i '/^  support:$/,/^    queries: \[queries\/support/d; s/applies_to: \[knowledge, support\]/applies_to: [knowledge]/' \
	"$M2/desired/cluster.yaml"
! grep -q '^  support:$\|applies_to:.*support' "$ABS/cluster.yaml"
check $? "the edit left support in cluster.yaml"
expect_errno "apply without approval (alice)" "$EACCES" "echo yes > '$M2/apply'"
expect_new_event apply alice true
[ "$(stat -c %a "$M/approvals/graph.support")" = 644 ]
check $? "approvals/graph.support mode on the first mount"
expect_errno "approve graph.support (alice)" ok "echo approve > '$M2/approvals/graph.support'"
expect_new_event approve alice true
art=$(grep -l '"resource": "graph.support"' "$ABS/__cluster/approvals/"*.json)
[ "$(json_file_get "$art" approved_by)" = alice ]
check $? "artifact approved_by '$(json_file_get "$art" approved_by)', expected alice"
# the first mount sees the same approval
[ "$(stat -c %a "$M/approvals/graph.support")" = 444 ]
check $? "approvals/graph.support mode on the first mount after approval"
expect_errno "apply (alice)" ok "echo yes > '$M2/apply'"
expect_new_event apply alice true
[ "$(json_file_get "$M2/apply.json" actor)" = alice ]
check $? "apply.json actor on the second mount"
# each mount keeps its own last report
[ "$(json_file_get "$M/apply.json" actor)" = root ]
check $? "apply.json actor on the first mount"
[ ! -e "$ABS/graphs/support.omni" ]
check $? "the graph root of support is still there"
mount_stop_pid "$M2" "$M2_PID"
check $? "the second mount did not stop"

# ------------------------------------------------------------------ refresh, import

case_begin "refresh: echo yes > refresh"
rev=$(revision)
expect_errno "echo yes > refresh" ok "echo yes > '$M/refresh'"
grep -q '^cluster refresh:' "$M/refresh"
check $? "cat refresh: $(head -1 "$M/refresh")"
[ "$(json_file_get "$M/refresh.json" operation)" = refresh ] && [ "$(json_file_get "$M/refresh.json" ok)" = true ]
check $? "refresh.json is not an ok refresh report"
expect_new_event refresh root true
[ "$(revision)" = $((rev + 1)) ]
check $? "revision $(revision) after refresh, expected $((rev + 1))"

case_begin "import: over an existing ledger is EEXIST"
sum=$(ledger_sum)
expect_errno "echo yes > import" "File exists" "echo yes > '$M/import'"
grep -q '^ERROR state_already_exists ' "$M/import"
check $? "cat import does not show state_already_exists"
[ "$(json_file_get "$M/import.json" ok)" = false ]
check $? "import.json ok is not false"
[ "$(ledger_sum)" = "$sum" ]
check $? "import changed state.json"
expect_new_event import root false

# ------------------------------------------------------------------ lock

case_begin "lock: empty when free; writing an id with no lock is ENOENT"
[ "$(stat -c %s "$M/lock")" = 0 ] && [ ! -s "$M/lock" ]
check $? "lock is not empty when free"
expect_errno "force-unlock with no lock" "No such file or directory" "echo 01ARZ3NDEKTSV4RRFFQ69G5FAV > '$M/lock'"
expect_new_event force-unlock root false

case_begin "lock: a crashed apply leaves the lock; cat lock shows it"
set_name acme-three
LAST_CMD="CLUSTERFS_FAILPOINTS=cluster_apply.before_state_write=crash clusterfs apply --config $ABS"
CLUSTERFS_FAILPOINTS=cluster_apply.before_state_write=crash "$CLUSTERFS" apply --config "$ABS" \
	>"$T/.run/out" 2>"$T/.run/err"
RC=$?
expect_exit 137
[ -e "$ABS/__cluster/lock.json" ]
check $? "the crash did not leave the lock"
EVN=$(event_count_of "$EV") # (a crashed process writes no event)
cmp -s "$M/lock" "$ABS/__cluster/lock.json"
check $? "cat lock differs from lock.json"
[ "$(stat -c %s "$M/lock")" = "$(stat -c %s "$ABS/__cluster/lock.json")" ]
check $? "stat size of lock is not lock.json's"
lock_id=$(json_file_get "$M/lock" lock_id)
[[ $lock_id =~ ^[0-9A-HJKMNP-TV-Z]{26}$ ]] && [ "$(json_file_get "$M/lock" operation)" = apply ]
check $? "lock JSON: $(tr '\n' ' ' <"$M/lock")"

case_begin "lock: a held lock is EBUSY"
sum=$(ledger_sum)
expect_errno "apply under a foreign lock" "Device or resource busy" "echo yes > '$M/apply'"
grep -q "^ERROR state_lock_held __cluster/lock.json: cluster state lock already exists (lock id $lock_id)" "$M/apply"
check $? "cat apply does not show state_lock_held"
expect_new_event apply root false
expect_errno "refresh under a foreign lock" "Device or resource busy" "echo yes > '$M/refresh'"
expect_new_event refresh root false
[ "$(ledger_sum)" = "$sum" ] && [ -e "$ABS/__cluster/lock.json" ]
check $? "a refused apply changed the ledger or the lock"

case_begin "lock: a wrong id is EINVAL, the right one unlocks"
expect_errno "force-unlock a wrong id" "$EINVAL" "echo WRONGID > '$M/lock'"
expect_new_event force-unlock root false
[ -e "$ABS/__cluster/lock.json" ]
check $? "a wrong id removed the lock"
expect_errno "force-unlock the id" ok "echo $lock_id > '$M/lock'"
expect_new_event force-unlock root true
[ ! -e "$ABS/__cluster/lock.json" ] && [ ! -s "$M/lock" ]
check $? "the lock is still there"

case_begin "lock: then apply converges"
rev=$(revision)
expect_errno "apply after force-unlock" ok "echo yes > '$M/apply'"
expect_new_event apply root true
[ "$(json_file_get "$M/apply.json" converged)" = true ]
check $? "apply did not converge"
[ "$(revision)" = $((rev + 1)) ]
check $? "revision $(revision), expected $((rev + 1))"
grep -q '^cluster plan: 0 change(s), 0 approval gate(s)$' "$M/plan"
check $? "plan after the recovery: $(sed -n 2p "$M/plan")"

# ------------------------------------------------------------------ events

case_begin "events: the file is the ledger's log"
cmp -s "$M/events" "$EV"
check $? "events differs from __cluster/events.jsonl"
[ "$(stat -c %s "$M/events")" = "$(stat -c %s "$EV")" ]
check $? "stat size of events is not the log's"
bad=$(grep -vc '^{"at":"[^"]*","operation":"[a-z-]*","actor":\("[^"]*"\|null\),"ok":\(true\|false\),"state_revision":\([0-9]*\|null\),\("changes":[0-9]*,\)\?"codes":\[[^]]*\],"pid":[0-9]*}$' "$EV")
[ "$bad" = 0 ]
check $? "$bad events line(s) without the keys at, operation, actor, ok, state_revision, [changes,] codes, pid"

case_begin "events: tail -f follows a new line"
timeout 15 tail -n0 -f "$M/events" >"$T/tail.out" 2>"$T/tail.err" &
TAILP=$!
sleep 1 # let tail open the file and seek to its end
set_name acme-four
expect_errno "apply while tail -f runs" ok "echo yes > '$M/apply'"
wait_until '[ -s "$T/tail.out" ]' 80
check $? "tail -f did not show the new line within 8 s: $(cat "$T/tail.err")"
kill "$TAILP" 2>/dev/null
wait "$TAILP" 2>/dev/null
[ "$(wc -l <"$T/tail.out")" = 1 ] && [ "$(event_field "$(cat "$T/tail.out")" operation)" = apply ]
check $? "tail -f showed: $(cat "$T/tail.out")"
cmp -s "$T/tail.out" <(tail -1 "$EV")
check $? "tail -f showed another line than the log's last"
expect_new_event apply root true

# ------------------------------------------------------------------ permissions

case_begin "permissions: the mount is 0644 for control files"
for f in apply refresh import lock; do
	[ "$(stat -c %a "$M/$f")" = 644 ]
	check $? "$f mode $(stat -c %a "$M/$f"), expected 644"
done
for f in plan state.json events apply.json; do
	[ "$(stat -c %a "$M/$f")" = 444 ]
	check $? "$f mode $(stat -c %a "$M/$f"), expected 444"
done

chmod o+x "$T" # others must reach the mount points
case_begin "permissions: without allow_other nobody sees nothing"
expect_errno "nobody reads plan" "$EACCES" "$NOBODY cat '$M/plan'"

case_begin "permissions: -o allow_other lets nobody read, not write"
M3=$T/m3
mount_start "$ABS" "$M3" -o allow_other
check $? "the allow_other mount did not come up"
M3_PID=$MPID
out=$(as_nobody "cat $M3/plan" 2>&1)
[ "$out" = "$(cat "$M3/plan")" ] && [ -n "$out" ]
check $? "nobody cannot read plan: $out"
expect_errno "nobody writes apply" "$EACCES" "$NOBODY bash -c 'echo yes > $M3/apply'"
expect_errno "nobody writes lock" "$EACCES" "$NOBODY bash -c 'echo x > $M3/lock'"
# (no gate now: creating in approvals/ is refused by the kernel first)
expect_errno "nobody approves" "$EACCES" "$NOBODY bash -c 'echo approve > $M3/approvals/graph.knowledge'"
expect_no_event "refused writes by nobody"
mount_stop_pid "$M3" "$M3_PID"
check $? "the allow_other mount did not stop"

case_begin "permissions: -o group=NAME lets that group write"
# an existing group nobody is not a member of, so /etc/group stays as it is
grp="" gid=""
for g in users staff src; do
	line=$(getent group "$g") || continue
	case ",$(echo "$line" | cut -d: -f4)," in *,nobody,*) continue ;; esac
	grp=$g
	gid=$(echo "$line" | cut -d: -f3)
	break
done
if [ -z "$grp" ]; then
	fail "no group to test -o group with (tried users, staff, src)"
else
	M4=$T/m4
	mount_start "$ABS" "$M4" -o "group=$grp"
	check $? "the group mount did not come up"
	M4_PID=$MPID
	for f in apply refresh import lock; do
		[ "$(stat -c '%a %G' "$M4/$f")" = "664 $grp" ]
		check $? "$f is $(stat -c '%a %G' "$M4/$f"), expected 664 $grp"
	done
	expect_errno "nobody outside the group" "$EACCES" "$NOBODY bash -c 'echo yes > $M4/apply'"
	expect_no_event "a refused write"
	set_name acme-five
	rev=$(revision)
	expect_errno "nobody in group $grp applies" ok "setpriv --reuid=nobody --regid=nogroup --groups=$gid bash -c 'echo yes > $M4/apply'"
	expect_new_event apply nobody true
	[ "$(json_file_get "$M4/apply.json" actor)" = nobody ]
	check $? "apply.json actor '$(json_file_get "$M4/apply.json" actor)', expected nobody"
	[ "$(revision)" = $((rev + 1)) ]
	check $? "revision $(revision) after nobody's apply, expected $((rev + 1))"
	mount_stop_pid "$M4" "$M4_PID"
	check $? "the group mount did not stop"
fi

finish
