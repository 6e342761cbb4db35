#!/usr/bin/env bash
# `clusterfs force-unlock LOCK_ID` (cluster.md §8, §13, §16;
# engine/status.c, cli/force_unlock.c) end to end on the worked-example
# cluster D of §5.6 copied into a temp dir, with hand-made lock files:
# removal on the exact id (report and human output), every refusal
# (state_lock_missing, state_lock_read_error, invalid_state_lock,
# unsupported_state_lock_version, state_lock_id_mismatch, state_lock_error)
# leaving the file byte-identical, config and storage-root errors before
# any storage access, interplay with status and plan, usage.
# shellcheck disable=SC2016 # backticks in expected messages are literal
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

UNLOCK_KEYS="ok config_dir state_observations lock_removed diagnostics"
LOCK_ID=01ARZ3NDEKTSV4RRFFQ69G5FAV
LOCK_PLAN='{
  "version": 1,
  "lock_id": "'$LOCK_ID'",
  "operation": "plan",
  "created_at": "1970-01-01T00:00:00Z",
  "pid": 123
}'
UTF8='stream did not contain valid UTF-8'
ELOOP='Too many levels of symbolic links'
MISMATCH_MSG="lock id mismatch: held lock is $LOCK_ID, refusing to remove (pass the exact id from \`cluster status\`)"

# ------------------------------------------------------------------ helpers

# unlock ARGS...: run `clusterfs force-unlock ARGS` with and without --json
# (restoring the lock file in between, so both runs see the same lock) and
# check what every run must satisfy: nothing on stderr, the same exit
# status, one pretty JSON object with the report members in order, ok <->
# exit status <-> error diagnostics, the same diagnostics in both
# renderings, the headline.  Leaves $T/.v/human, $T/.v/json, $T/.v/flat,
# $T/.v/jdiags.  DIR is taken from --config.
unlock() {
	local human_rc ok dir=. a prev=
	for a in "$@"; do
		[ "$prev" = --config ] && dir=$a
		prev=$a
	done
	local saved=
	if [ -f "$dir/__cluster/lock.json" ] || [ -L "$dir/__cluster/lock.json" ]; then
		saved=$T/.v/lock.saved
		rm -f "$saved"
		cp -P "$dir/__cluster/lock.json" "$saved"
	fi
	run_cfs force-unlock "$@"
	human_rc=$RC
	cp "$T/.run/out" "$T/.v/human"
	expect_stderr_empty
	if [ -n "$saved" ]; then
		rm -f "$dir/__cluster/lock.json"
		cp -P "$saved" "$dir/__cluster/lock.json"
	fi
	run_cfs force-unlock "$@" --json
	cp "$T/.run/out" "$T/.v/json"
	expect_stderr_empty
	LAST_CMD="clusterfs force-unlock $* [--json]"
	[ "$human_rc" = "$RC" ]
	check $? "exit status $human_rc without --json but $RC with --json"
	{ cat "$T/.v/human"; echo "--- (--json) ---"; cat "$T/.v/json"; } >"$T/.run/out"
	check_pretty_json "$T/.v/json"
	expect_keys "" "$UNLOCK_KEYS"
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
	[ "$(json_get lock_removed)" = "$ok" ]
	check $? "lock_removed is not ok"
	[ "$(json_get state_observations/lock_acquired)" = false ]
	check $? "force-unlock reports a lock acquired"
	local head
	head=$(sed -n 1p "$T/.v/human")
	if [ "$ok" = true ]; then
		case $head in "cluster force-unlock: removed lock"*) true ;; *) false ;; esac
	else
		[ "$head" = "cluster force-unlock failed" ]
	fi
	check $? "headline '$head' does not match the report"
}

# The state_observations members of a run that saw no lock holder.
expect_bare_observations() {
	expect_keys state_observations "state_path lock_path state_found state_revision resource_count locked lock_acquired"
	expect_json state_observations/locked false
}

fresh() {
	rm -rf "${T:?}/c"
	cp -R "$CFS_FIXTURES/digest/D" "$T/c"
}

lock_file() {
	mkdir -p "$1/__cluster"
	printf '%s' "$2" >"$1/__cluster/lock.json"
}

# expect_lock_kept DIR TEXT: the lock file is still exactly TEXT.
expect_lock_kept() {
	[ -f "$1/__cluster/lock.json" ] && [ "$(cat "$1/__cluster/lock.json"; printf x)" = "${2}x" ]
	check $? "the lock file was changed or removed"
}

expect_lock_gone() {
	[ ! -e "$1/__cluster/lock.json" ] && [ ! -L "$1/__cluster/lock.json" ]
	check $? "the lock file is still there"
}

