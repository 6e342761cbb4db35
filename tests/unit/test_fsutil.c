/*
 * Unit tests for core/fsutil: whole-file reads and the durable writes, each
 * in a fresh scratch directory, including every errno the header promises
 * and the absence of leftover temp files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/strbuf.h"
#include "tmpdir.h"

static int setup(void **state)
{
	*state = tmpdir_make();
	return 0;
}

static int teardown(void **state)
{
	tmpdir_remove(*state);
	return 0;
}

/* path inside the test's scratch dir.  Caller frees. */
static char *at(void **state, const char *rel)
{
	return cfs_xasprintf("%s/%s", (char *)*state, rel);
}

static void assert_file_is(const char *path, const char *want)
{
	char *data = NULL;
	size_t len = 0;

	assert_int_equal(cfs_read_file(path, &data, &len), 0);
	assert_int_equal(len, strlen(want));
	assert_string_equal(data, want);
	free(data);
}

static void test_read_missing_is_enoent(void **state)
{
	char *p = at(state, "missing");
	char *data = NULL;
	size_t len = 99;

	errno = 0;
	assert_int_equal(cfs_read_file(p, &data, &len), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(data);
	free(p);
}

static void test_read_directory_is_eisdir(void **state)
{
	char *data = NULL;
	size_t len = 0;

	errno = 0;
	assert_int_equal(cfs_read_file(*state, &data, &len), -1);
	assert_int_equal(errno, EISDIR);
	assert_null(data);
}

static void test_read_empty_and_binary_files(void **state)
{
	char *p = at(state, "f");
	char *data = NULL;
	size_t len = 99;
	const char bytes[] = { 'a', '\0', 'b', '\n' };

	assert_int_equal(cfs_write_atomic(p, "", 0), 0);
	assert_int_equal(cfs_read_file(p, &data, &len), 0);
	assert_int_equal(len, 0);
	assert_string_equal(data, "");
	free(data);

	assert_int_equal(cfs_write_atomic(p, bytes, sizeof(bytes)), 0);
	assert_int_equal(cfs_read_file(p, &data, &len), 0);
	assert_int_equal(len, sizeof(bytes));
	assert_memory_equal(data, bytes, sizeof(bytes));
	assert_int_equal(data[len], '\0');
	free(data);
	free(p);
}

static void test_read_large_file_whole(void **state)
{
	char *p = at(state, "big");
	size_t n = 3 * 1024 * 1024 + 17;
	char *big = cfs_xmalloc(n);
	char *data = NULL;
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		big[i] = (char)('a' + i % 26);
	assert_int_equal(cfs_write_atomic(p, big, n), 0);
	assert_int_equal(cfs_read_file(p, &data, &len), 0);
	assert_int_equal(len, n);
	assert_memory_equal(data, big, n);
	assert_int_equal(data[n], '\0');
	free(data);
	free(big);
	free(p);
}

/* /proc files report st_size 0 but have content: reads must not trust it. */
static void test_read_ignores_a_lying_size(void **state)
{
	(void)state;
	char *data = NULL;
	size_t len = 0;

	assert_int_equal(cfs_read_file("/proc/self/status", &data, &len), 0);
	assert_true(len > 0);
	assert_non_null(strstr(data, "Name:"));
	assert_int_equal(strlen(data), len);
	free(data);
}

static void test_write_atomic_creates_then_replaces(void **state)
{
	char *p = at(state, "state.json");
	struct stat st;

	assert_int_equal(cfs_write_atomic(p, "first\n", 6), 0);
	assert_file_is(p, "first\n");
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));

	assert_int_equal(cfs_write_atomic(p, "second, longer\n", 15), 0);
	assert_file_is(p, "second, longer\n");
	assert_int_equal(cfs_write_atomic(p, "3", 1), 0);
	assert_file_is(p, "3");
	/* only the target remains: no ".state.json.tmp.*" left behind */
	assert_int_equal(tmpdir_count(*state), 1);
	free(p);
}

/* Other processes (the mount, other users' CLIs) read these files. */
static void test_written_files_are_world_readable(void **state)
{
	char *a = at(state, "atomic");
	char *b = at(state, "excl");
	struct stat sa, sb;
	mode_t old = umask(022);

	int ra = cfs_write_atomic(a, "x", 1);
	int rb = cfs_create_excl(b, "x", 1);
	umask(old);
	assert_int_equal(ra, 0);
	assert_int_equal(rb, 0);
	assert_int_equal(stat(a, &sa), 0);
	assert_int_equal(stat(b, &sb), 0);
	assert_int_equal(sa.st_mode & 0777, 0644);
	assert_int_equal(sb.st_mode & 0777, 0644);
	free(b);
	free(a);
}

static void test_write_atomic_relative_path(void **state)
{
	char cwd[4096];

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(*state), 0);
	int rc = cfs_write_atomic("plain", "x", 1);
	int e = errno;
	assert_int_equal(chdir(cwd), 0);
	errno = e;
	assert_int_equal(rc, 0);
	char *p = at(state, "plain");
	assert_file_is(p, "x");
	assert_int_equal(tmpdir_count(*state), 1);
	free(p);
}

