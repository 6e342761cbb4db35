#!/usr/bin/env bash
# References between resources and their rules (cluster.md §2.3-§2.5,
# policy.md §5): policy bindings, embedding provider profiles and graph
# references to them, external blob allow-lists.
# shellcheck disable=SC2016 # backticks in expected messages are literal
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# only_diag CASE LINE: the case fails with exactly this one diagnostic.
only_diag() {
	case_begin "$1"
	stage "$1"
	validate --config "$1"
	expect_exit 1
	expect_diags <<<"$2"
}

# ------------------------------------------------------------------ policies
only_diag policy-empty-applies \
	'ERROR policy_missing_applies_to policies.base.applies_to: policy.applies_to must name `cluster` or at least one graph'
expect_resource policy.base policy "$POLICY_A_DIGEST" policy-empty-applies/base.policy.yaml

only_diag policy-dangling \
	'ERROR dangling_graph_reference policies.base.applies_to[1]: policy references graph `nope`, but no graph with that id is declared'
expect_edge policy.base graph.knowledge

only_diag policy-wrong-kind \
	'ERROR wrong_kind_reference policies.base.applies_to[0]: policy applies_to expects graph refs or `cluster`, got `schema.knowledge`'

only_diag policy-mixed \
	'ERROR policy_mixed_binding_kinds policies.base.applies_to: one policy bundle cannot bind both `cluster` and graph scopes; split server and graph rules into separate bundles'

only_diag policy-dup-binding \
	'ERROR duplicate_policy_binding policies.beta.applies_to: policy bundles `alpha` and `beta` both bind `graph.knowledge`; merge them or leave exactly one bundle for that scope'

only_diag policy-dup-cluster \
	'ERROR duplicate_policy_binding policies.b.applies_to: policy bundles `a` and `b` both bind `cluster`; merge them or leave exactly one bundle for that scope'

case_begin "equivalent refs in one bundle collapse"
stage policy-refs-ok
validate --config policy-refs-ok
expect_exit 0
expect_resources graph.knowledge graph.other policy.kb policy.srv schema.knowledge schema.other
expect_edges policy.kb\>graph.knowledge policy.kb\>graph.other \
	schema.knowledge\>graph.knowledge schema.other\>graph.other
expect_diags <<EOF
WARN  external_blob_ingress_default_deny graphs.knowledge.external_blobs: $DENY_MSG
WARN  external_blob_ingress_default_deny graphs.other.external_blobs: $DENY_MSG
EOF

# ------------------------------------------------------------------ providers
# Provider diagnostics name the profile; the contract does not say whether
# the path stops at the profile or continues to the offending field, so both
# are accepted.
case_begin "unknown provider kind"
stage provider-unknown-kind
validate --config provider-unknown-kind
expect_exit 1
expect_diag_count 2
expect_diag_re "^ERROR invalid_embedding_provider providers\.embedding\.fancy(\.kind)?: unknown embedding provider 'cohere' \(expected openai-compatible\|openai\|gemini\|mock\)$"
expect_diag_re "^ERROR invalid_embedding_provider providers\.embedding\.via_alias(\.kind|\.provider)?: unknown embedding provider 'vertex' \(expected openai-compatible\|openai\|gemini\|mock\)$"

case_begin "inline api keys"
stage provider-inline-key
validate --config provider-inline-key
expect_exit 1
expect_diag_count 3
expect_diag_re '^ERROR embedding_api_key_inline providers\.embedding\.blank_ref(\.api_key)?: '
expect_diag_re '^ERROR embedding_api_key_inline providers\.embedding\.mock_inline(\.api_key)?: '
expect_diag_re '^ERROR embedding_api_key_inline providers\.embedding\.openai_inline(\.api_key)?: '

case_begin "non-mock providers need an api key"
stage provider-key-required
validate --config provider-key-required
expect_exit 1
expect_diag_count 2
expect_diag_re '^ERROR embedding_api_key_required providers\.embedding\.compat(\.api_key)?: '
expect_diag_re '^ERROR embedding_api_key_required providers\.embedding\.gem(\.api_key)?: '

case_begin "provider references"
stage provider-ok
validate --config provider-ok
expect_exit 0
expect_resources graph.knowledge graph.other provider.embedding.recorded provider.embedding.trimmed \
	schema.knowledge schema.other
