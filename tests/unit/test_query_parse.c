/*
 * Unit tests of the .gq parser, cfs_query_parse (query-lang.md §1-§5,
 * engine/query/ast.h).
 *
 * The first part comes from the older top-level declaration scanner: names
 * in file order with repeats kept, comments and strings that hide braces and
 * the word `query`, annotations, and the "parse error:  --> LINE:COL"
 * rendering of syntax failures.  The second part walks every production of
 * the §3 grammar and asserts the parsed record of §4 field by field, the
 * "points" listed under §3, the parse-time errors of §4.3 (rendered
 * "parse error: parse error: <message>") and their precedence against
 * syntax errors.
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

/* ======================================================================== *
 * The grammar of query-lang.md §3 through cfs_query_parse, with the parsed
 * record of §4 asserted field by field, the parse-time checks of §4.3, and
 * the "points" listed under §3.
 * ======================================================================== */

/* ---- more helpers ------------------------------------------------------ */

/* Parse a file that must hold exactly one query; *f is freed by the caller. */
static const struct cfs_query *parse_one(const char *src, struct cfs_query_list *f)
{
	scan_ok(src, f);
	assert_int_equal(f->n, 1);
	return &f->v[0];
}

/* Any syntax failure: "parse error:  --> LINE:COL" with whole numbers. */
static void expect_syntax(const char *src)
{
	struct cfs_query_list f;
	char *err = NULL;
	unsigned line = 0, col = 0;
	char next = '\0';
	int rc = cfs_query_parse(src, strlen(src), &f, &err);

	if (rc == 0) {
		print_error("parser accepted input that is a syntax error:\n%s\n", src);
		cfs_query_list_free(&f);
	}
	assert_int_equal(rc, -1);
	assert_non_null(err);
	if (sscanf(err, "parse error:  --> %u:%u%c", &line, &col, &next) < 2 || line == 0 || col == 0 ||
	    (next >= '0' && next <= '9')) {
		print_error("not a syntax error rendering: \"%s\"\n  for:\n%s\n", err, src);
		fail();
	}
	assert_int_equal(f.n, 0);
	assert_null(f.v);
	free(err);
}

/* A §4.3 failure: exactly "parse error: parse error: <msg>", no queries. */
static void expect_semantic(const char *src, const char *msg)
{
	struct cfs_query_list f;
	char *err = NULL;
	char want[512];
	int rc = cfs_query_parse(src, strlen(src), &f, &err);

	if (rc == 0) {
		print_error("parser accepted input that must fail with \"%s\"\n", msg);
		cfs_query_list_free(&f);
	}
	assert_int_equal(rc, -1);
	assert_non_null(err);
	snprintf(want, sizeof(want), "parse error: parse error: %s", msg);
	assert_string_equal(err, want);
	assert_int_equal(f.n, 0);
	assert_null(f.v);
	free(err);
}

/* Source builders: a read query around a clause list, a projection list, an
 * order/limit tail, or a mutation around a statement list. */
static char SRC[8192];

static const char *src_match(const char *clauses)
{
	snprintf(SRC, sizeof(SRC),
		 "query q($q: String, $v: Vector(3)) {\n  match {\n%s\n  }\n  return { $p }\n}\n", clauses);
	return SRC;
}

static const char *src_return(const char *projs)
{
	snprintf(SRC, sizeof(SRC), "query q() {\n  match { $p: Person }\n  return { %s }\n}\n", projs);
	return SRC;
}

static const char *src_tail(const char *tail)
{
	snprintf(SRC, sizeof(SRC), "query q() {\n  match { $p: Person }\n  return { $p.name }\n%s\n}\n", tail);
	return SRC;
}

static const char *src_mut(const char *stmts)
{
	snprintf(SRC, sizeof(SRC), "query m($n: String) {\n%s\n}\n", stmts);
	return SRC;
}

static void assert_prop_expr(const struct cfs_qexpr *e, const char *var, const char *prop)
{
	assert_int_equal(e->kind, QE_PROP);
	assert_string_equal(e->var, var);
	assert_string_equal(e->prop, prop);
	assert_int_equal(e->nargs, 0);
}

static void assert_var_expr(const struct cfs_qexpr *e, const char *var)
{
	assert_int_equal(e->kind, QE_VAR);
	assert_string_equal(e->var, var);
	assert_null(e->prop);
}

static void assert_alias_expr(const struct cfs_qexpr *e, const char *name)
{
	assert_int_equal(e->kind, QE_ALIAS);
	assert_string_equal(e->alias, name);
}

static void assert_int_lit(const struct cfs_qlit *l, int64_t v)
{
	assert_int_equal(l->kind, QL_INT);
	assert_true(l->i == v);
}

static void assert_str_lit(const struct cfs_qlit *l, const char *s)
{
	assert_int_equal(l->kind, QL_STRING);
	assert_string_equal(l->str, s);
}

/* ---- parameters (§3 param/ptype/basetype, §4.1 normalization) ----------- */

static void test_param_each_base_type(void **state)
{
	static const char *const bases[] = { "String", "Blob", "Bool", "I32", "I64", "U32", "U64",
					     "F32", "F64", "DateTime", "Date" };
	struct cfs_query_list f;
	const struct cfs_query *q;

	(void)state;
	q = parse_one("query q($a: String, $b: Blob, $c: Bool, $d: I32, $e: I64, $f: U32, $g: U64,\n"
		      "        $h: F32, $i: F64, $j: DateTime, $k: Date) {\n"
		      "  match { $p: Person } return { $p }\n}\n", &f);
	assert_string_equal(q->name, "q");
	assert_int_equal(q->nparams, 11);
	for (size_t i = 0; i < 11; i++) {
		char name[2] = { (char)('a' + i), '\0' };
		assert_string_equal(q->params[i].name, name);
		assert_string_equal(q->params[i].type_text, bases[i]);
		assert_false(q->params[i].nullable);
	}
	assert_null(q->description);
	assert_null(q->instruction);
	assert_false(q->is_mutation);
	cfs_query_list_free(&f);

	/* each one nullable, and as a list */
	for (size_t i = 0; i < 11; i++) {
		char src[256];
		snprintf(src, sizeof(src),
			 "query q($x: %s?, $xs: [%s], $ys: [%s]?) { match { $p: Person } return { $p } }",
			 bases[i], bases[i], bases[i]);
		q = parse_one(src, &f);
		assert_int_equal(q->nparams, 3);
		assert_string_equal(q->params[0].type_text, bases[i]);
		assert_true(q->params[0].nullable);
		char want[32];
		snprintf(want, sizeof(want), "[%s]", bases[i]);
		assert_string_equal(q->params[1].type_text, want);
		assert_false(q->params[1].nullable);
		assert_string_equal(q->params[2].type_text, want);
		assert_true(q->params[2].nullable);
		cfs_query_list_free(&f);
	}
}

static void test_param_normalization(void **state)
{
	struct cfs_query_list f;
	const struct cfs_query *q;

	(void)state;
	/* whitespace and comments inside a type are irrelevant (§4.1) */
	q = parse_one("query q( $v : Vector( 3 ) ? , $l : [ I64 ] ?, $w: Vector(3),\n"
		      "  $z: Vector /* dim */ (007), $big: Vector(99999999999999999999),\n"
		      "  $zero: Vector(0), $s:String ?) {\n"
		      "  match { $p: Person } return { $p }\n}\n", &f);
	assert_int_equal(q->nparams, 7);
	assert_string_equal(q->params[0].name, "v");
	assert_string_equal(q->params[0].type_text, "Vector(3)");
	assert_true(q->params[0].nullable);
	assert_string_equal(q->params[1].name, "l");
	assert_string_equal(q->params[1].type_text, "[I64]");
	assert_true(q->params[1].nullable);
	assert_string_equal(q->params[2].type_text, "Vector(3)");
	assert_false(q->params[2].nullable);
	/* N's digits as written; range is the typechecker's business (§6.3) */
	assert_string_equal(q->params[3].type_text, "Vector(007)");
	assert_string_equal(q->params[4].type_text, "Vector(99999999999999999999)");
	assert_string_equal(q->params[5].type_text, "Vector(0)");
	assert_string_equal(q->params[6].name, "s");
	assert_string_equal(q->params[6].type_text, "String");
	assert_true(q->params[6].nullable);
	cfs_query_list_free(&f);

	/* no parameters at all */
	q = parse_one("query q( ) { match { $p: Person } return { $p } }", &f);
	assert_int_equal(q->nparams, 0);
	assert_null(q->params);
	cfs_query_list_free(&f);
}

