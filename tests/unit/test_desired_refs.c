/*
 * Unit tests for the references a desired cluster resolves (cluster.md
 * §2.1, §2.3-§2.5, §3, policy.md §5): policy bindings and their checks,
 * embedding provider profiles and graph references to them, dependency
 * edges, external Blob policies per graph, and the identifier rule.
 */
#include "desired_harness.h"

/* ---- policies ---------------------------------------------------------- */

static const char TWO_GRAPHS[] = "version: 1\ngraphs:\n  g1:\n    schema: s.pg\n  g2:\n    schema: s.pg\n";

#define SERVER_POLICY "version: 1\ngroups: {ops: [act-ops]}\n" \
		      "rules:\n  - {id: ops-list, allow: {actors: {group: ops}, actions: [graph_list]}}\n"
#define GRAPH_POLICY "version: 1\ngroups: {ops: [act-ops]}\n" \
		     "rules:\n  - {id: ops-read, allow: {actors: {group: ops}, actions: [read]}}\n"

static void test_policy_binding_normalization(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	put(c->dir, "s.pg", PG);
	put(c->dir, "p.yaml", POLICY);
	put(c->dir, "s.yaml", SERVER_POLICY);
	load(c, S(c, "%spolicies:\n  srv:\n    file: s.yaml\n    applies_to: [cluster, cluster]\n"
		     "  p:\n    file: p.yaml\n    applies_to: [g2, graph.g1, g1, g2]\n", TWO_GRAPHS), &des, &d);
	expect_count(&d, 0);
	assert_int_equal(des.cfg.npolicies, 2);
	assert_string_equal(des.policies[0].name, "p");
	assert_int_equal(des.policies[0].nbindings, 2);
	assert_string_equal(des.policies[0].bindings[0], "graph.g1");
	assert_string_equal(des.policies[0].bindings[1], "graph.g2");
	assert_string_equal(des.policies[1].name, "srv");
	assert_int_equal(des.policies[1].nbindings, 1);
	assert_string_equal(des.policies[1].bindings[0], "cluster");
	/* declared list is kept verbatim for the config digest */
	assert_int_equal(des.cfg.policies[0].napplies_to, 4);
	expect_resource(&des, "policy.p", "policy", sha(c, POLICY), S(c, "%s/p.yaml", c->dir));
	cleanup(&des, &d);
}

static void test_policy_reference_errors(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	put(c->dir, "s.pg", PG);
	put(c->dir, "p.yaml", POLICY);
	load(c, S(c, "%spolicies:\n  p:\n    file: p.yaml\n    applies_to: [g1, nope, schema.g1, graph.gone]\n",
		  TWO_GRAPHS), &des, &d);
	expect_count(&d, 3);
	expect_at(&d, 0, CFS_ERROR, "dangling_graph_reference", "policies.p.applies_to[1]",
		  "policy references graph `nope`, but no graph with that id is declared");
	expect_at(&d, 1, CFS_ERROR, "wrong_kind_reference", "policies.p.applies_to[2]",
		  "policy applies_to expects graph refs or `cluster`, got `schema.g1`");
	expect_at(&d, 2, CFS_ERROR, "dangling_graph_reference", "policies.p.applies_to[3]",
		  "policy references graph `gone`, but no graph with that id is declared");
	cleanup(&des, &d);
}

static void test_policy_mixed_and_missing(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	put(c->dir, "s.pg", PG);
	put(c->dir, "p.yaml", POLICY);
	load(c, S(c, "%spolicies:\n  mixed:\n    file: p.yaml\n    applies_to: [cluster, g1]\n"
		     "  none:\n    file: p.yaml\n    applies_to: []\n", TWO_GRAPHS), &des, &d);
	expect_count(&d, 2);
	expect_at(&d, 0, CFS_ERROR, "policy_mixed_binding_kinds", "policies.mixed.applies_to",
		  "one policy bundle cannot bind both `cluster` and graph scopes; split server and graph rules "
		  "into separate bundles");
	expect_at(&d, 1, CFS_ERROR, "policy_missing_applies_to", "policies.none.applies_to",
		  "policy.applies_to must name `cluster` or at least one graph");
	cleanup(&des, &d);
}

