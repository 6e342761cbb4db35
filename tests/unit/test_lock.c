/*
 * Unit tests for ledger/lock (cluster.md §8): the file format byte for
 * byte (modulo id, time and pid), create-if-absent with parents,
 * state_lock_held in both wordings, state_lock_error, release only by the
 * holder's id, every read diagnostic at the caller's severity, and the
 * age computation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/diag.h"
#include "core/strbuf.h"
#include "core/ulid.h"
#include "ledger/lock.h"
#include "ledger/store.h"
#include "tmpdir.h"

struct fixture {
	char *dir;
	struct cfs_store *store;
	struct cfs_diags d;
	struct cfs_lock_info info;
};

static int setup(void **state)
{
	struct fixture *f = cfs_xcalloc(1, sizeof(*f));

	f->dir = tmpdir_make();
	assert_int_equal(cfs_store_open_local(f->dir, &f->store), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	cfs_lock_info_release(&f->info);
	cfs_diags_free(&f->d);
	cfs_store_close(f->store);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

static void put_lock(struct fixture *f, const char *text)
{
	assert_int_equal(cfs_store_put(f->store, CFS_LOCK_KEY, text, strlen(text)), 0);
}

static char *get_lock(struct fixture *f)
{
	char *data = NULL;
	size_t len;

	assert_int_equal(cfs_store_get(f->store, CFS_LOCK_KEY, &data, &len), 0);
	return data;
}

static void assert_one_diag(struct fixture *f, enum cfs_severity sev, const char *code, const char *prefix)
{
	assert_int_equal(f->d.n, 1);
	assert_string_equal(f->d.v[0].code, code);
	assert_int_equal(f->d.v[0].severity, sev);
	assert_string_equal(f->d.v[0].path, "__cluster/lock.json");
	if (strncmp(f->d.v[0].message, prefix, strlen(prefix))) {
		print_error("message: %s\nexpected prefix: %s\n", f->d.v[0].message, prefix);
		fail();
	}
}

/* ------------------------------------------------------------ acquire */

static bool is_rfc3339_utc_seconds(const char *s)
{
	static const char pattern[] = "dddd-dd-ddTdd:dd:ddZ";

	if (strlen(s) != sizeof(pattern) - 1)
		return false;
	for (size_t i = 0; pattern[i]; i++)
		if (pattern[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pattern[i])
			return false;
	return true;
}

static void test_acquire_format(void **state)
{
	struct fixture *f = *state;
	struct cfs_lock_info held;
	char *id = NULL, *text, *want;

	assert_int_equal(cfs_lock_acquire(f->store, "apply", &id, &held, &f->d), 0);
	assert_int_equal(f->d.n, 0);
	assert_false(held.present);
	assert_true(cfs_ulid_valid(id));
	text = get_lock(f);
	/* the metadata as parsed back, then the exact bytes around it */
	assert_int_equal(cfs_lock_read(f->store, CFS_ERROR, &f->info, &f->d), 0);
	assert_true(f->info.present && f->info.parsed);
	assert_string_equal(f->info.lock_id, id);
	assert_string_equal(f->info.operation, "apply");
	assert_int_equal(f->info.pid, (uint32_t)getpid());
	assert_true(is_rfc3339_utc_seconds(f->info.created_at));
	want = cfs_xasprintf("{\n  \"version\": 1,\n  \"lock_id\": \"%s\",\n  \"operation\": \"apply\",\n"
			     "  \"created_at\": \"%s\",\n  \"pid\": %u\n}", id, f->info.created_at, (unsigned)getpid());
	assert_string_equal(text, want);   /* no trailing newline */
	assert_true(cfs_lock_age_seconds(f->info.created_at) >= 0);
	assert_true(cfs_lock_age_seconds(f->info.created_at) < 60);
	free(want);
	free(text);
	free(id);
}

static void test_acquire_held(void **state)
{
	struct fixture *f = *state;
	struct cfs_lock_info held;
	char *id = NULL, *id2 = NULL, *before, *after, *msg;

	assert_int_equal(cfs_lock_acquire(f->store, "plan", &id, &held, &f->d), 0);
	before = get_lock(f);
	assert_int_equal(cfs_lock_acquire(f->store, "apply", &id2, &held, &f->d), -1);
	assert_null(id2);
	msg = cfs_xasprintf("cluster state lock already exists (lock id %s); run `clusterfs force-unlock %s` only after "
			    "confirming no cluster operation is active", id, id);
	assert_one_diag(f, CFS_ERROR, "state_lock_held", msg);
	assert_string_equal(f->d.v[0].message, msg);
	assert_true(held.present && held.parsed);
	assert_string_equal(held.lock_id, id);
	assert_string_equal(held.operation, "plan");
	after = get_lock(f);
	assert_string_equal(after, before);
	cfs_lock_info_release(&held);
	free(msg);
	free(before);
	free(after);
	free(id);
}

static void test_acquire_held_unparseable(void **state)
{
	struct fixture *f = *state;
	struct cfs_lock_info held;
	char *id = NULL, *text;

	put_lock(f, "{garbage");
	assert_int_equal(cfs_lock_acquire(f->store, "refresh", &id, &held, &f->d), -1);
	assert_one_diag(f, CFS_ERROR, "state_lock_held",
			"cluster state lock already exists; remove it only after confirming no cluster operation is active");
	assert_true(held.present);
	assert_false(held.parsed);
	assert_null(held.lock_id);
	text = get_lock(f);
	assert_string_equal(text, "{garbage");
	free(text);
	cfs_lock_info_release(&held);
}

/* __cluster is a file: neither create nor "held". */
static void test_acquire_error(void **state)
{
	struct fixture *f = *state;
	struct cfs_lock_info held;
	char *id = NULL;

	assert_int_equal(cfs_store_put(f->store, "__cluster", "x", 1), 0);
	assert_int_equal(cfs_lock_acquire(f->store, "import", &id, &held, &f->d), -1);
	assert_null(id);
	assert_false(held.present);
	assert_one_diag(f, CFS_ERROR, "state_lock_error", "could not write state lock: Not a directory");
}

/* ------------------------------------------------------------ release */

static void test_release_own_only(void **state)
{
	struct fixture *f = *state;
	struct cfs_lock_info held;
	char *id = NULL, *other;

	assert_int_equal(cfs_lock_acquire(f->store, "apply", &id, &held, &f->d), 0);
	cfs_lock_release(f->store, "01ARZ3NDEKTSV4RRFFQ69G5FAV");
	assert_int_equal(cfs_store_exists(f->store, CFS_LOCK_KEY), 0);
	cfs_lock_release(f->store, id);
	assert_int_equal(cfs_store_exists(f->store, CFS_LOCK_KEY), -1);
	cfs_lock_release(f->store, id);   /* gone: nothing to do */

	/* broken and retaken by someone else: our release leaves theirs */
	other = cfs_xstrdup("{\"version\":1,\"lock_id\":\"theirs\",\"operation\":\"plan\",\"created_at\":"
			    "\"2024-01-01T00:00:00Z\",\"pid\":1}");
	put_lock(f, other);
	cfs_lock_release(f->store, id);
	assert_int_equal(cfs_store_exists(f->store, CFS_LOCK_KEY), 0);
	/* an unparseable lock is nobody's to release */
	put_lock(f, "{");
	cfs_lock_release(f->store, id);
	assert_int_equal(cfs_store_exists(f->store, CFS_LOCK_KEY), 0);
	free(other);
	free(id);
}

/* ------------------------------------------------------------ read */

static void test_read_absent(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cfs_lock_read(f->store, CFS_WARNING, &f->info, &f->d), 0);
	assert_false(f->info.present);
	assert_false(f->info.parsed);
	assert_int_equal(f->d.n, 0);
}

