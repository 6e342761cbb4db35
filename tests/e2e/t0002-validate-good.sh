#!/usr/bin/env bash
# Valid clusters: every queries form, providers, policies, blob allow-lists,
# null handling, unusual but valid identifiers, storage roots.  Checks the
# whole report: resources, digests, paths, dependency edges, warnings.
# shellcheck disable=SC2016 # backticks in expected messages are literal
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# ------------------------------------------------------------------ good
case_begin "good cluster"
stage good
before=$(tree_listing good)
validate --config good
expect_exit 0
expect_ok true
expect_json config_dir good
expect_json config_file good/cluster.yaml

s_people=$(sha256_file good/people.pg)
s_companies=$(sha256_file good/companies.pg)
s_notes=$(sha256_file good/notes.pg)
q_people=$(sha256_file good/queries/people.gq)
q_find=$(sha256_file good/company/find.gq)
q_list=$(sha256_file good/company/more/list_companies.gq)
q_notes=$(sha256_file good/notes.gq)
p_base=$(sha256_file good/base.policy.yaml)
p_server=$(sha256_file good/server.policy.yaml)
prov=$(provider_digest '{"kind":"mock","model":"recorded-x"}')
g_knowledge=$(graph_digest knowledge "$s_people" q find_person "$q_people" q list_people "$q_people")
g_companies=$(graph_digest companies "$s_companies" q find_company "$q_find" q list_companies "$q_list" \
	p provider.embedding.local_mock "$prov")
g_notes=$(graph_digest notes "$s_notes" q lookup "$q_notes" \
	b '{"mode":"allow","bases":[{"uri":"s3://notes-bucket/attachments/","scope":"server_safe"},{"uri":"s3://notes-bucket/exports/","scope":"embedded_only"}]}')

expect_resources graph.companies graph.knowledge graph.notes policy.base policy.server \
	provider.embedding.local_mock query.companies.find_company query.companies.list_companies \
	query.knowledge.find_person query.knowledge.list_people query.notes.lookup \
	schema.companies schema.knowledge schema.notes
expect_resource graph.companies graph "$g_companies" -
expect_resource graph.knowledge graph "$g_knowledge" -
expect_resource graph.notes graph "$g_notes" -
expect_resource policy.base policy "$p_base" good/base.policy.yaml
expect_resource policy.server policy "$p_server" good/server.policy.yaml
expect_resource provider.embedding.local_mock embedding_provider "$prov" -
expect_resource query.companies.find_company query "$q_find" good/company/find.gq
expect_resource query.companies.list_companies query "$q_list" good/company/more/list_companies.gq
expect_resource query.knowledge.find_person query "$q_people" good/queries/people.gq
expect_resource query.knowledge.list_people query "$q_people" good/queries/people.gq
expect_resource query.notes.lookup query "$q_notes" good/notes.gq
expect_resource schema.companies schema "$s_companies" good/companies.pg
expect_resource schema.knowledge schema "$s_people" good/people.pg
expect_resource schema.notes schema "$s_notes" good/notes.pg
expect_edges graph.companies\>provider.embedding.local_mock \
	policy.base\>graph.companies policy.base\>graph.knowledge \
	query.companies.find_company\>graph.companies query.companies.find_company\>schema.companies \
	query.companies.list_companies\>graph.companies query.companies.list_companies\>schema.companies \
	query.knowledge.find_person\>graph.knowledge query.knowledge.find_person\>schema.knowledge \
	query.knowledge.list_people\>graph.knowledge query.knowledge.list_people\>schema.knowledge \
	query.notes.lookup\>graph.notes query.notes.lookup\>schema.notes \
	schema.companies\>graph.companies schema.knowledge\>graph.knowledge schema.notes\>graph.notes
expect_human <<EOF
cluster config valid: 14 resource(s), 16 dependency edge(s)
WARN  external_blob_ingress_default_deny graphs.companies.external_blobs: $DENY_MSG
WARN  external_blob_ingress_default_deny graphs.knowledge.external_blobs: $DENY_MSG
EOF

case_begin "validate writes nothing"
after=$(tree_listing good)
[ "$before" = "$after" ]
check $? "the config folder changed during validate"
[ ! -e good/__cluster ] && [ ! -e good/graphs ]
check $? "validate created __cluster/ or graphs/ in the config folder"

case_begin "good cluster, absolute --config"
validate --config "$T/good"
expect_exit 0
expect_json config_dir "$T/good"
expect_json config_file "$T/good/cluster.yaml"
expect_resource schema.notes schema "$s_notes" "$T/good/notes.pg"
expect_resource query.companies.list_companies query "$q_list" "$T/good/company/more/list_companies.gq"
expect_diag_count 2

case_begin "good cluster, config dir ."
validate_in good --config .
expect_exit 0
expect_json config_dir .
expect_json config_file ./cluster.yaml
expect_resource query.knowledge.find_person query "$q_people" ./queries/people.gq
expect_resource policy.server policy "$p_server" ./server.policy.yaml

