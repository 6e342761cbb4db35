/*
 * Unit tests for core/path: joining, lexical absolutizing, and the inside-
 * the-config-directory check against real files and symlinks built in a
 * scratch directory (plus a second one standing for "outside").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/path.h"
#include "core/strbuf.h"
#include "tmpdir.h"

struct dirs {
	char *base;     /* the config directory */
	char *outside;  /* a directory that is not under base */
};

static int setup(void **state)
{
	struct dirs *d = cfs_xcalloc(1, sizeof(*d));

	d->base = tmpdir_make();
	d->outside = tmpdir_make();
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	struct dirs *d = *state;

	tmpdir_remove(d->base);
	tmpdir_remove(d->outside);
	free(d);
	return 0;
}

static void put_file(const char *dir, const char *rel)
{
	char *p = cfs_xasprintf("%s/%s", dir, rel);

	assert_int_equal(cfs_write_atomic(p, "x\n", 2), 0);
	free(p);
}

static void put_dir(const char *dir, const char *rel)
{
	char *p = cfs_xasprintf("%s/%s", dir, rel);

	assert_int_equal(cfs_mkdirs(p, 0755), 0);
	free(p);
}

static void put_link(const char *dir, const char *rel, const char *target)
{
	char *p = cfs_xasprintf("%s/%s", dir, rel);

	assert_int_equal(symlink(target, p), 0);
	free(p);
}

static void assert_join(const char *dir, const char *rel, const char *want)
{
	char *s = cfs_path_join(dir, rel);

	assert_string_equal(s, want);
	free(s);
}

static void test_join_without_normalizing(void **state)
{
	(void)state;
	assert_join("cb", "./people.pg", "cb/./people.pg");
	assert_join("dir/", "x", "dir/x");
	assert_join("a/b", "../c", "a/b/../c");
	assert_join("/", "etc", "/etc");
	assert_join("dir", "/abs/path", "/abs/path");
	assert_join("", "x", "x");
}

static void assert_absolute(const char *path, const char *cwd_suffix)
{
	char cwd[4096];
	char *want, *got;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	want = strcmp(cwd, "/") ? cfs_xasprintf("%s%s", cwd, cwd_suffix)
				: cfs_xstrdup(*cwd_suffix ? cwd_suffix : "/");
	got = cfs_path_absolute(path);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
	free(want);
}

static void test_absolute_of_relative_paths(void **state)
{
	(void)state;
	assert_absolute("a/./b//c", "/a/b/c");
	assert_absolute("a/b/", "/a/b");
	assert_absolute("../x", "/../x");
	assert_absolute(".", "");
	assert_absolute("./", "");
}

static void test_absolute_of_absolute_paths(void **state)
{
	(void)state;
	const char *cases[][2] = {
		{ "/", "/" },
		{ "//", "/" },
		{ "/.", "/" },
		{ "/a/../b/", "/a/../b" },
		{ "/a//b/./c", "/a/b/c" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = cfs_path_absolute(cases[i][0]);
		assert_string_equal(got, cases[i][1]);
		free(got);
	}
}

static void test_absolute_follows_the_current_directory(void **state)
{
	struct dirs *d = *state;
	char cwd[4096], *here, *got, *want;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(d->base), 0);
	here = getcwd(NULL, 0);
	got = cfs_path_absolute("people.pg");
	assert_int_equal(chdir(cwd), 0);
	want = cfs_xasprintf("%s/people.pg", here);
	assert_string_equal(got, want);
	free(want);
	free(got);
	free(here);
}

