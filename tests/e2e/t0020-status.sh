#!/usr/bin/env bash
# `clusterfs status` (cluster.md §13, §11.5, §16; engine/status.c,
# cli/status.c) end to end on the worked-example cluster D of §5.6 copied
# into a temp dir, with hand-made ledgers, locks, sidecars and catalog
# blobs: the missing ledger (warning), example E, a full ledger with its
# maps as recorded (legacy observation key renamed), the catalog check
# (missing, mismatch, unreadable), the lock as observed (held, unparseable,
# wrong version, unreadable; never a failure), pending sidecars, ledger
# errors, config errors (lock and sidecars still reported; the header
# checks after them), storage roots, the report field for field, the human
# output line for line, that status writes nothing, usage.
# shellcheck disable=SC2016 # backticks in expected messages are literal
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

CONFIG_D=eec3f84486684b80edbdac219f8889e95fdce320043b9c5e164055d19a7b8945
GRAPH_D=cd23cf0245d1231f4434edb2049355e45452070f93037f2fc871613362a854f6
STATUS_KEYS="ok config_dir state_observations resource_digests resource_statuses observations diagnostics"
MISSING_MSG='state.json is missing; no applied cluster revision has been recorded'
SIDECAR_MSG='a recovery sidecar from an interrupted apply is pending; the next state-mutating command will classify it'
UTF8='stream did not contain valid UTF-8'
ELOOP='Too many levels of symbolic links'
LOCK_1970='{"version":1,"lock_id":"held-lock","operation":"refresh","created_at":"1970-01-01T00:00:00Z","pid":123}'

# ------------------------------------------------------------------ helpers

# status ARGS...: run `clusterfs status ARGS` with and without --json and
# check what every run must satisfy: nothing on stderr, the same exit
# status, one pretty JSON object with the report members in order, the
# state_observations members in order, ok <-> exit status <-> error
# diagnostics, the same diagnostics in both renderings, the headline.
# Leaves $T/.v/human, $T/.v/json, $T/.v/flat, $T/.v/jdiags.
status() {
	local human_rc ok
	run_cfs status "$@"
	human_rc=$RC
	cp "$T/.run/out" "$T/.v/human"
	expect_stderr_empty
	run_cfs status "$@" --json
	cp "$T/.run/out" "$T/.v/json"
	expect_stderr_empty
	LAST_CMD="clusterfs status $* [--json]"
	[ "$human_rc" = "$RC" ]
	check $? "exit status $human_rc without --json but $RC with --json"
	{ cat "$T/.v/human"; echo "--- (--json) ---"; cat "$T/.v/json"; } >"$T/.run/out"
	check_pretty_json "$T/.v/json"
	expect_keys "" "$STATUS_KEYS"
	check_observation_keys
	json_diag_lines "$T/.v/flat" >"$T/.v/jdiags"
	grep -E '^(ERROR|WARN ) ' "$T/.v/human" >"$T/.v/hdiags"
	cmp -s "$T/.v/hdiags" "$T/.v/jdiags"
	check $? "human diagnostics differ from --json diagnostics"
	ok=$(json_get ok)
	case "$RC:$ok" in
	0:true | 1:false) pass ;;
	*) fail "exit status $RC with \"ok\": $ok" ;;
	esac
	if grep -q '^ERROR ' "$T/.v/jdiags"; then [ "$ok" = false ]; else [ "$ok" = true ]; fi
	check $? "\"ok\": $ok does not follow the error diagnostics"
	local head
	head=$(sed -n 1p "$T/.v/human")
	if [ "$ok" = false ]; then
		[ "$head" = "cluster status failed" ]
	elif [ "$(json_get state_observations/state_found)" = true ]; then
		[ "$head" = "cluster state: revision $(json_get state_observations/state_revision), $(json_get state_observations/resource_count) resource(s)" ]
	else
		[ "$head" = "cluster state missing" ]
	fi
	check $? "headline '$head' does not match the report"
}

