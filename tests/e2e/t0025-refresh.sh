#!/usr/bin/env bash
# `clusterfs refresh` (cluster.md §14, §7, §8, §10.1, §16) on worked example
# D: revision old+1 on every write, CAS, lock released; a missing ledger;
# the composite integrity check stopping without a write; the catalog
# check with its effects (missing / mismatched blobs removed and drifted,
# unreadable kept as an error, refresh still writing); every graph
# observation (opens, schema mismatch, missing, does not open); provider
# binding and blob policy kept; the recovery sweep (schema apply rolled
# forward, delete tombstoned with its approval consumed, a kept sidecar,
# an incomplete delete); the write failing or losing its CAS; the lock.
# shellcheck disable=SC2016 # backticks in expected messages are literal
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=lib_sync.sh
. "$HERE/lib_sync.sh"

OP=01J00000000000000000000001
OP2=01J00000000000000000000002
APPROVAL=01J0000000000000000000000A
printf '%s' "$SCHEMA_B_TEXT" >schema_b.pg
SCHEMA_B_DIGEST=$(sha256_file schema_b.pg)

# cluster_d DIR: example D with its graph root and a full ledger (revision 4)
# whose query and policy blobs are published.
cluster_d() {
	cluster "$1"
	write_state "$1" "$(ledger_d "${2:-}")"
	blob "$1" query.knowledge.find_person "$QUERY_A_DIGEST"
	blob "$1" policy.base "$POLICY_A_DIGEST"
}

sidecar() { # sidecar DIR OP KIND GRAPH DESIRED [APPROVAL]
	local appr=null
	[ -n "${6:-}" ] && appr="\"$6\""
	mkdir -p "$1/__cluster/recoveries"
	printf '{\n  "schema_version": 1,\n  "operation_id": "%s",\n  "started_at": "2026-01-01T00:00:00Z",\n  "actor": "alice",\n  "kind": "%s",\n  "graph_id": "%s",\n  "graph_uri": "%s",\n  "observed_manifest_version": 1,\n  "expected_manifest_version": null,\n  "desired_schema_digest": "%s",\n  "state_cas_base": null,\n  "approval_id": %s\n}\n' \
		"$2" "$3" "$4" "$T/$1/graphs/$4.omni" "$5" "$appr" >"$1/__cluster/recoveries/$2.json"
}

# ------------------------------------------------------------------ basics

case_begin "refresh: after import, revision 2"
cluster c
run_cfs import --config c
expect_exit 0
sync_both refresh c
expect_exit 0
expect_json ok true
expect_json state_observations/state_found true
expect_json state_observations/state_revision 2
expect_json state_observations/applied_config_digest "$D_CONFIG_DIGEST"
expect_cas c
expect_json state_observations/resource_count 2
expect_json state_observations/locked false
expect_json state_observations/lock_acquired true
expect_json_re state_observations/acquired_lock_id "$ULID_RE"
expect_keys resource_digests "graph.knowledge schema.knowledge"
expect_status graph.knowledge applied
expect_observation graph.knowledge "$T/c/graphs/knowledge.omni" true 1 "$SCHEMA_A_DIGEST" "$SCHEMA_A_DIGEST" true null
expect_json diagnostics '[]'
expect_no_file c/__cluster/lock.json
state_flat c
expect_state state_revision 2
# and again: always old + 1, even with nothing new
sync_json refresh c
expect_json state_observations/state_revision 3
expect_cas c

case_begin "refresh: human output"
run_cfs refresh --config c
expect_exit 0
expect_stderr_empty
expect_stdout_equals "cluster refresh: revision 4, 2 resource(s)
  state_cas: sha256:$(sha256_file c/__cluster/state.json)"

case_begin "refresh: a minimal hand-made ledger"
cluster n
write_state n '
{
  "version": 1,
  "state_revision": 2,
  "applied_revision": { "resources": {} }
}
'
sync_both refresh n
expect_exit 0
expect_json state_observations/state_revision 3
expect_absent state_observations/applied_config_digest
expect_json resource_digests/graph.knowledge "$GRAPH_A"
state_flat n
expect_state applied_revision/config_digest null
expect_state state_revision 3

case_begin "refresh: a missing ledger"
cluster m
sync_both refresh m
expect_exit 1
expect_diags <<'EOF'
ERROR state_missing __cluster/state.json: refresh requires an existing state.json; run `cluster import` to bootstrap state
EOF
expect_json state_observations/state_found false
expect_json resource_digests '{}'
expect_json resource_statuses '{}'
expect_json observations '{}'
expect_no_file m/__cluster/state.json
expect_no_file m/__cluster/lock.json