static void test_read_valid(void **state)
{
	struct fixture *f = *state;

	put_lock(f, "{\n  \"pid\": 123, \"version\": 1, \"operation\": \"refresh\", \"lock_id\": \"held-lock\",\n"
		    "  \"created_at\": \"1970-01-01T00:00:00Z\"}");
	assert_int_equal(cfs_lock_read(f->store, CFS_WARNING, &f->info, &f->d), 0);
	assert_int_equal(f->d.n, 0);
	assert_true(f->info.present && f->info.parsed);
	assert_string_equal(f->info.lock_id, "held-lock");
	assert_string_equal(f->info.operation, "refresh");
	assert_string_equal(f->info.created_at, "1970-01-01T00:00:00Z");
	assert_int_equal(f->info.pid, 123);
	assert_int_equal(f->info.version, 1);
}

/* Read text as the lock at severity sev: one diagnostic code, message prefix. */
static void expect_read(struct fixture *f, enum cfs_severity sev, const char *text, const char *code,
			const char *prefix)
{
	put_lock(f, text);
	assert_int_equal(cfs_lock_read(f->store, sev, &f->info, &f->d), -1);
	assert_true(f->info.present);
	assert_false(f->info.parsed);
	assert_null(f->info.lock_id);
	assert_one_diag(f, sev, code, prefix);
	cfs_lock_info_release(&f->info);
	cfs_diags_free(&f->d);
}

