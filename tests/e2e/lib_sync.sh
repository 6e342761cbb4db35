# tests/e2e/lib_sync.sh: helpers for the `refresh` / `import` tests
# (t0024-import.sh, t0025-refresh.sh), sourced after lib.sh.
#
# A cluster here is a copy of worked example D of cluster.md §5.6
# (tests/fixtures/digest/D: graph `knowledge` with schema A and query
# `find_person`, policy `base`), its storage root the config dir itself,
# its graph root made with `clusterfs graph init`.

# shellcheck shell=bash
# shellcheck disable=SC2034,SC2016 # constants for the sourcing tests; literal backticks
D_CONFIG_DIGEST=eec3f84486684b80edbdac219f8889e95fdce320043b9c5e164055d19a7b8945
# graph.knowledge composites (§5.6 B): schema A alone; schema A + find_person
GRAPH_A=5b6862416d41092cc002c4ce54594a541e5f6dcedc07a663c986f8fde8891687
GRAPH_AQ=cd23cf0245d1231f4434edb2049355e45452070f93037f2fc871613362a854f6
GRAPH_BARE=af305c236e92b5c7004823bd7fd40dcec6a7c56bb6c0697a45e12a840139bd4c
SCHEMA_B_TEXT=$'node Person {\n  name: String @key\n  age: I32?\n}\n'
MISSING_MSG='derived graph root is missing'
MISMATCH_MSG='live schema digest differs from desired schema digest'
PAYLOAD_MISSING_MSG='catalog payload blob is missing; re-run `cluster apply` to republish'
PAYLOAD_MISMATCH_MSG='catalog payload blob does not match the recorded digest; re-run `cluster apply` to republish'
COMPOSITE_MSG='the applied graph resource metadata is not bound by its composite digest; restore the cluster state ledger from a trusted copy before retrying'
ULID_RE='^[0-9A-HJKMNP-TV-Z]{26}$'
TS_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$'

# cluster DIR [--no-graph]: example D copied to ./DIR with its graph root.
cluster() {
	rm -rf "${T:?}/$1"
	cp -R "$CFS_FIXTURES/digest/D" "$T/$1"
	if [ "${2:-}" != --no-graph ]; then
		"$CLUSTERFS" graph init "$T/$1/graphs/knowledge.omni" --schema "$T/$1/people.pg" >/dev/null ||
			{ echo "FAIL: graph init in $1" >&2; exit 1; }
	fi
}

# write_state DIR TEXT: a hand-made ledger (exact bytes, no newline added).
write_state() {
	mkdir -p "$T/$1/__cluster"
	printf '%s' "$2" >"$T/$1/__cluster/state.json"
}

# blob DIR ADDRESS DIGEST [FILE]: publish FILE's bytes (default: the source
# of ADDRESS in example D) as the catalog blob of ADDRESS at DIGEST.
blob() {
	local dir=$1 addr=$2 digest=$3 src=${4:-} path
	case $addr in
	query.*)
		local rest=${addr#query.}
		path="__cluster/resources/query/${rest%%.*}/${rest#*.}/$digest.gq"
		src=${src:-$T/$dir/queries/people.gq}
		;;
	policy.*)
		path="__cluster/resources/policy/${addr#policy.}/$digest.yaml"
		src=${src:-$T/$dir/base.policy.yaml}
		;;
	esac
	mkdir -p "$(dirname "$T/$dir/$path")"
	cp "$src" "$T/$dir/$path"
}

# blob_path DIR ADDRESS DIGEST: where blob() puts it (relative to the root).
blob_path() {
	case $2 in
	query.*) local rest=${2#query.}; echo "__cluster/resources/query/${rest%%.*}/${rest#*.}/$3.gq" ;;
	policy.*) echo "__cluster/resources/policy/${2#policy.}/$3.yaml" ;;
	esac
}

# ledger_d [extra resources JSON]: a valid hand-made ledger of example D at
# revision 4: schema A, graph composite with find_person, the query and
# the policy (both with blobs the caller publishes).
ledger_d() {
	printf '{"version":1,"state_revision":4,"applied_revision":{"config_digest":"%s","resources":{' "$D_CONFIG_DIGEST"
	printf '"graph.knowledge":{"digest":"%s"},"schema.knowledge":{"digest":"%s"},' "$GRAPH_AQ" "$SCHEMA_A_DIGEST"
	printf '"query.knowledge.find_person":{"digest":"%s"},' "$QUERY_A_DIGEST"
	printf '"policy.base":{"digest":"%s","applies_to":["graph.knowledge"]}%s}},' "$POLICY_A_DIGEST" "${1:-}"
	printf '"resource_statuses":{"query.knowledge.find_person":{"status":"applied"}}}'
}

# --------------------------------------------------------------- running

