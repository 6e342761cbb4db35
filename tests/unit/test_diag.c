/*
 * Unit tests for core/diag: building diagnostic lists and their exact text
 * (cluster.md §16) and JSON renderings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "core/diag.h"
#include "core/json.h"

/* Render as text into a string.  Caller frees. */
static char *render_text(const struct cfs_diags *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	cfs_diags_render_text(d, f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static char *render_json(const struct cfs_diags *d)
{
	json_t *j = cfs_diags_to_json(d);
	char *s = cfs_json_compact(j, 0);

	json_decref(j);
	return s;
}

static void test_add_formats_and_copies(void **state)
{
	(void)state;
	struct cfs_diags d = CFS_DIAGS_INIT;
	char path[] = "graphs.knowledge";

	cfs_diag_add(&d, CFS_ERROR, "E_SCHEMA", path, "bad %s at %d", "type", 3);
	path[0] = 'X'; /* the list must hold its own copy */
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].code, "E_SCHEMA");
	assert_int_equal(d.v[0].severity, CFS_ERROR);
	assert_string_equal(d.v[0].path, "graphs.knowledge");
	assert_string_equal(d.v[0].message, "bad type at 3");
	cfs_diags_free(&d);
}

static void test_null_path_becomes_empty(void **state)
{
	(void)state;
	struct cfs_diags d = CFS_DIAGS_INIT;

	cfs_diag_warn(&d, "W_X", NULL, "m");
	assert_string_equal(d.v[0].path, "");
	cfs_diags_free(&d);
}

static void test_many_diags_keep_emission_order(void **state)
{
	(void)state;
	struct cfs_diags d = CFS_DIAGS_INIT;

	for (int i = 0; i < 50; i++)
		cfs_diag_error(&d, "E", "p", "%d", i);
	assert_int_equal(d.n, 50);
	for (int i = 0; i < 50; i++) {
		char want[8];
		snprintf(want, sizeof(want), "%d", i);
		assert_string_equal(d.v[i].message, want);
	}
	cfs_diags_free(&d);
}

static void test_has_error_only_with_an_error(void **state)
{
	(void)state;
	struct cfs_diags d = CFS_DIAGS_INIT;

	assert_false(cfs_diags_has_error(&d));
	cfs_diag_warn(&d, "W1", "a", "just a warning");
	cfs_diag_warn(&d, "W2", "b", "another");
	assert_false(cfs_diags_has_error(&d));
	cfs_diag_error(&d, "E1", "c", "now an error");
	assert_true(cfs_diags_has_error(&d));
	cfs_diags_free(&d);
}

static void test_count_by_code(void **state)
{
	(void)state;
	struct cfs_diags d = CFS_DIAGS_INIT;

	cfs_diag_error(&d, "E_DUP", "a", "x");
	cfs_diag_warn(&d, "E_DUP", "b", "y");
	cfs_diag_error(&d, "E_OTHER", "c", "z");
	assert_int_equal(cfs_diags_count(&d, "E_DUP"), 2);
	assert_int_equal(cfs_diags_count(&d, "E_OTHER"), 1);
	assert_int_equal(cfs_diags_count(&d, "E_NONE"), 0);
	assert_int_equal(cfs_diags_count(&d, "E_DU"), 0); /* whole code only */
	cfs_diags_free(&d);
}

static void test_append_copies_after_existing(void **state)
{
	(void)state;
	struct cfs_diags dst = CFS_DIAGS_INIT, src = CFS_DIAGS_INIT;

	cfs_diag_error(&dst, "E1", "first", "one");
	cfs_diag_warn(&src, "W2", "second", "two");
	cfs_diag_error(&src, "E3", "third", "three");
	cfs_diags_append(&dst, &src);
	cfs_diags_free(&src); /* dst must not share src's strings */
	assert_int_equal(dst.n, 3);
	assert_string_equal(dst.v[1].code, "W2");
	assert_int_equal(dst.v[1].severity, CFS_WARNING);
	assert_string_equal(dst.v[1].path, "second");
	assert_string_equal(dst.v[1].message, "two");
	assert_string_equal(dst.v[2].code, "E3");
	assert_int_equal(dst.v[2].severity, CFS_ERROR);

	struct cfs_diags empty = CFS_DIAGS_INIT;
	cfs_diags_append(&dst, &empty);
	assert_int_equal(dst.n, 3);
	cfs_diags_free(&dst);
}

