#!/usr/bin/env bash
# `clusterfs apply` (cluster.md §12, §16): on worked example D bootstrapped
# by import on an empty storage root - graph creates, catalog blobs,
# convergence and the no-op re-run, a schema update with a soft drop, a
# query edit, a gated graph delete (blocked, approved, executed), an
# unsupported schema change demoting its dependents, state_missing, and
# --plan-digest (match and mismatch).
# shellcheck disable=SC2016 # backticks in expected messages are literal
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=lib_sync.sh
. "$HERE/lib_sync.sh"

APPLY_KEYS="ok config_dir actor desired_revision state_observations changes applied_count deferred_count converged state_written resource_statuses diagnostics"

# apply_json DIR [ARGS...]: `clusterfs apply --config DIR --json --as alice ARGS`.
apply_json() {
	local dir=$1 ok
	shift
	run_cfs apply --config "$dir" --json --as alice "$@"
	json_flatten "$T/.run/out" >"$T/.v/flat"
	! grep -q '^E' "$T/.v/flat"
	check $? "--json output is not a pretty JSON object"
	expect_stderr_empty
	json_diag_lines "$T/.v/flat" >"$T/.v/jdiags"
	expect_keys "" "$APPLY_KEYS"
	ok=$(json_get ok)
	case "$RC:$ok" in
	0:true | 1:false) pass ;;
	*) fail "exit status $RC with \"ok\": $ok" ;;
	esac
}