# ------------------------------------------------------------------ removal

case_begin "the exact id removes the lock"
fresh
lock_file c "$LOCK_PLAN"
unlock "$LOCK_ID" --config c
expect_exit 0
expect_lock_gone c
age=$(json_get state_observations/lock_age_seconds)
[[ "$age" =~ ^[0-9]+$ ]] && [ $(($(date +%s) - age)) -le 5 ]
check $? "lock_age_seconds '$age' is not the age of a 1970 lock"
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
    "lock_id": "$LOCK_ID",
    "lock_acquired": false,
    "lock_operation": "plan",
    "lock_created_at": "1970-01-01T00:00:00Z",
    "lock_pid": 123,
    "lock_age_seconds": $age
  },
  "lock_removed": true,
  "diagnostics": []
}
EOF
grep -qxE "cluster force-unlock: removed lock \(id=$LOCK_ID, operation=plan, pid=123, created_at=1970-01-01T00:00:00Z, age_seconds=[0-9]+\)" "$T/.v/human" &&
	[ "$(wc -l <"$T/.v/human")" -eq 1 ]
check $? "human output is not the one 'removed lock (...)' line"

case_begin "removal leaves everything else alone"
fresh
mkdir -p c/__cluster
printf '{"version":1,"applied_revision":{}}' >c/__cluster/state.json
lock_file c "$LOCK_PLAN"
rm c/__cluster/lock.json
before=$(tree_listing c)
lock_file c "$LOCK_PLAN"
run_cfs force-unlock "$LOCK_ID" --config c
expect_exit 0
# (besides the lock, the one line it appends to the events log)
[ "$before" = "$(tree_listing c | grep -v ' ./__cluster/events.jsonl$')" ] &&
	[ "$(grep -c '"operation":"force-unlock"' c/__cluster/events.jsonl)" -eq 1 ]
check $? "force-unlock changed more than the lock and the events log"

case_begin "status before and after"
fresh
lock_file c "$LOCK_PLAN"
run_cfs status --config c --json
json_flatten "$T/.run/out" >"$T/.v/flat"
expect_json state_observations/lock_id "$LOCK_ID"
run_cfs force-unlock "$(json_get state_observations/lock_id)" --config c
expect_exit 0
run_cfs status --config c
expect_exit 0
expect_stdout_equals "cluster state missing
WARN  state_missing __cluster/state.json: state.json is missing; no applied cluster revision has been recorded"

case_begin "a lock left by a crashed plan is removed and plan runs again"
fresh
lock_file c "$LOCK_PLAN"
run_cfs plan --config c --json
expect_exit 1
expect_stdout_contains '"code": "state_lock_held"'
run_cfs force-unlock "$LOCK_ID" --config c
expect_exit 0
run_cfs plan --config c --json
expect_exit 0
expect_lock_gone c

case_begin "default --config is the working directory"
fresh
lock_file c "$LOCK_PLAN"
run_cfs_in c force-unlock "$LOCK_ID"
expect_exit 0
expect_lock_gone c

# ------------------------------------------------------------------ refusals

case_begin "wrong id: refused, lock kept and reported"
fresh
lock_file c "$LOCK_PLAN"
unlock 01ARZ3NDEKTSV4RRFFQ69G5FAW --config c
expect_exit 1
expect_lock_kept c "$LOCK_PLAN"
expect_json state_observations/locked true
expect_json state_observations/lock_id "$LOCK_ID"
expect_json state_observations/lock_operation plan
expect_json state_observations/lock_pid 123
expect_json lock_removed false
expect_diags <<EOF
ERROR state_lock_id_mismatch __cluster/lock.json: $MISMATCH_MSG
EOF
[ "$(sed -n 1p "$T/.v/human")" = "cluster force-unlock failed" ] &&
	sed -n 2p "$T/.v/human" | grep -qxE "  lock: held \(id=$LOCK_ID, operation=plan, pid=123, created_at=1970-01-01T00:00:00Z, age_seconds=[0-9]+\)" &&
	[ "$(sed -n 3p "$T/.v/human")" = "ERROR state_lock_id_mismatch __cluster/lock.json: $MISMATCH_MSG" ] &&
	[ "$(wc -l <"$T/.v/human")" -eq 3 ]
check $? "human output is not failed / lock: held (...) / the error"

case_begin "ids compare exactly"
unlock "$(printf '%s' "$LOCK_ID" | tr 'A-Z' 'a-z')" --config c
expect_exit 1
expect_diag_prefix "ERROR state_lock_id_mismatch "
unlock "$LOCK_ID " --config c
expect_exit 1
expect_lock_kept c "$LOCK_PLAN"

