#!/usr/bin/env bash
# cluster.yaml itself (cluster.md §2.1, §2.7, §4.1 steps 3-5, §4.2): syntax,
# closed mappings, types, required keys, header checks, the duplicate-key
# pre-scan, reserved and removed keys, identifier rules.
# shellcheck disable=SC2016 # backticks in expected messages are literal
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

YAML_ERR='ERROR invalid_cluster_yaml cluster.yaml: could not parse cluster.yaml: '

# yaml_error CASE [KEY]: the case fails decoding with exactly one diagnostic;
# with KEY, the message names it as an unknown field.
yaml_error() {
	case_begin "$1"
	stage "$1"
	validate --config "$1"
	expect_exit 1
	expect_diag_count 1
	expect_diag_prefix "$YAML_ERR"
	if [ $# -gt 1 ]; then
		expect_diag_contains "$YAML_ERR" "unknown field \`$2\`"
	fi
	expect_json resource_digests '{}'
	expect_json resources '[]'
	expect_json dependencies '[]'
}

# only_diag CASE LINE: the case fails with exactly this one diagnostic.
only_diag() {
	case_begin "$1"
	stage "$1"
	validate --config "$1"
	expect_exit 1
	expect_diags <<<"$2"
}

# ------------------------------------------------------------------ syntax
yaml_error yaml-malformed
yaml_error yaml-tab
yaml_error yaml-scalar
yaml_error yaml-list
yaml_error yaml-empty

# ------------------------------------------------------------------ closed mappings
yaml_error unknown-top bogus
yaml_error unknown-graph-field foo
yaml_error unknown-policy-field bar
yaml_error unknown-state-field x
yaml_error unknown-metadata-field owner
yaml_error unknown-provider-field color
yaml_error unknown-providers-section chat
yaml_error unknown-blob-field region
yaml_error unknown-external-blobs-field deny
yaml_error unknown-query-entry-field expose

# ------------------------------------------------------------------ types
yaml_error type-version-string
yaml_error type-version-list
yaml_error type-version-negative
yaml_error type-version-float
yaml_error type-lock-maybe
yaml_error type-lock-yes
yaml_error type-graphs-list
yaml_error type-graph-scalar
yaml_error type-queries-number
yaml_error type-applies-to-string
yaml_error type-metadata-scalar
yaml_error type-allow-mapping
yaml_error type-scope-invalid
yaml_error type-provider-scalar

# ------------------------------------------------------------------ required
yaml_error missing-version
yaml_error missing-schema
yaml_error null-schema
yaml_error missing-policy-file
yaml_error missing-applies-to
yaml_error missing-blob-base

# ------------------------------------------------------------------ header
only_diag version-2 \
	'ERROR unsupported_cluster_config_version version: unsupported cluster config version 2; this build supports version 1'
only_diag version-0 \
	'ERROR unsupported_cluster_config_version version: unsupported cluster config version 0; this build supports version 1'
only_diag metadata-blank \
	'ERROR empty_metadata_name metadata.name: metadata.name must not be empty when provided'
only_diag metadata-empty \
	'ERROR empty_metadata_name metadata.name: metadata.name must not be empty when provided'
only_diag backend-s3 \
	'ERROR unsupported_state_backend state.backend: Stage 2C supports only omitted state.backend or `cluster`'
only_diag storage-empty \
	'ERROR invalid_storage_root storage: storage must be a non-empty URI (e.g. s3://bucket/prefix) when provided'
only_diag storage-blank \
	'ERROR invalid_storage_root storage: storage must be a non-empty URI (e.g. s3://bucket/prefix) when provided'
only_diag storage-s3-nobucket \
	'ERROR invalid_storage_root storage: storage s3:// URI must name a bucket'
only_diag storage-s3-slash \
	'ERROR invalid_storage_root storage: storage s3:// URI must name a bucket'

case_begin "header checks keep running after a failure"
stage header-all
validate --config header-all
expect_exit 1
expect_diags <<'EOF'
ERROR unsupported_cluster_config_version version: unsupported cluster config version 3; this build supports version 1
ERROR empty_metadata_name metadata.name: metadata.name must not be empty when provided
ERROR unsupported_state_backend state.backend: Stage 2C supports only omitted state.backend or `cluster`
ERROR invalid_storage_root storage: storage must be a non-empty URI (e.g. s3://bucket/prefix) when provided
EOF
# Later steps still ran: the graph was loaded.
expect_resource schema.knowledge schema "$SCHEMA_A_DIGEST" header-all/people.pg

# ------------------------------------------------------------------ duplicate keys
only_diag dup-top \
	'ERROR duplicate_yaml_key version: duplicate YAML key `version` on line 5'
only_diag dup-nested \
	'ERROR duplicate_yaml_key graphs.knowledge.schema: duplicate YAML key `schema` on line 6'
only_diag dup-list-item \
	'ERROR duplicate_yaml_key graphs.knowledge.external_blobs.allow[].scope: duplicate YAML key `scope` on line 11'
only_diag dup-root-list \
	'ERROR duplicate_yaml_key [].a: duplicate YAML key `a` on line 2'

case_begin "dup-two"
stage dup-two
validate --config dup-two
expect_exit 1
expect_diags <<'EOF'
ERROR duplicate_yaml_key graphs.knowledge: duplicate YAML key `knowledge` on line 5
ERROR duplicate_yaml_key policies.base.file: duplicate YAML key `file` on line 11
EOF
expect_json resources '[]'

case_begin "comments and quotes are not keys"
stage dup-comment-ok
validate --config dup-comment-ok
expect_exit 0
expect_resources graph.knowledge graph.other schema.knowledge schema.other
expect_diags <<EOF
WARN  external_blob_ingress_default_deny graphs.knowledge.external_blobs: $DENY_MSG
WARN  external_blob_ingress_default_deny graphs.other.external_blobs: $DENY_MSG
EOF

# ------------------------------------------------------------------ reserved / removed
case_begin "reserved top-level keys, in document order"
stage reserved-keys
validate --config reserved-keys
expect_exit 1
expect_diags <<'EOF'
ERROR future_phase_field pipelines: `pipelines` is reserved for a later cluster-control phase
ERROR future_phase_field ui: `ui` is reserved for a later cluster-control phase
ERROR future_phase_field apply: `apply` is reserved for a later cluster-control phase
ERROR future_phase_field env_file: `env_file` is reserved for a later cluster-control phase
ERROR future_phase_field embeddings: `embeddings` is reserved for a later cluster-control phase
ERROR future_phase_field aliases: `aliases` is reserved for a later cluster-control phase
ERROR future_phase_field bindings: `bindings` is reserved for a later cluster-control phase
EOF
expect_json resources '[]'

only_diag reserved-one \
	'ERROR future_phase_field ui: `ui` is reserved for a later cluster-control phase'

case_begin "streaming"
stage streaming
validate --config streaming
expect_exit 1
expect_diag_count 1
expect_diag_prefix 'ERROR removed_streaming_declaration graphs.knowledge.streaming: '
expect_no_diag_code invalid_cluster_yaml

# ------------------------------------------------------------------ identifiers
case_begin "bad identifiers"
stage bad-ids
validate --config bad-ids
expect_exit 1
expect_diag_order \
	"ERROR invalid_resource_id providers.embedding.1st: $(id_msg 'embedding provider name' 1st)" \
	"ERROR invalid_resource_id graphs.9bad: $(id_msg 'graph id' 9bad)" \
	"ERROR invalid_resource_id graphs.knowledge.queries.9q: $(id_msg 'query name' 9q)" \
	"ERROR invalid_resource_id policies.bad.name: $(id_msg 'policy name' bad.name)"
expect_no_diag_code external_blob_ingress_default_deny
# Identifier errors do not stop loading: the graphs were still read.
expect_resource schema.9bad schema "$SCHEMA_A_DIGEST" bad-ids/people.pg
expect_resource schema.knowledge schema "$SCHEMA_A_DIGEST" bad-ids/people.pg

finish
