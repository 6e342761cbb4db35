#!/usr/bin/env bash
# `clusterfs schema diff OLD.pg NEW.pg [--json]` (cli/schema.c;
# schema-lang.md §9, §10): the human preview (`supported: yes|no`, then one
# `- <line>` per step or `no schema changes`), the JSON report (ok, old, new,
# supported, steps, diagnostics), refused plans (schema_migration_unsupported
# at NEW.pg, message = the first refused step's reason, `[CODE] ` prefixed
# when coded), invalid inputs (the diagnostics of `schema check`), identity
# and catalog errors found while planning, every fixture pair under
# schema/migrate/, and usage errors.
# shellcheck disable=SC2016 # backticks in expected messages are literal
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

MIGDIR="$CFS_FIXTURES/schema/migrate"
DIFF_USAGE='usage: clusterfs schema diff OLD.pg NEW.pg [--json]'
S=' is not supported in schema migration v1'

# ------------------------------------------------------------------ helpers

# jrun ARGS...: run_cfs ARGS (which include --json), check that stdout is one
# pretty JSON object ending in a newline, that stderr is empty, that the
# members come in order and ok follows the exit status; keep the flattened
# report in $T/.v/flat and its diagnostics in $T/.v/jdiags.
jrun() {
	run_cfs "$@"
	check_pretty_json "$T/.run/out"
	json_diag_lines "$T/.v/flat" >"$T/.v/jdiags"
	expect_stderr_empty
	local keys ok
	keys=$(json_keys "$T/.v/flat" "")
	[ "$keys" = "ok old new supported steps diagnostics" ]
	check $? "report members are [$keys]"
	ok=$(json_get ok)
	case "$RC:$ok" in
	0:true | 1:false) pass ;;
	*) fail "exit status $RC with \"ok\": $ok" ;;
	esac
	if grep -q '^ERROR ' "$T/.v/jdiags"; then [ "$ok" = false ]; else [ "$ok" = true ]; fi
	check $? "\"ok\": $ok does not follow the error diagnostics"
}

# json_compact FILE: the JSON text of FILE without the whitespace outside
# strings (string contents and escapes are kept byte for byte).
json_compact() {
	awk 'BEGIN { ORS = "" }
	{
		n = length($0)
		for (i = 1; i <= n; i++) {
			c = substr($0, i, 1)
			if (instr) {
				print c
				if (esc) esc = 0
				else if (c == "\\") esc = 1
				else if (c == "\"") instr = 0
			} else if (c == "\"") {
				instr = 1; print c
			} else if (c != " " && c != "\t" && c != "\r") {
				print c
			}
		}
	}
	END { print "\n" }' "$1"
}

# expect_plan_json OK OLD NEW PLANFILE: the last --json report, compacted, is
# {"ok":OK,"old":OLD,"new":NEW,<PLAN>,"diagnostics":...} where PLANFILE holds
# the compact {"supported":...,"steps":[...]} of the unit fixtures.
expect_plan_json() {
	local got plan want
	got=$(json_compact "$T/.run/out")
	plan=$(json_compact "$4")
	plan=${plan#\{}
	plan=${plan%\}}
	want="{\"ok\":$1,\"old\":\"$2\",\"new\":\"$3\",$plan,\"diagnostics\":"
	case $got in
	"$want"*) pass ;;
	*)
		fail "--json plan differs from ${4#"$CFS_FIXTURES"/}:"
		printf '    want: %s...\n    got:  %s\n' "$want" "$got"
		;;
	esac
}

# write_pg FILE LINE...: a schema file, one argument per line.
write_pg() {
	local f=$1
	shift
	write_file "$f" '%s\n' "$@"
}

# ------------------------------------------------------------------ schemas
write_pg old.pg \
	'node Person {' \
	'    name: String @key' \
	'}'
cp old.pg same.pg
write_pg shuffled.pg \
	'// the same schema, written differently' \
	'node Person { name: String @key }   /* one line */'
