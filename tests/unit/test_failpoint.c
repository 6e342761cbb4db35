/*
 * Unit tests for core/failpoint: CLUSTERFS_FAILPOINTS is read on every
 * call, so each test sets it (and the teardown clears it) in-process; the
 * crash action is observed from a parent through fork().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/failpoint.h"

#define ENV "CLUSTERFS_FAILPOINTS"

static void arm(const char *spec)
{
	assert_int_equal(setenv(ENV, spec, 1), 0);
}

static int clear(void **state)
{
	(void)state;
	unsetenv(ENV);
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_unset_is_zero(void **state)
{
	(void)state;
	unsetenv(ENV);
	assert_int_equal(cfs_failpoint("graph.schema_apply.before_commit"), 0);
	arm("");
	assert_int_equal(cfs_failpoint("graph.schema_apply.before_commit"), 0);
	arm(" ; ;");
	assert_int_equal(cfs_failpoint("graph.schema_apply.before_commit"), 0);
}

static void test_error_only_for_that_name(void **state)
{
	(void)state;
	arm("cluster_apply.before_state_write=error");
	errno = 0;
	assert_int_equal(cfs_failpoint("cluster_apply.before_state_write"), -1);
	assert_int_equal(errno, EIO);
	/* exact names only: no prefix, suffix or case folding */
	assert_int_equal(cfs_failpoint("cluster_apply.before_state"), 0);
	assert_int_equal(cfs_failpoint("cluster_apply.before_state_write_x"), 0);
	assert_int_equal(cfs_failpoint("CLUSTER_APPLY.before_state_write"), 0);
	assert_int_equal(cfs_failpoint("cluster_apply.after_graph_create"), 0);
	assert_int_equal(cfs_failpoint(""), 0);
	/* armed until the variable changes */
	assert_int_equal(cfs_failpoint("cluster_apply.before_state_write"), -1);
	unsetenv(ENV);
	assert_int_equal(cfs_failpoint("cluster_apply.before_state_write"), 0);
}

static void test_default_action_is_error(void **state)
{
	(void)state;
	arm("graph.schema_apply.after_commit");
	assert_int_equal(cfs_failpoint("graph.schema_apply.after_commit"), -1);
	arm("graph.schema_apply.after_commit=");
	assert_int_equal(cfs_failpoint("graph.schema_apply.after_commit"), -1);
}

static void test_whitespace_tolerated(void **state)
{
	(void)state;
	arm("  a.one =  error ;\tb.two\t; c.three = sleep( 1 ) ");
	assert_int_equal(cfs_failpoint("a.one"), -1);
	assert_int_equal(cfs_failpoint("b.two"), -1);
	assert_int_equal(cfs_failpoint("c.three"), 0);
}

static void test_unknown_action_is_error(void **state)
{
	(void)state;
	static const char *bad[] = {
		"p=explode", "p=Error", "p=sleep", "p=sleep()", "p=sleep(x)",
		"p=sleep(10", "p=sleep(-5)", "p=sleep(1.5)", "p=crash(1)",
		"p=sleep(99999999999999999999999)",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		arm(bad[i]);
		assert_int_equal(cfs_failpoint("p"), -1);
	}
}

static void test_sleep_waits_then_returns_zero(void **state)
{
	long long t0;

	(void)state;
	arm("cluster_apply.after_payload_phase=sleep(50)");
	t0 = now_ms();
	assert_int_equal(cfs_failpoint("cluster_apply.after_payload_phase"), 0);
	assert_true(now_ms() - t0 >= 50);
	/* an unarmed point does not sleep */
	t0 = now_ms();
	assert_int_equal(cfs_failpoint("cluster_apply.before_graph_create"), 0);
	assert_true(now_ms() - t0 < 50);
}

static void test_crash_exits_137(void **state)
{
	int status = 0;
	pid_t pid;

	(void)state;
	arm("cluster_apply.before_graph_delete=crash");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		cfs_failpoint("cluster_apply.before_graph_delete");
		_exit(0);   /* reached only if the crash did not happen */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 137);
	/* a different point in the same setting does not crash */
	assert_int_equal(cfs_failpoint("cluster_apply.before_graph_create"), 0);
}

static void test_multiple_items(void **state)
{
	long long t0;

	(void)state;
	arm("a.x=error;b.y=sleep(20);c.z;d.w=crash");
	assert_int_equal(cfs_failpoint("a.x"), -1);
	t0 = now_ms();
	assert_int_equal(cfs_failpoint("b.y"), 0);
	assert_true(now_ms() - t0 >= 20);
	assert_int_equal(cfs_failpoint("c.z"), -1);
	assert_int_equal(cfs_failpoint("e.v"), 0);
	/* a name given twice: the first item decides */
	arm("a.x=sleep(0);a.x=error");
	assert_int_equal(cfs_failpoint("a.x"), 0);
	/* empty items and a trailing ';' are ignored */
	arm(";;a.x;;");
	assert_int_equal(cfs_failpoint("a.x"), -1);
}

int main(void)
{
#define T(f) cmocka_unit_test_teardown(f, clear)
	const struct CMUnitTest tests[] = {
		T(test_unset_is_zero),
		T(test_error_only_for_that_name),
		T(test_default_action_is_error),
		T(test_whitespace_tolerated),
		T(test_unknown_action_is_error),
		T(test_sleep_waits_then_returns_zero),
		T(test_crash_exits_137),
		T(test_multiple_items),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
