/*
 * Unit tests for the typed decode of cluster.yaml (cluster.md §2.1, §2.2,
 * §4.1 step 4): every field of a full config, the scalar rules of the YAML
 * 1.2 core schema, the three `queries` forms, and the error details
 * (closed mappings, required keys, wrong types, YAML syntax) with their
 * path prefix and position.  Also the identifier rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "engine/config.h"

/* ---- helpers ----------------------------------------------------------- */

static void decode_ok(const char *text, struct cfs_config *cfg)
{
	char *detail = NULL;
	int rc = cfs_config_decode(text, strlen(text), cfg, &detail);

	if (rc != 0)
		print_error("unexpected decode failure: %s\n", detail ? detail : "(no detail)");
	assert_int_equal(rc, 0);
	assert_null(detail);
}

/*
 * Decode must fail; *detail must contain every non-NULL phrase given.
 * Returns the detail for further checks (caller frees).
 */
static char *decode_err(const char *text, const char *want1, const char *want2)
{
	struct cfs_config cfg;
	char *detail = NULL;
	int rc = cfs_config_decode(text, strlen(text), &cfg, &detail);

	assert_int_equal(rc, -1);
	assert_non_null(detail);
	if (want1 && !strstr(detail, want1))
		print_error("detail \"%s\" lacks \"%s\"\n", detail, want1);
	if (want2 && !strstr(detail, want2))
		print_error("detail \"%s\" lacks \"%s\"\n", detail, want2);
	assert_true(!want1 || strstr(detail, want1));
	assert_true(!want2 || strstr(detail, want2));
	return detail;
}

static void expect_err(const char *text, const char *want1, const char *want2)
{
	free(decode_err(text, want1, want2));
}

/* ---- a full config ----------------------------------------------------- */

static const char FULL[] =
	"# a complete cluster.yaml\n"
	"version: 1\n"
	"metadata:\n"
	"  name: demo\n"
	"storage: s3://bucket/prefix/\n"
	"state:\n"
	"  backend: cluster\n"
	"  lock: false\n"
	"providers:\n"
	"  embedding:\n"
	"    zeta:\n"
	"      kind: mock\n"
	"      model: recorded-x\n"
	"    alpha:\n"
	"      provider: openai\n"
	"      base_url: https://api.example/v1\n"
	"      model: text-embedding-3-small\n"
	"      api_key: ${OPENAI_KEY}\n"
	"graphs:\n"
	"  zoo:\n"
	"    schema: zoo.pg\n"
	"    queries:\n"
	"      zq2: { file: b.gq }\n"
	"      zq1:\n"
	"        file: a.gq\n"
	"    embedding_provider: provider.embedding.alpha\n"
	"    external_blobs:\n"
	"      allow:\n"
	"        - base: s3://assets/zoo/\n"
	"          scope: server_safe\n"
	"        - { base: 'file:///data/zoo/', scope: embedded_only }\n"
	"  alpha:\n"
	"    schema: 123\n"
	"    queries: queries/\n"
	"  mid:\n"
	"    schema: ./m.pg\n"
	"    queries: [people.gq, extra/a.gq, dir/]\n"
	"policies:\n"
	"  pz:\n"
	"    file: z.policy.yaml\n"
	"    applies_to: [cluster]\n"
	"  pa:\n"
	"    file: a.policy.yaml\n"
	"    applies_to:\n"
	"      - zoo\n"
	"      - graph.alpha\n";

static void test_full_config_header(void **state)
{
	struct cfs_config c;

	(void)state;
	decode_ok(FULL, &c);
	assert_int_equal(c.version, 1);
	assert_string_equal(c.metadata_name, "demo");
	assert_string_equal(c.storage, "s3://bucket/prefix/");
	assert_string_equal(c.state_backend, "cluster");
	assert_int_equal(c.state_lock, 0);
	cfs_config_free(&c);
}

