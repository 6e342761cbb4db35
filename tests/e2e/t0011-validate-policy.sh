#!/usr/bin/env bash
# Policy bundle contents (policy.md §1-§2, §5; cluster.md §4.1 step 8): a
# bundle that fails its YAML layer or its semantic checks is policy_invalid
# at policies.<name>.file; a bundle is loaded as a server bundle when bound
# to `cluster` only and as a graph bundle when bound to graphs only, and
# every action must have that kind; the digest is recorded either way.
# shellcheck disable=SC2016 # backticks in expected messages are literal
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# only_diag CASE LINE: the case fails with exactly this one diagnostic.
only_diag() {
	case_begin "$1"
	stage "$1"
	validate --config "$1"
	expect_exit 1
	expect_ok false
	expect_diags <<<"$2"
}

# ------------------------------------------------------------------ YAML layer
only_diag policy-invalid-yaml \
	"ERROR policy_invalid policies.base.file: policy file 'policy-invalid-yaml/base.policy.yaml' is invalid: rules[0].allow: unknown field \`branch_scpoe\`, expected one of \`actors\`, \`actions\`, \`branch_scope\`, \`target_branch_scope\` at line 10 column 7"
# the bundle is still a resource, with the digest of its bytes
expect_resource policy.base policy "$(sha256_file policy-invalid-yaml/base.policy.yaml)" \
	policy-invalid-yaml/base.policy.yaml
expect_edge policy.base graph.knowledge
expect_human <<'EOF'
cluster config invalid
ERROR policy_invalid policies.base.file: policy file 'policy-invalid-yaml/base.policy.yaml' is invalid: rules[0].allow: unknown field `branch_scpoe`, expected one of `actors`, `actions`, `branch_scope`, `target_branch_scope` at line 10 column 7
EOF

case_begin "YAML-layer errors name the key or value"
mkdir -p yl
cp policy-invalid-yaml/people.pg yl/
write_file yl/cluster.yaml 'version: 1\ngraphs:\n  g:\n    schema: people.pg\npolicies:\n  p:\n    file: p.yaml\n    applies_to: [g]\n'
write_file yl/p.yaml 'version: 1\ngroups: {team: [a]}\nrules:\n  - {id: r, allow: {actors: {group: team}, actions: [write]}}\n'
validate --config yl
expect_exit 1
expect_diag_count 1
expect_diag_contains "ERROR policy_invalid policies.p.file: policy file 'yl/p.yaml' is invalid: " \
	'rules[0].allow.actions[0]: unknown variant `write`, expected one of `read`, `export`, `change`'
write_file yl/p.yaml 'version: 1\nrules:\n  - {id: r, allow: {actors: {group: team}, actions: [read], branch_scope: all}}\n'
validate --config yl
expect_diag_count 1
expect_diag_contains "ERROR policy_invalid policies.p.file: " \
	'rules[0].allow.branch_scope: unknown variant `all`, expected one of `any`, `protected`, `unprotected`'
write_file yl/p.yaml 'version: 1\ngroups:\n  team: [a]\n  team: [b]\n'
validate --config yl
expect_diag_count 1
expect_diag_contains "ERROR policy_invalid policies.p.file: " 'groups: duplicate entry with key "team" at line 4 column 3'
write_file yl/p.yaml 'rules: []\n'
validate --config yl
expect_diags <<<"ERROR policy_invalid policies.p.file: policy file 'yl/p.yaml' is invalid: missing field \`version\` at line 1 column 1"
write_file yl/p.yaml 'version: 1\nrules:\n  - id: r\n    deny: {actors: {group: team}, actions: [read]}\n'
validate --config yl
expect_diags <<<"ERROR policy_invalid policies.p.file: policy file 'yl/p.yaml' is invalid: rules[0]: unknown field \`deny\`, expected \`id\` or \`allow\` at line 4 column 5"
write_file yl/p.yaml 'version: 1\nrules: [\n'
validate --config yl
expect_diag_count 1
expect_diag_prefix "ERROR policy_invalid policies.p.file: policy file 'yl/p.yaml' is invalid: "

