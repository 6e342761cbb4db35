#!/usr/bin/env bash
# `clusterfs apply` failpoints (cluster.md §17, §12 steps 7-14, §10.1): each
# cluster_apply.* point with action `error` (exact diagnostic, the graph
# failing or the run stopping with no ledger write) and with `crash` (exit
# 137, the lock stays; force-unlock with the id status shows; the next
# apply's sweep classifies the sidecar and converges).
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=lib_sync.sh
. "$HERE/lib_sync.sh"

# apply_json DIR [ARGS...]: apply --json with CLUSTERFS_FAILPOINTS=$FP.
apply_json() {
	local dir=$1
	shift
	LAST_CMD="CLUSTERFS_FAILPOINTS=${FP:-} clusterfs apply --config $dir --json $*"
	CLUSTERFS_FAILPOINTS=${FP:-} timeout 60 "$CLUSTERFS" apply --config "$dir" --json --as alice "$@" \
		>"$T/.run/out" 2>"$T/.run/err" </dev/null
	RC=$?
	json_flatten "$T/.run/out" >"$T/.v/flat"
	json_diag_lines "$T/.v/flat" >"$T/.v/jdiags"
}

# fresh DIR: example D imported on an empty storage root (no graph yet).
fresh() {
	cluster "$1" --no-graph
	"$CLUSTERFS" import --config "$1" >/dev/null || { echo "FAIL: import" >&2; exit 1; }
}

# applied DIR: fresh + a clean apply (graph created, converged).
applied() {
	fresh "$1"
	FP="" apply_json "$1"
	[ "$RC" = 0 ] || { echo "FAIL: clean apply" >&2; exit 1; }
}

sidecars() { ls "$T/$1/__cluster/recoveries" 2>/dev/null | wc -l; }

graph_version() {
	"$CLUSTERFS" graph info "$1" | awk -F'[:,]' '/"version"/ { gsub(/ /, "", $2); print $2; exit }'
}

# converges DIR: a plain apply now converges.
converges() {
	FP="" apply_json "$1"
	expect_exit 0
	expect_json converged true
	[ "$(sidecars "$1")" = 0 ]
	check $? "sidecars left after the converging apply"
	[ ! -e "$T/$1/__cluster/lock.json" ]
	check $? "lock left behind"
}

# unlock_crashed DIR: the crash left the lock; remove it by id.
unlock_crashed() {
	[ -e "$T/$1/__cluster/lock.json" ]
	check $? "crash did not leave the lock"
	run_cfs status --config "$1" --json
	json_flatten "$T/.run/out" >"$T/.v/flat"
	local id
	id=$(json_get state_observations/lock_id)
	run_cfs force-unlock "$id" --config "$1"
	expect_exit 0
}

SOFT_B=$'node Person {\n  name: String @key\n  age: I32?\n}\n'

# ------------------------------------------------------------------ creates

case_begin "before_graph_create=error: the graph fails, the ledger records it"
fresh c
FP=cluster_apply.before_graph_create apply_json c
expect_exit 1
expect_diag "ERROR injected_failpoint cluster_apply.before_graph_create: injected failpoint triggered: cluster_apply.before_graph_create"
expect_json changes/0/resource graph.knowledge
expect_json changes/0/disposition blocked
expect_json changes/0/reason graph_create_failed
expect_json changes/3/reason dependency_not_applied
expect_json changes/2/reason dependency_not_applied
expect_json state_written true
expect_json converged false
[ ! -e "$T/c/graphs/knowledge.omni" ]
check $? "graph root created"
[ "$(sidecars c)" = 1 ]
check $? "sidecar not kept"
converges c

case_begin "after_graph_create=error: the run stops with no ledger write"
fresh c
cp "$T/c/__cluster/state.json" "$T/state.before"
FP=cluster_apply.after_graph_create apply_json c
expect_exit 1
expect_diag "ERROR injected_failpoint cluster_apply.after_graph_create: injected failpoint triggered: cluster_apply.after_graph_create"
expect_json state_written false
expect_json applied_count 0
cmp -s "$T/state.before" "$T/c/__cluster/state.json"
check $? "state.json changed"
[ -d "$T/c/graphs/knowledge.omni" ]
check $? "graph root missing"
[ "$(sidecars c)" = 1 ]
check $? "sidecar not kept"
converges c
expect_diag_prefix "WARN  cluster_recovery_rolled_forward graph.knowledge"

case_begin "after_graph_create=crash: exit 137, lock stays, sweep converges"
fresh c
FP=cluster_apply.after_graph_create=crash apply_json c
expect_exit 137
unlock_crashed c
converges c
expect_diag_prefix "WARN  cluster_recovery_rolled_forward graph.knowledge"

case_begin "before_graph_create=crash: the sidecar is retired (root absent)"
fresh c
FP=cluster_apply.before_graph_create=crash apply_json c
expect_exit 137
unlock_crashed c
converges c

# ------------------------------------------------------------------ schema updates

