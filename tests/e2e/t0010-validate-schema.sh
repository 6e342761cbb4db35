#!/usr/bin/env bash
# Schema parse and catalog checks inside `validate` (cluster.md §4.1 step 7;
# schema-lang.md §1): a graph whose schema has a syntax, semantic or catalog
# error gets schema_parse_error / schema_catalog_error at graphs.<id>.schema
# with the rendered text as message (the same text `clusterfs schema check
# --json` reports for the file), and a query_typecheck_skipped warning at
# graphs.<id>.queries.<name> for each of its queries; other graphs and a
# valid schema get neither.
# shellcheck disable=SC2016 # backticks in expected messages are literal
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

SKIP_MSG='query parsed, but type-check was skipped because the graph schema is invalid'

# ------------------------------------------------------------------ helpers

# make_cluster DIR: a cluster with two graphs, each with a valid schema:
#   knowledge  people.pg, queries/ (find_person, list_people)
#   zeta       zeta.pg, explicit form (lookup -> zeta.gq)
make_cluster() {
	local d=$1
	rm -rf "${T:?}/$d"
	write_file "$d/cluster.yaml" '%s\n' \
		'version: 1' \
		'graphs:' \
		'  knowledge:' \
		'    schema: people.pg' \
		'    queries: queries/' \
		'  zeta:' \
		'    schema: zeta.pg' \
		'    queries:' \
		'      lookup:' \
		'        file: zeta.gq'
	write_file "$d/people.pg" '%s\n' \
		'node Person {' \
		'    name: String @key' \
		'}'
	write_file "$d/queries/people.gq" '%s\n' \
		'query find_person($name: String) {' \
		'  match { $p: Person { name: $name } }' \
		'  return { $p.name }' \
		'}' \
		'' \
		'query list_people() {' \
		'  match { $p: Person }' \
		'  return { $p.name }' \
		'}'
	write_file "$d/zeta.pg" '%s\n' \
		'node Thing {' \
		'    name: String @key' \
		'}'
	write_file "$d/zeta.gq" '%s\n' \
		'query lookup() {' \
		'  match { $t: Thing }' \
		'  return { $t.name }' \
		'}'
}

# check_msg FILE: the code and message of the first diagnostic `clusterfs
# schema check FILE --json` reports, as json_flatten renders them, in
# $CHECK_CODE and $CHECK_MSG.
check_msg() {
	run_cfs schema check "$1" --json
	json_flatten "$T/.run/out" >"$T/.v/check-flat"
	CHECK_CODE=$(awk -F'\t' '$1 == "V" && $2 == "diagnostics/0/code" { print $3; exit }' "$T/.v/check-flat")
	CHECK_MSG=$(awk -F'\t' '$1 == "V" && $2 == "diagnostics/0/message" { print $3; exit }' "$T/.v/check-flat")
}

# ------------------------------------------------------------------ valid schemas
case_begin "valid schemas: no schema diagnostic, no skipped type-check"
make_cluster ok
validate --config ok
expect_exit 0
expect_ok true
expect_no_diag_code schema_parse_error
expect_no_diag_code schema_catalog_error
expect_no_diag_code query_typecheck_skipped
expect_diags <<'EOF'
WARN  external_blob_ingress_default_deny graphs.knowledge.external_blobs: effective policy is deny: new external Blob URI references will be rejected; existing stored references remain readable
WARN  external_blob_ingress_default_deny graphs.zeta.external_blobs: effective policy is deny: new external Blob URI references will be rejected; existing stored references remain readable
EOF
expect_resource schema.knowledge schema "$(sha256_file ok/people.pg)" ok/people.pg

case_begin "valid schema with interfaces, edges and constraints"
make_cluster rich
write_file rich/people.pg '%s\n' \
	'interface Named {' \
	'    name: String @description("display name")' \
	'}' \
	'node Person implements Named {' \
	'    age: I32?' \
	'    @key(name)' \
	'    @range(age, 0..150)' \
	'}' \
	'node Company implements Named {}' \
	'edge WorksAt: Person -> Company @card(0..1) {' \
	'    since: Date?' \
	'}'
validate --config rich
expect_exit 0
expect_no_diag_code schema_parse_error
expect_no_diag_code schema_catalog_error
expect_no_diag_code query_typecheck_skipped

case_begin "validate and schema check agree on a valid schema"
run_cfs schema check ok/people.pg --json
expect_exit 0