write_pg addnull.pg \
	'node Person {' \
	'    name: String @key' \
	'    age: I32?' \
	'}'
write_pg addreq.pg \
	'node Person {' \
	'    name: String @key' \
	'    age: I32' \
	'}'
write_pg retype.pg \
	'node Person {' \
	'    name: I32 @key' \
	'}'

# ------------------------------------------------------------------ no change
case_begin "identical files: human"
run_cfs schema diff old.pg same.pg
expect_exit 0
expect_stderr_empty
expect_out <<'EOF'
supported: yes
no schema changes
EOF

case_begin "identical files: --json"
jrun schema diff old.pg same.pg --json
expect_exit 0
expect_out <<'EOF'
{
  "ok": true,
  "old": "old.pg",
  "new": "same.pg",
  "supported": true,
  "steps": [],
  "diagnostics": []
}
EOF

case_begin "the same file twice"
run_cfs schema diff old.pg old.pg
expect_exit 0
expect_out <<'EOF'
supported: yes
no schema changes
EOF

case_begin "comments, layout and order are no change"
# schema-lang.md §9: schemas are compared through their canonical form.
run_cfs schema diff old.pg shuffled.pg
expect_exit 0
expect_out <<'EOF'
supported: yes
no schema changes
EOF

case_begin "a rename hint on an exact-name match is no change"
write_pg hint.pg \
	'node Person @rename_from("Human") {' \
	'    name: String @key' \
	'}'
run_cfs schema diff old.pg hint.pg
expect_exit 0
expect_out <<'EOF'
supported: yes
no schema changes
EOF

# ------------------------------------------------------------------ supported changes
case_begin "add a nullable property: human"
run_cfs schema diff old.pg addnull.pg
expect_exit 0
expect_stderr_empty
expect_out <<'EOF'
supported: yes
- add property 'Person.age' (I32?) on node 'Person'
EOF

case_begin "add a nullable property: --json"
jrun schema diff --json old.pg addnull.pg
expect_exit 0
expect_out <<'EOF'
{
  "ok": true,
  "old": "old.pg",
  "new": "addnull.pg",
  "supported": true,
  "steps": [
    {
      "kind": "add_property",
      "type_kind": "node",
      "type_name": "Person",
      "property_name": "age",
      "property_type": {
        "scalar": "I32",
        "nullable": true,
        "list": false,
        "enum_values": null
      }
    }
  ],
  "diagnostics": []
}
EOF

case_begin "every supported step kind, in planner order"
write_pg o-many.pg \
	'interface Named {' \
	'    name: String' \
	'}' \
	'node Person implements Named {' \
	'    status: enum(open, closed)' \
	'    nick: String?' \
	'    old_nick: String?' \
	'    age: I32?' \
	'    gone: String?' \
	'}' \
	'node Gone {' \
	'    x: String' \
	'}' \
	'node Old {' \
	'    y: String' \
	'}' \
	'edge Knows: Person -> Person'
write_pg n-many.pg \
	'interface Named {' \
	'    name: String' \
	'}' \
	'node Person @description("a human") implements Named {' \
	'    status: enum(open, closed, archived, draft)' \
	'    nick: String? @description("nickname", lang="en")' \
	'    new_nick: String? @rename_from("old_nick")' \
	'    age: I32? @index' \
	'    mood: enum(sad, happy)?' \
	'    tags: [String]?' \
	'}' \
	'node New @rename_from("Old") {' \
	'    y: String' \
	'}' \
	'node Fresh {' \
	'    z: String' \
	'}' \
	'edge Knows: Person -> Person' \
	'edge Likes: Person -> Person'
