/*
 * Unit tests for core/ulid: format, validation, uniqueness, and the
 * timestamp prefix that makes ids sort by creation time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <time.h>

#include "core/ulid.h"

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static void test_new_has_length_and_alphabet(void **state)
{
	(void)state;
	char id[CFS_ULID_LEN + 1];

	assert_int_equal(cfs_ulid_new(id), 0);
	assert_int_equal(strlen(id), CFS_ULID_LEN);
	assert_int_equal(strspn(id, crockford), CFS_ULID_LEN);
	assert_true(cfs_ulid_valid(id));
}

static void test_fresh_ids_differ(void **state)
{
	(void)state;
	char a[CFS_ULID_LEN + 1], b[CFS_ULID_LEN + 1];

	assert_int_equal(cfs_ulid_new(a), 0);
	assert_int_equal(cfs_ulid_new(b), 0);
	assert_string_not_equal(a, b);

	/* same millisecond: the random tail alone must tell them apart */
	assert_int_equal(cfs_ulid_at(1000, a), 0);
	assert_int_equal(cfs_ulid_at(1000, b), 0);
	assert_memory_equal(a, b, 10);
	assert_string_not_equal(a + 10, b + 10);
}

static void test_known_time_prefix(void **state)
{
	(void)state;
	char id[CFS_ULID_LEN + 1];

	/* the reference example of the ULID specification */
	assert_int_equal(cfs_ulid_at(UINT64_C(1469918176385), id), 0);
	assert_memory_equal(id, "01ARYZ6S41", 10);
	assert_true(cfs_ulid_valid(id));

	assert_int_equal(cfs_ulid_at(0, id), 0);
	assert_memory_equal(id, "0000000000", 10);

	assert_int_equal(cfs_ulid_at((UINT64_C(1) << 48) - 1, id), 0);
	assert_memory_equal(id, "7ZZZZZZZZZ", 10);
	assert_true(cfs_ulid_valid(id));
}

static void test_time_beyond_48_bits_is_rejected(void **state)
{
	(void)state;
	char id[CFS_ULID_LEN + 1];

	errno = 0;
	assert_int_equal(cfs_ulid_at(UINT64_C(1) << 48, id), -1);
	assert_int_equal(errno, EINVAL);
}

static void test_new_uses_the_current_time(void **state)
{
	(void)state;
	char before[CFS_ULID_LEN + 1], id[CFS_ULID_LEN + 1], after[CFS_ULID_LEN + 1];
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
	assert_int_equal(cfs_ulid_at(ms, before), 0);
	assert_int_equal(cfs_ulid_new(id), 0);
	assert_int_equal(cfs_ulid_at(ms + 60000, after), 0);
	assert_true(memcmp(before, id, 10) <= 0);
	assert_true(memcmp(id, after, 10) < 0);
}

static void test_prefix_sorts_with_time(void **state)
{
	(void)state;
	const uint64_t times[] = {
		0, 1, 31, 32, 1023, 1024, UINT64_C(1469918176385),
		UINT64_C(1469918176386), UINT64_C(1700000000000),
		(UINT64_C(1) << 48) - 2, (UINT64_C(1) << 48) - 1,
	};
	char prev[CFS_ULID_LEN + 1], cur[CFS_ULID_LEN + 1];

	assert_int_equal(cfs_ulid_at(times[0], prev), 0);
	for (size_t i = 1; i < sizeof(times) / sizeof(times[0]); i++) {
		assert_int_equal(cfs_ulid_at(times[i], cur), 0);
		assert_true(memcmp(prev, cur, 10) < 0);
		memcpy(prev, cur, sizeof(cur));
	}
}

static void test_valid_accepts_only_well_formed(void **state)
{
	(void)state;
	assert_true(cfs_ulid_valid("01ARYZ6S41TSV4RRFFQ69G5FAV"));
	assert_true(cfs_ulid_valid("7ZZZZZZZZZZZZZZZZZZZZZZZZZ"));
	assert_true(cfs_ulid_valid("00000000000000000000000000"));

	assert_false(cfs_ulid_valid(NULL));
	assert_false(cfs_ulid_valid(""));
	assert_false(cfs_ulid_valid("01ARYZ6S41TSV4RRFFQ69G5FA"));   /* 25 */
	assert_false(cfs_ulid_valid("01ARYZ6S41TSV4RRFFQ69G5FAVX")); /* 27 */
	assert_false(cfs_ulid_valid("01aryz6s41tsv4rrffq69g5fav"));  /* lower case */
	assert_false(cfs_ulid_valid("8ZZZZZZZZZZZZZZZZZZZZZZZZZ"));  /* > 48 bits */
	assert_false(cfs_ulid_valid("01ARYZ6S41TSV4RRFFQ69G5FAI"));  /* I not Crockford */
	assert_false(cfs_ulid_valid("01ARYZ6S41TSV4RRFFQ69G5FAL"));
	assert_false(cfs_ulid_valid("01ARYZ6S41TSV4RRFFQ69G5FAO"));
	assert_false(cfs_ulid_valid("01ARYZ6S41TSV4RRFFQ69G5FAU"));
	assert_false(cfs_ulid_valid("01ARYZ6S41TSV4RR-FQ69G5FAV"));
}

static void test_random_tail_covers_the_alphabet(void **state)
{
	(void)state;
	char id[CFS_ULID_LEN + 1];
	int seen[32] = { 0 };
	int distinct = 0;

	/* 200 ids give 3200 random chars: every symbol should appear, which
	 * catches a tail encoder that drops bits */
	for (int i = 0; i < 200; i++) {
		assert_int_equal(cfs_ulid_at(0, id), 0);
		for (int k = 10; k < CFS_ULID_LEN; k++)
			seen[strchr(crockford, id[k]) - crockford] = 1;
	}
	for (int i = 0; i < 32; i++)
		distinct += seen[i];
	assert_int_equal(distinct, 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_has_length_and_alphabet),
		cmocka_unit_test(test_fresh_ids_differ),
		cmocka_unit_test(test_known_time_prefix),
		cmocka_unit_test(test_time_beyond_48_bits_is_rejected),
		cmocka_unit_test(test_new_uses_the_current_time),
		cmocka_unit_test(test_prefix_sorts_with_time),
		cmocka_unit_test(test_valid_accepts_only_well_formed),
		cmocka_unit_test(test_random_tail_covers_the_alphabet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