static void test_check_lexical_verdicts(void **state)
{
	struct dirs *d = *state;

	assert_int_equal(cfs_path_check(d->base, "people.pg"), CFS_PATH_INSIDE);
	assert_int_equal(cfs_path_check(d->base, "queries/a/b.gq"), CFS_PATH_INSIDE);
	assert_int_equal(cfs_path_check(d->base, "./queries/"), CFS_PATH_INSIDE);
	assert_int_equal(cfs_path_check(d->base, "a/../b"), CFS_PATH_INSIDE);
	assert_int_equal(cfs_path_check(d->base, "a/.."), CFS_PATH_INSIDE);
	assert_int_equal(cfs_path_check(d->base, ""), CFS_PATH_INSIDE);
	assert_int_equal(cfs_path_check(d->base, "../x"), CFS_PATH_DOTDOT);
	assert_int_equal(cfs_path_check(d->base, ".."), CFS_PATH_DOTDOT);
	assert_int_equal(cfs_path_check(d->base, "a/../../x"), CFS_PATH_DOTDOT);
	assert_int_equal(cfs_path_check(d->base, "./a/./../.././x"), CFS_PATH_DOTDOT);
	assert_int_equal(cfs_path_check(d->base, "/etc/passwd"), CFS_PATH_ABSOLUTE);
	assert_int_equal(cfs_path_check(d->base, "/"), CFS_PATH_ABSOLUTE);
}

static void test_check_existing_files_inside(void **state)
{
	struct dirs *d = *state;

	put_file(d->base, "people.pg");
	put_dir(d->base, "queries/sub");
	put_file(d->base, "queries/sub/q.gq");
	assert_int_equal(cfs_path_check(d->base, "people.pg"), CFS_PATH_INSIDE);
	assert_int_equal(cfs_path_check(d->base, "queries/sub/q.gq"), CFS_PATH_INSIDE);
	assert_int_equal(cfs_path_check(d->base, "queries/sub/../../people.pg"), CFS_PATH_INSIDE);
	/* not there yet: judged on what exists */
	assert_int_equal(cfs_path_check(d->base, "queries/new/later.gq"), CFS_PATH_INSIDE);
	/* a file used as a directory cannot exist, so nothing escapes */
	assert_int_equal(cfs_path_check(d->base, "people.pg/x"), CFS_PATH_INSIDE);
}

static void test_check_symlink_to_outside(void **state)
{
	struct dirs *d = *state;

	put_file(d->outside, "secret");
	put_link(d->base, "out", d->outside);
	put_link(d->base, "leak.pg", "../");
	put_dir(d->base, "deep");
	put_link(d->base, "deep/file.pg", "../../x");
	assert_int_equal(cfs_path_check(d->base, "out"), CFS_PATH_SYMLINK);
	assert_int_equal(cfs_path_check(d->base, "out/secret"), CFS_PATH_SYMLINK);
	assert_int_equal(cfs_path_check(d->base, "out/not-yet"), CFS_PATH_SYMLINK);
	assert_int_equal(cfs_path_check(d->base, "./out/../x"), CFS_PATH_SYMLINK);
	assert_int_equal(cfs_path_check(d->base, "leak.pg"), CFS_PATH_SYMLINK);
	/* the link is two levels down; its target is dangling outside */
	assert_int_equal(cfs_path_check(d->base, "deep/file.pg"), CFS_PATH_SYMLINK);
}

/* "/tmp/cfg-other" starts with "/tmp/cfg" but is not inside it. */
static void test_check_sibling_with_common_prefix_is_outside(void **state)
{
	struct dirs *d = *state;
	char *sibling = cfs_xasprintf("%s-sibling", d->base);

	assert_int_equal(mkdir(sibling, 0755), 0);
	put_link(d->base, "sib", sibling);
	enum cfs_path_verdict v = cfs_path_check(d->base, "sib");
	tmpdir_rm_rf(sibling);
	free(sibling);
	assert_int_equal(v, CFS_PATH_SYMLINK);
}

static void test_check_symlink_staying_inside(void **state)
{
	struct dirs *d = *state;

	put_file(d->base, "people.pg");
	put_dir(d->base, "real/dir");
	put_link(d->base, "alias.pg", "people.pg");
	put_link(d->base, "q", "real/dir");
	put_link(d->base, "self", ".");
	assert_int_equal(cfs_path_check(d->base, "alias.pg"), CFS_PATH_INSIDE);
	assert_int_equal(cfs_path_check(d->base, "q/new.gq"), CFS_PATH_INSIDE);
	/* ".." after a symlink is physical: q/.. is real/, still inside */
	assert_int_equal(cfs_path_check(d->base, "q/../dir"), CFS_PATH_INSIDE);
	assert_int_equal(cfs_path_check(d->base, "self/self/people.pg"), CFS_PATH_INSIDE);
}

