#!/usr/bin/env bash
# `clusterfs import` (cluster.md §14, §7, §8, §10.1, §16): bootstrapping the
# ledger of worked example D from its graph root - the report field for
# field, the written state.json (revision 1, CAS, config digest, no invented
# query/policy entries), a missing root recorded as drift, a root that does
# not open failing with nothing written, the recovery sweep (roll forward,
# a kept sidecar, a bad file), the lock (held, disabled, released),
# validation and ledger errors stopping early, an existing ledger refused,
# the write failing or racing (CAS), a storage root elsewhere, and the
# command line (--as refused, usage errors).
# shellcheck disable=SC2016 # backticks in expected messages are literal
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=lib_sync.sh
. "$HERE/lib_sync.sh"

OP=01J00000000000000000000001

# ------------------------------------------------------------------ happy path

case_begin "import: bootstraps the ledger"
cluster c
sync_both import c
expect_exit 0
expect_json ok true
expect_keys state_observations "state_path lock_path state_found applied_config_digest state_revision state_cas resource_count locked lock_acquired acquired_lock_id"
expect_json state_observations/state_path "$T/c/__cluster/state.json"
expect_json state_observations/lock_path "$T/c/__cluster/lock.json"
expect_json state_observations/state_found true
expect_json state_observations/applied_config_digest "$D_CONFIG_DIGEST"
expect_json state_observations/state_revision 1
expect_cas c
expect_json state_observations/resource_count 2
expect_json state_observations/locked false
expect_json state_observations/lock_acquired true
expect_json_re state_observations/acquired_lock_id "$ULID_RE"
# import never invents query/policy entries: only what the root shows
expect_keys resource_digests "graph.knowledge schema.knowledge"
expect_json resource_digests/graph.knowledge "$GRAPH_A"
expect_json resource_digests/schema.knowledge "$SCHEMA_A_DIGEST"
expect_keys resource_statuses "graph.knowledge schema.knowledge"
expect_status graph.knowledge applied
expect_status schema.knowledge applied
expect_keys observations "graph.knowledge"
expect_observation graph.knowledge "$T/c/graphs/knowledge.omni" true 1 "$SCHEMA_A_DIGEST" "$SCHEMA_A_DIGEST" true null
expect_json diagnostics '[]'
expect_no_file c/__cluster/lock.json

case_begin "import: the state.json written"
state_flat c
expect_state_keys "" "version state_revision applied_revision resource_statuses approval_records recovery_records observations"
expect_state version 1
expect_state state_revision 1
expect_state_keys applied_revision "config_digest resources"
expect_state applied_revision/config_digest "$D_CONFIG_DIGEST"
expect_state_keys applied_revision/resources "graph.knowledge schema.knowledge"
expect_state_keys applied_revision/resources/graph.knowledge "digest"
expect_state applied_revision/resources/graph.knowledge/digest "$GRAPH_A"
expect_state applied_revision/resources/schema.knowledge/digest "$SCHEMA_A_DIGEST"
expect_state resource_statuses/graph.knowledge/status applied
expect_state approval_records '{}'
expect_state recovery_records '{}'
expect_state_keys observations/graph.knowledge "kind address graph_uri observed_at exists graph_manifest_version schema_digest desired_schema_digest schema_matches_desired error"
expect_state observations/graph.knowledge/graph_manifest_version 1
expect_state observations/graph.knowledge/error null

case_begin "import: a second import is refused, the ledger untouched"
cp c/__cluster/state.json state.before
sync_both import c
expect_exit 1
expect_diags <<'EOF'
ERROR state_already_exists __cluster/state.json: import creates initial state only when state.json is missing; use `cluster refresh` for an existing state ledger
EOF
same_bytes c/__cluster/state.json state.before
# the report shows the existing ledger
expect_json state_observations/state_found true
expect_json state_observations/state_revision 1
expect_cas c
expect_json resource_digests/graph.knowledge "$GRAPH_A"
expect_status graph.knowledge applied
expect_json observations/graph.knowledge/exists true
expect_no_file c/__cluster/lock.json

case_begin "import: human output"
cluster h
run_cfs import --config h
expect_exit 0
expect_stderr_empty
cas="sha256:$(sha256_file h/__cluster/state.json)"
expect_stdout_equals "cluster import: revision 1, 2 resource(s)
  state_cas: $cas"

