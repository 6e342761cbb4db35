#!/usr/bin/env bash
# `clusterfs approve ADDR --as ACTOR` (cluster.md §9, §13, §16;
# engine/approve.c, ledger/approval.c, cli/approve.c) on the worked-example
# cluster D of §5.6 with hand-made ledgers (true composites): the actor
# (--as, CLUSTERFS_ACTOR, neither: refused before anything is loaded), the
# artifact written byte for byte, approving twice, the gate rule (graph
# delete, standalone schema delete; not a subtree schema, a query, an
# unchanged or unknown address), state_missing, ledger errors, validation
# errors, the lock (held, released, state.lock false), approval_write_error,
# the report field for field in both renderings, and the usage errors.
# shellcheck disable=SC2016 # backticks and $ in expected messages are literal
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

CONFIG_D=eec3f84486684b80edbdac219f8889e95fdce320043b9c5e164055d19a7b8945
GRAPH_D=cd23cf0245d1231f4434edb2049355e45452070f93037f2fc871613362a854f6
LOCK_ID=01ARZ3NDEKTSV4RRFFQ69G5FAV
GATE_REASON='delete may remove deployed graph or schema definition'
NOT_REQUIRED='no pending change for this resource requires approval (check `cluster plan`)'
HELD_MSG="cluster state lock already exists (lock id $LOCK_ID); run \`clusterfs force-unlock $LOCK_ID\` only after confirming no cluster operation is active"
NO_ACTOR='approve requires --as ACTOR (or CLUSTERFS_ACTOR)'
ULID_RE='^[0-9A-HJKMNP-TV-Z]{26}$'
unset CLUSTERFS_ACTOR

# ------------------------------------------------------------------ helpers

# approve ARGS...: run `clusterfs approve ARGS` with --json and without
# (the human run first: each run writes its own artifact on success) and
# check both: nothing on stderr, same exit status, one pretty JSON object
# with the members in order (optional ones all or none), ok <-> exit
# status <-> errors, the same diagnostics in both renderings, the headline.
approve() {
	local human_rc ok keys
	run_cfs approve "$@"
	human_rc=$RC
	cp "$T/.run/out" "$T/.v/human"
	expect_stderr_empty
	run_cfs approve "$@" --json
	cp "$T/.run/out" "$T/.v/json"
	expect_stderr_empty
	[ "$human_rc" = "$RC" ]
	check $? "exit status $human_rc without --json but $RC with --json"
	{ cat "$T/.v/human"; echo "--- (--json) ---"; cat "$T/.v/json"; } >"$T/.run/out"
	check_pretty_json "$T/.v/json"
	json_diag_lines "$T/.v/flat" >"$T/.v/jdiags"
	# (each run draws its own approval id: compare with ULIDs masked)
	sed -n '2,$p' "$T/.v/human" | sed -E 's/[0-9A-HJKMNP-TV-Z]{26}/<ULID>/g' >"$T/.v/hdiags"
	sed -E 's/[0-9A-HJKMNP-TV-Z]{26}/<ULID>/g' "$T/.v/jdiags" >"$T/.v/jdiags.masked"
	cmp -s "$T/.v/hdiags" "$T/.v/jdiags.masked"
	check $? "human diagnostics differ from --json diagnostics"
	ok=$(json_get ok)
	case "$RC:$ok" in
	0:true | 1:false) pass ;;
	*) fail "exit status $RC with \"ok\": $ok" ;;
	esac
	if grep -q '^ERROR ' "$T/.v/jdiags"; then [ "$ok" = false ]; else [ "$ok" = true ]; fi
	check $? "\"ok\": $ok does not follow the error diagnostics"
	keys=$(json_keys "$T/.v/flat" "")
	if [ "$ok" = true ]; then
		[ "$keys" = "ok config_dir approval_id resource operation approved_by diagnostics" ]
		check $? "report members are [$keys]"
		[[ "$(json_get approval_id)" =~ $ULID_RE ]]
		check $? "approval_id is not a ULID"
		[ "$(sed -n 1p "$T/.v/human")" = "cluster approve: $(json_get operation) $(json_get resource) approved by $(json_get approved_by) (approval $(sed -n 's/.*(approval \(.*\))$/\1/p' "$T/.v/human" | head -1))" ]
		check $? "bad headline"
		[[ "$(sed -n 's/.*(approval \(.*\))$/\1/p' "$T/.v/human" | head -1)" =~ $ULID_RE ]]
		check $? "human approval id is not a ULID"
	else
		[ "$keys" = "ok config_dir diagnostics" ]
		check $? "report members are [$keys]"
		[ "$(sed -n 1p "$T/.v/human")" = "cluster approve failed" ]
		check $? "failed approve does not start with 'cluster approve failed'"
	fi
}

