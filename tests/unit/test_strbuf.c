/*
 * Unit tests for core/strbuf: the growable buffer and the x* allocation
 * helpers everything else builds strings with.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"

static void test_empty_buffer_reads_as_empty_string(void **state)
{
	(void)state;
	struct cfs_sb sb = CFS_SB_INIT;

	assert_null(sb.buf);
	assert_string_equal(cfs_sb_str(&sb), "");
	assert_int_equal(sb.len, 0);
	cfs_sb_release(&sb);
}

static void test_grow_reserves_room_for_extra_and_nul(void **state)
{
	(void)state;
	struct cfs_sb sb = CFS_SB_INIT;

	cfs_sb_grow(&sb, 100);
	assert_non_null(sb.buf);
	assert_true(sb.cap >= 101);
	assert_int_equal(sb.len, 0);
	cfs_sb_adds(&sb, "abc");
	size_t cap = sb.cap;
	char *buf = sb.buf;
	cfs_sb_grow(&sb, cap - sb.len - 1); /* already fits: no reallocation */
	assert_int_equal(sb.cap, cap);
	assert_ptr_equal(sb.buf, buf);
	cfs_sb_grow(&sb, cap);
	assert_true(sb.cap >= sb.len + cap + 1);
	assert_string_equal(sb.buf, "abc");
	cfs_sb_release(&sb);
}

static void test_add_keeps_binary_bytes_and_terminates(void **state)
{
	(void)state;
	struct cfs_sb sb = CFS_SB_INIT;
	const char bytes[] = { 'a', '\0', 'b' };

	cfs_sb_add(&sb, bytes, sizeof(bytes));
	assert_int_equal(sb.len, 3);
	assert_memory_equal(sb.buf, bytes, 3);
	assert_int_equal(sb.buf[3], '\0');
	cfs_sb_add(&sb, "", 0);
	assert_int_equal(sb.len, 3);
	cfs_sb_release(&sb);
}

static void test_adds_addc_addf_append_in_order(void **state)
{
	(void)state;
	struct cfs_sb sb = CFS_SB_INIT;

	cfs_sb_adds(&sb, "hello");
	cfs_sb_addc(&sb, ',');
	cfs_sb_addc(&sb, ' ');
	cfs_sb_addf(&sb, "%s #%d of %zu", "world", 3, (size_t)7);
	assert_string_equal(cfs_sb_str(&sb), "hello, world #3 of 7");
	assert_int_equal(sb.len, strlen("hello, world #3 of 7"));
	cfs_sb_release(&sb);
}

static void test_addf_grows_past_initial_capacity(void **state)
{
	(void)state;
	struct cfs_sb sb = CFS_SB_INIT;
	char big[5000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cfs_sb_adds(&sb, "<");
	cfs_sb_addf(&sb, "%s>", big);
	assert_int_equal(sb.len, sizeof(big) + 1);
	assert_int_equal(sb.buf[0], '<');
	assert_int_equal(sb.buf[sb.len - 1], '>');
	assert_int_equal(sb.buf[sb.len], '\0');
	assert_int_equal(strlen(sb.buf), sb.len);
	cfs_sb_release(&sb);
}

static void add_via_va_list(struct cfs_sb *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_via_va_list(struct cfs_sb *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfs_sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

static void test_vaddf_formats_from_a_va_list(void **state)
{
	(void)state;
	struct cfs_sb sb = CFS_SB_INIT;

	add_via_va_list(&sb, "%s=%04x", "id", 0xbeef);
	add_via_va_list(&sb, "%s", "");
	assert_string_equal(cfs_sb_str(&sb), "id=beef");
	cfs_sb_release(&sb);
}

static void test_reset_empties_but_keeps_memory(void **state)
{
	(void)state;
	struct cfs_sb sb = CFS_SB_INIT;

	cfs_sb_adds(&sb, "some text");
	char *buf = sb.buf;
	size_t cap = sb.cap;
	cfs_sb_reset(&sb);
	assert_int_equal(sb.len, 0);
	assert_ptr_equal(sb.buf, buf);
	assert_int_equal(sb.cap, cap);
	assert_string_equal(cfs_sb_str(&sb), "");
	cfs_sb_adds(&sb, "new");
	assert_string_equal(cfs_sb_str(&sb), "new");
	cfs_sb_release(&sb);

	struct cfs_sb never = CFS_SB_INIT;
	cfs_sb_reset(&never); /* must not touch a NULL buffer */
	assert_string_equal(cfs_sb_str(&never), "");
}

static void test_detach_hands_over_the_string(void **state)
{
	(void)state;
	struct cfs_sb sb = CFS_SB_INIT;

	cfs_sb_adds(&sb, "owned");
	char *s = cfs_sb_detach(&sb);
	assert_string_equal(s, "owned");
	assert_null(sb.buf);
	assert_int_equal(sb.len, 0);
	assert_int_equal(sb.cap, 0);
	free(s);

	/* an empty buffer still yields a freeable "" */
	s = cfs_sb_detach(&sb);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
}

static void test_release_leaves_a_reusable_empty_buffer(void **state)
{
	(void)state;
	struct cfs_sb sb = CFS_SB_INIT;

	cfs_sb_adds(&sb, "x");
	cfs_sb_release(&sb);
	assert_null(sb.buf);
	assert_int_equal(sb.len, 0);
	assert_int_equal(sb.cap, 0);
	cfs_sb_adds(&sb, "again");
	assert_string_equal(cfs_sb_str(&sb), "again");
	cfs_sb_release(&sb);
	cfs_sb_release(&sb); /* idempotent */
}

static void test_x_allocators(void **state)
{
	(void)state;
	char *p = cfs_xmalloc(0); /* zero still gives a unique freeable pointer */
	assert_non_null(p);
	free(p);

	int *z = cfs_xcalloc(16, sizeof(int));
	for (int i = 0; i < 16; i++)
		assert_int_equal(z[i], 0);
	z[15] = 42;
	z = cfs_xrealloc(z, 1024 * sizeof(int));
	assert_int_equal(z[15], 42);
	assert_int_equal(z[0], 0);
	free(z);

	p = cfs_xcalloc(0, 0);
	assert_non_null(p);
	free(p);
}

static void test_x_string_helpers(void **state)
{
	(void)state;
	const char *src = "config";
	char *s = cfs_xstrdup(src);

	assert_string_equal(s, "config");
	assert_ptr_not_equal(s, src);
	free(s);

	s = cfs_xstrndup("abcdef", 3);
	assert_string_equal(s, "abc");
	free(s);

	s = cfs_xstrndup("ab", 0);
	assert_string_equal(s, "");
	free(s);

	s = cfs_xasprintf("%s/%s.%d", "dir", "file", 2);
	assert_string_equal(s, "dir/file.2");
	free(s);

	s = cfs_xasprintf("%s", "");
	assert_string_equal(s, "");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_buffer_reads_as_empty_string),
		cmocka_unit_test(test_grow_reserves_room_for_extra_and_nul),
		cmocka_unit_test(test_add_keeps_binary_bytes_and_terminates),
		cmocka_unit_test(test_adds_addc_addf_append_in_order),
		cmocka_unit_test(test_addf_grows_past_initial_capacity),
		cmocka_unit_test(test_vaddf_formats_from_a_va_list),
		cmocka_unit_test(test_reset_empties_but_keeps_memory),
		cmocka_unit_test(test_detach_hands_over_the_string),
		cmocka_unit_test(test_release_leaves_a_reusable_empty_buffer),
		cmocka_unit_test(test_x_allocators),
		cmocka_unit_test(test_x_string_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