# ------------------------------------------------------------------ syntax error
case_begin "syntax error"
make_cluster syntax
write_file syntax/people.pg 'node Person {\n    name: String @key,\n}\n'
check_msg syntax/people.pg
msg=$CHECK_MSG
[ "$CHECK_CODE" = schema_parse_error ]
check $? "schema check reports '$CHECK_CODE', expected schema_parse_error"
case $msg in
'parse error:  --> 2:22'*) pass ;;
*) fail "schema check message '$msg' does not start with 'parse error:  --> 2:22'" ;;
esac
validate --config syntax
expect_exit 1
expect_ok false
# The path is the config key, not FILE:LINE:COL; the message is the
# rendered text.  Queries in name order, each warned once.
expect_diags <<EOF
ERROR schema_parse_error graphs.knowledge.schema: $msg
WARN  query_typecheck_skipped graphs.knowledge.queries.find_person: $SKIP_MSG
WARN  query_typecheck_skipped graphs.knowledge.queries.list_people: $SKIP_MSG
EOF
expect_json diagnostics/0/code schema_parse_error
expect_json diagnostics/0/severity error
expect_json diagnostics/0/path graphs.knowledge.schema
expect_json diagnostics/0/message "$msg"
expect_json diagnostics/1/severity warning
expect_json diagnostics/2/severity warning
# The file was read: its resource and digest are reported all the same.
expect_resource schema.knowledge schema "$(sha256_file syntax/people.pg)" syntax/people.pg
expect_resource query.knowledge.find_person query "$(sha256_file syntax/queries/people.gq)" syntax/queries/people.gq

# ------------------------------------------------------------------ semantic error
case_begin "semantic error"
make_cluster semantic
write_file semantic/people.pg '%s\n' \
	'node Person {' \
	'    name: String @key' \
	'    v: Vector(0)' \
	'}'
check_msg semantic/people.pg
msg=$CHECK_MSG
[ "$msg" = 'parse error: parse error: Vector dimension must be greater than zero' ]
check $? "schema check message is '$msg'"
validate --config semantic
expect_exit 1
expect_diags <<EOF
ERROR schema_parse_error graphs.knowledge.schema: parse error: parse error: Vector dimension must be greater than zero
WARN  query_typecheck_skipped graphs.knowledge.queries.find_person: $SKIP_MSG
WARN  query_typecheck_skipped graphs.knowledge.queries.list_people: $SKIP_MSG
EOF
expect_resource schema.knowledge schema "$(sha256_file semantic/people.pg)" semantic/people.pg

# ------------------------------------------------------------------ catalog error
case_begin "catalog error"
make_cluster catalog
write_file catalog/people.pg '%s\n' \
	'node Person {' \
	'    name: String @key' \
	'}' \
	'edge WorksAt: Person -> Company'
check_msg catalog/people.pg
msg=$CHECK_MSG
[ "$CHECK_CODE" = schema_catalog_error ]
check $? "schema check reports '$CHECK_CODE', expected schema_catalog_error"
[ "$msg" = 'catalog error: edge WorksAt references unknown target type: Company' ]
check $? "schema check message is '$msg'"
validate --config catalog
expect_exit 1
expect_diags <<EOF
ERROR schema_catalog_error graphs.knowledge.schema: catalog error: edge WorksAt references unknown target type: Company
WARN  query_typecheck_skipped graphs.knowledge.queries.find_person: $SKIP_MSG
WARN  query_typecheck_skipped graphs.knowledge.queries.list_people: $SKIP_MSG
EOF
expect_json diagnostics/0/code schema_catalog_error
expect_json diagnostics/0/path graphs.knowledge.schema

# ------------------------------------------------------------------ explicit form, several graphs
case_begin "explicit-form query of a broken schema"
make_cluster explicit
write_file explicit/zeta.pg 'node Thing {}\nedge E: Thing -> Thing @card(2..1)\n'
validate --config explicit
expect_exit 1
expect_diags <<EOF
ERROR schema_parse_error graphs.zeta.schema: parse error: parse error: cardinality min (2) exceeds max (1)
WARN  query_typecheck_skipped graphs.zeta.queries.lookup: $SKIP_MSG
EOF

case_begin "two broken graphs, in id order"
make_cluster both
write_file both/people.pg 'node Person {\n    name: String @key @key\n}\n'
write_file both/zeta.pg 'node Thing {}\nedge E: Thing -> Nowhere\n'
check_msg both/people.pg
people_msg=$CHECK_MSG
people_code=$CHECK_CODE
check_msg both/zeta.pg
zeta_msg=$CHECK_MSG
validate --config both
expect_exit 1
expect_diags <<EOF
ERROR $people_code graphs.knowledge.schema: $people_msg
WARN  query_typecheck_skipped graphs.knowledge.queries.find_person: $SKIP_MSG
WARN  query_typecheck_skipped graphs.knowledge.queries.list_people: $SKIP_MSG
ERROR schema_catalog_error graphs.zeta.schema: $zeta_msg
WARN  query_typecheck_skipped graphs.zeta.queries.lookup: $SKIP_MSG
EOF

