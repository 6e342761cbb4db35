/*
 * Unit tests for the raw-text pre-scans of cluster.md §4.1 step 3: the
 * line-based duplicate-key scan of §4.2 (paths, line numbers, comments,
 * quotes, list items, CRLF) and the reserved/removed key scan of §2.7.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "core/strbuf.h"
#include "engine/config.h"

/* ---- helpers ----------------------------------------------------------- */

static void dup_scan(const char *text, struct cfs_diags *d)
{
	cfs_config_scan_duplicate_keys(text, strlen(text), d);
}

static void reserved_scan(const char *text, struct cfs_diags *d)
{
	cfs_config_scan_reserved(text, strlen(text), d);
}

static void dump(const struct cfs_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		print_error("  [%zu] %s %s: %s\n", i, d->v[i].code, d->v[i].path, d->v[i].message);
}

static void expect_count(const struct cfs_diags *d, size_t n)
{
	if (d->n != n) {
		print_error("expected %zu diagnostic(s), got %zu:\n", n, d->n);
		dump(d);
	}
	assert_int_equal(d->n, n);
}

static void expect_diag(const struct cfs_diags *d, size_t i, const char *code, const char *path,
			const char *message)
{
	assert_true(i < d->n);
	assert_int_equal(d->v[i].severity, CFS_ERROR);
	assert_string_equal(d->v[i].code, code);
	assert_string_equal(d->v[i].path, path);
	assert_string_equal(d->v[i].message, message);
}

/* One duplicate_yaml_key for `key` at path on line. */
static void expect_one_dup(const char *text, const char *path, const char *key, unsigned line)
{
	struct cfs_diags d = CFS_DIAGS_INIT;
	char *msg = cfs_xasprintf("duplicate YAML key `%s` on line %u", key, line);

	dup_scan(text, &d);
	expect_count(&d, 1);
	expect_diag(&d, 0, "duplicate_yaml_key", path, msg);
	free(msg);
	cfs_diags_free(&d);
}

static void expect_no_dup(const char *text)
{
	struct cfs_diags d = CFS_DIAGS_INIT;

	dup_scan(text, &d);
	expect_count(&d, 0);
	cfs_diags_free(&d);
}

/* Replace every "\n" with "\r\n". */
static char *crlf(const char *text)
{
	struct cfs_sb sb = CFS_SB_INIT;

	for (; *text; text++) {
		if (*text == '\n')
			cfs_sb_addc(&sb, '\r');
		cfs_sb_addc(&sb, *text);
	}
	return cfs_sb_detach(&sb);
}

/* ---- duplicate keys ---------------------------------------------------- */

static const char SPEC_EXAMPLE[] =
	"version: 1\n"                          /* 1 */
	"graphs:\n"                             /* 2 */
	"  g:\n"                                /* 3 */
	"    schema: g.pg\n"                    /* 4 */
	"    external_blobs:\n"                 /* 5 */
	"      allow:\n"                        /* 6 */
	"        - base: s3://b/x/\n"           /* 7 */
	"          scope: server_safe\n"        /* 8 */
	"          scope: embedded_only\n"      /* 9 */
	"        - base: s3://b/y/\n"           /* 10 */
	"          scope: server_safe\n";       /* 11 */

static void test_dup_top_level(void **state)
{
	(void)state;
	expect_one_dup("version: 1\ngraphs:\n  g:\n    schema: a.pg\ngraphs:\n  h:\n    schema: b.pg\n",
		       "graphs", "graphs", 5);
	expect_one_dup("version: 1\nversion: 1\n", "version", "version", 2);
}

static void test_dup_nested(void **state)
{
	(void)state;
	expect_one_dup("version: 1\ngraphs:\n  g:\n    schema: a.pg\n    schema: b.pg\n",
		       "graphs.g.schema", "schema", 5);
	expect_one_dup("version: 1\ngraphs:\n  g:\n    schema: a.pg\n  h:\n    schema: b.pg\n  g:\n    schema: c.pg\n",
		       "graphs.g", "g", 7);
	expect_one_dup("state:\n  lock: true\n  backend: cluster\n  lock: false\n", "state.lock", "lock", 4);
}

static void test_dup_in_list_item_spec_example(void **state)
{
	(void)state;
	expect_one_dup(SPEC_EXAMPLE, "graphs.g.external_blobs.allow[].scope", "scope", 9);
}

static void test_dup_first_key_on_dash_line(void **state)
{
	(void)state;
	expect_one_dup("allow:\n  - scope: a\n    base: x\n    scope: b\n", "allow[].scope", "scope", 4);
	/* a bare dash opens the item; its keys follow on the next lines */
	expect_one_dup("allow:\n  -\n    base: x\n    base: y\n", "allow[].base", "base", 4);
	/* a sequence at the root */
	expect_one_dup("- a: 1\n  a: 2\n", "[].a", "a", 2);
}

