/*
 * Unit tests for ledger/catalog (cluster.md §6, §13): blob keys per kind,
 * the four outcomes of a verified read, create-if-absent publishing that
 * trusts an existing blob, and the ledger-wide check with its diagnostics.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/diag.h"
#include "core/sha256.h"
#include "core/strbuf.h"
#include "ledger/catalog.h"
#include "ledger/store.h"
#include "tmpdir.h"

#define SRC "query q() {\n  match { $p: Person }\n  return { $p }\n}\n"

struct fixture {
	char *dir;
	struct cfs_store *store;
	struct cfs_diags d;
	char digest[CFS_SHA256_HEX_LEN + 1];
};

static int setup(void **state)
{
	struct fixture *f = cfs_xcalloc(1, sizeof(*f));

	f->dir = tmpdir_make();
	assert_int_equal(cfs_store_open_local(f->dir, &f->store), 0);
	cfs_sha256_hex(SRC, strlen(SRC), f->digest);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	cfs_diags_free(&f->d);
	cfs_store_close(f->store);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

static void assert_key(const char *address, const char *digest, const char *want)
{
	char *key = cfs_catalog_key(address, digest);

	if (!want) {
		assert_null(key);
		return;
	}
	assert_non_null(key);
	assert_string_equal(key, want);
	free(key);
}

static void test_keys(void **state)
{
	(void)state;
	assert_key("query.knowledge.find_person", "abc", "__cluster/resources/query/knowledge/find_person/abc.gq");
	assert_key("policy.base", "abc", "__cluster/resources/policy/base/abc.yaml");
	assert_key("graph.knowledge", "abc", NULL);
	assert_key("schema.knowledge", "abc", NULL);
	assert_key("provider.embedding.p", "abc", NULL);
	assert_key("query.nodot", "abc", NULL);
	assert_key("other.x", "abc", NULL);
}

static void test_get_outcomes(void **state)
{
	struct fixture *f = *state;
	struct cfs_catalog_blob b;
	const char *addr = "query.g.q";
	char *key = cfs_catalog_key(addr, f->digest), *path, *want;

	cfs_catalog_get(f->store, "/root", addr, f->digest, &b);
	assert_int_equal(b.result, CFS_CATALOG_MISSING);
	cfs_catalog_blob_release(&b);
	assert_false(cfs_catalog_exists(f->store, addr, f->digest));

	assert_int_equal(cfs_catalog_put(f->store, addr, f->digest, SRC, strlen(SRC)), 0);
	assert_true(cfs_catalog_exists(f->store, addr, f->digest));
	cfs_catalog_get(f->store, "/root", addr, f->digest, &b);
	assert_int_equal(b.result, CFS_CATALOG_OK);
	assert_int_equal(b.len, strlen(SRC));
	assert_string_equal(b.data, SRC);
	cfs_catalog_blob_release(&b);

	assert_int_equal(cfs_store_put(f->store, key, "other", 5), 0);
	cfs_catalog_get(f->store, "/root", addr, f->digest, &b);
	assert_int_equal(b.result, CFS_CATALOG_MISMATCH);
	assert_null(b.data);
	cfs_sha256_hex("other", 5, want = cfs_xcalloc(1, CFS_SHA256_HEX_LEN + 1));
	assert_string_equal(b.actual, want);
	free(want);
	cfs_catalog_blob_release(&b);

	assert_int_equal(cfs_store_put(f->store, key, "\xff\xfe", 2), 0);
	cfs_catalog_get(f->store, "/root", addr, f->digest, &b);
	assert_int_equal(b.result, CFS_CATALOG_READ_ERROR);
	want = cfs_xasprintf("could not read catalog payload '/root/%s': stream did not contain valid UTF-8", key);
	assert_string_equal(b.error, want);
	free(want);
	cfs_catalog_blob_release(&b);

	path = cfs_xasprintf("%s/%s", f->dir, key);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink(strrchr(path, '/') + 1, path), 0);
	cfs_catalog_get(f->store, "/root", addr, f->digest, &b);
	assert_int_equal(b.result, CFS_CATALOG_READ_ERROR);
	assert_non_null(strstr(b.error, "Too many levels of symbolic links"));
	cfs_catalog_blob_release(&b);

	cfs_catalog_get(f->store, "/root", "graph.g", f->digest, &b);
	assert_int_equal(b.result, CFS_CATALOG_NO_BLOB);
	cfs_catalog_blob_release(&b);
	free(path);
	free(key);
}

/* An existing blob is trusted, never rewritten. */
static void test_put_trusts_existing(void **state)
{
	struct fixture *f = *state;
	char *key = cfs_catalog_key("policy.p", f->digest), *data;
	size_t len;

	assert_int_equal(cfs_store_put(f->store, key, "old", 3), 0);
	assert_int_equal(cfs_catalog_put(f->store, "policy.p", f->digest, SRC, strlen(SRC)), 0);
	assert_int_equal(cfs_store_get(f->store, key, &data, &len), 0);
	assert_string_equal(data, "old");
	free(data);
	free(key);
	errno = 0;
	assert_int_equal(cfs_catalog_put(f->store, "graph.g", f->digest, SRC, strlen(SRC)), -1);
	assert_int_equal(errno, EINVAL);
}

