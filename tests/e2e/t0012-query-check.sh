#!/usr/bin/env bash
# `clusterfs query check --schema FILE.pg FILE.gq [--json]` (cli/query.c;
# query-lang.md §1, §4, §5, §8): the listing of a valid file (parameters with
# their §6.3 types, result columns, mutation statements), the JSON report (ok,
# file, schema, queries, diagnostics), parse errors (syntax at FILE:LINE:COL,
# §4.3 errors at FILE), type errors at the query's FILE:LINE:COL with the
# exact "type error: ..." text while the other queries still check,
# unreadable files, a bad schema, the usage errors of the `query` command
# family, and every typechecker fixture under tests/fixtures/query/<id>/.
# shellcheck disable=SC2016 # backticks and $ in expected messages are literal
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

QDIR="$CFS_FIXTURES/query"
CHECK_USAGE='usage: clusterfs query check --schema FILE.pg FILE.gq [--json]'

# ------------------------------------------------------------------ helpers

# jrun ARGS...: run_cfs ARGS (which include --json), check that stdout is one
# pretty JSON object ending in a newline and that stderr is empty, and keep
# the flattened report in $T/.v/flat and its diagnostics, rendered as the
# human output prints them, in $T/.v/jdiags (for expect_json, expect_diags...).
jrun() {
	run_cfs "$@"
	check_pretty_json "$T/.run/out"
	json_diag_lines "$T/.v/flat" >"$T/.v/jdiags"
	expect_stderr_empty
}

# jrun_in DIR ARGS...: jrun with DIR as the working directory.
jrun_in() {
	local dir=$1
	shift
	cd "$dir" || exit 1
	jrun "$@"
	cd "$T" || exit 1
}

# expect_count PATH N: the array at PATH has N elements.
expect_count() {
	local n
	n=$(json_count "$1")
	[ "$n" -eq "$2" ]
	check $? "$1 has $n element(s), expected $2"
}

# expect_report_shape: the members of a check report and of its queries, in
# order, and ok <-> exit status <-> no error diagnostic.
expect_report_shape() {
	expect_keys "" "ok file schema queries diagnostics"
	local ok n i k
	ok=$(json_get ok)
	case "$RC:$ok" in
	0:true | 1:false) pass ;;
	*) fail "exit status $RC with \"ok\": $ok" ;;
	esac
	if grep -q '^ERROR ' "$T/.v/jdiags"; then [ "$ok" = false ]; else [ "$ok" = true ]; fi
	check $? "\"ok\": $ok does not follow the error diagnostics"
	n=$(json_count queries)
	for ((i = 0; i < n; i++)); do
		expect_keys "queries/$i" "name kind params columns statements"
		for k in params columns; do
			local m j
			m=$(json_count "queries/$i/$k")
			for ((j = 0; j < m; j++)); do
				expect_keys "queries/$i/$k/$j" "name type"
			done
		done
		m=$(json_count "queries/$i/statements")
		for ((j = 0; j < m; j++)); do
			expect_keys "queries/$i/statements/$j" "op type"
		done
	done
	n=$(json_count diagnostics)
	for ((i = 0; i < n; i++)); do
		expect_keys "diagnostics/$i" "code severity path message"
	done
}

# ------------------------------------------------------------------ files
write_file people.pg '%s\n' \
	'node Person {' \
	'    name: String @key' \
	'    age: I32?' \
	'    tags: [String]?' \
	'    emb: Vector(3)?' \
	'}' \
	'' \
	'node Company {' \
	'    name: String @key' \
	'}' \
	'' \
	'edge WorksAt: Person -> Company {' \
	'    since: Date?' \
	'}'

write_file good.gq '%s\n' \
	'// people queries' \
	'query by_name($name: String, $min: I32?, $ts: [String], $v: Vector(3)?)' \
	'    @description("Find a person")' \
	'{' \
	'    match {' \
	'        $p: Person { name: $name }' \
	'        $p $w:worksAt $c' \
	'        $p.age >= $min' \
	'    }' \
	'    return { $p.name, $c.name as company, $p.tags, $w.since, $p }' \
	'    order { $p.name desc }' \
	'    limit 10' \
	'}' \
	'' \
	'  query count_people() {' \
	'    match { $p: Person }' \
	'    return { count($p) as n, $p.age }' \
	'}' \
	'' \
	'query add_person($name: String, $age: I32?, $age: I64) {' \
	'    insert Person { name: $name age: $age }' \
	'    update Person set { age: 1 } where name = $name' \
	'    delete WorksAt where from = $name' \
	'}'

