/*
 * Digest rules of cluster.md §5, checked against the worked examples of
 * §5.6 byte for byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/sha256.h"
#include "core/strbuf.h"
#include "engine/blobbase.h"
#include "engine/desired.h"
#include "engine/digest.h"

#define SCHEMA_A "3dc78563c26fd207793d549d050ab51123a6609b9bada73c7864a73c5d17856e"
#define QUERY_A "fce5cb9af8c8c3615b3a188d1fe626319283f7d4fc5f55b678d81765aed88950"

static void expect_digest(char *got, const char *want)
{
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_file_digests_example_a(void **state)
{
	char hex[CFS_SHA256_HEX_LEN + 1];
	const char *schema = "node Person {\n  name: String @key\n}\n";
	const char *policy = "version: 1\nrules: []\n";
	const char *query = "query find_person($name: String) {\n  match { $p: Person { name: $name } }\n"
			    "  return { $p.name }\n}\n";

	(void)state;
	cfs_sha256_hex(schema, strlen(schema), hex);
	assert_string_equal(hex, SCHEMA_A);
	cfs_sha256_hex(policy, strlen(policy), hex);
	assert_string_equal(hex, "7f2c43106364d8112fcc3060e4ab8b20f5d1a17d9cbf3c2540529663004adff8");
	cfs_sha256_hex(query, strlen(query), hex);
	assert_string_equal(hex, QUERY_A);
}

static void test_graph_composite_example_b(void **state)
{
	struct cfs_name_digest q[] = { { "find_person", QUERY_A } };

	(void)state;
	expect_digest(cfs_digest_graph("knowledge", NULL, NULL, 0, NULL, NULL, NULL),
		      "af305c236e92b5c7004823bd7fd40dcec6a7c56bb6c0697a45e12a840139bd4c");
	expect_digest(cfs_digest_graph("knowledge", SCHEMA_A, NULL, 0, NULL, NULL, NULL),
		      "5b6862416d41092cc002c4ce54594a541e5f6dcedc07a663c986f8fde8891687");
	expect_digest(cfs_digest_graph("knowledge", SCHEMA_A, q, 1, NULL, NULL, NULL),
		      "cd23cf0245d1231f4434edb2049355e45452070f93037f2fc871613362a854f6");
}

static void test_graph_composite_with_blob_policy(void **state)
{
	struct cfs_blob_base b;
	char *err = NULL;

	(void)state;
	assert_int_equal(cfs_blob_base_new("s3://assets-bucket/knowledge/", true, &b, &err), 0);
	assert_string_equal(b.uri, "s3://assets-bucket/knowledge/");
	json_t *pol = cfs_blob_policy_json(&b, 1);
	char *compact = cfs_json_compact(pol, 0);
	assert_string_equal(compact,
			    "{\"mode\":\"allow\",\"bases\":[{\"uri\":\"s3://assets-bucket/knowledge/\",\"scope\":\"server_safe\"}]}");
	free(compact);
	expect_digest(cfs_digest_graph("knowledge", SCHEMA_A, NULL, 0, NULL, NULL, pol),
		      "559b0a3b3b5814c349e576aacee1775b90daf2e53915d1cff5abc60ded953710");
	json_decref(pol);
	cfs_blob_base_free(&b);
}

static void test_provider_example_c(void **state)
{
	struct cfs_provider_cfg p = { "default", "mock", NULL, "recorded-x", NULL };
	struct cfs_name_digest q[] = { { "find_person", QUERY_A } };
	const char *pd = "9407ded8cec5d0bd317ddecc1613eb410eb5a792a35f8baea5afed3bb080e106";

	(void)state;
	expect_digest(cfs_digest_provider(&p), pd);
	expect_digest(cfs_digest_graph("knowledge", SCHEMA_A, q, 1, "provider.embedding.default", pd, NULL),
		      "84e5d5614d117b5ff9d4d835bb294bbc3e3e81bd062e626db9999805c70d563c");
}

static void test_config_digest_example_d(void **state)
{
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;
	char *dir = cfs_xasprintf("%s/digest/D", getenv("CFS_FIXTURES"));

	(void)state;
	cfs_desired_load(dir, CFS_LOAD_FULL, &des, &d);
	assert_false(cfs_diags_has_error(&d));
	json_t *raw = cfs_config_raw_json(&des.cfg);
	char *s = cfs_json_compact(raw, 0);
	assert_string_equal(s,
		"{\"version\":1,\"metadata\":{\"name\":\"demo\"},\"storage\":null,\"state\":{\"backend\":null,\"lock\":null},"
		"\"providers\":{\"embedding\":{}},\"graphs\":{\"knowledge\":{\"schema\":\"people.pg\",\"queries\":\"queries/\","
		"\"embedding_provider\":null}},\"policies\":{\"base\":{\"file\":\"base.policy.yaml\",\"applies_to\":[\"knowledge\"]}}}");
	free(s);
	json_decref(raw);
	assert_string_equal(des.config_digest, "eec3f84486684b80edbdac219f8889e95fdce320043b9c5e164055d19a7b8945");
	cfs_desired_free(&des);
	cfs_diags_free(&d);
	free(dir);
}

static void test_state_cas_example_e(void **state)
{
	const char *bytes = "{\"version\":1,\"applied_revision\":{\"resources\":{}}}";
	char hex[CFS_SHA256_HEX_LEN + 1];

	(void)state;
	cfs_sha256_hex(bytes, strlen(bytes), hex);
	assert_string_equal(hex, "e9a209696b345f272365555b44fa9f39b2cf80f6e84be0460e621b5528210538");
}

/* RAW escaping: C0 as lowercase \u00xx, '/' and non-ASCII literal. */
static void test_raw_json_escaping(void **state)
{
	struct cfs_config c;
	char *detail = NULL;
	const char *y = "version: 1\nmetadata: {name: \"a/b\\x01\\x1fé\\t\"}\n";

	(void)state;
	assert_int_equal(cfs_config_decode(y, strlen(y), &c, &detail), 0);
	json_t *raw = cfs_config_raw_json(&c);
	char *s = cfs_json_compact(raw, 0);
	assert_non_null(strstr(s, "\"name\":\"a/b\\u0001\\u001fé\\t\""));
	free(s);
	json_decref(raw);
	cfs_config_free(&c);
}

