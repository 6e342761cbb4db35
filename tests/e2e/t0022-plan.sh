#!/usr/bin/env bash
# `clusterfs plan` (cluster.md §11, §16; engine/plan.c, engine/plan_run.c,
# cli/plan.c) end to end on the worked-example cluster D of §5.6 copied into
# a temp dir, with hand-made ledgers carrying true composites: creates on a
# missing ledger, a converged ledger, updates, policy-binding and provider
# metadata updates, deletes with their approval gate (unsatisfied, satisfied
# by a valid artifact, stale, consumed, broken artifacts), classification as
# reported, blast radius, schema-migration previews against a real graph
# root (steps, unavailable: missing root, unsupported change, non-main
# branch), the lock (taken and released, held, state.lock false), pending
# sidecars, validation and ledger failures, the --json report field for
# field and the human output line for line, the plan digest, usage errors.
# shellcheck disable=SC2016 # backticks and $ in expected messages are literal
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

CONFIG_D=eec3f84486684b80edbdac219f8889e95fdce320043b9c5e164055d19a7b8945
GRAPH_D=cd23cf0245d1231f4434edb2049355e45452070f93037f2fc871613362a854f6
LOCK_ID=01ARZ3NDEKTSV4RRFFQ69G5FAV
PLAN_KEYS="ok config_dir desired_revision resource_digests dependencies state_observations changes blast_radius approvals_required plan_digest diagnostics"
GATE_REASON='delete may remove deployed graph or schema definition'
HELD_MSG="cluster state lock already exists (lock id $LOCK_ID); run \`clusterfs force-unlock $LOCK_ID\` only after confirming no cluster operation is active"
STALE_MSG='an approval artifact exists but its bound digests no longer match the plan; re-run `cluster approve`'
SIDECAR_MSG='a recovery sidecar from an interrupted apply is pending; the next state-mutating command will classify it'
# plan_digest_of CFG CAS CHANGES: the fs.md plan digest (CAS "no-state" without a ledger)
plan_digest_of() {
	printf 'clusterfs-plan\0%s\0%s\0%s' "$1" "$2" "$3" | sha256sum | cut -d' ' -f1
}

# ------------------------------------------------------------------ helpers