# ------------------------------------------------------------------ valid file
case_begin "valid file: listing"
run_cfs query check --schema people.pg good.gq
expect_exit 0
expect_stderr_empty
# Queries in file order; parameters with their property type (a repeated
# parameter name keeps its first position and takes the later type, §5);
# columns named after the alias or the expression without `$`; statements.
expect_out <<'EOF'
good.gq: 3 queries
query by_name($name: String, $min: I32?, $ts: [String], $v: Vector(3)?) read
  column p.name: String
  column company: String
  column p.tags: [String]?
  column w.since: Date?
  column p: node `Person`
query count_people() read
  column n: aggregate
  column p.age: I32?
query add_person($name: String, $age: I64) mutation
  insert Person
  update Person
  delete WorksAt
EOF

case_begin "valid file: --json"
jrun query check --schema people.pg good.gq --json
expect_exit 0
expect_report_shape
expect_json ok true
expect_json file good.gq
expect_json schema people.pg
expect_json diagnostics '[]'
expect_count queries 3
expect_json queries/0/name by_name
expect_json queries/0/kind read
expect_count queries/0/params 4
expect_json queries/0/params/0/name name
expect_json queries/0/params/0/type String
expect_json queries/0/params/1/name min
expect_json queries/0/params/1/type 'I32?'
expect_json queries/0/params/2/name ts
expect_json queries/0/params/2/type '[String]'
expect_json queries/0/params/3/name v
expect_json queries/0/params/3/type 'Vector(3)?'
expect_count queries/0/columns 5
expect_json queries/0/columns/0/name p.name
expect_json queries/0/columns/0/type String
expect_json queries/0/columns/1/name company
expect_json queries/0/columns/1/type String
expect_json queries/0/columns/2/name p.tags
expect_json queries/0/columns/2/type '[String]?'
expect_json queries/0/columns/3/name w.since
expect_json queries/0/columns/3/type 'Date?'
expect_json queries/0/columns/4/name p
expect_json queries/0/columns/4/type 'node `Person`'
expect_json queries/0/statements '[]'
expect_json queries/1/name count_people
expect_json queries/1/kind read
expect_json queries/1/params '[]'
expect_json queries/1/columns/0/name n
expect_json queries/1/columns/0/type aggregate
expect_json queries/1/columns/1/name p.age
expect_json queries/1/columns/1/type 'I32?'
expect_json queries/2/name add_person
expect_json queries/2/kind mutation
expect_count queries/2/params 2
expect_json queries/2/params/1/name age
expect_json queries/2/params/1/type I64
expect_json queries/2/columns '[]'
expect_count queries/2/statements 3
expect_json queries/2/statements/0/op insert
expect_json queries/2/statements/0/type Person
expect_json queries/2/statements/1/op update
expect_json queries/2/statements/1/type Person
expect_json queries/2/statements/2/op delete
expect_json queries/2/statements/2/type WorksAt

case_begin "one query: singular headline"
write_file one.gq 'query only() { match { $c: Company } return { $c.name } }'
run_cfs query check --schema people.pg one.gq
expect_exit 0
expect_out <<'EOF'
one.gq: 1 query
query only() read
  column c.name: String
EOF

case_begin "empty and comment-only files hold no query"
: >empty.gq
run_cfs query check --schema people.pg empty.gq
expect_exit 0
expect_stderr_empty
expect_out <<'EOF'
empty.gq: 0 queries
EOF
write_file comments.gq '// nothing here\n/* query hidden() { } */\n'
jrun query check --json --schema people.pg comments.gq
expect_exit 0
expect_report_shape
expect_json ok true
expect_json queries '[]'
expect_json diagnostics '[]'

case_begin "options in any order, -- ends the options"
jrun query check good.gq --json --schema people.pg
expect_exit 0
expect_json ok true
expect_count queries 3
run_cfs query check --schema=people.pg -- good.gq
expect_exit 0
expect_line 1 "good.gq: 3 queries"