static void test_duplicate_policy_binding(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	put(c->dir, "s.pg", PG);
	put(c->dir, "p.yaml", POLICY);
	/* declared b first: bundles are checked in name order, so `a` is first */
	load(c, S(c, "%spolicies:\n"
		     "  b:\n    file: p.yaml\n    applies_to: [graph.g1]\n"
		     "  a:\n    file: p.yaml\n    applies_to: [g1, g2]\n"
		     "  s2:\n    file: p.yaml\n    applies_to: [cluster]\n"
		     "  s1:\n    file: p.yaml\n    applies_to: [cluster]\n", TWO_GRAPHS), &des, &d);
	expect_count(&d, 2);
	expect_at(&d, 0, CFS_ERROR, "duplicate_policy_binding", "policies.b.applies_to",
		  "policy bundles `a` and `b` both bind `graph.g1`; merge them or leave exactly one bundle for that scope");
	expect_at(&d, 1, CFS_ERROR, "duplicate_policy_binding", "policies.s2.applies_to",
		  "policy bundles `s1` and `s2` both bind `cluster`; merge them or leave exactly one bundle for that scope");
	cleanup(&des, &d);
}

static void test_policy_file_missing_and_bad_name(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	put(c->dir, "s.pg", PG);
	put(c->dir, "p.yaml", POLICY);
	load(c, S(c, "%spolicies:\n  1p:\n    file: p.yaml\n    applies_to: [g1]\n"
		     "  q:\n    file: nope.yaml\n    applies_to: [g2]\n", TWO_GRAPHS), &des, &d);
	expect_count(&d, 2);
	expect_at(&d, 0, CFS_ERROR, "invalid_resource_id", "policies.1p",
		  "policy name `1p` must start with a letter or `_` and contain only ASCII letters, digits, `_`, or `-`");
	expect_at(&d, 1, CFS_ERROR, "policy_file_missing", "policies.q.file",
		  S(c, "could not read policy file '%s/nope.yaml': %s", c->dir, strerror(ENOENT)));
	cleanup(&des, &d);
}

/*
 * policy_invalid (policy.md §5): the bundle is loaded as a server bundle when
 * it binds `cluster` only, as a graph bundle when it binds graphs only, and
 * without kind alignment otherwise; its digest is recorded either way.
 */
static void test_policy_invalid(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	put(c->dir, "s.pg", PG);
	put(c->dir, "server.yaml", SERVER_POLICY);
	put(c->dir, "graph.yaml", GRAPH_POLICY);
	put(c->dir, "broken.yaml", "version: 1\nrules:\n  - id: r\n    deny: {}\n");
	load(c, S(c, "%spolicies:\n"
		     "  a_srv_as_graph:\n    file: server.yaml\n    applies_to: [g1]\n"
		     "  b_graph_as_srv:\n    file: graph.yaml\n    applies_to: [cluster]\n"
		     "  c_ok_graph:\n    file: graph.yaml\n    applies_to: [g2, gone]\n"
		     "  d_mixed:\n    file: server.yaml\n    applies_to: [graph.g2, cluster]\n"
		     "  e_broken:\n    file: broken.yaml\n    applies_to: []\n", TWO_GRAPHS), &des, &d);
	expect_count(&d, 8);
	expect_at(&d, 0, CFS_ERROR, "policy_invalid", "policies.a_srv_as_graph.file",
		  S(c, "policy file '%s/server.yaml' is invalid: policy rule 'ops-list' uses server-scoped action "
		       "'graph_list' in a Graph policy file; move it to a server policy file", c->dir));
	expect_at(&d, 1, CFS_ERROR, "policy_invalid", "policies.b_graph_as_srv.file",
		  S(c, "policy file '%s/graph.yaml' is invalid: policy rule 'ops-read' uses per-graph action "
		       "'read' in a Server policy file; move it to a per-graph policy file", c->dir));
	/* a dangling binding still makes it a graph bundle: no policy_invalid */
	expect_at(&d, 2, CFS_ERROR, "dangling_graph_reference", "policies.c_ok_graph.applies_to[1]", NULL);
	/* both kinds: the binding errors speak, the file is only parsed */
	expect_at(&d, 3, CFS_ERROR, "policy_mixed_binding_kinds", "policies.d_mixed.applies_to", NULL);
	expect_at(&d, 4, CFS_ERROR, "duplicate_policy_binding", "policies.d_mixed.applies_to", NULL);
	expect_at(&d, 5, CFS_ERROR, "duplicate_policy_binding", "policies.d_mixed.applies_to", NULL);
	expect_at(&d, 6, CFS_ERROR, "policy_missing_applies_to", "policies.e_broken.applies_to", NULL);
	expect_at(&d, 7, CFS_ERROR, "policy_invalid", "policies.e_broken.file",
		  S(c, "policy file '%s/broken.yaml' is invalid: rules[0]: unknown field `deny`, expected `id` or "
		       "`allow` at line 4 column 5", c->dir));
	expect_resource(&des, "policy.a_srv_as_graph", "policy", sha(c, SERVER_POLICY), S(c, "%s/server.yaml", c->dir));
	expect_resource(&des, "policy.e_broken", "policy", sha(c, "version: 1\nrules:\n  - id: r\n    deny: {}\n"),
			S(c, "%s/broken.yaml", c->dir));
	cleanup(&des, &d);
}

