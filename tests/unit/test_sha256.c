/*
 * Unit tests for core/sha256: standard vectors, the worked examples of
 * cluster.md §5.6, and streaming equal to one-shot hashing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/sha256.h"

static void assert_digest(const char *input, const char *want)
{
	char out[CFS_SHA256_HEX_LEN + 1];

	memset(out, 'Z', sizeof(out));
	cfs_sha256_hex(input, strlen(input), out);
	assert_int_equal(strlen(out), CFS_SHA256_HEX_LEN);
	assert_string_equal(out, want);
}

static void test_standard_vectors(void **state)
{
	(void)state;
	assert_digest("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_digest("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_null_pointer_with_zero_length(void **state)
{
	(void)state;
	char out[CFS_SHA256_HEX_LEN + 1];

	cfs_sha256_hex(NULL, 0, out);
	assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* cluster.md §5.6 A and E: resource bytes and the state CAS input. */
static void test_spec_worked_examples(void **state)
{
	(void)state;
	assert_digest("node Person {\n  name: String @key\n}\n",
		      "3dc78563c26fd207793d549d050ab51123a6609b9bada73c7864a73c5d17856e");
	assert_digest("version: 1\nrules: []\n",
		      "7f2c43106364d8112fcc3060e4ab8b20f5d1a17d9cbf3c2540529663004adff8");
	assert_digest("query find_person($name: String) {\n"
		      "  match { $p: Person { name: $name } }\n"
		      "  return { $p.name }\n}\n",
		      "fce5cb9af8c8c3615b3a188d1fe626319283f7d4fc5f55b678d81765aed88950");
	assert_digest("{\"version\":1,\"applied_revision\":{\"resources\":{}}}",
		      "e9a209696b345f272365555b44fa9f39b2cf80f6e84be0460e621b5528210538");
}

/* Digests with embedded NULs (graph\0knowledge\0...) hash every byte. */
static void test_embedded_nul_bytes_count(void **state)
{
	(void)state;
	char a[CFS_SHA256_HEX_LEN + 1], b[CFS_SHA256_HEX_LEN + 1];
	const char data[] = "x\0y";

	cfs_sha256_hex(data, 3, a);
	cfs_sha256_hex(data, 1, b);
	assert_string_not_equal(a, b);
}

static void test_streaming_equals_one_shot(void **state)
{
	(void)state;
	char msg[1000];
	char whole[CFS_SHA256_HEX_LEN + 1], streamed[CFS_SHA256_HEX_LEN + 1];
	struct cfs_sha256 h;

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (char)(i * 31 + 7);
	cfs_sha256_hex(msg, sizeof(msg), whole);

	/* uneven chunks crossing the 64-byte block boundary, plus empty ones */
	cfs_sha256_init(&h);
	size_t off = 0, step = 0;
	while (off < sizeof(msg)) {
		size_t n = (step * 13) % 97;
		if (n > sizeof(msg) - off)
			n = sizeof(msg) - off;
		cfs_sha256_update(&h, msg + off, n);
		off += n;
		step++;
	}
	cfs_sha256_final_hex(&h, streamed);
	assert_null(h.ctx);
	assert_string_equal(streamed, whole);
}

static void test_streaming_spec_example_in_pieces(void **state)
{
	(void)state;
	char out[CFS_SHA256_HEX_LEN + 1];
	struct cfs_sha256 h;

	cfs_sha256_init(&h);
	cfs_sha256_update(&h, "version", 7);
	cfs_sha256_update(&h, "", 0);
	cfs_sha256_update(&h, ": 1\n", 4);
	cfs_sha256_update(&h, "rules: []\n", 10);
	cfs_sha256_final_hex(&h, out);
	assert_string_equal(out, "7f2c43106364d8112fcc3060e4ab8b20f5d1a17d9cbf3c2540529663004adff8");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_standard_vectors),
		cmocka_unit_test(test_null_pointer_with_zero_length),
		cmocka_unit_test(test_spec_worked_examples),
		cmocka_unit_test(test_embedded_nul_bytes_count),
		cmocka_unit_test(test_streaming_equals_one_shot),
		cmocka_unit_test(test_streaming_spec_example_in_pieces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
