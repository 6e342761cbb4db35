#!/usr/bin/env bash
# `clusterfs apply` killed at random moments (cluster.md §12, §10.1, §17):
# a four-graph cluster whose desired config changes between iterations is
# applied in the background and killed with SIGKILL after a varying delay
# (failpoint sleeps widen the windows between graph-moving steps); a left
# lock is removed by the id `status --json` shows, and the next applies
# converge: plan shows no changes, every graph root opens, no sidecar
# remains, the ledger reads.  Then the `crash` action of the failpoints
# t0027 covers only with `error` (before_schema_apply, before_graph_delete,
# after_payload_phase), and resource_content_changed (§12 step 11) for a
# query edited while apply is held by a failpoint sleep.
# shellcheck disable=SC2016 # backticks in expected messages are literal
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=lib_sync.sh
. "$HERE/lib_sync.sh"

# Background applies this script started (killed by PID on exit).
BG_PIDS=""
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
	local p
	for p in $BG_PIDS; do
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	chmod -R u+rwx "$T" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

GRAPHS="g1 g2 g3 g4"
SCHEMA_BASE=$'node Person {\n  name: String @key\n}\n'
SCHEMA_AGE=$'node Person {\n  name: String @key\n  age: I32?\n}\n'

# query_text NAME: a query over Person named NAME.
query_text() {
	printf 'query %s($name: String) {\n  match { $p: Person { name: $name } }\n  return { $p.name }\n}\n' "$1"
}

# write_config DIR GRAPH...: cluster.yaml with these graphs (each with its
# schema DIR/GRAPH.pg and query folder DIR/GRAPH/), policy base on g1.
write_config() {
	local dir=$1 g
	shift
	{
		printf 'version: 1\nmetadata: {name: killer}\ngraphs:\n'
		for g in "$@"; do
			printf '  %s:\n    schema: %s.pg\n    queries: %s/\n' "$g" "$g" "$g"
		done
		printf 'policies:\n  base: {file: base.policy.yaml, applies_to: [g1]}\n'
	} >"$T/$dir/cluster.yaml"
}

# multi DIR: the four-graph cluster, imported on an empty storage root.
multi() {
	local dir=$1 g
	rm -rf "${T:?}/$dir"
	mkdir -p "$T/$dir"
	cp "$CFS_FIXTURES/digest/D/base.policy.yaml" "$T/$dir/"
	for g in $GRAPHS; do
		printf '%s' "$SCHEMA_BASE" >"$T/$dir/$g.pg"
		mkdir -p "$T/$dir/$g"
		query_text find_person >"$T/$dir/$g/people.gq"
		query_text "lookup_$g" >"$T/$dir/$g/lookup.gq"
	done
	# shellcheck disable=SC2086 # word list
	write_config "$dir" $GRAPHS
	"$CLUSTERFS" import --config "$T/$dir" >/dev/null || { echo "FAIL: import" >&2; exit 1; }
}

# apply_json DIR [ARGS...]: apply --json with CLUSTERFS_FAILPOINTS=$FP.
apply_json() {
	local dir=$1
	shift
	# shellcheck disable=SC2034 # read by dump_last in lib.sh
	LAST_CMD="CLUSTERFS_FAILPOINTS=${FP:-} clusterfs apply --config $dir --json $*"
	CLUSTERFS_FAILPOINTS=${FP:-} timeout 60 "$CLUSTERFS" apply --config "$dir" --json --as alice "$@" \
		>"$T/.run/out" 2>"$T/.run/err" </dev/null
	RC=$?
	json_flatten "$T/.run/out" >"$T/.v/flat"
	json_diag_lines "$T/.v/flat" >"$T/.v/jdiags"
}

sidecars() { find "$T/$1/__cluster/recoveries" -type f 2>/dev/null | wc -l; }

# unlock_if_locked DIR: a left lock is removed by the id status reports.
unlock_if_locked() {
	[ -e "$T/$1/__cluster/lock.json" ] || return 0
	run_cfs status --config "$1" --json
	json_flatten "$T/.run/out" >"$T/.v/flat"
	local id
	id=$(json_get state_observations/lock_id)
	[ -n "$id" ]
	check $? "status --json shows no lock_id for the left lock"
	run_cfs force-unlock "$id" --config "$1"
	expect_exit 0
	[ ! -e "$T/$1/__cluster/lock.json" ]
	check $? "force-unlock left the lock"
}