run_cfs schema diff o-many.pg n-many.pg
expect_exit 0
expect_stderr_empty
# §10: interfaces, nodes, edges; desired types by name, then unmatched
# accepted ones; per type: rename, metadata, properties by name (desired,
# then removed), constraints.  Preview wording as in §10.
expect_out <<'EOF'
supported: yes
- add node type 'Fresh'
- rename node type 'Old' -> 'New'
- update metadata on node 'Person' (@description("a human"))
- add constraint @index(age) on node 'Person'
- add property 'Person.mood' (Enum(happy|sad)?) on node 'Person'
- rename property 'Person.old_nick' -> 'Person.new_nick' on node 'Person'
- update metadata on property 'Person.nick' of node 'Person' (@description("nickname", lang="en"))
- extend enum 'Person.status' (+archived, +draft) on node 'Person'
- add property 'Person.tags' ([String]?) on node 'Person'
- drop property 'Person.gone' of node 'Person' (soft mode)
- drop node type 'Gone' (soft mode)
- add edge type 'Likes'
EOF
jrun schema diff o-many.pg n-many.pg --json
expect_exit 0
expect_json supported true
expect_json diagnostics '[]'
[ "$(json_count steps)" -eq 12 ]
check $? "$(json_count steps) steps, expected 12"
expect_json steps/0/kind add_type
expect_json steps/0/type_kind node
expect_json steps/0/name Fresh
expect_json steps/1/kind rename_type
expect_json steps/1/from Old
expect_json steps/1/to New
expect_json steps/2/kind update_type_metadata
expect_json steps/2/annotations/0/name description
expect_json steps/2/annotations/0/value "a human"
expect_json steps/3/kind add_constraint
expect_json steps/3/constraint/Index/0 age
expect_json steps/4/kind add_property
expect_json steps/4/property_type/scalar String
expect_json steps/4/property_type/nullable true
expect_json steps/4/property_type/enum_values/0 happy
expect_json steps/4/property_type/enum_values/1 sad
expect_json steps/5/kind rename_property
expect_json steps/5/from old_nick
expect_json steps/5/to new_nick
expect_json steps/6/kind update_property_metadata
expect_json steps/6/annotations/0/kwargs/lang en
expect_json steps/7/kind extend_enum
expect_json steps/7/added_values/0 archived
expect_json steps/7/added_values/1 draft
expect_json steps/8/property_type/list true
expect_json steps/9/kind drop_property
expect_json steps/9/property_name gone
expect_json steps/9/mode soft
expect_json steps/10/kind drop_type
expect_json steps/10/name Gone
expect_json steps/10/mode soft
expect_json steps/11/kind add_type
expect_json steps/11/type_kind edge
expect_json steps/11/name Likes

# ------------------------------------------------------------------ refused changes
case_begin "add a required property: OG-MF-103"
run_cfs schema diff old.pg addreq.pg
expect_exit 1
expect_stderr_empty
expect_out <<EOF
supported: no
- unsupported change on node:Person.age [OG-MF-103, validated]: adding required property 'Person.age' requires a backfill and$S
ERROR schema_migration_unsupported addreq.pg: [OG-MF-103] adding required property 'Person.age' requires a backfill and$S
EOF
jrun schema diff old.pg addreq.pg --json
expect_exit 1
expect_json supported false
expect_json steps/0/kind unsupported_change
expect_json steps/0/entity node:Person.age
expect_json steps/0/reason "adding required property 'Person.age' requires a backfill and$S"
expect_json steps/0/code OG-MF-103
expect_diags <<EOF
ERROR schema_migration_unsupported addreq.pg: [OG-MF-103] adding required property 'Person.age' requires a backfill and$S
EOF