# ------------------------------------------------------------------ composite integrity (§7.3)

case_begin "refresh: a composite that does not verify stops without a write"
cluster_d i
sed -i "s/$GRAPH_AQ/$GRAPH_A/" i/__cluster/state.json
cp i/__cluster/state.json state.before
sync_both refresh i
expect_exit 1
expect_diags <<EOF
ERROR external_blob_policy_digest_mismatch graph.knowledge: $COMPOSITE_MSG
EOF
same_bytes i/__cluster/state.json state.before
expect_no_file i/__cluster/lock.json
# the report shows the ledger as read
expect_json resource_digests/graph.knowledge "$GRAPH_A"
expect_json resource_digests/query.knowledge.find_person "$QUERY_A_DIGEST"
expect_status query.knowledge.find_person applied
expect_json observations '{}'
expect_json state_observations/state_revision 4

case_begin "refresh: blob policy metadata not bound by the digest"
cluster_d p
sed -i 's|"graph.knowledge":{"digest":"'"$GRAPH_AQ"'"}|"graph.knowledge":{"digest":"'"$GRAPH_AQ"'","external_blob_policy":{"mode":"allow","bases":[{"uri":"s3://b/p/","scope":"server_safe"}]}}|' p/__cluster/state.json
cp p/__cluster/state.json state.before
sync_json refresh p
expect_exit 1
expect_diag "ERROR external_blob_policy_digest_mismatch graph.knowledge: $COMPOSITE_MSG"
same_bytes p/__cluster/state.json state.before
# a bare graph entry with its true composite verifies
write_state p '{"version":1,"applied_revision":{"resources":{"graph.knowledge":{"digest":"'"$GRAPH_BARE"'"}}}}'
sync_json refresh p
expect_exit 0

# ------------------------------------------------------------------ catalog (§14 step 4)

case_begin "refresh: healthy catalog keeps queries and policies"
cluster_d k
sync_both refresh k
expect_exit 0
expect_json state_observations/state_revision 5
expect_json state_observations/resource_count 4
expect_keys resource_digests "graph.knowledge policy.base query.knowledge.find_person schema.knowledge"
expect_json resource_digests/graph.knowledge "$GRAPH_AQ"
expect_json resource_digests/query.knowledge.find_person "$QUERY_A_DIGEST"
expect_json resource_digests/policy.base "$POLICY_A_DIGEST"
expect_keys resource_statuses "graph.knowledge query.knowledge.find_person schema.knowledge"
expect_status query.knowledge.find_person applied
expect_json diagnostics '[]'
state_flat k
expect_state_keys applied_revision/resources/policy.base "digest applies_to"
expect_state applied_revision/resources/policy.base/applies_to/0 graph.knowledge
expect_state applied_revision/config_digest "$D_CONFIG_DIGEST"

case_begin "refresh: a missing blob is removed and drifted"
cluster_d bm
rm "bm/$(blob_path bm query.knowledge.find_person "$QUERY_A_DIGEST")"
sync_both refresh bm
expect_exit 0
expect_diags <<EOF
WARN  catalog_payload_missing query.knowledge.find_person: $PAYLOAD_MISSING_MSG
EOF
expect_absent resource_digests/query.knowledge.find_person
expect_status query.knowledge.find_person drifted payload_missing "$PAYLOAD_MISSING_MSG"
# removed before the graph observation: the composite excludes it
expect_json resource_digests/graph.knowledge "$GRAPH_A"
expect_json resource_digests/policy.base "$POLICY_A_DIGEST"
expect_json state_observations/state_revision 5
state_flat bm
expect_state_absent applied_revision/resources/query.knowledge.find_person
expect_state resource_statuses/query.knowledge.find_person/conditions/0 payload_missing
# the next refresh has nothing left to check for it
sync_json refresh bm
expect_exit 0
expect_json diagnostics '[]'
expect_status query.knowledge.find_person drifted payload_missing "$PAYLOAD_MISSING_MSG"

