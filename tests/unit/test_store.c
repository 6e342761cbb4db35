/*
 * Unit tests for ledger/store, the local-directory backend: every operation
 * and every errno the header promises, each in a fresh scratch directory
 * whose "root" subdirectory (absent at first) is the store's root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/strbuf.h"
#include "ledger/store.h"
#include "tmpdir.h"

struct fixture {
	char *dir;                /* the scratch directory */
	char *root;               /* dir/root: the store's root */
	struct cfs_store *store;
};

static int setup(void **state)
{
	struct fixture *f = cfs_xcalloc(1, sizeof(*f));

	f->dir = tmpdir_make();
	f->root = cfs_xasprintf("%s/root", f->dir);
	assert_int_equal(cfs_store_open_local(f->root, &f->store), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	cfs_store_close(f->store);
	free(f->root);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

/* path under the store's root.  Caller frees. */
static char *at(struct fixture *f, const char *rel)
{
	return cfs_xasprintf("%s/%s", f->root, rel);
}

static void put(struct fixture *f, const char *key, const char *value)
{
	assert_int_equal(cfs_store_put(f->store, key, value, strlen(value)), 0);
}

static void assert_get_is(struct fixture *f, const char *key, const char *want)
{
	char *data = NULL;
	size_t len = 0;

	assert_int_equal(cfs_store_get(f->store, key, &data, &len), 0);
	assert_int_equal(len, strlen(want));
	assert_string_equal(data, want);
	free(data);
}

/* Listing of prefix, joined by ',' for one readable comparison. */
static void assert_list_is(struct fixture *f, const char *prefix, const char *want)
{
	struct cfs_sb sb = CFS_SB_INIT;
	char **names = NULL;
	size_t n = 99;

	assert_int_equal(cfs_store_list(f->store, prefix, &names, &n), 0);
	for (size_t i = 0; i < n; i++) {
		if (i)
			cfs_sb_addc(&sb, ',');
		cfs_sb_adds(&sb, names[i]);
	}
	assert_string_equal(cfs_sb_str(&sb), want);
	cfs_sb_release(&sb);
	cfs_store_list_free(names, n);
}

static void write_raw(const char *path, const char *data)
{
	assert_int_equal(cfs_write_atomic(path, data, strlen(data)), 0);
}

static void test_open_rejects_empty_root(void **state)
{
	struct cfs_store *s = (void *)1;

	(void)state;
	errno = 0;
	assert_int_equal(cfs_store_open_local("", &s), -1);
	assert_int_equal(errno, EINVAL);
	assert_null(s);
}

static void test_root_trailing_slashes_dropped(void **state)
{
	struct fixture *f = *state;
	char *with = cfs_xasprintf("%s//", f->root);
	struct cfs_store *s;

	assert_int_equal(cfs_store_open_local(with, &s), 0);
	assert_string_equal(cfs_store_root(s), f->root);
	cfs_store_close(s);
	free(with);
	assert_string_equal(cfs_store_root(f->store), f->root);
}

static void test_get_missing_is_enoent(void **state)
{
	struct fixture *f = *state;
	char *data = (void *)1;
	size_t len = 0;

	/* root absent, then present but key absent */
	errno = 0;
	assert_int_equal(cfs_store_get(f->store, "a.json", &data, &len), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(data);
	put(f, "b.json", "{}");
	errno = 0;
	assert_int_equal(cfs_store_get(f->store, "a.json", &data, &len), -1);
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_int_equal(cfs_store_get(f->store, "x/a.json", &data, &len), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_get_prefix_or_through_object_is_enoent(void **state)
{
	struct fixture *f = *state;
	char *data = NULL;
	size_t len = 0;

	put(f, "dir/a", "1");
	/* a directory is not an object */
	errno = 0;
	assert_int_equal(cfs_store_get(f->store, "dir", &data, &len), -1);
	assert_int_equal(errno, ENOENT);
	/* nor is a key below an object */
	errno = 0;
	assert_int_equal(cfs_store_get(f->store, "dir/a/b", &data, &len), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(data);
}

static void test_put_creates_root_and_reads_back(void **state)
{
	struct fixture *f = *state;

	assert_false(cfs_store_root_exists(f->store));
	put(f, "state.json", "{\"v\":1}");
	assert_true(cfs_store_root_exists(f->store));
	assert_get_is(f, "state.json", "{\"v\":1}");
}

static void test_put_replaces_content(void **state)
{
	struct fixture *f = *state;

	put(f, "state.json", "a fairly long first version");
	put(f, "state.json", "v2");
	assert_get_is(f, "state.json", "v2");
	/* only the object remains: no temp file left behind */
	assert_int_equal(tmpdir_count(f->root), 1);
}

static void test_put_binary_and_empty(void **state)
{
	struct fixture *f = *state;
	const char bin[] = { 'a', '\0', 'b', '\n' };
	char *data = NULL;
	size_t len = 0;

	assert_int_equal(cfs_store_put(f->store, "bin", bin, sizeof(bin)), 0);
	assert_int_equal(cfs_store_get(f->store, "bin", &data, &len), 0);
	assert_int_equal(len, sizeof(bin));
	assert_memory_equal(data, bin, sizeof(bin));
	assert_int_equal(data[len], '\0');
	free(data);
	assert_int_equal(cfs_store_put(f->store, "empty", "", 0), 0);
	assert_get_is(f, "empty", "");
}

static void test_nested_keys_create_parents(void **state)
{
	struct fixture *f = *state;
	struct stat st;
	char *dir = at(f, "_manifests/main");

	put(f, "_manifests/main/00000000000000000001.json", "m1");
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_get_is(f, "_manifests/main/00000000000000000001.json", "m1");
	assert_int_equal(cfs_store_put_new(f->store, "data/Person/01.jsonl", "r", 1), 0);
	assert_get_is(f, "data/Person/01.jsonl", "r");
	free(dir);
}

static void test_put_below_an_object_fails(void **state)
{
	struct fixture *f = *state;

	put(f, "a", "file");
	errno = 0;
	assert_int_equal(cfs_store_put(f->store, "a/b", "x", 1), -1);
	assert_int_equal(errno, ENOTDIR);
	errno = 0;
	assert_int_equal(cfs_store_put_new(f->store, "a/b/c", "x", 1), -1);
	assert_int_equal(errno, ENOTDIR);
	assert_get_is(f, "a", "file");
}

static void test_put_new_twice_is_eexist(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cfs_store_put_new(f->store, "lock.json", "first", 5), 0);
	errno = 0;
	assert_int_equal(cfs_store_put_new(f->store, "lock.json", "second", 6), -1);
	assert_int_equal(errno, EEXIST);
	assert_get_is(f, "lock.json", "first");
	/* the loser leaves no temp file */
	assert_int_equal(tmpdir_count(f->root), 1);
	/* put_new also refuses a key that was put, and a prefix in use */
	put(f, "d/x", "1");
	errno = 0;
	assert_int_equal(cfs_store_put_new(f->store, "d/x", "2", 1), -1);
	assert_int_equal(errno, EEXIST);
	errno = 0;
	assert_int_equal(cfs_store_put_new(f->store, "d", "2", 1), -1);
	assert_int_equal(errno, EEXIST);
	assert_get_is(f, "d/x", "1");
}

static void test_exists(void **state)
{
	struct fixture *f = *state;

	errno = 0;
	assert_int_equal(cfs_store_exists(f->store, "a"), -1);
	assert_int_equal(errno, ENOENT);
	put(f, "a", "1");
	put(f, "d/b", "2");
	assert_int_equal(cfs_store_exists(f->store, "a"), 0);
	assert_int_equal(cfs_store_exists(f->store, "d/b"), 0);
	errno = 0;
	assert_int_equal(cfs_store_exists(f->store, "d"), -1);
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_int_equal(cfs_store_exists(f->store, "a/x"), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_delete(void **state)
{
	struct fixture *f = *state;

	put(f, "recoveries/01.json", "r");
	put(f, "recoveries/02.json", "r");
	assert_int_equal(cfs_store_delete(f->store, "recoveries/01.json"), 0);
	errno = 0;
	assert_int_equal(cfs_store_exists(f->store, "recoveries/01.json"), -1);
	assert_int_equal(errno, ENOENT);
	assert_list_is(f, "recoveries/", "02.json");
	/* twice, never existed, root-level, prefix only: all ENOENT */
	errno = 0;
	assert_int_equal(cfs_store_delete(f->store, "recoveries/01.json"), -1);
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_int_equal(cfs_store_delete(f->store, "nope"), -1);
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_int_equal(cfs_store_delete(f->store, "recoveries"), -1);
	assert_int_equal(errno, ENOENT);
	assert_list_is(f, "recoveries", "02.json");
}

static void test_delete_on_missing_root_is_enoent(void **state)
{
	struct fixture *f = *state;

	errno = 0;
	assert_int_equal(cfs_store_delete(f->store, "a/b"), -1);
	assert_int_equal(errno, ENOENT);
	assert_false(cfs_store_root_exists(f->store));
}

static void test_list_sorted_direct_entries(void **state)
{
	struct fixture *f = *state;

	put(f, "approvals/b.json", "");
	put(f, "approvals/A.json", "");
	put(f, "approvals/a.json", "");
	put(f, "approvals/_x", "");
	put(f, "approvals/sub/deep.json", "");
	put(f, "approvals/sub/deeper/x.json", "");
	put(f, "other.json", "");
	/* byte-wise order; "sub" is listed by name, its contents are not */
	assert_list_is(f, "approvals/", "A.json,_x,a.json,b.json,sub");
	assert_list_is(f, "approvals", "A.json,_x,a.json,b.json,sub");
	assert_list_is(f, "approvals/sub/", "deep.json,deeper");
	assert_list_is(f, "", "approvals,other.json");
	assert_list_is(f, NULL, "approvals,other.json");
}

static void test_list_missing_prefix_is_empty(void **state)
{
	struct fixture *f = *state;
	char **names = (void *)1;
	size_t n = 99;

	/* missing root */
	assert_int_equal(cfs_store_list(f->store, "recoveries/", &names, &n), 0);
	assert_int_equal(n, 0);
	assert_null(names);
	assert_list_is(f, "", "");
	/* root present, prefix absent; prefix naming an object */
	put(f, "a", "1");
	assert_list_is(f, "recoveries/", "");
	assert_list_is(f, "a/", "");
}

static void test_list_skips_temp_files(void **state)
{
	struct fixture *f = *state;
	char *tmp = at(f, "d/.a.json.tmp.1234.abcdef012345");
	char *hidden = at(f, "d/.hidden");

	put(f, "d/a.json", "1");
	/* what a writer killed between write and rename leaves behind */
	write_raw(tmp, "half");
	write_raw(hidden, "x");
	assert_list_is(f, "d", "a.json");
	free(tmp);
	free(hidden);
}

static void test_remove_temps(void **state)
{
	struct fixture *f = *state;
	char *tmp = at(f, "d/.a.json.tmp.1234.abcdef012345");
	char *hidden = at(f, "d/.hidden");
	char *deeper = at(f, "d/e/.b.json.tmp.1.000000000000");
	struct stat st;

	put(f, "d/a.json", "1");
	put(f, "d/e/b.json", "2");
	write_raw(tmp, "half");
	write_raw(hidden, "x");
	write_raw(deeper, "half");
	assert_int_equal(cfs_store_remove_temps(f->store, "d"), 0);
	assert_int_equal(lstat(tmp, &st), -1);
	/* other dot names, keys and other prefixes stay */
	assert_int_equal(lstat(hidden, &st), 0);
	assert_int_equal(lstat(deeper, &st), 0);
	assert_list_is(f, "d", "a.json,e");
	/* a prefix that does not exist has nothing to remove */
	assert_int_equal(cfs_store_remove_temps(f->store, "nowhere"), 0);
	free(tmp);
	free(hidden);
	free(deeper);
}

static void assert_bad_key(struct fixture *f, const char *key)
{
	char *data = NULL;
	size_t len = 0;

	errno = 0;
	assert_int_equal(cfs_store_put(f->store, key, "x", 1), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(cfs_store_put_new(f->store, key, "x", 1), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(cfs_store_get(f->store, key, &data, &len), -1);
	assert_int_equal(errno, EINVAL);
	assert_null(data);
	errno = 0;
	assert_int_equal(cfs_store_exists(f->store, key), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(cfs_store_delete(f->store, key), -1);
	assert_int_equal(errno, EINVAL);
}

static void assert_bad_prefix(struct fixture *f, const char *prefix)
{
	char **names = (void *)1;
	size_t n = 99;

	errno = 0;
	assert_int_equal(cfs_store_list(f->store, prefix, &names, &n), -1);
	assert_int_equal(errno, EINVAL);
	assert_null(names);
	assert_int_equal(n, 0);
}

static void test_bad_keys_are_einval(void **state)
{
	struct fixture *f = *state;
	static const char *bad[] = {
		"", "/", "/abs", "/abs/x", "a/", "a//b", "//a", ".", "..", "./a",
		"a/.", "a/./b", "../a", "a/..", "a/../b", ".hidden", "a/.x.tmp.1",
	};

	put(f, "a/b", "keep");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_bad_key(f, bad[i]);
	assert_bad_prefix(f, "/");
	assert_bad_prefix(f, "/a");
	assert_bad_prefix(f, "a//");
	assert_bad_prefix(f, "../");
	assert_bad_prefix(f, "a/../");
	assert_bad_prefix(f, ".");
	/* nothing was written outside or inside the root */
	assert_int_equal(tmpdir_count(f->dir), 1);
	assert_list_is(f, "", "a");
	assert_list_is(f, "a", "b");
	/* names with dots inside a component are fine */
	put(f, "a..b/c.d..json", "ok");
	assert_get_is(f, "a..b/c.d..json", "ok");
}

static void test_root_exists_and_nonempty(void **state)
{
	struct fixture *f = *state;

	/* missing */
	assert_false(cfs_store_root_exists(f->store));
	assert_false(cfs_store_root_nonempty(f->store));
	/* an empty directory exists but holds nothing */
	assert_int_equal(mkdir(f->root, 0755), 0);
	assert_true(cfs_store_root_exists(f->store));
	assert_false(cfs_store_root_nonempty(f->store));
	/* an empty subdirectory counts as something */
	char *sub = at(f, "sub");
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_true(cfs_store_root_nonempty(f->store));
	assert_int_equal(rmdir(sub), 0);
	free(sub);
	put(f, "_graph.json", "{}");
	assert_true(cfs_store_root_exists(f->store));
	assert_true(cfs_store_root_nonempty(f->store));
}

static void test_root_that_is_a_file_is_occupied(void **state)
{
	struct fixture *f = *state;

	write_raw(f->root, "not a dir");
	assert_true(cfs_store_root_exists(f->store));
	assert_true(cfs_store_root_nonempty(f->store));
	errno = 0;
	assert_int_equal(cfs_store_put(f->store, "a", "x", 1), -1);
	assert_int_equal(errno, ENOTDIR);
	/* destroy removes it like any other root */
	assert_int_equal(cfs_store_destroy(f->store), 0);
	assert_false(cfs_store_root_exists(f->store));
}

/* A tree with files, nested and empty dirs, a temp file and a symlink. */
static void populate(struct fixture *f)
{
	char *tmp = at(f, "data/Person/.x.tmp.1.aabbccddeeff");
	char *empty = at(f, "data/Empty");
	char *link = at(f, "data/link");

	put(f, "_graph.json", "{}");
	put(f, "_schema/abc.pg", "node Person {}");
	put(f, "_manifests/main/00000000000000000001.json", "m1");
	put(f, "_manifests/main/00000000000000000002.json", "m2");
	put(f, "data/Person/01.jsonl", "r1");
	put(f, "data/Person/02.jsonl", "r2");
	write_raw(tmp, "half");
	assert_int_equal(mkdir(empty, 0755), 0);
	assert_int_equal(symlink(f->dir, link), 0);
	free(tmp);
	free(empty);
	free(link);
}

static void test_destroy_recursive_and_idempotent(void **state)
{
	struct fixture *f = *state;
	char *keep = cfs_xasprintf("%s/keep", f->dir);

	write_raw(keep, "outside the root");
	populate(f);
	assert_int_equal(cfs_store_destroy(f->store), 0);
	assert_false(cfs_store_root_exists(f->store));
	assert_false(cfs_store_root_nonempty(f->store));
	/* the symlink was removed, not followed: its target is intact */
	assert_int_equal(tmpdir_count(f->dir), 1);
	assert_int_equal(access(keep, F_OK), 0);
	/* again, on the now-missing root */
	assert_int_equal(cfs_store_destroy(f->store), 0);
	assert_int_equal(cfs_store_destroy(f->store), 0);
	/* the store is usable again afterwards */
	put(f, "a", "1");
	assert_get_is(f, "a", "1");
	free(keep);
}

static void test_destroy_missing_root(void **state)
{
	struct fixture *f = *state;
	char *deep = cfs_xasprintf("%s/no/such/parent/root", f->dir);
	struct cfs_store *s;

	assert_int_equal(cfs_store_destroy(f->store), 0);
	assert_false(cfs_store_root_exists(f->store));
	/* even the parent missing is fine */
	assert_int_equal(cfs_store_open_local(deep, &s), 0);
	assert_int_equal(cfs_store_destroy(s), 0);
	cfs_store_close(s);
	free(deep);
}

static void test_destroy_empty_root(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mkdir(f->root, 0755), 0);
	assert_int_equal(cfs_store_destroy(f->store), 0);
	assert_false(cfs_store_root_exists(f->store));
}

/* A destroy that died half-way: some leaves and a whole subtree already
 * gone, the rest still there.  Re-running finishes the job. */
static void test_destroy_resumes_after_interruption(void **state)
{
	struct fixture *f = *state;
	char *m1 = at(f, "_manifests/main/00000000000000000001.json");
	char *g = at(f, "_graph.json");
	char *schema = at(f, "_schema");

	populate(f);
	assert_int_equal(unlink(m1), 0);
	assert_int_equal(unlink(g), 0);
	tmpdir_rm_rf(schema);
	assert_true(cfs_store_root_nonempty(f->store));
	assert_int_equal(cfs_store_destroy(f->store), 0);
	assert_false(cfs_store_root_exists(f->store));
	assert_int_equal(tmpdir_count(f->dir), 0);
	free(m1);
	free(g);
	free(schema);
}

static void test_destroy_refuses_slash(void **state)
{
	struct cfs_store *s;

	(void)state;
	assert_int_equal(cfs_store_open_local("///", &s), 0);
	assert_string_equal(cfs_store_root(s), "/");
	errno = 0;
	assert_int_equal(cfs_store_destroy(s), -1);
	assert_int_equal(errno, EINVAL);
	cfs_store_close(s);
}

static void test_destroy_unremovable_reports_error(void **state)
{
	struct fixture *f = *state;
	char *locked;

	if (geteuid() == 0)
		skip();   /* root ignores directory permissions */
	locked = at(f, "locked");
	put(f, "locked/a", "1");
	assert_int_equal(chmod(locked, 0555), 0);
	errno = 0;
	assert_int_equal(cfs_store_destroy(f->store), -1);
	assert_int_equal(errno, EACCES);
	assert_true(cfs_store_root_exists(f->store));
	/* fixed, a re-run completes */
	assert_int_equal(chmod(locked, 0755), 0);
	assert_int_equal(cfs_store_destroy(f->store), 0);
	assert_false(cfs_store_root_exists(f->store));
	free(locked);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_open_rejects_empty_root),
		T(test_root_trailing_slashes_dropped),
		T(test_get_missing_is_enoent),
		T(test_get_prefix_or_through_object_is_enoent),
		T(test_put_creates_root_and_reads_back),
		T(test_put_replaces_content),
		T(test_put_binary_and_empty),
		T(test_nested_keys_create_parents),
		T(test_put_below_an_object_fails),
		T(test_put_new_twice_is_eexist),
		T(test_exists),
		T(test_delete),
		T(test_delete_on_missing_root_is_enoent),
		T(test_list_sorted_direct_entries),
		T(test_list_missing_prefix_is_empty),
		T(test_list_skips_temp_files),
	T(test_remove_temps),
		T(test_bad_keys_are_einval),
		T(test_root_exists_and_nonempty),
		T(test_root_that_is_a_file_is_occupied),
		T(test_destroy_recursive_and_idempotent),
		T(test_destroy_missing_root),
		T(test_destroy_empty_root),
		T(test_destroy_resumes_after_interruption),
		T(test_destroy_refuses_slash),
		T(test_destroy_unremovable_reports_error),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