# artifacts DIR: number of artifact files.
artifacts() {
	find "$1/__cluster/approvals" -name '*.json' 2>/dev/null | wc -l
}

expect_artifacts() {
	local n
	n=$(artifacts "$1")
	[ "$n" -eq "$2" ]
	check $? "$n artifact(s) in $1, expected $2"
}

expect_no_lock_file() {
	[ ! -e "$1/__cluster/lock.json" ]
	check $? "$1/__cluster/lock.json was left behind"
}

ledger() {
	write_file "$1/__cluster/state.json" '{"version":1,"state_revision":3,"applied_revision":{"config_digest":"%s","resources":{%s}}}\n' \
		"$CONFIG_D" "$2"
}

RES_D="\"graph.knowledge\":{\"digest\":\"$GRAPH_D\"},\"schema.knowledge\":{\"digest\":\"$SCHEMA_A_DIGEST\"},\"query.knowledge.find_person\":{\"digest\":\"$QUERY_A_DIGEST\"},\"policy.base\":{\"digest\":\"$POLICY_A_DIGEST\",\"applies_to\":[\"graph.knowledge\"]}"
OLD_G=$(graph_digest old 4444 q q 5555)
RES_OLD="\"graph.old\":{\"digest\":\"$OLD_G\"},\"schema.old\":{\"digest\":\"4444\"},\"query.old.q\":{\"digest\":\"5555\"},\"schema.lone\":{\"digest\":\"6666\"}"

fresh() {
	rm -rf "${T:?}/c"
	cp -R "$CFS_FIXTURES/digest/D" "$T/c"
	ledger c "$RES_D,$RES_OLD"
}

# ------------------------------------------------------------------ the actor

case_begin "no actor: refused before anything is loaded"
run_cfs approve graph.old --config nowhere
expect_exit 1
expect_stdout_empty
expect_stderr_lines 1
expect_stderr_contains "$NO_ACTOR"
run_cfs approve graph.old --config nowhere --json
expect_exit 1
expect_stdout_empty
expect_stderr_contains "--as"
CLUSTERFS_ACTOR='' run_cfs approve graph.old --config nowhere
expect_exit 1
expect_stderr_contains "$NO_ACTOR"
run_cfs approve graph.old --config nowhere --as ''
expect_exit 1
expect_stderr_contains "$NO_ACTOR"

case_begin "no actor on a real cluster writes nothing"
fresh
run_cfs approve graph.old --config c
expect_exit 1
expect_stdout_empty
expect_artifacts c 0
[ ! -e c/__cluster/approvals ]
check $? "approvals dir created"

# ------------------------------------------------------------------ success

