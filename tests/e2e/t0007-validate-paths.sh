#!/usr/bin/env bash
# Paths inside cluster.yaml (cluster.md §2.6 and the clusterfs extension
# `config_path_escape`): reported paths are the config folder joined with the
# declared string, never normalized; a schema, query or policy path that
# leaves the config folder (absolute, `..`, or a symlink resolving outside)
# is refused at the field's path and the file is not read.
# shellcheck disable=SC2016 # backticks in expected messages are literal
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

SCHEMA_A='node Person {\n  name: String @key\n}\n'
QUERY_A='query find_person($name: String) {\n  match { $p: Person { name: $name } }\n  return { $p.name }\n}\n'

# escape_prefix FIELD-PATH DECLARED: start of a config_path_escape line.
escape_prefix() {
	printf "ERROR config_path_escape %s: path '%s' escapes the config directory: " "$1" "$2"
}

# Valid files just outside the config folders: a loader that follows the
# paths would read them successfully, so only the escape check can fail.
write_file outside.pg "$SCHEMA_A"
write_file outside.gq "$QUERY_A"
write_file outside-queries/people.gq "$QUERY_A"
write_file outside.policy.yaml 'version: 1\nrules: []\n'
write_file outside/people.pg "$SCHEMA_A"
write_file outside/evil.gq 'query evil() {\n  match { $p: Person }\n  return { $p.name }\n}\n'
write_file outside/qdir/stolen.gq 'query stolen() {\n  match { $p: Person }\n  return { $p.name }\n}\n'
write_file outside/base.policy.yaml 'version: 1\nrules: []\n'

# ------------------------------------------------------------------ schema
case_begin "schema paths leaving the folder"
stage path-escape-schema
validate --config path-escape-schema
expect_exit 1
expect_diag_count 3
expect_diag_prefix_order \
	"$(escape_prefix graphs.a.schema ../outside.pg)" \
	"$(escape_prefix graphs.b.schema /etc/hostname)" \
	"$(escape_prefix graphs.c.schema sub/../../outside.pg)"
expect_no_resource schema.a
expect_no_resource schema.b
expect_no_resource schema.c
expect_no_diag_code schema_file_missing

# ------------------------------------------------------------------ queries
case_begin "query paths leaving the folder"
stage path-escape-queries
validate --config path-escape-queries
expect_exit 1
expect_diag_count 3
expect_diag_prefix_order \
	"$(escape_prefix graphs.a.queries ../outside-queries/)" \
	"$(escape_prefix graphs.b.queries ../outside.gq)"
# Explicit form: the field is the entry's `file`; the queries path is also
# accepted.
expect_diag_re "^ERROR config_path_escape graphs\.c\.queries(\.find_person\.file)?: path '\.\./outside\.gq' escapes the config directory: "
# The other entry of b's list still registered; nothing outside was read.
expect_resources graph.a graph.b graph.c query.b.find_person schema.a schema.b schema.c
expect_resource query.b.find_person query "$QUERY_A_DIGEST" path-escape-queries/queries/people.gq

# ------------------------------------------------------------------ policies
case_begin "policy path leaving the folder"
stage path-escape-policy
validate --config path-escape-policy
expect_exit 1
expect_diag_count 1
expect_diag_prefix "$(escape_prefix policies.base.file ../outside.policy.yaml)"
expect_no_resource policy.base

# ------------------------------------------------------------------ symlinks
case_begin "symlinks resolving outside the folder"
stage path-symlinks
ln -s "$T/outside/people.pg" path-symlinks/linked.pg
ln -s ../../outside/evil.gq path-symlinks/queries/evil.gq
ln -s ../outside/qdir path-symlinks/linkdir
ln -s ../outside/base.policy.yaml path-symlinks/linked.policy.yaml
validate --config path-symlinks
expect_exit 1
expect_diag_count 4
expect_diag_prefix_order \
	"$(escape_prefix graphs.knowledge.schema linked.pg)" \
	"$(escape_prefix graphs.other.queries queries/evil.gq)" \
	"$(escape_prefix policies.base.file linked.policy.yaml)"
# A symlinked query folder may be refused as the folder or per file.
expect_diag_re "^ERROR config_path_escape graphs\.other\.queries: path 'linkdir/(stolen\.gq)?' escapes the config directory: "
expect_resources graph.knowledge graph.other query.other.find_person schema.other
expect_resource query.other.find_person query "$QUERY_A_DIGEST" path-symlinks/queries/people.gq

# ------------------------------------------------------------------ staying inside
case_begin "paths inside the folder are joined, not normalized"
stage path-ok
ln -s people.pg path-ok/alias.pg
validate --config path-ok
expect_exit 0
q_list=$(sha256_file path-ok/single.gq)
expect_resources graph.knowledge graph.other policy.base query.knowledge.find_person \
	query.knowledge.list_people schema.knowledge schema.other
expect_resource schema.knowledge schema "$SCHEMA_A_DIGEST" path-ok/./people.pg
expect_resource schema.other schema "$SCHEMA_A_DIGEST" path-ok/alias.pg
expect_resource query.knowledge.find_person query "$QUERY_A_DIGEST" path-ok/sub/../queries/people.gq
expect_resource query.knowledge.list_people query "$q_list" path-ok/./single.gq
expect_resource policy.base policy "$POLICY_A_DIGEST" path-ok/sub/../base.policy.yaml
expect_diags <<EOF
WARN  external_blob_ingress_default_deny graphs.knowledge.external_blobs: $DENY_MSG
WARN  external_blob_ingress_default_deny graphs.other.external_blobs: $DENY_MSG
EOF

case_begin "config folder reached through a symlink"
ln -s path-ok linked-config
validate --config linked-config
expect_exit 0
expect_json config_dir linked-config
expect_resource schema.knowledge schema "$SCHEMA_A_DIGEST" linked-config/./people.pg
expect_diag_count 2

case_begin "config folder given as ."
validate_in path-ok --config .
expect_exit 0
expect_resource schema.knowledge schema "$SCHEMA_A_DIGEST" ././people.pg
expect_resource query.knowledge.find_person query "$QUERY_A_DIGEST" ./sub/../queries/people.gq

case_begin "config folder given with .."
mkdir -p side
validate_in side --config ../path-ok
expect_exit 0
expect_json config_file ../path-ok/cluster.yaml
expect_resource policy.base policy "$POLICY_A_DIGEST" ../path-ok/sub/../base.policy.yaml

finish