# settle DIR GRAPH...: plain applies (at most 3) until converged, then the
# cluster is whole: exit 0, plan without changes, every desired graph root
# opens, no sidecar, status reads the ledger.
settle() {
	local dir=$1 n conv="" g
	shift
	for n in 1 2 3; do
		FP="" apply_json "$dir"
		conv=$(json_get converged)
		[ "$RC" = 0 ] && [ "$conv" = true ] && break
	done
	expect_exit 0
	[ "$conv" = true ]
	check $? "not converged after $n apply run(s)"
	run_cfs plan --config "$dir" --json
	expect_exit 0
	json_flatten "$T/.run/out" >"$T/.v/flat"
	expect_json changes "[]"
	for g in "$@"; do
		run_cfs graph info "$T/$dir/graphs/$g.omni"
		expect_exit 0
	done
	[ "$(sidecars "$dir")" = 0 ]
	check $? "sidecars left under __cluster/recoveries: $(find "$T/$dir/__cluster/recoveries" -type f 2>/dev/null | tr '\n' ' ')"
	[ ! -e "$T/$dir/__cluster/lock.json" ]
	check $? "lock left behind"
	run_cfs status --config "$dir"
	expect_exit 0
}

# ------------------------------------------------------------------ kill loop

case_begin "kill -9 loop: initial converge"
multi k
# shellcheck disable=SC2086
settle k $GRAPHS

# Each iteration moves one or two graphs (and a new graph in iterations 2
# and 5); the sleeps hold every graph-moving step, the payload phase and the
# state write, and the delays land the kill in different windows.
DELAYS=(0.01 0.25 0.12 0.55 0.35 0.80 0.05 0.45)
S="cluster_apply.after_graph_create=sleep(150);cluster_apply.before_schema_apply=sleep(150)"
S="$S;cluster_apply.after_schema_apply=sleep(150);cluster_apply.after_payload_phase=sleep(150)"
S="$S;cluster_apply.before_state_write=sleep(150)"
FPS=("${S//150/20}" "$S" "$S" "$S" "${S//150/200}" "${S//150/200}" "${S//150/100}" "${S//150/250}")
CUR_GRAPHS="$GRAPHS"
for i in 0 1 2 3 4 5 6 7; do
	case_begin "kill -9 loop: iteration $i (delay ${DELAYS[$i]}s, FP '${FPS[$i]}')"
	g=g$((i % 4 + 1))
	# Real work: toggle an optional property (add / soft drop) on one graph,
	# add or remove a query on another; iterations 2 and 5 add a new graph.
	if grep -q age "$T/k/$g.pg"; then
		printf '%s' "$SCHEMA_BASE" >"$T/k/$g.pg"
	else
		printf '%s' "$SCHEMA_AGE" >"$T/k/$g.pg"
	fi
	q=g$(((i + 1) % 4 + 1))
	if [ -e "$T/k/$q/extra.gq" ]; then
		rm -f "$T/k/$q/extra.gq"
	else
		query_text "extra_$i" >"$T/k/$q/extra.gq"
	fi
	if [ "$i" = 2 ] || [ "$i" = 5 ]; then
		ng=n$i
		printf '%s' "$SCHEMA_AGE" >"$T/k/$ng.pg"
		mkdir -p "$T/k/$ng"
		query_text "find_$ng" >"$T/k/$ng/people.gq"
		CUR_GRAPHS="$CUR_GRAPHS $ng"
		# shellcheck disable=SC2086
		write_config k $CUR_GRAPHS
	fi
	run_cfs plan --config k --json
	json_flatten "$T/.run/out" >"$T/.v/flat"
	[ "$(json_get changes)" != "[]" ]
	check $? "iteration $i has no work"

	CLUSTERFS_FAILPOINTS=${FPS[$i]} "$CLUSTERFS" apply --config "$T/k" --as alice \
		>"$T/.run/bg.out" 2>"$T/.run/bg.err" </dev/null &
	pid=$!
	BG_PIDS="$BG_PIDS $pid"
	sleep "${DELAYS[$i]}"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	bg_rc=$?
	BG_PIDS=${BG_PIDS% "$pid"}
	case $bg_rc in
	0 | 1 | 137) pass ;;
	*) fail "background apply exited $bg_rc" ;;
	esac
	unlock_if_locked k
	# shellcheck disable=SC2086
	settle k $CUR_GRAPHS