case_begin "approve a graph delete: report and artifact"
fresh
cp c/__cluster/state.json "$T/state.before"
run_cfs approve graph.old --config c --as alice --json
expect_exit 0
expect_stderr_empty
json_flatten "$T/.run/out" >"$T/.v/flat"
expect_keys "" "ok config_dir approval_id resource operation approved_by diagnostics"
expect_json ok true
expect_json config_dir c
expect_json resource graph.old
expect_json operation delete
expect_json approved_by alice
expect_json diagnostics "[]"
ID=$(json_get approval_id)
[[ "$ID" =~ $ULID_RE ]]
check $? "approval_id '$ID' is not a ULID"
F="c/__cluster/approvals/$ID.json"
[ -f "$F" ]
check $? "no artifact $F"
expect_artifacts c 1
CREATED=$(sed -n 's/^  "created_at": "\(.*\)",$/\1/p' "$F")
[[ "$CREATED" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$ ]]
check $? "created_at '$CREATED' is not RFC 3339 UTC"
printf '{\n  "schema_version": 1,\n  "approval_id": "%s",\n  "resource": "graph.old",\n  "operation": "delete",\n  "reason": "%s",\n  "bound_config_digest": "%s",\n  "bound_before_digest": "%s",\n  "bound_after_digest": null,\n  "approved_by": "alice",\n  "created_at": "%s",\n  "consumed_at": null,\n  "consumed_by_operation": null\n}\n' \
	"$ID" "$GATE_REASON" "$CONFIG_D" "$OLD_G" "$CREATED" >"$T/want.json"
cmp -s "$T/want.json" "$F"
check $? "artifact bytes differ: $(diff "$T/want.json" "$F" | head -4 | tr '\n' ' ')"
cmp -s c/__cluster/state.json "$T/state.before"
check $? "approve changed state.json"
expect_no_lock_file c

case_begin "the plan now sees the gate satisfied"
run_cfs plan --config c --json
expect_exit 0
json_flatten "$T/.run/out" >"$T/.v/flat"
expect_json approvals_required/0/resource graph.old
expect_json approvals_required/0/satisfied true
expect_json changes/0/resource graph.old
expect_json changes/0/disposition applied

case_begin "approving twice writes two artifacts; human output"
approve graph.old --config c --as bob
expect_exit 0
expect_artifacts c 3
ID2=$(sed -n 's/.*(approval \(.*\))$/\1/p' "$T/.v/human")
expect_human <<EOF
cluster approve: delete graph.old approved by bob (approval $ID2)
EOF
[ -f "c/__cluster/approvals/$ID2.json" ]
check $? "no artifact for the human run"
expect_json approved_by bob
cmp -s c/__cluster/state.json "$T/state.before"
check $? "approve changed state.json"

case_begin "CLUSTERFS_ACTOR is the default; --as wins"
fresh
CLUSTERFS_ACTOR=carol run_cfs approve graph.old --config c --json
expect_exit 0
json_flatten "$T/.run/out" >"$T/.v/flat"
expect_json approved_by carol
grep -q '"approved_by": "carol"' "c/__cluster/approvals/$(json_get approval_id).json"
check $? "artifact not approved by carol"
CLUSTERFS_ACTOR=carol run_cfs approve graph.old --config c --json --as dave
expect_exit 0
json_flatten "$T/.run/out" >"$T/.v/flat"
expect_json approved_by dave

case_begin "a standalone schema delete is a gate of its own"
fresh
approve schema.lone --config c --as alice
expect_exit 0
expect_json resource schema.lone
expect_json operation delete
grep -q '"bound_before_digest": "6666"' "c/__cluster/approvals/$(json_get approval_id).json"
check $? "schema.lone artifact not bound to 6666"

case_begin "runs from the config dir by default"
run_cfs_in c approve graph.old --as alice
expect_exit 0
expect_stdout_contains "cluster approve: delete graph.old approved by alice (approval "

# ------------------------------------------------------------------ not a gate

for addr in schema.old query.old.q graph.knowledge policy.base nothing.here; do
	case_begin "approval_not_required: $addr"
	fresh
	approve "$addr" --config c --as alice
	expect_exit 1
	expect_diags <<EOF
ERROR approval_not_required $addr: $NOT_REQUIRED
EOF
	expect_artifacts c 0
	expect_no_lock_file c
done

case_begin "approval_not_required: an update is not gated"
fresh
ledger c "${RES_D/$QUERY_A_DIGEST/0000}"
approve query.knowledge.find_person --config c --as alice
expect_exit 1
expect_diag "ERROR approval_not_required query.knowledge.find_person: $NOT_REQUIRED"
expect_human <<EOF
cluster approve failed
ERROR approval_not_required query.knowledge.find_person: $NOT_REQUIRED
EOF

# ------------------------------------------------------------------ ledger