static void test_param_repeats_and_var_names(void **state)
{
	struct cfs_query_list f;
	const struct cfs_query *q;

	(void)state;
	/* §5: parameters are not checked for duplicates by the parser */
	q = parse_one("query q($a: String, $a: I32, $_: Bool, $_x9: F64) { match { $p: Person } return { $p } }",
		      &f);
	assert_int_equal(q->nparams, 4);
	assert_string_equal(q->params[0].name, "a");
	assert_string_equal(q->params[0].type_text, "String");
	assert_string_equal(q->params[1].name, "a");
	assert_string_equal(q->params[1].type_text, "I32");
	/* §2: `$_`, `$_x` are variables */
	assert_string_equal(q->params[2].name, "_");
	assert_string_equal(q->params[3].name, "_x9");
	cfs_query_list_free(&f);
}

static void test_param_syntax_errors(void **state)
{
	(void)state;
	expect_syntax("query q($Foo: String) { match { $p: Person } return { $p } }");  /* $Foo is no Var */
	expect_syntax("query q($ a: String) { match { $p: Person } return { $p } }");
	expect_syntax("query q(a: String) { match { $p: Person } return { $p } }");
	expect_syntax("query q($a String) { match { $p: Person } return { $p } }");
	expect_syntax("query q($a: Int) { match { $p: Person } return { $p } }");
	expect_syntax("query q($a: string) { match { $p: Person } return { $p } }");
	expect_syntax("query q($a: Person) { match { $p: Person } return { $p } }");
	expect_syntax("query q($a: [Vector(3)]) { match { $p: Person } return { $p } }");
	expect_syntax("query q($a: [String?]) { match { $p: Person } return { $p } }");
	expect_syntax("query q($a: [[String]]) { match { $p: Person } return { $p } }");
	expect_syntax("query q($a: [String) { match { $p: Person } return { $p } }");
	expect_syntax("query q($a: Vector) { match { $p: Person } return { $p } }");
	expect_syntax("query q($a: Vector()) { match { $p: Person } return { $p } }");
	expect_syntax("query q($a: Vector(-1)) { match { $p: Person } return { $p } }");
	expect_syntax("query q($a: Vector(1.5)) { match { $p: Person } return { $p } }");
	expect_syntax("query q($a: String?\?) { match { $p: Person } return { $p } }");
	expect_syntax("query q($a: String $b: I32) { match { $p: Person } return { $p } }");
	expect_syntax("query q($a: String,) { match { $p: Person } return { $p } }");
	expect_syntax("query q(,) { match { $p: Person } return { $p } }");
}

/* ---- annotations (§3 qannot, §4.1, §4.3) -------------------------------- */

static void test_annotations_decoded(void **state)
{
	struct cfs_query_list f;
	const struct cfs_query *q;

	(void)state;
	q = parse_one("query q($x: String)\n"
		      "  @description(\"say \\\"hi\\\" \\\\ a\\tb\\nc\\rd\")\n"
		      "  @instruction( \"use it\" )\n"
		      "{ match { $p: Person } return { $p } }\n", &f);
	assert_string_equal(q->description, "say \"hi\" \\ a\tb\nc\rd");
	assert_string_equal(q->instruction, "use it");
	cfs_query_list_free(&f);

	/* either order; only one of them; an empty string */
	q = parse_one("query q() @instruction(\"i\") @description(\"\") { match { $p: Person } return { $p } }", &f);
	assert_string_equal(q->description, "");
	assert_string_equal(q->instruction, "i");
	cfs_query_list_free(&f);
	q = parse_one("query q() @instruction(\"only\") { match { $p: Person } return { $p } }", &f);
	assert_null(q->description);
	assert_string_equal(q->instruction, "only");
	cfs_query_list_free(&f);

	/* a raw newline inside the string is kept */
	q = parse_one("query q() @description(\"two\nlines\") { insert Person { name: \"a\" } }", &f);
	assert_string_equal(q->description, "two\nlines");
	assert_true(q->is_mutation);
	cfs_query_list_free(&f);
}

static void test_annotation_errors(void **state)
{
	(void)state;
	expect_semantic("query dup_d() @description(\"a\") @description(\"b\") { match { $p: Person } return { $p } }",
			"query `dup_d` cannot include duplicate @description annotations");
	expect_semantic("query dup_i() @instruction(\"a\") @description(\"d\") @instruction(\"a\")\n"
			"{ match { $p: Person } return { $p } }",
			"query `dup_i` cannot include duplicate @instruction annotations");
	expect_semantic("query e() @description(\"bad \\q escape\") { match { $p: Person } return { $p } }",
			"unsupported escape sequence: \\q");
	/* other annotations and shapes are syntax errors (§3 points) */
	expect_syntax("query q() @key(\"x\") { match { $p: Person } return { $p } }");
	expect_syntax("query q() @description { match { $p: Person } return { $p } }");
	expect_syntax("query q() @description(\"a\", \"b\") { match { $p: Person } return { $p } }");
	expect_syntax("query q() @description(x) { match { $p: Person } return { $p } }");
	expect_syntax("query q() { match { $p: Person } return { $p } } @description(\"late\")");
	expect_syntax("query q() @Description(\"x\") { match { $p: Person } return { $p } }");
}

/* ---- bindings (§3 binding/propmatch/value, §4.2) ------------------------ */

static void test_binding(void **state)
{
	struct cfs_query_list f;
	const struct cfs_query *q;
	const struct cfs_qclause *c;

	(void)state;
	q = parse_one(src_match("    $p: Person\n"
				"    $c:Company{name:\"Acme\"}\n"
				"    $d: Doc { slug: $q, title: \"t\", }\n"
				"    $e: Person { seen: now(), age: 42, score: 1.5, active: false,\n"
				"                 born: date(\"2020-01-02\"), tags: [\"a\", \"b\"] }"),
		      &f);
	assert_int_equal(q->nclauses, 4);
	c = &q->clauses[0];
	assert_int_equal(c->kind, QC_BINDING);
	assert_string_equal(c->var, "p");
	assert_string_equal(c->type, "Person");
	assert_int_equal(c->nprops, 0);

	c = &q->clauses[1];
	assert_int_equal(c->kind, QC_BINDING);
	assert_string_equal(c->var, "c");
	assert_string_equal(c->type, "Company");
	assert_int_equal(c->nprops, 1);
	assert_string_equal(c->props[0].prop, "name");
	assert_int_equal(c->props[0].value.kind, QV_LIT);
	assert_str_lit(&c->props[0].value.lit, "Acme");

	/* trailing comma allowed */
	c = &q->clauses[2];
	assert_int_equal(c->nprops, 2);
	assert_string_equal(c->props[0].prop, "slug");
	assert_int_equal(c->props[0].value.kind, QV_VAR);
	assert_string_equal(c->props[0].value.var, "q");
	assert_string_equal(c->props[1].prop, "title");
	assert_str_lit(&c->props[1].value.lit, "t");

	c = &q->clauses[3];
	assert_int_equal(c->nprops, 6);
	assert_int_equal(c->props[0].value.kind, QV_NOW);
	assert_null(c->props[0].value.var);
	assert_int_equal(c->props[1].value.kind, QV_LIT);
	assert_int_lit(&c->props[1].value.lit, 42);
	assert_string_equal(c->props[1].value.lit.text, "42");
	assert_int_equal(c->props[2].value.lit.kind, QL_FLOAT);
	assert_true(c->props[2].value.lit.f == 1.5);
	assert_int_equal(c->props[3].value.lit.kind, QL_BOOL);
	assert_false(c->props[3].value.lit.b);
	assert_int_equal(c->props[4].value.lit.kind, QL_DATE);
	assert_string_equal(c->props[4].value.lit.str, "2020-01-02");
	assert_int_equal(c->props[5].value.lit.kind, QL_LIST);
	assert_int_equal(c->props[5].value.lit.nitems, 2);
	assert_str_lit(&c->props[5].value.lit.items[1], "b");
	cfs_query_list_free(&f);
}

static void test_binding_syntax_errors(void **state)
{
	(void)state;
	expect_syntax(src_match("$d: Doc { }"));                    /* §3: at least one propmatch */
	expect_syntax(src_match("$d: Doc { , }"));
	expect_syntax(src_match("$d: Doc { slug: \"a\",, }"));
	expect_syntax(src_match("$d: Doc { slug: \"a\" title: \"b\" }")); /* commas separate */
	expect_syntax(src_match("$d: doc"));                        /* TypeName */
	expect_syntax(src_match("$d: Doc { Slug: \"a\" }"));        /* Ident */
	expect_syntax(src_match("$d: Doc { slug \"a\" }"));
	expect_syntax(src_match("$d: Doc { slug: $x.y }"));         /* a value, not an expression */
	expect_syntax(src_match("$d: Doc { slug: count($x) }"));
	expect_syntax(src_match("$d: Doc { slug: }"));
	expect_syntax(src_match("$d: Doc { slug: now }"));
	expect_syntax(src_match("$d: Doc { slug: \"a\""));
	expect_syntax(src_match("$d: [Doc]"));
	expect_syntax(src_match("$Foo: Doc"));
}

/* ---- traversals (§3 traversal, §4.2) ------------------------------------ */

