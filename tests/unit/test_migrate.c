/*
 * The schema migration planner (schema-lang.md §9-§10), driven by the
 * fixture pairs under tests/fixtures/schema/migrate/<case>/: old.pg is the
 * accepted schema, new.pg the desired one, and either expect.json (the
 * exact compact plan) plus expect.txt (the exact human preview), or
 * expect.err (the exact planning error).  The remaining tests cover what
 * a .pg pair cannot reach: the shape rules loading already enforces, the
 * identity allocation order and the bound rendering inside constraint keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "core/fsutil.h"
#include "core/json.h"
#include "core/strbuf.h"
#include "engine/schema/migrate.h"
#include "engine/schema/normalize.h"

/* ---- helpers ----------------------------------------------------------- */

static char *fixture_path(const char *rel)
{
	const char *root = getenv("CFS_FIXTURES");

	return cfs_xasprintf("%s/schema/migrate/%s", root ? root : "tests/fixtures", rel);
}

/* The file's text without its final newline, or NULL when absent. */
static char *read_text(const char *dir, const char *name)
{
	char *path = cfs_xasprintf("%s/%s", dir, name), *data = NULL;
	size_t len;

	if (cfs_read_file(path, &data, &len)) {
		free(path);
		return NULL;
	}
	free(path);
	if (len && data[len - 1] == '\n' && strcmp(name, "expect.txt"))
		data[len - 1] = '\0';
	return data;
}

static void load(const char *dir, const char *name, struct cfs_schema *s)
{
	char *src = read_text(dir, name), *err = NULL;

	if (!src)
		fail_msg("%s/%s: missing", dir, name);
	if (cfs_schema_load(src, strlen(src), s, &err) != CFS_SCHEMA_OK)
		fail_msg("%s/%s: %s", dir, name, err);
	free(src);
}

static void load_text(const char *src, struct cfs_schema *s)
{
	char *err = NULL;

	if (cfs_schema_load(src, strlen(src), s, &err) != CFS_SCHEMA_OK)
		fail_msg("load: %s", err);
}

/* {"supported":b,"steps":[...]}, as the CLI prints it. */
static char *plan_json(const struct cfs_migration *m)
{
	json_t *o = json_pack("{s:b,s:O}", "supported", m->supported, "steps", m->steps);
	char *s = cfs_json_compact(o, 0);

	json_decref(o);
	return s;
}

static char *plan_text(const struct cfs_migration *m)
{
	struct cfs_sb sb = CFS_SB_INIT;

	cfs_migration_render(m, &sb);
	return cfs_sb_detach(&sb);
}

static void expect_equal(const char *what, const char *dir, const char *got, const char *want)
{
	if (strcmp(got, want))
		fail_msg("%s: %s differs\n--- want\n%s\n--- got\n%s", dir, what, want, got);
}

/* ---- fixture cases ----------------------------------------------------- */

static void check_plan(const char *dir, const struct cfs_migration *m)
{
	char *want_json = read_text(dir, "expect.json"), *want_txt = read_text(dir, "expect.txt");
	char *got_json = plan_json(m), *got_txt = plan_text(m), *refusal = cfs_migration_refusal(m);

	if (!want_json || !want_txt)
		fail_msg("%s: needs expect.json and expect.txt, or expect.err", dir);
	expect_equal("plan JSON", dir, got_json, want_json);
	expect_equal("preview", dir, got_txt, want_txt);
	/* a plan is refused exactly when it is unsupported */
	assert_int_equal(refusal == NULL, m->supported);
	free(refusal);
	free(want_json);
	free(want_txt);
	free(got_json);
	free(got_txt);
}

/* Planning is a pure function: a second run gives the same bytes. */
static void check_deterministic(const char *dir, const struct cfs_schema *a, const struct cfs_schema *d,
				const struct cfs_migration *first)
{
	struct cfs_migration again;
	char *err = NULL;

	assert_int_equal(cfs_schema_plan(a, d, &again, &err), 0);
	char *x = plan_json(first), *y = plan_json(&again);
	expect_equal("second run", dir, y, x);
	free(x);
	free(y);
	cfs_migration_free(&again);
}