# change N RESOURCE OPERATION DISPOSITION [REASON]
expect_change() {
	expect_json "changes/$1/resource" "$2"
	expect_json "changes/$1/operation" "$3"
	expect_json "changes/$1/disposition" "$4"
	if [ $# -ge 5 ]; then expect_json "changes/$1/reason" "$5"; else expect_absent "changes/$1/reason"; fi
}

graph_version() {
	"$CLUSTERFS" graph info "$1" | awk -F'[:,]' '/"version"/ { gsub(/ /, "", $2); print $2; exit }'
}

# ------------------------------------------------------------------ bootstrap + creates

case_begin "apply: state_missing before import"
cluster c --no-graph
apply_json c
expect_exit 1
expect_diags <<'X'
ERROR state_missing __cluster/state.json: apply requires an existing state.json; run `cluster import` to bootstrap state
X
expect_json applied_count 0
expect_json deferred_count 0
expect_json converged false
expect_json state_written false
[ ! -e "$T/c/__cluster/state.json" ]
check $? "state.json was written"

case_begin "apply: creates the graph, publishes blobs, converges"
run_cfs import --config c
expect_exit 0
apply_json c
expect_exit 0
expect_json actor alice
expect_json desired_revision/config_digest "$D_CONFIG_DIGEST"
expect_json applied_count 4
expect_json deferred_count 0
expect_json converged true
expect_json state_written true
expect_json state_observations/state_revision 2
expect_json state_observations/applied_config_digest "$D_CONFIG_DIGEST"
expect_change 0 graph.knowledge create applied
expect_change 1 policy.base create applied
expect_change 2 query.knowledge.find_person create applied
expect_change 3 schema.knowledge create applied
expect_json changes/0/after_digest "$GRAPH_AQ"
expect_status graph.knowledge applied
expect_status query.knowledge.find_person applied
expect_diag_count 0
[ -d "$T/c/graphs/knowledge.omni" ]
check $? "graph root missing"
run_cfs graph info "$T/c/graphs/knowledge.omni"
expect_exit 0
expect_stdout_contains "$SCHEMA_A_DIGEST"
cmp -s "$T/c/queries/people.gq" "$T/c/$(blob_path c query.knowledge.find_person "$QUERY_A_DIGEST")"
check $? "query blob not published"
cmp -s "$T/c/base.policy.yaml" "$T/c/$(blob_path c policy.base "$POLICY_A_DIGEST")"
check $? "policy blob not published"
[ -z "$(ls -A "$T/c/__cluster/recoveries" 2>/dev/null)" ]
check $? "recovery sidecars left behind"
grep -q '"applies_to"' "$T/c/__cluster/state.json"
check $? "policy applies_to not recorded"

case_begin "apply: a converged re-run is a no-op"
cp "$T/c/__cluster/state.json" "$T/state.before"
apply_json c
expect_exit 0
expect_json changes '[]'
expect_json applied_count 0
expect_json converged true
expect_json state_written false
expect_json state_observations/state_revision 2
cmp -s "$T/state.before" "$T/c/__cluster/state.json"
check $? "state.json changed"

case_begin "apply: human output"
run_cfs apply --config c
expect_exit 0
cp "$T/.run/out" "$T/.v/human"
expect_human <<'X'
cluster apply: 0 applied, 0 deferred/blocked
  state: revision 2, converged: true, written: false
X

# ------------------------------------------------------------------ schema updates

case_begin "apply: schema update adding a property, then a soft drop"
printf 'node Person {\n  name: String @key\n  age: I32?\n}\n' >"$T/c/people.pg"
v0=$(graph_version "$T/c/graphs/knowledge.omni")
apply_json c
expect_exit 0
expect_change 0 graph.knowledge update derived
expect_change 1 schema.knowledge update applied
expect_json applied_count 1
expect_json converged true
expect_json state_written true
v1=$(graph_version "$T/c/graphs/knowledge.omni")
[ "$v1" = $((v0 + 1)) ]
check $? "graph version $v1 after $v0"
printf 'node Person {\n  name: String @key\n}\n' >"$T/c/people.pg"
run_cfs plan --config c
expect_stdout_contains '"mode":"soft"'
apply_json c
expect_exit 0
expect_change 1 schema.knowledge update applied
expect_json converged true
v2=$(graph_version "$T/c/graphs/knowledge.omni")
[ "$v2" = $((v1 + 1)) ]
check $? "graph version $v2 after $v1 (soft drop)"
expect_json state_observations/state_revision 4

case_begin "apply: a query edit republishes the catalog"
printf 'query find_person($who: String) {\n  match { $p: Person { name: $who } }\n  return { $p.name }\n}\n' >"$T/c/queries/people.gq"
qd=$(sha256_file "$T/c/queries/people.gq")
apply_json c
expect_exit 0
expect_change 0 graph.knowledge update derived
expect_change 1 query.knowledge.find_person update applied
expect_json changes/1/after_digest "$qd"
expect_json converged true
cmp -s "$T/c/queries/people.gq" "$T/c/$(blob_path c query.knowledge.find_person "$qd")"
check $? "edited query blob not published"

# ------------------------------------------------------------------ plan digest

case_begin "apply --plan-digest: mismatch refused before any graph moves"
printf 'node Person {\n  name: String @key\n  nick: String?\n}\n' >"$T/c/people.pg"
run_cfs plan --config c
digest=$(sed -n 's/^plan digest: //p' "$T/.run/out")
cp "$T/c/__cluster/state.json" "$T/state.before"
apply_json c --plan-digest 0000
expect_exit 1
expect_diags <<X
ERROR plan_stale changes: the plan changed since it was reviewed (plan digest $digest); re-run \`clusterfs plan\`
X
expect_json state_written false
cmp -s "$T/state.before" "$T/c/__cluster/state.json"
check $? "state.json changed"
[ "$(graph_version "$T/c/graphs/knowledge.omni")" = "$v2" ]
check $? "graph moved"

case_begin "apply --plan-digest: match applies"
apply_json c --plan-digest "$digest"
expect_exit 0
expect_change 1 schema.knowledge update applied
expect_json converged true

case_begin "apply --plan-digest: a digest applies at most once"
# the ledger write changed the state CAS, so the same digest is now stale
cp "$T/c/__cluster/state.json" "$T/state.before"
apply_json c --plan-digest "$digest"
expect_exit 1
expect_diag_prefix "ERROR plan_stale changes: the plan changed since it was reviewed"
cmp -s "$T/state.before" "$T/c/__cluster/state.json"
check $? "a stale digest wrote the ledger"

case_begin "apply --plan-digest: a plan made before the ledger existed is stale after import"
rm -rf "$T/nl" && cp -R "$T/c" "$T/nl" && rm -rf "$T/nl/__cluster" "$T/nl/graphs"
run_cfs plan --config nl
early=$(sed -n 's/^plan digest: //p' "$T/.run/out")
run_cfs import --config nl
expect_exit 0
apply_json nl --plan-digest "$early"
expect_exit 1
expect_diag_prefix "ERROR plan_stale changes: "

# ------------------------------------------------------------------ unsupported schema change

case_begin "apply: unsupported schema change fails and blocks dependents"
printf 'node Person {\n  name: String @key\n  nick: String?\n  email: String\n}\n' >"$T/c/people.pg"
apply_json c
expect_exit 1
expect_change 0 graph.knowledge update blocked dependency_not_applied
expect_change 1 schema.knowledge update blocked schema_apply_failed
expect_json converged false
expect_json state_written true
expect_diag_prefix "ERROR schema_apply_failed schema.knowledge: schema apply is not supported on '$T/c/graphs/knowledge.omni': "
expect_diag "WARN  apply_dependency_blocked schema.knowledge: blocked by an unapplied or missing dependency (schema_apply_failed)"
expect_status schema.knowledge blocked schema_apply_failed "waiting on an unapplied or missing dependency"
[ -z "$(ls -A "$T/c/__cluster/recoveries" 2>/dev/null)" ]
check $? "a sidecar was left for a pre-movement refusal"
printf 'node Person {\n  name: String @key\n  nick: String?\n}\n' >"$T/c/people.pg"
apply_json c
expect_exit 0
expect_json converged true

# ------------------------------------------------------------------ gated delete

case_begin "apply: a second graph is created"
cat >>"$T/c/cluster.yaml" <<'X'
X
sed -i 's/^graphs:$/graphs:\n  other:\n    schema: people.pg/' "$T/c/cluster.yaml"
apply_json c
expect_exit 0
expect_change 0 graph.other create applied
expect_json converged true
[ -d "$T/c/graphs/other.omni" ]
check $? "graph root other missing"

case_begin "apply: removing a graph is gated"
sed -i '/^  other:$/,+1d' "$T/c/cluster.yaml"
run_cfs plan --config c --json
expect_exit 0
expect_stdout_contains '"resource": "graph.other"'
expect_stdout_contains '"satisfied": false'
apply_json c
expect_exit 0
expect_change 0 graph.other delete blocked approval_required
expect_change 1 schema.other delete blocked approval_required
expect_json applied_count 0
expect_json deferred_count 2
expect_json converged false
expect_diag "WARN  apply_dependency_blocked graph.other: blocked by an unapplied or missing dependency (approval_required)"
[ -d "$T/c/graphs/other.omni" ]
check $? "graph root removed without approval"

case_begin "apply: an approved delete removes the root and tombstones"
run_cfs approve graph.other --config c --as bob
expect_exit 0
apply_json c
expect_exit 0
expect_change 0 graph.other delete applied
expect_change 1 schema.other delete applied
expect_json converged true
expect_json state_written true
expect_absent resource_statuses/graph.other
[ ! -e "$T/c/graphs/other.omni" ]
check $? "graph root still exists"
grep -q '"kind": "tombstone"' "$T/c/__cluster/state.json"
check $? "no tombstone"
grep -q '"consumed_by_operation": "apply"' "$T/c/__cluster/state.json"
check $? "no approval record"
grep -q '"consumed_at"' "$T/c/__cluster/approvals/"*.json
check $? "approval artifact not consumed"
apply_json c
expect_json state_written false
expect_json converged true

case_begin "apply: actor from CLUSTERFS_ACTOR"
CLUSTERFS_ACTOR=carol run_cfs apply --config c --json
json_flatten "$T/.run/out" >"$T/.v/flat"
expect_json actor carol

finish