case_begin "files given by absolute path"
jrun query check --schema "$T/people.pg" "$T/good.gq" --json
expect_exit 0
expect_json file "$T/good.gq"
expect_json schema "$T/people.pg"

# ------------------------------------------------------------------ parse errors
write_file syntax.gq '%s\n' \
	'query ok() { match { $p: Person } return { $p.name } }' \
	'query broken() {' \
	'    match { $p: Person }' \
	'    return { $p.name }' \
	'    limit 3' \
	'    order { $p.name }' \
	'}'

case_begin "syntax error: human"
run_cfs query check --schema people.pg syntax.gq
expect_exit 1
expect_stderr_empty
# The whole file fails (§1): no query is listed or checked.
expect_line 1 "syntax.gq: 0 queries"
sed -n 2p "$T/.run/out" | grep -qE '^ERROR query_parse_error syntax\.gq:6:5: parse error:  --> 6:5([^0-9]|$)'
check $? "stdout line 2 is not the query_parse_error at syntax.gq:6:5"
[ "$(wc -l <"$T/.run/out")" -eq 2 ]
check $? "stdout has $(wc -l <"$T/.run/out") lines, expected 2"

case_begin "syntax error: --json"
jrun query check --schema people.pg syntax.gq --json
expect_exit 1
expect_report_shape
expect_json ok false
expect_json file syntax.gq
expect_json queries '[]'
expect_count diagnostics 1
expect_json diagnostics/0/code query_parse_error
expect_json diagnostics/0/severity error
expect_json diagnostics/0/path syntax.gq:6:5
expect_diag_re '^ERROR query_parse_error syntax\.gq:6:5: parse error:  --> 6:5([^0-9]|$)'

case_begin "syntax error on line 1 of a file in a subfolder"
write_file sub/dir/junk.gq 'node Person { name: String }\n'
jrun query check --schema people.pg sub/dir/junk.gq --json
expect_exit 1
expect_json diagnostics/0/path sub/dir/junk.gq:1:1
expect_diag_re '^ERROR query_parse_error sub/dir/junk\.gq:1:1: parse error:  --> 1:1([^0-9]|$)'

case_begin "parse-time (semantic) error: path is the file"
write_file escape.gq '%s\n' \
	'query a() { match { $p: Person } return { $p.name } }' \
	'query b() @description("bad \q") { match { $p: Person } return { $p.name } }'
run_cfs query check --schema people.pg escape.gq
expect_exit 1
expect_stderr_empty
expect_out <<'EOF'
escape.gq: 0 queries
ERROR query_parse_error escape.gq: parse error: parse error: unsupported escape sequence: \q
EOF
jrun query check --schema people.pg escape.gq --json
expect_exit 1
expect_report_shape
expect_json queries '[]'
expect_diags <<'EOF'
ERROR query_parse_error escape.gq: parse error: parse error: unsupported escape sequence: \q
EOF

case_begin "parse-time errors: duplicate annotation, integer, limit, bounds"
write_file dupann.gq 'query d() @instruction("a") @instruction("b") { match { $p: Person } return { $p } }\n'
jrun query check --schema people.pg dupann.gq --json
expect_exit 1
expect_diags <<'EOF'
ERROR query_parse_error dupann.gq: parse error: parse error: query `d` cannot include duplicate @instruction annotations
EOF
write_file bigint.gq 'query i() { match { $p: Person { age: 9223372036854775808 } } return { $p } }\n'
jrun query check --schema people.pg bigint.gq --json
expect_exit 1
expect_diags <<'EOF'
ERROR query_parse_error bigint.gq: parse error: parse error: invalid integer: number too large to fit in target type
EOF
write_file biglimit.gq 'query l() { match { $p: Person } return { $p } limit 18446744073709551616 }\n'
jrun query check --schema people.pg biglimit.gq --json
expect_exit 1
expect_diags <<'EOF'
ERROR query_parse_error biglimit.gq: parse error: parse error: invalid limit: number too large to fit in target type
EOF
write_file bigbound.gq 'query t() { match { $p worksAt {1,4294967296} $c } return { $p } }\n'
jrun query check --schema people.pg bigbound.gq --json
expect_exit 1
expect_diags <<'EOF'
ERROR query_parse_error bigbound.gq: parse error: parse error: invalid traversal max bound: number too large to fit in target type
EOF

