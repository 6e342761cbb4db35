#!/usr/bin/env bash
# Digests (cluster.md §5.1-§5.3) against the worked examples of §5.6: file
# digests, graph composites (schema, queries, provider, blob allow-list) and
# provider profiles.  Fixture D is checked byte for byte, whole report.
# shellcheck disable=SC2016 # backticks in expected messages are literal
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

SCHEMA_A='node Person {\n  name: String @key\n}\n'
QUERY_A='query find_person($name: String) {\n  match { $p: Person { name: $name } }\n  return { $p.name }\n}\n'

# ------------------------------------------------------------------ helpers
# The digest helpers of lib.sh must reproduce §5.6 before they are trusted.
case_begin "helper self-test"
[ "$(sha256_printf "$SCHEMA_A")" = "$SCHEMA_A_DIGEST" ]
check $? "sha256_printf does not reproduce the schema A digest"
[ "$(graph_digest knowledge '')" = af305c236e92b5c7004823bd7fd40dcec6a7c56bb6c0697a45e12a840139bd4c ]
check $? "graph_digest does not reproduce example B (nothing)"
[ "$(graph_digest knowledge "$SCHEMA_A_DIGEST")" = 5b6862416d41092cc002c4ce54594a541e5f6dcedc07a663c986f8fde8891687 ]
check $? "graph_digest does not reproduce example B (schema A)"
[ "$(graph_digest knowledge "$SCHEMA_A_DIGEST" q find_person "$QUERY_A_DIGEST")" = cd23cf0245d1231f4434edb2049355e45452070f93037f2fc871613362a854f6 ]
check $? "graph_digest does not reproduce example B (schema A + find_person)"
[ "$(graph_digest knowledge "$SCHEMA_A_DIGEST" b '{"mode":"allow","bases":[{"uri":"s3://assets-bucket/knowledge/","scope":"server_safe"}]}')" = 559b0a3b3b5814c349e576aacee1775b90daf2e53915d1cff5abc60ded953710 ]
check $? "graph_digest does not reproduce example B (allow-list)"
[ "$(provider_digest '{"kind":"mock","model":"recorded-x"}')" = 9407ded8cec5d0bd317ddecc1613eb410eb5a792a35f8baea5afed3bb080e106 ]
check $? "provider_digest does not reproduce example C"
[ "$(graph_digest knowledge "$SCHEMA_A_DIGEST" q find_person "$QUERY_A_DIGEST" p provider.embedding.default 9407ded8cec5d0bd317ddecc1613eb410eb5a792a35f8baea5afed3bb080e106)" = 84e5d5614d117b5ff9d4d835bb294bbc3e3e81bd062e626db9999805c70d563c ]
check $? "graph_digest does not reproduce example C (graph)"

# ------------------------------------------------------------------ D
case_begin "fixture D bytes"
stage digest-d d
[ "$(sha256_file d/people.pg)" = "$SCHEMA_A_DIGEST" ] &&
	[ "$(sha256_file d/queries/people.gq)" = "$QUERY_A_DIGEST" ] &&
	[ "$(sha256_file d/base.policy.yaml)" = "$POLICY_A_DIGEST" ]
check $? "fixture digest-d was altered (line endings?): its files no longer match cluster.md §5.6 A"

case_begin "example D"
validate --config d
expect_exit 0
expect_human <<EOF
cluster config valid: 4 resource(s), 4 dependency edge(s)
WARN  external_blob_ingress_default_deny graphs.knowledge.external_blobs: $DENY_MSG
EOF
expect_json_text <<EOF
{
  "ok": true,
  "config_dir": "d",
  "config_file": "d/cluster.yaml",
  "resource_digests": {
    "graph.knowledge": "cd23cf0245d1231f4434edb2049355e45452070f93037f2fc871613362a854f6",
    "policy.base": "7f2c43106364d8112fcc3060e4ab8b20f5d1a17d9cbf3c2540529663004adff8",
    "query.knowledge.find_person": "fce5cb9af8c8c3615b3a188d1fe626319283f7d4fc5f55b678d81765aed88950",
    "schema.knowledge": "3dc78563c26fd207793d549d050ab51123a6609b9bada73c7864a73c5d17856e"
  },
  "resources": [
    {
      "address": "graph.knowledge",
      "kind": "graph",
      "digest": "cd23cf0245d1231f4434edb2049355e45452070f93037f2fc871613362a854f6"
    },
    {
      "address": "policy.base",
      "kind": "policy",
      "digest": "7f2c43106364d8112fcc3060e4ab8b20f5d1a17d9cbf3c2540529663004adff8",
      "path": "d/base.policy.yaml"
    },
    {
      "address": "query.knowledge.find_person",
      "kind": "query",
      "digest": "fce5cb9af8c8c3615b3a188d1fe626319283f7d4fc5f55b678d81765aed88950",
      "path": "d/queries/people.gq"
    },
    {
      "address": "schema.knowledge",
      "kind": "schema",
      "digest": "3dc78563c26fd207793d549d050ab51123a6609b9bada73c7864a73c5d17856e",
      "path": "d/people.pg"
    }
  ],
  "dependencies": [
    {
      "from": "policy.base",
      "to": "graph.knowledge"
    },
    {
      "from": "query.knowledge.find_person",
      "to": "graph.knowledge"
    },
    {
      "from": "query.knowledge.find_person",
      "to": "schema.knowledge"
    },
    {
      "from": "schema.knowledge",
      "to": "graph.knowledge"
    }
  ],
  "diagnostics": [
    {
      "code": "external_blob_ingress_default_deny",
      "severity": "warning",
      "path": "graphs.knowledge.external_blobs",
      "message": "$DENY_MSG"
    }
  ]
}
EOF

case_begin "example D, written with printf"
write_file pd/people.pg "$SCHEMA_A"
write_file pd/queries/people.gq "$QUERY_A"
write_file pd/base.policy.yaml 'version: 1\nrules: []\n'
write_file pd/cluster.yaml 'version: 1\nmetadata: {name: demo}\ngraphs: {knowledge: {schema: people.pg, queries: queries/}}\npolicies: {base: {file: base.policy.yaml, applies_to: [knowledge]}}\n'
validate --config pd
expect_exit 0
expect_resource graph.knowledge graph cd23cf0245d1231f4434edb2049355e45452070f93037f2fc871613362a854f6 -
expect_resource schema.knowledge schema "$SCHEMA_A_DIGEST" pd/people.pg
expect_resource query.knowledge.find_person query "$QUERY_A_DIGEST" pd/queries/people.gq
expect_resource policy.base policy "$POLICY_A_DIGEST" pd/base.policy.yaml

# ------------------------------------------------------------------ B
case_begin "example B: schema only"
write_file b1/people.pg "$SCHEMA_A"
write_file b1/cluster.yaml 'version: 1\ngraphs:\n  knowledge:\n    schema: people.pg\n'
validate --config b1
expect_exit 0
expect_resources graph.knowledge schema.knowledge
expect_resource graph.knowledge graph 5b6862416d41092cc002c4ce54594a541e5f6dcedc07a663c986f8fde8891687 -

case_begin "example B: allow-list"
write_file b2/people.pg "$SCHEMA_A"
write_file b2/cluster.yaml 'version: 1\ngraphs:\n  knowledge:\n    schema: people.pg\n    external_blobs:\n      allow:\n        - base: s3://assets-bucket/knowledge/\n          scope: server_safe\n'
validate --config b2
expect_exit 0
expect_resource graph.knowledge graph 559b0a3b3b5814c349e576aacee1775b90daf2e53915d1cff5abc60ded953710 -
expect_diag_count 0

case_begin "example B: allow-list spelled unnormalized"
write_file b2/cluster.yaml 'version: 1\ngraphs:\n  knowledge:\n    schema: people.pg\n    external_blobs:\n      allow:\n        - base: S3://Assets-Bucket/knowledge\n          scope: server_safe\n'
validate --config b2
expect_exit 0
expect_resource graph.knowledge graph 559b0a3b3b5814c349e576aacee1775b90daf2e53915d1cff5abc60ded953710 -

case_begin "blob bases are sorted in the composite"
stage blobs-ok
validate --config blobs-ok
expect_exit 0
expect_resource graph.knowledge graph "$(graph_digest knowledge "$SCHEMA_A_DIGEST" \
	b '{"mode":"allow","bases":[{"uri":"s3://bucket/data/","scope":"server_safe"},{"uri":"s3://bucket/data2/","scope":"embedded_only"}]}')" -

case_begin "blob base digest does not depend on declaration order"
write_file b3/people.pg "$SCHEMA_A"
write_file b3/cluster.yaml 'version: 1\ngraphs:\n  knowledge:\n    schema: people.pg\n    external_blobs:\n      allow:\n        - {base: "s3://b/x/", scope: embedded_only}\n        - {base: "s3://a/x/", scope: server_safe}\n'
validate --config b3
expect_exit 0
expect_resource graph.knowledge graph "$(graph_digest knowledge "$SCHEMA_A_DIGEST" \
	b '{"mode":"allow","bases":[{"uri":"s3://a/x/","scope":"server_safe"},{"uri":"s3://b/x/","scope":"embedded_only"}]}')" -

# ------------------------------------------------------------------ C
# c_config REF: cluster C with the given embedding_provider spelling.
c_config() {
	write_file c/people.pg "$SCHEMA_A"
	write_file c/people.gq "$QUERY_A"
	write_file c/cluster.yaml 'version: 1\nproviders:\n  embedding:\n    default:\n      %s: mock\n      model: recorded-x\ngraphs:\n  knowledge:\n    schema: people.pg\n    queries: [people.gq]\n    embedding_provider: %s\n' "$1" "$2"
}

for spelling in "kind default" "kind provider.embedding.default" "provider default"; do
	# shellcheck disable=SC2086
	set -- $spelling
	case_begin "example C ($1:, embedding_provider: $2)"
	c_config "$1" "$2"
	validate --config c
	expect_exit 0
	expect_resources graph.knowledge provider.embedding.default query.knowledge.find_person schema.knowledge
	expect_resource provider.embedding.default embedding_provider 9407ded8cec5d0bd317ddecc1613eb410eb5a792a35f8baea5afed3bb080e106 -
	expect_resource graph.knowledge graph 84e5d5614d117b5ff9d4d835bb294bbc3e3e81bd062e626db9999805c70d563c -
	expect_edges graph.knowledge\>provider.embedding.default \
		query.knowledge.find_person\>graph.knowledge query.knowledge.find_person\>schema.knowledge \
		schema.knowledge\>graph.knowledge
done

case_begin "provider profile: fixed key order, verbatim values"
write_file p/cluster.yaml 'version: 1\nproviders:\n  embedding:\n    full:\n      api_key: "${OPENAI_API_KEY}"\n      model: text-embedding-3-small\n      base_url: https://api.example.com/v1\n      kind: openai\n    gem:\n      api_key: "${GEMINI_API_KEY}"\n      kind: gemini\n'
validate --config p
expect_exit 0
expect_resources provider.embedding.full provider.embedding.gem
expect_resource provider.embedding.full embedding_provider \
	"$(provider_digest '{"kind":"openai","base_url":"https://api.example.com/v1","model":"text-embedding-3-small","api_key":"${OPENAI_API_KEY}"}')" -
expect_resource provider.embedding.gem embedding_provider \
	"$(provider_digest '{"kind":"gemini","api_key":"${GEMINI_API_KEY}"}')" -
expect_json dependencies '[]'

# ------------------------------------------------------------------ composites
case_begin "composite lists queries by name, each with its file digest"
write_file m/people.pg "$SCHEMA_A"
write_file m/z.gq 'query alpha() {\n  match { $p: Person }\n  return { $p.name }\n}\n'
write_file m/a.gq "$QUERY_A"
write_file m/cluster.yaml 'version: 1\ngraphs:\n  knowledge:\n    schema: people.pg\n    queries:\n      find_person: {file: a.gq}\n      alpha: {file: z.gq}\n'
validate --config m
expect_exit 0
qz=$(sha256_file m/z.gq)
expect_resource query.knowledge.alpha query "$qz" m/z.gq
expect_resource query.knowledge.find_person query "$QUERY_A_DIGEST" m/a.gq
expect_resource graph.knowledge graph "$(graph_digest knowledge "$SCHEMA_A_DIGEST" q alpha "$qz" q find_person "$QUERY_A_DIGEST")" -

case_begin "file digests are over the exact bytes"
write_file crlf/people.pg 'node Person {\r\n  name: String @key\r\n}\r\n'
write_file crlf/cluster.yaml 'version: 1\ngraphs:\n  knowledge:\n    schema: people.pg\n'
validate --config crlf
expect_exit 0
s=$(sha256_file crlf/people.pg)
[ "$s" != "$SCHEMA_A_DIGEST" ]
check $? "test setup: CRLF schema has the LF digest"
expect_resource schema.knowledge schema "$s" crlf/people.pg
expect_resource graph.knowledge graph "$(graph_digest knowledge "$s")" -

finish
