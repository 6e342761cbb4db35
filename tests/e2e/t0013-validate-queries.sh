#!/usr/bin/env bash
# Stored queries inside `validate` (cluster.md §2.2, §4.1 step 7;
# query-lang.md §1, §5): a registered query that fails to type-check gets
# query_typecheck_error at graphs.<id>.queries.<name> with the rendered
# "type error: ..." text (the same text `clusterfs query check` reports for
# it); a discovered file that does not parse gets query_parse_error at
# graphs.<id>.queries with "'<path>' does not parse: <err>" and registers
# nothing; an explicitly mapped file that does not parse gets
# query_parse_error at graphs.<id>.queries.<name>; only the first of two
# declarations with one name is type-checked; a valid cluster gets none of
# these.
# shellcheck disable=SC2016 # backticks and $ in expected messages are literal
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# ------------------------------------------------------------------ helpers

# make_cluster DIR: a valid cluster with two graphs:
#   people  people.pg, queries/ (a.gq: find_person, list_people;
#                                b.gq: add_person)
#   things  things.pg, explicit form (lookup -> lookup.gq)
make_cluster() {
	local d=$1
	rm -rf "${T:?}/$d"
	write_file "$d/cluster.yaml" '%s\n' \
		'version: 1' \
		'graphs:' \
		'  people:' \
		'    schema: people.pg' \
		'    queries: queries/' \
		'  things:' \
		'    schema: things.pg' \
		'    queries:' \
		'      lookup:' \
		'        file: lookup.gq'
	write_file "$d/people.pg" '%s\n' \
		'node Person {' \
		'    name: String @key' \
		'    age: I32?' \
		'}' \
		'node Company {' \
		'    name: String @key' \
		'}' \
		'edge WorksAt: Person -> Company'
	write_file "$d/queries/a.gq" '%s\n' \
		'query find_person($name: String) {' \
		'    match {' \
		'        $p: Person { name: $name }' \
		'        $p worksAt $c' \
		'    }' \
		'    return { $p.name, $c.name as company }' \
		'}' \
		'' \
		'query list_people() {' \
		'    match { $p: Person }' \
		'    return { $p.name, $p.age }' \
		'    order { $p.age desc }' \
		'    limit 5' \
		'}'
	write_file "$d/queries/b.gq" '%s\n' \
		'query add_person($name: String, $age: I32?) {' \
		'    insert Person { name: $name, age: $age }' \
		'}'
	write_file "$d/things.pg" '%s\n' \
		'node Thing {' \
		'    name: String @key' \
		'}'
	write_file "$d/lookup.gq" '%s\n' \
		'query lookup($n: String) {' \
		'    match { $t: Thing { name: $n } }' \
		'    return { $t.name }' \
		'}'
}

DENY_PEOPLE="WARN  external_blob_ingress_default_deny graphs.people.external_blobs: $DENY_MSG"
DENY_THINGS="WARN  external_blob_ingress_default_deny graphs.things.external_blobs: $DENY_MSG"

# check_msg SCHEMA FILE: the message of the first diagnostic of `clusterfs
# query check --schema SCHEMA FILE --json`, in $CHECK_MSG.
check_msg() {
	run_cfs query check --schema "$1" "$2" --json
	json_flatten "$T/.run/out" >"$T/.v/check-flat"
	CHECK_MSG=$(awk -F'\t' '$1 == "V" && $2 == "diagnostics/0/message" { print $3; exit }' "$T/.v/check-flat")
}

# ------------------------------------------------------------------ valid cluster
case_begin "valid cluster: no query diagnostic"
make_cluster ok
validate --config ok
expect_exit 0
expect_ok true
expect_no_diag_code query_typecheck_error
expect_no_diag_code query_parse_error
expect_no_diag_code query_typecheck_skipped
expect_diags <<EOF
$DENY_PEOPLE
$DENY_THINGS
EOF
expect_resources graph.people graph.things query.people.add_person query.people.find_person \
	query.people.list_people query.things.lookup schema.people schema.things
expect_resource query.people.find_person query "$(sha256_file ok/queries/a.gq)" ok/queries/a.gq
expect_resource query.people.add_person query "$(sha256_file ok/queries/b.gq)" ok/queries/b.gq
expect_resource query.things.lookup query "$(sha256_file ok/lookup.gq)" ok/lookup.gq

case_begin "valid cluster: list form and single-file form"
make_cluster forms
write_file forms/cluster.yaml '%s\n' \
	'version: 1' \
	'graphs:' \
	'  people:' \
	'    schema: people.pg' \
	'    queries: [queries/a.gq, queries/b.gq]' \
	'  things:' \
	'    schema: things.pg' \
	'    queries: lookup.gq'
validate --config forms
expect_exit 0
expect_no_diag_code query_typecheck_error
expect_no_diag_code query_parse_error