/* Q in the three forms; lists and explicit maps keep their declared text. */
static void test_raw_json_queries_forms(void **state)
{
	struct cfs_config c;
	char *detail = NULL;
	const char *y = "version: 1\nstorage: ' ./s/ '\nstate: {lock: TRUE}\ngraphs:\n"
			"  b: {schema: ./b.pg, queries: [x.gq, d/]}\n"
			"  a: {schema: a.pg, queries: {z: {file: z.gq}, m: {file: m.gq}}, embedding_provider: p,\n"
			"      external_blobs: {allow: [{base: 's3://B/x', scope: embedded_only}]}}\n"
			"  c: {schema: c.pg}\n"
			"providers: {embedding: {p: {provider: mock, model: m}}}\n";

	(void)state;
	assert_int_equal(cfs_config_decode(y, strlen(y), &c, &detail), 0);
	json_t *raw = cfs_config_raw_json(&c);
	char *s = cfs_json_compact(raw, 0);
	assert_string_equal(s,
		"{\"version\":1,\"metadata\":{\"name\":null},\"storage\":\" ./s/ \",\"state\":{\"backend\":null,\"lock\":true},"
		"\"providers\":{\"embedding\":{\"p\":{\"kind\":\"mock\",\"model\":\"m\"}}},"
		"\"graphs\":{\"a\":{\"schema\":\"a.pg\",\"queries\":{\"m\":{\"file\":\"m.gq\"},\"z\":{\"file\":\"z.gq\"}},"
		"\"embedding_provider\":\"p\",\"external_blobs\":{\"allow\":[{\"base\":\"s3://B/x\",\"scope\":\"embedded_only\"}]}},"
		"\"b\":{\"schema\":\"./b.pg\",\"queries\":[\"x.gq\",\"d/\"],\"embedding_provider\":null},"
		"\"c\":{\"schema\":\"c.pg\",\"queries\":{},\"embedding_provider\":null}},\"policies\":{}}");
	free(s);
	json_decref(raw);
	cfs_config_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_digests_example_a),
		cmocka_unit_test(test_graph_composite_example_b),
		cmocka_unit_test(test_graph_composite_with_blob_policy),
		cmocka_unit_test(test_provider_example_c),
		cmocka_unit_test(test_config_digest_example_d),
		cmocka_unit_test(test_state_cas_example_e),
		cmocka_unit_test(test_raw_json_escaping),
		cmocka_unit_test(test_raw_json_queries_forms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