SO_ORDER="state_path lock_path state_found applied_config_digest state_revision state_cas resource_count locked lock_id lock_acquired acquired_lock_id lock_operation lock_created_at lock_pid lock_age_seconds"

# sync_json CMD DIR [ARGS...]: `clusterfs CMD --config DIR --json ARGS` with
# every check a report must pass: one pretty object + newline, empty stderr,
# ok <-> exit status <-> error diagnostics, members in contract order.
# Leaves the flattened report in $T/.v/flat, its diagnostics (rendered as
# the human output prints them) in $T/.v/jdiags.
sync_json() {
	local cmd=$1 dir=$2
	shift 2
	run_cfs "$cmd" --config "$dir" --json "$@"
	sync_checks "$cmd" "$dir"
}

# sync_checks CMD DIR: the checks of sync_json on output already in $T/.run.
sync_checks() {
	local cmd=$1 dir=$2
	json_flatten "$T/.run/out" >"$T/.v/flat"
	if grep -q '^E' "$T/.v/flat"; then
		fail "--json output is not a pretty JSON object: $(grep '^E' "$T/.v/flat" | head -1 | cut -f2- | tr '\t' ' ')"
	else
		pass
	fi
	[ -s "$T/.run/out" ] && [ -z "$(tail -c1 "$T/.run/out")" ]
	check $? "--json output does not end with a newline"
	expect_stderr_empty
	json_diag_lines "$T/.v/flat" >"$T/.v/jdiags"
	local ok keys
	ok=$(json_get ok)
	case "$RC:$ok" in
	0:true | 1:false) pass ;;
	*) fail "exit status $RC with \"ok\": $ok" ;;
	esac
	if grep -q '^ERROR ' "$T/.v/jdiags"; then [ "$ok" = false ]; else [ "$ok" = true ]; fi
	check $? "\"ok\": $ok does not follow the error diagnostics"
	keys=$(json_keys "$T/.v/flat" "")
	[ "$keys" = "ok operation config_dir state_observations resource_digests resource_statuses observations diagnostics" ]
	check $? "report members are [$keys]"
	expect_json operation "$cmd"
	expect_json config_dir "$dir"
	check_member_order
	# state_observations: a subsequence of the contract's order
	keys=$(json_keys "$T/.v/flat" state_observations)
	awk -v got="$keys" -v want="$SO_ORDER" 'BEGIN {
		n = split(got, g, " "); m = split(want, w, " "); j = 1
		for (i = 1; i <= n; i++) { while (j <= m && w[j] != g[i]) j++; if (j > m) exit 1; j++ }
	}'
	check $? "state_observations members [$keys] are not in contract order"
	for k in state_path lock_path state_found state_revision resource_count locked lock_acquired; do
		json_get "state_observations/$k" >/dev/null
		check $? "state_observations has no $k"
	done
}

# sync_both CMD DIR: the same run twice at the same absolute paths - human
# on a copy of DIR (then thrown away), --json on DIR itself - and checks that
# both agree: exit status, headline (§16), the same diagnostics in order.
# (The exact human output, CAS included, is checked on its own elsewhere.)
sync_both() {
	local cmd=$1 dir=$2 hrc head want
	rm -rf "${T:?}/$dir.keep"
	cp -a "$T/$dir" "$T/$dir.keep"
	run_cfs "$cmd" --config "$dir"
	hrc=$RC
	cp "$T/.run/out" "$T/.v/human"
	expect_stderr_empty
	rm -rf "${T:?}/$dir"
	mv "$T/$dir.keep" "$T/$dir"
	sync_json "$cmd" "$dir"
	[ "$hrc" = "$RC" ]
	check $? "exit status $hrc without --json but $RC with --json"
	head=$(sed -n 1p "$T/.v/human")
	if [ "$(json_get ok)" = true ]; then
		want="cluster $cmd: revision $(json_get state_observations/state_revision), $(json_get state_observations/resource_count) resource(s)"
		[ "$head" = "$want" ]
		check $? "headline '$head', expected '$want'"
		# the CAS itself differs: the two runs observe at different times
		sed -n 2p "$T/.v/human" | grep -qE '^  state_cas: sha256:[0-9a-f]{64}$'
		check $? "second line is '$(sed -n 2p "$T/.v/human")'"
		sed -n '3,$p' "$T/.v/human" >"$T/.v/hdiags"
	else
		[ "$head" = "cluster $cmd failed" ]
		check $? "headline '$head', expected 'cluster $cmd failed'"
		sed -n '2,$p' "$T/.v/human" >"$T/.v/hdiags"
	fi
	# timestamps and lock ids differ between the two runs; diagnostics do not
	if cmp -s "$T/.v/hdiags" "$T/.v/jdiags"; then
		pass
	else
		fail "human diagnostics differ from --json diagnostics: $(diff "$T/.v/hdiags" "$T/.v/jdiags" | grep '^[<>]' | head -3 | tr '\n' ' ')"
	fi
}