case_begin "state_missing"
fresh
rm c/__cluster/state.json
approve graph.old --config c --as alice
expect_exit 1
expect_diags <<'EOF'
ERROR state_missing __cluster/state.json: approve requires an existing state.json; run `cluster import` first
EOF
expect_artifacts c 0
expect_no_lock_file c

case_begin "invalid ledger"
fresh
write_file c/__cluster/state.json '{"version":1,"applied_revision":{"resources":{}},"surprise":1}'
approve graph.old --config c --as alice
expect_exit 1
expect_diag_prefix "ERROR invalid_state_json __cluster/state.json: could not parse state JSON: "
expect_artifacts c 0
expect_no_lock_file c

case_begin "storage root elsewhere"
fresh
mkdir -p "$T/store"
mv c/__cluster "$T/store/"
sed -i 's|^metadata: {name: demo}$|metadata: {name: demo}\nstorage: ../store|' c/cluster.yaml
approve graph.old --config c --as alice
expect_exit 0
expect_artifacts "$T/store" 2
[ ! -e c/__cluster ]
check $? "approve wrote under the config dir"

# ------------------------------------------------------------------ the lock

case_begin "held lock: state_lock_held, nothing written, lock untouched"
fresh
write_file c/__cluster/lock.json '{\n  "version": 1,\n  "lock_id": "%s",\n  "operation": "apply",\n  "created_at": "1970-01-01T00:00:00Z",\n  "pid": 123\n}' "$LOCK_ID"
cp c/__cluster/lock.json "$T/lock.before"
approve graph.old --config c --as alice
expect_exit 1
expect_diags <<EOF
ERROR state_lock_held __cluster/lock.json: $HELD_MSG
EOF
expect_artifacts c 0
cmp -s c/__cluster/lock.json "$T/lock.before"
check $? "approve touched a foreign lock"

case_begin "state.lock false: warning, still approved"
fresh
sed -i 's/^metadata: {name: demo}$/metadata: {name: demo}\nstate: {lock: false}/' c/cluster.yaml
approve graph.old --config c --as alice
expect_exit 0
expect_diags <<'EOF'
WARN  state_lock_disabled state.lock: state.lock is false; approve ran without acquiring the cluster state lock
EOF
ID=$(sed -n 's/.*(approval \(.*\))$/\1/p' "$T/.v/human")
expect_human <<EOF
cluster approve: delete graph.old approved by alice (approval $ID)
WARN  state_lock_disabled state.lock: state.lock is false; approve ran without acquiring the cluster state lock
EOF

# ------------------------------------------------------------------ failures

case_begin "approval_write_error"
fresh
mkdir -p c/__cluster
write_file c/__cluster/approvals 'a file where the directory should be'
approve graph.old --config c --as alice
expect_exit 1
expect_diag_count 1
expect_diag_re "^ERROR approval_write_error $T/c/__cluster/approvals/[0-9A-Z]{26}\\.json: could not write approval artifact: .+\$"
expect_no_lock_file c

case_begin "validation errors stop before the lock"
fresh
rm c/base.policy.yaml
approve graph.old --config c --as alice
expect_exit 1
expect_diag_prefix "ERROR policy_file_missing "
expect_artifacts c 0
expect_no_lock_file c

case_begin "config dir missing"
approve graph.old --config nowhere --as alice
expect_exit 1
expect_json config_dir nowhere
expect_diags <<'EOF'
ERROR config_dir_not_found nowhere: `--config` must point at a directory containing cluster.yaml
EOF

# ------------------------------------------------------------------ usage

case_begin "usage errors"
run_cfs approve --config c --as alice
expect_exit 2
expect_stdout_empty
run_cfs approve graph.old schema.old --config c --as alice
expect_exit 2
expect_stdout_empty
run_cfs approve graph.old --bogus --as alice
expect_exit 2
run_cfs approve graph.old --as
expect_exit 2
run_cfs approve --help
expect_exit 0
expect_stdout_contains "usage: clusterfs approve ADDR [--config DIR] [--json] --as ACTOR"

finish