static void test_full_config_providers_sorted(void **state)
{
	struct cfs_config c;

	(void)state;
	decode_ok(FULL, &c);
	assert_int_equal(c.nproviders, 2);
	assert_string_equal(c.providers[0].name, "alpha");
	assert_string_equal(c.providers[0].kind, "openai");    /* alias `provider` */
	assert_string_equal(c.providers[0].base_url, "https://api.example/v1");
	assert_string_equal(c.providers[0].model, "text-embedding-3-small");
	assert_string_equal(c.providers[0].api_key, "${OPENAI_KEY}");
	assert_string_equal(c.providers[1].name, "zeta");
	assert_string_equal(c.providers[1].kind, "mock");
	assert_null(c.providers[1].base_url);
	assert_string_equal(c.providers[1].model, "recorded-x");
	assert_null(c.providers[1].api_key);
	cfs_config_free(&c);
}

static void test_full_config_graphs_sorted(void **state)
{
	struct cfs_config c;

	(void)state;
	decode_ok(FULL, &c);
	assert_int_equal(c.ngraphs, 3);
	assert_string_equal(c.graphs[0].id, "alpha");
	assert_string_equal(c.graphs[1].id, "mid");
	assert_string_equal(c.graphs[2].id, "zoo");

	const struct cfs_graph_cfg *a = &c.graphs[0], *m = &c.graphs[1], *z = &c.graphs[2];
	assert_string_equal(a->schema, "123");                 /* number as a string field */
	assert_int_equal(a->qform, CFS_QUERIES_PATH);
	assert_string_equal(a->qpath, "queries/");
	assert_null(a->embedding_provider);
	assert_int_equal(a->nallow, 0);

	assert_string_equal(m->schema, "./m.pg");              /* verbatim, not normalized */
	assert_int_equal(m->qform, CFS_QUERIES_LIST);
	assert_int_equal(m->nqlist, 3);
	assert_string_equal(m->qlist[0], "people.gq");         /* list keeps declared order */
	assert_string_equal(m->qlist[1], "extra/a.gq");
	assert_string_equal(m->qlist[2], "dir/");

	assert_string_equal(z->schema, "zoo.pg");
	assert_int_equal(z->qform, CFS_QUERIES_MAP);
	assert_int_equal(z->nqmap, 2);
	assert_string_equal(z->qmap[0].name, "zq1");           /* map sorted by name */
	assert_string_equal(z->qmap[0].file, "a.gq");
	assert_string_equal(z->qmap[1].name, "zq2");
	assert_string_equal(z->qmap[1].file, "b.gq");
	assert_string_equal(z->embedding_provider, "provider.embedding.alpha");
	assert_int_equal(z->nallow, 2);                         /* allow keeps declared order */
	assert_string_equal(z->allow[0].base, "s3://assets/zoo/");
	assert_string_equal(z->allow[0].scope, "server_safe");
	assert_string_equal(z->allow[1].base, "file:///data/zoo/");
	assert_string_equal(z->allow[1].scope, "embedded_only");
	cfs_config_free(&c);
}

static void test_full_config_policies_sorted(void **state)
{
	struct cfs_config c;

	(void)state;
	decode_ok(FULL, &c);
	assert_int_equal(c.npolicies, 2);
	assert_string_equal(c.policies[0].name, "pa");
	assert_string_equal(c.policies[0].file, "a.policy.yaml");
	assert_int_equal(c.policies[0].napplies_to, 2);
	assert_string_equal(c.policies[0].applies_to[0], "zoo");         /* as declared */
	assert_string_equal(c.policies[0].applies_to[1], "graph.alpha");
	assert_string_equal(c.policies[1].name, "pz");
	assert_string_equal(c.policies[1].file, "z.policy.yaml");
	assert_int_equal(c.policies[1].napplies_to, 1);
	assert_string_equal(c.policies[1].applies_to[0], "cluster");
	cfs_config_free(&c);
}

static void test_minimal_config_defaults(void **state)
{
	struct cfs_config c;

	(void)state;
	decode_ok("version: 1\n", &c);
	assert_int_equal(c.version, 1);
	assert_null(c.metadata_name);
	assert_null(c.storage);
	assert_null(c.state_backend);
	assert_int_equal(c.state_lock, -1);
	assert_int_equal(c.nproviders, 0);
	assert_int_equal(c.ngraphs, 0);
	assert_int_equal(c.npolicies, 0);
	cfs_config_free(&c);
}

/* ---- scalars ----------------------------------------------------------- */