# The §11.5 members present, in the contract's order.
check_observation_keys() {
	local want="" k got
	for k in state_path lock_path state_found applied_config_digest state_revision state_cas resource_count \
		locked lock_id lock_acquired acquired_lock_id lock_operation lock_created_at lock_pid lock_age_seconds; do
		if json_get "state_observations/$k" >/dev/null; then want="$want${want:+ }$k"; fi
	done
	got=$(json_keys "$T/.v/flat" state_observations)
	[ "$got" = "$want" ]
	check $? "state_observations members are [$got], expected them in the order [$want]"
	for k in state_path lock_path state_found state_revision resource_count locked lock_acquired; do
		json_get "state_observations/$k" >/dev/null
		check $? "state_observations/$k is missing"
	done
	[ "$(json_get state_observations/lock_acquired)" = false ]
	check $? "status reports a lock acquired"
}

# expect_paths ROOT: state_path and lock_path under ROOT.
expect_paths() {
	expect_json state_observations/state_path "$1/__cluster/state.json"
	expect_json state_observations/lock_path "$1/__cluster/lock.json"
}

# expect_no_lock_fields: nothing about a lock holder is reported.
expect_no_lock_fields() {
	local k
	for k in lock_id acquired_lock_id lock_operation lock_created_at lock_pid lock_age_seconds; do
		expect_absent "state_observations/$k"
	done
}

# expect_age: lock_age_seconds is a whole number close to now - 1970.
expect_age_since_epoch() {
	local age now
	age=$(json_get state_observations/lock_age_seconds)
	now=$(date +%s)
	[[ "$age" =~ ^[0-9]+$ ]] && [ $((now - age)) -ge -2 ] && [ $((now - age)) -le 5 ]
	check $? "lock_age_seconds '$age' is not the age of a 1970 lock (now $now)"
}

fresh() {
	rm -rf "${T:?}/c"
	cp -R "$CFS_FIXTURES/digest/D" "$T/c"
}

# ledger DIR TEXT: the exact bytes of DIR's state.json.
ledger() {
	mkdir -p "$1/__cluster"
	printf '%s' "$2" >"$1/__cluster/state.json"
}

lock_file() {
	mkdir -p "$1/__cluster"
	printf '%s' "$2" >"$1/__cluster/lock.json"
}

# publish DIR: the catalog blobs of cluster D's query and policy.
publish() {
	local q="$1/__cluster/resources/query/knowledge/find_person" p="$1/__cluster/resources/policy/base"
	mkdir -p "$q" "$p"
	cp "$1/queries/people.gq" "$q/$QUERY_A_DIGEST.gq"
	cp "$1/base.policy.yaml" "$p/$POLICY_A_DIGEST.yaml"
}

QBLOB=__cluster/resources/query/knowledge/find_person/$QUERY_A_DIGEST.gq
PBLOB=__cluster/resources/policy/base/$POLICY_A_DIGEST.yaml

# The converged ledger of cluster D, with statuses and a legacy observation.
FULL_LEDGER='{
  "version": 1,
  "state_revision": 3,
  "applied_revision": {
    "config_digest": "'$CONFIG_D'",
    "resources": {
      "query.knowledge.find_person": {"digest": "'$QUERY_A_DIGEST'"},
      "graph.knowledge": {"digest": "'$GRAPH_D'"},
      "schema.knowledge": {"digest": "'$SCHEMA_A_DIGEST'"},
      "policy.base": {"digest": "'$POLICY_A_DIGEST'", "applies_to": ["graph.knowledge"]}
    }
  },
  "resource_statuses": {
    "schema.knowledge": {"status": "drifted", "conditions": ["schema_mismatch"], "message": "live schema digest differs from desired schema digest"},
    "graph.knowledge": {"status": "applied", "conditions": []}
  },
  "approval_records": {"01ARZ3NDEKTSV4RRFFQ69G5FAV": {"consumed_at": "2024-01-01T00:00:00Z", "consumed_by_operation": "apply"}},
  "observations": {
    "graph.knowledge": {"kind": "graph", "manifest_version": 12, "exists": true}
  }
}'

# ------------------------------------------------------------------ missing ledger

