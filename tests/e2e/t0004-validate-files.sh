#!/usr/bin/env bash
# Files the config names (cluster.md §2.2, §4.1 steps 1, 2, 7, 8): the config
# folder and cluster.yaml, schema files, query discovery in its three forms
# (missing files, empty folders, duplicate names, key mismatch, parse
# errors), policy files, and errors in several steps at once.
# shellcheck disable=SC2016 # backticks in expected messages are literal
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

DIR_MSG='`--config` must point at a directory containing cluster.yaml'

# ------------------------------------------------------------------ config folder
case_begin "--config names a missing folder"
validate --config nowhere
expect_exit 1
expect_human <<EOF
cluster config invalid
ERROR config_dir_not_found nowhere: $DIR_MSG
EOF
expect_json_text <<EOF
{
  "ok": false,
  "config_dir": "nowhere",
  "config_file": "nowhere/cluster.yaml",
  "resource_digests": {},
  "resources": [],
  "dependencies": [],
  "diagnostics": [
    {
      "code": "config_dir_not_found",
      "severity": "error",
      "path": "nowhere",
      "message": "$DIR_MSG"
    }
  ]
}
EOF

case_begin "--config names a missing absolute path"
validate --config "$T/no/such/dir"
expect_exit 1
expect_diags <<EOF
ERROR config_dir_not_found $T/no/such/dir: $DIR_MSG
EOF
expect_json config_dir "$T/no/such/dir"

case_begin "--config names a file"
stage good
validate --config good/cluster.yaml
expect_exit 1
expect_diags <<EOF
ERROR config_dir_not_found good/cluster.yaml: $DIR_MSG
EOF

case_begin "folder without cluster.yaml"
stage no-cluster-yaml
validate --config no-cluster-yaml
expect_exit 1
expect_diags <<EOF
ERROR cluster_config_read_error cluster.yaml: could not read cluster.yaml: $ENOENT
EOF
expect_json config_file no-cluster-yaml/cluster.yaml
expect_json resource_digests '{}'
expect_json resources '[]'
expect_json dependencies '[]'

case_begin "folder without cluster.yaml, default --config"
validate_in no-cluster-yaml
expect_exit 1
expect_diags <<EOF
ERROR cluster_config_read_error cluster.yaml: could not read cluster.yaml: $ENOENT
EOF
expect_json config_dir .
expect_json config_file ./cluster.yaml

case_begin "cluster.yaml is a folder"
stage cluster-yaml-dir
validate --config cluster-yaml-dir
expect_exit 1
expect_diag_count 1
expect_diag_prefix 'ERROR cluster_config_read_error cluster.yaml: could not read cluster.yaml: '

# ------------------------------------------------------------------ schema
case_begin "missing schema file"
stage missing-schema-file
validate --config missing-schema-file
expect_exit 1
expect_diags <<EOF
ERROR schema_file_missing graphs.knowledge.schema: could not read schema file 'missing-schema-file/missing.pg': $ENOENT
EOF
expect_no_resource schema.knowledge
# The graph composite is still computed, with an empty schema digest
# (cluster.md §5.6 B, "nothing").
expect_resource graph.knowledge graph af305c236e92b5c7004823bd7fd40dcec6a7c56bb6c0697a45e12a840139bd4c -

case_begin "schema path is a folder"
stage schema-is-dir
validate --config schema-is-dir
expect_exit 1
expect_diag_count 1
expect_diag_prefix "ERROR schema_file_missing graphs.knowledge.schema: could not read schema file 'schema-is-dir/adir': "
expect_no_resource schema.knowledge

if [ "$(id -u)" -ne 0 ]; then
	case_begin "unreadable schema file"
	stage good unreadable
	chmod 000 unreadable/people.pg
	validate --config unreadable
	expect_exit 1
	expect_diag "ERROR schema_file_missing graphs.knowledge.schema: could not read schema file 'unreadable/people.pg': Permission denied"
	chmod 644 unreadable/people.pg

	case_begin "unlistable query folder"
	chmod 000 unreadable/queries
	validate --config unreadable
	expect_exit 1
	expect_diag_prefix 'ERROR query_dir_unreadable graphs.knowledge.queries: '
	chmod 755 unreadable/queries
fi

# ------------------------------------------------------------------ queries
case_begin "list form names a missing file"
stage query-list-missing
validate --config query-list-missing
expect_exit 1
expect_diags <<EOF
ERROR query_file_missing graphs.knowledge.queries: could not read query file 'query-list-missing/missing.gq': $ENOENT
EOF
# Discovery goes path by path: the readable entry still registered.
expect_resource query.knowledge.find_person query "$QUERY_A_DIGEST" query-list-missing/queries/people.gq

case_begin "single-path form names a missing file"
stage query-single-missing
validate --config query-single-missing
expect_exit 1
expect_diags <<EOF
ERROR query_file_missing graphs.knowledge.queries: could not read query file 'query-single-missing/nothing-here.gq': $ENOENT
EOF