/* ---- providers --------------------------------------------------------- */

static void test_provider_checks(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	load(c, "version: 1\nproviders:\n  embedding:\n"
		"    trimmed: { provider: gemini, api_key: '  ${KEY}  ' }\n"
		"    nokey: { kind: openai }\n"
		"    mocky: { kind: mock, model: m }\n"
		"    inline: { kind: openai, api_key: sk-123 }\n"
		"    dflt: { model: text-embedding-3-small }\n"
		"    blank: { kind: gemini, api_key: '${ }' }\n"
		"    bad: { kind: foo, api_key: '${K}' }\n"
		"    oc: { kind: openai-compatible, base_url: 'http://x', api_key: '${K}' }\n", &des, &d);
	/* name order: bad, blank, dflt, inline, mocky, nokey, oc, trimmed */
	expect_count(&d, 5);
	expect_at(&d, 0, CFS_ERROR, "invalid_embedding_provider", "providers.embedding.bad",
		  "unknown embedding provider 'foo' (expected openai-compatible|openai|gemini|mock)");
	expect_at(&d, 1, CFS_ERROR, "embedding_api_key_inline", "providers.embedding.blank.api_key", NULL);
	expect_at(&d, 2, CFS_ERROR, "embedding_api_key_required", "providers.embedding.dflt.api_key", NULL);
	expect_at(&d, 3, CFS_ERROR, "embedding_api_key_inline", "providers.embedding.inline.api_key",
		  "embedding api_key must be a ${NAME} env reference, not an inline secret");
	expect_at(&d, 4, CFS_ERROR, "embedding_api_key_required", "providers.embedding.nokey.api_key",
		  "non-mock embedding providers must set api_key to a ${NAME} env reference");
	/* secrets are never resolved or echoed */
	for (size_t i = 0; i < d.n; i++)
		assert_null(strstr(d.v[i].message, "sk-123"));
	assert_int_equal(des.nresources, 8);
	expect_resource(&des, "provider.embedding.mocky", "embedding_provider", NULL, NULL);
	expect_resource(&des, "provider.embedding.bad", "embedding_provider", NULL, NULL);
	cleanup(&des, &d);
}

static void test_provider_name_rule(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	load(c, "version: 1\nproviders:\n  embedding:\n    1x: { kind: mock }\n", &des, &d);
	expect_count(&d, 1);
	expect_at(&d, 0, CFS_ERROR, "invalid_resource_id", "providers.embedding.1x",
		  "embedding provider name `1x` must start with a letter or `_` and contain only ASCII letters, "
		  "digits, `_`, or `-`");
	cleanup(&des, &d);
}

static void test_graph_provider_references(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	put(c->dir, "s.pg", PG);
	load(c, "version: 1\nproviders:\n  embedding:\n    p: { kind: mock }\ngraphs:\n"
		"  a: { schema: s.pg, embedding_provider: p }\n"
		"  b: { schema: s.pg, embedding_provider: provider.embedding.p }\n"
		"  c: { schema: s.pg, embedding_provider: nope }\n"
		"  d: { schema: s.pg, embedding_provider: schema.x }\n"
		"  e: { schema: s.pg, embedding_provider: provider.embedding.missing }\n", &des, &d);
	expect_count(&d, 3);
	expect_at(&d, 0, CFS_ERROR, "dangling_embedding_provider_reference", "graphs.c.embedding_provider",
		  "graph references embedding provider `nope`, but no providers.embedding.nope profile is declared");
	expect_at(&d, 1, CFS_ERROR, "wrong_kind_reference", "graphs.d.embedding_provider",
		  "embedding_provider expects a providers.embedding ref or bare provider name, got `schema.x`");
	expect_at(&d, 2, CFS_ERROR, "dangling_embedding_provider_reference", "graphs.e.embedding_provider",
		  "graph references embedding provider `missing`, but no providers.embedding.missing profile is declared");
	assert_string_equal(des.graphs[0].provider_addr, "provider.embedding.p");
	assert_string_equal(des.graphs[1].provider_addr, "provider.embedding.p");
	assert_null(des.graphs[2].provider_addr);
	assert_null(des.graphs[3].provider_addr);
	assert_null(des.graphs[4].provider_addr);
	cleanup(&des, &d);
}

/* ---- dependencies ------------------------------------------------------ */