case_begin "change a property type: OG-MF-106"
run_cfs schema diff old.pg retype.pg
expect_exit 1
expect_out <<EOF
supported: no
- unsupported change on node:Person.name [OG-MF-106, destructive]: changing property type for 'Person.name'$S
ERROR schema_migration_unsupported retype.pg: [OG-MF-106] changing property type for 'Person.name'$S
EOF
jrun schema diff old.pg retype.pg --json
expect_exit 1
expect_json supported false
expect_json steps/0/code OG-MF-106
expect_keys_0=$(json_keys "$T/.v/flat" steps/0)
[ "$expect_keys_0" = "kind entity reason code" ]
check $? "steps/0 members are [$expect_keys_0]"
expect_diags <<EOF
ERROR schema_migration_unsupported retype.pg: [OG-MF-106] changing property type for 'Person.name'$S
EOF

case_begin "nullability change: OG-MF-106"
write_pg o-null.pg 'node Person {' '    name: String @key' '    nick: String' '}'
write_pg n-null.pg 'node Person {' '    name: String @key' '    nick: String?' '}'
jrun schema diff o-null.pg n-null.pg --json
expect_exit 1
expect_diags <<EOF
ERROR schema_migration_unsupported n-null.pg: [OG-MF-106] changing property type for 'Person.nick'$S
EOF

case_begin "uncoded refusal: no bracket, no prefix"
write_pg o-card.pg 'node P {}' 'edge Knows: P -> P'
write_pg n-card.pg 'node P {}' 'edge Knows: P -> P @card(0..1)'
run_cfs schema diff o-card.pg n-card.pg
expect_exit 1
expect_out <<EOF
supported: no
- unsupported change on edge:Knows: changing cardinality on edge 'Knows'$S
ERROR schema_migration_unsupported n-card.pg: changing cardinality on edge 'Knows'$S
EOF
jrun schema diff o-card.pg n-card.pg --json
expect_exit 1
[ "$(json_keys "$T/.v/flat" steps/0)" = "kind entity reason" ]
check $? "steps/0 members are [$(json_keys "$T/.v/flat" steps/0)], expected no code"

case_begin "the first refused step names the diagnostic"
write_pg o-first.pg \
	'interface Gone {' \
	'    g: String' \
	'}' \
	'node Person {' \
	'    name: String @key' \
	'}'
run_cfs schema diff o-first.pg addreq.pg
expect_exit 1
expect_out <<EOF
supported: no
- unsupported change on interface:Gone: removing interface 'Gone'$S
- unsupported change on node:Person.age [OG-MF-103, validated]: adding required property 'Person.age' requires a backfill and$S
ERROR schema_migration_unsupported addreq.pg: removing interface 'Gone'$S
EOF
jrun schema diff o-first.pg addreq.pg --json
expect_exit 1
[ "$(json_count steps)" -eq 2 ]
check $? "$(json_count steps) steps, expected 2"
[ "$(json_count diagnostics)" -eq 1 ]
check $? "$(json_count diagnostics) diagnostics, expected 1 (one per plan)"

case_begin "a refused plan still lists its supported steps"
write_pg n-mixed.pg \
	'node Person {' \
	'    name: String @key' \
	'    age: I32' \
	'    nick: String?' \
	'}' \
	'node Extra {}'
run_cfs schema diff old.pg n-mixed.pg
expect_exit 1
expect_out <<EOF
supported: no
- add node type 'Extra'
- unsupported change on node:Person.age [OG-MF-103, validated]: adding required property 'Person.age' requires a backfill and$S
- add property 'Person.nick' (String?) on node 'Person'
ERROR schema_migration_unsupported n-mixed.pg: [OG-MF-103] adding required property 'Person.age' requires a backfill and$S
EOF

# ------------------------------------------------------------------ invalid inputs
write_pg syntax.pg 'node A {' '    a: String, b: I32' '}'
write_pg semantic.pg 'node A {}' 'edge E: A -> A @card(3..1)'
write_pg catalog.pg 'node A {}' 'edge E: A -> Y'
SEM_MSG='parse error: parse error: cardinality min (3) exceeds max (1)'
CAT_MSG='catalog error: edge E references unknown target type: Y'