static void test_write_atomic_missing_dir_leaves_nothing(void **state)
{
	char *p = at(state, "nodir/file");

	errno = 0;
	assert_int_equal(cfs_write_atomic(p, "x", 1), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(tmpdir_count(*state), 0);
	free(p);
}

static void test_write_atomic_over_a_directory_fails_cleanly(void **state)
{
	char *p = at(state, "d");

	assert_int_equal(mkdir(p, 0755), 0);
	errno = 0;
	assert_int_equal(cfs_write_atomic(p, "x", 1), -1);
	assert_int_equal(errno, EISDIR); /* from rename(), preserved */
	assert_int_equal(tmpdir_count(*state), 1); /* temp file unlinked */
	free(p);
}

static void test_write_atomic_rejects_a_path_without_a_name(void **state)
{
	char *p = at(state, "sub/");

	errno = 0;
	assert_int_equal(cfs_write_atomic(p, "x", 1), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(tmpdir_count(*state), 0);
	free(p);
}

/*
 * A file size limit makes write() stop short and then fail with EFBIG: the
 * injected I/O error must surface with its errno, keep the old content and
 * leave no temp file.
 */
static void test_write_failure_cleans_up(void **state)
{
	char *p = at(state, "state.json");
	char big[4096];
	struct rlimit old, small;
	void (*old_handler)(int);

	memset(big, 'n', sizeof(big));
	assert_int_equal(cfs_write_atomic(p, "old", 3), 0);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = 100;
	old_handler = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	errno = 0;
	int ra = cfs_write_atomic(p, big, sizeof(big));
	int ea = errno;
	char *q = at(state, "new.lock");
	errno = 0;
	int rb = cfs_create_excl(q, big, sizeof(big));
	int eb = errno;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, old_handler);

	assert_int_equal(ra, -1);
	assert_int_equal(ea, EFBIG);
	assert_int_equal(rb, -1);
	assert_int_equal(eb, EFBIG);
	assert_file_is(p, "old");
	assert_int_equal(access(q, F_OK), -1);
	assert_int_equal(tmpdir_count(*state), 1);
	free(q);
	free(p);
}

static void test_create_excl_once_then_eexist(void **state)
{
	char *p = at(state, "lock.json");
	struct stat st;

	assert_int_equal(cfs_create_excl(p, "owner-1", 7), 0);
	assert_file_is(p, "owner-1");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_nlink, 1); /* the temp name is gone */

	errno = 0;
	assert_int_equal(cfs_create_excl(p, "owner-2", 7), -1);
	assert_int_equal(errno, EEXIST);
	assert_file_is(p, "owner-1");
	assert_int_equal(tmpdir_count(*state), 1);
	free(p);
}

static void test_create_excl_missing_dir_is_enoent(void **state)
{
	char *p = at(state, "no/such/lock");

	errno = 0;
	assert_int_equal(cfs_create_excl(p, "x", 1), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(tmpdir_count(*state), 0);
	free(p);
}

static void test_mkdirs_nested_and_existing(void **state)
{
	char *p = at(state, "a/b//c/d/");
	char *deep = at(state, "a/b/c/d");
	struct stat st;

	assert_int_equal(cfs_mkdirs(p, 0755), 0);
	assert_int_equal(stat(deep, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	/* everything already there: still success */
	assert_int_equal(cfs_mkdirs(deep, 0755), 0);
	assert_int_equal(cfs_mkdirs(*state, 0755), 0);
	free(deep);
	free(p);
}

static void test_mkdirs_applies_mode(void **state)
{
	char *p = at(state, "m/n");
	struct stat st;
	mode_t old = umask(0);

	int rc = cfs_mkdirs(p, 0700);
	umask(old);
	assert_int_equal(rc, 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	free(p);
}

static void test_mkdirs_through_a_file_is_enotdir(void **state)
{
	char *file = at(state, "f");
	char *under = at(state, "f/x/y");

	assert_int_equal(cfs_write_atomic(file, "x", 1), 0);
	errno = 0;
	assert_int_equal(cfs_mkdirs(under, 0755), -1);
	assert_int_equal(errno, ENOTDIR);
	errno = 0;
	assert_int_equal(cfs_mkdirs(file, 0755), -1);
	assert_int_equal(errno, ENOTDIR);
	errno = 0;
	assert_int_equal(cfs_mkdirs("", 0755), -1);
	assert_int_equal(errno, ENOENT);
	free(under);
	free(file);
}

static void test_fsync_dir_on_dir_file_and_missing(void **state)
{
	char *file = at(state, "f");
	char *gone = at(state, "gone");
	char *nowhere = at(state, "no/such/dir");

	assert_int_equal(cfs_fsync_dir(*state), 0);
	assert_int_equal(cfs_write_atomic(file, "x", 1), 0);
	assert_int_equal(cfs_fsync_dir(file), 0);   /* its parent */
	assert_int_equal(cfs_fsync_dir(gone), 0);   /* just unlinked: parent */
	errno = 0;
	assert_int_equal(cfs_fsync_dir(nowhere), -1);
	assert_int_equal(errno, ENOENT);
	free(nowhere);
	free(gone);
	free(file);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_read_missing_is_enoent),
		T(test_read_directory_is_eisdir),
		T(test_read_empty_and_binary_files),
		T(test_read_large_file_whole),
		T(test_read_ignores_a_lying_size),
		T(test_write_atomic_creates_then_replaces),
		T(test_written_files_are_world_readable),
		T(test_write_atomic_relative_path),
		T(test_write_atomic_missing_dir_leaves_nothing),
		T(test_write_atomic_over_a_directory_fails_cleanly),
		T(test_write_atomic_rejects_a_path_without_a_name),
		T(test_write_failure_cleans_up),
		T(test_create_excl_once_then_eexist),
		T(test_create_excl_missing_dir_is_enoent),
		T(test_mkdirs_nested_and_existing),
		T(test_mkdirs_applies_mode),
		T(test_mkdirs_through_a_file_is_enotdir),
		T(test_fsync_dir_on_dir_file_and_missing),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