case_begin "missing ledger: a warning, ok"
fresh
before=$(tree_listing c)
status --config c
expect_exit 0
expect_json_text <<EOF
{
  "ok": true,
  "config_dir": "c",
  "state_observations": {
    "state_path": "$T/c/__cluster/state.json",
    "lock_path": "$T/c/__cluster/lock.json",
    "state_found": false,
    "state_revision": 0,
    "resource_count": 0,
    "locked": false,
    "lock_acquired": false
  },
  "resource_digests": {},
  "resource_statuses": {},
  "observations": {},
  "diagnostics": [
    {
      "code": "state_missing",
      "severity": "warning",
      "path": "__cluster/state.json",
      "message": "$MISSING_MSG"
    }
  ]
}
EOF
expect_human <<EOF
cluster state missing
WARN  state_missing __cluster/state.json: $MISSING_MSG
EOF

case_begin "status writes nothing"
[ "$before" = "$(tree_listing c)" ]
check $? "status changed the cluster directory"

case_begin "default --config is the working directory"
run_cfs_in c status --json
expect_exit 0
json_flatten "$T/.run/out" >"$T/.v/flat"
expect_json config_dir .
expect_paths "$T/c"

case_begin "absolute --config"
status --config "$T/c"
expect_json config_dir "$T/c"
expect_paths "$T/c"

case_begin "status reads no referenced file"
rm c/people.pg c/queries/people.gq c/base.policy.yaml
status --config c
expect_exit 0
expect_diags <<EOF
WARN  state_missing __cluster/state.json: $MISSING_MSG
EOF

# ------------------------------------------------------------------ example E

case_begin "example E ledger"
fresh
ledger c '{"version":1,"applied_revision":{"resources":{}}}'
status --config c
expect_exit 0
expect_json_text <<EOF
{
  "ok": true,
  "config_dir": "c",
  "state_observations": {
    "state_path": "$T/c/__cluster/state.json",
    "lock_path": "$T/c/__cluster/lock.json",
    "state_found": true,
    "state_revision": 0,
    "state_cas": "sha256:e9a209696b345f272365555b44fa9f39b2cf80f6e84be0460e621b5528210538",
    "resource_count": 0,
    "locked": false,
    "lock_acquired": false
  },
  "resource_digests": {},
  "resource_statuses": {},
  "observations": {},
  "diagnostics": []
}
EOF
expect_human <<EOF
cluster state: revision 0, 0 resource(s)
  lock: not held
EOF

# ------------------------------------------------------------------ full ledger

case_begin "full ledger: the maps as recorded, blobs verified"
fresh
publish c
ledger c "$FULL_LEDGER"
cas=sha256:$(sha256_file c/__cluster/state.json)
before=$(tree_listing c)
status --config c
expect_exit 0
expect_json_text <<EOF
{
  "ok": true,
  "config_dir": "c",
  "state_observations": {
    "state_path": "$T/c/__cluster/state.json",
    "lock_path": "$T/c/__cluster/lock.json",
    "state_found": true,
    "applied_config_digest": "$CONFIG_D",
    "state_revision": 3,
    "state_cas": "$cas",
    "resource_count": 4,
    "locked": false,
    "lock_acquired": false
  },
  "resource_digests": {
    "graph.knowledge": "$GRAPH_D",
    "policy.base": "$POLICY_A_DIGEST",
    "query.knowledge.find_person": "$QUERY_A_DIGEST",
    "schema.knowledge": "$SCHEMA_A_DIGEST"
  },
  "resource_statuses": {
    "graph.knowledge": {
      "status": "applied"
    },
    "schema.knowledge": {
      "status": "drifted",
      "conditions": [
        "schema_mismatch"
      ],
      "message": "live schema digest differs from desired schema digest"
    }
  },
  "observations": {
    "graph.knowledge": {
      "kind": "graph",
      "exists": true,
      "graph_manifest_version": 12
    }
  },
  "diagnostics": []
}
EOF
expect_human <<EOF
cluster state: revision 3, 4 resource(s)
  applied config: $CONFIG_D
  lock: not held