static void test_traversal_forms(void **state)
{
	struct cfs_query_list f;
	const struct cfs_query *q;
	const struct cfs_qclause *c;

	(void)state;
	q = parse_one(src_match("    $a knows $b\n"
				"    $a $w:knows $b\n"
				"    $a <knows> $b\n"
				"    $a $w2 : < knows > $b\n"
				"    $_ worksAt $_x\n"
				"    $a nothing $b\n"
				"    $a knows_not $b\n"
				"    $a not9 $b"),
		      &f);
	assert_int_equal(q->nclauses, 8);
	c = &q->clauses[0];
	assert_int_equal(c->kind, QC_TRAVERSAL);
	assert_string_equal(c->src, "a");
	assert_string_equal(c->edge, "knows");
	assert_string_equal(c->dst, "b");
	assert_null(c->edge_var);
	assert_false(c->undirected);
	/* without braces: 1..1 */
	assert_int_equal(c->min, 1);
	assert_true(c->has_max);
	assert_int_equal(c->max, 1);

	c = &q->clauses[1];
	assert_int_equal(c->kind, QC_TRAVERSAL);
	assert_string_equal(c->edge_var, "w");
	assert_string_equal(c->edge, "knows");
	assert_false(c->undirected);
	assert_int_equal(c->min, 1);
	assert_int_equal(c->max, 1);
	assert_true(c->has_max);

	c = &q->clauses[2];
	assert_int_equal(c->kind, QC_TRAVERSAL);
	assert_null(c->edge_var);
	assert_string_equal(c->edge, "knows");
	assert_true(c->undirected);

	c = &q->clauses[3];
	assert_int_equal(c->kind, QC_TRAVERSAL);
	assert_string_equal(c->edge_var, "w2");
	assert_string_equal(c->edge, "knows");
	assert_true(c->undirected);
	assert_string_equal(c->dst, "b");

	/* the edge name as written (lookup is case-insensitive later) */
	c = &q->clauses[4];
	assert_string_equal(c->src, "_");
	assert_string_equal(c->edge, "worksAt");
	assert_string_equal(c->dst, "_x");

	/* §2: `nothing` is an edge name */
	assert_int_equal(q->clauses[5].kind, QC_TRAVERSAL);
	assert_string_equal(q->clauses[5].edge, "nothing");
	assert_int_equal(q->clauses[6].kind, QC_TRAVERSAL);
	assert_string_equal(q->clauses[6].edge, "knows_not");
	/* `not` followed by an alphanumeric character is not excluded */
	assert_int_equal(q->clauses[7].kind, QC_TRAVERSAL);
	assert_string_equal(q->clauses[7].edge, "not9");
	cfs_query_list_free(&f);
}

static void test_traversal_bounds(void **state)
{
	struct cfs_query_list f;
	const struct cfs_query *q;
	const struct cfs_qclause *c;

	(void)state;
	q = parse_one(src_match("    $a knows{2,} $b\n"
				"    $a knows { 1 , 3 } $b\n"
				"    $a knows {1,1} $b\n"
				"    $a <knows>{0,0} $b\n"
				"    $a knows{5,2} $b\n"
				"    $a knows {4294967295,4294967295} $b\n"
				"    $a $w:knows{2,3} $b"),
		      &f);
	assert_int_equal(q->nclauses, 7);
	c = &q->clauses[0];
	assert_int_equal(c->min, 2);
	assert_false(c->has_max);                       /* {m,} */
	assert_string_equal(c->dst, "b");
	c = &q->clauses[1];
	assert_int_equal(c->min, 1);
	assert_true(c->has_max);
	assert_int_equal(c->max, 3);
	c = &q->clauses[2];
	assert_int_equal(c->min, 1);
	assert_int_equal(c->max, 1);
	assert_true(c->has_max);
	/* semantic range checks are the typechecker's (T15) */
	c = &q->clauses[3];
	assert_true(c->undirected);
	assert_int_equal(c->min, 0);
	assert_int_equal(c->max, 0);
	assert_true(c->has_max);
	c = &q->clauses[4];
	assert_int_equal(c->min, 5);
	assert_int_equal(c->max, 2);
	c = &q->clauses[5];
	assert_true(c->min == UINT32_MAX);
	assert_true(c->max == UINT32_MAX);
	c = &q->clauses[6];
	assert_string_equal(c->edge_var, "w");
	assert_int_equal(c->min, 2);
	assert_int_equal(c->max, 3);
	cfs_query_list_free(&f);

	expect_syntax(src_match("$a knows {} $b"));
	expect_syntax(src_match("$a knows {2} $b"));
	expect_syntax(src_match("$a knows {,3} $b"));
	expect_syntax(src_match("$a knows {-1,3} $b"));
	expect_syntax(src_match("$a knows {1,2,3} $b"));
	expect_syntax(src_match("$a knows {1.5,2} $b"));
	expect_syntax(src_match("$a knows $b {1,2}"));
}

static void test_traversal_syntax_errors(void **state)
{
	(void)state;
	expect_syntax(src_match("$a not $b"));          /* EdgeName excludes `not` ... */
	expect_syntax(src_match("$a not_x $b"));        /* ... and `not_...` */
	expect_syntax(src_match("$a WorksAt $b"));      /* EdgeName is an Ident */
	expect_syntax(src_match("$a knows"));
	expect_syntax(src_match("$a knows b"));
	expect_syntax(src_match("$a <knows $b"));
	expect_syntax(src_match("$a knows> $b"));
	expect_syntax(src_match("$a $w knows $b"));     /* edge var needs `:` */
	expect_syntax(src_match("$a $w: $b"));
	expect_syntax(src_match("$a knows $b.name"));
}

/* ---- negation ----------------------------------------------------------- */

static void test_negation(void **state)
{
	struct cfs_query_list f;
	const struct cfs_query *q;
	const struct cfs_qclause *c;

	(void)state;
	q = parse_one(src_match("    $p: Person\n"
				"    not {\n"
				"      $p knows $f\n"
				"      $f.age > 3\n"
				"      not { $f: Person { name: \"x\" } search($f.bio, $q) }\n"
				"    }\n"
				"    not{$p.name = \"z\"}"),
		      &f);
	assert_int_equal(q->nclauses, 3);
	c = &q->clauses[1];
	assert_int_equal(c->kind, QC_NOT);
	assert_int_equal(c->ninner, 3);
	assert_int_equal(c->inner[0].kind, QC_TRAVERSAL);
	assert_string_equal(c->inner[0].edge, "knows");
	assert_int_equal(c->inner[1].kind, QC_FILTER);
	assert_int_equal(c->inner[1].op, QOP_GT);
	assert_int_equal(c->inner[2].kind, QC_NOT);
	assert_int_equal(c->inner[2].ninner, 2);
	assert_int_equal(c->inner[2].inner[0].kind, QC_BINDING);
	assert_string_equal(c->inner[2].inner[0].props[0].prop, "name");
	assert_int_equal(c->inner[2].inner[1].kind, QC_FILTER);
	assert_true(c->inner[2].inner[1].is_call);
	c = &q->clauses[2];
	assert_int_equal(c->kind, QC_NOT);
	assert_int_equal(c->ninner, 1);
	assert_int_equal(c->inner[0].kind, QC_FILTER);
	assert_int_equal(c->inner[0].op, QOP_EQ);
	cfs_query_list_free(&f);

	expect_syntax(src_match("$p: Person not { }"));   /* clause lists are non-empty */
	expect_syntax(src_match("$p: Person not $p knows $f"));
	expect_syntax(src_match("$p: Person not { $p knows $f"));
}

/* ast.h: every clause records the line and column where it starts. */
static void test_clause_positions(void **state)
{
	struct cfs_query_list f;
	const struct cfs_query *q;

	(void)state;
	q = parse_one(src_match("    $p: Person\n"
				"  $p knows $f\n"
				"      $f.age > 3\n"
				"    not { $f knows $g }\n"
				"        search($p.name, $q)"),
		      &f);
	assert_int_equal(q->nclauses, 5);
	static const unsigned cols[] = { 5, 3, 7, 5, 9 };
	for (size_t i = 0; i < 5; i++) {
		if (q->clauses[i].line != 3 + i || q->clauses[i].col != cols[i])
			print_error("clause %zu (kind %d) at %u:%u, expected %zu:%u\n", i, (int)q->clauses[i].kind,
				    q->clauses[i].line, q->clauses[i].col, 3 + i, cols[i]);
	}
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(q->clauses[i].line, 3 + i);
		assert_int_equal(q->clauses[i].col, cols[i]);
	}
	assert_int_equal(q->clauses[3].inner[0].line, 6);
	assert_int_equal(q->clauses[3].inner[0].col, 11);
	cfs_query_list_free(&f);
}

/* ---- filters (§3 filter/fop/cmp, §4.2) ---------------------------------- */