/* A schema planned against itself never changes anything. */
static void check_self_plan(const char *dir, const struct cfs_schema *s)
{
	struct cfs_migration m;
	char *err = NULL;

	if (cfs_schema_plan(s, s, &m, &err))
		fail_msg("%s: self plan failed: %s", dir, err);
	char *got = plan_json(&m);
	expect_equal("self plan", dir, got, "{\"supported\":true,\"steps\":[]}");
	free(got);
	cfs_migration_free(&m);
}

static void run_case(const char *dir)
{
	struct cfs_schema a, d;
	struct cfs_migration m;
	char *err = NULL, *want_err = read_text(dir, "expect.err");

	load(dir, "old.pg", &a);
	load(dir, "new.pg", &d);
	int rc = cfs_schema_plan(&a, &d, &m, &err);
	if (want_err) {
		if (rc == 0)
			fail_msg("%s: planned, expected error '%s'", dir, want_err);
		expect_equal("error", dir, err, want_err);
		free(err);
		free(want_err);
	} else {
		if (rc)
			fail_msg("%s: unexpected error: %s", dir, err);
		check_plan(dir, &m);
		check_deterministic(dir, &a, &d, &m);
		check_self_plan(dir, &d);
		cfs_migration_free(&m);
	}
	cfs_schema_free(&a);
	cfs_schema_free(&d);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_fixture_cases(void **state)
{
	char *root = fixture_path(""), **names = NULL;
	size_t n = 0;
	DIR *dir = opendir(root);
	struct dirent *e;

	(void)state;
	assert_non_null(dir);
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		names = cfs_xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = cfs_xstrdup(e->d_name);
	}
	closedir(dir);
	cfs_qsort(names, n, sizeof(*names), name_cmp);
	/* every §10 row and every §9 error has a case; losing the directory
	 * must not pass silently */
	assert_true(n >= 49);
	for (size_t i = 0; i < n; i++) {
		char *path = fixture_path(names[i]);
		run_case(path);
		free(path);
		free(names[i]);
	}
	free(names);
	free(root);
}

/* ---- refusal text ------------------------------------------------------ */

static char *refusal_of(const char *name)
{
	char *dir = fixture_path(name), *err = NULL;
	struct cfs_schema a, d;
	struct cfs_migration m;

	load(dir, "old.pg", &a);
	load(dir, "new.pg", &d);
	assert_int_equal(cfs_schema_plan(&a, &d, &m, &err), 0);
	char *r = cfs_migration_refusal(&m);
	cfs_migration_free(&m);
	cfs_schema_free(&a);
	cfs_schema_free(&d);
	free(dir);
	return r;
}

static void test_refusal_text(void **state)
{
	char *r;

	(void)state;
	r = refusal_of("add-required-property");
	assert_string_equal(r, "[OG-MF-103] adding required property 'Person.age' requires a backfill and "
			       "is not supported in schema migration v1");
	free(r);
	r = refusal_of("type-change");
	assert_string_equal(r, "[OG-MF-106] changing property type for 'Ticket.count' is not supported in "
			       "schema migration v1");
	free(r);
	r = refusal_of("drop-interface");
	assert_string_equal(r, "removing interface 'Named' is not supported in schema migration v1");
	free(r);
	assert_null(refusal_of("drop-node-edge"));
}

/* ---- canonical shape --------------------------------------------------- */

static char *shape_of(const char *src)
{
	struct cfs_schema s;
	struct cfs_shape sh;
	char *err = NULL;

	load_text(src, &s);
	if (cfs_schema_normalize(&s, &sh, &err))
		fail_msg("normalize: %s", err);
	json_t *j = cfs_shape_json(&sh);
	char *out = cfs_json_compact(j, 0);
	json_decref(j);
	cfs_shape_free(&sh);
	cfs_schema_free(&s);
	return out;
}

