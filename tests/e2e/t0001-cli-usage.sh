#!/usr/bin/env bash
# Command-line surface of `clusterfs validate` (cluster.md §1): help,
# version, usage errors (exit 2), the refused --as (exit 1), the --config
# spellings and default, and the shape of --json output.
# shellcheck disable=SC2016 # backticks in expected messages are literal
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

mkdir empty

case_begin "no arguments"
run_cfs
expect_exit 2
expect_stdout_empty
expect_stderr_nonempty
expect_stderr_icontains usage

case_begin "--help"
run_cfs --help
expect_exit 0
expect_stderr_empty
expect_stdout_icontains usage
expect_stdout_contains validate

case_begin "validate --help"
run_cfs_in empty validate --help
expect_exit 0
expect_stderr_empty
expect_stdout_nonempty
expect_stdout_contains validate
expect_stdout_contains --config
expect_stdout_contains --json

case_begin "--version"
version=$(sed -n 's/^project(clusterfs VERSION \([0-9][0-9.]*\).*/\1/p' "${CFS_SRC:-/nonexistent}/CMakeLists.txt" 2>/dev/null)
run_cfs --version
expect_exit 0
expect_stderr_empty
if [ -n "$version" ]; then
	expect_stdout_equals "clusterfs $version"
else
	grep -qxE 'clusterfs [0-9]+\.[0-9]+\.[0-9]+[^ ]*' "$T/.run/out"
	check $? "stdout is not 'clusterfs <version>'"
fi

case_begin "unknown subcommand"
run_cfs frobnicate
expect_exit 2
expect_stdout_empty
expect_stderr_nonempty

case_begin "unknown flag"
stage good
run_cfs validate --config good --bogus
expect_exit 2
expect_stdout_empty
expect_stderr_nonempty

case_begin "unknown flag with --json"
run_cfs validate --json --frobnicate --config good
expect_exit 2
expect_stdout_empty
expect_stderr_nonempty

case_begin "missing --config argument"
run_cfs validate --config
expect_exit 2
expect_stdout_empty
expect_stderr_nonempty

case_begin "extra positional argument"
run_cfs validate --config good extra
expect_exit 2
expect_stdout_empty
expect_stderr_nonempty

case_begin "extra positional argument before flags"
run_cfs validate good --json
expect_exit 2
expect_stdout_empty
expect_stderr_nonempty

case_begin "--as is refused by validate"
run_cfs validate --config good --as alice
expect_exit 1
expect_stdout_empty
expect_stderr_lines 1

case_begin "--as is refused before anything runs"
run_cfs validate --json --as alice --config does-not-exist
expect_exit 1
expect_stdout_empty
expect_stderr_lines 1

case_begin "a usage error wins over the --as refusal"
run_cfs validate --as alice --bogus
expect_exit 2
expect_stdout_empty

case_begin "--help wins over the --as refusal"
run_cfs validate --as alice --help
expect_exit 0
expect_stdout_contains "usage: clusterfs validate"

case_begin "a report that cannot be written fails"
if [ -w /dev/full ]; then
	"$CLUSTERFS" validate --config good >/dev/full 2>"$T/full.err"
	rc=$?
	[ "$rc" -eq 1 ]
	check $? "exit 1 when stdout is full (got $rc)"
	grep -q "could not write output" "$T/full.err"
	check $? "stderr names the write error"
fi

case_begin "--config=DIR"
validate --config=good
expect_exit 0
expect_json config_dir good
expect_json config_file good/cluster.yaml
cp "$T/.v/json" "$T/eq.json"
cp "$T/.v/human" "$T/eq.txt"
validate --config good
cmp -s "$T/eq.json" "$T/.v/json"
check $? "--config=good and --config good give different --json output"
cmp -s "$T/eq.txt" "$T/.v/human"
check $? "--config=good and --config good give different human output"

case_begin "--json before --config"
run_cfs validate --json --config good
expect_exit 0
expect_stderr_empty
cmp -s "$T/eq.json" "$T/.run/out"
check $? "--json --config good differs from --config good --json"

case_begin "--config defaults to ."
validate_in good
expect_exit 0
expect_json config_dir .
expect_json config_file ./cluster.yaml
expect_resource schema.knowledge schema "$SCHEMA_A_DIGEST" ./people.pg

case_begin "--json shape on success"
run_cfs validate --config good --json
expect_exit 0
expect_stderr_empty
[ "$(sed -n 1p "$T/.run/out")" = "{" ]
check $? "first line is not {"
[ "$(sed -n 2p "$T/.run/out")" = '  "ok": true,' ]
check $? "second line is not '  \"ok\": true,'"
[ "$(tail -n 1 "$T/.run/out")" = "}" ]
check $? "last line is not }"

case_begin "--json shape on failure"
stage missing-schema-file
run_cfs validate --config missing-schema-file --json
expect_exit 1
expect_stderr_empty
[ "$(sed -n 1p "$T/.run/out")" = "{" ]
check $? "first line is not {"
[ "$(sed -n 2p "$T/.run/out")" = '  "ok": false,' ]
check $? "second line is not '  \"ok\": false,'"
expect_stdout_contains '      "code": "schema_file_missing",'
expect_stdout_contains '      "severity": "error",'
expect_stdout_contains '      "path": "graphs.knowledge.schema",'

case_begin "human output on failure"
run_cfs validate --config missing-schema-file
expect_exit 1
expect_stderr_empty
[ "$(sed -n 1p "$T/.run/out")" = "cluster config invalid" ]
check $? "first line is not 'cluster config invalid'"
grep -q '^ERROR schema_file_missing graphs\.knowledge\.schema: ' "$T/.run/out"
check $? "no 'ERROR schema_file_missing graphs.knowledge.schema: ' line"

case_begin "output is deterministic"
validate --config good
cp "$T/.v/json" "$T/again.json"
validate --config good
cmp -s "$T/again.json" "$T/.v/json"
check $? "two runs gave different --json output"

finish