static void test_filter_operators(void **state)
{
	static const struct { const char *text; enum cfs_qop op; } ops[] = {
		{ "=", QOP_EQ }, { "!=", QOP_NE }, { ">", QOP_GT }, { "<", QOP_LT },
		{ ">=", QOP_GE }, { "<=", QOP_LE }, { "contains", QOP_CONTAINS },
		{ "starts_with", QOP_STARTS_WITH },
	};
	struct cfs_query_list f;

	(void)state;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		char clauses[256];
		/* spaced and (for the symbols) unspaced forms */
		const char *sep = ops[i].text[0] >= 'a' ? " " : "";
		snprintf(clauses, sizeof(clauses), "$p.name %s \"x\"\n$p.age%s%s%s$q\n\"lit\" %s $p.name",
			 ops[i].text, sep, ops[i].text, sep, ops[i].text);
		const struct cfs_query *q = parse_one(src_match(clauses), &f);
		assert_int_equal(q->nclauses, 3);
		for (size_t k = 0; k < 3; k++) {
			assert_int_equal(q->clauses[k].kind, QC_FILTER);
			assert_int_equal(q->clauses[k].op, ops[i].op);
			assert_false(q->clauses[k].is_call);
		}
		assert_prop_expr(&q->clauses[0].left, "p", "name");
		assert_int_equal(q->clauses[0].right.kind, QE_LIT);
		assert_str_lit(&q->clauses[0].right.lit, "x");
		assert_prop_expr(&q->clauses[1].left, "p", "age");
		assert_var_expr(&q->clauses[1].right, "q");
		assert_int_equal(q->clauses[2].left.kind, QE_LIT);
		assert_str_lit(&q->clauses[2].left.lit, "lit");
		assert_prop_expr(&q->clauses[2].right, "p", "name");
		cfs_query_list_free(&f);
	}
}

static void test_filter_operands(void **state)
{
	struct cfs_query_list f;
	const struct cfs_query *q;

	(void)state;
	q = parse_one(src_match("    $a = $b\n"                              /* bare vars: a filter */
				"    $a < $b\n"                              /* not an undirected traversal */
				"    count($p) > 2\n"
				"    score >= 1.5\n"
				"    $p.seen < now()\n"
				"    $p.age = null\n"                        /* null is an alias here (§2) */
				"    bm25($d.body, $q) > 1.0\n"
				"    nearest($d.embedding, $v) <= 0.5\n"
				"    search($d.title, $q) = false\n"
				"    $p.tags contains \"t\"\n"
				"    [1, 2] contains $p.age"),
		      &f);
	assert_int_equal(q->nclauses, 11);
	for (size_t i = 0; i < 11; i++) {
		assert_int_equal(q->clauses[i].kind, QC_FILTER);
		assert_false(q->clauses[i].is_call);
	}
	assert_var_expr(&q->clauses[0].left, "a");
	assert_int_equal(q->clauses[0].op, QOP_EQ);
	assert_var_expr(&q->clauses[0].right, "b");
	assert_var_expr(&q->clauses[1].left, "a");
	assert_int_equal(q->clauses[1].op, QOP_LT);
	assert_var_expr(&q->clauses[1].right, "b");
	assert_int_equal(q->clauses[2].left.kind, QE_AGG);
	assert_int_equal(q->clauses[2].left.agg, AGG_COUNT);
	assert_int_lit(&q->clauses[2].right.lit, 2);
	assert_alias_expr(&q->clauses[3].left, "score");
	assert_int_equal(q->clauses[3].op, QOP_GE);
	assert_int_equal(q->clauses[4].right.kind, QE_NOW);
	assert_alias_expr(&q->clauses[5].right, "null");
	assert_int_equal(q->clauses[6].left.kind, QE_BM25);
	assert_int_equal(q->clauses[6].op, QOP_GT);
	assert_int_equal(q->clauses[7].left.kind, QE_NEAREST);
	assert_int_equal(q->clauses[7].op, QOP_LE);
	/* an explicit comparison of a text search call is a plain filter */
	assert_int_equal(q->clauses[8].left.kind, QE_SEARCH);
	assert_int_equal(q->clauses[8].right.lit.kind, QL_BOOL);
	assert_false(q->clauses[8].right.lit.b);
	assert_int_equal(q->clauses[9].op, QOP_CONTAINS);
	assert_int_equal(q->clauses[10].left.kind, QE_LIT);
	assert_int_equal(q->clauses[10].left.lit.kind, QL_LIST);
	cfs_query_list_free(&f);

	expect_syntax(src_match("$p.age == 3"));
	expect_syntax(src_match("$p.age => 3"));
	expect_syntax(src_match("$p.age <> 3"));
	expect_syntax(src_match("$p.age 3"));
	expect_syntax(src_match("$p.age >"));
	expect_syntax(src_match("$p.age > 3 > 4"));
	expect_syntax(src_match("$p.age"));
	expect_syntax(src_match("$p.name like \"x\""));
}

/* A text-search call alone is the filter (call = true) of §4.2. */
static void test_text_search_clauses(void **state)
{
	struct cfs_query_list f;
	const struct cfs_query *q;

	(void)state;
	q = parse_one(src_match("    search($d.title, $q)\n"
				"    fuzzy($d.title, \"x\")\n"
				"    fuzzy($d.title, $q, 2)\n"
				"    match_text($d.body, $q)"),
		      &f);
	assert_int_equal(q->nclauses, 4);
	static const enum cfs_qexpr_kind kinds[] = { QE_SEARCH, QE_FUZZY, QE_FUZZY, QE_MATCH_TEXT };
	static const size_t nargs[] = { 2, 2, 3, 2 };
	for (size_t i = 0; i < 4; i++) {
		const struct cfs_qclause *c = &q->clauses[i];
		assert_int_equal(c->kind, QC_FILTER);
		assert_true(c->is_call);
		assert_int_equal(c->left.kind, kinds[i]);
		assert_int_equal(c->left.nargs, nargs[i]);
		assert_int_equal(c->op, QOP_EQ);
		assert_int_equal(c->right.kind, QE_LIT);
		assert_int_equal(c->right.lit.kind, QL_BOOL);
		assert_true(c->right.lit.b);
	}
	assert_prop_expr(&q->clauses[0].left.args[0], "d", "title");
	assert_var_expr(&q->clauses[0].left.args[1], "q");
	assert_str_lit(&q->clauses[1].left.args[1].lit, "x");
	assert_int_lit(&q->clauses[2].left.args[2].lit, 2);
	assert_prop_expr(&q->clauses[3].left.args[0], "d", "body");
	cfs_query_list_free(&f);

	/* bm25 and nearest alone are not clauses (§3 points) */
	expect_syntax(src_match("$d: Doc\nbm25($d.body, $q)"));
	expect_syntax(src_match("$d: Doc\nnearest($d.embedding, $v)"));
	expect_syntax(src_match("$d: Doc\nrrf(bm25($d.body, $q), nearest($d.embedding, $v))"));
	expect_syntax(src_match("$d: Doc\ncount($d)"));
	expect_syntax(src_match("$d: Doc\nnow()"));
	/* arity */
	expect_syntax(src_match("search($d.title)"));
	expect_syntax(src_match("search($d.title, $q, 1)"));
	expect_syntax(src_match("fuzzy($d.title)"));
	expect_syntax(src_match("fuzzy($d.title, $q, 1, 2)"));
	expect_syntax(src_match("match_text($d.title, $q, 1)"));
}

/* The consequences of the ordered choice spelled out under §3. */
static void test_clause_points(void **state)
{
	struct cfs_query_list f;
	const struct cfs_query *q;

	(void)state;
	/* a bare variable followed by contains/starts_with is a traversal */
	q = parse_one(src_match("    $q contains $m\n    $n starts_with $m\n    $n.name contains $m"), &f);
	assert_int_equal(q->clauses[0].kind, QC_TRAVERSAL);
	assert_string_equal(q->clauses[0].src, "q");
	assert_string_equal(q->clauses[0].edge, "contains");
	assert_string_equal(q->clauses[0].dst, "m");
	assert_int_equal(q->clauses[1].kind, QC_TRAVERSAL);
	assert_string_equal(q->clauses[1].edge, "starts_with");
	/* a property access on the left makes it a filter */
	assert_int_equal(q->clauses[2].kind, QC_FILTER);
	assert_int_equal(q->clauses[2].op, QOP_CONTAINS);
	cfs_query_list_free(&f);

	/* ... so a bare variable against a property access does not parse
	 * (the traversal `$n contains $p` matches, then `.name` cannot start
	 * a clause) */
	expect_syntax(src_match("$n contains $p.name"));
	expect_syntax(src_match("$n starts_with $p.name"));
	/* while against a non-variable the traversal fails and the filter
	 * alternative takes it */
	q = parse_one(src_match("$n starts_with \"x\"\n$n contains [1]"), &f);
	assert_int_equal(q->clauses[0].kind, QC_FILTER);
	assert_var_expr(&q->clauses[0].left, "n");
	assert_int_equal(q->clauses[0].op, QOP_STARTS_WITH);
	assert_int_equal(q->clauses[1].kind, QC_FILTER);
	assert_int_equal(q->clauses[1].op, QOP_CONTAINS);
	assert_int_equal(q->clauses[1].right.lit.kind, QL_LIST);
	cfs_query_list_free(&f);
	/* a binding needs the colon right after the variable */
	q = parse_one(src_match("$p : Person"), &f);
	assert_int_equal(q->clauses[0].kind, QC_BINDING);
	cfs_query_list_free(&f);
}