case_begin "no lock"
fresh
unlock "$LOCK_ID" --config c
expect_exit 1
expect_bare_observations
expect_diags <<EOF
ERROR state_lock_missing __cluster/lock.json: no cluster state lock is present
EOF
expect_human <<EOF
cluster force-unlock failed
ERROR state_lock_missing __cluster/lock.json: no cluster state lock is present
EOF
[ ! -e c/__cluster ]
check $? "force-unlock created __cluster"

case_begin "a directory in the lock's place is no lock"
mkdir -p c/__cluster/lock.json/x
unlock "$LOCK_ID" --config c
expect_exit 1
expect_diag_prefix "ERROR state_lock_missing "
[ -d c/__cluster/lock.json/x ]
check $? "the directory was removed"

case_begin "unparseable lock: refused, kept, not reported as held"
fresh
lock_file c '{'
unlock "$LOCK_ID" --config c
expect_exit 1
expect_lock_kept c '{'
expect_bare_observations
expect_diag_prefix "ERROR invalid_state_lock __cluster/lock.json: could not parse state lock: "
expect_diag_count 1
[ "$(wc -l <"$T/.v/human")" -eq 2 ]
check $? "human output is not the headline and the error"

case_begin "lock with an unknown key"
lock_file c '{"version":1,"lock_id":"'$LOCK_ID'","operation":"plan","created_at":"1970-01-01T00:00:00Z","pid":123,"host":"x"}'
unlock "$LOCK_ID" --config c
expect_exit 1
expect_diag_prefix 'ERROR invalid_state_lock __cluster/lock.json: could not parse state lock: unknown field `host`'
expect_bare_observations

case_begin "lock with a missing key or a wrong type"
lock_file c '{"version":1,"lock_id":"'$LOCK_ID'","operation":"plan","pid":123}'
unlock "$LOCK_ID" --config c
expect_exit 1
expect_diag_prefix 'ERROR invalid_state_lock __cluster/lock.json: could not parse state lock: missing field `created_at`'
lock_file c '{"version":1,"lock_id":"'$LOCK_ID'","operation":"plan","created_at":"x","pid":"123"}'
unlock "$LOCK_ID" --config c
expect_exit 1
expect_diag_prefix 'ERROR invalid_state_lock __cluster/lock.json: could not parse state lock: invalid type: string "123", expected u32'
expect_lock_kept c '{"version":1,"lock_id":"'$LOCK_ID'","operation":"plan","created_at":"x","pid":"123"}'

case_begin "lock of another version"
V2='{"version":2,"lock_id":"'$LOCK_ID'","operation":"plan","created_at":"1970-01-01T00:00:00Z","pid":123}'
lock_file c "$V2"
unlock "$LOCK_ID" --config c
expect_exit 1
expect_lock_kept c "$V2"
expect_bare_observations
expect_diags <<EOF
ERROR unsupported_state_lock_version __cluster/lock.json: unsupported cluster state lock version 2
EOF

case_begin "unreadable lock"
fresh
mkdir -p c/__cluster
printf '{"lock_id":"\377"}' >c/__cluster/lock.json
unlock "$LOCK_ID" --config c
expect_exit 1
expect_bare_observations
expect_diags <<EOF
ERROR state_lock_read_error __cluster/lock.json: could not read state lock: $UTF8
EOF
[ -f c/__cluster/lock.json ]
check $? "the unreadable lock was removed"
rm c/__cluster/lock.json
ln -s lock.json c/__cluster/lock.json
unlock "$LOCK_ID" --config c
expect_exit 1
expect_diags <<EOF
ERROR state_lock_read_error __cluster/lock.json: could not read state lock: $ELOOP
EOF
[ -L c/__cluster/lock.json ]
check $? "the symlink was removed"

case_begin "the lock cannot be removed: state_lock_error"
fresh
lock_file c "$LOCK_PLAN"
# An immutable directory refuses the unlink even to root; skip where the
# file system or the capabilities do not allow setting it.
if chattr +i c/__cluster 2>/dev/null; then
	run_cfs force-unlock "$LOCK_ID" --config c --json
	rc_json=$RC
	cp "$T/.run/out" "$T/.v/json"
	run_cfs force-unlock "$LOCK_ID" --config c
	cp "$T/.run/out" "$T/.v/human"
	chattr -i c/__cluster
	RC=$rc_json
	expect_exit 1
	json_flatten "$T/.v/json" >"$T/.v/flat"
	json_diag_lines "$T/.v/flat" >"$T/.v/jdiags"
	expect_diags <<EOF
