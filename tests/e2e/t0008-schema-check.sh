#!/usr/bin/env bash
# `clusterfs schema check FILE.pg [--json]` (cli/schema.c; schema-lang.md §1):
# the model listing of a valid schema, the JSON report (ok, file, digest,
# types, diagnostics), the three error classes and their diagnostic codes and
# paths (syntax at FILE:LINE:COL, semantic and catalog at FILE), unreadable
# and non-UTF-8 files, every fixture under schema/ok and schema/err, and the
# usage errors of the `schema` command family.
# shellcheck disable=SC2016 # backticks in expected messages are literal
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

OKDIR="$CFS_FIXTURES/schema/ok"
ERRDIR="$CFS_FIXTURES/schema/err"
CHECK_USAGE='usage: clusterfs schema check FILE.pg [--json]'
FAMILY_USAGE='usage: clusterfs schema check FILE.pg [--json]
       clusterfs schema diff OLD.pg NEW.pg [--json]'
FFFD=$(printf '\357\277\275')

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

# expect_report_shape: the members every check report has, in order, and
# ok <-> exit status <-> no error diagnostic.
expect_report_shape() {
	expect_keys "" "ok file digest types diagnostics"
	local ok n i
	ok=$(json_get ok)
	case "$RC:$ok" in
	0:true | 1:false) pass ;;
	*) fail "exit status $RC with \"ok\": $ok" ;;
	esac
	if grep -q '^ERROR ' "$T/.v/jdiags"; then [ "$ok" = false ]; else [ "$ok" = true ]; fi
	check $? "\"ok\": $ok does not follow the error diagnostics"
	n=$(json_count diagnostics)
	for ((i = 0; i < n; i++)); do
		expect_keys "diagnostics/$i" "code severity path message"
	done
}

# ------------------------------------------------------------------ valid schema
write_file model.pg '%s\n' \
	'// A schema that uses every part of the listing.' \
	'interface Named {' \
	'    name: String @description("display name")' \
	'}' \
	'' \
	'node Person @description("a human") implements Named {' \
	'    age: I32?' \
	'    tags: [String]?' \
	'    mood: enum(sad, happy)' \
	'    @key(name)' \
	'}' \
	'' \
	'node Company {' \
	'    name: String @key' \
	'    v: Vector(3) @embed(name, model="m")' \
	'    @index(name, v)' \
	'}' \
	'' \
	'edge WorksAt: Person -> Company @card(1..3) {' \
	'    since: Date?' \
	'}' \
	'' \
	'edge Knows: Person -> Person'
MODEL_DIGEST=$(sha256_file model.pg)

case_begin "valid schema: headline and model listing"
run_cfs schema check model.pg
expect_exit 0
expect_stderr_empty
# Types in source order; properties with their display type (schema-lang.md
# §4.2: enum values sorted), annotations as written, injected properties
# marked with their interface, then the constraints (body, then desugared).
expect_out <<'EOF'
schema valid: model.pg
interface Named
  name: String @description("display name")
node Person implements Named @description("a human")
  age: I32?
  tags: [String]?
  mood: enum(happy, sad)
  name: String @description("display name")  (from Named)
  constraint @key(name)
node Company
  name: String @key
  v: Vector(3) @embed(name, model="m")
  constraint @index(name, v)
  constraint @key(name)
edge WorksAt: Person -> Company @card(1..3)
  since: Date?
edge Knows: Person -> Person @card(0..)
EOF