static void expect_lock(const char *spelling, int want)
{
	char *text = cfs_xasprintf("version: 1\nstate:\n  lock: %s\n", spelling);
	struct cfs_config c;

	decode_ok(text, &c);
	assert_int_equal(c.state_lock, want);
	cfs_config_free(&c);
	free(text);
}

static void test_state_lock_bool_spellings(void **state)
{
	(void)state;
	expect_lock("true", 1);
	expect_lock("True", 1);
	expect_lock("TRUE", 1);
	expect_lock("false", 0);
	expect_lock("False", 0);
	expect_lock("FALSE", 0);
	expect_lock("", -1);
	expect_lock("~", -1);
	expect_lock("null", -1);
}

static void test_state_lock_absent(void **state)
{
	struct cfs_config c;

	(void)state;
	decode_ok("version: 1\nstate:\n  backend: cluster\n", &c);
	assert_int_equal(c.state_lock, -1);
	cfs_config_free(&c);
	decode_ok("version: 1\nstate:\n", &c);
	assert_int_equal(c.state_lock, -1);
	assert_null(c.state_backend);
	cfs_config_free(&c);
}

static void test_null_tilde_empty_are_absent(void **state)
{
	struct cfs_config c;

	(void)state;
	decode_ok("version: 1\n"
		  "metadata:\n  name: ~\n"
		  "storage: null\n"
		  "state:\n  backend:\n  lock: ~\n"
		  "providers:\n  embedding:\n    p:\n      kind: ~\n      model:\n"
		  "graphs:\n"
		  "  g:\n    schema: s.pg\n    queries: null\n    embedding_provider: ~\n"
		  "    external_blobs:\n"
		  "  h:\n    schema: t.pg\n    external_blobs:\n      allow: ~\n"
		  "policies:\n",
		  &c);
	assert_null(c.metadata_name);
	assert_null(c.storage);
	assert_null(c.state_backend);
	assert_int_equal(c.state_lock, -1);
	assert_int_equal(c.nproviders, 1);
	assert_null(c.providers[0].kind);
	assert_null(c.providers[0].model);
	assert_int_equal(c.ngraphs, 2);
	assert_int_equal(c.graphs[0].qform, CFS_QUERIES_MAP);
	assert_int_equal(c.graphs[0].nqmap, 0);
	assert_null(c.graphs[0].embedding_provider);
	assert_int_equal(c.graphs[0].nallow, 0);
	assert_int_equal(c.graphs[1].nallow, 0);
	assert_int_equal(c.npolicies, 0);
	cfs_config_free(&c);
}

static void test_quoted_null_is_a_string(void **state)
{
	struct cfs_config c;

	(void)state;
	decode_ok("version: 1\nmetadata:\n  name: \"null\"\nstorage: '~'\n"
		  "graphs:\n  g:\n    schema: \"null\"\n    embedding_provider: ''\n", &c);
	assert_string_equal(c.metadata_name, "null");
	assert_string_equal(c.storage, "~");
	assert_string_equal(c.graphs[0].schema, "null");
	assert_non_null(c.graphs[0].embedding_provider);       /* quoted empty is a string */
	assert_string_equal(c.graphs[0].embedding_provider, "");
	cfs_config_free(&c);
}

static void test_any_scalar_text_for_string_fields(void **state)
{
	struct cfs_config c;

	(void)state;
	decode_ok("version: 1\nmetadata:\n  name: 1.5\nstorage: true\n"
		  "providers:\n  embedding:\n    p:\n      model: 0x1F\n"
		  "graphs:\n  g:\n    schema: 123\n", &c);
	assert_string_equal(c.metadata_name, "1.5");
	assert_string_equal(c.storage, "true");
	assert_string_equal(c.providers[0].model, "0x1F");     /* the text, not the value */
	assert_string_equal(c.graphs[0].schema, "123");
	cfs_config_free(&c);
}

