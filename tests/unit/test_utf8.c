/*
 * Unit tests for core/utf8: RFC 3629 well-formedness at every range
 * boundary, and the rejections (overlongs, surrogates, > U+10FFFF,
 * truncation) that make a source file unreadable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

static int valid(const char *s)
{
	return cfs_utf8_valid(s, strlen(s));
}

static void test_ascii_and_empty(void **state)
{
	(void)state;
	assert_true(cfs_utf8_valid("", 0));
	assert_true(cfs_utf8_valid(NULL, 0));
	assert_true(valid("node Person {\n  name: String @key\n}\n"));
	assert_true(valid("\x01\x7f"));
	assert_true(cfs_utf8_valid("a\0b", 3)); /* NUL is a valid code point */
}

static void test_range_boundaries_accepted(void **state)
{
	(void)state;
	assert_true(valid("\xc2\x80"));             /* U+0080 */
	assert_true(valid("\xdf\xbf"));             /* U+07FF */
	assert_true(valid("\xe0\xa0\x80"));         /* U+0800 */
	assert_true(valid("\xed\x9f\xbf"));         /* U+D7FF, last before surrogates */
	assert_true(valid("\xee\x80\x80"));         /* U+E000, first after */
	assert_true(valid("\xef\xbf\xbf"));         /* U+FFFF */
	assert_true(valid("\xf0\x90\x80\x80"));     /* U+10000 */
	assert_true(valid("\xf4\x8f\xbf\xbf"));     /* U+10FFFF */
	assert_true(valid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80!"));
}

static void test_overlongs_rejected(void **state)
{
	(void)state;
	assert_false(valid("\xc0\x80"));
	assert_false(valid("\xc1\xbf"));
	assert_false(valid("\xe0\x9f\xbf"));
	assert_false(valid("\xf0\x8f\xbf\xbf"));
}

static void test_surrogates_and_beyond_max_rejected(void **state)
{
	(void)state;
	assert_false(valid("\xed\xa0\x80"));        /* U+D800 */
	assert_false(valid("\xed\xbf\xbf"));        /* U+DFFF */
	assert_false(valid("\xf4\x90\x80\x80"));    /* U+110000 */
	assert_false(valid("\xf5\x80\x80\x80"));
	assert_false(valid("\xfe"));
	assert_false(valid("\xff"));
}

static void test_broken_sequences_rejected(void **state)
{
	(void)state;
	assert_false(valid("\x80"));                /* lone continuation */
	assert_false(valid("a\xbf"));
	assert_false(valid("\xc3("));               /* continuation missing */
	assert_false(valid("\xe2(\xa1"));
	assert_false(valid("\xe2\x82("));
	assert_false(valid("\xf0\x9f\x98("));
	assert_false(valid("\xc3\xa9\xa9"));        /* one continuation too many */
}

/* Only len bytes count: a sequence cut by len is truncated, and bytes
 * past len are never looked at. */
static void test_length_bounds_the_check(void **state)
{
	(void)state;
	assert_false(cfs_utf8_valid("\xc3\xa9", 1));
	assert_false(cfs_utf8_valid("\xe2\x82\xac", 2));
	assert_false(cfs_utf8_valid("\xf0\x9f\x98\x80", 3));
	assert_true(cfs_utf8_valid("ok\xff", 2));
	assert_true(cfs_utf8_valid("\xe2\x82\xac\x80", 3));
}

static void expect_lossy(const char *in, size_t len, const char *want)
{
	char *out = cfs_utf8_lossy(in, len);

	assert_string_equal(out, want);
	assert_true(cfs_utf8_valid(out, strlen(out)));
	free(out);
}

#define FFFD "\xef\xbf\xbd"

/* One U+FFFD per maximal ill-formed subpart, as Rust's from_utf8_lossy. */
static void test_lossy_replaces_each_maximal_subpart(void **state)
{
	(void)state;
	expect_lossy("", 0, "");
	expect_lossy("caf\xc3\xa9", 5, "caf\xc3\xa9");       /* valid: unchanged */
	expect_lossy("q/x\xff.gq", 8, "q/x" FFFD ".gq");
	expect_lossy("\xe2\x82(", 3, FFFD "(");                /* truncated 3-byte: one */
	expect_lossy("\xe0\x80", 2, FFFD FFFD);                /* overlong: E0 alone, then 80 */
	expect_lossy("\xed\xa0\x80", 3, FFFD FFFD FFFD);       /* surrogate */
	expect_lossy("\xf0\x9f\x98", 3, FFFD);                 /* cut at the end */
	expect_lossy("a\xc3", 2, "a" FFFD);
}

/* Rust's trim().is_empty(): Unicode White_Space, nothing else. */
static void test_blank_is_rust_trim(void **state)
{
	(void)state;
	assert_true(cfs_utf8_blank(""));
	assert_true(cfs_utf8_blank(" \t\n\v\f\r"));
	assert_true(cfs_utf8_blank("\xc2\x85\xc2\xa0"));                     /* U+0085, U+00A0 */
	assert_true(cfs_utf8_blank("\xe1\x9a\x80\xe2\x80\x80\xe2\x80\x8a")); /* U+1680, U+2000, U+200A */
	assert_true(cfs_utf8_blank("\xe2\x80\xa8\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\x9f\xe3\x80\x80"));
	assert_false(cfs_utf8_blank(" x "));
	assert_false(cfs_utf8_blank("\xe2\x80\x8b"));                        /* U+200B is not White_Space */
	assert_false(cfs_utf8_blank("\x1c"));                                  /* nor the ASCII separators */
	assert_false(cfs_utf8_blank(" \xff "));                                /* ill-formed is not blank */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii_and_empty),
		cmocka_unit_test(test_range_boundaries_accepted),
		cmocka_unit_test(test_overlongs_rejected),
		cmocka_unit_test(test_surrogates_and_beyond_max_rejected),
		cmocka_unit_test(test_broken_sequences_rejected),
		cmocka_unit_test(test_length_bounds_the_check),
		cmocka_unit_test(test_lossy_replaces_each_maximal_subpart),
		cmocka_unit_test(test_blank_is_rust_trim),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