case_begin "a later syntax error wins over a parse-time error"
write_file both.gq '%s\n' \
	'query a() @description("\q") { match { $p: Person } return { $p } }' \
	'query b( { }'
jrun query check --schema people.pg both.gq --json
expect_exit 1
expect_count diagnostics 1
expect_json diagnostics/0/path both.gq:2:10
expect_diag_re '^ERROR query_parse_error both\.gq:2:10: parse error:  --> 2:10([^0-9]|$)'

# ------------------------------------------------------------------ type errors
write_file typeerr.gq '%s\n' \
	'query fine() {' \
	'    match { $p: Person }' \
	'    return { $p.name }' \
	'}' \
	'   query bad_prop() {' \
	'    match { $p: Person }' \
	'    return { $p.nope }' \
	'}' \
	'query bad_edge($n: String) {' \
	'    match { $p: Person { name: $n } $p knows $f }' \
	'    return { $f.name }' \
	'}' \
	'query also_fine() { delete Company where name = "x" }'

case_begin "type errors: human"
run_cfs query check --schema people.pg typeerr.gq
expect_exit 1
expect_stderr_empty
# Each query is checked on its own (§1): the good ones are listed, each bad
# one gets one diagnostic at the position of its declaration.
expect_out <<'EOF'
typeerr.gq: 4 queries
query fine() read
  column p.name: String
query also_fine() mutation
  delete Company
ERROR query_typecheck_error typeerr.gq:5:4: type error: T6: type `Person` has no property `nope`
ERROR query_typecheck_error typeerr.gq:9:1: type error: T4: unknown edge type `knows`
EOF

case_begin "type errors: --json"
jrun query check --schema people.pg typeerr.gq --json
expect_exit 1
expect_report_shape
expect_json ok false
expect_count queries 2
expect_json queries/0/name fine
expect_json queries/1/name also_fine
expect_diags <<'EOF'
ERROR query_typecheck_error typeerr.gq:5:4: type error: T6: type `Person` has no property `nope`
ERROR query_typecheck_error typeerr.gq:9:1: type error: T4: unknown edge type `knows`
EOF

case_begin "type error messages of §8"
write_file t22.gq 'query u() {\n  match { $p <worksAt> $c }\n  return { $p.name }\n}\n'
jrun query check --schema people.pg t22.gq --json
expect_exit 1
expect_diags <<'EOF'
ERROR query_typecheck_error t22.gq:1:1: type error: T22: undirected traversal `<WorksAt>` requires a same-endpoint-type edge, but `WorksAt: Person -> Company` is asymmetric; use the directional form
EOF
write_file t12b.gq 'query m2($x: String) {\n  insert WorksAt { from: $x }\n}\n'
jrun query check --schema people.pg t12b.gq --json
expect_exit 1
expect_diags <<'EOF'
ERROR query_typecheck_error t12b.gq:1:1: type error: T12: insert for `WorksAt` must provide required endpoint `to`
EOF
write_file u1.gq 'query r($__nanograph_now: DateTime) { match { $p: Person } return { $p.name } }\n'
jrun query check --schema people.pg u1.gq --json
expect_exit 1
expect_diags <<'EOF'
ERROR query_typecheck_error u1.gq:1:1: type error: parameter name `$__nanograph_now` is reserved for runtime timestamp injection
EOF

# ------------------------------------------------------------------ unreadable files
case_begin "missing query file"
run_cfs query check --schema people.pg nope.gq
expect_exit 1
expect_stderr_empty
expect_out <<EOF
nope.gq: 0 queries
ERROR query_file_missing nope.gq: could not read query file 'nope.gq': $ENOENT
EOF
jrun query check --schema people.pg nope.gq --json
expect_exit 1
expect_report_shape
expect_json file nope.gq
expect_json queries '[]'
expect_diags <<EOF
ERROR query_file_missing nope.gq: could not read query file 'nope.gq': $ENOENT
EOF

case_begin "query file is a folder"
mkdir adir.gq
jrun query check --schema people.pg adir.gq --json
expect_exit 1
expect_count diagnostics 1
expect_diag_prefix "ERROR query_file_missing adir.gq: could not read query file 'adir.gq': "