static void test_version_integer_forms(void **state)
{
	struct cfs_config c;

	(void)state;
	decode_ok("version: 2\n", &c);          /* decodes; the header check rejects it */
	assert_int_equal(c.version, 2);
	cfs_config_free(&c);
	decode_ok("version: 0\n", &c);
	assert_int_equal(c.version, 0);
	cfs_config_free(&c);
	decode_ok("version: +1\n", &c);
	assert_int_equal(c.version, 1);
	cfs_config_free(&c);
	/* serde_yaml 0.9 integer spellings */
	decode_ok("version: 0b1\n", &c);
	assert_int_equal(c.version, 1);
	cfs_config_free(&c);
	decode_ok("version: +0x1F\n", &c);
	assert_int_equal(c.version, 31);
	cfs_config_free(&c);
	decode_ok("version: 0o17\n", &c);
	assert_int_equal(c.version, 15);
	cfs_config_free(&c);
	decode_ok("version: -0\n", &c);         /* the integer 0, not a negative */
	assert_int_equal(c.version, 0);
	cfs_config_free(&c);
}

/* ---- queries forms ----------------------------------------------------- */

static void test_queries_form_a_path(void **state)
{
	struct cfs_config c;

	(void)state;
	decode_ok("version: 1\ngraphs:\n  g:\n    schema: s.pg\n    queries: people.gq\n", &c);
	assert_int_equal(c.graphs[0].qform, CFS_QUERIES_PATH);
	assert_string_equal(c.graphs[0].qpath, "people.gq");
	assert_int_equal(c.graphs[0].nqlist, 0);
	assert_int_equal(c.graphs[0].nqmap, 0);
	cfs_config_free(&c);
}

/* Only a scalar the reference reads as a number or boolean fails the
 * untagged `queries`; text that merely contains ".inf", a leading-zero
 * decimal (a string in YAML 1.2) or an infinite float is a path. */
static void test_queries_path_that_looks_numeric(void **state)
{
	static const char *const paths[] = { "old.info", "q/my.Inf", "a.INFO/", "007", "-01", "1e400",
					     "0x", "0b12", "+-1", ".info", "nan", "inf", NULL };
	static const char *const typed[] = { ".inf", "-.Inf", "+.INF", ".nan", "1.5", "-2e3", "5", "0",
					     "0x1f", "-0o7", "0b1", "true", NULL };
	struct cfs_config c;

	(void)state;
	for (int i = 0; paths[i]; i++) {
		char *y = cfs_xasprintf("version: 1\ngraphs:\n  g:\n    schema: s.pg\n    queries: %s\n", paths[i]);
		decode_ok(y, &c);
		assert_int_equal(c.graphs[0].qform, CFS_QUERIES_PATH);
		assert_string_equal(c.graphs[0].qpath, paths[i]);
		cfs_config_free(&c);
		free(y);
	}
	for (int i = 0; typed[i]; i++) {
		char *y = cfs_xasprintf("version: 1\ngraphs:\n  g:\n    schema: s.pg\n    queries: %s\n", typed[i]);
		expect_err(y, "graphs.g.queries: data did not match any variant of untagged enum QueriesDecl", NULL);
		free(y);
	}
}

static void test_queries_form_b_list(void **state)
{
	struct cfs_config c;

	(void)state;
	decode_ok("version: 1\ngraphs:\n  g:\n    schema: s.pg\n    queries:\n      - queries/\n      - x.gq\n", &c);
	assert_int_equal(c.graphs[0].qform, CFS_QUERIES_LIST);
	assert_int_equal(c.graphs[0].nqlist, 2);
	assert_string_equal(c.graphs[0].qlist[0], "queries/");
	assert_string_equal(c.graphs[0].qlist[1], "x.gq");
	cfs_config_free(&c);

	decode_ok("version: 1\ngraphs:\n  g:\n    schema: s.pg\n    queries: []\n", &c);
	assert_int_equal(c.graphs[0].qform, CFS_QUERIES_LIST);
	assert_int_equal(c.graphs[0].nqlist, 0);
	cfs_config_free(&c);
}

static void test_queries_form_c_map(void **state)
{
	struct cfs_config c;

	(void)state;
	decode_ok("version: 1\ngraphs:\n  g:\n    schema: s.pg\n"
		  "    queries: { find_experts: { file: knowledge.gq }, a_first: { file: a.gq } }\n", &c);
	assert_int_equal(c.graphs[0].qform, CFS_QUERIES_MAP);
	assert_int_equal(c.graphs[0].nqmap, 2);
	assert_string_equal(c.graphs[0].qmap[0].name, "a_first");
	assert_string_equal(c.graphs[0].qmap[0].file, "a.gq");
	assert_string_equal(c.graphs[0].qmap[1].name, "find_experts");
	assert_string_equal(c.graphs[0].qmap[1].file, "knowledge.gq");
	cfs_config_free(&c);

	decode_ok("version: 1\ngraphs:\n  g:\n    schema: s.pg\n    queries: {}\n", &c);
	assert_int_equal(c.graphs[0].qform, CFS_QUERIES_MAP);
	assert_int_equal(c.graphs[0].nqmap, 0);
	cfs_config_free(&c);
}