done

# ------------------------------------------------------------------ crash actions

case_begin "before_schema_apply=crash: exit 137, lock stays, sweep converges"
multi c
settle c g1 g2 g3 g4
printf '%s' "$SCHEMA_AGE" >"$T/c/g2.pg"
FP="cluster_apply.before_schema_apply=crash" apply_json c
expect_exit 137
[ -e "$T/c/__cluster/lock.json" ]
check $? "crash did not leave the lock"
[ "$(sidecars c)" = 1 ]
check $? "no schema_apply sidecar left by the crash"
unlock_if_locked c
settle c g1 g2 g3 g4

case_begin "after_payload_phase=crash: exit 137, lock stays, sweep converges"
multi c
settle c g1 g2 g3 g4
query_text extra_payload >"$T/c/g3/extra.gq"
printf '%s' "$SCHEMA_AGE" >"$T/c/g4.pg"
FP="cluster_apply.after_payload_phase=crash" apply_json c
expect_exit 137
[ -e "$T/c/__cluster/lock.json" ]
check $? "crash did not leave the lock"
unlock_if_locked c
settle c g1 g2 g3 g4

case_begin "before_graph_delete=crash: exit 137, lock stays, delete completes"
multi c
settle c g1 g2 g3 g4
write_config c g1 g2 g3
run_cfs approve graph.g4 --config c --as bob
expect_exit 0
FP="cluster_apply.before_graph_delete=crash" apply_json c
expect_exit 137
[ -e "$T/c/__cluster/lock.json" ]
check $? "crash did not leave the lock"
[ "$(sidecars c)" = 1 ]
check $? "no graph_delete sidecar left by the crash"
unlock_if_locked c
# The root still exists: the sweep retires the sidecar and the delete is
# re-proposed (warning graph_delete_incomplete); it then needs approval
# again or completes with the unconsumed one.
FP="" apply_json c
expect_diag_prefix "WARN  graph_delete_incomplete graph.g4"
if [ "$(json_get converged)" != true ] && [ -d "$T/c/graphs/g4.omni" ]; then
	"$CLUSTERFS" approve graph.g4 --config c --as bob >/dev/null 2>&1
fi
settle c g1 g2 g3
[ ! -e "$T/c/graphs/g4.omni" ]
check $? "graph root g4 not deleted"
grep -q '"kind": "tombstone"' "$T/c/__cluster/state.json"
check $? "no tombstone"

# ------------------------------------------------------------------ resource_content_changed

case_begin "query edited while apply runs: resource_content_changed, clean re-run"
multi c
settle c g1 g2 g3 g4
printf '%s' "$SCHEMA_AGE" >"$T/c/g1.pg"
query_text extra_rcc >"$T/c/g2/extra.gq"
cp "$T/c/__cluster/state.json" "$T/state.before"
(sleep 0.5 && query_text extra_rcc_edited >"$T/c/g2/extra.gq") &
editor=$!
BG_PIDS="$BG_PIDS $editor"
FP="cluster_apply.before_schema_apply=sleep(1500)" apply_json c
wait "$editor" 2>/dev/null
BG_PIDS=${BG_PIDS% "$editor"}
expect_exit 1
expect_diag "ERROR resource_content_changed query.g2.extra_rcc: resource source 'c/g2/extra.gq' changed while apply was running; re-run \`cluster apply\`"
expect_json state_written false
cmp -s "$T/state.before" "$T/c/__cluster/state.json"
check $? "state.json changed by the stopped run"
[ ! -e "$T/c/__cluster/lock.json" ]
check $? "lock left after an error stop"
# The edit renamed the query: the re-run sees the new desired config.
settle c g1 g2 g3 g4

finish