case_begin "before_schema_apply=error: nothing moved, schema fails"
applied c
printf '%s' "$SOFT_B" >"$T/c/people.pg"
v=$(graph_version "$T/c/graphs/knowledge.omni")
FP=cluster_apply.before_schema_apply apply_json c
expect_exit 1
expect_diag "ERROR injected_failpoint cluster_apply.before_schema_apply: injected failpoint triggered: cluster_apply.before_schema_apply"
expect_json changes/1/resource schema.knowledge
expect_json changes/1/reason schema_apply_failed
expect_json changes/0/reason dependency_not_applied
expect_json state_written true
[ "$(graph_version "$T/c/graphs/knowledge.omni")" = "$v" ]
check $? "graph moved"
converges c

case_begin "after_schema_apply=error: stops; the sweep rolls forward"
applied c
printf '%s' "$SOFT_B" >"$T/c/people.pg"
cp "$T/c/__cluster/state.json" "$T/state.before"
v=$(graph_version "$T/c/graphs/knowledge.omni")
FP=cluster_apply.after_schema_apply apply_json c
expect_exit 1
expect_diag "ERROR injected_failpoint cluster_apply.after_schema_apply: injected failpoint triggered: cluster_apply.after_schema_apply"
expect_json state_written false
cmp -s "$T/state.before" "$T/c/__cluster/state.json"
check $? "state.json changed"
[ "$(graph_version "$T/c/graphs/knowledge.omni")" = $((v + 1)) ]
check $? "schema not applied"
converges c
expect_diag_prefix "WARN  cluster_recovery_rolled_forward graph.knowledge"

case_begin "after_schema_apply=crash"
applied c
printf '%s' "$SOFT_B" >"$T/c/people.pg"
FP=cluster_apply.after_schema_apply=crash apply_json c
expect_exit 137
unlock_crashed c
converges c

# ------------------------------------------------------------------ payload, state write

case_begin "after_payload_phase=error: blobs written, ledger not"
fresh c
cp "$T/c/__cluster/state.json" "$T/state.before"
FP=cluster_apply.after_payload_phase apply_json c
expect_exit 1
expect_diag "ERROR injected_failpoint cluster_apply.after_payload_phase: injected failpoint triggered: cluster_apply.after_payload_phase"
expect_json state_written false
cmp -s "$T/state.before" "$T/c/__cluster/state.json"
check $? "state.json changed"
[ -e "$T/c/$(blob_path c query.knowledge.find_person "$QUERY_A_DIGEST")" ]
check $? "blob not published"
converges c

case_begin "before_state_write=error: the write fails, sidecars kept"
fresh c
cp "$T/c/__cluster/state.json" "$T/state.before"
FP=cluster_apply.before_state_write apply_json c
expect_exit 1
expect_diag "ERROR injected_failpoint cluster_apply.before_state_write: injected failpoint triggered: cluster_apply.before_state_write"
expect_json state_written false
expect_json resource_statuses/graph.knowledge/status drifted
cmp -s "$T/state.before" "$T/c/__cluster/state.json"
check $? "state.json changed"
[ "$(sidecars c)" = 1 ]
check $? "sidecar not kept"
converges c

case_begin "before_state_write=crash"
fresh c
FP=cluster_apply.before_state_write=crash apply_json c
expect_exit 137
unlock_crashed c
converges c

# ------------------------------------------------------------------ deletes

# gated DIR: applied with a second graph, then removed and approved.
gated() {
	applied "$1"
	sed -i 's/^graphs:$/graphs:\n  other:\n    schema: people.pg/' "$T/$1/cluster.yaml"
	FP="" apply_json "$1"
	sed -i '/^  other:$/,+1d' "$T/$1/cluster.yaml"
	"$CLUSTERFS" approve graph.other --config "$1" --as bob >/dev/null || { echo "FAIL: approve" >&2; exit 1; }
}

case_begin "before_graph_delete=error: the delete fails, root kept"
gated c
FP=cluster_apply.before_graph_delete apply_json c
expect_exit 1
expect_diag "ERROR injected_failpoint cluster_apply.before_graph_delete: injected failpoint triggered: cluster_apply.before_graph_delete"
expect_json changes/0/resource graph.other
expect_json changes/0/reason graph_delete_failed
expect_json changes/1/reason dependency_not_applied
[ -d "$T/c/graphs/other.omni" ]
check $? "root deleted"
converges c
[ ! -e "$T/c/graphs/other.omni" ]
check $? "root not deleted by the converging apply"

case_begin "after_graph_delete=error: root gone, ledger not written"
gated c
cp "$T/c/__cluster/state.json" "$T/state.before"
FP=cluster_apply.after_graph_delete apply_json c
expect_exit 1
expect_diag "ERROR injected_failpoint cluster_apply.after_graph_delete: injected failpoint triggered: cluster_apply.after_graph_delete"
cmp -s "$T/state.before" "$T/c/__cluster/state.json"
check $? "state.json changed"
[ ! -e "$T/c/graphs/other.omni" ]
check $? "root not deleted"
converges c
expect_diag_prefix "WARN  cluster_recovery_rolled_forward graph.other"
grep -q '"kind": "tombstone"' "$T/c/__cluster/state.json"
check $? "no tombstone"

case_begin "after_graph_delete=crash"
gated c
FP=cluster_apply.after_graph_delete=crash apply_json c
expect_exit 137
unlock_crashed c
converges c
grep -q '"kind": "tombstone"' "$T/c/__cluster/state.json"
check $? "no tombstone"

finish