# --------------------------------------------------------------- checks

expect_json_re() {
	local v
	v=$(json_get "$1")
	printf '%s\n' "$v" | grep -qE -- "$2"
	check $? "$1 is '$v', not matching /$2/"
}

expect_absent() {
	! json_get "$1" >/dev/null && ! awk -F'\t' -v p="$1/" '$1 == "V" && index($2, p) == 1 { f = 1 } END { exit !f }' "$T/.v/flat"
	check $? "$1 is present"
}

# expect_status ADDR STATUS [CONDITION MESSAGE]
expect_status() {
	if [ $# -eq 2 ]; then
		expect_keys "resource_statuses/$1" "status"
	else
		expect_keys "resource_statuses/$1" "status conditions message"
		expect_json "resource_statuses/$1/conditions/0" "$3"
		[ "$(json_count "resource_statuses/$1/conditions")" = 1 ]
		check $? "resource_statuses/$1/conditions has not exactly one element"
		expect_json "resource_statuses/$1/message" "$4"
	fi
	expect_json "resource_statuses/$1/status" "$2"
}

# expect_observation ADDR URI EXISTS VERSION SCHEMA DESIRED MATCHES ERROR
# (the §7.1 graph observation; observed_at must be an RFC 3339 UTC time)
expect_observation() {
	local p="observations/$1"
	expect_keys "$p" "kind address graph_uri observed_at exists graph_manifest_version schema_digest desired_schema_digest schema_matches_desired error"
	expect_json "$p/kind" graph
	expect_json "$p/address" "$1"
	expect_json "$p/graph_uri" "$2"
	expect_json_re "$p/observed_at" "$TS_RE"
	expect_json "$p/exists" "$3"
	expect_json "$p/graph_manifest_version" "$4"
	expect_json "$p/schema_digest" "$5"
	expect_json "$p/desired_schema_digest" "$6"
	expect_json "$p/schema_matches_desired" "$7"
	expect_json "$p/error" "$8"
}

# expect_cas DIR: state_cas is the CAS of the bytes of DIR's state.json.
expect_cas() {
	local want
	want="sha256:$(sha256_file "$T/$1/__cluster/state.json")"
	expect_json state_observations/state_cas "$want"
}

# state_flat DIR: flatten DIR's state.json into $T/.v/sflat (layout checked).
state_flat() {
	json_flatten "$T/$1/__cluster/state.json" >"$T/.v/sflat"
	! grep -q '^E' "$T/.v/sflat"
	check $? "state.json is not pretty JSON: $(grep '^E' "$T/.v/sflat" | head -1)"
	[ -z "$(tail -c1 "$T/$1/__cluster/state.json")" ]
	check $? "state.json does not end with a newline"
}

# expect_state PATH VALUE: scalar in the last state_flat.
expect_state() {
	local v
	v=$(awk -F'\t' -v p="$1" '$1 == "V" && $2 == p { print $3; f = 1; exit } END { exit !f }' "$T/.v/sflat")
	check $? "state.json has no $1"
	[ "$v" = "$2" ]
	check $? "state.json $1 is '$v', expected '$2'"
}

expect_state_absent() {
	! awk -F'\t' -v p="$1" '$1 == "V" && ($2 == p || index($2, p "/") == 1) { f = 1 } END { exit !f }' "$T/.v/sflat"
	check $? "state.json has $1"
}

expect_state_keys() {
	local got
	got=$(json_keys "$T/.v/sflat" "$1")
	[ "$got" = "$2" ]
	check $? "state.json members of '${1:-<top>}' are [$got], expected [$2]"
}

expect_no_file() {
	[ ! -e "$T/$1" ]
	check $? "$1 exists"
}

expect_file() {
	[ -e "$T/$1" ]
	check $? "$1 does not exist"
}

# same_bytes FILE COPY: FILE is byte-identical to COPY.
same_bytes() {
	cmp -s "$T/$1" "$T/$2"
	check $? "$1 changed"
}

# --------------------------------------------------------------- races

# sync_start CMD DIR FAILPOINTS: start `clusterfs CMD --config DIR --json`
# in the background with CLUSTERFS_FAILPOINTS set; sync_wait CMD DIR
# collects it and runs the sync_json checks.
sync_start() {
	LAST_CMD="CLUSTERFS_FAILPOINTS='$3' clusterfs $1 --config $2 --json"
	CLUSTERFS_FAILPOINTS=$3 "$CLUSTERFS" "$1" --config "$2" --json >"$T/.run/out" 2>"$T/.run/err" </dev/null &
	BG=$!
}

sync_wait() {
	wait "$BG"
	RC=$?
	sync_checks "$1" "$2"
}

# wait_for FILE: poll up to 20 s for FILE to exist.
wait_for() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ -e "$T/$1" ] && return 0
		sleep 0.1
	done
	return 1
}