case_begin "OLD has a syntax error: human"
run_cfs schema diff syntax.pg old.pg
expect_exit 1
expect_stderr_empty
expect_line 1 "schema diff failed"
sed -n 2p "$T/.run/out" | grep -qE '^ERROR schema_parse_error syntax\.pg:2:14: parse error:  --> 2:14([^0-9]|$)'
check $? "stdout line 2 is not the schema_parse_error at syntax.pg:2:14"

case_begin "OLD has a syntax error: --json"
jrun schema diff syntax.pg old.pg --json
expect_exit 1
expect_json ok false
expect_json old syntax.pg
expect_json new old.pg
expect_json supported null
expect_json steps '[]'
[ "$(json_count diagnostics)" -eq 1 ]
check $? "$(json_count diagnostics) diagnostics, expected 1"
expect_json diagnostics/0/code schema_parse_error
expect_json diagnostics/0/path syntax.pg:2:14
expect_diag_re '^ERROR schema_parse_error syntax\.pg:2:14: parse error:  --> 2:14([^0-9]|$)'

case_begin "NEW has a syntax error"
jrun schema diff old.pg syntax.pg --json
expect_exit 1
expect_json supported null
expect_json diagnostics/0/path syntax.pg:2:14

case_begin "NEW has a semantic error"
run_cfs schema diff old.pg semantic.pg
expect_exit 1
expect_out <<EOF
schema diff failed
ERROR schema_parse_error semantic.pg: $SEM_MSG
EOF
jrun schema diff old.pg semantic.pg --json
expect_exit 1
expect_json supported null
expect_json steps '[]'
expect_diags <<EOF
ERROR schema_parse_error semantic.pg: $SEM_MSG
EOF

case_begin "OLD has a catalog error"
run_cfs schema diff catalog.pg old.pg
expect_exit 1
expect_out <<EOF
schema diff failed
ERROR schema_catalog_error catalog.pg: $CAT_MSG
EOF

case_begin "NEW has a catalog error"
jrun schema diff --json old.pg catalog.pg
expect_exit 1
expect_json supported null
expect_diags <<EOF
ERROR schema_catalog_error catalog.pg: $CAT_MSG
EOF

case_begin "both invalid: OLD's diagnostic first"
jrun schema diff semantic.pg catalog.pg --json
expect_exit 1
expect_diags <<EOF
ERROR schema_parse_error semantic.pg: $SEM_MSG
ERROR schema_catalog_error catalog.pg: $CAT_MSG
EOF

case_begin "OLD is missing"
run_cfs schema diff nope.pg old.pg
expect_exit 1
expect_out <<EOF
schema diff failed
ERROR schema_file_missing nope.pg: could not read schema file 'nope.pg': $ENOENT
EOF
jrun schema diff nope.pg old.pg --json
expect_json supported null
expect_json steps '[]'

case_begin "both are missing"
jrun schema diff nope.pg gone.pg --json
expect_exit 1
expect_diags <<EOF
ERROR schema_file_missing nope.pg: could not read schema file 'nope.pg': $ENOENT
ERROR schema_file_missing gone.pg: could not read schema file 'gone.pg': $ENOENT
EOF

case_begin "NEW is not UTF-8"
write_file latin1.pg 'node Person {\n    name: String @key @description("caf\351")\n}\n'
jrun schema diff old.pg latin1.pg --json
expect_exit 1
expect_json supported null
expect_diags <<'EOF'
ERROR schema_file_missing latin1.pg: could not read schema file 'latin1.pg': stream did not contain valid UTF-8
EOF

case_begin "file names that are not UTF-8"
# As in validate (t0004) and schema check (t0008): shown with U+FFFD rather
# than dropping the members from the --json report.
FFFD=$(printf '\357\277\275')
cp old.pg "$(printf 'o\377').pg"
cp addnull.pg "$(printf 'n\377').pg"
jrun schema diff --json "$(printf 'o\377').pg" "$(printf 'n\377').pg"
expect_exit 0
expect_json old "o${FFFD}.pg"
expect_json new "n${FFFD}.pg"
expect_json supported true
expect_json steps/0/kind add_property

