/*
 * Unit tests for the top-level .gq declaration scanner (query-lang.md §1-§3,
 * as used by cluster.md §2.2): names in file order with repeats kept,
 * comments and strings that hide braces and the word `query`, annotations,
 * and the "parse error:  --> LINE:COL" rendering of each syntax failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/query/ast.h"

/* ---- helpers ----------------------------------------------------------- */

static void scan_ok(const char *src, struct cfs_query_list *f)
{
	char *err = NULL;
	int rc = cfs_query_parse(src, strlen(src), f, &err);

	if (rc)
		print_error("unexpected scan failure: %s\n", err);
	assert_int_equal(rc, 0);
	assert_null(err);
}

/* names: NULL-terminated expected list, in order. */
static void expect_names(const char *src, const char *const *names)
{
	struct cfs_query_list f;
	size_t n = 0;

	scan_ok(src, &f);
	while (names[n])
		n++;
	assert_int_equal(f.n, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(f.v[i].name, names[i]);
	cfs_query_list_free(&f);
}

/* The scan must fail and the message start with "parse error:  --> L:C". */
static void expect_error_at(const char *src, unsigned line, unsigned col)
{
	struct cfs_query_list f;
	char *err = NULL;
	char want[64];
	int rc = cfs_query_parse(src, strlen(src), &f, &err);

	if (rc == 0) {
		print_error("scan accepted input that must fail at %u:%u (%zu decl(s))\n", line, col, f.n);
		cfs_query_list_free(&f);
	}
	assert_int_equal(rc, -1);
	assert_non_null(err);
	snprintf(want, sizeof(want), "parse error:  --> %u:%u", line, col);
	if (strncmp(err, want, strlen(want)) != 0)
		print_error("got \"%s\", want prefix \"%s\"\n", err, want);
	assert_true(strncmp(err, want, strlen(want)) == 0);
	/* the position is a whole number, not a prefix of a longer one */
	char next = err[strlen(want)];
	assert_false(next >= '0' && next <= '9');
	assert_int_equal(f.n, 0);
	assert_null(f.v);
	free(err);
}

static const char FIND_PERSON[] =
	"query find_person($name: String) {\n"
	"  match { $p: Person { name: $name } }\n"
	"  return { $p.name }\n"
	"}\n";

/* ---- declarations ------------------------------------------------------ */

static void test_single_query(void **state)
{
	static const char *const names[] = { "find_person", NULL };
	struct cfs_query_list f;

	(void)state;
	expect_names(FIND_PERSON, names);
	scan_ok(FIND_PERSON, &f);
	assert_int_equal(f.v[0].line, 1);
	assert_int_equal(f.v[0].col, 1);
	cfs_query_list_free(&f);
}

static const char SEVERAL[] =
	"// people queries\n"                                               /* 1 */
	"/* query hidden_in_comment() { } */\n"                             /* 2 */
	"query first($n: String) {\n"                                       /* 3 */
	"  match { $p: Person { name: \"a } { query not_me() {\" } }\n"     /* 4 */
	"  return { $p.name }\n"                                            /* 5 */
	"}\n"                                                               /* 6 */
	"\n"                                                                /* 7 */
	"  query second() {\n"                                              /* 8 */
	"    // } a closing brace in a comment\n"                           /* 9 */
	"    match { $p: Person }\n"                                        /* 10 */
	"    /* { unbalanced\n"                                             /* 11 */
	"       in a block comment */\n"                                    /* 12 */
	"    return { $p.name }\n"                                          /* 13 */
	"  }\n"                                                             /* 14 */
	"query third_Q1() { match { $p: Person { name: \"esc \\\" } \" } } return { $p } }"
	" query fourth() { match { $p: Person } return { $p } }\n";         /* 15 */

static void test_several_queries_in_order(void **state)
{
	static const char *const names[] = { "first", "second", "third_Q1", "fourth", NULL };
	struct cfs_query_list f;

	(void)state;
	expect_names(SEVERAL, names);
	scan_ok(SEVERAL, &f);
	assert_int_equal(f.v[0].line, 3);
	assert_int_equal(f.v[0].col, 1);
	assert_int_equal(f.v[1].line, 8);
	assert_int_equal(f.v[1].col, 3);
	assert_int_equal(f.v[2].line, 15);
	assert_int_equal(f.v[2].col, 1);
	assert_int_equal(f.v[3].line, 15);
	cfs_query_list_free(&f);
}

static void test_multiline_string_keeps_positions(void **state)
{
	struct cfs_query_list f;

	(void)state;
	scan_ok("query a() {\n  match { $p: P { name: \"line one\nline two {\" } }\n  return { $p }\n}\n"
		"query b() { match { $p: P } return { $p } }\n", &f);
	assert_int_equal(f.n, 2);
	assert_string_equal(f.v[1].name, "b");
	assert_int_equal(f.v[1].line, 6);
	assert_int_equal(f.v[1].col, 1);
	cfs_query_list_free(&f);
}

static void test_annotations_between_params_and_body(void **state)
{
	static const char *const names[] = { "annotated", "two_annotations", NULL };

	(void)state;
	expect_names("query annotated($x: String)\n"
		     "  @description(\"Finds { people } by query(name)\")\n"
		     "{\n  match { $p: Person { name: $x } }\n  return { $p.name }\n}\n"
		     "query two_annotations() @description(\"d\") @instruction(\"use ) carefully\")"
		     " /* c */ { match { $p: Person } return { $p } }\n",
		     names);
}

static void test_params_with_brackets(void **state)
{
	static const char *const names[] = { "vec", NULL };

	(void)state;
	expect_names("query vec($v: Vector(3), $xs: [String]?) {\n"
		     "  match { $d: Doc }\n  return { $d.id }\n  order { nearest($d.emb, $v) }\n  limit 5\n}\n",
		     names);
}

static void test_empty_and_comment_only_files(void **state)
{
	static const char *const none[] = { NULL };

	(void)state;
	expect_names("", none);
	expect_names("\n\n  \t\r\n", none);
	expect_names("// only a comment\n", none);
	expect_names("// no trailing newline", none);
	expect_names("/* block\n comment */\n// and a line one\n", none);
}

static void test_repeated_names_kept(void **state)
{
	static const char *const names[] = { "dup", "other", "dup", NULL };
	const char *src = "query dup() { match { $a: A } return { $a } }\n"
			  "query other() { match { $a: A } return { $a } }\n"
			  "query dup() { match { $b: B } return { $b } }\n";
	struct cfs_query_list f;

	(void)state;
	expect_names(src, names);
	scan_ok(src, &f);
	const struct cfs_query *d = cfs_query_find(&f, "dup");
	assert_non_null(d);
	assert_ptr_equal(d, &f.v[0]);       /* the first one */
	assert_int_equal(d->line, 1);
	assert_ptr_equal(cfs_query_find(&f, "other"), &f.v[1]);
	assert_null(cfs_query_find(&f, "missing"));
	assert_null(cfs_query_find(&f, "du"));
	cfs_query_list_free(&f);
}

static void test_find_in_empty_file(void **state)
{
	struct cfs_query_list f;

	(void)state;
	scan_ok("", &f);
	assert_null(cfs_query_find(&f, "x"));
	cfs_query_list_free(&f);
}

/* ---- errors ------------------------------------------------------------ */

static void test_error_unterminated_string(void **state)
{
	(void)state;
	expect_error_at("query a() {\n  match { $p: P { name: \"open } }\n  return { $p }\n}\n", 2, 25);
	expect_error_at("query a() @description(\"never closed) { }", 1, 24);
}

static void test_error_unterminated_block_comment(void **state)
{
	(void)state;
	expect_error_at("query a() { match { $p: P } return { $p } }\n  /* never\nclosed\n", 2, 3);
	expect_error_at("query a() {\n  /* inside the body\n}\n", 2, 3);
}

static void test_error_unbalanced_braces(void **state)
{
	(void)state;
	/* an unclosed match block: `return` is read as a clause, which then
	 * fails at the furthest point the PEG reached */
	expect_error_at("query a() {\n  match { $p: P\n  return { $p }\n}\n", 3, 10);
	/* a closer that does not match the innermost opener */
	expect_error_at("query a() {\n  match { $p: P ) }\n}\n", 2, 17);
	/* a stray closer at the top level is junk */
	expect_error_at("query a() { match { $p: P } return { $p } }\n}\n", 2, 1);
	expect_error_at("query a($x: String { }\n", 1, 20);
}

static void test_error_missing_or_bad_name(void **state)
{
	(void)state;
	expect_error_at("query () { }\n", 1, 7);
	expect_error_at("query\n  { }\n", 2, 3);
	expect_error_at("query Foo() { match { $p: P } return { $p } }\n", 1, 7);
	expect_error_at("query 9lives() { }\n", 1, 7);
	expect_error_at("query", 1, 6);
}

static void test_error_missing_paren_or_body(void **state)
{
	(void)state;
	expect_error_at("query a { match { $p: P } return { $p } }\n", 1, 9);
	expect_error_at("query a\n\n{ }\n", 3, 1);
	expect_error_at("query a()\n", 2, 1);                   /* no body */
	expect_error_at("query a() return { $p }\n", 1, 11);
	expect_error_at("query a() @description \"x\" { }\n", 1, 24);
}

static void test_error_junk_at_top_level(void **state)
{
	(void)state;
	expect_error_at("node Person { name: String }\n", 1, 1);
	expect_error_at("query a() { match { $p: P } return { $p } }\nfoo\n", 2, 1);
	expect_error_at("query a() { match { $p: P } return { $p } }   ;\n", 1, 47);
	expect_error_at("\n\n   x", 3, 4);
	expect_error_at("\"a string\"\n", 1, 1);
}

/* query-lang.md §3: qannot = "@description" "(" String ")"
 *                          | "@instruction" "(" String ")" */
static void test_error_bad_annotation(void **state)
{
	(void)state;
	expect_error_at("query a() @bogus(\"x\") { match { $p: P } return { $p } }\n", 1, 11);
	expect_error_at("query a() @description(42) { match { $p: P } return { $p } }\n", 1, 24);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_query),
		cmocka_unit_test(test_several_queries_in_order),
		cmocka_unit_test(test_multiline_string_keeps_positions),
		cmocka_unit_test(test_annotations_between_params_and_body),
		cmocka_unit_test(test_params_with_brackets),
		cmocka_unit_test(test_empty_and_comment_only_files),
		cmocka_unit_test(test_repeated_names_kept),
		cmocka_unit_test(test_find_in_empty_file),
		cmocka_unit_test(test_error_unterminated_string),
		cmocka_unit_test(test_error_unterminated_block_comment),
		cmocka_unit_test(test_error_unbalanced_braces),
		cmocka_unit_test(test_error_missing_or_bad_name),
		cmocka_unit_test(test_error_missing_paren_or_body),
		cmocka_unit_test(test_error_junk_at_top_level),
		cmocka_unit_test(test_error_bad_annotation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