static void test_dependencies_sorted_and_unique(void **state)
{
	static const char *const want[][2] = {
		{ "graph.beta", "provider.embedding.p" },
		{ "policy.pol", "graph.alpha" },
		{ "policy.pol", "graph.beta" },
		{ "query.beta.a_q", "graph.beta" },
		{ "query.beta.a_q", "schema.beta" },
		{ "query.beta.b_q", "graph.beta" },
		{ "query.beta.b_q", "schema.beta" },
		{ "schema.alpha", "graph.alpha" },
		{ "schema.beta", "graph.beta" },
	};
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	put(c->dir, "s.pg", PG);
	put(c->dir, "two.gq", TWO_QUERIES);
	put(c->dir, "p.yaml", POLICY);
	load(c, "version: 1\nproviders:\n  embedding:\n    p: { kind: mock }\n"
		"graphs:\n  beta:\n    schema: s.pg\n    queries: two.gq\n    embedding_provider: provider.embedding.p\n"
		"  alpha:\n    schema: s.pg\n"
		"policies:\n  pol:\n    file: p.yaml\n    applies_to: [beta, graph.beta, alpha]\n", &des, &d);
	expect_count(&d, 0);
	assert_int_equal(des.ndeps, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < des.ndeps; i++) {
		assert_string_equal(des.deps[i].from, want[i][0]);
		assert_string_equal(des.deps[i].to, want[i][1]);
	}
	cleanup(&des, &d);
}

/* ---- blob bases and ids ---------------------------------------------- */

static void test_graph_blob_policy(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	put(c->dir, "s.pg", PG);
	load(c, "version: 1\ngraphs:\n"
		"  ok:\n    schema: s.pg\n    external_blobs:\n      allow:\n"
		"        - { base: 'S3://Zed/x', scope: embedded_only }\n"
		"        - { base: 's3://assets/k/', scope: server_safe }\n"
		"  overlap:\n    schema: s.pg\n    external_blobs:\n      allow:\n"
		"        - { base: 's3://b/a/c/', scope: server_safe }\n"
		"        - { base: 's3://b/a/', scope: server_safe }\n"
		"  bad:\n    schema: s.pg\n    external_blobs:\n      allow:\n"
		"        - { base: 's3://b/x/', scope: server_safe }\n"
		"        - { base: 's3://b:9000/y/', scope: server_safe }\n", &des, &d);
	expect_count(&d, 2);
	expect_at(&d, 0, CFS_ERROR, "invalid_external_blob_base", "graphs.bad.external_blobs.allow[1].base",
		  "external blob URI '<redacted>' is not allowed: external Blob URI may not contain an explicit port");
	expect_at(&d, 1, CFS_ERROR, "invalid_external_blob_policy", "graphs.overlap.external_blobs.allow",
		  "external blob URI '<redacted>' is not allowed: external Blob bases 's3://b/a/' and "
		  "'s3://b/a/c/' overlap; configure one unambiguous base");
	/* graphs in id order: bad, ok, overlap; invalid policies are deny */
	assert_int_equal(des.graphs[0].nbases, 0);
	assert_int_equal(des.graphs[1].nbases, 2);
	assert_string_equal(des.graphs[1].bases[0].uri, "s3://assets/k/");
	assert_true(des.graphs[1].bases[0].server_safe);
	assert_string_equal(des.graphs[1].bases[1].uri, "s3://zed/x/");
	assert_false(des.graphs[1].bases[1].server_safe);
	assert_int_equal(des.graphs[2].nbases, 0);
	cleanup(&des, &d);
}

static void test_resource_id_rules(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	put(c->dir, "s.pg", PG);
	put(c->dir, "q.gq", "query find_person() { match { $p: Person } return { $p } }\n");
	load(c, "version: 1\ngraphs:\n  9g:\n    schema: s.pg\n  g:\n    schema: s.pg\n"
		"    queries: { 9q: { file: q.gq } }\n", &des, &d);
	expect_count(&d, 3);
	expect_at(&d, 0, CFS_ERROR, "invalid_resource_id", "graphs.9g",
		  "graph id `9g` must start with a letter or `_` and contain only ASCII letters, digits, `_`, or `-`");
	expect_at(&d, 1, CFS_ERROR, "invalid_resource_id", "graphs.g.queries.9q",
		  "query name `9q` must start with a letter or `_` and contain only ASCII letters, digits, `_`, or `-`");
	expect_at(&d, 2, CFS_ERROR, "query_key_mismatch", "graphs.g.queries.9q",
		  "no `query 9q` declaration found in the referenced .gq file");
	cleanup(&des, &d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_policy_binding_normalization),
		T(test_policy_reference_errors),
		T(test_policy_mixed_and_missing),
		T(test_duplicate_policy_binding),
		T(test_policy_file_missing_and_bad_name),
		T(test_policy_invalid),
		T(test_provider_checks),
		T(test_provider_name_rule),
		T(test_graph_provider_references),
		T(test_dependencies_sorted_and_unique),
		T(test_graph_blob_policy),
		T(test_resource_id_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