static void test_queries_form_c_errors(void **state)
{
	(void)state;
	expect_err("version: 1\ngraphs:\n  g:\n    schema: s.pg\n    queries:\n      q: { path: a.gq }\n",
		   "graphs.g.queries.q: ", "unknown field `path`");
	expect_err("version: 1\ngraphs:\n  g:\n    schema: s.pg\n    queries:\n      q: {}\n",
		   "graphs.g.queries.q: ", "missing field `file`");
	expect_err("version: 1\ngraphs:\n  g:\n    schema: s.pg\n    queries:\n      q:\n",
		   "graphs.g.queries.q: ", "missing field `file`");
}

/* ---- errors ------------------------------------------------------------ */

static void test_unknown_field_top_level(void **state)
{
	char *d;

	(void)state;
	d = decode_err("version: 1\nfoo: 2\n", "unknown field `foo`", "at line 2 column 1");
	assert_string_equal(d, "unknown field `foo`, expected one of `version`, `metadata`, `storage`, "
			       "`state`, `providers`, `graphs`, `policies` at line 2 column 1");
	free(d);
}

static void test_unknown_field_nested(void **state)
{
	char *d;

	(void)state;
	d = decode_err("version: 1\ngraphs:\n  g:\n    schema: s.pg\n    foo: 1\n",
		       "graphs.g: ", "unknown field `foo`");
	assert_true(strncmp(d, "graphs.g: unknown field `foo`", 29) == 0);
	assert_non_null(strstr(d, "at line 5 column 5"));
	free(d);

	expect_err("version: 1\nmetadata:\n  name: x\n  foo: y\n", "metadata: unknown field `foo`", "at line 4 column 3");
	expect_err("version: 1\nstate:\n  foo: y\n", "state: unknown field `foo`", "at line 3 column 3");
	expect_err("version: 1\nproviders:\n  foo: {}\n", "providers: unknown field `foo`", NULL);
	expect_err("version: 1\nproviders:\n  embedding:\n    p:\n      foo: x\n",
		   "providers.embedding.p: unknown field `foo`", "at line 5 column 7");
	expect_err("version: 1\ngraphs:\n  g:\n    schema: s\n    external_blobs:\n      foo: []\n",
		   "graphs.g.external_blobs: unknown field `foo`", NULL);
	expect_err("version: 1\ngraphs:\n  g:\n    schema: s\n    external_blobs:\n      allow:\n"
		   "        - { base: 's3://b/x/', scope: server_safe, foo: 1 }\n",
		   "graphs.g.external_blobs.allow[0]: unknown field `foo`", NULL);
	expect_err("version: 1\npolicies:\n  p:\n    file: f\n    applies_to: [g]\n    foo: 1\n",
		   "policies.p: unknown field `foo`", "at line 6 column 5");
}

static void test_missing_version(void **state)
{
	(void)state;
	expect_err("metadata:\n  name: x\n", "missing field `version`", NULL);
	expect_err("", "missing field `version`", NULL);
	expect_err("# only a comment\n", "missing field `version`", NULL);
	expect_err("version:\n", "version", NULL);      /* null is absent, not a u32 */
}

static void test_missing_required_nested(void **state)
{
	(void)state;
	expect_err("version: 1\ngraphs:\n  g:\n    queries: q/\n", "graphs.g: ", "missing field `schema`");
	expect_err("version: 1\ngraphs:\n  g:\n", "graphs.g: ", "missing field `schema`");
	expect_err("version: 1\npolicies:\n  p:\n    applies_to: [g]\n", "policies.p: ", "missing field `file`");
	expect_err("version: 1\npolicies:\n  p:\n    file: p.yaml\n", "policies.p: ", "missing field `applies_to`");
	expect_err("version: 1\ngraphs:\n  g:\n    schema: s\n    external_blobs:\n      allow:\n"
		   "        - scope: server_safe\n",
		   "graphs.g.external_blobs.allow[0]: ", "missing field `base`");
	expect_err("version: 1\ngraphs:\n  g:\n    schema: s\n    external_blobs:\n      allow:\n"
		   "        - base: s3://b/x/\n",
		   "graphs.g.external_blobs.allow[0]: ", "missing field `scope`");
}