static void test_same_key_in_two_items_not_dup(void **state)
{
	(void)state;
	expect_no_dup("allow:\n  - base: x\n    scope: a\n  - base: y\n    scope: b\n");
	expect_no_dup("allow:\n  - scope: a\n  - scope: b\n  -\n    scope: c\n");
	expect_no_dup("version: 1\ngraphs:\n  g:\n    schema: a\n  h:\n    schema: b\n");
	/* the same key at different depths */
	expect_no_dup("name: x\nmetadata:\n  name: y\n");
}

static void test_hash_in_quotes_is_not_a_comment(void **state)
{
	(void)state;
	/* the key survives only if '#' inside the quotes is kept */
	expect_one_dup("\"a#b\": 1\n\"a#b\": 2\n", "\"a#b\"", "\"a#b\"", 2);
	expect_one_dup("'a#b': 1\n'a#b': 2\n", "'a#b'", "'a#b'", 2);
	/* `\"` does not end a double-quoted string */
	expect_one_dup("\"a\\\"#b\": 1\n\"a\\\"#b\": 2\n", "\"a\\\"#b\"", "\"a\\\"#b\"", 2);
	/* a '#' outside quotes cuts the rest: the key after it is not seen */
	expect_no_dup("name: x # name: y\n");
}

static void test_comment_lines_skipped(void **state)
{
	(void)state;
	expect_no_dup("graphs:\n  g:\n    schema: a\n    # schema: b\n");
	expect_no_dup("# version: 1\nversion: 1\n");
	/* a comment at column 0 inside a block does not close the block */
	expect_one_dup("graphs:\n  g:\n    schema: a\n# a comment at column 0\n    schema: b\n",
		       "graphs.g.schema", "schema", 5);
	/* blank lines neither */
	expect_one_dup("graphs:\n  g:\n    schema: a\n\n   \n    schema: b\n", "graphs.g.schema", "schema", 6);
	/* a trailing comment on a key with an empty value still opens a block */
	expect_one_dup("graphs: # all graphs\n  g:\n    schema: a\n    schema: b\n", "graphs.g.schema", "schema", 4);
}

static void test_lines_without_keys_skipped(void **state)
{
	(void)state;
	/* no colon, flow collections as keys */
	expect_no_dup("items:\n  - plain\n  - plain\n");
	expect_no_dup("{a: 1}: x\n{a: 1}: y\n");
	expect_no_dup("[a]: x\n[a]: y\n");
}

static void test_crlf_line_endings(void **state)
{
	char *text = crlf(SPEC_EXAMPLE);
	char *text2 = crlf("version: 1\ngraphs:\n  g:\n    schema: a.pg\n    schema: b.pg\n");

	(void)state;
	expect_one_dup(text, "graphs.g.external_blobs.allow[].scope", "scope", 9);
	expect_one_dup(text2, "graphs.g.schema", "schema", 5);
	free(text);
	free(text2);
}

static void test_several_dups_in_order(void **state)
{
	struct cfs_diags d = CFS_DIAGS_INIT;

	(void)state;
	dup_scan("version: 1\n"                 /* 1 */
		 "graphs:\n"                    /* 2 */
		 "  g:\n"                       /* 3 */
		 "    schema: a\n"              /* 4 */
		 "    schema: b\n"              /* 5 */
		 "version: 2\n"                 /* 6 */
		 "version: 3\n", &d);           /* 7 */
	expect_count(&d, 3);
	expect_diag(&d, 0, "duplicate_yaml_key", "graphs.g.schema", "duplicate YAML key `schema` on line 5");
	expect_diag(&d, 1, "duplicate_yaml_key", "version", "duplicate YAML key `version` on line 6");
	expect_diag(&d, 2, "duplicate_yaml_key", "version", "duplicate YAML key `version` on line 7");
	cfs_diags_free(&d);
}

static void test_no_trailing_newline(void **state)
{
	(void)state;
	expect_one_dup("a: 1\na: 2", "a", "a", 2);
	expect_no_dup("");
}

/* ---- reserved and removed keys ---------------------------------------- */

static void test_each_reserved_key(void **state)
{
	static const char *const keys[] = { "apply", "env_file", "pipelines", "embeddings",
					    "ui", "aliases", "bindings", NULL };

	(void)state;
	for (int i = 0; keys[i]; i++) {
		struct cfs_diags d = CFS_DIAGS_INIT;
		char *text = cfs_xasprintf("version: 1\n%s: {}\n", keys[i]);
		char *msg = cfs_xasprintf("`%s` is reserved for a later cluster-control phase", keys[i]);
		reserved_scan(text, &d);
		expect_count(&d, 1);
		expect_diag(&d, 0, "future_phase_field", keys[i], msg);
		free(msg);
		free(text);
		cfs_diags_free(&d);
	}
}