static void test_free_resets_the_list(void **state)
{
	(void)state;
	struct cfs_diags d = CFS_DIAGS_INIT;

	cfs_diag_error(&d, "E", "p", "m");
	cfs_diags_free(&d);
	assert_null(d.v);
	assert_int_equal(d.n, 0);
	assert_int_equal(d.cap, 0);
	cfs_diag_error(&d, "E", "p", "reused");
	assert_int_equal(d.n, 1);
	cfs_diags_free(&d);
}

static void test_render_text_exact_lines(void **state)
{
	(void)state;
	struct cfs_diags d = CFS_DIAGS_INIT;

	cfs_diag_error(&d, "E_PATH", "graphs.knowledge.schema", "'..' leaves %s", "the dir");
	cfs_diag_warn(&d, "W_UNUSED", "policies.base", "unused policy");
	char *text = render_text(&d);
	assert_string_equal(text,
			    "ERROR E_PATH graphs.knowledge.schema: '..' leaves the dir\n"
			    "WARN  W_UNUSED policies.base: unused policy\n");
	free(text);
	cfs_diags_free(&d);

	text = render_text(&d);
	assert_string_equal(text, "");
	free(text);
}

static void test_json_field_order_and_severity_names(void **state)
{
	(void)state;
	struct cfs_diags d = CFS_DIAGS_INIT;

	cfs_diag_error(&d, "E1", "a.b", "bad \"q\" %d", 7);
	cfs_diag_warn(&d, "W1", "c", "meh");
	char *s = render_json(&d);
	assert_string_equal(s,
			    "[{\"code\":\"E1\",\"severity\":\"error\",\"path\":\"a.b\","
			    "\"message\":\"bad \\\"q\\\" 7\"},"
			    "{\"code\":\"W1\",\"severity\":\"warning\",\"path\":\"c\","
			    "\"message\":\"meh\"}]");
	free(s);
	cfs_diags_free(&d);

	s = render_json(&d);
	assert_string_equal(s, "[]");
	free(s);
}

/*
 * A path on disk may hold bytes that are not UTF-8.  The diagnostic keeps
 * them as U+FFFD, so the JSON rendering still has all four members (jansson
 * refuses such a string) and says the same as the text rendering.
 */
static void test_non_utf8_path_and_message_become_fffd(void **state)
{
	(void)state;
	struct cfs_diags d = CFS_DIAGS_INIT;

	cfs_diag_error(&d, "E", "dir\xff", "file 'q/\xfe.gq' is bad");
	assert_string_equal(d.v[0].path, "dir\xef\xbf\xbd");
	assert_string_equal(d.v[0].message, "file 'q/\xef\xbf\xbd.gq' is bad");
	char *s = render_json(&d);
	assert_string_equal(s, "[{\"code\":\"E\",\"severity\":\"error\",\"path\":\"dir\xef\xbf\xbd\","
			    "\"message\":\"file 'q/\xef\xbf\xbd.gq' is bad\"}]");
	free(s);
	s = render_text(&d);
	assert_string_equal(s, "ERROR E dir\xef\xbf\xbd: file 'q/\xef\xbf\xbd.gq' is bad\n");
	free(s);
	cfs_diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_formats_and_copies),
		cmocka_unit_test(test_null_path_becomes_empty),
		cmocka_unit_test(test_many_diags_keep_emission_order),
		cmocka_unit_test(test_has_error_only_with_an_error),
		cmocka_unit_test(test_count_by_code),
		cmocka_unit_test(test_append_copies_after_existing),
		cmocka_unit_test(test_free_resets_the_list),
		cmocka_unit_test(test_render_text_exact_lines),
		cmocka_unit_test(test_json_field_order_and_severity_names),
		cmocka_unit_test(test_non_utf8_path_and_message_become_fffd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