case_begin "query file that is not UTF-8"
write_file latin1.gq 'query a() @description("caf\351") { match { $p: Person } return { $p } }\n'
jrun query check --schema people.pg latin1.gq --json
expect_exit 1
expect_json queries '[]'
expect_diags <<'EOF'
ERROR query_file_missing latin1.gq: could not read query file 'latin1.gq': stream did not contain valid UTF-8
EOF

case_begin "UTF-8 text beyond ASCII is fine"
write_file utf8.gq 'query a() @description("caf\303\251 \342\234\223") { match { $p: Person } return { $p.name } }\n'
run_cfs query check --schema people.pg utf8.gq
expect_exit 0
expect_line 2 "query a() read"

case_begin "missing schema file"
# The schema is loaded as `schema check` loads it; without a catalog nothing
# is type-checked, but the file is still parsed.
run_cfs query check --schema nope.pg good.gq
expect_exit 1
expect_stderr_empty
expect_out <<EOF
good.gq: 3 queries
ERROR schema_file_missing nope.pg: could not read schema file 'nope.pg': $ENOENT
EOF
jrun query check --schema nope.pg good.gq --json
expect_exit 1
expect_report_shape
expect_json schema nope.pg
expect_json queries '[]'
expect_diags <<EOF
ERROR schema_file_missing nope.pg: could not read schema file 'nope.pg': $ENOENT
EOF

case_begin "missing schema and missing query file"
jrun query check --schema nope.pg nope.gq --json
expect_exit 1
expect_diags <<EOF
ERROR schema_file_missing nope.pg: could not read schema file 'nope.pg': $ENOENT
ERROR query_file_missing nope.gq: could not read query file 'nope.gq': $ENOENT
EOF

# ------------------------------------------------------------------ bad schema
case_begin "schema with a syntax error"
write_file syntax.pg 'node A {\n    a: String, b: I32\n}\n'
run_cfs query check --schema syntax.pg good.gq
expect_exit 1
expect_stderr_empty
expect_line 1 "good.gq: 3 queries"
sed -n 2p "$T/.run/out" | grep -qE '^ERROR schema_parse_error syntax\.pg:2:14: parse error:  --> 2:14([^0-9]|$)'
check $? "stdout line 2 is not the schema_parse_error at syntax.pg:2:14"
[ "$(wc -l <"$T/.run/out")" -eq 2 ]
check $? "stdout has $(wc -l <"$T/.run/out") lines, expected 2"
jrun query check --schema syntax.pg good.gq --json
expect_exit 1
expect_report_shape
expect_json queries '[]'
expect_count diagnostics 1
expect_json diagnostics/0/path syntax.pg:2:14

case_begin "schema with a semantic error"
write_file semantic.pg 'node A {}\nedge E: A -> A @card(3..1)\n'
jrun query check --schema semantic.pg good.gq --json
expect_exit 1
expect_json queries '[]'
expect_diags <<'EOF'
ERROR schema_parse_error semantic.pg: parse error: parse error: cardinality min (3) exceeds max (1)
EOF

case_begin "schema with a catalog error, query file with a syntax error"
write_file catalog.pg 'node A {}\nedge E: A -> Y\n'
jrun query check --schema catalog.pg syntax.gq --json
expect_exit 1
expect_report_shape
expect_json queries '[]'
expect_count diagnostics 2
expect_json diagnostics/0/code schema_catalog_error
expect_json diagnostics/0/path catalog.pg
expect_json diagnostics/0/message 'catalog error: edge E references unknown target type: Y'
expect_json diagnostics/1/code query_parse_error
expect_json diagnostics/1/path syntax.gq:6:5

case_begin "a query against the wrong schema"
write_file other.pg 'node Thing {\n    name: String @key\n}\n'
jrun query check --schema other.pg one.gq --json
expect_exit 1
expect_diags <<'EOF'
ERROR query_typecheck_error one.gq:1:1: type error: T1: unknown node type `Company`
EOF