/* ---- projections (§3 proj) ---------------------------------------------- */

static void test_projections(void **state)
{
	struct cfs_query_list f;
	const struct cfs_query *q;

	(void)state;
	q = parse_one(src_return("$p.name, $p.age as age,\n"
				 "    $p\n"
				 "    count($p) as n $p.score as s, \"lit\"  score,"),
		      &f);
	assert_int_equal(q->nprojs, 7);
	assert_prop_expr(&q->projs[0].expr, "p", "name");
	assert_null(q->projs[0].alias);
	assert_prop_expr(&q->projs[1].expr, "p", "age");
	assert_string_equal(q->projs[1].alias, "age");
	assert_var_expr(&q->projs[2].expr, "p");
	assert_null(q->projs[2].alias);
	assert_int_equal(q->projs[3].expr.kind, QE_AGG);
	assert_string_equal(q->projs[3].alias, "n");
	assert_prop_expr(&q->projs[4].expr, "p", "score");
	assert_string_equal(q->projs[4].alias, "s");
	assert_str_lit(&q->projs[5].expr.lit, "lit");
	assert_null(q->projs[5].alias);
	assert_alias_expr(&q->projs[6].expr, "score");
	assert_null(q->projs[6].alias);
	assert_int_equal(q->nclauses, 1);
	assert_int_equal(q->norders, 0);
	assert_false(q->has_limit);
	cfs_query_list_free(&f);

	expect_syntax(src_return(""));                   /* non-empty */
	expect_syntax(src_return(","));
	expect_syntax(src_return("$p.name,,"));
	expect_syntax(src_return("$p.name as Name"));
	expect_syntax(src_return("$p.name as a as Name"));
	expect_syntax(src_return("$p.name;"));
	expect_syntax(src_return("-1"));
}

/* PEG reading of `proj = expr [ "as" Ident ] [ "," ]`: when `"as" Ident`
 * does not match, the optional consumes nothing, and the word `as` is then
 * the next projection (a bare Ident, i.e. an alias reference, §3 points). */
static void test_projection_as_without_alias(void **state)
{
	struct cfs_query_list f;
	const struct cfs_query *q;

	(void)state;
	q = parse_one(src_return("$p.name as"), &f);
	assert_int_equal(q->nprojs, 2);
	assert_prop_expr(&q->projs[0].expr, "p", "name");
	assert_null(q->projs[0].alias);
	assert_alias_expr(&q->projs[1].expr, "as");
	assert_null(q->projs[1].alias);
	cfs_query_list_free(&f);

	q = parse_one(src_return("$p.name as, $p.age as \"x\""), &f);
	assert_int_equal(q->nprojs, 5);
	assert_alias_expr(&q->projs[1].expr, "as");
	assert_prop_expr(&q->projs[2].expr, "p", "age");
	assert_alias_expr(&q->projs[3].expr, "as");
	assert_str_lit(&q->projs[4].expr.lit, "x");
	cfs_query_list_free(&f);

	/* `$p.name as a as b`: proj 1 is `$p.name as a`; proj 2 the bare Ident
	 * `as`, whose [ "as" Ident ] does not match ` b`; proj 3 is `b`. */
	q = parse_one(src_return("$p.name as a as b"), &f);
	assert_int_equal(q->nprojs, 3);
	assert_string_equal(q->projs[0].alias, "a");
	assert_alias_expr(&q->projs[1].expr, "as");
	assert_null(q->projs[1].alias);
	assert_alias_expr(&q->projs[2].expr, "b");
	cfs_query_list_free(&f);
}

/* ---- orderings and limit (§3 ordering, §4.1) ---------------------------- */

static void test_orderings_and_limit(void **state)
{
	struct cfs_query_list f;
	const struct cfs_query *q;

	(void)state;
	q = parse_one(src_tail("  order { $p.name asc, $p.age desc, nearest($p.emb, $q),\n"
			       "          n, count($p) desc, rrf(nearest($p.emb, $q), bm25($p.bio, $q)) desc }\n"
			       "  limit 10"),
		      &f);
	assert_int_equal(q->norders, 6);
	assert_prop_expr(&q->orders[0].expr, "p", "name");
	assert_false(q->orders[0].desc);
	assert_prop_expr(&q->orders[1].expr, "p", "age");
	assert_true(q->orders[1].desc);
	assert_int_equal(q->orders[2].expr.kind, QE_NEAREST);
	assert_false(q->orders[2].desc);
	assert_alias_expr(&q->orders[3].expr, "n");
	assert_false(q->orders[3].desc);                /* default ascending */
	assert_int_equal(q->orders[4].expr.kind, QE_AGG);
	assert_true(q->orders[4].desc);
	assert_int_equal(q->orders[5].expr.kind, QE_RRF);
	assert_true(q->orders[5].desc);
	assert_true(q->has_limit);
	assert_true(q->limit == 10);
	cfs_query_list_free(&f);

	/* order alone, limit alone, the u64 maximum */
	q = parse_one(src_tail("order { $p.name }"), &f);
	assert_int_equal(q->norders, 1);
	assert_false(q->has_limit);
	cfs_query_list_free(&f);
	q = parse_one(src_tail("limit 0"), &f);
	assert_int_equal(q->norders, 0);
	assert_true(q->has_limit);
	assert_true(q->limit == 0);
	cfs_query_list_free(&f);
	q = parse_one(src_tail("limit 18446744073709551615"), &f);
	assert_true(q->has_limit);
	assert_true(q->limit == UINT64_MAX);
	cfs_query_list_free(&f);

	expect_syntax(src_tail("order { nearest($p.emb, $q) desc } limit 3"));
	expect_syntax(src_tail("order { nearest($p.emb, $q) asc } limit 3"));
	expect_syntax(src_tail("order { }"));
	expect_syntax(src_tail("order { $p.name $p.age }"));     /* orderings need commas */
	expect_syntax(src_tail("order { $p.name, }"));
	expect_syntax(src_tail("order { $p.name descending }"));
	expect_syntax(src_tail("order $p.name"));
	expect_syntax(src_tail("limit 3 order { $p.name }"));    /* order before limit */
	expect_syntax(src_tail("limit 3 limit 4"));
	expect_syntax(src_tail("order { $p.name } order { $p.age }"));
	expect_syntax(src_tail("limit"));
	expect_syntax(src_tail("limit -1"));
	expect_syntax(src_tail("limit 1.5"));
	expect_syntax(src_tail("limit $n"));
}

/* ---- expressions (§3 expr and its alternatives) ------------------------- */