# ------------------------------------------------------------------ type errors
case_begin "type errors in discovered files"
make_cluster typeerr
write_file typeerr/queries/c.gq '%s\n' \
	'query bad_prop() {' \
	'    match { $p: Person }' \
	'    return { $p.nope }' \
	'}' \
	'query bad_edge($n: String) {' \
	'    match { $p: Person { name: $n } $p knows $f }' \
	'    return { $f.name }' \
	'}' \
	'query bad_insert($n: I64) {' \
	'    insert Person { name: $n }' \
	'}'
validate --config typeerr
expect_exit 1
expect_ok false
# One diagnostic per failing query, in name order, at the query's key; the
# message is the rendered text; the good queries of the graph are unaffected.
expect_diags <<'EOF'
ERROR query_typecheck_error graphs.people.queries.bad_edge: type error: T4: unknown edge type `knows`
ERROR query_typecheck_error graphs.people.queries.bad_insert: type error: T7: cannot assign/compare I64 with String for property `name`
ERROR query_typecheck_error graphs.people.queries.bad_prop: type error: T6: type `Person` has no property `nope`
EOF
expect_json diagnostics/0/code query_typecheck_error
expect_json diagnostics/0/severity error
expect_json diagnostics/0/path graphs.people.queries.bad_edge
# A query that does not type-check is still a resource (its file was read).
expect_resource query.people.bad_prop query "$(sha256_file typeerr/queries/c.gq)" typeerr/queries/c.gq

case_begin "validate and query check agree on the message"
check_msg typeerr/people.pg typeerr/queries/c.gq
[ "$CHECK_MSG" = 'type error: T6: type `Person` has no property `nope`' ]
check $? "query check message is '$CHECK_MSG'"

case_begin "type error in an explicitly mapped file"
make_cluster explicit
write_file explicit/lookup.gq '%s\n' \
	'query helper() {' \
	'    match { $x: Nowhere }' \
	'    return { $x }' \
	'}' \
	'query lookup($n: I32) {' \
	'    match { $t: Thing { name: $n } }' \
	'    return { $t.name }' \
	'}'
validate --config explicit
expect_exit 1
# Only the mapped name is registered and checked: `helper` is not.
expect_diags <<'EOF'
ERROR query_typecheck_error graphs.things.queries.lookup: type error: T7: cannot assign/compare I32 with String for property `name`
EOF

case_begin "§8 messages survive validate unchanged"
make_cluster messages
write_file messages/queries/m.gq '%s\n' \
	'query undirected() {' \
	'    match { $p <worksAt> $c }' \
	'    return { $p.name }' \
	'}' \
	'query reserved($__nanograph_now: DateTime) {' \
	'    match { $p: Person }' \
	'    return { $p.name }' \
	'}' \
	'query edge_missing_to($x: String) {' \
	'    insert WorksAt { from: $x }' \
	'}'
validate --config messages
expect_exit 1
expect_diags <<'EOF'
ERROR query_typecheck_error graphs.people.queries.edge_missing_to: type error: T12: insert for `WorksAt` must provide required endpoint `to`
ERROR query_typecheck_error graphs.people.queries.reserved: type error: parameter name `$__nanograph_now` is reserved for runtime timestamp injection
ERROR query_typecheck_error graphs.people.queries.undirected: type error: T22: undirected traversal `<WorksAt>` requires a same-endpoint-type edge, but `WorksAt: Person -> Company` is asymmetric; use the directional form
EOF

case_begin "duplicate names: only the first declaration is type-checked"
make_cluster dup
# z.gq comes after a.gq and b.gq: its `find_person` is a duplicate, and its
# type error is never reported.
write_file dup/queries/z.gq '%s\n' \
	'query find_person() {' \
	'    match { $p: Nobody }' \
	'    return { $p }' \
	'}'
validate --config dup
expect_exit 1
expect_diags <<'EOF'
ERROR duplicate_query_name graphs.people.queries.find_person: query 'find_person' is declared in both 'queries/a.gq' and 'queries/z.gq'
EOF

case_begin "duplicate names: a first declaration that fails is reported"
make_cluster dup2
write_file dup2/queries/0.gq '%s\n' \
	'query list_people() {' \
	'    match { $p: Nobody }' \
	'    return { $p }' \
	'}'
validate --config dup2
expect_exit 1
expect_diags <<'EOF'
ERROR duplicate_query_name graphs.people.queries.list_people: query 'list_people' is declared in both 'queries/0.gq' and 'queries/a.gq'
ERROR query_typecheck_error graphs.people.queries.list_people: type error: T1: unknown node type `Nobody`
EOF

case_begin "two graphs with type errors, in graph order"
make_cluster two
write_file two/queries/b.gq '%s\n' \
	'query add_person($name: String, $age: I32?) {' \
	'    insert Person { name: $name, age: $age, height: 3 }' \
	'}'