# ------------------------------------------------------------------ fixtures
# Every tests/fixtures/query/<id>/ (one per rule of query-lang.md §8):
# pass.gq checks against schema.pg; fail.gq fails with exactly one
# query_typecheck_error whose message is the content of expect.err.
n_fix=0
for d in "$QDIR"/*/; do
	[ -f "$d/fail.gq" ] || continue
	id=$(basename "$d")
	n_fix=$((n_fix + 1))
	case_begin "fixture $id/pass.gq"
	run_cfs_in "$QDIR" query check --schema schema.pg "$id/pass.gq"
	expect_exit 0
	expect_stderr_empty
	! grep -q '^ERROR' "$T/.run/out"
	check $? "pass.gq reports an error"

	case_begin "fixture $id/fail.gq"
	want=$(cat "$d/expect.err")
	jrun_in "$QDIR" query check --schema schema.pg "$id/fail.gq" --json
	expect_exit 1
	expect_json ok false
	expect_count diagnostics 1
	expect_json diagnostics/0/code query_typecheck_error
	expect_json diagnostics/0/message "$want"
	path=$(json_get diagnostics/0/path)
	case $path in
	"$id/fail.gq:"[1-9]*:[1-9]*) pass ;;
	*) fail "path '$path' is not $id/fail.gq:LINE:COL" ;;
	esac
	# the human rendering carries the same line
	run_cfs_in "$QDIR" query check --schema schema.pg "$id/fail.gq"
	expect_exit 1
	grep -qxF -- "ERROR query_typecheck_error $path: $want" "$T/.run/out"
	check $? "human output lacks: ERROR query_typecheck_error $path: $want"
done
case_begin "fixtures query/<id>/"
[ "$n_fix" -gt 0 ]
check $? "no fixture in $QDIR"

# ------------------------------------------------------------------ usage
case_begin "query check without --schema"
run_cfs query check good.gq
expect_usage_error "$CHECK_USAGE"
expect_stderr_contains "--schema FILE.pg is required"

case_begin "query check --json without --schema"
run_cfs query check good.gq --json
expect_usage_error "$CHECK_USAGE"

case_begin "query check --schema without a value"
run_cfs query check good.gq --schema
expect_usage_error "$CHECK_USAGE"

case_begin "query check without FILE"
run_cfs query check --schema people.pg
expect_usage_error "$CHECK_USAGE"
expect_stderr_contains "missing argument 'FILE.gq'"

case_begin "query check without anything"
run_cfs query check
expect_usage_error "$CHECK_USAGE"

case_begin "query check with two files"
run_cfs query check --schema people.pg good.gq one.gq
expect_usage_error "$CHECK_USAGE"
expect_stderr_contains "unexpected argument 'one.gq'"

case_begin "query check with an unknown flag"
run_cfs query check --schema people.pg --bogus good.gq
expect_usage_error "$CHECK_USAGE"
expect_stderr_contains "unknown option '--bogus'"

case_begin "query check --json=VALUE"
run_cfs query check --schema people.pg --json=1 good.gq
expect_usage_error "$CHECK_USAGE"

case_begin "query check refuses --as"
run_cfs query check --schema people.pg good.gq --as alice
expect_exit 1
expect_stdout_empty
expect_stderr_lines 1
expect_stderr_contains "--as"

case_begin "query alone"
run_cfs query
expect_exit 2
expect_stdout_empty
printf '%s\n' "$CHECK_USAGE" | cmp -s - "$T/.run/err"
check $? "stderr is not exactly the query usage"

case_begin "query bogus"
run_cfs query bogus
expect_exit 2
expect_stdout_empty
expect_stderr_contains "clusterfs query: unknown subcommand 'bogus'"
expect_stderr_contains "$CHECK_USAGE"

case_begin "query with a file instead of a subcommand"
run_cfs query good.gq
expect_exit 2
expect_stdout_empty
expect_stderr_contains "unknown subcommand 'good.gq'"

case_begin "query --help"
run_cfs query --help
expect_exit 0
expect_stderr_empty
expect_stdout_equals "$CHECK_USAGE"

case_begin "query -h"
run_cfs query -h
expect_exit 0
expect_stderr_empty
expect_stdout_equals "$CHECK_USAGE"

case_begin "query check --help"
run_cfs query check --help
expect_exit 0
expect_stderr_empty
expect_line 1 "$CHECK_USAGE"
expect_stdout_contains --schema
expect_stdout_contains --json
expect_stdout_contains --help

case_begin "query check --help ignores the other arguments"
run_cfs query check nope.gq --help
expect_exit 0
expect_stderr_empty
expect_line 1 "$CHECK_USAGE"

case_begin "top-level --help lists query"
run_cfs --help
expect_exit 0
expect_stdout_contains "    query "

finish