case_begin "valid schema: --json"
jrun schema check model.pg --json
expect_exit 0
expect_report_shape
expect_json ok true
expect_json file model.pg
expect_json digest "$MODEL_DIGEST"
expect_json diagnostics '[]'
[ "$(json_count types)" -eq 5 ]
check $? "types has $(json_count types) entries, expected 5"
expect_keys types/0 "kind name annotations properties constraints"
expect_json types/0/kind interface
expect_json types/0/name Named
expect_json types/0/properties/0/name name
expect_json types/0/properties/0/type String
expect_json types/0/properties/0/annotations/0/name description
expect_json types/0/properties/0/annotations/0/value "display name"
expect_keys types/1 "kind name implements annotations properties constraints"
expect_json types/1/kind node
expect_json types/1/name Person
expect_json types/1/implements/0 Named
expect_json types/1/annotations/0/name description
expect_json types/1/annotations/0/value "a human"
expect_json types/1/properties/0/type 'I32?'
expect_json types/1/properties/1/type '[String]?'
expect_json types/1/properties/2/type 'enum(happy, sad)'
expect_keys types/1/properties/3 "name type annotations from_interface"
expect_json types/1/properties/3/name name
expect_json types/1/properties/3/from_interface Named
expect_json types/1/constraints/0/kind key
expect_json types/1/constraints/0/columns/0 name
expect_json types/2/name Company
expect_json types/2/implements '[]'
expect_json types/2/properties/0/annotations/0/name key
expect_json types/2/properties/0/annotations/0/value null
expect_json types/2/properties/1/type 'Vector(3)'
expect_json types/2/properties/1/annotations/0/value name
expect_json types/2/properties/1/annotations/0/kwargs/model m
expect_json types/2/constraints/0/kind index
expect_json types/2/constraints/0/columns/1 v
expect_json types/2/constraints/1/kind key
expect_keys types/3 "kind name from to card_min card_max annotations properties constraints"
expect_json types/3/kind edge
expect_json types/3/name WorksAt
expect_json types/3/from Person
expect_json types/3/to Company
expect_json types/3/card_min 1
expect_json types/3/card_max 3
expect_json types/3/properties/0/type 'Date?'
expect_json types/4/name Knows
expect_json types/4/card_min 0
expect_json types/4/card_max null

case_begin "valid schema: digest is the SHA-256 of the bytes"
# schema-lang.md §9: the exact bytes, so a comment changes the digest.
cp model.pg model2.pg
printf '// trailing comment\n' >>model2.pg
jrun schema check --json model2.pg
expect_exit 0
expect_json digest "$(sha256_file model2.pg)"
[ "$(json_get digest)" != "$MODEL_DIGEST" ]
check $? "a comment did not change the digest"

case_begin "valid schema given by absolute path"
jrun schema check --json "$T/model.pg"
expect_exit 0
expect_json file "$T/model.pg"
expect_json digest "$MODEL_DIGEST"

case_begin "empty file is a valid, empty schema"
: >empty.pg
run_cfs schema check empty.pg
expect_exit 0
expect_out <<'EOF'
schema valid: empty.pg
EOF
jrun schema check empty.pg --json
expect_exit 0
expect_json types '[]'
expect_json digest e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855

case_begin "--json twice is the same as once"
jrun schema check --json --json model.pg
expect_exit 0
expect_json ok true

case_begin "-- ends the options"
run_cfs schema check -- model.pg
expect_exit 0
expect_line 1 "schema valid: model.pg"

# ------------------------------------------------------------------ syntax error
write_file syntax.pg 'node A {\n    a: String, b: I32\n}\n'

case_begin "syntax error: human"
run_cfs schema check syntax.pg
expect_exit 1
expect_stderr_empty
expect_line 1 "schema invalid: syntax.pg"
# The location block is rendered as is; only the prefix and position are
# contractual (schema-lang.md §1).
sed -n 2p "$T/.run/out" | grep -qE '^ERROR schema_parse_error syntax\.pg:2:14: parse error:  --> 2:14([^0-9]|$)'
check $? "stdout line 2 is not the schema_parse_error at syntax.pg:2:14"