static void test_expr_calls(void **state)
{
	struct cfs_query_list f;
	const struct cfs_query *q;
	const struct cfs_qexpr *e;

	(void)state;
	q = parse_one(src_return("now(), now ( ),\n"
				 "nearest($d.embedding, $v), nearest( $d.embedding , [1, 2.5, 3] ),\n"
				 "search($d.title, \"x\"), fuzzy($d.title, $q), fuzzy($d.title, $q, 2),\n"
				 "match_text($d.body, $q), bm25($d.body, $q),\n"
				 "rrf(nearest($d.embedding, $v), bm25($d.body, $q)),\n"
				 "rrf(bm25($d.body, $q), nearest($d.embedding, $v), 60)"),
		      &f);
	assert_int_equal(q->nprojs, 11);
	assert_int_equal(q->projs[0].expr.kind, QE_NOW);
	assert_int_equal(q->projs[0].expr.nargs, 0);
	assert_int_equal(q->projs[1].expr.kind, QE_NOW);

	e = &q->projs[2].expr;
	assert_int_equal(e->kind, QE_NEAREST);
	assert_int_equal(e->nargs, 2);
	assert_prop_expr(&e->args[0], "d", "embedding");
	assert_var_expr(&e->args[1], "v");
	e = &q->projs[3].expr;
	assert_int_equal(e->kind, QE_NEAREST);
	assert_int_equal(e->args[1].kind, QE_LIT);
	assert_int_equal(e->args[1].lit.kind, QL_LIST);
	assert_int_equal(e->args[1].lit.nitems, 3);
	assert_int_equal(e->args[1].lit.items[1].kind, QL_FLOAT);

	e = &q->projs[4].expr;
	assert_int_equal(e->kind, QE_SEARCH);
	assert_int_equal(e->nargs, 2);
	assert_prop_expr(&e->args[0], "d", "title");
	assert_str_lit(&e->args[1].lit, "x");
	e = &q->projs[5].expr;
	assert_int_equal(e->kind, QE_FUZZY);
	assert_int_equal(e->nargs, 2);
	e = &q->projs[6].expr;
	assert_int_equal(e->kind, QE_FUZZY);
	assert_int_equal(e->nargs, 3);
	assert_int_lit(&e->args[2].lit, 2);
	e = &q->projs[7].expr;
	assert_int_equal(e->kind, QE_MATCH_TEXT);
	assert_int_equal(e->nargs, 2);
	e = &q->projs[8].expr;
	assert_int_equal(e->kind, QE_BM25);
	assert_int_equal(e->nargs, 2);
	assert_prop_expr(&e->args[0], "d", "body");
	assert_var_expr(&e->args[1], "q");

	e = &q->projs[9].expr;
	assert_int_equal(e->kind, QE_RRF);
	assert_int_equal(e->nargs, 2);
	assert_int_equal(e->args[0].kind, QE_NEAREST);
	assert_int_equal(e->args[1].kind, QE_BM25);
	e = &q->projs[10].expr;
	assert_int_equal(e->kind, QE_RRF);
	assert_int_equal(e->nargs, 3);
	assert_int_equal(e->args[0].kind, QE_BM25);
	assert_int_equal(e->args[1].kind, QE_NEAREST);
	assert_int_lit(&e->args[2].lit, 60);
	cfs_query_list_free(&f);

	/* call arguments are general expressions */
	q = parse_one(src_return("search(count($p), now()), bm25(title, [\"a\"])"), &f);
	assert_int_equal(q->projs[0].expr.args[0].kind, QE_AGG);
	assert_int_equal(q->projs[0].expr.args[1].kind, QE_NOW);
	assert_alias_expr(&q->projs[1].expr.args[0], "title");
	cfs_query_list_free(&f);

	/* nearest's first argument is a property access */
	expect_syntax(src_return("nearest($d, $v)"));
	expect_syntax(src_return("nearest(\"x\", $v)"));
	expect_syntax(src_return("nearest($d.embedding)"));
	expect_syntax(src_return("nearest($d.embedding, $v, 3)"));
	/* rrf's first two arguments are literally nearest(...) or bm25(...) */
	expect_syntax(src_return("rrf($p.age, bm25($d.body, $q))"));
	expect_syntax(src_return("rrf(bm25($d.body, $q), search($d.title, $q))"));
	expect_syntax(src_return("rrf(bm25($d.body, $q), rrf(bm25($d.body, $q), bm25($d.body, $q)))"));
	expect_syntax(src_return("rrf(bm25($d.body, $q))"));
	expect_syntax(src_return("rrf(bm25($d.body, $q), bm25($d.body, $q), 1, 2)"));
	expect_syntax(src_return("bm25($d.body)"));
	expect_syntax(src_return("bm25($d.body, $q, 1)"));
	expect_syntax(src_return("now(1)"));
	expect_syntax(src_return("search()"));
}

static void test_expr_aggregates(void **state)
{
	static const char *const names[] = { "count", "sum", "avg", "min", "max" };
	static const enum cfs_agg aggs[] = { AGG_COUNT, AGG_SUM, AGG_AVG, AGG_MIN, AGG_MAX };
	struct cfs_query_list f;

	(void)state;
	for (size_t i = 0; i < 5; i++) {
		char projs[256];
		snprintf(projs, sizeof(projs), "%s($p), %s( $p.age ) as x, %s", names[i], names[i], names[i]);
		const struct cfs_query *q = parse_one(src_return(projs), &f);
		assert_int_equal(q->nprojs, 3);
		assert_int_equal(q->projs[0].expr.kind, QE_AGG);
		assert_int_equal(q->projs[0].expr.agg, aggs[i]);
		assert_int_equal(q->projs[0].expr.nargs, 1);
		assert_var_expr(&q->projs[0].expr.args[0], "p");
		assert_int_equal(q->projs[1].expr.kind, QE_AGG);
		assert_int_equal(q->projs[1].expr.agg, aggs[i]);
		assert_prop_expr(&q->projs[1].expr.args[0], "p", "age");
		assert_string_equal(q->projs[1].alias, "x");
		/* without parentheses the word is an alias reference */
		assert_alias_expr(&q->projs[2].expr, names[i]);
		cfs_query_list_free(&f);

		snprintf(projs, sizeof(projs), "%s()", names[i]);
		expect_syntax(src_return(projs));
		snprintf(projs, sizeof(projs), "%s($p, $p)", names[i]);
		expect_syntax(src_return(projs));
	}

	/* nesting */
	const struct cfs_query *q = parse_one(src_return("count(sum($p.age))"), &f);
	assert_int_equal(q->projs[0].expr.agg, AGG_COUNT);
	assert_int_equal(q->projs[0].expr.args[0].agg, AGG_SUM);
	cfs_query_list_free(&f);
}

static void test_expr_simple(void **state)
{
	struct cfs_query_list f;
	const struct cfs_query *q;
	const struct cfs_qexpr *e;

	(void)state;
	q = parse_one(src_return("$p.name, $p . age, $p, $_, friends, null, nowhere, searching, date, order,\n"
				 "\"s\\\"q\", 42, 2.5, true, false, date(\"2024-02-30\"), datetime(\"nonsense\"),\n"
				 "[], [1, 2], [\"a\"], [[1], [true, 1.5]], 9223372036854775807, 007"),
		      &f);
	assert_int_equal(q->nprojs, 23);
	assert_prop_expr(&q->projs[0].expr, "p", "name");
	assert_prop_expr(&q->projs[1].expr, "p", "age");
	assert_var_expr(&q->projs[2].expr, "p");
	assert_var_expr(&q->projs[3].expr, "_");
	assert_alias_expr(&q->projs[4].expr, "friends");
	assert_alias_expr(&q->projs[5].expr, "null");
	assert_alias_expr(&q->projs[6].expr, "nowhere");
	assert_alias_expr(&q->projs[7].expr, "searching");
	assert_alias_expr(&q->projs[8].expr, "date");
	assert_alias_expr(&q->projs[9].expr, "order");

	e = &q->projs[10].expr;
	assert_int_equal(e->kind, QE_LIT);
	assert_str_lit(&e->lit, "s\"q");
	e = &q->projs[11].expr;
	assert_int_lit(&e->lit, 42);
	assert_string_equal(e->lit.text, "42");
	e = &q->projs[12].expr;
	assert_int_equal(e->lit.kind, QL_FLOAT);
	assert_true(e->lit.f == 2.5);
	assert_string_equal(e->lit.text, "2.5");
	e = &q->projs[13].expr;
	assert_int_equal(e->lit.kind, QL_BOOL);
	assert_true(e->lit.b);
	e = &q->projs[14].expr;
	assert_int_equal(e->lit.kind, QL_BOOL);
	assert_false(e->lit.b);
	/* date / datetime strings are kept unchecked (§4.2) */
	e = &q->projs[15].expr;
	assert_int_equal(e->lit.kind, QL_DATE);
	assert_string_equal(e->lit.str, "2024-02-30");
	e = &q->projs[16].expr;
	assert_int_equal(e->lit.kind, QL_DATETIME);
	assert_string_equal(e->lit.str, "nonsense");
	e = &q->projs[17].expr;
	assert_int_equal(e->lit.kind, QL_LIST);
	assert_int_equal(e->lit.nitems, 0);
	e = &q->projs[18].expr;
	assert_int_equal(e->lit.kind, QL_LIST);
	assert_int_equal(e->lit.nitems, 2);
	assert_int_lit(&e->lit.items[0], 1);
	assert_int_lit(&e->lit.items[1], 2);
	e = &q->projs[19].expr;
	assert_int_equal(e->lit.nitems, 1);
	assert_str_lit(&e->lit.items[0], "a");
	/* nested lists parse (U5/U6 are typechecker rules) */
	e = &q->projs[20].expr;
	assert_int_equal(e->lit.nitems, 2);
	assert_int_equal(e->lit.items[0].kind, QL_LIST);
	assert_int_equal(e->lit.items[1].nitems, 2);
	assert_int_equal(e->lit.items[1].items[0].kind, QL_BOOL);
	assert_int_equal(e->lit.items[1].items[1].kind, QL_FLOAT);
	e = &q->projs[21].expr;
	assert_int_lit(&e->lit, INT64_MAX);
	e = &q->projs[22].expr;
	assert_int_lit(&e->lit, 7);
	assert_string_equal(e->lit.text, "007");
	cfs_query_list_free(&f);

	expect_syntax(src_return("$p."));
	expect_syntax(src_return("$p.Name"));
	expect_syntax(src_return("$p.name.first"));
	expect_syntax(src_return("Person"));
	expect_syntax(src_return("[1, $x]"));
	expect_syntax(src_return("[1,]"));
	expect_syntax(src_return("[1"));
	expect_syntax(src_return("date(3)"));
	expect_syntax(src_return("datetime($x)"));
}