case_begin "explicit form names a missing file"
stage query-explicit-missing
validate --config query-explicit-missing
expect_exit 1
expect_diags <<EOF
ERROR query_file_missing graphs.knowledge.queries.find_person.file: could not read query file 'query-explicit-missing/gone.gq': $ENOENT
EOF
expect_no_resource query.knowledge.find_person

case_begin "query folder without .gq files"
stage query-dir-empty
validate --config query-dir-empty
expect_exit 0
expect_diags <<EOF
WARN  query_dir_empty graphs.knowledge.queries: query directory 'query-dir-empty/queries/' contains no .gq files
WARN  external_blob_ingress_default_deny graphs.knowledge.external_blobs: $DENY_MSG
EOF
expect_resources graph.knowledge schema.knowledge

case_begin "same query name in two files"
stage query-dup-two-files
validate --config query-dup-two-files
expect_exit 1
expect_diags <<'EOF'
ERROR duplicate_query_name graphs.knowledge.queries.shared: query 'shared' is declared in both 'queries/a.gq' and 'queries/b.gq'
EOF
# The first declaration wins.
expect_resource query.knowledge.shared query "$(sha256_file query-dup-two-files/queries/a.gq)" query-dup-two-files/queries/a.gq
expect_resource query.knowledge.only_b query "$(sha256_file query-dup-two-files/queries/b.gq)" query-dup-two-files/queries/b.gq

case_begin "same query name twice in one file"
stage query-dup-same-file
validate --config query-dup-same-file
expect_exit 1
expect_diags <<'EOF'
ERROR duplicate_query_name graphs.knowledge.queries.twice: query 'twice' is declared in both 'twice.gq' and 'twice.gq'
EOF
expect_resource query.knowledge.twice query "$(sha256_file query-dup-same-file/twice.gq)" query-dup-same-file/twice.gq

case_begin "explicit name not declared in its file"
stage query-key-mismatch
validate --config query-key-mismatch
expect_exit 1
expect_diags <<'EOF'
ERROR query_key_mismatch graphs.knowledge.queries.wanted: no `query wanted` declaration found in the referenced .gq file
EOF
expect_no_resource query.knowledge.something_else

# parse_error CASE FILE: FILE (declared path) fails to parse; nothing in it
# registers.
parse_error() {
	case_begin "$1"
	stage "$1"
	validate --config "$1"
	expect_exit 1
	expect_diag_count 1
	expect_diag_prefix "ERROR query_parse_error graphs.knowledge.queries: '$1/$2' does not parse: "
	expect_resources graph.knowledge schema.knowledge
}
parse_error query-parse-string queries/broken.gq
parse_error query-parse-comment broken.gq
parse_error query-parse-braces broken.gq
parse_error query-parse-noname broken.gq

# ------------------------------------------------------------------ policies
case_begin "missing policy file"
stage policy-file-missing
validate --config policy-file-missing
expect_exit 1
expect_diags <<EOF
ERROR policy_file_missing policies.base.file: could not read policy file 'policy-file-missing/nope.policy.yaml': $ENOENT
EOF
expect_no_resource policy.base

# ------------------------------------------------------------------ several steps
case_begin "errors from several steps, in step order"
stage several-errors
validate --config several-errors
expect_exit 1
expect_diags <<EOF
ERROR schema_file_missing graphs.alpha.schema: could not read schema file 'several-errors/missing.pg': $ENOENT
ERROR query_file_missing graphs.beta.queries: could not read query file 'several-errors/missing.gq': $ENOENT
ERROR policy_file_missing policies.base.file: could not read policy file 'several-errors/missing.policy.yaml': $ENOENT
EOF
expect_resource schema.beta schema "$SCHEMA_A_DIGEST" several-errors/people.pg

# ------------------------------------------------------------------ bytes that are not UTF-8
# A file name (or --config) may hold any bytes; the report shows them as
# U+FFFD, as the reference's lossy path display does, instead of losing the
# member from the --json output.
FFFD=$(printf '\357\277\275')

case_begin "--config that is not UTF-8"
validate --config "$(printf 'no\377where')"
expect_exit 1
expect_json config_dir "no${FFFD}where"
expect_json config_file "no${FFFD}where/cluster.yaml"
expect_diags <<EOF
ERROR config_dir_not_found no${FFFD}where: $DIR_MSG
EOF

case_begin "discovered query file name that is not UTF-8"
stage query-dup-two-files non-utf8
mv non-utf8/queries/b.gq "non-utf8/queries/$(printf 'b\377').gq"
validate --config non-utf8
expect_exit 1
expect_diags <<EOF
ERROR duplicate_query_name graphs.knowledge.queries.shared: query 'shared' is declared in both 'queries/a.gq' and 'queries/b${FFFD}.gq'
EOF
expect_resource query.knowledge.only_b query "$(sha256_file "non-utf8/queries/$(printf 'b\377').gq")" "non-utf8/queries/b${FFFD}.gq"

finish