ERROR state_lock_error __cluster/lock.json: could not remove state lock: Operation not permitted
WARN  events_write_error __cluster/events.jsonl: could not append to the events log: Operation not permitted
EOF
	expect_json lock_removed false
	expect_json state_observations/locked true
	expect_json state_observations/lock_id "$LOCK_ID"
	expect_lock_kept c "$LOCK_PLAN"
	[ "$(sed -n 1p "$T/.v/human")" = "cluster force-unlock failed" ] &&
		sed -n 2p "$T/.v/human" | grep -q "^  lock: held (id=$LOCK_ID, "
	check $? "human output is not failed / lock: held (...)"
else
	echo "skip: cannot make a directory immutable here"
fi

# ------------------------------------------------------------------ config

case_begin "config dir missing"
unlock "$LOCK_ID" --config nowhere
expect_exit 1
expect_bare_observations
expect_json state_observations/lock_path "$T/nowhere/__cluster/lock.json"
expect_diags <<EOF
ERROR config_dir_not_found nowhere: \`--config\` must point at a directory containing cluster.yaml
EOF

case_begin "undecodable cluster.yaml: the lock is not touched"
fresh
printf 'version: 1\nversion: 1\n' >c/cluster.yaml
lock_file c "$LOCK_PLAN"
unlock "$LOCK_ID" --config c
expect_exit 1
expect_lock_kept c "$LOCK_PLAN"
expect_bare_observations
expect_diags <<EOF
ERROR duplicate_yaml_key version: duplicate YAML key \`version\` on line 2
EOF

case_begin "header errors: the lock is not touched"
fresh
printf 'version: 1\nstate:\n  backend: s3://state-bucket/cluster\ngraphs:\n  knowledge:\n    schema: ./people.pg\n' >c/cluster.yaml
lock_file c "$LOCK_PLAN"
unlock "$LOCK_ID" --config c
expect_exit 1
expect_lock_kept c "$LOCK_PLAN"
expect_bare_observations
expect_diags <<EOF
ERROR unsupported_state_backend state.backend: Stage 2C supports only omitted state.backend or \`cluster\`
EOF
printf 'version: 3\nmetadata:\n  name: " "\n' >c/cluster.yaml
unlock "$LOCK_ID" --config c
expect_exit 1
expect_diags <<EOF
ERROR unsupported_cluster_config_version version: unsupported cluster config version 3; this build supports version 1
ERROR empty_metadata_name metadata.name: metadata.name must not be empty when provided
EOF
expect_lock_kept c "$LOCK_PLAN"

case_begin "force-unlock reads no referenced file"
fresh
rm c/people.pg c/base.policy.yaml
lock_file c "$LOCK_PLAN"
unlock "$LOCK_ID" --config c
expect_exit 0
expect_lock_gone c

# ------------------------------------------------------------------ storage roots

case_begin "storage: the lock under a local storage root"
fresh
printf 'storage: ../store\n' >>c/cluster.yaml
lock_file store "$LOCK_PLAN"
lock_file c "$LOCK_PLAN"
run_cfs force-unlock "$LOCK_ID" --config c --json
expect_exit 0
json_flatten "$T/.run/out" >"$T/.v/flat"
# made absolute lexically: ".." is kept (§2.6)
expect_json state_observations/lock_path "$T/c/../store/__cluster/lock.json"
expect_json lock_removed true
expect_lock_gone store
expect_lock_kept c "$LOCK_PLAN"

case_begin "storage: S3 is not supported by this build"
fresh
printf 'storage: s3://bucket/pfx\n' >>c/cluster.yaml
lock_file c "$LOCK_PLAN"
unlock "$LOCK_ID" --config c
expect_exit 1
expect_json state_observations/lock_path s3://bucket/pfx/__cluster/lock.json
expect_bare_observations
expect_diags <<EOF
ERROR storage_root_invalid storage: S3 storage roots are not supported by this build
EOF
expect_lock_kept c "$LOCK_PLAN"

# ------------------------------------------------------------------ usage

case_begin "usage"
fresh
lock_file c "$LOCK_PLAN"
run_cfs force-unlock --config c
expect_exit 2
expect_stdout_empty
expect_stderr_contains "LOCK_ID"
run_cfs force-unlock "$LOCK_ID" extra --config c
expect_exit 2
expect_stdout_empty
run_cfs force-unlock "$LOCK_ID" --config c --as alice
expect_exit 1
expect_stdout_empty
expect_stderr_lines 1
expect_stderr_contains "--as"
run_cfs force-unlock --help
expect_exit 0
expect_stdout_contains "usage: clusterfs force-unlock LOCK_ID"
expect_lock_kept c "$LOCK_PLAN"
run_cfs force-unlock -- "$LOCK_ID" --config c
expect_exit 2

finish