case_begin "syntax error: --json"
jrun schema check syntax.pg --json
expect_exit 1
expect_report_shape
expect_json ok false
expect_json file syntax.pg
expect_json digest "$(sha256_file syntax.pg)"
expect_json types '[]'
[ "$(json_count diagnostics)" -eq 1 ]
check $? "$(json_count diagnostics) diagnostics, expected 1"
expect_json diagnostics/0/code schema_parse_error
expect_json diagnostics/0/severity error
expect_json diagnostics/0/path syntax.pg:2:14
expect_diag_re '^ERROR schema_parse_error syntax\.pg:2:14: parse error:  --> 2:14([^0-9]|$)'

case_begin "syntax error on line 1 of a file in a subfolder"
write_file sub/dir/garbage.pg 'this is not a schema\n'
jrun schema check sub/dir/garbage.pg --json
expect_exit 1
expect_json diagnostics/0/path sub/dir/garbage.pg:1:1
expect_diag_re '^ERROR schema_parse_error sub/dir/garbage\.pg:1:1: parse error:  --> 1:1([^0-9]|$)'

case_begin "syntax error wins over a later semantic error"
# The first error stops everything (schema-lang.md §1): S1 before S2.
write_file both.pg 'node A {\n    v: Vector(0)\n}\n%%%%%%\n'
jrun schema check both.pg --json
expect_exit 1
[ "$(json_count diagnostics)" -eq 1 ]
check $? "$(json_count diagnostics) diagnostics, expected 1"
expect_json diagnostics/0/path both.pg:4:1

# ------------------------------------------------------------------ semantic error
write_file semantic.pg 'node A {}\nedge E: A -> A @card(3..1)\n'

case_begin "semantic error: human"
run_cfs schema check semantic.pg
expect_exit 1
expect_stderr_empty
expect_out <<'EOF'
schema invalid: semantic.pg
ERROR schema_parse_error semantic.pg: parse error: parse error: cardinality min (3) exceeds max (1)
EOF

case_begin "semantic error: --json"
jrun schema check semantic.pg --json
expect_exit 1
expect_report_shape
expect_json file semantic.pg
expect_json digest "$(sha256_file semantic.pg)"
expect_json types '[]'
# The path is the file alone; the message carries the doubled prefix.
expect_diags <<'EOF'
ERROR schema_parse_error semantic.pg: parse error: parse error: cardinality min (3) exceeds max (1)
EOF

case_begin "semantic error: message wording from schema-lang.md"
write_file vec0.pg 'node A {\n    v: Vector(0)\n}\n'
jrun schema check vec0.pg --json
expect_exit 1
expect_diags <<'EOF'
ERROR schema_parse_error vec0.pg: parse error: parse error: Vector dimension must be greater than zero
EOF

# ------------------------------------------------------------------ catalog error
write_file catalog.pg 'node A {}\nedge E: A -> Y\n'

case_begin "catalog error: human"
run_cfs schema check catalog.pg
expect_exit 1
expect_stderr_empty
expect_out <<'EOF'
schema invalid: catalog.pg
ERROR schema_catalog_error catalog.pg: catalog error: edge E references unknown target type: Y
EOF

case_begin "catalog error: --json"
jrun schema check --json catalog.pg
expect_exit 1
expect_report_shape
expect_json ok false
expect_json digest "$(sha256_file catalog.pg)"
expect_json types '[]'
expect_diags <<'EOF'
ERROR schema_catalog_error catalog.pg: catalog error: edge E references unknown target type: Y
EOF

# ------------------------------------------------------------------ unreadable files
case_begin "missing file: human"
run_cfs schema check nope.pg
expect_exit 1
expect_stderr_empty
expect_out <<EOF
schema invalid: nope.pg
ERROR schema_file_missing nope.pg: could not read schema file 'nope.pg': $ENOENT
EOF

case_begin "missing file: --json"
jrun schema check nope.pg --json
expect_exit 1
expect_report_shape
expect_json file nope.pg
# Nothing was read, so there is no digest.
expect_json digest null
expect_json types '[]'
expect_diags <<EOF
ERROR schema_file_missing nope.pg: could not read schema file 'nope.pg': $ENOENT
EOF