static void test_verify(void **state)
{
	struct fixture *f = *state;
	struct cfs_catalog_finding *found = NULL;
	json_t *res = json_pack("{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}",
				"query.g.ok", "digest", f->digest,
				"query.g.missing", "digest", f->digest,
				"policy.bad", "digest", f->digest,
				"graph.g", "digest", "x",
				"schema.g", "digest", "y");
	char *key = cfs_catalog_key("policy.bad", f->digest);
	char actual[CFS_SHA256_HEX_LEN + 1], *msg;
	size_t n;

	assert_int_equal(cfs_catalog_put(f->store, "query.g.ok", f->digest, SRC, strlen(SRC)), 0);
	assert_int_equal(cfs_store_put(f->store, key, "zz", 2), 0);
	cfs_sha256_hex("zz", 2, actual);
	n = cfs_catalog_verify(f->store, "/r", res, &found, &f->d);
	assert_int_equal(n, 2);
	assert_string_equal(found[0].address, "policy.bad");
	assert_int_equal(found[0].blob.result, CFS_CATALOG_MISMATCH);
	assert_string_equal(found[1].address, "query.g.missing");
	assert_int_equal(found[1].blob.result, CFS_CATALOG_MISSING);
	assert_int_equal(f->d.n, 2);
	assert_string_equal(f->d.v[0].code, "catalog_payload_mismatch");
	assert_int_equal(f->d.v[0].severity, CFS_WARNING);
	assert_string_equal(f->d.v[0].path, "policy.bad");
	msg = cfs_xasprintf("catalog payload blob does not match the recorded digest (actual sha256:%s); re-run "
			    "`cluster apply` to republish", actual);
	assert_string_equal(f->d.v[0].message, msg);
	assert_string_equal(f->d.v[1].code, "catalog_payload_missing");
	assert_int_equal(f->d.v[1].severity, CFS_WARNING);
	assert_string_equal(f->d.v[1].message, "catalog payload blob is missing; re-run `cluster apply` to republish");
	cfs_catalog_findings_free(found, n);
	cfs_diags_free(&f->d);

	/* unreadable: an error, reported without the findings list too */
	assert_int_equal(cfs_store_put(f->store, key, "\xc3", 1), 0);
	n = cfs_catalog_verify(f->store, "/r", res, NULL, &f->d);
	assert_int_equal(n, 2);
	assert_string_equal(f->d.v[0].code, "catalog_payload_read_error");
	assert_int_equal(f->d.v[0].severity, CFS_ERROR);
	assert_true(cfs_diags_has_error(&f->d));
	free(msg);
	free(key);
	json_decref(res);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_keys),
		T(test_get_outcomes),
		T(test_put_trusts_existing),
		T(test_verify),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