static void test_reserved_keys_in_document_order(void **state)
{
	static const char *const order[] = { "ui", "apply", "bindings", "env_file", "aliases",
					     "pipelines", "embeddings" };
	struct cfs_diags d = CFS_DIAGS_INIT;

	(void)state;
	reserved_scan("ui: {}\nversion: 1\napply: x\nbindings: []\nenv_file: .env\n"
		      "aliases: {}\npipelines: []\nembeddings:\n", &d);
	expect_count(&d, 7);
	for (size_t i = 0; i < 7; i++) {
		char *msg = cfs_xasprintf("`%s` is reserved for a later cluster-control phase", order[i]);
		expect_diag(&d, i, "future_phase_field", order[i], msg);
		free(msg);
	}
	cfs_diags_free(&d);
}

static void test_reserved_only_at_top_level(void **state)
{
	struct cfs_diags d = CFS_DIAGS_INIT;

	(void)state;
	reserved_scan("version: 1\nmetadata:\n  ui: x\ngraphs:\n  g:\n    schema: s\n    apply: x\n", &d);
	expect_count(&d, 0);
	reserved_scan("version: 1\ngraphs:\n  apply:\n    schema: s\n", &d);
	expect_count(&d, 0);
	cfs_diags_free(&d);
}

static void test_streaming_removed(void **state)
{
	struct cfs_diags d = CFS_DIAGS_INIT;

	(void)state;
	reserved_scan("version: 1\ngraphs:\n  g:\n    schema: s\n    streaming: {}\n"
		      "  h:\n    schema: t\n  k:\n    streaming: true\n    schema: u\n", &d);
	expect_count(&d, 2);
	assert_string_equal(d.v[0].code, "removed_streaming_declaration");
	assert_string_equal(d.v[0].path, "graphs.g.streaming");
	assert_int_equal(d.v[0].severity, CFS_ERROR);
	assert_string_equal(d.v[1].code, "removed_streaming_declaration");
	assert_string_equal(d.v[1].path, "graphs.k.streaming");
	/* wording is not fixed by the contract; this build's: */
	assert_string_equal(d.v[0].message,
			    "`streaming` was removed: graphs no longer carry a stream profile; delete this key");
	cfs_diags_free(&d);

	/* only graphs.<id>.streaming, not elsewhere */
	reserved_scan("version: 1\nstreaming: {}\nmetadata:\n  streaming: x\n", &d);
	expect_count(&d, 0);
	cfs_diags_free(&d);
}

static void test_reserved_before_streaming(void **state)
{
	struct cfs_diags d = CFS_DIAGS_INIT;

	(void)state;
	/* §4.1 step 3: reserved keys (document order), then `streaming` */
	reserved_scan("version: 1\ngraphs:\n  g:\n    schema: s\n    streaming: {}\nui: {}\n", &d);
	expect_count(&d, 2);
	expect_diag(&d, 0, "future_phase_field", "ui", "`ui` is reserved for a later cluster-control phase");
	assert_string_equal(d.v[1].code, "removed_streaming_declaration");
	assert_string_equal(d.v[1].path, "graphs.g.streaming");
	cfs_diags_free(&d);
}

static void test_reserved_scan_silent_on_invalid_yaml(void **state)
{
	struct cfs_diags d = CFS_DIAGS_INIT;

	(void)state;
	reserved_scan("apply: [1, 2\nui: x\n", &d);
	expect_count(&d, 0);
	reserved_scan("ui: x\n  bad: indentation\n - y\n", &d);
	expect_count(&d, 0);
	/* not a mapping at the root: nothing to report either */
	reserved_scan("- apply\n- ui\n", &d);
	expect_count(&d, 0);
	reserved_scan("", &d);
	expect_count(&d, 0);
	cfs_diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dup_top_level),
		cmocka_unit_test(test_dup_nested),
		cmocka_unit_test(test_dup_in_list_item_spec_example),
		cmocka_unit_test(test_dup_first_key_on_dash_line),
		cmocka_unit_test(test_same_key_in_two_items_not_dup),
		cmocka_unit_test(test_hash_in_quotes_is_not_a_comment),
		cmocka_unit_test(test_comment_lines_skipped),
		cmocka_unit_test(test_lines_without_keys_skipped),
		cmocka_unit_test(test_crlf_line_endings),
		cmocka_unit_test(test_several_dups_in_order),
		cmocka_unit_test(test_no_trailing_newline),
		cmocka_unit_test(test_each_reserved_key),
		cmocka_unit_test(test_reserved_keys_in_document_order),
		cmocka_unit_test(test_reserved_only_at_top_level),
		cmocka_unit_test(test_streaming_removed),
		cmocka_unit_test(test_reserved_before_streaming),
		cmocka_unit_test(test_reserved_scan_silent_on_invalid_yaml),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