# plan ARGS...: run `clusterfs plan ARGS` with and without --json and check
# what every run must satisfy: nothing on stderr, the same exit status,
# one pretty JSON object with the report members in order, ok <-> exit
# status <-> error diagnostics, the same diagnostics in both renderings,
# the human headline, and the plan digest (JSON == human == sha256 of the
# compact changes).  Leaves $T/.v/human, $T/.v/json, $T/.v/flat, $T/.v/jdiags.
plan() {
	local human_rc ok head
	run_cfs plan "$@"
	human_rc=$RC
	cp "$T/.run/out" "$T/.v/human"
	expect_stderr_empty
	run_cfs plan "$@" --json
	cp "$T/.run/out" "$T/.v/json"
	expect_stderr_empty
	LAST_CMD="clusterfs plan $* [--json]"
	[ "$human_rc" = "$RC" ]
	check $? "exit status $human_rc without --json but $RC with --json"
	{ cat "$T/.v/human"; echo "--- (--json) ---"; cat "$T/.v/json"; } >"$T/.run/out"
	check_pretty_json "$T/.v/json"
	expect_keys "" "$PLAN_KEYS"
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
	local n g digest
	n=$(json_count changes)
	g=$(json_count approvals_required)
	digest=$(json_get plan_digest)
	if [ "$ok" = true ]; then
		[ "$(sed -n 1p "$T/.v/human")" = "plan digest: $digest" ]
		check $? "first human line is not 'plan digest: $digest'"
		head=$(sed -n 2p "$T/.v/human")
		[ "$head" = "cluster plan: $n change(s), $g approval gate(s)" ]
		check $? "headline '$head' does not match $n change(s), $g gate(s)"
	else
		[ "$(sed -n 1p "$T/.v/human")" = "cluster plan failed" ]
		check $? "failed plan does not start with 'cluster plan failed'"
		[ "$n" = 0 ] && [ "$g" = 0 ] && [ "$(json_count blast_radius)" = 0 ]
		check $? "failed plan reports changes, gates or blast radius"
	fi
	# plan digest = sha256 of the compact changes array: rebuild it from
	# the pretty report (the changes hold no string with ", " or ": ")
	local compact
	compact=$(awk '/^  "changes": \[\]/ { print "[]"; exit }
		/^  "changes": \[$/ { on = 1; printf "["; next }
		on && /^  \]/ { print "]"; exit }
		on { sub(/^ +/, ""); gsub(/": /, "\":"); printf "%s", $0 }' "$T/.v/json")
	# ... prefixed by the config digest and the state CAS (fs.md)
	local cfg cas
	cfg=$(json_get desired_revision/config_digest 2>/dev/null)
	cas=$(json_get state_observations/state_cas 2>/dev/null) || cas=no-state
	[ "$(printf 'clusterfs-plan\0%s\0%s\0%s' "$cfg" "$cas" "$compact" | sha256sum | cut -d' ' -f1)" = "$digest" ]
	check $? "plan_digest $digest is not the sha256 of the config digest, state CAS and compact changes $compact"
}

expect_count() {
	local n
	n=$(json_count "$1")
	[ "$n" -eq "$2" ]
	check $? "$1 has $n element(s), expected $2"
}

# change_index ADDRESS: index of ADDRESS in changes.
change_index() {
	awk -F'\t' -v a="$1" '$1 == "V" && $2 ~ /^changes\/[0-9]+\/resource$/ && $3 == a { split($2, p, "/"); print p[2]; f = 1; exit } END { exit !f }' "$T/.v/flat"
}

# expect_change ADDRESS OP BEFORE AFTER DISPOSITION REASON [KEYS]: one change,
# "-" = member absent; KEYS (default: derived from the values) = its members.
expect_change() {
	local i keys
	if ! i=$(change_index "$1"); then
		fail "no change for $1"
		return
	fi
	expect_json "changes/$i/operation" "$2"
	keys="resource operation"
	if [ "$3" = - ]; then expect_absent "changes/$i/before_digest"; else expect_json "changes/$i/before_digest" "$3"; keys="$keys before_digest"; fi
	if [ "$4" = - ]; then expect_absent "changes/$i/after_digest"; else expect_json "changes/$i/after_digest" "$4"; keys="$keys after_digest"; fi
	expect_json "changes/$i/disposition" "$5"
	keys="$keys disposition"
	if [ "$6" = - ]; then expect_absent "changes/$i/reason"; else expect_json "changes/$i/reason" "$6"; keys="$keys reason"; fi
	expect_keys "changes/$i" "${7:-$keys}"
}

# expect_changes ADDRESS...: exactly these changes, in this order.
expect_changes() {
	local got
	got=$(awk -F'\t' '$1 == "V" && $2 ~ /^changes\/[0-9]+\/resource$/ { print $3 }' "$T/.v/flat" | paste -sd' ' -)
	[ "$got" = "$*" ]
	check $? "changes are [$got], expected [$*]"
}

# expect_gate I RESOURCE SATISFIED
expect_gate() {
	expect_keys "approvals_required/$1" "resource reason satisfied"
	expect_json "approvals_required/$1/resource" "$2"
	expect_json "approvals_required/$1/reason" "$GATE_REASON"
	expect_json "approvals_required/$1/satisfied" "$3"
}

expect_no_lock_file() {
	[ ! -e "$1/__cluster/lock.json" ]
	check $? "$1/__cluster/lock.json was left behind"
}

# ledger DIR RESOURCES [EXTRA]: a hand-made ledger (state_revision 3).
ledger() {
	write_file "$1/__cluster/state.json" '{"version":1,"state_revision":3,"applied_revision":{"config_digest":"%s","resources":{%s}}%s}\n' \
		"$CONFIG_D" "$2" "${3:-}"
}

# artifact DIR ID RESOURCE CONFIG BEFORE CONSUMED: a hand-made approval
# artifact; BEFORE/CONSUMED "null" or a string.
artifact() {
	local before=$5 consumed=$6
	[ "$before" = null ] || before="\"$before\""
	[ "$consumed" = null ] || consumed="\"$consumed\""
	write_file "$1/__cluster/approvals/$2.json" '{\n  "schema_version": 1,\n  "approval_id": "%s",\n  "resource": "%s",\n  "operation": "delete",\n  "reason": "%s",\n  "bound_config_digest": "%s",\n  "bound_before_digest": %s,\n  "bound_after_digest": null,\n  "approved_by": "alice",\n  "created_at": "2024-01-01T00:00:00Z",\n  "consumed_at": %s,\n  "consumed_by_operation": null\n}\n' \
		"$2" "$3" "$GATE_REASON" "$4" "$before" "$consumed"
}

# The converged resources of cluster D.
RES_D="\"graph.knowledge\":{\"digest\":\"$GRAPH_D\"},\"schema.knowledge\":{\"digest\":\"$SCHEMA_A_DIGEST\"},\"query.knowledge.find_person\":{\"digest\":\"$QUERY_A_DIGEST\"},\"policy.base\":{\"digest\":\"$POLICY_A_DIGEST\",\"applies_to\":[\"graph.knowledge\"]}"
# A deletable subtree "old" (true composite) and a lone schema.
OLD_G=$(graph_digest old 4444 q q 5555)
RES_OLD="\"graph.old\":{\"digest\":\"$OLD_G\"},\"schema.old\":{\"digest\":\"4444\"},\"query.old.q\":{\"digest\":\"5555\"}"

fresh() {
	rm -rf "${T:?}/c"
	cp -R "$CFS_FIXTURES/digest/D" "$T/c"
}

# ------------------------------------------------------------------ missing ledger

case_begin "missing ledger: every resource is a create"
fresh
plan --config c
expect_exit 0
expect_json config_dir c
expect_keys desired_revision "config_digest"
expect_json desired_revision/config_digest "$CONFIG_D"
expect_keys resource_digests "graph.knowledge policy.base query.knowledge.find_person schema.knowledge"
expect_json resource_digests/graph.knowledge "$GRAPH_D"
expect_count dependencies 4
expect_keys dependencies/0 "from to"
expect_keys state_observations "state_path lock_path state_found state_revision resource_count locked lock_acquired acquired_lock_id"
expect_json state_observations/state_path "$T/c/__cluster/state.json"
expect_json state_observations/lock_path "$T/c/__cluster/lock.json"
expect_json state_observations/state_found false
expect_json state_observations/state_revision 0
expect_json state_observations/resource_count 0
expect_json state_observations/locked false
expect_json state_observations/lock_acquired true
[[ "$(json_get state_observations/acquired_lock_id)" =~ ^[0-9A-HJKMNP-TV-Z]{26}$ ]]
check $? "acquired_lock_id is not a ULID"
expect_changes graph.knowledge policy.base query.knowledge.find_person schema.knowledge
expect_change graph.knowledge create - "$GRAPH_D" applied -
expect_change policy.base create - "$POLICY_A_DIGEST" applied -
expect_change query.knowledge.find_person create - "$QUERY_A_DIGEST" applied -
expect_change schema.knowledge create - "$SCHEMA_A_DIGEST" applied -
expect_count blast_radius 2
expect_keys blast_radius/0 "resource affected"
expect_json blast_radius/0/resource graph.knowledge
expect_json blast_radius/0/affected/0 policy.base
expect_json blast_radius/0/affected/1 query.knowledge.find_person
expect_json blast_radius/0/affected/2 schema.knowledge
expect_json blast_radius/1/resource schema.knowledge
expect_json blast_radius/1/affected/0 query.knowledge.find_person
expect_count blast_radius/1/affected 1
expect_json approvals_required "[]"
expect_diag_count 0
expect_no_lock_file c
[ ! -e c/__cluster/state.json ]
check $? "plan wrote state.json"
expect_human <<EOF
plan digest: $(json_get plan_digest)
cluster plan: 4 change(s), 0 approval gate(s)
  Create graph.knowledge
  Create policy.base
  Create query.knowledge.find_person
  Create schema.knowledge
EOF

case_begin "plan runs from the config dir by default (--config .)"
run_cfs_in c plan
expect_exit 0
expect_stdout_contains "cluster plan: 4 change(s), 0 approval gate(s)"

# ------------------------------------------------------------------ converged

case_begin "converged ledger: no changes"
fresh
ledger c "$RES_D"
cp c/__cluster/state.json "$T/state.before"
plan --config c
expect_exit 0
expect_json changes "[]"
expect_json blast_radius "[]"
EMPTY_DIGEST=$(plan_digest_of "$CONFIG_D" "sha256:$(sha256_file c/__cluster/state.json)" '[]')
expect_json plan_digest "$EMPTY_DIGEST"
expect_keys state_observations "state_path lock_path state_found applied_config_digest state_revision state_cas resource_count locked lock_acquired acquired_lock_id"
expect_json state_observations/state_found true
expect_json state_observations/applied_config_digest "$CONFIG_D"
expect_json state_observations/state_revision 3
expect_json state_observations/state_cas "sha256:$(sha256_file c/__cluster/state.json)"
expect_json state_observations/resource_count 4
cmp -s c/__cluster/state.json "$T/state.before"
check $? "plan changed state.json"
expect_no_lock_file c
expect_human <<EOF
plan digest: $EMPTY_DIGEST
cluster plan: 0 change(s), 0 approval gate(s)
  no changes
EOF

# ------------------------------------------------------------------ updates and metadata

case_begin "content updates: query, graph derived"
fresh
ledger c "${RES_D/$QUERY_A_DIGEST/0000}"
sed -i "s/\"$GRAPH_D\"/\"$(graph_digest knowledge "$SCHEMA_A_DIGEST" q find_person 0000)\"/" c/__cluster/state.json
plan --config c
expect_exit 0
expect_changes graph.knowledge query.knowledge.find_person
expect_change graph.knowledge update "$(graph_digest knowledge "$SCHEMA_A_DIGEST" q find_person 0000)" "$GRAPH_D" derived -
expect_change query.knowledge.find_person update 0000 "$QUERY_A_DIGEST" applied -
expect_json blast_radius/0/resource graph.knowledge
expect_count blast_radius 1

case_begin "policy applies_to absent in the ledger: binding update"
fresh
ledger c "${RES_D/,\"applies_to\":\[\"graph.knowledge\"\]/}"
plan --config c
expect_exit 0
expect_changes policy.base
expect_change policy.base update "$POLICY_A_DIGEST" "$POLICY_A_DIGEST" applied - \
	"resource operation before_digest after_digest disposition binding_change metadata_change"
expect_json changes/0/binding_change true
expect_json changes/0/metadata_change policy_bindings
expect_json blast_radius "[]"
expect_human <<EOF
plan digest: $(json_get plan_digest)
cluster plan: 1 change(s), 0 approval gate(s)
  Update policy.base [bindings]
EOF

case_begin "policy applies_to different in the ledger: binding update"
fresh
ledger c "${RES_D/\[\"graph.knowledge\"\]/[\"cluster\"]}"
plan --config c
expect_changes policy.base
expect_json changes/0/binding_change true

case_begin "provider embedding_profile absent: metadata update, no [bindings]"
fresh
cat >c/cluster.yaml <<'EOF'
version: 1
metadata: {name: demo}
providers:
  embedding:
    default: {kind: mock, model: recorded-x}
graphs:
  knowledge:
    schema: people.pg
    queries: queries/
    embedding_provider: default
policies:
  base: {file: base.policy.yaml, applies_to: [knowledge]}
EOF
PD=9407ded8cec5d0bd317ddecc1613eb410eb5a792a35f8baea5afed3bb080e106
GP=84e5d5614d117b5ff9d4d835bb294bbc3e3e81bd062e626db9999805c70d563c
RES_P="${RES_D/$GRAPH_D/$GP}"
RES_P="${RES_P/\"digest\":\"$GP\"\}/\"digest\":\"$GP\",\"embedding_provider\":\"provider.embedding.default\"\}}"
ledger c "$RES_P,\"provider.embedding.default\":{\"digest\":\"$PD\"}"
plan --config c
expect_exit 0
expect_changes provider.embedding.default
expect_change provider.embedding.default update "$PD" "$PD" applied - \
	"resource operation before_digest after_digest disposition metadata_change"
expect_json changes/0/metadata_change embedding_profile
expect_human <<EOF
plan digest: $(json_get plan_digest)
cluster plan: 1 change(s), 0 approval gate(s)
  Update provider.embedding.default
EOF
ledger c "$RES_P,\"provider.embedding.default\":{\"digest\":\"$PD\",\"embedding_profile\":{\"kind\":\"mock\",\"model\":\"recorded-x\"}}"
plan --config c
expect_json changes "[]"

# ------------------------------------------------------------------ deletes and gates

case_begin "deletes: one gate per subtree, blocked until approved"
fresh
ledger c "$RES_D,$RES_OLD,\"schema.lone\":{\"digest\":\"6666\"},\"thing.x\":{\"digest\":\"7777\"}"
plan --config c
expect_exit 0
expect_changes graph.old query.old.q schema.lone schema.old thing.x
expect_change graph.old delete "$OLD_G" - blocked approval_required
expect_change query.old.q delete 5555 - blocked approval_required
expect_change schema.lone delete 6666 - deferred apply_unsupported_kind
expect_change schema.old delete 4444 - blocked approval_required
expect_change thing.x delete 7777 - deferred apply_unsupported_kind
expect_count approvals_required 2
expect_gate 0 graph.old false
expect_gate 1 schema.lone false
expect_json blast_radius "[]"
expect_diag_count 0
expect_human <<EOF
plan digest: $(json_get plan_digest)
cluster plan: 5 change(s), 2 approval gate(s)
  Delete graph.old
  Delete query.old.q
  Delete schema.lone
  Delete schema.old
  Delete thing.x
EOF
UNAPPROVED_DIGEST=$(json_get plan_digest)

case_begin "a valid artifact satisfies the gate; the subtree rides it"
artifact c 01J0000000000000000000000A graph.old "$CONFIG_D" "$OLD_G" null
plan --config c
expect_exit 0
expect_change graph.old delete "$OLD_G" - applied -
expect_change query.old.q delete 5555 - applied -
expect_change schema.old delete 4444 - applied -
expect_change schema.lone delete 6666 - deferred apply_unsupported_kind
expect_gate 0 graph.old true
expect_gate 1 schema.lone false
expect_diag_count 0
[ "$(json_get plan_digest)" != "$UNAPPROVED_DIGEST" ]
check $? "the plan digest did not change with the dispositions"

case_begin "a consumed artifact is ignored silently"
fresh
ledger c "$RES_D,$RES_OLD"
artifact c 01J0000000000000000000000A graph.old "$CONFIG_D" "$OLD_G" 2024-01-02T00:00:00Z
plan --config c
expect_change graph.old delete "$OLD_G" - blocked approval_required
expect_gate 0 graph.old false
expect_diag_count 0

case_begin "stale artifacts: other config digest, other before digest"
fresh
ledger c "$RES_D,$RES_OLD"
artifact c 01J0000000000000000000000A graph.old 0000 "$OLD_G" null
artifact c 01J0000000000000000000000B graph.old "$CONFIG_D" 1111 null
artifact c 01J0000000000000000000000C graph.gone "$CONFIG_D" 1111 null
plan --config c
expect_exit 0
expect_change graph.old delete "$OLD_G" - blocked approval_required
expect_gate 0 graph.old false
expect_diags <<EOF
WARN  approval_stale graph.old: $STALE_MSG
EOF

case_begin "stale after the config moved (policy file edited)"
fresh
ledger c "$RES_D,$RES_OLD"
artifact c 01J0000000000000000000000A graph.old "$CONFIG_D" "$OLD_G" null
printf 'version: 1\nrules: [] # moved\n' >c/base.policy.yaml
plan --config c
expect_change graph.old delete "$OLD_G" - blocked approval_required
expect_diag "WARN  approval_stale graph.old: $STALE_MSG"

case_begin "broken artifacts are warnings and left in place"
fresh
ledger c "$RES_D,$RES_OLD"
artifact c 01J0000000000000000000000Z graph.old "$CONFIG_D" "$OLD_G" null
write_file c/__cluster/approvals/01J0000000000000000000000A.json '{not json'
write_file c/__cluster/approvals/01J0000000000000000000000B.json '{"schema_version":1,"approval_id":"B","surprise":true}\n'
write_file c/__cluster/approvals/01J0000000000000000000000C.json '{"schema_version":2,"approval_id":"C","resource":"graph.old","operation":"delete","reason":"r","bound_config_digest":"%s","approved_by":"a","created_at":"t"}\n' "$CONFIG_D"
write_file c/__cluster/approvals/README.txt 'not an artifact'
plan --config c
expect_exit 0
expect_change graph.old delete "$OLD_G" - applied -
expect_diag_count 3
expect_diag_prefix "WARN  invalid_approval_artifact $T/c/__cluster/approvals/01J0000000000000000000000A.json: could not parse ("
expect_diag_re '^WARN  invalid_approval_artifact [^ ]+/01J0000000000000000000000A.json: could not parse \(.*\); leaving it in place$'
expect_diag "WARN  invalid_approval_artifact $T/c/__cluster/approvals/01J0000000000000000000000B.json: could not parse (unknown field \`surprise\`); leaving it in place"
expect_diag "WARN  unsupported_approval_version $T/c/__cluster/approvals/01J0000000000000000000000C.json: unsupported schema version; leaving it in place"
[ -e c/__cluster/approvals/01J0000000000000000000000A.json ] && [ -e c/__cluster/approvals/01J0000000000000000000000C.json ]
check $? "broken artifacts were removed"

case_begin "an unlistable approvals dir is a warning"
fresh
ledger c "$RES_D,$RES_OLD"
ln -s approvals c/__cluster/approvals   # a symlink loop: ELOOP, even for root
plan --config c
expect_exit 0
expect_diag "WARN  approval_read_error __cluster/approvals: could not list '__cluster/approvals': Too many levels of symbolic links"
expect_change graph.old delete "$OLD_G" - blocked approval_required

# ------------------------------------------------------------------ migration previews

case_begin "schema update on a live root: the engine's migration steps"
fresh
ledger c "$RES_D"
run_cfs graph init c/graphs/knowledge.omni --schema c/people.pg
expect_exit 0
printf 'node Person {\n  name: String @key\n  age: I32?\n}\n' >c/people.pg
NEW_S=$(sha256_file c/people.pg)
NEW_G=$(graph_digest knowledge "$NEW_S" q find_person "$QUERY_A_DIGEST")
plan --config c
expect_exit 0
expect_changes graph.knowledge schema.knowledge
expect_change graph.knowledge update "$GRAPH_D" "$NEW_G" derived -
expect_change schema.knowledge update "$SCHEMA_A_DIGEST" "$NEW_S" applied - \
	"resource operation before_digest after_digest disposition migration"
expect_keys changes/1/migration "supported steps"
expect_json changes/1/migration/supported true
expect_count changes/1/migration/steps 1
expect_json changes/1/migration/steps/0/kind add_property
expect_json changes/1/migration/steps/0/type_name Person
expect_json changes/1/migration/steps/0/property_name age
expect_diag_count 0
STEP='{"kind":"add_property","type_kind":"node","type_name":"Person","property_name":"age","property_type":{"scalar":"I32","nullable":true,"list":false,"enum_values":null}}'
expect_human <<EOF
plan digest: $(json_get plan_digest)
cluster plan: 2 change(s), 0 approval gate(s)
  Update graph.knowledge
  Update schema.knowledge
      $STEP
EOF
[ "$(sha256_file c/graphs/knowledge.omni/_graph.json 2>/dev/null || echo x)" != "" ]
check $? "graph root vanished"

case_begin "preview unavailable: a non-main branch exists"
run_cfs graph branch c/graphs/knowledge.omni create feature
expect_exit 0
plan --config c
expect_exit 0
expect_change schema.knowledge update "$SCHEMA_A_DIGEST" "$NEW_S" applied -
expect_diags <<EOF
WARN  schema_preview_unavailable schema.knowledge: could not preview the schema migration: schema apply requires a graph with only main; found non-main branches: feature
EOF

case_begin "preview unavailable: no graph root"
rm -rf c/graphs
plan --config c
expect_exit 0
expect_change schema.knowledge update "$SCHEMA_A_DIGEST" "$NEW_S" applied -
expect_diag_count 1
expect_diag_prefix "WARN  schema_preview_unavailable schema.knowledge: could not preview the schema migration: "
expect_diag_contains "WARN  schema_preview_unavailable schema.knowledge: " "$T/c/graphs/knowledge.omni"
expect_human <<EOF
plan digest: $(json_get plan_digest)
cluster plan: 2 change(s), 0 approval gate(s)
  Update graph.knowledge
  Update schema.knowledge
$(cat "$T/.v/jdiags")
EOF

case_begin "preview unavailable: an unsupported change (property type)"
fresh
printf 'node Person {\n  name: String @key\n  age: I32?\n}\n' >c/people.pg
run_cfs graph init c/graphs/knowledge.omni --schema c/people.pg
expect_exit 0
ledger c "$RES_D"
printf 'node Person {\n  name: String @key\n  age: I64?\n}\n' >c/people.pg
plan --config c
expect_exit 0
expect_change schema.knowledge update "$SCHEMA_A_DIGEST" "$(sha256_file c/people.pg)" applied -
expect_diags <<EOF
WARN  schema_preview_unavailable schema.knowledge: could not preview the schema migration: [OG-MF-106] changing property type for 'Person.age' is not supported in schema migration v1
EOF

case_begin "preview unavailable: the root is not a graph"
fresh
ledger c "$RES_D"
mkdir -p c/graphs/knowledge.omni
write_file c/graphs/knowledge.omni/junk 'junk'
printf 'node Person {\n  name: String @key\n  age: I32?\n}\n' >c/people.pg
plan --config c
expect_exit 0
expect_diag_prefix "WARN  schema_preview_unavailable schema.knowledge: could not preview the schema migration: "

# ------------------------------------------------------------------ the lock

case_begin "held lock: state_lock_held, lock untouched, ledger not read"
fresh
ledger c "$RES_D,$RES_OLD"
write_file c/__cluster/lock.json '{\n  "version": 1,\n  "lock_id": "%s",\n  "operation": "apply",\n  "created_at": "1970-01-01T00:00:00Z",\n  "pid": 123\n}' "$LOCK_ID"
cp c/__cluster/lock.json "$T/lock.before"
plan --config c
expect_exit 1
expect_keys state_observations "state_path lock_path state_found state_revision resource_count locked lock_id lock_acquired lock_operation lock_created_at lock_pid lock_age_seconds"
expect_json state_observations/locked true
expect_json state_observations/lock_id "$LOCK_ID"
expect_json state_observations/lock_acquired false
expect_json state_observations/lock_operation apply
expect_json state_observations/lock_created_at 1970-01-01T00:00:00Z
expect_json state_observations/lock_pid 123
expect_json state_observations/state_found false
expect_json changes "[]"
expect_json approvals_required "[]"
expect_json plan_digest "$(plan_digest_of "$CONFIG_D" no-state '[]')"
expect_diags <<EOF
ERROR state_lock_held __cluster/lock.json: $HELD_MSG
EOF
cmp -s c/__cluster/lock.json "$T/lock.before"
check $? "plan touched a foreign lock"
expect_human <<EOF
cluster plan failed
ERROR state_lock_held __cluster/lock.json: $HELD_MSG
EOF

case_begin "held lock plus a pending sidecar: both reported"
write_file c/__cluster/recoveries/01J00000000000000000000000.json '{}'
plan --config c
expect_exit 1
expect_diags <<EOF
ERROR state_lock_held __cluster/lock.json: $HELD_MSG
WARN  cluster_recovery_pending $T/c/__cluster/recoveries/01J00000000000000000000000.json: $SIDECAR_MSG
EOF

case_begin "after the lock is gone the plan succeeds and releases its own"
rm c/__cluster/lock.json
plan --config c
expect_exit 0
expect_json state_observations/lock_acquired true
expect_json state_observations/locked false
expect_no_lock_file c
expect_diags <<EOF
WARN  cluster_recovery_pending $T/c/__cluster/recoveries/01J00000000000000000000000.json: $SIDECAR_MSG
EOF
expect_change graph.old delete "$OLD_G" - blocked approval_required

case_begin "state.lock false: warning, no lock"
fresh
sed -i 's/^metadata: {name: demo}$/metadata: {name: demo}\nstate: {lock: false}/' c/cluster.yaml
ledger c "$RES_D"
plan --config c
expect_exit 0
expect_json state_observations/lock_acquired false
expect_absent state_observations/acquired_lock_id
expect_diags <<EOF
WARN  state_lock_disabled state.lock: state.lock is false; plan read state without acquiring the cluster state lock
EOF
expect_human <<EOF
plan digest: $(plan_digest_of "$(json_get desired_revision/config_digest)" "$(json_get state_observations/state_cas)" '[]')
cluster plan: 0 change(s), 0 approval gate(s)
  no changes
WARN  state_lock_disabled state.lock: state.lock is false; plan read state without acquiring the cluster state lock
EOF

case_begin "state.lock false ignores a held lock"
write_file c/__cluster/lock.json '{\n  "version": 1,\n  "lock_id": "%s",\n  "operation": "apply",\n  "created_at": "1970-01-01T00:00:00Z",\n  "pid": 123\n}' "$LOCK_ID"
plan --config c
expect_exit 0

# ------------------------------------------------------------------ failures

case_begin "invalid ledger JSON: error, lock released"
fresh
write_file c/__cluster/state.json '{"version":1,'
plan --config c
expect_exit 1
expect_diag_prefix "ERROR invalid_state_json __cluster/state.json: could not parse state JSON: "
expect_json state_observations/state_found true
expect_json state_observations/lock_acquired true
expect_json changes "[]"
expect_no_lock_file c

case_begin "unsupported ledger version"
write_file c/__cluster/state.json '{"version":2,"applied_revision":{"resources":{}}}'
plan --config c
expect_exit 1
expect_diag "ERROR unsupported_state_version state.version: unsupported cluster state version 2; this build supports version 1"

case_begin "validation errors stop before the lock; digests still reported"
fresh
ledger c "$RES_D"
rm c/people.pg
plan --config c
expect_exit 1
expect_json desired_revision/config_digest "$(json_get desired_revision/config_digest)"
expect_keys desired_revision "config_digest"
expect_json resource_digests/policy.base "$POLICY_A_DIGEST"
expect_json changes "[]"
expect_json blast_radius "[]"
expect_json approvals_required "[]"
expect_json state_observations/lock_acquired false
expect_json state_observations/state_found false
expect_diag_prefix "ERROR schema_file_missing graphs.knowledge.schema: could not read schema file '"
[ ! -e c/__cluster/lock.json ]
check $? "lock taken despite validation errors"

case_begin "undecodable config: no config digest"
fresh
write_file c/cluster.yaml 'version: 1\nbogus: 1\n'
plan --config c
expect_exit 1
expect_json desired_revision "{}"
expect_json resource_digests "{}"
expect_json dependencies "[]"
expect_diag_prefix "ERROR invalid_cluster_yaml cluster.yaml: could not parse cluster.yaml: "

case_begin "config dir missing"
plan --config nowhere
expect_exit 1
expect_json config_dir nowhere
expect_diag 'ERROR config_dir_not_found nowhere: `--config` must point at a directory containing cluster.yaml'
expect_human <<'EOF'
cluster plan failed
ERROR config_dir_not_found nowhere: `--config` must point at a directory containing cluster.yaml
EOF

case_begin "storage root elsewhere: ledger and lock live there"
fresh
mkdir -p "$T/store"
sed -i 's|^metadata: {name: demo}$|metadata: {name: demo}\nstorage: ../store|' c/cluster.yaml
ledger "$T/store" "$RES_D,$RES_OLD"
plan --config c
expect_exit 0
expect_json state_observations/state_path "$T/c/../store/__cluster/state.json"
expect_json state_observations/state_found true
expect_changes graph.old query.old.q schema.old
expect_no_lock_file "$T/store"

# ------------------------------------------------------------------ usage

case_begin "--as is refused"
fresh
run_cfs plan --config c --as alice
expect_exit 1
expect_stdout_empty
expect_stderr_lines 1
expect_no_lock_file c

case_begin "usage errors"
run_cfs plan extra --config c
expect_exit 2
expect_stdout_empty
run_cfs plan --bogus
expect_exit 2
run_cfs plan --config
expect_exit 2
run_cfs plan --help
expect_exit 0
expect_stdout_contains "usage: clusterfs plan [--config DIR] [--json]"

finish