/* §2: no signed numbers and no `null` literal where a literal is required. */
static void test_literal_syntax_errors(void **state)
{
	(void)state;
	expect_syntax(src_match("$p: Person { age: -1 }"));
	expect_syntax(src_match("$p: Person { age: null }"));
	expect_syntax(src_match("$p: Person { tags: [null] }"));
	expect_syntax(src_match("$p: Person { nums: [1, -2] }"));
	expect_syntax(src_match("$p: Person { score: -1.5 }"));
	expect_syntax(src_match("$p.age > -1"));
	expect_syntax(src_mut("insert Person { age: -1 }"));
	expect_syntax(src_mut("insert Person { name: null }"));
	expect_syntax(src_mut("update Person set { age: 1 } where age = -1"));
	expect_syntax(src_mut("delete Person where name = null"));
	expect_syntax(src_mut("delete Person where tags = [null]"));
	expect_syntax(src_mut("insert Person { score: .5 }"));
	expect_syntax(src_mut("insert Person { score: 1. }"));
	expect_syntax(src_mut("insert Person { name: 'a' }"));
	expect_syntax(src_mut("insert Person { name: \"unterminated }"));
}

/* ---- mutations (§3 stmt/insert/update/delete/assign/pred) --------------- */

static void test_mutation_statements(void **state)
{
	struct cfs_query_list f;
	const struct cfs_query *q;
	const struct cfs_qstmt *s;

	(void)state;
	q = parse_one(src_mut("  insert Person { name: $n, age: 3, seen: now() }\n"
			      "  insert Person { name: \"b\" age: 4\n  tags: [\"x\"], born: date(\"2000-01-01\"), }\n"
			      "  update Person set { age: 5 score: 1.5 } where name = $n\n"
			      "  delete Person where seen < now()\n"
			      "  insert WorksAt { from: $n, to: \"acme\", role: \"dev\" }"),
		      &f);
	assert_true(q->is_mutation);
	assert_int_equal(q->nclauses, 0);
	assert_int_equal(q->nprojs, 0);
	assert_int_equal(q->nstmts, 5);

	s = &q->stmts[0];
	assert_int_equal(s->kind, QS_INSERT);
	assert_string_equal(s->type, "Person");
	assert_int_equal(s->nassigns, 3);
	assert_string_equal(s->assigns[0].prop, "name");
	assert_int_equal(s->assigns[0].value.kind, QV_VAR);
	assert_string_equal(s->assigns[0].value.var, "n");
	assert_string_equal(s->assigns[1].prop, "age");
	assert_int_equal(s->assigns[1].value.kind, QV_LIT);
	assert_int_lit(&s->assigns[1].value.lit, 3);
	assert_string_equal(s->assigns[2].prop, "seen");
	assert_int_equal(s->assigns[2].value.kind, QV_NOW);
	assert_null(s->pred_prop);

	/* commas are optional, a trailing one is allowed */
	s = &q->stmts[1];
	assert_int_equal(s->kind, QS_INSERT);
	assert_int_equal(s->nassigns, 4);
	assert_str_lit(&s->assigns[0].value.lit, "b");
	assert_int_lit(&s->assigns[1].value.lit, 4);
	assert_int_equal(s->assigns[2].value.lit.kind, QL_LIST);
	assert_int_equal(s->assigns[3].value.lit.kind, QL_DATE);

	s = &q->stmts[2];
	assert_int_equal(s->kind, QS_UPDATE);
	assert_string_equal(s->type, "Person");
	assert_int_equal(s->nassigns, 2);
	assert_string_equal(s->assigns[1].prop, "score");
	assert_int_equal(s->assigns[1].value.lit.kind, QL_FLOAT);
	assert_string_equal(s->pred_prop, "name");
	assert_int_equal(s->pred_op, QOP_EQ);
	assert_int_equal(s->pred_value.kind, QV_VAR);
	assert_string_equal(s->pred_value.var, "n");

	s = &q->stmts[3];
	assert_int_equal(s->kind, QS_DELETE);
	assert_string_equal(s->type, "Person");
	assert_int_equal(s->nassigns, 0);
	assert_string_equal(s->pred_prop, "seen");
	assert_int_equal(s->pred_op, QOP_LT);
	assert_int_equal(s->pred_value.kind, QV_NOW);

	s = &q->stmts[4];
	assert_int_equal(s->kind, QS_INSERT);
	assert_string_equal(s->type, "WorksAt");
	assert_string_equal(s->assigns[0].prop, "from");
	assert_string_equal(s->assigns[1].prop, "to");
	cfs_query_list_free(&f);

	/* a single statement of each kind is a whole body */
	q = parse_one(src_mut("delete Person where name = \"x\""), &f);
	assert_true(q->is_mutation);
	assert_int_equal(q->nstmts, 1);
	cfs_query_list_free(&f);
	q = parse_one(src_mut("update Person set{age:1}where name=$n"), &f);
	assert_int_equal(q->nstmts, 1);
	assert_int_equal(q->stmts[0].kind, QS_UPDATE);
	cfs_query_list_free(&f);
}

static void test_mutation_predicate_ops(void **state)
{
	static const struct { const char *text; enum cfs_qop op; } ops[] = {
		{ "=", QOP_EQ }, { "!=", QOP_NE }, { ">", QOP_GT }, { "<", QOP_LT },
		{ ">=", QOP_GE }, { "<=", QOP_LE },
	};
	struct cfs_query_list f;

	(void)state;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		char stmts[256];
		snprintf(stmts, sizeof(stmts),
			 "update Person set { age: 1 } where age %s 3\ndelete Person where name%s$n\n"
			 "delete Person where tags %s [\"a\"]",
			 ops[i].text, ops[i].text, ops[i].text);
		const struct cfs_query *q = parse_one(src_mut(stmts), &f);
		assert_int_equal(q->nstmts, 3);
		assert_int_equal(q->stmts[0].pred_op, ops[i].op);
		assert_string_equal(q->stmts[0].pred_prop, "age");
		assert_int_lit(&q->stmts[0].pred_value.lit, 3);
		assert_int_equal(q->stmts[1].pred_op, ops[i].op);
		assert_string_equal(q->stmts[1].pred_value.var, "n");
		assert_int_equal(q->stmts[2].pred_op, ops[i].op);
		assert_int_equal(q->stmts[2].pred_value.lit.kind, QL_LIST);
		cfs_query_list_free(&f);
	}
	/* only cmp operators, and values, not expressions */
	expect_syntax(src_mut("delete Person where name contains \"a\""));
	expect_syntax(src_mut("delete Person where name starts_with \"a\""));
	expect_syntax(src_mut("update Person set { age: 1 } where tags contains \"a\""));
	expect_syntax(src_mut("delete Person where name = $p.name"));
	expect_syntax(src_mut("delete Person where name = count($p)"));
	expect_syntax(src_mut("delete Person where $p.name = \"a\""));
	expect_syntax(src_mut("delete Person where \"a\" = name"));
	expect_syntax(src_mut("delete Person where name == \"a\""));
	expect_syntax(src_mut("delete Person where name"));
	expect_syntax(src_mut("delete Person where name = \"a\" and age = 1"));
}

static void test_mutation_syntax_errors(void **state)
{
	(void)state;
	expect_syntax(src_mut("insert Person { }"));             /* assignment lists are non-empty */
	expect_syntax(src_mut("update Person set { } where name = $n"));
	expect_syntax(src_mut("insert Person"));
	expect_syntax(src_mut("insert person { name: $n }"));
	expect_syntax(src_mut("insert Person { Name: $n }"));
	expect_syntax(src_mut("insert Person { name $n }"));
	expect_syntax(src_mut("insert Person { name: $n,, }"));
	expect_syntax(src_mut("insert Person { name: $n.x }"));
	expect_syntax(src_mut("insert Person { name: nearest($d.e, $q) }"));
	expect_syntax(src_mut("update Person { age: 1 } where name = $n"));     /* `set` */
	expect_syntax(src_mut("update Person set { age: 1 }"));                 /* `where` */
	expect_syntax(src_mut("delete Person"));
	expect_syntax(src_mut("delete Person { name: $n }"));
	expect_syntax(src_mut("upsert Person { name: $n }"));
	expect_syntax(src_mut("insert Person { name: $n };"));
}

/* ---- bodies (§3 body, "points") ----------------------------------------- */