static void test_read_invalid(void **state)
{
	struct fixture *f = *state;
	const char *p = "could not parse state lock: ";

	expect_read(f, CFS_WARNING, "{", "invalid_state_lock", p);
	expect_read(f, CFS_ERROR, "{", "invalid_state_lock", p);
	expect_read(f, CFS_ERROR, "[]", "invalid_state_lock", "could not parse state lock: invalid type: sequence");
	expect_read(f, CFS_ERROR, "{\"version\":1,\"lock_id\":\"a\",\"operation\":\"plan\",\"created_at\":\"t\",\"pid\":1,"
		    "\"extra\":true}", "invalid_state_lock", "could not parse state lock: unknown field `extra`, expected "
		    "one of `version`, `lock_id`, `operation`, `created_at`, `pid`");
	expect_read(f, CFS_ERROR, "{\"version\":1,\"lock_id\":\"a\",\"operation\":\"plan\",\"created_at\":\"t\"}",
		    "invalid_state_lock", "could not parse state lock: missing field `pid`");
	expect_read(f, CFS_ERROR, "{\"version\":1,\"lock_id\":\"a\",\"operation\":\"plan\",\"created_at\":\"t\",\"pid\":-1}",
		    "invalid_state_lock", "could not parse state lock: invalid value: integer `-1`, expected u32");
	expect_read(f, CFS_ERROR, "{\"version\":1,\"lock_id\":7,\"operation\":\"plan\",\"created_at\":\"t\",\"pid\":1}",
		    "invalid_state_lock", "could not parse state lock: invalid type: integer `7`, expected a string");
	/* the shape is checked before the version */
	expect_read(f, CFS_ERROR, "{\"version\":2,\"lock_id\":\"a\"}", "invalid_state_lock", p);
}

static void test_read_version(void **state)
{
	struct fixture *f = *state;
	const char *v2 = "{\"version\":2,\"lock_id\":\"held-lock\",\"operation\":\"plan\",\"created_at\":"
			 "\"1970-01-01T00:00:00Z\",\"pid\":123}";

	expect_read(f, CFS_WARNING, v2, "unsupported_state_lock_version", "unsupported cluster state lock version 2");
	expect_read(f, CFS_ERROR, v2, "unsupported_state_lock_version", "unsupported cluster state lock version 2");
}

static void test_read_error(void **state)
{
	struct fixture *f = *state;
	char *dir = cfs_xasprintf("%s/__cluster", f->dir), *path = cfs_xasprintf("%s/lock.json", dir);

	put_lock(f, "{\"version\":1,\"lock_id\":\"\xc3\x28\"}");
	assert_int_equal(cfs_lock_read(f->store, CFS_WARNING, &f->info, &f->d), -1);
	assert_false(f->info.present);
	assert_one_diag(f, CFS_WARNING, "state_lock_read_error",
			"could not read state lock: stream did not contain valid UTF-8");
	cfs_diags_free(&f->d);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink("lock.json", path), 0);
	assert_int_equal(cfs_lock_read(f->store, CFS_ERROR, &f->info, &f->d), -1);
	assert_false(f->info.present);
	assert_one_diag(f, CFS_ERROR, "state_lock_read_error",
			"could not read state lock: Too many levels of symbolic links");
	free(path);
	free(dir);
}

/* ------------------------------------------------------------ age */

static void test_age(void **state)
{
	long long now = (long long)time(NULL), age;

	(void)state;
	age = cfs_lock_age_seconds("1970-01-01T00:00:00Z");
	assert_true(age >= now - 1 && age <= now + 1);
	assert_int_equal(cfs_lock_age_seconds("2000-01-01T01:00:00+01:00"), cfs_lock_age_seconds("2000-01-01T00:00:00Z"));
	assert_int_equal(cfs_lock_age_seconds("1999-12-31T23:30:00-00:30"), cfs_lock_age_seconds("2000-01-01T00:00:00Z"));
	assert_int_equal(cfs_lock_age_seconds("2000-01-01t00:00:00.999999z"), cfs_lock_age_seconds("2000-01-01T00:00:00Z"));
	assert_int_equal(cfs_lock_age_seconds("2000-02-29T00:00:00Z") - cfs_lock_age_seconds("2000-03-01T00:00:00Z"),
			 86400);
	assert_int_equal(cfs_lock_age_seconds("9999-12-31T23:59:59Z"), 0);   /* the future is age 0 */
	assert_int_equal(cfs_lock_age_seconds(NULL), -1);
	assert_int_equal(cfs_lock_age_seconds(""), -1);
	assert_int_equal(cfs_lock_age_seconds("t"), -1);
	assert_int_equal(cfs_lock_age_seconds("2000-01-01"), -1);
	assert_int_equal(cfs_lock_age_seconds("2000-01-01 00:00:00Z"), -1);
	assert_int_equal(cfs_lock_age_seconds("2000-01-01T00:00:00"), -1);
	assert_int_equal(cfs_lock_age_seconds("2000-01-01T00:00:00.Z"), -1);
	assert_int_equal(cfs_lock_age_seconds("2000-01-01T00:00:00Zjunk"), -1);
	assert_int_equal(cfs_lock_age_seconds("2001-02-29T00:00:00Z"), -1);
	assert_int_equal(cfs_lock_age_seconds("2000-13-01T00:00:00Z"), -1);
	assert_int_equal(cfs_lock_age_seconds("2000-01-01T24:00:00Z"), -1);
	assert_int_equal(cfs_lock_age_seconds("2000-01-01T00:00:00+24:00"), -1);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_acquire_format),
		T(test_acquire_held),
		T(test_acquire_held_unparseable),
		T(test_acquire_error),
		T(test_release_own_only),
		T(test_read_absent),
		T(test_read_valid),
		T(test_read_invalid),
		T(test_read_version),
		T(test_read_error),
		T(test_age),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
