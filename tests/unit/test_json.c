/*
 * Unit tests for core/json: key order, the exact escaping of cluster.md
 * §5.4 (digests depend on it byte for byte), and the pretty layout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/json.h"

static void assert_compact(json_t *v, int flags, const char *want)
{
	char *s = cfs_json_compact(v, flags);

	assert_string_equal(s, want);
	free(s);
	json_decref(v);
}

static void assert_pretty(json_t *v, const char *want)
{
	char *s = cfs_json_pretty(v);

	assert_string_equal(s, want);
	free(s);
	json_decref(v);
}

/* A JSON string holding the given bytes (length explicit for NULs). */
static json_t *str(const char *s)
{
	json_t *v = json_stringn(s, strlen(s));

	assert_non_null(v);
	return v;
}

static void test_compact_keeps_insertion_order(void **state)
{
	(void)state;
	json_t *o = json_object();

	json_object_set_new(o, "zeta", json_integer(1));
	json_object_set_new(o, "alpha", json_true());
	json_object_set_new(o, "mid", json_null());
	json_object_set_new(o, "list", json_pack("[i,s,{}]", 2, "x"));
	assert_compact(o, 0, "{\"zeta\":1,\"alpha\":true,\"mid\":null,\"list\":[2,\"x\",{}]}");
}

/* cluster.md §5.6 D: the RAW config form, built in the spec's key order. */
static void test_compact_spec_raw_config(void **state)
{
	(void)state;
	json_t *o = json_pack(
		"{s:i, s:{s:s}, s:n, s:{s:n, s:n}, s:{s:{}},"
		" s:{s:{s:s, s:s, s:n}}, s:{s:{s:s, s:[s]}}}",
		"version", 1, "metadata", "name", "demo", "storage",
		"state", "backend", "lock", "providers", "embedding",
		"graphs", "knowledge", "schema", "people.pg", "queries", "queries/",
		"embedding_provider", "policies", "base", "file", "base.policy.yaml",
		"applies_to", "knowledge");

	assert_non_null(o);
	assert_compact(o, 0,
		       "{\"version\":1,\"metadata\":{\"name\":\"demo\"},\"storage\":null,"
		       "\"state\":{\"backend\":null,\"lock\":null},\"providers\":{\"embedding\":{}},"
		       "\"graphs\":{\"knowledge\":{\"schema\":\"people.pg\",\"queries\":\"queries/\","
		       "\"embedding_provider\":null}},\"policies\":{\"base\":{\"file\":"
		       "\"base.policy.yaml\",\"applies_to\":[\"knowledge\"]}}}");
}

static void test_sorted_orders_keys_bytewise_at_every_level(void **state)
{
	(void)state;
	json_t *inner = json_object();
	json_t *o = json_object();

	json_object_set_new(inner, "y", json_integer(2));
	json_object_set_new(inner, "x", json_integer(1));
	json_object_set_new(o, "b", json_integer(1));
	json_object_set_new(o, "\xc3\xa9", json_integer(5)); /* é sorts after ASCII */
	json_object_set_new(o, "aa", inner);
	json_object_set_new(o, "a", json_integer(3));
	json_object_set_new(o, "B", json_integer(4));
	assert_compact(o, CFS_JSON_SORTED,
		       "{\"B\":4,\"a\":3,\"aa\":{\"x\":1,\"y\":2},\"b\":1,\"\xc3\xa9\":5}");
}

static void test_escapes_short_forms(void **state)
{
	(void)state;
	assert_compact(str("\b\f\n\r\t\"\\"), 0, "\"\\b\\f\\n\\r\\t\\\"\\\\\"");
}

static void test_escapes_other_c0_in_lowercase_hex(void **state)
{
	(void)state;
	assert_compact(str("\x01"), 0, "\"\\u0001\"");
	assert_compact(str("\x1f"), 0, "\"\\u001f\"");
	assert_compact(str("a\x1b[0m\x0b"), 0, "\"a\\u001b[0m\\u000b\"");
	/* and inside keys, where digests see them too */
	json_t *o = json_object();
	json_object_set_new(o, "k\x1e", json_integer(1));
	assert_compact(o, CFS_JSON_SORTED, "{\"k\\u001e\":1}");
}

static void test_slash_and_utf8_stay_literal(void **state)
{
	(void)state;
	assert_compact(str("s3://bucket/p\xc3\xa9/\xe2\x82\xac"), 0,
		       "\"s3://bucket/p\xc3\xa9/\xe2\x82\xac\"");
}

/* The lower-casing pass must only touch real \u escapes: an escaped
 * backslash followed by "u001F" is user text and stays as written. */
static void test_backslash_u_text_is_not_lowercased(void **state)
{
	(void)state;
	assert_compact(str("\\u001F"), 0, "\"\\\\u001F\"");
	assert_compact(str("\\\\u00AB\x1f"), 0, "\"\\\\\\\\u00AB\\u001f\"");
	assert_compact(str("\\\x1f"), 0, "\"\\\\\\u001f\"");
}

static void test_compact_scalars(void **state)
{
	(void)state;
	assert_compact(json_integer(-42), 0, "-42");
	assert_compact(json_null(), 0, "null");
	assert_compact(str("x"), 0, "\"x\"");
	assert_compact(json_array(), 0, "[]");
	assert_compact(json_object(), CFS_JSON_SORTED, "{}");
}

static void test_pretty_two_space_indent_and_newline(void **state)
{
	(void)state;
	assert_pretty(json_pack("{s:i}", "a", 1), "{\n  \"a\": 1\n}\n");
}

static void test_pretty_nested_keeps_order(void **state)
{
	(void)state;
	json_t *o = json_object();

	json_object_set_new(o, "z", json_pack("[i,i]", 1, 2));
	json_object_set_new(o, "a", json_pack("{s:s}", "k", "v\x1f"));
	json_object_set_new(o, "e", json_object());
	json_object_set_new(o, "l", json_array());
	assert_pretty(o,
		      "{\n"
		      "  \"z\": [\n"
		      "    1,\n"
		      "    2\n"
		      "  ],\n"
		      "  \"a\": {\n"
		      "    \"k\": \"v\\u001f\"\n"
		      "  },\n"
		      "  \"e\": {},\n"
		      "  \"l\": []\n"
		      "}\n");
}

/* Report text taken from the filesystem: never NULL, never dropped. */
static void test_text_replaces_non_utf8(void **state)
{
	(void)state;
	assert_compact(cfs_json_text("cfg/p\xc3\xa9.pg"), 0, "\"cfg/p\xc3\xa9.pg\"");
	assert_compact(cfs_json_text("cfg\xff/x"), 0, "\"cfg\xef\xbf\xbd/x\"");
	assert_compact(cfs_json_text(""), 0, "\"\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compact_keeps_insertion_order),
		cmocka_unit_test(test_compact_spec_raw_config),
		cmocka_unit_test(test_sorted_orders_keys_bytewise_at_every_level),
		cmocka_unit_test(test_escapes_short_forms),
		cmocka_unit_test(test_escapes_other_c0_in_lowercase_hex),
		cmocka_unit_test(test_slash_and_utf8_stay_literal),
		cmocka_unit_test(test_backslash_u_text_is_not_lowercased),
		cmocka_unit_test(test_compact_scalars),
		cmocka_unit_test(test_pretty_two_space_indent_and_newline),
		cmocka_unit_test(test_pretty_nested_keeps_order),
		cmocka_unit_test(test_text_replaces_non_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