case_begin "graph without queries: the schema error alone"
rm -rf noq
write_file noq/cluster.yaml '%s\n' 'version: 1' 'graphs:' '  solo:' '    schema: solo.pg'
write_file noq/solo.pg 'node A {}\nedge E: A -> B\n'
validate --config noq
expect_exit 1
expect_diags <<'EOF'
ERROR schema_catalog_error graphs.solo.schema: catalog error: edge E references unknown target type: B
EOF

# ------------------------------------------------------------------ queries that never reach the type-check
case_begin "a query that does not parse is not warned as skipped"
make_cluster qbroken
write_file qbroken/schema-bad.pg 'node Person {\n    name: String @key,\n}\n'
cp qbroken/schema-bad.pg qbroken/people.pg
write_file qbroken/queries/broken.gq 'query broken( {\n'
validate --config qbroken
expect_exit 1
expect_diag_count 4
expect_diag_prefix 'ERROR schema_parse_error graphs.knowledge.schema: parse error:  --> 2:22'
expect_diag_prefix 'ERROR query_parse_error graphs.knowledge.queries: '
expect_diag "WARN  query_typecheck_skipped graphs.knowledge.queries.find_person: $SKIP_MSG"
expect_diag "WARN  query_typecheck_skipped graphs.knowledge.queries.list_people: $SKIP_MSG"

case_begin "an explicit query missing from its file is not warned as skipped"
make_cluster mismatch
write_file mismatch/zeta.pg 'node Thing {\n    v: Vector(0)\n}\n'
write_file mismatch/zeta.gq '%s\n' 'query other() {' '  match { $t: Thing }' '  return { $t.name }' '}'
validate --config mismatch
expect_exit 1
expect_diags <<'EOF'
ERROR schema_parse_error graphs.zeta.schema: parse error: parse error: Vector dimension must be greater than zero
ERROR query_key_mismatch graphs.zeta.queries.lookup: no `query lookup` declaration found in the referenced .gq file
EOF

# ------------------------------------------------------------------ unreadable schema
case_begin "schema that is not UTF-8: read error, type-checks skipped"
make_cluster latin1
write_file latin1/people.pg 'node Person {\n    name: String @key @description("caf\351")\n}\n'
validate --config latin1
expect_exit 1
expect_diags <<EOF
ERROR schema_file_missing graphs.knowledge.schema: could not read schema file 'latin1/people.pg': stream did not contain valid UTF-8
WARN  query_typecheck_skipped graphs.knowledge.queries.find_person: $SKIP_MSG
WARN  query_typecheck_skipped graphs.knowledge.queries.list_people: $SKIP_MSG
EOF
expect_no_resource schema.knowledge

case_begin "missing schema file: type-checks skipped"
make_cluster gone
rm gone/people.pg
validate --config gone
expect_exit 1
expect_diags <<EOF
ERROR schema_file_missing graphs.knowledge.schema: could not read schema file 'gone/people.pg': $ENOENT
WARN  query_typecheck_skipped graphs.knowledge.queries.find_person: $SKIP_MSG
WARN  query_typecheck_skipped graphs.knowledge.queries.list_people: $SKIP_MSG
EOF

# ------------------------------------------------------------------ every error fixture
# Each schema/err fixture, used as a graph's schema, gives the code and
# message `schema check --json` reports for it, at graphs.knowledge.schema.
# All syntax_ and cat_ fixtures run, and every fifth sem_ one (t0008 checks
# each of them through `schema check`).
case_begin "schema/err fixtures through validate"
make_cluster fx
n=0
nsem=0
for f in "$CFS_FIXTURES"/schema/err/*.pg; do
	[ -e "$f" ] || continue
	name=${f##*/}
	case $name in
	sem_*)
		nsem=$((nsem + 1))
		[ $((nsem % 5)) -eq 1 ] || continue
		;;
	esac
	n=$((n + 1))
	case_begin "fixture err/$name through validate"
	cp "$f" fx/people.pg
	check_msg fx/people.pg
	msg=$CHECK_MSG
	code=$CHECK_CODE
	validate --config fx
	expect_exit 1
	expect_diag_count 3
	expect_json diagnostics/0/code "$code"
	expect_json diagnostics/0/path graphs.knowledge.schema
	expect_json diagnostics/0/message "$msg"
	expect_json diagnostics/1/code query_typecheck_skipped
	expect_json diagnostics/2/code query_typecheck_skipped
done
case_begin "schema/err fixtures through validate"
[ "$n" -gt 0 ]
check $? "no fixture under schema/err"

finish