static void test_version_wrong_types(void **state)
{
	(void)state;
	expect_err("version: \"1\"\n", "version: invalid type", "at line 1 column 10");
	expect_err("version: '1'\n", "version: invalid type", NULL);
	expect_err("version: 1.5\n", "version: invalid type", "at line 1 column 10");
	expect_err("version: -1\n", "version: invalid value", "at line 1 column 10");
	expect_err("version: 4294967296\n", "version: invalid value", NULL);
	expect_err("version: true\n", "version: invalid type", NULL);
	expect_err("version: [1]\n", "version: invalid type", NULL);
	/* YAML 1.2: a leading-zero decimal is a string, not 1 */
	expect_err("version: 01\n", "version: invalid type: string \"01\", expected u32", NULL);
	expect_err("version: +-1\n", "version: invalid type: string", NULL);
	expect_err("version: {a: 1}\n", "version: invalid type", NULL);
}

static void test_state_lock_wrong_type(void **state)
{
	(void)state;
	expect_err("version: 1\nstate:\n  lock: maybe\n", "state.lock: invalid type", "at line 3 column 9");
	/* YAML 1.2 core schema: yes/no/on/off are strings, not booleans */
	expect_err("version: 1\nstate:\n  lock: yes\n", "state.lock: invalid type", NULL);
	expect_err("version: 1\nstate:\n  lock: \"true\"\n", "state.lock: invalid type", NULL);
	expect_err("version: 1\nstate:\n  lock: 1\n", "state.lock: invalid type", NULL);
}

static void test_wrong_container_types(void **state)
{
	(void)state;
	expect_err("version: 1\ngraphs:\n  - g\n", "graphs: invalid type", "sequence");
	expect_err("version: 1\ngraphs: g\n", "graphs: invalid type", NULL);
	expect_err("version: 1\npolicies:\n  p:\n    file: f\n    applies_to: g\n",
		   "policies.p.applies_to: invalid type", "at line 5 column 17");
	expect_err("version: 1\npolicies:\n  p:\n    file: f\n    applies_to: [[g]]\n",
		   "policies.p.applies_to[0]: invalid type", NULL);
	expect_err("version: 1\nmetadata: [a]\n", "metadata: invalid type", NULL);
	expect_err("version: 1\nmetadata:\n  name: [a]\n", "metadata.name: invalid type", NULL);
	expect_err("version: 1\ngraphs:\n  g:\n    schema: {a: b}\n", "graphs.g.schema: invalid type", "map");
	expect_err("version: 1\ngraphs:\n  g:\n    schema: s\n    external_blobs:\n      allow: s3://b/\n",
		   "graphs.g.external_blobs.allow: invalid type", NULL);
}

static void test_blob_scope_unknown_variant(void **state)
{
	(void)state;
	expect_err("version: 1\ngraphs:\n  g:\n    schema: s\n    external_blobs:\n      allow:\n"
		   "        - base: s3://b/x/\n          scope: bogus\n",
		   "graphs.g.external_blobs.allow[0].scope: ", "unknown variant `bogus`");
	expect_err("version: 1\ngraphs:\n  g:\n    schema: s\n    external_blobs:\n      allow:\n"
		   "        - base: s3://b/x/\n          scope: bogus\n",
		   "at line 8 column 18", NULL);
}

static void test_kind_and_provider_alias_together(void **state)
{
	(void)state;
	expect_err("version: 1\nproviders:\n  embedding:\n    p:\n      kind: mock\n      provider: openai\n",
		   "providers.embedding.p", "duplicate field `kind`");
	expect_err("version: 1\nproviders:\n  embedding:\n    p:\n      provider: mock\n      kind: openai\n",
		   "providers.embedding.p", "duplicate field `kind`");
}