# ------------------------------------------------------------------ planning errors
case_begin "identity error: @rename_from names a missing type"
write_pg ident.pg \
	'node Human @rename_from("Nobody") {' \
	'    name: String @key' \
	'}'
run_cfs schema diff old.pg ident.pg
expect_exit 1
expect_stderr_empty
expect_out <<'EOF'
schema diff failed
ERROR schema_identity_error ident.pg: schema identity resolution failed: node 'Human' declares @rename_from("Nobody") but no accepted declaration has that name
EOF
jrun schema diff old.pg ident.pg --json
expect_exit 1
expect_json supported null
expect_json steps '[]'
expect_diags <<'EOF'
ERROR schema_identity_error ident.pg: schema identity resolution failed: node 'Human' declares @rename_from("Nobody") but no accepted declaration has that name
EOF

case_begin "identity error: rename across declaration kinds"
write_pg k-old.pg 'node Person {' '    name: String @key' '}' 'node P2 {' '    a: String' '}'
write_pg k-new.pg 'node Person {' '    name: String @key' '}' 'node P2 {' '    a: String' '}' \
	'edge F: Person -> Person @rename_from("P2")'
jrun schema diff k-old.pg k-new.pg --json
expect_exit 1
expect_diags <<'EOF'
ERROR schema_identity_error k-new.pg: schema identity resolution failed: edge 'F' cannot rename accepted 'P2' across declaration kinds
EOF

case_begin "identity error: property @rename_from names a missing property"
write_pg p-new.pg 'node Person {' '    name: String @key' '    nick: String? @rename_from("nickname")' '}'
jrun schema diff old.pg p-new.pg --json
expect_exit 1
expect_diags <<'EOF'
ERROR schema_identity_error p-new.pg: schema identity resolution failed: property 'Person.nick' declares @rename_from("nickname"): no accepted property with that name exists under the stable owner
EOF

case_begin "catalog error found while planning"
# Valid for `schema check`, but the canonical form refuses it (§9).
write_pg incompat.pg \
	'interface A {' '    name: String @description("x")' '}' \
	'interface B {' '    name: String @description("y")' '}' \
	'node N implements A, B {' '}'
run_cfs schema check incompat.pg
expect_exit 0
jrun schema diff old.pg incompat.pg --json
expect_exit 1
expect_json supported null
expect_json steps '[]'
expect_diags <<'EOF'
ERROR schema_catalog_error incompat.pg: catalog error: interfaces contributing 'N.name' have incompatible property semantics
EOF