# ------------------------------------------------------------------ graph observations

case_begin "import: a missing graph root is drift, still written"
cluster m --no-graph
sync_both import m
expect_exit 0
expect_json state_observations/state_revision 1
expect_json state_observations/resource_count 0
expect_json resource_digests '{}'
expect_status graph.knowledge drifted graph_missing "$MISSING_MSG"
expect_status schema.knowledge drifted graph_missing "$MISSING_MSG"
expect_observation graph.knowledge "$T/m/graphs/knowledge.omni" false null null "$SCHEMA_A_DIGEST" false "$MISSING_MSG"
expect_json diagnostics '[]'
expect_file m/__cluster/state.json
expect_cas m

case_begin "import: a schema other than desired is drift"
cluster s --no-graph
printf '%s' "$SCHEMA_B_TEXT" >s.pg
"$CLUSTERFS" graph init s/graphs/knowledge.omni --schema s.pg >/dev/null
SCHEMA_B_DIGEST=$(sha256_file s.pg)
sync_json import s
expect_exit 0
expect_json resource_digests/schema.knowledge "$SCHEMA_B_DIGEST"
expect_json resource_digests/graph.knowledge "$(graph_digest knowledge "$SCHEMA_B_DIGEST")"
expect_status graph.knowledge drifted schema_mismatch "$MISMATCH_MSG"
expect_status schema.knowledge drifted schema_mismatch "$MISMATCH_MSG"
expect_observation graph.knowledge "$T/s/graphs/knowledge.omni" true 1 "$SCHEMA_B_DIGEST" "$SCHEMA_A_DIGEST" false null

case_begin "import: a root that does not open fails, nothing written"
cluster j --no-graph
mkdir -p j/graphs/knowledge.omni
echo junk >j/graphs/knowledge.omni/junk.txt
sync_both import j
expect_exit 1
expect_diags <<'EOF'
ERROR graph_observation_error graphs: 1 graph observation(s) failed
EOF
err=$(json_get observations/graph.knowledge/error)
[ -n "$err" ] && [ "$err" != null ]
check $? "observation error is '$err'"
expect_observation graph.knowledge "$T/j/graphs/knowledge.omni" true null null "$SCHEMA_A_DIGEST" null "$err"
expect_status graph.knowledge error graph_observation_error "$err"
expect_status schema.knowledge error graph_observation_error "$err"
expect_json resource_digests '{}'
expect_json state_observations/state_found false
expect_absent state_observations/state_cas
expect_json state_observations/state_revision 0
expect_no_file j/__cluster/state.json
expect_no_file j/__cluster/lock.json
# an empty root directory fails the same way
rm -rf j/graphs/knowledge.omni/junk.txt
sync_json import j
expect_exit 1
expect_diag "ERROR graph_observation_error graphs: 1 graph observation(s) failed"
expect_no_file j/__cluster/state.json

# ------------------------------------------------------------------ the recovery sweep

sidecar() { # sidecar DIR OP KIND DESIRED
	mkdir -p "$1/__cluster/recoveries"
	printf '{\n  "schema_version": 1,\n  "operation_id": "%s",\n  "started_at": "2026-01-01T00:00:00Z",\n  "actor": "alice",\n  "kind": "%s",\n  "graph_id": "knowledge",\n  "graph_uri": "%s",\n  "observed_manifest_version": null,\n  "expected_manifest_version": 1,\n  "desired_schema_digest": "%s",\n  "state_cas_base": null,\n  "approval_id": null\n}\n' \
		"$2" "$3" "$T/$1/graphs/knowledge.omni" "$4" >"$1/__cluster/recoveries/$2.json"
}

case_begin "import: sweep rolls a completed create forward and retires it"
cluster r
sidecar r "$OP" graph_create "$SCHEMA_A_DIGEST"
sync_both import r
expect_exit 0
expect_diags <<'EOF'
WARN  cluster_recovery_rolled_forward graph.knowledge: an interrupted graph create had completed on the graph; cluster state was rolled forward to match
EOF
expect_status graph.knowledge applied
expect_no_file "r/__cluster/recoveries/$OP.json"
state_flat r
expect_state_keys "recovery_records/$OP" "kind graph_id outcome recovered_at actor"
expect_state "recovery_records/$OP/kind" graph_create
expect_state "recovery_records/$OP/graph_id" knowledge
expect_state "recovery_records/$OP/outcome" rolled_forward
expect_state "recovery_records/$OP/actor" alice