case_begin "file is a folder"
mkdir adir.pg
jrun schema check adir.pg --json
expect_exit 1
expect_json digest null
expect_diag_prefix "ERROR schema_file_missing adir.pg: could not read schema file 'adir.pg': "

if [ "$(id -u)" -ne 0 ]; then
	case_begin "unreadable file"
	cp model.pg locked.pg
	chmod 000 locked.pg
	jrun schema check locked.pg --json
	expect_exit 1
	expect_diags <<'EOF'
ERROR schema_file_missing locked.pg: could not read schema file 'locked.pg': Permission denied
EOF
	chmod 644 locked.pg
fi

case_begin "file that is not UTF-8"
write_file latin1.pg 'node A {\n    a: String @description("caf\351")\n}\n'
run_cfs schema check latin1.pg
expect_exit 1
expect_out <<'EOF'
schema invalid: latin1.pg
ERROR schema_file_missing latin1.pg: could not read schema file 'latin1.pg': stream did not contain valid UTF-8
EOF
jrun schema check latin1.pg --json
expect_exit 1
expect_report_shape
expect_json digest null
expect_json types '[]'
expect_diags <<'EOF'
ERROR schema_file_missing latin1.pg: could not read schema file 'latin1.pg': stream did not contain valid UTF-8
EOF

case_begin "UTF-8 text beyond ASCII is fine"
write_file utf8.pg 'node A {\n    a: String @description("caf\303\251 \342\234\223")\n}\n'
run_cfs schema check utf8.pg
expect_exit 0
expect_line 3 "$(printf '  a: String @description("caf\303\251 \342\234\223")')"

case_begin "file name that is not UTF-8"
# As in validate (t0004), a name that is not UTF-8 is shown with U+FFFD
# rather than dropping the member from the --json report.
cp model.pg "$(printf 'b\377').pg"
jrun schema check --json "$(printf 'b\377').pg"
expect_exit 0
expect_report_shape
expect_json file "b${FFFD}.pg"
expect_json digest "$MODEL_DIGEST"

# ------------------------------------------------------------------ fixtures
# Every file under schema/ok must check; every file under schema/err must
# fail with the code of its class and the message of its .err file (equal
# for sem_/cat_, a prefix for syntax_, whose path carries LINE:COL).
n_ok=0
for f in "$OKDIR"/*.pg; do
	[ -e "$f" ] || continue
	n_ok=$((n_ok + 1))
	name=${f##*/}
	case_begin "fixture ok/$name"
	cp "$f" "ok-$name"
	run_cfs schema check "ok-$name"
	expect_exit 0
	expect_line 1 "schema valid: ok-$name"
	jrun schema check "ok-$name" --json
	expect_exit 0
	expect_json ok true
	expect_json digest "$(sha256_file "$f")"
	expect_json diagnostics '[]'
done
case_begin "fixtures schema/ok/*.pg"
[ "$n_ok" -gt 0 ]
check $? "no fixture in $OKDIR"

