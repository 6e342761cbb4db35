/*
 * Unit tests for ledger/events: appends to a real scratch storage root,
 * one compact line per event with keys in insertion order, the ledger
 * folder created when missing, the repair of a torn last line (a crash
 * mid-append), and the errno of an append that cannot happen.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/fsutil.h"
#include "core/strbuf.h"
#include "ledger/events.h"
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

static void assert_log_is(void **state, const char *want)
{
	char *p = at(state, CFS_EVENTS_KEY), *data = NULL;
	size_t len = 0;

	assert_int_equal(cfs_read_file(p, &data, &len), 0);
	assert_int_equal(len, strlen(want));
	assert_string_equal(data, want);
	free(data);
	free(p);
}

/* An event whose keys are not in sorted order, to see the order kept. */
static json_t *event(const char *operation, json_int_t rev)
{
	json_t *e = json_object();

	json_object_set_new(e, "at", json_string("2024-01-02T03:04:05Z"));
	json_object_set_new(e, "operation", json_string(operation));
	json_object_set_new(e, "actor", json_null());
	json_object_set_new(e, "ok", json_true());
	json_object_set_new(e, "state_revision", json_integer(rev));
	json_object_set_new(e, "codes", json_pack("[s]", "x\ny"));
	return e;
}

static int append(void **state, const char *operation, json_int_t rev)
{
	json_t *e = event(operation, rev);
	int rc = cfs_events_append(*state, e);

	json_decref(e);
	return rc;
}

#define LINE(op, rev)                                                                                         \
	"{\"at\":\"2024-01-02T03:04:05Z\",\"operation\":\"" op "\",\"actor\":null,\"ok\":true,\"state_revision\":" \
	rev ",\"codes\":[\"x\\ny\"]}\n"

static void test_appends_one_compact_line_each(void **state)
{
	char *dir = at(state, "__cluster");

	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(append(state, "apply", 3), 0);
	assert_log_is(state, LINE("apply", "3"));
	assert_int_equal(append(state, "refresh", 4), 0);
	assert_log_is(state, LINE("apply", "3") LINE("refresh", "4"));
	free(dir);
}

static void test_creates_a_missing_ledger_folder(void **state)
{
	char *dir = at(state, "__cluster"), *p = at(state, CFS_EVENTS_KEY);
	struct stat st;

	assert_int_equal(append(state, "import", 1), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	/* readable by all whatever the umask allows: never more than 0644 */
	assert_int_equal(st.st_mode & 0133, 0);
	assert_log_is(state, LINE("import", "1"));
	free(p);
	free(dir);
}

static void test_a_torn_last_line_is_ended_first(void **state)
{
	char *p = at(state, CFS_EVENTS_KEY), *dir = at(state, "__cluster");
	const char *torn = LINE("apply", "3") "{\"at\":\"2024-01-02T03:0";

	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(cfs_write_atomic(p, torn, strlen(torn)), 0);
	assert_int_equal(append(state, "approve", 3), 0);
	assert_log_is(state, LINE("apply", "3") "{\"at\":\"2024-01-02T03:0\n" LINE("approve", "3"));
	/* once repaired, the next append adds no blank line */
	assert_int_equal(append(state, "refresh", 4), 0);
	assert_log_is(state, LINE("apply", "3") "{\"at\":\"2024-01-02T03:0\n" LINE("approve", "3") LINE("refresh", "4"));
	free(dir);
	free(p);
}

static void test_an_empty_log_gets_no_leading_newline(void **state)
{
	char *p = at(state, CFS_EVENTS_KEY), *dir = at(state, "__cluster");

	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(cfs_write_atomic(p, "", 0), 0);
	assert_int_equal(append(state, "force-unlock", 2), 0);
	assert_log_is(state, LINE("force-unlock", "2"));
	free(dir);
	free(p);
}

static void test_a_missing_root_is_enoent_and_not_created(void **state)
{
	char *root = at(state, "gone");
	json_t *e = event("apply", 1);
	struct stat st;

	errno = 0;
	assert_int_equal(cfs_events_append(root, e), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(stat(root, &st), -1);
	json_decref(e);
	free(root);
}

static void test_a_ledger_folder_that_is_a_file_is_enotdir(void **state)
{
	char *dir = at(state, "__cluster");

	assert_int_equal(cfs_write_atomic(dir, "x", 1), 0);
	errno = 0;
	assert_int_equal(append(state, "apply", 1), -1);
	assert_int_equal(errno, ENOTDIR);
	free(dir);
}

static void test_a_log_that_is_a_directory_is_eisdir(void **state)
{
	char *p = at(state, CFS_EVENTS_KEY);

	assert_int_equal(cfs_mkdirs(p, 0755), 0);
	errno = 0;
	assert_int_equal(append(state, "apply", 1), -1);
	assert_int_equal(errno, EISDIR);
	free(p);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_appends_one_compact_line_each),
		T(test_creates_a_missing_ledger_folder),
		T(test_a_torn_last_line_is_ended_first),
		T(test_an_empty_log_gets_no_leading_newline),
		T(test_a_missing_root_is_enoent_and_not_created),
		T(test_a_ledger_folder_that_is_a_file_is_enotdir),
		T(test_a_log_that_is_a_directory_is_eisdir),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