# ------------------------------------------------------------------ semantic checks
case_begin "policy-invalid-semantic"
stage policy-invalid-semantic
validate --config policy-invalid-semantic
expect_exit 1
# one diagnostic per bundle, the first failure of each, bundles in name order
expect_diags <<'EOF'
ERROR policy_invalid policies.base.file: policy file 'policy-invalid-semantic/base.policy.yaml' is invalid: policy rule 'staff-read' references unknown group 'staff'
ERROR policy_invalid policies.versioned.file: policy file 'policy-invalid-semantic/v2.policy.yaml' is invalid: policy version must be 1
EOF
expect_resources graph.knowledge graph.other policy.base policy.versioned schema.knowledge schema.other

# ------------------------------------------------------------------ kind alignment
only_diag policy-graph-list-in-graph \
	"ERROR policy_invalid policies.graphs.file: policy file 'policy-graph-list-in-graph/graph.policy.yaml' is invalid: policy rule 'admins-can-list-graphs' uses server-scoped action 'graph_list' in a Graph policy file; move it to a server policy file"

only_diag policy-graph-action-in-cluster \
	"ERROR policy_invalid policies.server.file: policy file 'policy-graph-action-in-cluster/server.policy.yaml' is invalid: policy rule 'admins-export' uses per-graph action 'export' in a Server policy file; move it to a per-graph policy file"

case_begin "the same bundle bound the other way round"
stage policy-graph-action-in-cluster swapped
cp policy-graph-list-in-graph/graph.policy.yaml swapped/graph.policy.yaml
write_file swapped/cluster.yaml 'version: 1\ngraphs:\n  knowledge:\n    schema: people.pg\npolicies:\n  graphs:\n    file: server.policy.yaml\n    applies_to: [knowledge]\n  server:\n    file: graph.policy.yaml\n    applies_to: [cluster]\n'
validate --config swapped
expect_exit 1
expect_diags <<'EOF'
ERROR policy_invalid policies.graphs.file: policy file 'swapped/server.policy.yaml' is invalid: policy rule 'admins-can-list-graphs' uses server-scoped action 'graph_list' in a Graph policy file; move it to a server policy file
ERROR policy_invalid policies.server.file: policy file 'swapped/graph.policy.yaml' is invalid: policy rule 'admins-read' uses per-graph action 'read' in a Server policy file; move it to a per-graph policy file
EOF

case_begin "a bundle binding both kinds is checked but not aligned"
stage policy-graph-list-in-graph both
write_file both/cluster.yaml 'version: 1\ngraphs:\n  knowledge:\n    schema: people.pg\npolicies:\n  graphs:\n    file: graph.policy.yaml\n    applies_to: [cluster, knowledge]\n'
validate --config both
expect_exit 1
expect_diags <<'EOF'
ERROR policy_mixed_binding_kinds policies.graphs.applies_to: one policy bundle cannot bind both `cluster` and graph scopes; split server and graph rules into separate bundles
EOF
write_file both/graph.policy.yaml 'version: 1\nrules:\n  - {id: r, allow: {actors: {group: nobody}, actions: [read]}}\n'
validate --config both
expect_diags <<'EOF'
ERROR policy_mixed_binding_kinds policies.graphs.applies_to: one policy bundle cannot bind both `cluster` and graph scopes; split server and graph rules into separate bundles
ERROR policy_invalid policies.graphs.file: policy file 'both/graph.policy.yaml' is invalid: policy rule 'r' references unknown group 'nobody'
EOF

# ------------------------------------------------------------------ valid bundles
case_begin "policy-valid"
stage policy-valid
validate --config policy-valid
expect_exit 0
expect_ok true
expect_diags <<EOF
WARN  external_blob_ingress_default_deny graphs.archive.external_blobs: $DENY_MSG
WARN  external_blob_ingress_default_deny graphs.knowledge.external_blobs: $DENY_MSG
EOF
expect_resource policy.server policy "$(sha256_file policy-valid/server.policy.yaml)" policy-valid/server.policy.yaml
expect_resource policy.graphs policy "$(sha256_file policy-valid/graph.policy.yaml)" policy-valid/graph.policy.yaml
expect_edges policy.graphs\>graph.knowledge schema.archive\>graph.archive schema.knowledge\>graph.knowledge

case_begin "the example cluster's bundle is valid"
if [ -n "${CFS_SRC:-}" ] && [ -d "$CFS_SRC/contrib/example" ]; then
	cp -R "$CFS_SRC/contrib/example" example
	validate --config example
	expect_no_diag_code policy_invalid
	expect_error_count 0
fi

finish
