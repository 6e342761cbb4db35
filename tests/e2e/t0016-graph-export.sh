#!/usr/bin/env bash
# graph export: the load format on stdout, a round trip through load, and
# the reader registration that makes a concurrent delete wait
# (reserve_export_exclusion, cluster.md §15).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

cp "$CFS_FIXTURES"/graph/cli/people.pg "$CFS_FIXTURES"/graph/cli/people.jsonl "$T"/

case_begin "export writes the load format and a reload is the same graph"
run_cfs graph init g --schema people.pg
expect_exit 0
run_cfs graph load g people.jsonl
expect_exit 0
run_cfs graph export g
expect_exit 0
expect_stderr_empty
cp "$T/.run/out" exported.jsonl
grep -q '"type": *"Person"' exported.jsonl
check $? "the export holds no Person line"
run_cfs graph init h --schema people.pg
expect_exit 0
run_cfs graph load h exported.jsonl
expect_exit 0
"$CLUSTERFS" graph info g --json | grep -A20 '"rows"' >rows.g
"$CLUSTERFS" graph info h --json | grep -A20 '"rows"' >rows.h
cmp -s rows.g rows.h
check $? "row counts differ after the round trip: $(diff rows.g rows.h | head -3 | tr '\n' ' ')"
run_cfs graph export h
cmp -s "$T/.run/out" exported.jsonl
check $? "exporting the reloaded graph gives other bytes"

case_begin "a running export holds off delete, which succeeds afterwards"
CLUSTERFS_FAILPOINTS='graph.reader.after_register=sleep(1500)' "$CLUSTERFS" graph export g >held.jsonl 2>held.err &
pid=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do
	[ -n "$(ls g/_readers 2>/dev/null)" ] && break
	sleep 0.1
done
run_cfs graph delete g
expect_exit 1
expect_stdout_contains "ERROR graph_delete_export_in_progress g: "
[ -f g/_graph.json ]
check $? "the refused delete removed the marker"
wait "$pid"
check $? "the held export failed: $(cat held.err)"
cmp -s held.jsonl exported.jsonl
check $? "the held export wrote other bytes"
[ -z "$(ls g/_readers 2>/dev/null)" ]
check $? "the export left its reader registration behind"
run_cfs graph delete g
expect_exit 0
[ ! -e g ]
check $? "the root is still there after delete"

case_begin "export of a missing root or branch"
run_cfs graph export nope
expect_exit 1
expect_stdout_contains "ERROR graph_root_missing nope: "
run_cfs graph export h --branch dev
expect_exit 1
expect_stdout_contains "ERROR graph_branch_missing dev: "

finish