static void test_top_level_not_a_mapping(void **state)
{
	(void)state;
	expect_err("- version\n- 1\n", "invalid type: sequence", "at line 1 column 1");
	expect_err("hello\n", "invalid type", NULL);
}

static void test_malformed_yaml(void **state)
{
	char *d;

	(void)state;
	d = decode_err("a: [1, 2", "did not find expected", "at line 2 column 1");
	free(d);
	d = decode_err("version: 1\ngraphs:\n  g:\n schema: x\n   bad\n", "at line 4 column 2", NULL);
	free(d);
	expect_err("version: 1\nmetadata: {name: x\n", "at line", NULL);
	expect_err("version: 1\nstorage: \"unterminated\n", "at line", NULL);
}

static void test_two_documents(void **state)
{
	(void)state;
	expect_err("version: 1\n---\nversion: 1\n", "more than one document", NULL);
	expect_err("---\nversion: 1\n...\n---\nmetadata: {}\n", "more than one document", NULL);
	/* the whole stream is read: a broken later document is a YAML error */
	expect_err("version: 1\n---\nfoo: [unclosed\n", "at line 4 column 1", NULL);
	expect_err("version: 1\n...\n: : bad [\n", "at line", NULL);
}

static void test_duplicate_keys_in_decoder(void **state)
{
	(void)state;
	/* flow mappings on one line escape the line-based pre-scan */
	expect_err("{version: 1, version: 1}\n", "duplicate", "version");
	expect_err("version: 1\ngraphs: {g: {schema: a}, g: {schema: b}}\n", "graphs: ", "duplicate");
}

/* ---- identifier rule --------------------------------------------------- */

static void test_valid_id(void **state)
{
	static const char *const good[] = { "a", "_", "A", "knowledge", "a-b_c", "_x-1", "Z9",
					    "find_person", "a--", NULL };
	static const char *const bad[] = { "", "1a", "-a", "a.b", "a b", "a/b", "a$", "\xc3\xa9t\xc3\xa9",
					   "a\xc3\xa9", " a", "a ", "a:b", NULL };

	(void)state;
	for (int i = 0; good[i]; i++) {
		if (!cfs_config_valid_id(good[i]))
			print_error("expected valid: '%s'\n", good[i]);
		assert_true(cfs_config_valid_id(good[i]));
	}
	for (int i = 0; bad[i]; i++) {
		if (cfs_config_valid_id(bad[i]))
			print_error("expected invalid: '%s'\n", bad[i]);
		assert_false(cfs_config_valid_id(bad[i]));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_config_header),
		cmocka_unit_test(test_full_config_providers_sorted),
		cmocka_unit_test(test_full_config_graphs_sorted),
		cmocka_unit_test(test_full_config_policies_sorted),
		cmocka_unit_test(test_minimal_config_defaults),
		cmocka_unit_test(test_state_lock_bool_spellings),
		cmocka_unit_test(test_state_lock_absent),
		cmocka_unit_test(test_null_tilde_empty_are_absent),
		cmocka_unit_test(test_quoted_null_is_a_string),
		cmocka_unit_test(test_any_scalar_text_for_string_fields),
		cmocka_unit_test(test_version_integer_forms),
		cmocka_unit_test(test_queries_form_a_path),
		cmocka_unit_test(test_queries_path_that_looks_numeric),
		cmocka_unit_test(test_queries_form_b_list),
		cmocka_unit_test(test_queries_form_c_map),
		cmocka_unit_test(test_queries_form_c_errors),
		cmocka_unit_test(test_unknown_field_top_level),
		cmocka_unit_test(test_unknown_field_nested),
		cmocka_unit_test(test_missing_version),
		cmocka_unit_test(test_missing_required_nested),
		cmocka_unit_test(test_version_wrong_types),
		cmocka_unit_test(test_state_lock_wrong_type),
		cmocka_unit_test(test_wrong_container_types),
		cmocka_unit_test(test_blob_scope_unknown_variant),
		cmocka_unit_test(test_kind_and_provider_alias_together),
		cmocka_unit_test(test_top_level_not_a_mapping),
		cmocka_unit_test(test_malformed_yaml),
		cmocka_unit_test(test_two_documents),
		cmocka_unit_test(test_duplicate_keys_in_decoder),
		cmocka_unit_test(test_valid_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
