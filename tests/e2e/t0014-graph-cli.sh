#!/usr/bin/env bash
# `clusterfs graph init|info|load|query|branch|schema-apply|delete` (cli/graph.c
# over engine/graph; graph-store.md, cluster.md §1 and §15): every subcommand
# end to end on a temp root with the fixtures of tests/fixtures/graph/cli/
# (people.pg and its variants, people.jsonl, more.jsonl, people.gq): load and
# row counts, read queries with parameters, human and --json, a mutation
# committing a version, branches (a load into one leaves main unchanged),
# schema-apply --dry-run writing nothing, soft drops, a rename, refused
# changes, delete; then every error exit with its diagnostic code, and the
# usage errors (exit 2).
# shellcheck disable=SC2016 # backticks and $ in expected messages are literal
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

F="$CFS_FIXTURES/graph/cli"
cp "$F"/* "$T"/
USAGE='usage: clusterfs graph init|info|load|query|branch|schema-apply|delete ROOT ...'
BRANCH_USAGE='usage: clusterfs graph branch ROOT create NAME [--from B] | list | delete NAME'
REFUSAL="[OG-MF-106] changing property type for 'Person.age' is not supported in schema migration v1"

# ------------------------------------------------------------------ helpers

# jrun ARGS...: run_cfs ARGS (which include --json); stdout must be one
# pretty JSON object ending in a newline, stderr empty, "ok" must follow the
# exit status and the error diagnostics, "operation" and "root" come first
# and "diagnostics" last.  Keeps the flattened report in $T/.v/flat and its
# diagnostics, rendered as the human output prints them, in $T/.v/jdiags.
jrun() {
	run_cfs "$@"
	check_pretty_json "$T/.run/out"
	json_diag_lines "$T/.v/flat" >"$T/.v/jdiags"
	expect_stderr_empty
	local ok keys
	ok=$(json_get ok)
	case "$RC:$ok" in
	0:true | 1:false) pass ;;
	*) fail "exit status $RC with \"ok\": $ok" ;;
	esac
	if grep -q '^ERROR ' "$T/.v/jdiags"; then [ "$ok" = false ]; else [ "$ok" = true ]; fi
	check $? "\"ok\": $ok does not follow the error diagnostics"
	keys=$(json_keys "$T/.v/flat" "")
	case "$keys" in
	"ok operation root "*" diagnostics" | "ok operation root diagnostics") pass ;;
	*) fail "report members are [$keys]" ;;
	esac
}

expect_count() {
	local n
	n=$(json_count "$1")
	[ "$n" -eq "$2" ]
	check $? "$1 has $n element(s), expected $2"
}

# expect_failure OP DIAG-LINE: exit 1, stderr empty, stdout exactly the
# failure headline and that one diagnostic.
expect_failure() {
	expect_exit 1
	expect_stderr_empty
	printf 'graph %s failed\n%s\n' "$1" "$2" | cmp -s - "$T/.run/out"
	check $? "stdout is not exactly 'graph $1 failed' + '$2'"
}

# expect_failure_prefix OP DIAG-PREFIX: as expect_failure, the diagnostic
# line starting with DIAG-PREFIX (for messages quoting strerror or a parser).
expect_failure_prefix() {
	expect_exit 1
	expect_stderr_empty
	[ "$(sed -n 1p "$T/.run/out")" = "graph $1 failed" ] && [ "$(wc -l <"$T/.run/out")" -eq 2 ]
	check $? "stdout is not 'graph $1 failed' + one diagnostic"
	case "$(sed -n 2p "$T/.run/out")" in
	"$2"*) pass ;;
	*) fail "diagnostic line does not start with: $2" ;;
	esac
}

# expect_info ROOT VERSION PERSON COMPANY WORKSAT: `graph info --json`.
expect_info() {
	jrun graph info "$1" --json
	expect_exit 0
	expect_json version "$2"
	expect_json rows/Person "$3"
	expect_json rows/Company "$4"
	expect_json rows/WorksAt "$5"
}

# expect_people ROOT VERSION PERSON: `graph info --json` of a graph whose
# only type is Person (after the soft drop of Company and WorksAt).
expect_people() {
	jrun graph info "$1" --json
	expect_exit 0
	expect_json version "$2"
	expect_keys rows Person
	expect_json rows/Person "$3"
}

# snapshot ROOT: remember the root's tree; unchanged ROOT: compare with it.
snapshot() {
	tree_listing "$1" >"$T/.v/tree.before"
	find "$1" -type f -exec sha256sum {} + | LC_ALL=C sort >>"$T/.v/tree.before"
}
unchanged() {
	tree_listing "$1" >"$T/.v/tree.after"
	find "$1" -type f -exec sha256sum {} + | LC_ALL=C sort >>"$T/.v/tree.after"
	cmp -s "$T/.v/tree.before" "$T/.v/tree.after"
	check $? "root $1 changed: $(diff "$T/.v/tree.before" "$T/.v/tree.after" | grep '^[<>]' | head -3 | tr '\n' ' ')"
}

SCHEMA_DIGEST=$(sha256_file people.pg)
NONICK_DIGEST=$(sha256_file people-nonick.pg)
RENAME_DIGEST=$(sha256_file people-rename.pg)

# ------------------------------------------------------------------ init, info
case_begin "init"
run_cfs graph init g --schema people.pg
expect_exit 0
expect_stderr_empty
expect_out <<'EOF'
initialized graph g (version 1)
EOF
[ -f g/_graph.json ]
check $? "no g/_graph.json"

case_begin "info of a new graph"
run_cfs graph info g
expect_exit 0
expect_stderr_empty
expect_out <<EOF
{
  "version": 1,
  "schema_digest": "$SCHEMA_DIGEST",
  "branches": [
    "main"
  ],
  "rows": {
    "Person": 0,
    "Company": 0,
    "WorksAt": 0
  }
}
EOF

case_begin "info --json"
jrun graph info g --json
expect_exit 0
expect_keys "" "ok operation root version schema_digest branches rows diagnostics"
expect_json ok true
expect_json operation info
expect_json root g
expect_json version 1
expect_json schema_digest "$SCHEMA_DIGEST"
expect_json branches/0 main
expect_count branches 1
expect_keys rows "Person Company WorksAt"
expect_json diagnostics '[]'

# ------------------------------------------------------------------ load
case_begin "load"
run_cfs graph load g people.jsonl
expect_exit 0
expect_stderr_empty
expect_out <<'EOF'
{
  "version": 2
}
EOF
expect_info g 2 4 2 3
expect_json schema_digest "$SCHEMA_DIGEST"

case_begin "load --json, edges to nodes already in the graph"
jrun graph load g more.jsonl --json
expect_exit 0
expect_keys "" "ok operation root version diagnostics"
expect_json operation load
expect_json version 3
expect_info g 3 5 2 4

case_begin "load --mode merge (upsert) and overwrite"
run_cfs graph load g more.jsonl --mode merge
expect_exit 0
expect_info g 4 5 2 4
run_cfs graph load g people.jsonl --mode overwrite
expect_exit 0
expect_info g 5 4 2 3
run_cfs graph load g more.jsonl --mode append
expect_exit 0
expect_info g 6 5 2 4

# ------------------------------------------------------------------ query
case_begin "query without parameters"
run_cfs graph query g --file people.gq --name headcount
expect_exit 0
expect_stderr_empty
expect_out <<'EOF'
{
  "columns": [
    "c.name",
    "n"
  ],
  "rows": [
    [
      "Acme",
      2
    ],
    [
      "Globex",
      2
    ]
  ]
}
EOF

case_begin "query with a parameter"
run_cfs graph query g --file people.gq --name older_than --param min=30
expect_exit 0
expect_stderr_empty
expect_out <<'EOF'
{
  "columns": [
    "p.name",
    "p.age"
  ],
  "rows": [
    [
      "Carol",
      41
    ],
    [
      "Alice",
      34
    ]
  ]
}
EOF

case_begin "query --json"
jrun graph query g --file people.gq --name employees --param company=Globex --json
expect_exit 0
expect_keys "" "ok operation root columns rows diagnostics"
expect_json operation query
expect_json columns/0 p.name
expect_count rows 2
expect_json rows/0/0 Carol
expect_json rows/1/0 Erin
jrun graph query g --file people.gq --name employees --param company=Nobody --json
expect_exit 0
expect_json rows '[]'

case_begin "mutation query commits one version"
run_cfs graph query g --file people.gq --name add_person --param name=Frank --param age=50
expect_exit 0
expect_stderr_empty
expect_out <<'EOF'
{
  "affected": 1,
  "version": 7
}
EOF
expect_info g 7 6 2 4
jrun graph query g --file people.gq --name set_age --param name=Dave --param age=60 --json
expect_exit 0
expect_json affected 1
expect_json version 8
jrun graph query g --file people.gq --name older_than --param min=55 --json
expect_json rows/0/0 Dave
expect_json rows/0/1 60
expect_count rows 1
jrun graph query g --file people.gq --name remove_person --param name=Frank --json
expect_exit 0
expect_json version 9
expect_info g 9 5 2 4

# ------------------------------------------------------------------ query errors
snapshot g
write_file typo.gq '%s\n' 'query bad() { match { $r: Robot } return { $r } }'
write_file broken.gq '%s\n' 'query x( {'

case_begin "query: missing parameter"
run_cfs graph query g --file people.gq --name older_than
expect_failure query 'ERROR graph_query_error older_than: missing parameter `$min`'
jrun graph query g --file people.gq --name older_than --json
expect_exit 1
expect_keys "" "ok operation root diagnostics"
expect_diags <<'EOF'
ERROR graph_query_error older_than: missing parameter `$min`
EOF

case_begin "query: parameter of the wrong type"
run_cfs graph query g --file people.gq --name older_than --param min=old
expect_failure query 'ERROR graph_query_error older_than: bad value for parameter `$min`: invalid I32 `old`'

case_begin "query: unknown query name"
run_cfs graph query g --file people.gq --name nope
expect_failure query "ERROR graph_query_error people.gq: no query \`nope\` in 'people.gq'"

case_begin "query: type error"
run_cfs graph query g --file typo.gq --name bad
expect_failure query 'ERROR query_typecheck_error bad: type error: T1: unknown node type `Robot`'

case_begin "query: parse error"
run_cfs graph query g --file broken.gq --name x
expect_failure_prefix query "ERROR query_parse_error "
expect_stdout_contains "parse error:  --> 1:"

case_begin "query: missing file"
run_cfs graph query g --file nope.gq --name x
expect_failure query "ERROR query_file_missing nope.gq: could not read query file 'nope.gq': $ENOENT"

case_begin "query: unknown branch"
run_cfs graph query g --file people.gq --name headcount --branch nope
expect_failure query "ERROR graph_branch_missing nope: branch 'nope' does not exist"

case_begin "query errors wrote nothing"
unchanged g

# ------------------------------------------------------------------ load errors
case_begin "load: a bad line fails the whole load"
run_cfs graph load g bad-line.jsonl
expect_failure load 'ERROR graph_load_error main: line 3: unknown node type `Robot`'
jrun graph load g bad-line.jsonl --json
expect_exit 1
expect_keys "" "ok operation root diagnostics"
expect_json diagnostics/0/code graph_load_error

case_begin "load: duplicate key in append mode"
run_cfs graph load g more.jsonl
expect_failure_prefix load "ERROR graph_load_error main: line 1: "

case_begin "load: dangling edge endpoint"
write_file dangling.jsonl '%s\n' '{"edge": "WorksAt", "from": "Zed", "to": "Acme"}'
run_cfs graph load g dangling.jsonl
expect_failure_prefix load "ERROR graph_load_error main: line 1: "

case_begin "load: missing file"
run_cfs graph load g nope.jsonl
expect_failure load "ERROR data_file_missing nope.jsonl: could not read data file 'nope.jsonl': $ENOENT"

case_begin "load: unknown branch"
run_cfs graph load g people.jsonl --branch nope
expect_failure load "ERROR graph_branch_missing nope: branch 'nope' does not exist"

case_begin "load errors committed nothing"
unchanged g
expect_info g 9 5 2 4

# ------------------------------------------------------------------ branches
case_begin "branch list"
run_cfs graph branch g list
expect_exit 0
expect_stderr_empty
expect_out <<'EOF'
{
  "branches": [
    "main"
  ]
}
EOF

case_begin "branch create"
run_cfs graph branch g create dev
expect_exit 0
expect_stderr_empty
expect_stdout_empty
jrun graph branch g create dev2 --from dev --json
expect_exit 0
expect_keys "" "ok operation root diagnostics"
expect_json operation branch
jrun graph branch g list --json
expect_exit 0
expect_keys "" "ok operation root branches diagnostics"
expect_count branches 3
expect_json branches/0 main
expect_json branches/1 dev
expect_json branches/2 dev2
jrun graph info g --json
expect_count branches 3

case_begin "load into a branch leaves main unchanged"
jrun graph load g people.jsonl --branch dev --mode overwrite --json
expect_exit 0
jrun graph query g --file people.gq --name add_person --param name=Gina --param age=29 --branch dev --json
expect_exit 0
expect_json affected 1
expect_info g 9 5 2 4
jrun graph query g --file people.gq --name all_people --branch dev --json
expect_count rows 5
expect_json rows/4/0 Gina
jrun graph query g --file people.gq --name all_people --json
expect_count rows 5
expect_json rows/4/0 Erin
jrun graph query g --file people.gq --name all_people --branch dev2 --json
expect_count rows 5
expect_json rows/4/0 Erin

case_begin "branch errors"
run_cfs graph branch g create dev
expect_failure branch "ERROR graph_branch_exists dev: branch 'dev' already exists"
run_cfs graph branch g create main
expect_failure branch 'ERROR graph_branch_invalid main: branch name '\''main'\'' must be 1-128 of [A-Za-z0-9_-] and not `main`'
run_cfs graph branch g create 'a/b'
expect_failure_prefix branch "ERROR graph_branch_invalid a/b: "
run_cfs graph branch g create x --from nope
expect_failure branch "ERROR graph_branch_missing nope: branch 'nope' does not exist"
run_cfs graph branch g delete nope
expect_failure_prefix branch "ERROR graph_branch_missing nope: "
run_cfs graph branch g delete main
expect_failure_prefix branch "ERROR graph_branch_missing main: "
jrun graph branch g list --json
expect_count branches 3

# ------------------------------------------------------------------ schema-apply
case_begin "schema-apply is refused while a branch exists"
snapshot g
run_cfs graph schema-apply g people-nonick.pg
expect_exit 1
expect_stderr_empty
expect_stdout_contains "graph schema-apply failed"
expect_stdout_contains "ERROR graph_schema_refused schema: "
unchanged g

case_begin "branch delete"
run_cfs graph branch g delete dev2
expect_exit 0
expect_stderr_empty
expect_stdout_empty
jrun graph branch g delete dev --json
expect_exit 0
jrun graph branch g list --json
expect_count branches 1
run_cfs graph branch g delete dev
expect_failure_prefix branch "ERROR graph_branch_missing dev: "
expect_info g 9 5 2 4

case_begin "schema-apply --dry-run writes nothing"
snapshot g
run_cfs graph schema-apply g people-nonick.pg --dry-run
expect_exit 0
expect_stderr_empty
expect_out <<'EOF'
supported: yes
- drop property 'Person.nick' of node 'Person' (soft mode)
EOF
jrun graph schema-apply g people-nocompany.pg --dry-run --json
expect_exit 0
expect_keys "" "ok operation root supported steps diagnostics"
expect_json supported true
expect_count steps 2
expect_json steps/0/kind drop_type
expect_json steps/0/name Company
expect_json steps/0/mode soft
expect_json steps/1/name WorksAt
unchanged g
expect_info g 9 5 2 4
expect_json schema_digest "$SCHEMA_DIGEST"

case_begin "schema-apply --dry-run of a refused change"
run_cfs graph schema-apply g people-retype.pg --dry-run
expect_exit 0
expect_stderr_empty
expect_out <<'EOF'
supported: no
- unsupported change on node:Person.age [OG-MF-106, destructive]: changing property type for 'Person.age' is not supported in schema migration v1
EOF
unchanged g

case_begin "schema-apply of a refused change"
run_cfs graph schema-apply g people-retype.pg
expect_exit 1
expect_stderr_empty
expect_out <<EOF
supported: no
- unsupported change on node:Person.age [OG-MF-106, destructive]: changing property type for 'Person.age' is not supported in schema migration v1
graph schema-apply failed
ERROR graph_schema_refused schema: $REFUSAL
EOF
jrun graph schema-apply g people-retype.pg --json
expect_exit 1
expect_keys "" "ok operation root supported steps diagnostics"
expect_json supported false
expect_json steps/0/kind unsupported_change
expect_json steps/0/code OG-MF-106
expect_diags <<EOF
ERROR graph_schema_refused schema: $REFUSAL
EOF
unchanged g

case_begin "schema-apply of an invalid or missing schema"
run_cfs graph schema-apply g bad.pg
expect_failure_prefix schema-apply "ERROR schema_parse_error "
run_cfs graph schema-apply g catalog.pg
expect_failure schema-apply "ERROR schema_catalog_error schema: catalog error: edge WorksAt references unknown target type: Company"
run_cfs graph schema-apply g nope.pg
expect_failure schema-apply "ERROR schema_file_missing nope.pg: could not read schema file 'nope.pg': $ENOENT"
unchanged g

case_begin "schema-apply: soft drop of a property"
run_cfs graph schema-apply g people-nonick.pg
expect_exit 0
expect_stderr_empty
expect_out <<'EOF'
supported: yes
- drop property 'Person.nick' of node 'Person' (soft mode)
EOF
expect_info g 10 5 2 4
expect_json schema_digest "$NONICK_DIGEST"
run_cfs graph query g --file people.gq --name nicknames
expect_failure query 'ERROR query_typecheck_error nicknames: type error: T6: type `Person` has no property `nick`'
jrun graph query g --file people.gq --name all_people --json
expect_exit 0
expect_count rows 5

case_begin "schema-apply of the live schema again: no new version"
jrun graph schema-apply g people-nonick.pg --json
expect_exit 0
expect_json supported true
expect_json steps '[]'
expect_json version 10
expect_info g 10 5 2 4

case_begin "schema-apply: soft drop of types keeps their data"
company_seg=$(sed -n 's|^ *"Company": "\(data/Company/[^"]*\)",*$|\1|p' g/_manifests/main/00000000000000000010.json)
[ -n "$company_seg" ]
check $? "manifest 10 names no Company segment"
jrun graph schema-apply g people-nocompany.pg --json
expect_exit 0
expect_keys "" "ok operation root supported steps version diagnostics"
expect_json version 11
expect_people g 11 5
run_cfs graph query g --file people.gq --name headcount
expect_failure_prefix query "ERROR query_typecheck_error headcount: type error: "
# version 11 still references the dropped rows (graph-store.md: soft drops)
grep -q '"dropped_tables"' g/_manifests/main/00000000000000000011.json
check $? "manifest 11 has no dropped_tables"
sed -n '/"dropped_tables"/,/}/p' g/_manifests/main/00000000000000000011.json | grep -qF "\"$company_seg\""
check $? "dropped_tables of manifest 11 does not reference $company_seg"
[ "$(wc -l <"g/$company_seg")" -eq 2 ]
check $? "the Company segment lost its rows"

case_begin "dropped rows stay referenced by later versions"
printf '{"type": "Person", "data": {"name": "Zed", "age": 50}}\n' >zed.jsonl
cp -r g gdrop
run_cfs graph load gdrop zed.jsonl
expect_exit 0
latest=$(ls gdrop/_manifests/main | sort | tail -1)
sed -n '/"dropped_tables"/,/}/p' "gdrop/_manifests/main/$latest" | grep -qF "\"$company_seg\""
check $? "the commit after the drop ($latest) no longer references $company_seg"

case_begin "schema-apply: property rename rewrites rows"
run_cfs graph init r --schema people.pg
expect_exit 0
run_cfs graph load r people.jsonl
expect_exit 0
run_cfs graph schema-apply r people-rename.pg
expect_exit 0
expect_out <<'EOF'
supported: yes
- rename property 'Person.age' -> 'Person.years' on node 'Person'
EOF
jrun graph query r --file rename.gq --name ages --json
expect_exit 0
expect_keys "" "ok operation root columns rows diagnostics"
expect_json columns/1 p.years
expect_json rows/0/1 34
expect_json rows/1/1 27
expect_json rows/2/1 41
expect_json rows/3/1 null
expect_info r 3 4 2 3

# ------------------------------------------------------------------ copies
case_begin "a root copied with cp -r is the same graph"
cp -r g gcopy
jrun graph info g --json
cp "$T/.v/flat" "$T/.v/flat.orig"
jrun graph info gcopy --json
expect_exit 0
diff <(grep -v $'^V\troot\t' "$T/.v/flat.orig") <(grep -v $'^V\troot\t' "$T/.v/flat") >/dev/null
check $? "info of the copy differs from the original"
run_cfs graph query g --file people.gq --name older_than --param min=20
cp "$T/.run/out" "$T/.v/q.orig"
run_cfs graph query gcopy --file people.gq --name older_than --param min=20
expect_exit 0
cmp -s "$T/.v/q.orig" "$T/.run/out"
check $? "query on the copy differs from the original"
run_cfs graph query gcopy --file people.gq --name remove_person --param name=Alice
expect_exit 0
expect_people gcopy 12 4
expect_people g 11 5

# ------------------------------------------------------------------ roots that are not graphs
mkdir empty junk
write_file junk/README 'not a graph\n'

case_begin "missing root"
MISSING="ERROR graph_root_missing nowhere: graph root 'nowhere' does not exist"
run_cfs graph info nowhere
expect_failure info "$MISSING"
run_cfs graph load nowhere people.jsonl
expect_failure load "$MISSING"
run_cfs graph query nowhere --file people.gq --name headcount
expect_failure query "$MISSING"
run_cfs graph branch nowhere list
expect_failure branch "$MISSING"
run_cfs graph branch nowhere create dev
expect_failure branch "$MISSING"
run_cfs graph schema-apply nowhere people.pg
expect_failure schema-apply "$MISSING"
jrun graph info nowhere --json
expect_exit 1
expect_diags <<<"$MISSING"
[ ! -e nowhere ]
check $? "a failed command created the root"

case_begin "empty directory and junk-only directory"
for root in empty junk; do
	run_cfs graph info $root
	expect_failure info "ERROR graph_root_invalid $root: '$root' is not a graph root (no _graph.json)"
	run_cfs graph load $root people.jsonl
	expect_failure_prefix load "ERROR graph_root_invalid $root: "
	run_cfs graph schema-apply $root people.pg
	expect_failure_prefix schema-apply "ERROR graph_root_invalid $root: "
	jrun graph info $root --json
	expect_exit 1
	expect_json diagnostics/0/code graph_root_invalid
done
[ -z "$(ls empty)" ] && [ "$(ls junk)" = README ]
check $? "a failed command wrote into a non-graph directory"

case_begin "corrupt marker, missing or corrupt manifest, altered schema"
cp -r r bad1 && printf '{"format": "clus' >bad1/_graph.json
cp -r r bad2 && rm bad2/_manifests/main/*.json
cp -r r bad3 && printf '\n' >>"bad3/_schema/$RENAME_DIGEST.pg"
# valid JSON, but not a manifest: the head version is unreadable
cp -r r bad4 && printf '[1, 2, 3]\n' >bad4/_manifests/main/00000000000000000003.json
for root in bad1 bad2 bad3 bad4; do
	run_cfs graph info $root
	expect_failure_prefix info "ERROR graph_root_invalid "
done

# ------------------------------------------------------------------ init errors
case_begin "init over a non-empty directory"
snapshot junk
run_cfs graph init junk --schema people.pg
expect_failure init "ERROR graph_root_exists junk: graph root 'junk' already holds data"
unchanged junk

case_begin "init over an existing graph"
snapshot g
jrun graph init g --schema people.pg --json
expect_exit 1
expect_keys "" "ok operation root diagnostics"
expect_diags <<'EOF'
ERROR graph_root_exists g: graph root 'g' already holds data
EOF
unchanged g

case_begin "init with a bad schema creates nothing"
run_cfs graph init n1 --schema bad.pg
expect_failure_prefix init "ERROR schema_parse_error "
run_cfs graph init n1 --schema catalog.pg
expect_failure_prefix init "ERROR schema_catalog_error "
run_cfs graph init n1 --schema nope.pg
expect_failure init "ERROR schema_file_missing nope.pg: could not read schema file 'nope.pg': $ENOENT"
[ ! -e n1 ]
check $? "a failed init created the root"

case_begin "init into an empty directory"
run_cfs graph init empty --schema people.pg
expect_exit 0
expect_info empty 1 0 0 0

# ------------------------------------------------------------------ delete
case_begin "delete"
run_cfs graph delete gcopy
expect_exit 0
expect_stderr_empty
expect_out <<'EOF'
deleted graph root gcopy
EOF
[ ! -e gcopy ]
check $? "gcopy still exists"
run_cfs graph info gcopy
expect_failure info "ERROR graph_root_missing gcopy: graph root 'gcopy' does not exist"

case_begin "delete refuses a directory that is not a graph root"
mkdir -p notagraph/sub
echo keep >notagraph/sub/file
run_cfs graph delete notagraph
expect_exit 1
expect_stdout_contains "ERROR graph_root_invalid notagraph: 'notagraph' is not a graph root; refusing to delete it"
[ -f notagraph/sub/file ]
check $? "delete removed files of a non-graph directory"

case_begin "extra positional arguments are usage errors"
run_cfs graph info g extra
expect_exit 2
expect_stdout_empty
run_cfs graph load g more.jsonl extra
expect_exit 2

case_begin "delete is idempotent"
run_cfs graph delete gcopy
expect_exit 0
expect_out <<'EOF'
deleted graph root gcopy
EOF
jrun graph delete gcopy --json
expect_exit 0
expect_keys "" "ok operation root diagnostics"
expect_json operation delete
jrun graph delete r --json
expect_exit 0
[ ! -e r ]
check $? "r still exists"
expect_people g 11 5

# ------------------------------------------------------------------ usage
case_begin "graph alone"
run_cfs graph
expect_exit 2
expect_stdout_empty
expect_stderr_contains "$USAGE"

case_begin "graph --help and -h"
run_cfs graph --help
expect_exit 0
expect_stderr_empty
expect_stdout_contains "$USAGE"
run_cfs graph info --help
expect_exit 0
expect_stderr_empty
expect_stdout_contains "$USAGE"
# every other command takes -h like --help (t0012: `query -h`)
run_cfs graph -h
expect_exit 0
expect_stderr_empty
expect_stdout_contains "$USAGE"

case_begin "unknown subcommand"
run_cfs graph bogus g
expect_usage_error "clusterfs graph: unknown subcommand 'bogus'"
expect_stderr_contains "$USAGE"

case_begin "missing ROOT"
for sub in init info load query branch schema-apply delete; do
	run_cfs graph $sub
	expect_usage_error "clusterfs graph: missing argument 'ROOT'"
done

case_begin "init without --schema"
run_cfs graph init n2
expect_usage_error "clusterfs graph init: --schema FILE.pg is required"
run_cfs graph init n2 --schema
expect_usage_error "option requires a value: '--schema'"
[ ! -e n2 ]
check $? "a usage error created the root"

case_begin "load without a file, or with a bad --mode"
run_cfs graph load g
expect_usage_error "clusterfs graph load: missing FILE.jsonl"
run_cfs graph load g people.jsonl --mode upsert
expect_usage_error "clusterfs graph load: --mode must be overwrite, append or merge"

case_begin "query without --file or --name"
run_cfs graph query g --name headcount
expect_usage_error "clusterfs graph query: --file Q.gq and --name N are required"
run_cfs graph query g --file people.gq
expect_usage_error "clusterfs graph query: --file Q.gq and --name N are required"

case_begin "branch usage"
run_cfs graph branch g create
expect_usage_error "$BRANCH_USAGE"
run_cfs graph branch g delete
expect_usage_error "$BRANCH_USAGE"
run_cfs graph branch g rename dev
expect_usage_error "$BRANCH_USAGE"
run_cfs graph branch g list extra
expect_usage_error "$BRANCH_USAGE"

case_begin "schema-apply without a file"
run_cfs graph schema-apply g
expect_usage_error "clusterfs graph schema-apply: missing NEW.pg"

case_begin "unknown option, flag with a value, extra argument"
run_cfs graph info g --bogus
expect_usage_error "clusterfs graph: unknown option '--bogus'"
run_cfs graph info g --json=1
expect_usage_error "option takes no value"
run_cfs graph branch g create a b
expect_usage_error "clusterfs graph: unexpected argument 'b'"

case_begin "--as is refused"
run_cfs graph info g --as alice
expect_exit 1
expect_stdout_empty
expect_stderr_lines 1
expect_stderr_contains "--as"

case_begin "usage errors wrote nothing"
expect_people g 11 5

finish