# ------------------------------------------------------------------ minimal
case_begin "minimal cluster"
stage minimal
validate --config minimal
expect_exit 0
expect_human <<'EOF'
cluster config valid: 0 resource(s), 0 dependency edge(s)
EOF
expect_json_text <<'EOF'
{
  "ok": true,
  "config_dir": "minimal",
  "config_file": "minimal/cluster.yaml",
  "resource_digests": {},
  "resources": [],
  "dependencies": [],
  "diagnostics": []
}
EOF

# ------------------------------------------------------------------ nulls
case_begin "null scalars mean absent"
stage nulls-scalars
validate --config nulls-scalars
expect_exit 0
expect_resources graph.knowledge schema.knowledge
expect_resource graph.knowledge graph "$(graph_digest knowledge "$SCHEMA_A_DIGEST")" -
expect_edges schema.knowledge\>graph.knowledge
expect_diags <<EOF
WARN  external_blob_ingress_default_deny graphs.knowledge.external_blobs: $DENY_MSG
EOF

case_begin "null collections mean absent"
stage nulls-collections
validate --config nulls-collections
expect_exit 0
expect_resources graph.knowledge schema.knowledge
expect_resource graph.knowledge graph "$(graph_digest knowledge "$SCHEMA_A_DIGEST")" -
expect_diags <<EOF
WARN  external_blob_ingress_default_deny graphs.knowledge.external_blobs: $DENY_MSG
EOF

# ------------------------------------------------------------------ ids
case_begin "unusual valid identifiers"
stage ids-ok
validate --config ids-ok
expect_exit 0
q=$(sha256_file ids-ok/q.gq)
prov=$(provider_digest '{"kind":"mock"}')
expect_resources graph._g-1 policy.Pol-9_x provider.embedding._mock-1 query._g-1._q1 schema._g-1
expect_resource provider.embedding._mock-1 embedding_provider "$prov" -
expect_resource query._g-1._q1 query "$q" ids-ok/q.gq
expect_resource graph._g-1 graph "$(graph_digest _g-1 "$SCHEMA_A_DIGEST" q _q1 "$q" p provider.embedding._mock-1 "$prov")" -
expect_edges graph._g-1\>provider.embedding._mock-1 policy.Pol-9_x\>graph._g-1 \
	query._g-1._q1\>graph._g-1 query._g-1._q1\>schema._g-1 schema._g-1\>graph._g-1
expect_diags <<EOF
WARN  external_blob_ingress_default_deny graphs._g-1.external_blobs: $DENY_MSG
EOF

# ------------------------------------------------------------------ queries forms
case_begin "queries: one file of any extension"
stage query-single-file
validate --config query-single-file
expect_exit 0
q=$(sha256_file query-single-file/stored.queries)
expect_resources graph.knowledge query.knowledge.find_person query.knowledge.list_people schema.knowledge
expect_resource query.knowledge.find_person query "$q" query-single-file/stored.queries
expect_resource query.knowledge.list_people query "$q" query-single-file/stored.queries
expect_resource graph.knowledge graph "$(graph_digest knowledge "$SCHEMA_A_DIGEST" q find_person "$q" q list_people "$q")" -
expect_diag_count 1

case_begin "explicit form registers only the named query"
stage query-explicit-multi
validate --config query-explicit-multi
expect_exit 0
q=$(sha256_file query-explicit-multi/people.gq)
expect_resources graph.knowledge query.knowledge.find_person schema.knowledge
expect_resource query.knowledge.find_person query "$q" query-explicit-multi/people.gq
expect_resource graph.knowledge graph "$(graph_digest knowledge "$SCHEMA_A_DIGEST" q find_person "$q")" -
expect_edges query.knowledge.find_person\>graph.knowledge query.knowledge.find_person\>schema.knowledge \
	schema.knowledge\>graph.knowledge
expect_diag_count 1

case_begin "query scan skips comments and strings"
stage query-scan-tricky
validate --config query-scan-tricky
expect_exit 0
expect_resources graph.knowledge query.knowledge.by_odd_name query.knowledge.escaped_quote schema.knowledge
expect_diag_count 1

# ------------------------------------------------------------------ storage
case_begin "local storage root is never touched"
stage storage-local
before=$(tree_listing storage-local)
validate --config storage-local
expect_exit 0
expect_diag_count 1
after=$(tree_listing storage-local)
[ "$before" = "$after" ]
check $? "the config folder changed during validate"
[ ! -e "$T/elsewhere" ]
check $? "validate created the storage root relative to the working directory"

case_begin "s3 storage root is not contacted"
stage storage-s3
validate --config storage-s3
expect_exit 0
expect_resources graph.knowledge schema.knowledge
expect_diag_count 1

finish