case_begin "refresh: a mismatched blob is removed and drifted"
cluster_d bx
printf 'version: 1\nrules: [] # edited\n' >other.yaml
blob bx policy.base "$POLICY_A_DIGEST" other.yaml
sync_both refresh bx
expect_exit 0
expect_diags <<EOF
WARN  catalog_payload_mismatch policy.base: catalog payload blob does not match the recorded digest (actual sha256:$(sha256_file other.yaml)); re-run \`cluster apply\` to republish
EOF
expect_absent resource_digests/policy.base
expect_status policy.base drifted payload_mismatch "$PAYLOAD_MISMATCH_MSG"
expect_json resource_digests/graph.knowledge "$GRAPH_AQ"

case_begin "refresh: an unreadable blob is kept as an error, still written"
cluster_d bu
printf 'version: 1\n\377\n' >bad.yaml
blob bu policy.base "$POLICY_A_DIGEST" bad.yaml
rm "bu/$(blob_path bu query.knowledge.find_person "$QUERY_A_DIGEST")"
READ_MSG="could not read catalog payload '$T/bu/$(blob_path bu policy.base "$POLICY_A_DIGEST")': stream did not contain valid UTF-8"
sync_both refresh bu
expect_exit 1
expect_diags <<EOF
ERROR catalog_payload_read_error policy.base: $READ_MSG
WARN  catalog_payload_missing query.knowledge.find_person: $PAYLOAD_MISSING_MSG
EOF
expect_json resource_digests/policy.base "$POLICY_A_DIGEST"
expect_status policy.base error payload_read_error "$READ_MSG"
expect_json state_observations/state_revision 5
expect_cas bu
state_flat bu
expect_state resource_statuses/policy.base/status error
expect_state state_revision 5

# ------------------------------------------------------------------ graphs (§14 step 5)

case_begin "refresh: a missing root drops graph and schema, keeps queries"
cluster_d gm
rm -rf gm/graphs
sync_both refresh gm
expect_exit 0
expect_keys resource_digests "policy.base query.knowledge.find_person"
expect_status graph.knowledge drifted graph_missing "$MISSING_MSG"
expect_status schema.knowledge drifted graph_missing "$MISSING_MSG"
expect_observation graph.knowledge "$T/gm/graphs/knowledge.omni" false null null "$SCHEMA_A_DIGEST" false "$MISSING_MSG"
expect_json diagnostics '[]'

case_begin "refresh: a live schema other than desired"
cluster_d gs
rm -rf gs/graphs
"$CLUSTERFS" graph init gs/graphs/knowledge.omni --schema schema_b.pg >/dev/null
sync_json refresh gs
expect_exit 0
expect_json resource_digests/schema.knowledge "$SCHEMA_B_DIGEST"
expect_json resource_digests/graph.knowledge "$(graph_digest knowledge "$SCHEMA_B_DIGEST" q find_person "$QUERY_A_DIGEST")"
expect_status graph.knowledge drifted schema_mismatch "$MISMATCH_MSG"
expect_status schema.knowledge drifted schema_mismatch "$MISMATCH_MSG"
expect_observation graph.knowledge "$T/gs/graphs/knowledge.omni" true 1 "$SCHEMA_B_DIGEST" "$SCHEMA_A_DIGEST" false null
# the version observed is main's head
"$CLUSTERFS" graph schema-apply "$T/gs/graphs/knowledge.omni" gs/people.pg >/dev/null
check $? "schema-apply back to A failed"
sync_json refresh gs
expect_observation graph.knowledge "$T/gs/graphs/knowledge.omni" true 2 "$SCHEMA_A_DIGEST" "$SCHEMA_A_DIGEST" true null
expect_status graph.knowledge applied

case_begin "refresh: a root that does not open is an error, still written"
cluster_d ge
rm -rf ge/graphs/knowledge.omni/*
echo junk >ge/graphs/knowledge.omni/junk.txt
sync_both refresh ge
expect_exit 1
expect_diags <<'EOF'
ERROR graph_observation_error graphs: 1 graph observation(s) failed
EOF
err=$(json_get observations/graph.knowledge/error)
[ -n "$err" ] && [ "$err" != null ]
check $? "observation error is '$err'"
expect_observation graph.knowledge "$T/ge/graphs/knowledge.omni" true null null "$SCHEMA_A_DIGEST" null "$err"
expect_status graph.knowledge error graph_observation_error "$err"
expect_status schema.knowledge error graph_observation_error "$err"
# entries untouched, written anyway
expect_json resource_digests/graph.knowledge "$GRAPH_AQ"
expect_json resource_digests/schema.knowledge "$SCHEMA_A_DIGEST"
expect_json state_observations/state_revision 5
expect_cas ge

case_begin "refresh: provider binding and blob policy are kept"
cluster_d pb
PDIG=9407ded8cec5d0bd317ddecc1613eb410eb5a792a35f8baea5afed3bb080e106
POL='{"mode":"allow","bases":[{"uri":"s3://assets-bucket/knowledge/","scope":"server_safe"}]}'
G=$(graph_digest knowledge "$SCHEMA_A_DIGEST" q find_person "$QUERY_A_DIGEST" p provider.embedding.default "$PDIG" b "$POL")
sed -i 's|"graph.knowledge":{"digest":"'"$GRAPH_AQ"'"}|"graph.knowledge":{"digest":"'"$G"'","embedding_provider":"provider.embedding.default","external_blob_policy":'"$POL"'},"provider.embedding.default":{"digest":"'"$PDIG"'","embedding_profile":{"kind":"mock","model":"recorded-x"}}|' pb/__cluster/state.json
sync_json refresh pb
expect_exit 0
expect_json resource_digests/graph.knowledge "$G"
state_flat pb
expect_state_keys applied_revision/resources/graph.knowledge "digest embedding_provider external_blob_policy"
expect_state applied_revision/resources/graph.knowledge/embedding_provider provider.embedding.default
expect_state applied_revision/resources/graph.knowledge/external_blob_policy/bases/0/uri s3://assets-bucket/knowledge/
expect_state applied_revision/resources/provider.embedding.default/embedding_profile/model recorded-x

# ------------------------------------------------------------------ the recovery sweep

case_begin "refresh: a completed schema apply is rolled forward"
cluster_d sa
cp schema_b.pg sa/people.pg
"$CLUSTERFS" graph schema-apply "$T/sa/graphs/knowledge.omni" sa/people.pg >/dev/null
check $? "schema-apply to B failed"
sidecar sa "$OP" schema_apply knowledge "$SCHEMA_B_DIGEST"
sync_both refresh sa
expect_exit 0
expect_diags <<'EOF'
WARN  cluster_recovery_rolled_forward graph.knowledge: an interrupted schema apply had completed on the graph; cluster state was rolled forward to match
EOF
expect_json resource_digests/schema.knowledge "$SCHEMA_B_DIGEST"
expect_json resource_digests/graph.knowledge "$(graph_digest knowledge "$SCHEMA_B_DIGEST" q find_person "$QUERY_A_DIGEST")"
expect_status graph.knowledge applied
expect_no_file "sa/__cluster/recoveries/$OP.json"
state_flat sa
expect_state "recovery_records/$OP/kind" schema_apply
expect_state "recovery_records/$OP/outcome" rolled_forward
expect_state "recovery_records/$OP/actor" alice

case_begin "refresh: a completed delete is tombstoned, its approval consumed"
QO=$(sha256_printf 'query old() { }\n')
GO=$(graph_digest old "$SCHEMA_A_DIGEST" q q "$QO")
cluster_d sd ',"graph.old":{"digest":"'"$GO"'"},"schema.old":{"digest":"'"$SCHEMA_A_DIGEST"'"},"query.old.q":{"digest":"'"$QO"'"}'
mkdir -p sd/__cluster/approvals
printf '{\n  "schema_version": 1,\n  "approval_id": "%s",\n  "resource": "graph.old",\n  "operation": "delete",\n  "reason": "delete may remove deployed graph or schema definition",\n  "bound_config_digest": "%s",\n  "bound_before_digest": "%s",\n  "bound_after_digest": null,\n  "approved_by": "alice",\n  "created_at": "2026-01-01T00:00:00Z",\n  "consumed_at": null,\n  "consumed_by_operation": null\n}\n' \
	"$APPROVAL" "$D_CONFIG_DIGEST" "$GO" >"sd/__cluster/approvals/$APPROVAL.json"
sidecar sd "$OP" graph_delete old "" "$APPROVAL"
sync_json refresh sd
expect_exit 0
expect_diags <<'EOF'
WARN  cluster_recovery_rolled_forward graph.old: an interrupted graph delete had completed on disk; cluster state was rolled forward to match
EOF
expect_keys resource_digests "graph.knowledge policy.base query.knowledge.find_person schema.knowledge"
expect_keys observations/graph.old "kind deleted_at approval_id actor"
expect_json observations/graph.old/kind tombstone
expect_json_re observations/graph.old/deleted_at "$TS_RE"
expect_json observations/graph.old/approval_id "$APPROVAL"
expect_json observations/graph.old/actor alice
expect_no_file "sd/__cluster/recoveries/$OP.json"
state_flat sd
expect_state_keys "approval_records/$APPROVAL" "consumed_at consumed_by_operation"
expect_state "approval_records/$APPROVAL/consumed_by_operation" "$OP"
expect_state "recovery_records/$OP/kind" graph_delete
grep -q '"consumed_at": "2' "sd/__cluster/approvals/$APPROVAL.json"
check $? "the approval artifact was not marked consumed"

case_begin "refresh: a sidecar the graph contradicts is kept"
cluster_d sk
sidecar sk "$OP" schema_apply knowledge "$SCHEMA_B_DIGEST"
sed -i "s/$SCHEMA_A_DIGEST\"}/0000\"}/; s/$GRAPH_AQ/$(graph_digest knowledge 0000 q find_person "$QUERY_A_DIGEST")/" sk/__cluster/state.json
sidecar sk "$OP2" graph_delete knowledge "" "$APPROVAL"
sync_both refresh sk
expect_exit 0
expect_diags <<'EOF'
WARN  cluster_recovery_pending graph.knowledge: an interrupted schema apply left unexpected graph state; graph-moving work is blocked until repaired
WARN  graph_delete_incomplete graph.knowledge: a previous graph delete did not complete; it will be re-proposed by plan and can be retried under its approval
EOF
expect_file "sk/__cluster/recoveries/$OP.json"
expect_no_file "sk/__cluster/recoveries/$OP2.json"
# the observation has the last word on the statuses
expect_status graph.knowledge applied
expect_json resource_digests/schema.knowledge "$SCHEMA_A_DIGEST"

# ------------------------------------------------------------------ the write

case_begin "refresh: the write fails (failpoint): sidecars kept, ledger untouched"
cluster_d wf
sidecar wf "$OP" schema_apply knowledge "$SCHEMA_A_DIGEST"
cp wf/__cluster/state.json state.before
sync_start refresh wf 'cluster_refresh.before_state_write'
sync_wait refresh wf
expect_exit 1
expect_diag "ERROR injected_failpoint cluster_refresh.before_state_write: injected failpoint triggered: cluster_refresh.before_state_write"
same_bytes wf/__cluster/state.json state.before
expect_file "wf/__cluster/recoveries/$OP.json"
expect_no_file wf/__cluster/lock.json
expect_json state_observations/state_revision 4

case_begin "refresh: a ledger changed meanwhile is a CAS mismatch"
cluster_d cm
sidecar cm "$OP" schema_apply knowledge "$SCHEMA_A_DIGEST"
sync_start refresh cm 'cluster_refresh.before_state_write=sleep(3000)'
wait_for cm/__cluster/lock.json
check $? "the lock never appeared"
sleep 1
printf ' ' >>cm/__cluster/state.json
cp cm/__cluster/state.json state.edited
sync_wait refresh cm
expect_exit 1
expect_diag 'ERROR state_cas_mismatch __cluster/state.json: state.json changed while the command was running; re-run the command against the latest state'
same_bytes cm/__cluster/state.json state.edited
expect_file "cm/__cluster/recoveries/$OP.json"
expect_no_file cm/__cluster/lock.json

# ------------------------------------------------------------------ lock

case_begin "refresh: a held lock stops it"
cluster_d l
LOCK='{"version":1,"lock_id":"held-lock","operation":"refresh","created_at":"2026-06-08T00:00:00Z","pid":123}'
printf '%s' "$LOCK" >l/__cluster/lock.json
cp l/__cluster/state.json state.before
sync_both refresh l
expect_exit 1
expect_diag_prefix 'ERROR state_lock_held __cluster/lock.json: cluster state lock already exists (lock id held-lock)'
expect_json state_observations/locked true
expect_json state_observations/lock_id held-lock
expect_json state_observations/lock_operation refresh
expect_json state_observations/lock_acquired false
same_bytes l/__cluster/state.json state.before
[ "$(cat l/__cluster/lock.json)" = "$LOCK" ]
check $? "the held lock was touched"

case_begin "refresh: state.lock false"
cluster_d u
printf 'state:\n  lock: false\n' >>u/cluster.yaml
sync_json refresh u
expect_exit 0
expect_diags <<'EOF'
WARN  state_lock_disabled state.lock: state.lock is false; refresh wrote state without acquiring the cluster state lock
EOF
expect_json state_observations/lock_acquired false
expect_json state_observations/state_revision 5

case_begin "refresh: --as is refused, usage errors"
run_cfs refresh --config u --as bob
expect_exit 1
expect_stdout_empty
expect_stderr_lines 1
run_cfs refresh a b
expect_exit 2
run_cfs refresh --help
expect_exit 0
expect_stdout_contains "refresh [--config DIR] [--json]"

finish