EOF
[ "$before" = "$(tree_listing c)" ] && [ "$cas" = "sha256:$(sha256_file c/__cluster/state.json)" ]
check $? "status changed the cluster directory or the ledger"

case_begin "the applied config line needs a recorded digest"
ledger c '{"version":1,"state_revision":7,"applied_revision":{"config_digest":null,"resources":{"graph.x":{"digest":"d"}}}}'
status --config c
expect_exit 0
expect_absent state_observations/applied_config_digest
expect_human <<EOF
cluster state: revision 7, 1 resource(s)
  lock: not held
EOF

# ------------------------------------------------------------------ catalog

case_begin "catalog: missing and altered blobs are warnings"
fresh
publish c
ledger c "$FULL_LEDGER"
rm "c/$QBLOB"
printf 'version: 1\nrules: [] # edited\n' >"c/$PBLOB"
actual=$(sha256_file "c/$PBLOB")
status --config c
expect_exit 0
expect_diags <<EOF
WARN  catalog_payload_mismatch policy.base: catalog payload blob does not match the recorded digest (actual sha256:$actual); re-run \`cluster apply\` to republish
WARN  catalog_payload_missing query.knowledge.find_person: catalog payload blob is missing; re-run \`cluster apply\` to republish
EOF
expect_json resource_digests/query.knowledge.find_person "$QUERY_A_DIGEST"

case_begin "catalog: a directory in the blob's place is a missing blob"
fresh
publish c
ledger c "$FULL_LEDGER"
rm "c/$QBLOB"
mkdir -p "c/$QBLOB/inner"
status --config c
expect_exit 0
expect_diags <<EOF
WARN  catalog_payload_missing query.knowledge.find_person: catalog payload blob is missing; re-run \`cluster apply\` to republish
EOF

case_begin "catalog: a blob that is not UTF-8 is unreadable, an error"
fresh
publish c
ledger c "$FULL_LEDGER"
printf 'query \377\n' >"c/$QBLOB"
status --config c
expect_exit 1
expect_diags <<EOF
ERROR catalog_payload_read_error query.knowledge.find_person: could not read catalog payload '$T/c/$QBLOB': $UTF8
EOF
expect_json resource_digests/query.knowledge.find_person "$QUERY_A_DIGEST"
expect_json state_observations/state_revision 3
expect_human <<EOF
cluster status failed
ERROR catalog_payload_read_error query.knowledge.find_person: could not read catalog payload '$T/c/$QBLOB': $UTF8
EOF

case_begin "catalog: an I/O error is an error"
fresh
publish c
ledger c "$FULL_LEDGER"
rm "c/$PBLOB"
ln -s "$POLICY_A_DIGEST.yaml" "c/$PBLOB"
status --config c
expect_exit 1
expect_diags <<EOF
ERROR catalog_payload_read_error policy.base: could not read catalog payload '$T/c/$PBLOB': $ELOOP
EOF

case_begin "catalog: graphs, schemas, providers and unknown kinds carry no blob"
fresh
ledger c '{"version":1,"applied_revision":{"resources":{"graph.g":{"digest":"a"},"schema.g":{"digest":"b"},"provider.embedding.p":{"digest":"c","embedding_profile":{"kind":"mock"}},"other.x":{"digest":"d"},"query.nodot":{"digest":"e"}}}}'
status --config c
expect_exit 0
expect_diags </dev/null

case_begin "catalog: every query and policy entry is checked"
fresh
ledger c '{"version":1,"applied_revision":{"resources":{"query.g.b":{"digest":"1111"},"query.g.a":{"digest":"2222"},"policy.p":{"digest":"3333"}}}}'
mkdir -p c/__cluster/resources/query/g/b
printf 'x' >c/__cluster/resources/query/g/b/1111.gq
status --config c
expect_exit 0
expect_diags <<EOF
WARN  catalog_payload_missing policy.p: catalog payload blob is missing; re-run \`cluster apply\` to republish
WARN  catalog_payload_missing query.g.a: catalog payload blob is missing; re-run \`cluster apply\` to republish
WARN  catalog_payload_mismatch query.g.b: catalog payload blob does not match the recorded digest (actual sha256:$(sha256_printf x)); re-run \`cluster apply\` to republish
EOF

# ------------------------------------------------------------------ lock

case_begin "held lock: every field, age since created_at"
fresh
ledger c '{"version":1,"applied_revision":{"resources":{}}}'
lock_file c "$LOCK_1970"
status --config c
expect_exit 0
expect_json state_observations/locked true
expect_json state_observations/lock_id held-lock
expect_json state_observations/lock_operation refresh
expect_json state_observations/lock_created_at 1970-01-01T00:00:00Z
expect_json state_observations/lock_pid 123
expect_absent state_observations/acquired_lock_id
expect_age_since_epoch
age=$(json_get state_observations/lock_age_seconds)
expect_diags </dev/null
head -2 "$T/.v/human" >"$T/.v/h2"
grep -qxE "  lock: held \(id=held-lock, operation=refresh, pid=123, created_at=1970-01-01T00:00:00Z, age_seconds=[0-9]+\)" "$T/.v/human"
check $? "no '  lock: held (id=..., operation=..., pid=..., created_at=..., age_seconds=...)' line"
[ "$(wc -l <"$T/.v/human")" -eq 2 ]
check $? "human output is not two lines"
[ -e c/__cluster/lock.json ] && [ "$(cat c/__cluster/lock.json)" = "$LOCK_1970" ]
check $? "status touched the lock"

case_begin "held lock, missing ledger"
rm c/__cluster/state.json
status --config c
expect_exit 0
expect_json state_observations/locked true
expect_human <<EOF
cluster state missing
WARN  state_missing __cluster/state.json: $MISSING_MSG
EOF

case_begin "held lock with an unparseable created_at: no age"
fresh
lock_file c '{"version":1,"lock_id":"L","operation":"apply","created_at":"yesterday","pid":4294967295}'
ledger c '{"version":1,"applied_revision":{}}'
status --config c
expect_exit 0
expect_json state_observations/lock_created_at yesterday
expect_json state_observations/lock_pid 4294967295
expect_absent state_observations/lock_age_seconds
expect_human <<EOF
cluster state: revision 0, 0 resource(s)
  lock: held (id=L, operation=apply, pid=4294967295, created_at=yesterday)
EOF

case_begin "held lock, pretty with a future created_at: age 0"
lock_file c '{
  "version": 1,
  "lock_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV",
  "operation": "plan",
  "created_at": "2999-01-01T00:00:00.5+02:00",
  "pid": 1
}'
status --config c
expect_json state_observations/lock_age_seconds 0

case_begin "unparseable lock: a warning, locked without metadata"
lock_file c '{"version":1,'
status --config c
expect_exit 0
expect_json state_observations/locked true
expect_no_lock_fields
expect_diag_prefix "WARN  invalid_state_lock __cluster/lock.json: could not parse state lock: "
expect_diag_count 1
expect_human_first_lines() { :; }
[ "$(sed -n 2p "$T/.v/human")" = "  lock: held" ]
check $? "no bare '  lock: held' line"

case_begin "lock with an unknown key: invalid_state_lock"
lock_file c '{"version":1,"lock_id":"L","operation":"apply","created_at":"2024-01-01T00:00:00Z","pid":1,"host":"h"}'
status --config c
expect_exit 0
expect_diag_prefix 'WARN  invalid_state_lock __cluster/lock.json: could not parse state lock: unknown field `host`'
expect_no_lock_fields

case_begin "lock of another version: a warning"
lock_file c '{"version":2,"lock_id":"L","operation":"apply","created_at":"2024-01-01T00:00:00Z","pid":1}'
status --config c
expect_exit 0
expect_json state_observations/locked true
expect_no_lock_fields
expect_diags <<EOF
WARN  unsupported_state_lock_version __cluster/lock.json: unsupported cluster state lock version 2
EOF

case_begin "unreadable lock: a warning, not locked"
printf '{"version":1,"lock_id":"\377"}' >c/__cluster/lock.json
status --config c
expect_exit 0
expect_json state_observations/locked false
expect_diags <<EOF
WARN  state_lock_read_error __cluster/lock.json: could not read state lock: $UTF8
EOF
expect_human <<EOF
cluster state: revision 0, 0 resource(s)
  lock: not held
WARN  state_lock_read_error __cluster/lock.json: could not read state lock: $UTF8
EOF
rm c/__cluster/lock.json
ln -s lock.json c/__cluster/lock.json
status --config c
expect_exit 0
expect_diags <<EOF
WARN  state_lock_read_error __cluster/lock.json: could not read state lock: $ELOOP
EOF

case_begin "state.lock false: status still reports the lock"
fresh
printf 'state:\n  lock: false\n' >>c/cluster.yaml
lock_file c "$LOCK_1970"
status --config c
expect_exit 0
expect_json state_observations/lock_id held-lock
expect_diags <<EOF
WARN  state_missing __cluster/state.json: $MISSING_MSG
EOF

# ------------------------------------------------------------------ sidecars

case_begin "pending sidecars: one warning each, in name order"
fresh
ledger c '{"version":1,"applied_revision":{}}'
mkdir -p c/__cluster/recoveries/dir.json
printf '{}' >c/__cluster/recoveries/01B.json
printf 'not even json' >c/__cluster/recoveries/01A.json
printf 'x' >c/__cluster/recoveries/notes.txt
printf 'x' >c/__cluster/recoveries/.01C.json.tmp
status --config c
expect_exit 0
expect_diags <<EOF
WARN  cluster_recovery_pending $T/c/__cluster/recoveries/01A.json: $SIDECAR_MSG
WARN  cluster_recovery_pending $T/c/__cluster/recoveries/01B.json: $SIDECAR_MSG
EOF

# ------------------------------------------------------------------ ledger errors

case_begin "invalid ledger JSON: an error, found with its CAS"
fresh
ledger c '{'
status --config c
expect_exit 1
expect_json state_observations/state_found true
expect_json state_observations/state_cas "sha256:$(sha256_printf '{')"
expect_json state_observations/state_revision 0
expect_json state_observations/resource_count 0
expect_diag_prefix "ERROR invalid_state_json __cluster/state.json: could not parse state JSON: "
expect_diag_count 1
expect_keys resource_digests ""
expect_human_head() { :; }
[ "$(sed -n 1p "$T/.v/human")" = "cluster status failed" ]
check $? "no failure headline"

case_begin "ledger with an unknown key"
ledger c '{"version":1,"applied_revision":{"resources":{"graph.g":{"digest":"d","color":"red"}}}}'
status --config c
expect_exit 1
expect_diag_prefix 'ERROR invalid_state_json __cluster/state.json: could not parse state JSON: unknown field `color`'

case_begin "ledger of another version"
ledger c '{"version":7,"applied_revision":{}}'
status --config c
expect_exit 1
expect_json state_observations/state_found true
expect_diags <<EOF
ERROR unsupported_state_version state.version: unsupported cluster state version 7; this build supports version 1
EOF

case_begin "conflicting legacy and canonical manifest versions"
ledger c '{"version":1,"applied_revision":{},"observations":{"graph.knowledge":{"manifest_version":1,"graph_manifest_version":2}}}'
status --config c
expect_exit 1
expect_diags <<EOF
ERROR conflicting_graph_manifest_observation state.observations.graph.knowledge: cluster observation 'graph.knowledge' contains conflicting legacy and canonical graph-manifest versions
EOF
expect_keys observations ""

case_begin "unreadable ledger"
printf '{"version":1,"applied_revision":{"config_digest":"\377"}}' >c/__cluster/state.json
status --config c
expect_exit 1
expect_json state_observations/state_found false
expect_absent state_observations/state_cas
expect_diags <<EOF
ERROR state_read_error __cluster/state.json: could not read state file: $UTF8
EOF
rm c/__cluster/state.json
ln -s state.json c/__cluster/state.json
status --config c
expect_exit 1
expect_diags <<EOF
ERROR state_read_error __cluster/state.json: could not read state file: $ELOOP
EOF

# ------------------------------------------------------------------ config errors

case_begin "config dir missing: lock paths under it, nothing read"
status --config nowhere
expect_exit 1
expect_paths "$T/nowhere"
expect_diags <<EOF
ERROR config_dir_not_found nowhere: \`--config\` must point at a directory containing cluster.yaml
EOF

case_begin "undecodable cluster.yaml: lock and sidecars still reported, ledger not read"
fresh
printf 'version: 1\nbogus: true\n' >c/cluster.yaml
ledger c '{"version":1,"applied_revision":{}}'
lock_file c "$LOCK_1970"
mkdir -p c/__cluster/recoveries
printf '{}' >c/__cluster/recoveries/01A.json
status --config c
expect_exit 1
expect_json state_observations/state_found false
expect_json state_observations/lock_id held-lock
expect_diag_prefix_order "ERROR invalid_cluster_yaml cluster.yaml: " "WARN  cluster_recovery_pending $T/c/__cluster/recoveries/01A.json"
expect_diag_count 2

case_begin "header errors come after the lock and sidecars, and stop the ledger read"
fresh
printf 'version: 2\ngraphs: {}\n' >c/cluster.yaml
ledger c '{"version":1,"applied_revision":{}}'
lock_file c '{'
mkdir -p c/__cluster/recoveries
printf '{}' >c/__cluster/recoveries/01A.json
status --config c
expect_exit 1
expect_json state_observations/state_found false
expect_diag_prefix_order "WARN  invalid_state_lock __cluster/lock.json: " \
	"WARN  cluster_recovery_pending $T/c/__cluster/recoveries/01A.json: " \
	"ERROR unsupported_cluster_config_version version: unsupported cluster config version 2; this build supports version 1"
expect_diag_count 3

case_begin "unsupported state backend"
fresh
printf 'state:\n  backend: s3://state-bucket/cluster\n' >>c/cluster.yaml
status --config c
expect_exit 1
expect_diags <<EOF
ERROR unsupported_state_backend state.backend: Stage 2C supports only omitted state.backend or \`cluster\`
EOF

# ------------------------------------------------------------------ storage roots

case_begin "storage: a relative local root, resolved against the config dir"
fresh
printf 'storage: ./store/\n' >>c/cluster.yaml
ledger c/store '{"version":1,"state_revision":5,"applied_revision":{}}'
status --config c
expect_exit 0
expect_paths "$T/c/store"
expect_json state_observations/state_revision 5

case_begin "storage: a file:// root"
fresh
mkdir -p "$T/elsewhere"
printf 'storage: file://%s\n' "$T/elsewhere" >>c/cluster.yaml
status --config c
expect_exit 0
expect_paths "$T/elsewhere"

case_begin "storage: S3 is not supported by this build"
fresh
printf 'storage: s3://bucket/pfx/\n' >>c/cluster.yaml
lock_file c "$LOCK_1970"
status --config c
expect_exit 1
expect_paths s3://bucket/pfx
expect_json state_observations/locked false
expect_diags <<EOF
ERROR storage_root_invalid storage: S3 storage roots are not supported by this build
EOF

case_begin "storage: blank is invalid; the lock is looked for in the config dir"
fresh
printf 'storage: "  "\n' >>c/cluster.yaml
lock_file c "$LOCK_1970"
status --config c
expect_exit 1
expect_paths "$T/c"
expect_json state_observations/lock_id held-lock
expect_diags <<EOF
ERROR invalid_storage_root storage: storage must be a non-empty URI (e.g. s3://bucket/prefix) when provided
EOF

# ------------------------------------------------------------------ usage

case_begin "usage"
fresh
run_cfs status --config c extra
expect_exit 2
expect_stdout_empty
run_cfs status --bogus
expect_exit 2
run_cfs status --config c --as alice
expect_exit 1
expect_stdout_empty
expect_stderr_lines 1
expect_stderr_contains "--as"
run_cfs status --help
expect_exit 0
expect_stdout_contains "usage: clusterfs status"

finish