# ------------------------------------------------------------------ fixtures
# Every pair under schema/migrate/<case>/ (old.pg, new.pg, and expect.json +
# expect.txt, or expect.err) gives the same plan through the CLI: the human
# preview is expect.txt (plus the refusal diagnostic when unsupported), the
# --json supported/steps are expect.json, and a planning error is reported
# with the text of expect.err.
n_mig=0
for dir in "$MIGDIR"/*/; do
	dir=${dir%/}
	if [ ! -f "$dir/old.pg" ] || [ ! -f "$dir/new.pg" ]; then continue; fi
	name=$(basename "$dir")
	n_mig=$((n_mig + 1))
	case_begin "migrate fixture $name"
	mkdir -p "m/$name"
	cp "$dir/old.pg" "$dir/new.pg" "m/$name/"
	if [ -f "$dir/expect.err" ]; then
		want=$(cat "$dir/expect.err")
		case $want in
		"schema identity"*) code=schema_identity_error ;;
		*) code=schema_catalog_error ;;
		esac
		run_cfs_in "m/$name" schema diff old.pg new.pg
		expect_exit 1
		printf 'schema diff failed\nERROR %s new.pg: %s\n' "$code" "$want" | cmp -s - "$T/.run/out"
		check $? "stdout is not 'schema diff failed' + 'ERROR $code new.pg: $want'"
		cd "m/$name" || exit 1
		jrun schema diff old.pg new.pg --json
		cd "$T" || exit 1
		expect_exit 1
		expect_json supported null
		expect_json steps '[]'
		expect_json diagnostics/0/code "$code"
		expect_json diagnostics/0/path new.pg
		expect_json diagnostics/0/message "$want"
	elif [ -f "$dir/expect.json" ] && [ -f "$dir/expect.txt" ]; then
		# The diagnostic of a refused plan: the first refused step's reason,
		# "[CODE] " prefixed when coded (read off the preview line).
		refusal=$(sed -n '/^- unsupported change on /{
			s/^- unsupported change on [^ ]* \[\([^],]*\), [a-z]*\]: /[\1] /p
			t
			s/^- unsupported change on [^ ]*: //p
		}' "$dir/expect.txt" | head -1)
		run_cfs_in "m/$name" schema diff old.pg new.pg
		{
			cat "$dir/expect.txt"
			[ -z "$refusal" ] || printf 'ERROR schema_migration_unsupported new.pg: %s\n' "$refusal"
		} >"$T/.v/want"
		if cmp -s "$T/.v/want" "$T/.run/out"; then
			pass
		else
			fail "preview differs (- expected, + actual):"
			diff -u "$T/.v/want" "$T/.run/out" | sed -n '3,$s/^/    /p'
		fi
		if [ -z "$refusal" ]; then expect_exit 0; else expect_exit 1; fi
		cd "m/$name" || exit 1
		jrun schema diff old.pg new.pg --json
		cd "$T" || exit 1
		if [ -z "$refusal" ]; then
			expect_exit 0
			expect_plan_json true old.pg new.pg "$dir/expect.json"
			expect_json diagnostics '[]'
		else
			expect_exit 1
			expect_plan_json false old.pg new.pg "$dir/expect.json"
			expect_diags <<EOF
ERROR schema_migration_unsupported new.pg: $refusal
EOF
		fi
	else
		fail "$dir has neither expect.err nor expect.json + expect.txt"
	fi
done
case_begin "migrate fixtures"
[ "$n_mig" -gt 0 ] || echo "note: no fixture pairs under $MIGDIR; only the inline cases ran"
pass

# ------------------------------------------------------------------ usage
case_begin "schema diff without arguments"
run_cfs schema diff
expect_usage_error "$DIFF_USAGE"
expect_stderr_contains "missing argument 'OLD.pg'"

case_begin "schema diff with one file"
run_cfs schema diff old.pg
expect_usage_error "$DIFF_USAGE"
expect_stderr_contains "missing argument 'NEW.pg'"

case_begin "schema diff with one file and --json"
run_cfs schema diff old.pg --json
expect_usage_error "$DIFF_USAGE"

case_begin "schema diff with three files"
run_cfs schema diff old.pg same.pg addnull.pg
expect_usage_error "$DIFF_USAGE"
expect_stderr_contains "unexpected argument 'addnull.pg'"

case_begin "schema diff with an unknown flag"
run_cfs schema diff old.pg same.pg --bogus
expect_usage_error "$DIFF_USAGE"
expect_stderr_contains "unknown option '--bogus'"

case_begin "schema diff refuses --as"
run_cfs schema diff old.pg same.pg --as alice
expect_exit 1
expect_stdout_empty
expect_stderr_lines 1
expect_stderr_contains "--as"

case_begin "schema diff --help"
run_cfs schema diff --help
expect_exit 0
expect_stderr_empty
expect_line 1 "$DIFF_USAGE"
expect_stdout_contains --json

case_begin "schema --help mentions diff"
run_cfs schema --help
expect_exit 0
expect_stdout_contains "clusterfs schema diff OLD.pg NEW.pg [--json]"

finish