static void test_body_shapes(void **state)
{
	(void)state;
	expect_syntax("query q() { }");                                         /* never empty */
	expect_syntax("query q() { match { } return { $p } }");
	expect_syntax("query q() { match { $p: Person } }");
	expect_syntax("query q() { return { $p } }");
	expect_syntax("query q() { match { $p: Person } return { $p } insert Person { name: \"a\" } }");
	expect_syntax("query q() { insert Person { name: \"a\" } match { $p: Person } return { $p } }");
	expect_syntax("query q() { match { $p: Person } return { $p } match { $p: Person } return { $p } }");
	expect_syntax("query q() { match { $p: Person } order { $p.name } return { $p } }");
	expect_syntax("query q() { match { $p: Person } return { $p }");
	expect_syntax("query q() match { $p: Person } return { $p }");
}

/* ---- §4.3 parse-time errors --------------------------------------------- */

static void test_sem_escape(void **state)
{
	(void)state;
	expect_semantic(src_match("$p: Person { name: \"a\\qb\" }"), "unsupported escape sequence: \\q");
	expect_semantic(src_match("$p.name = \"\\x41\""), "unsupported escape sequence: \\x");
	expect_semantic(src_return("\"\\u00e9\""), "unsupported escape sequence: \\u");
	expect_semantic(src_return("[\"ok\", \"\\'\"]"), "unsupported escape sequence: \\'");
	expect_semantic(src_return("date(\"\\d\")"), "unsupported escape sequence: \\d");
	expect_semantic(src_mut("insert Person { name: \"\\0\" }"), "unsupported escape sequence: \\0");
	expect_semantic(src_mut("delete Person where name = \"\\/\""), "unsupported escape sequence: \\/");
	expect_semantic("query q() @instruction(\"\\a\") { match { $p: Person } return { $p } }",
			"unsupported escape sequence: \\a");
}

static void test_sem_integer(void **state)
{
	static const char msg[] = "invalid integer: number too large to fit in target type";

	(void)state;
	expect_semantic(src_match("$p: Person { age: 9223372036854775808 }"), msg);
	expect_semantic(src_match("$p.age > 99999999999999999999999"), msg);
	expect_semantic(src_return("[1, 9223372036854775808]"), msg);
	expect_semantic(src_return("fuzzy($p.name, $q, 18446744073709551616)"), msg);
	expect_semantic(src_mut("insert Person { age: 9223372036854775808 }"), msg);
	expect_semantic(src_mut("delete Person where age = 9223372036854775808"), msg);
}

static void test_sem_limit_and_bounds(void **state)
{
	(void)state;
	expect_semantic(src_tail("limit 18446744073709551616"),
			"invalid limit: number too large to fit in target type");
	expect_semantic(src_tail("order { $p.name } limit 99999999999999999999999"),
			"invalid limit: number too large to fit in target type");
	expect_semantic(src_match("$a knows {4294967296,} $b"),
			"invalid traversal min bound: number too large to fit in target type");
	expect_semantic(src_match("$a knows {1,4294967296} $b"),
			"invalid traversal max bound: number too large to fit in target type");
	expect_semantic(src_match("$a $w:<knows> {99999999999999999999,1} $b"),
			"invalid traversal min bound: number too large to fit in target type");
}

/* The first §4.3 error in file order is the one reported; none of them is
 * reported when the file also has a syntax error, wherever it is. */
static void test_sem_order_and_syntax_precedence(void **state)
{
	(void)state;
	expect_semantic("query a() { match { $p: Person { name: \"\\q\" } } return { $p } limit 18446744073709551616 }\n"
			"query b() { match { $p: Person } return { $p } }\n",
			"unsupported escape sequence: \\q");
	expect_semantic("query a() { match { $p: Person } return { $p } limit 18446744073709551616 }\n"
			"query b() @description(\"x\") @description(\"y\") { match { $p: Person } return { $p } }\n",
			"invalid limit: number too large to fit in target type");

	/* semantic error first, syntax error later: the syntax error wins */
	expect_error_at("query a() @description(\"\\q\") { match { $p: Person } return { $p } }\n"
			"query b( { }\n", 2, 10);
	expect_error_at("query a() { match { $p: Person } return { $p } limit 18446744073709551616 }\n"
			"query b() { match { $p: Person } return { $p } }\n"
			"oops\n", 3, 1);
	expect_syntax("query a() @description(\"x\") @description(\"y\") { match { $p: Person } return { $p } }\n"
		      "query b() { match { $p: Person { age: -1 } } return { $p } }\n");
	expect_syntax(src_match("$a knows {4294967296,} $b\n$p: Person { }"));
	expect_syntax(src_mut("insert Person { age: 9223372036854775808 }\ninsert Person { }"));
	/* and a syntax error before a semantic one, of course */
	expect_error_at("query a( { }\nquery b() @description(\"\\q\") { match { $p: Person } return { $p } }\n", 1, 10);
}

/* ---- lexical points (§2) and §10 oddities that are safe to rely on ------ */

static void test_keyword_without_word_boundary(void **state)
{
	struct cfs_query_list f;
	const struct cfs_query *q;

	(void)state;
	/* §10.1: `queryfoo() {...}` declares query `foo` */
	q = parse_one("queryfoo() { match { $p: Person } return { $p } }\n", &f);
	assert_string_equal(q->name, "foo");
	cfs_query_list_free(&f);

	/* §10.1: `$p.name assets` is a projection aliased `sets` */
	q = parse_one(src_return("$p.name assets"), &f);
	assert_int_equal(q->nprojs, 1);
	assert_prop_expr(&q->projs[0].expr, "p", "name");
	assert_string_equal(q->projs[0].alias, "sets");
	cfs_query_list_free(&f);

	/* §10.1: `trueish` is the literal `true` followed by the alias ref `ish` */
	q = parse_one(src_return("trueish"), &f);
	assert_int_equal(q->nprojs, 2);
	assert_int_equal(q->projs[0].expr.kind, QE_LIT);
	assert_int_equal(q->projs[0].expr.lit.kind, QL_BOOL);
	assert_true(q->projs[0].expr.lit.b);
	assert_alias_expr(&q->projs[1].expr, "ish");
	cfs_query_list_free(&f);
}

static void test_comments_between_tokens(void **state)
{
	struct cfs_query_list f;
	const struct cfs_query *q;

	(void)state;
	q = parse_one("query/*c*/q(/*c*/$a/*c*/:/*c*/String/*c*/)//c\n"
		      "{match/*c*/{$p/*c*/:/*c*/Person/*c*/{name/*c*/:/*c*/$a}\n"
		      "$p//c\nknows/*c*/{/*c*/1/*c*/,/*c*/2/*c*/}/*c*/$f}\n"
		      "return{$p.name/*c*/as/*c*/n}order{n/*c*/desc}limit/*c*/3}", &f);
	assert_string_equal(q->name, "q");
	assert_int_equal(q->nparams, 1);
	assert_int_equal(q->nclauses, 2);
	assert_int_equal(q->clauses[0].nprops, 1);
	assert_int_equal(q->clauses[1].kind, QC_TRAVERSAL);
	assert_int_equal(q->clauses[1].max, 2);
	assert_string_equal(q->projs[0].alias, "n");
	assert_true(q->orders[0].desc);
	assert_true(q->limit == 3);
	cfs_query_list_free(&f);
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
		cmocka_unit_test(test_param_each_base_type),
		cmocka_unit_test(test_param_normalization),
		cmocka_unit_test(test_param_repeats_and_var_names),
		cmocka_unit_test(test_param_syntax_errors),
		cmocka_unit_test(test_annotations_decoded),
		cmocka_unit_test(test_annotation_errors),
		cmocka_unit_test(test_binding),
		cmocka_unit_test(test_binding_syntax_errors),
		cmocka_unit_test(test_traversal_forms),
		cmocka_unit_test(test_traversal_bounds),
		cmocka_unit_test(test_traversal_syntax_errors),
		cmocka_unit_test(test_negation),
		cmocka_unit_test(test_clause_positions),
		cmocka_unit_test(test_filter_operators),
		cmocka_unit_test(test_filter_operands),
		cmocka_unit_test(test_text_search_clauses),
		cmocka_unit_test(test_clause_points),
		cmocka_unit_test(test_projections),
		cmocka_unit_test(test_projection_as_without_alias),
		cmocka_unit_test(test_orderings_and_limit),
		cmocka_unit_test(test_expr_calls),
		cmocka_unit_test(test_expr_aggregates),
		cmocka_unit_test(test_expr_simple),
		cmocka_unit_test(test_literal_syntax_errors),
		cmocka_unit_test(test_mutation_statements),
		cmocka_unit_test(test_mutation_predicate_ops),
		cmocka_unit_test(test_mutation_syntax_errors),
		cmocka_unit_test(test_body_shapes),
		cmocka_unit_test(test_sem_escape),
		cmocka_unit_test(test_sem_integer),
		cmocka_unit_test(test_sem_limit_and_bounds),
		cmocka_unit_test(test_sem_order_and_syntax_precedence),
		cmocka_unit_test(test_keyword_without_word_boundary),
		cmocka_unit_test(test_comments_between_tokens),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