static void test_shape_ignores_order_comments_and_hints(void **state)
{
	char *a = shape_of("node Person {\n name: String @key\n age: I32?\n}\n");
	char *b = shape_of("// noise\nnode Person @rename_from(\"OldPerson\") {\n age: I32?\n"
			   " name: String @key @rename_from(\"old_name\")\n}\n");
	char *c = shape_of("node Person {\n name: String @key\n age: I64?\n}\n");

	(void)state;
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	free(a);
	free(b);
	free(c);
}

/* Injected properties take their meaning from every contributing
 * interface, whatever order `implements` lists them in. */
static void test_shape_injection_independent_of_implements_order(void **state)
{
	char *a = shape_of("interface A { name: String @index }\ninterface B { name: String @index }\n"
			   "node N implements B, A {}\n");
	char *b = shape_of("interface B { name: String @index }\ninterface A { name: String @index }\n"
			   "node N implements A, B, A {}\n");

	(void)state;
	assert_string_equal(a, b);
	assert_non_null(strstr(a, "\"declared_directly\":false"));
	assert_non_null(strstr(a, "{\"Index\":[\"name\"]}"));
	free(a);
	free(b);
}

/* Names loading already rejects can only reach the shape rules through a
 * hand-edited schema; the rules still hold there. */
static void expect_shape_error(const char *src, size_t type, int field, const char *value, const char *want)
{
	struct cfs_schema s;
	struct cfs_shape sh;
	char *err = NULL;

	load_text(src, &s);
	char **slot = field == 0 ? &s.types[type].name : &s.types[type].to;
	free(*slot);
	*slot = cfs_xstrdup(value);
	assert_int_equal(cfs_schema_normalize(&s, &sh, &err), -1);
	assert_string_equal(err, want);
	free(err);
	cfs_shape_free(&sh);
	cfs_schema_free(&s);
}

static void test_shape_errors_behind_the_catalog(void **state)
{
	(void)state;
	expect_shape_error("node A {}\nnode B {}\n", 1, 0, "A", "catalog error: duplicate node name in schema shape");
	expect_shape_error("node A {}\nedge E: A -> A\nedge F: A -> A\n", 2, 0, "E",
			   "catalog error: duplicate edge name 'E' in schema shape");
	expect_shape_error("node A {}\nedge E: A -> A\n", 1, 1, "Nope",
			   "catalog error: edge 'E' has an unresolved endpoint");
}

/* ---- identities -------------------------------------------------------- */

static void test_identity_allocation_order(void **state)
{
	struct cfs_schema s;
	struct cfs_shape sh;
	char *err = NULL;

	(void)state;
	load_text("edge E: A -> B {}\nnode B implements Z {}\nnode A {}\ninterface Z { p: String }\n", &s);
	assert_int_equal(cfs_schema_normalize(&s, &sh, &err), 0);
	assert_int_equal(cfs_shape_resolve(&sh, NULL, &err), 0);
	/* types by (kind, name), then properties by (owner, name), then
	 * table incarnations by type id; one counter for all */
	assert_int_equal(cfs_shape_find(&sh, CFS_DECL_INTERFACE, "Z")->id, 1);
	assert_int_equal(cfs_shape_find(&sh, CFS_DECL_NODE, "A")->id, 2);
	assert_int_equal(cfs_shape_find(&sh, CFS_DECL_NODE, "B")->id, 3);
	assert_int_equal(cfs_shape_find(&sh, CFS_DECL_EDGE, "E")->id, 4);
	assert_int_equal(cfs_shape_prop(cfs_shape_find(&sh, CFS_DECL_INTERFACE, "Z"), "p")->id, 5);
	assert_int_equal(cfs_shape_prop(cfs_shape_find(&sh, CFS_DECL_NODE, "B"), "p")->id, 6);
	assert_int_equal(cfs_shape_find(&sh, CFS_DECL_NODE, "A")->incarnation, 7);
	assert_int_equal(cfs_shape_find(&sh, CFS_DECL_NODE, "B")->incarnation, 8);
	assert_int_equal(cfs_shape_find(&sh, CFS_DECL_EDGE, "E")->incarnation, 9);
	assert_int_equal(sh.next_id, 10);
	cfs_shape_free(&sh);
	cfs_schema_free(&s);
}