write_file two/lookup.gq '%s\n' \
	'query lookup($n: String) {' \
	'    match { $t: Thing { name: $n } }' \
	'    return { $t.name }' \
	'    order { nearest($t.name, $n) }' \
	'    limit 3' \
	'}'
validate --config two
expect_exit 1
expect_diags <<'EOF'
ERROR query_typecheck_error graphs.people.queries.add_person: type error: T11: type `Person` has no property `height`
ERROR query_typecheck_error graphs.things.queries.lookup: type error: T15: nearest requires a Vector property, got Thing.name: String
EOF

# ------------------------------------------------------------------ parse errors
case_begin "syntax error in a discovered file"
make_cluster syntax
write_file syntax/queries/c.gq '%s\n' \
	'query fine() { match { $p: Person } return { $p.name } }' \
	'query broken() {' \
	'    match { $p: Person }' \
	'    return { $p.name }' \
	'    limit 3' \
	'    order { $p.name }' \
	'}'
validate --config syntax
expect_exit 1
# The path is the queries key; the message names the file as resolved
# against the config dir, then the parser's text.  No declaration of the
# file registers (not even `fine`), the other files are unaffected.
expect_diag_count 1
expect_diag_re "^ERROR query_parse_error graphs\.people\.queries: 'syntax/queries/c\.gq' does not parse: parse error:  --> 6:5([^0-9]|\$)"
expect_no_resource query.people.fine
expect_no_resource query.people.broken
expect_resource query.people.find_person query "$(sha256_file syntax/queries/a.gq)" syntax/queries/a.gq

case_begin "parse-time error in a discovered file"
make_cluster sem
write_file sem/queries/c.gq '%s\n' \
	'query fine() @description("bad \q") { match { $p: Person } return { $p.name } }'
validate --config sem
expect_exit 1
expect_diags <<'EOF'
ERROR query_parse_error graphs.people.queries: 'sem/queries/c.gq' does not parse: parse error: parse error: unsupported escape sequence: \q
EOF

case_begin "parse error in a file of the list form"
make_cluster list
write_file list/cluster.yaml '%s\n' \
	'version: 1' \
	'graphs:' \
	'  people:' \
	'    schema: people.pg' \
	'    queries: [queries/a.gq, extra/]' \
	'  things:' \
	'    schema: things.pg' \
	'    queries: lookup.gq'
write_file list/extra/x.gq 'query x() { match { $p: Person } return { $p.name } limit 18446744073709551616 }\n'
validate --config list
expect_exit 1
expect_diags <<'EOF'
ERROR query_parse_error graphs.people.queries: 'list/extra/x.gq' does not parse: parse error: parse error: invalid limit: number too large to fit in target type
EOF

case_begin "parse errors and type errors together"
make_cluster mixed
write_file mixed/queries/c.gq 'query broken( {\n'
write_file mixed/queries/d.gq '%s\n' \
	'query bad_prop() {' \
	'    match { $p: Person }' \
	'    return { $p.nope }' \
	'}'
validate --config mixed
expect_exit 1
expect_diag_count 2
expect_diag_prefix_order \
	"ERROR query_parse_error graphs.people.queries: 'mixed/queries/c.gq' does not parse: parse error:  --> 1:" \
	'ERROR query_typecheck_error graphs.people.queries.bad_prop: type error: T6: type `Person` has no property `nope`'

case_begin "syntax error in an explicitly mapped file"
make_cluster expl
write_file expl/lookup.gq '%s\n' \
	'query lookup($n: String) {' \
	'    match { $t: Thing { name: $n } }' \
	'    return { $t.name' \
	'}'
validate --config expl
expect_exit 1
expect_diag_count 1
expect_diag_prefix 'ERROR query_parse_error graphs.things.queries.lookup: '
expect_diag_contains 'ERROR query_parse_error graphs.things.queries.lookup: ' 'parse error:  --> '
expect_no_diag_code query_key_mismatch
expect_no_diag_code query_typecheck_error
# The file was read: the query is a resource.
expect_resource query.things.lookup query "$(sha256_file expl/lookup.gq)" expl/lookup.gq

case_begin "parse-time error in an explicitly mapped file"
make_cluster expl2
write_file expl2/lookup.gq '%s\n' \
	'query lookup($n: String) @instruction("a") @instruction("b") {' \
	'    match { $t: Thing { name: $n } }' \
	'    return { $t.name }' \
	'}'
validate --config expl2
expect_exit 1
expect_diag_count 1
expect_diag_prefix 'ERROR query_parse_error graphs.things.queries.lookup: '
expect_diag_contains 'ERROR query_parse_error graphs.things.queries.lookup: ' 'parse error: parse error: query `lookup` cannot include duplicate @instruction annotations'

finish