# `provider:` is an alias of `kind:` and is digested as `kind` (§5.3, C).
expect_resource provider.embedding.recorded embedding_provider \
	9407ded8cec5d0bd317ddecc1613eb410eb5a792a35f8baea5afed3bb080e106 -
expect_edges graph.knowledge\>provider.embedding.recorded graph.other\>provider.embedding.trimmed \
	schema.knowledge\>graph.knowledge schema.other\>graph.other
expect_diag_count 2
expect_error_count 0

case_begin "dangling provider references"
stage provider-dangling
validate --config provider-dangling
expect_exit 1
expect_diag_count 2
expect_diag_prefix_order \
	'ERROR dangling_embedding_provider_reference graphs.a.embedding_provider: ' \
	'ERROR dangling_embedding_provider_reference graphs.b.embedding_provider: '

case_begin "provider reference of the wrong kind"
stage provider-wrong-kind
validate --config provider-wrong-kind
expect_exit 1
expect_diag_count 1
expect_diag_prefix 'ERROR wrong_kind_reference graphs.knowledge.embedding_provider: '

# ------------------------------------------------------------------ external blobs
case_begin "invalid blob bases"
stage blobs-invalid-base
validate --config blobs-invalid-base
expect_exit 1
expect_diag_count 11
expect_diag_prefix_order \
	'ERROR invalid_external_blob_base graphs.knowledge.external_blobs.allow[0].base: ' \
	'ERROR invalid_external_blob_base graphs.knowledge.external_blobs.allow[1].base: ' \
	'ERROR invalid_external_blob_base graphs.knowledge.external_blobs.allow[2].base: ' \
	'ERROR invalid_external_blob_base graphs.knowledge.external_blobs.allow[3].base: ' \
	'ERROR invalid_external_blob_base graphs.knowledge.external_blobs.allow[4].base: ' \
	'ERROR invalid_external_blob_base graphs.knowledge.external_blobs.allow[5].base: ' \
	'ERROR invalid_external_blob_base graphs.knowledge.external_blobs.allow[6].base: ' \
	'ERROR invalid_external_blob_base graphs.knowledge.external_blobs.allow[7].base: ' \
	'ERROR invalid_external_blob_base graphs.knowledge.external_blobs.allow[8].base: ' \
	'ERROR invalid_external_blob_base graphs.knowledge.external_blobs.allow[9].base: ' \
	'ERROR invalid_external_blob_base graphs.knowledge.external_blobs.allow[10].base: '
expect_no_diag_code invalid_external_blob_policy

case_begin "overlapping blob bases"
stage blobs-overlap
validate --config blobs-overlap
expect_exit 1
expect_diag_count 2
expect_diag_prefix_order \
	'ERROR invalid_external_blob_policy graphs.a.external_blobs.allow: ' \
	'ERROR invalid_external_blob_policy graphs.b.external_blobs.allow: '

case_begin "valid blob bases"
stage blobs-ok
validate --config blobs-ok
expect_exit 0
expect_human <<'EOF'
cluster config valid: 2 resource(s), 1 dependency edge(s)
EOF

case_begin "file:// bases: embedded_only only, existing folder"
mkdir -p "$T/blobs/local"
mkdir -p file-bases
write_file file-bases/people.pg 'node Person {\n  name: String @key\n}\n'
write_file file-bases/cluster.yaml 'version: 1\ngraphs:\n  embedded:\n    schema: people.pg\n    external_blobs:\n      allow:\n        - base: "file://%s/blobs/local/"\n          scope: embedded_only\n  served:\n    schema: people.pg\n    external_blobs:\n      allow:\n        - base: "file://%s/blobs/local/"\n          scope: server_safe\n' "$T" "$T"
validate --config file-bases
expect_exit 1
expect_diag_count 1
expect_diag_prefix 'ERROR invalid_external_blob_base graphs.served.external_blobs.allow[0].base: '

case_begin "file:// base, embedded_only"
write_file file-bases/cluster.yaml 'version: 1\ngraphs:\n  embedded:\n    schema: people.pg\n    external_blobs:\n      allow:\n        - base: "file://%s/blobs/local/"\n          scope: embedded_only\n' "$T"
validate --config file-bases
expect_exit 0
expect_diag_count 0

finish