/* Matched declarations keep their identities; new ones continue above the
 * accepted high-water mark, never reusing a retired number. */
static void test_identity_evolution(void **state)
{
	struct cfs_schema a, d;
	struct cfs_shape sa, sd;
	char *err = NULL;

	(void)state;
	load_text("node User { name: String }\nnode Gone {}\n", &a);
	load_text("node Account @rename_from(\"User\") { full: String @rename_from(\"name\") extra: I32? }\n", &d);
	assert_int_equal(cfs_schema_normalize(&a, &sa, &err), 0);
	assert_int_equal(cfs_shape_resolve(&sa, NULL, &err), 0);
	assert_int_equal(cfs_schema_normalize(&d, &sd, &err), 0);
	assert_int_equal(cfs_shape_resolve(&sd, &sa, &err), 0);
	const struct cfs_shape_type *acc = cfs_shape_find(&sd, CFS_DECL_NODE, "Account");
	assert_ptr_equal(acc->match, cfs_shape_find(&sa, CFS_DECL_NODE, "User"));
	assert_int_equal(acc->id, acc->match->id);
	assert_int_equal(acc->incarnation, acc->match->incarnation);
	assert_int_equal(cfs_shape_prop(acc, "full")->id, cfs_shape_prop(acc->match, "name")->id);
	assert_null(cfs_shape_prop(acc, "extra")->match);
	assert_int_equal(cfs_shape_prop(acc, "extra")->id, sa.next_id);
	assert_int_equal(sd.next_id, sa.next_id + 1);
	cfs_shape_free(&sa);
	cfs_shape_free(&sd);
	cfs_schema_free(&a);
	cfs_schema_free(&d);
}

/* ---- constraint keys --------------------------------------------------- */

static void expect_bound(bool present, bool is_int, int64_t i, double f, const char *want)
{
	struct cfs_bound b = { .present = present, .is_int = is_int, .i = i, .f = f };
	struct cfs_sb sb = CFS_SB_INIT;

	cfs_bound_debug(&b, &sb);
	assert_string_equal(cfs_sb_str(&sb), want);
	cfs_sb_release(&sb);
}

static void test_bound_debug_form(void **state)
{
	(void)state;
	expect_bound(false, false, 0, 0, "None");
	expect_bound(true, true, -42, 0, "Some(Integer(-42))");
	expect_bound(true, false, 0, 2.5, "Some(Float(2.5))");
	expect_bound(true, false, 0, 100.0, "Some(Float(100.0))");
	expect_bound(true, false, 0, 0.1, "Some(Float(0.1))");
	expect_bound(true, false, 0, -0.0, "Some(Float(-0.0))");
	expect_bound(true, false, 0, 0.0001, "Some(Float(0.0001))");
	expect_bound(true, false, 0, 0.00001, "Some(Float(1e-5))");
	expect_bound(true, false, 0, 1.5e-7, "Some(Float(1.5e-7))");
	expect_bound(true, false, 0, 1e15, "Some(Float(1000000000000000.0))");
	expect_bound(true, false, 0, 1e16, "Some(Float(1e16))");
	expect_bound(true, false, 0, 9.3e18, "Some(Float(9.3e18))");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_cases),
		cmocka_unit_test(test_refusal_text),
		cmocka_unit_test(test_shape_ignores_order_comments_and_hints),
		cmocka_unit_test(test_shape_injection_independent_of_implements_order),
		cmocka_unit_test(test_shape_errors_behind_the_catalog),
		cmocka_unit_test(test_identity_allocation_order),
		cmocka_unit_test(test_identity_evolution),
		cmocka_unit_test(test_bound_debug_form),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