case_begin "import: a sidecar on a partial root is kept, nothing written"
cluster k --no-graph
mkdir -p k/graphs/knowledge.omni
sidecar k "$OP" graph_create "$SCHEMA_A_DIGEST"
sync_both import k
expect_exit 1
expect_diag_prefix "ERROR graph_create_incomplete graph.knowledge: graph root '$T/k/graphs/knowledge.omni' exists but cannot be opened ("
expect_diag_contains "ERROR graph_create_incomplete graph.knowledge: " '); remove the graph root and re-run `cluster apply`'
expect_diag "ERROR graph_observation_error graphs: 1 graph observation(s) failed"
expect_diag_count 2
expect_file "k/__cluster/recoveries/$OP.json"
expect_no_file k/__cluster/state.json
expect_no_file k/__cluster/lock.json

case_begin "import: bad sidecar files are warnings and stay"
cluster b
mkdir -p b/__cluster/recoveries
printf '{"schema_version": 1' >b/__cluster/recoveries/A.json
printf '{"schema_version":2,"operation_id":"x","started_at":"t","kind":"graph_create","graph_id":"g","graph_uri":"/u","desired_schema_digest":"d"}' >b/__cluster/recoveries/B.json
sync_json import b
expect_exit 0
expect_diag_prefix "WARN  invalid_recovery_sidecar $T/b/__cluster/recoveries/A.json: could not parse ("
expect_diag "WARN  unsupported_recovery_sidecar_version $T/b/__cluster/recoveries/B.json: unsupported schema version; leaving it in place"
expect_diag_count 2
expect_file b/__cluster/recoveries/A.json
expect_file b/__cluster/recoveries/B.json
expect_file b/__cluster/state.json

# ------------------------------------------------------------------ lock

case_begin "import: a held lock stops it"
cluster l
mkdir -p l/__cluster
LOCK='{"version":1,"lock_id":"held-lock","operation":"import","created_at":"2026-06-08T00:00:00Z","pid":123}'
printf '%s' "$LOCK" >l/__cluster/lock.json
sync_both import l
expect_exit 1
expect_diag_prefix 'ERROR state_lock_held __cluster/lock.json: cluster state lock already exists (lock id held-lock)'
expect_diag_count 1
expect_json state_observations/locked true
expect_json state_observations/lock_id held-lock
expect_json state_observations/lock_acquired false
expect_json state_observations/lock_operation import
expect_json state_observations/lock_pid 123
expect_absent state_observations/acquired_lock_id
expect_json state_observations/state_found false
# stopped before reading the ledger: the desired digests
expect_keys resource_digests "graph.knowledge policy.base query.knowledge.find_person schema.knowledge"
expect_json resource_digests/schema.knowledge "$SCHEMA_A_DIGEST"
expect_json resource_statuses '{}'
expect_json observations '{}'
[ "$(cat l/__cluster/lock.json)" = "$LOCK" ]
check $? "the held lock was touched"
expect_no_file l/__cluster/state.json

case_begin "import: state.lock false warns and takes no lock"
cluster u
printf 'state:\n  lock: false\n' >>u/cluster.yaml
sync_both import u
expect_exit 0
expect_diags <<'EOF'
WARN  state_lock_disabled state.lock: state.lock is false; import wrote state without acquiring the cluster state lock
EOF
expect_json state_observations/lock_acquired false
expect_absent state_observations/acquired_lock_id
expect_json state_observations/state_revision 1
expect_no_file u/__cluster/lock.json

# ------------------------------------------------------------------ early stops

case_begin "import: a validation error stops before the lock"
cluster v
rm v/people.pg
sync_both import v
expect_exit 1
expect_diag_prefix "ERROR schema_file_missing graphs.knowledge.schema: could not read schema file 'v/people.pg': "
expect_json state_observations/state_found false
expect_json state_observations/lock_acquired false
expect_json resource_digests/policy.base "$POLICY_A_DIGEST"
expect_json resource_digests/query.knowledge.find_person "$QUERY_A_DIGEST"
expect_absent resource_digests/schema.knowledge
expect_no_file v/__cluster