/* Unresolvable links cannot be shown to stay inside: fail closed. */
static void test_check_unresolvable_symlinks_fail_closed(void **state)
{
	struct dirs *d = *state;

	put_link(d->base, "dangling", "nowhere/at/all");
	put_link(d->base, "loop", "loop");
	assert_int_equal(cfs_path_check(d->base, "dangling"), CFS_PATH_SYMLINK);
	assert_int_equal(cfs_path_check(d->base, "dangling/x"), CFS_PATH_SYMLINK);
	assert_int_equal(cfs_path_check(d->base, "loop"), CFS_PATH_SYMLINK);
}

/*
 * A name the kernel cannot even look up (too long here; an unsearchable
 * directory for a non-root user) is not an escape: nothing can be read
 * through it, and the read reports the real reason.
 */
static void test_check_unlookupable_name_is_left_to_the_read(void **state)
{
	struct dirs *d = *state;
	char *name = cfs_xcalloc(1, 301);

	memset(name, 'a', 300);
	put_dir(d->base, "sub");
	assert_int_equal(cfs_path_check(d->base, name), CFS_PATH_INSIDE);
	char *deeper = cfs_xasprintf("sub/%s/x.pg", name);
	assert_int_equal(cfs_path_check(d->base, deeper), CFS_PATH_INSIDE);
	free(deeper);
	free(name);
}

/* The base itself may be reached through a symlink or not exist yet. */
static void test_check_base_variants(void **state)
{
	struct dirs *d = *state;
	char *link = cfs_xasprintf("%s/cfg", d->outside);
	char *missing = cfs_xasprintf("%s/missing", d->outside);

	put_file(d->base, "people.pg");
	put_link(d->base, "out", d->outside);
	assert_int_equal(symlink(d->base, link), 0);
	assert_int_equal(cfs_path_check(link, "people.pg"), CFS_PATH_INSIDE);
	assert_int_equal(cfs_path_check(link, "out"), CFS_PATH_SYMLINK);
	assert_int_equal(cfs_path_check(missing, "people.pg"), CFS_PATH_INSIDE);
	assert_int_equal(cfs_path_check(missing, "../people.pg"), CFS_PATH_DOTDOT);
	assert_int_equal(cfs_path_check("/", "etc"), CFS_PATH_INSIDE);
	free(missing);
	free(link);
}

static void test_verdict_strings(void **state)
{
	(void)state;
	assert_string_equal(cfs_path_verdict_str(CFS_PATH_ABSOLUTE), "it is absolute");
	assert_string_equal(cfs_path_verdict_str(CFS_PATH_DOTDOT),
			    "'..' leaves the config directory");
	assert_string_equal(cfs_path_verdict_str(CFS_PATH_SYMLINK),
			    "a symlink resolves outside the config directory");
	assert_non_null(cfs_path_verdict_str(CFS_PATH_INSIDE));
	assert_true(strlen(cfs_path_verdict_str(CFS_PATH_INSIDE)) > 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_join_without_normalizing),
		cmocka_unit_test(test_absolute_of_relative_paths),
		cmocka_unit_test(test_absolute_of_absolute_paths),
		T(test_absolute_follows_the_current_directory),
		T(test_check_lexical_verdicts),
		T(test_check_existing_files_inside),
		T(test_check_symlink_to_outside),
		T(test_check_sibling_with_common_prefix_is_outside),
		T(test_check_symlink_staying_inside),
		T(test_check_unresolvable_symlinks_fail_closed),
		T(test_check_unlookupable_name_is_left_to_the_read),
		T(test_check_base_variants),
		T(test_verdict_strings),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