n_err=0
for f in "$ERRDIR"/*.pg; do
	[ -e "$f" ] || continue
	n_err=$((n_err + 1))
	name=${f##*/}
	base=${name%.pg}
	case_begin "fixture err/$name"
	want=$(cat "${f%.pg}.err")
	cp "$f" "err-$name"
	jrun schema check "err-$name" --json
	expect_exit 1
	expect_report_shape
	expect_json digest "$(sha256_file "$f")"
	expect_json types '[]'
	[ "$(json_count diagnostics)" -eq 1 ]
	check $? "$(json_count diagnostics) diagnostics, expected 1"
	msg=$(json_get diagnostics/0/message)
	case $base in
	syntax_*)
		expect_json diagnostics/0/code schema_parse_error
		case $msg in
		"$want"*) pass ;;
		*) fail "message '$msg' does not start with '$want'" ;;
		esac
		pos=$(printf '%s' "$msg" | sed -n '1s/^parse error:  --> \([0-9][0-9]*:[0-9][0-9]*\).*/\1/p')
		[ -n "$pos" ]
		check $? "message '$msg' does not start with 'parse error:  --> LINE:COL'"
		expect_json diagnostics/0/path "err-$name:$pos"
		;;
	sem_*)
		expect_json diagnostics/0/code schema_parse_error
		expect_json diagnostics/0/path "err-$name"
		expect_json diagnostics/0/message "$want"
		;;
	cat_*)
		expect_json diagnostics/0/code schema_catalog_error
		expect_json diagnostics/0/path "err-$name"
		expect_json diagnostics/0/message "$want"
		;;
	*)
		fail "fixture name $name has no syntax_/sem_/cat_ prefix"
		;;
	esac
done
case_begin "fixtures schema/err/*.pg"
[ "$n_err" -gt 0 ]
check $? "no fixture in $ERRDIR"

# ------------------------------------------------------------------ usage
case_begin "schema check without FILE"
run_cfs schema check
expect_usage_error "$CHECK_USAGE"
expect_stderr_contains "missing argument 'FILE.pg'"

case_begin "schema check --json without FILE"
run_cfs schema check --json
expect_usage_error "$CHECK_USAGE"

case_begin "schema check with two files"
run_cfs schema check model.pg other.pg
expect_usage_error "$CHECK_USAGE"
expect_stderr_contains "unexpected argument 'other.pg'"

case_begin "schema check with an unknown flag"
run_cfs schema check --bogus model.pg
expect_usage_error "$CHECK_USAGE"
expect_stderr_contains "unknown option '--bogus'"

case_begin "schema check with an unknown flag and --json"
run_cfs schema check model.pg --json --frobnicate
expect_usage_error "$CHECK_USAGE"

case_begin "schema check --json=VALUE"
run_cfs schema check --json=1 model.pg
expect_usage_error "$CHECK_USAGE"

case_begin "schema check refuses --as"
# cluster.md §1: --as is refused before anything runs (exit 1, one stderr line).
run_cfs schema check model.pg --as alice
expect_exit 1
expect_stdout_empty
expect_stderr_lines 1
expect_stderr_contains "--as"

case_begin "schema alone"
run_cfs schema
expect_exit 2
expect_stdout_empty
printf '%s\n' "$FAMILY_USAGE" | cmp -s - "$T/.run/err"
check $? "stderr is not exactly the schema usage"

case_begin "schema bogus"
run_cfs schema bogus
expect_exit 2
expect_stdout_empty
expect_stderr_contains "clusterfs schema: unknown subcommand 'bogus'"
expect_stderr_contains "$FAMILY_USAGE"

case_begin "schema with a file instead of a subcommand"
run_cfs schema model.pg
expect_exit 2
expect_stdout_empty
expect_stderr_contains "unknown subcommand 'model.pg'"

case_begin "schema --help"
run_cfs schema --help
expect_exit 0
expect_stderr_empty
expect_stdout_equals "$FAMILY_USAGE"

case_begin "schema -h"
run_cfs schema -h
expect_exit 0
expect_stderr_empty
expect_stdout_equals "$FAMILY_USAGE"

case_begin "schema check --help"
run_cfs schema check --help
expect_exit 0
expect_stderr_empty
expect_line 1 "$CHECK_USAGE"
expect_stdout_contains --json
expect_stdout_contains --help

case_begin "schema check --help ignores the other arguments"
run_cfs schema check nope.pg --help
expect_exit 0
expect_stderr_empty
expect_line 1 "$CHECK_USAGE"

case_begin "top-level --help lists schema"
run_cfs --help
expect_exit 0
expect_stdout_contains "schema "

finish