case_begin "import: a config dir that does not exist"
sync_json import nowhere
expect_exit 1
expect_diag 'ERROR config_dir_not_found nowhere: `--config` must point at a directory containing cluster.yaml'
expect_json resource_digests '{}'
expect_no_file nowhere

case_begin "import: an unreadable ledger stops it"
cluster x
write_state x '{"version":1,"applied_revision":{"resources":{}},"extra":1}'
cp x/__cluster/state.json state.before
sync_json import x
expect_exit 1
expect_diag_prefix 'ERROR invalid_state_json __cluster/state.json: could not parse state JSON: '
expect_json state_observations/state_found true
expect_cas x
expect_json resource_digests/schema.knowledge "$SCHEMA_A_DIGEST"
same_bytes x/__cluster/state.json state.before
expect_no_file x/__cluster/lock.json
write_state x '{"version":2,"applied_revision":{"resources":{}}}'
sync_json import x
expect_exit 1
expect_diag 'ERROR unsupported_state_version state.version: unsupported cluster state version 2; this build supports version 1'

# ------------------------------------------------------------------ the write

case_begin "import: the write fails (failpoint): nothing written, sidecar kept"
cluster w
sidecar w "$OP" graph_create "$SCHEMA_A_DIGEST"
sync_start import w 'cluster_import.before_state_write'
sync_wait import w
expect_exit 1
expect_diag "ERROR injected_failpoint cluster_import.before_state_write: injected failpoint triggered: cluster_import.before_state_write"
expect_no_file w/__cluster/state.json
expect_no_file w/__cluster/lock.json
expect_file "w/__cluster/recoveries/$OP.json"
expect_json state_observations/state_found false

case_begin "import: losing the create race is a CAS mismatch"
cluster q
sidecar q "$OP" graph_create "$SCHEMA_A_DIGEST"
sync_start import q 'cluster_state.before_put=sleep(3000)'
wait_for q/__cluster/lock.json
check $? "the lock never appeared"
sleep 1
printf '{"version":1,"applied_revision":{"resources":{}}}' >q/__cluster/state.json
sync_wait import q
expect_exit 1
expect_diag 'ERROR state_cas_mismatch __cluster/state.json: state.json changed while the command was running; re-run the command against the latest state'
[ "$(cat q/__cluster/state.json)" = '{"version":1,"applied_revision":{"resources":{}}}' ]
check $? "the other writer's ledger was replaced"
expect_file "q/__cluster/recoveries/$OP.json"
expect_no_file q/__cluster/lock.json

# ------------------------------------------------------------------ storage root

case_begin "import: a storage root elsewhere"
cluster o --no-graph
printf 'storage: ../store\n' >>o/cluster.yaml
"$CLUSTERFS" graph init store/graphs/knowledge.omni --schema o/people.pg >/dev/null
sync_json import o
expect_exit 0
expect_json state_observations/state_path "$T/o/../store/__cluster/state.json"
expect_json state_observations/lock_path "$T/o/../store/__cluster/lock.json"
expect_observation graph.knowledge "$T/o/../store/graphs/knowledge.omni" true 1 "$SCHEMA_A_DIGEST" "$SCHEMA_A_DIGEST" true null
expect_file store/__cluster/state.json
expect_no_file o/__cluster

# ------------------------------------------------------------------ command line

case_begin "import: --as is refused"
cluster a
run_cfs import --config a --as bob
expect_exit 1
expect_stdout_empty
expect_stderr_lines 1
expect_no_file a/__cluster

case_begin "import: usage errors"
run_cfs import extra
expect_exit 2
expect_stdout_empty
run_cfs import --bogus
expect_exit 2
run_cfs import --help
expect_exit 0
expect_stdout_contains "import [--config DIR] [--json]"

case_begin "import: --config defaults to ."
cluster dflt
run_cfs_in dflt import
expect_exit 0
expect_stdout_contains "cluster import: revision 1, 2 resource(s)"
expect_file dflt/__cluster/state.json

finish
