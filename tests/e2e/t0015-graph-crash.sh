#!/usr/bin/env bash
# Crash safety of the graph store through `clusterfs graph` (graph-store.md
# "Atomic commits", architecture.md "Durability rules", cluster.md §17).
#
# For every engine failpoint, action `error`: the command fails with
# injected_failpoint, a reopened graph is at the previous version with its
# data intact, and a retry succeeds; action `crash` (exit 137): the same.
# graph.schema_apply.after_commit is the exception by design: the commit is
# there (version + 1) although the command reported failure.  Then real
# kill -9s of a large `graph load` at a few delays: `graph info` must show
# either the old or the new version with exactly its row counts, never a
# half state, and a retry of the load must succeed.
# shellcheck disable=SC2016 # backticks and $ in expected messages are literal
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

BG=""
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
	# only the background load this script started, by its PID
	if [ -n "$BG" ]; then
		kill -9 "$BG" 2>/dev/null
		wait "$BG" 2>/dev/null
	fi
	chmod -R u+rwx "$T" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

F="$CFS_FIXTURES/graph/cli"
cp "$F"/* "$T"/
SCHEMA_DIGEST=$(sha256_file people.pg)
NONICK_DIGEST=$(sha256_file people-nonick.pg)

# ------------------------------------------------------------------ helpers

# run_fp SPEC ARGS...: run_cfs with CLUSTERFS_FAILPOINTS=SPEC.
run_fp() {
	local spec=$1
	shift
	export CLUSTERFS_FAILPOINTS=$spec
	run_cfs "$@"
	unset CLUSTERFS_FAILPOINTS
	LAST_CMD="CLUSTERFS_FAILPOINTS='$spec' $LAST_CMD"
}

# expect_injected OP NAME: the `error` action's report (cluster.md §17).
expect_injected() {
	expect_exit 1
	expect_stderr_empty
	grep -qxF "graph $1 failed" "$T/.run/out"
	check $? "no 'graph $1 failed' headline"
	[ "$(tail -n 1 "$T/.run/out")" = "ERROR injected_failpoint $2: injected failpoint triggered: $2" ]
	check $? "last line is not the injected_failpoint diagnostic of $2"
	[ "$(grep -c '^ERROR ' "$T/.run/out")" -eq 1 ]
	check $? "more than one error diagnostic"
}

# expect_crashed: the `crash` action's exit, nothing printed.
expect_crashed() {
	expect_exit 137
	expect_stdout_empty
	expect_stderr_empty
}

# state ROOT: "<version> <schema digest> <Person> <Company> <WorksAt>" from
# `graph info --json` ("-" for a type the schema no longer has), or
# "error <code>" when the root does not open.
state() {
	LC_ALL=C "$CLUSTERFS" graph info "$1" --json >"$T/.v/info" 2>/dev/null </dev/null
	json_flatten "$T/.v/info" >"$T/.v/iflat"
	awk -F'\t' '
		$1 == "V" { v[$2] = $3 }
		END {
			if (v["ok"] != "true") { print "error " v["diagnostics/0/code"]; exit }
			n = split("Person Company WorksAt", t, " ")
			s = v["version"] " " v["schema_digest"]
			for (i = 1; i <= n; i++) s = s " " (("rows/" t[i]) in v ? v["rows/" t[i]] : "-")
			print s
		}' "$T/.v/iflat"
}

# expect_state ROOT WANT: state ROOT is exactly WANT.
expect_state() {
	local got
	got=$(state "$1")
	[ "$got" = "$2" ]
	check $? "state of $1 is '$got', expected '$2'"
}

# expect_employees ROOT COMPANY NAMES: query employees(COMPANY) returns
# exactly NAMES (comma-separated, in order).
expect_employees() {
	local got
	got=$("$CLUSTERFS" graph query "$1" --file people.gq --name employees --param "company=$2" --json </dev/null |
		awk -F'"' '/^      "/ { printf "%s%s", sep, $2; sep = "," }')
	[ "$got" = "$3" ]
	check $? "employees of $2 in $1 are '$got', expected '$3'"
}

# fresh NAME: a copy of the base graph (people.pg + people.jsonl, version 2).
fresh() {
	rm -rf "${T:?}/$1"
	cp -r base "$1"
}

# snapshot ROOT / unchanged ROOT: the root's files and their bytes.
snapshot() {
	(cd "$1" && find . -printf '%y %p\n' | LC_ALL=C sort && find . -type f -exec sha256sum {} + | LC_ALL=C sort) >"$T/.v/tree.before"
}
unchanged() {
	(cd "$1" && find . -printf '%y %p\n' | LC_ALL=C sort && find . -type f -exec sha256sum {} + | LC_ALL=C sort) >"$T/.v/tree.after"
	cmp -s "$T/.v/tree.before" "$T/.v/tree.after"
	check $? "root $1 changed: $(diff "$T/.v/tree.before" "$T/.v/tree.after" | grep '^[<>]' | head -3 | tr '\n' ' ')"
}

V2="2 $SCHEMA_DIGEST 4 2 3"
V3="3 $SCHEMA_DIGEST 5 2 4"

case_begin "base graph"
run_cfs graph init base --schema people.pg
expect_exit 0
run_cfs graph load base people.jsonl
expect_exit 0
expect_state base "$V2"

# ------------------------------------------------------------------ commits
for action in error crash; do
	FP=graph.commit.before_manifest

	case_begin "$FP=$action: load"
	fresh g
	run_fp "$FP=$action" graph load g more.jsonl
	if [ $action = error ]; then expect_injected load $FP; else expect_crashed; fi
	expect_state g "$V2"
	expect_employees g Globex Carol
	run_cfs graph load g more.jsonl
	expect_exit 0
	expect_state g "$V3"
	expect_employees g Globex Carol,Erin

	case_begin "$FP=$action: mutation query"
	fresh g
	run_fp "$FP=$action" graph query g --file people.gq --name remove_person --param name=Bob
	if [ $action = error ]; then expect_injected query $FP; else expect_crashed; fi
	expect_state g "$V2"
	expect_employees g Acme Alice,Bob
	run_cfs graph query g --file people.gq --name remove_person --param name=Bob
	expect_exit 0
	expect_state g "3 $SCHEMA_DIGEST 3 2 2"
	expect_employees g Acme Alice

	case_begin "$FP=$action: load into a branch"
	fresh g
	run_cfs graph branch g create dev
	expect_exit 0
	run_fp "$FP=$action" graph load g more.jsonl --branch dev
	if [ $action = error ]; then expect_injected load $FP; else expect_crashed; fi
	run_cfs graph query g --file people.gq --name all_people --branch dev
	expect_exit 0
	[ "$(grep -c '^    \[' "$T/.run/out")" -eq 4 ]
	check $? "branch dev does not hold the 4 people it forked with"
	run_cfs graph load g more.jsonl --branch dev
	expect_exit 0
	run_cfs graph query g --file people.gq --name all_people --branch dev
	[ "$(grep -c '^    \[' "$T/.run/out")" -eq 5 ]
	check $? "branch dev does not hold 5 people after the retry"
	expect_state g "$V2"
done

case_begin "graph.commit.before_manifest=sleep(300): the load still commits"
fresh g
start=$(date +%s%N)
run_fp "graph.commit.before_manifest=sleep(300)" graph load g more.jsonl
end=$(date +%s%N)
expect_exit 0
[ $(((end - start) / 1000000)) -ge 300 ]
check $? "the load took $(((end - start) / 1000000)) ms, less than the 300 ms sleep"
expect_state g "$V3"

# ------------------------------------------------------------------ schema apply
for action in error crash; do
	FP=graph.schema_apply.before_commit

	case_begin "$FP=$action: fails having written nothing"
	fresh g
	snapshot g
	run_fp "$FP=$action" graph schema-apply g people-nonick.pg
	if [ $action = error ]; then expect_injected schema-apply $FP; else expect_crashed; fi
	unchanged g
	expect_state g "$V2"
	run_cfs graph query g --file people.gq --name nicknames
	expect_exit 0
	expect_stdout_contains '"Al"'
	run_cfs graph schema-apply g people-nonick.pg
	expect_exit 0
	expect_state g "3 $NONICK_DIGEST 4 2 3"

	FP=graph.schema_apply.after_commit
	case_begin "$FP=$action: the commit is there, the command failed"
	fresh g
	run_fp "$FP=$action" graph schema-apply g people-nonick.pg
	if [ $action = error ]; then expect_injected schema-apply $FP; else expect_crashed; fi
	expect_state g "3 $NONICK_DIGEST 4 2 3"
	expect_employees g Acme Alice,Bob
	# the retry finds the schema live: success, no further version
	run_cfs graph schema-apply g people-nonick.pg --json
	expect_exit 0
	expect_stdout_contains '"version": 3,'
	expect_state g "3 $NONICK_DIGEST 4 2 3"
done

case_begin "graph.schema_apply.after_commit=error with --json"
fresh g
run_fp graph.schema_apply.after_commit graph schema-apply g people-nocompany.pg --json
expect_exit 1
expect_stderr_empty
json_flatten "$T/.run/out" >"$T/.v/flat"
expect_json ok false
expect_json diagnostics/0/code injected_failpoint
expect_json diagnostics/0/path graph.schema_apply.after_commit
expect_state g "3 $(sha256_file people-nocompany.pg) 4 - -"

# ------------------------------------------------------------------ init
for action in error crash; do
	FP=graph.init.after_marker

	case_begin "$FP=$action: a partial root is not a graph"
	rm -rf n
	run_fp "$FP=$action" graph init n --schema people.pg
	if [ $action = error ]; then expect_injected init $FP; else expect_crashed; fi
	# no version was ever committed: the root does not open (cluster.md §15:
	# init may leave a partial root), and init stays strict over it
	expect_state n "error graph_root_invalid"
	run_cfs graph init n --schema people.pg
	expect_exit 1
	expect_stdout_contains "ERROR graph_root_exists n: "
	# the recovery the control plane runs: delete the partial root, init again
	run_cfs graph delete n
	expect_exit 0
	run_cfs graph init n --schema people.pg
	expect_exit 0
	expect_state n "1 $SCHEMA_DIGEST 0 0 0"
done

# ------------------------------------------------------------------ delete
for action in error crash; do
	FP=graph.delete.before_remove

	case_begin "$FP=$action"
	fresh g
	snapshot g
	run_fp "$FP=$action" graph delete g
	if [ $action = error ]; then expect_injected delete $FP; else expect_crashed; fi
	if [ $action = error ]; then
		unchanged g     # a failed delete gives its reservation back
	else
		# a crashed delete keeps the root reserved until it is re-run:
		# exports are refused, nothing else changed
		rm -f g/_exclusion.json.kept
		cp g/_exclusion.json g/_exclusion.json.kept 2>/dev/null
		check $? "the crashed delete left no reservation"
		run_cfs graph export g
		expect_exit 1
		expect_stdout_contains "ERROR graph_delete_in_progress g: "
		rm -f g/_exclusion.json g/_exclusion.json.kept
		unchanged g
		cp /dev/null g/_exclusion.json  # restore the reservation for the retry below
	fi
	expect_state g "$V2"
	expect_employees g Acme Alice,Bob
	run_cfs graph delete g
	expect_exit 0
	[ ! -e g ]
	check $? "g survived the retried delete"
	expect_state g "error graph_root_missing"
done

# ------------------------------------------------------------------ kill -9
# 200k people, keys that do not clash with the base graph's; merge mode so
# the retry succeeds whether or not the killed load had committed.
# (Each load runs in the background by PID; cleanup() kills only that PID.)
awk 'BEGIN { for (i = 0; i < 200000; i++) printf "{\"type\": \"Person\", \"data\": {\"name\": \"p%06d\", \"age\": %d}}\n", i, i % 90 }' >big.jsonl
OLD="$V2"
NEW="3 $SCHEMA_DIGEST 200004 2 3"
# The delays are spread over the measured length of one whole load (so a
# slow sanitizer build still sees kills before, around and after the
# commit), each with a random jitter of up to 30 ms.
# ------------------------------------------------------------------ branches
for action in error crash; do
	case_begin "graph.branch.before_record=$action: the branch does not exist"
	fresh b
	run_fp "graph.branch.before_record=$action" graph branch b create dev
	[ "$RC" -ne 0 ]
	check $? "branch create with an armed failpoint succeeded"
	run_cfs graph branch b list --json
	expect_exit 0
	grep -q '"dev"' "$T/.run/out"
	[ $? -ne 0 ]
	check $? "a half-created branch is listed"
	run_cfs graph load b more.jsonl --branch dev
	expect_exit 1
	run_cfs graph branch b create dev
	expect_exit 0
	run_cfs graph load b more.jsonl --branch dev
	expect_exit 0
	expect_state b "$V2"
done

case_begin "an interrupted branch delete leaves no branch, and create works again"
fresh b
run_cfs graph branch b create dev
expect_exit 0
run_cfs graph load b more.jsonl --branch dev
expect_exit 0
rm b/_branches/dev.json         # the delete's first step, then a crash
run_cfs graph load b more.jsonl --branch dev
expect_exit 1
run_cfs graph schema-apply b people.pg
expect_exit 0
run_cfs graph branch b create dev
expect_exit 0
run_cfs graph info b --json
expect_exit 0

case_begin "a whole large load"
fresh k
start=$(date +%s%N)
run_cfs graph load k big.jsonl --mode merge
full_ms=$((($(date +%s%N) - start) / 1000000))
expect_exit 0
expect_state k "$NEW"
n_old=0
n_new=0
for pct in 5 15 30 50 70 85 95 110; do
	ms=$((full_ms * pct / 100 + RANDOM % 30))
	delay=$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))
	case_begin "kill -9 of a large load after ${delay}s ($pct% of ${full_ms} ms)"
	fresh k
	"$CLUSTERFS" graph load k big.jsonl --mode merge >/dev/null 2>&1 </dev/null &
	BG=$!
	sleep "$delay"
	kill -9 "$BG" 2>/dev/null
	wait "$BG" 2>/dev/null
	rc=$?
	BG=""
	LAST_CMD="clusterfs graph load k big.jsonl --mode merge (killed after ${delay}s, exit $rc)"
	case $rc in
	0 | 137) pass ;;
	*) fail "the load exited $rc, neither 0 nor 137 (killed)" ;;
	esac
	got=$(state k)
	case "$got" in
	"$OLD") n_old=$((n_old + 1)) ;;
	"$NEW") n_new=$((n_new + 1)) ;;
	esac
	[ "$got" = "$OLD" ] || [ "$got" = "$NEW" ]
	check $? "after the kill the graph is '$got': neither the old '$OLD' nor the new '$NEW'"
	if [ "$rc" = 0 ]; then
		[ "$got" = "$NEW" ]
		check $? "the load reported success but the graph is '$got'"
	fi
	expect_employees k Acme Alice,Bob
	run_cfs graph load k big.jsonl --mode merge
	expect_exit 0
	want_v=$((${got%% *} + 1))
	expect_state k "$want_v $SCHEMA_DIGEST 200004 2 3"
	run_cfs graph query k --file people.gq --name older_than --param min=88 --json
	expect_exit 0
	[ "$(grep -c '^      "p' "$T/.run/out")" -eq 2222 ]
	check $? "older_than 88 does not find the 2222 generated people aged 89"
done
echo "kill -9: $n_old kill(s) left the old version, $n_new the new one"

finish
