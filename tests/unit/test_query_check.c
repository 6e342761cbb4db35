/*
 * Tests of the .gq typechecker (query-lang.md §6-§8, engine/query/check.h).
 *
 * Data-driven part, over $CFS_FIXTURES/query: schema.pg is the one catalog;
 * every subdirectory is named after a rule id of §8 (U1 ... T24b) and holds
 *
 *   pass.gq     queries that exercise the rule's construct: all typecheck;
 *   fail.gq     one query violating the rule;
 *   expect.err  the exact rendered error of fail.gq's first failing query
 *               (one line; the trailing newline is stripped).
 *
 * Each file is its own cmocka test ("<id>/pass", "<id>/fail").  The fixed
 * tests below look into the typed IR (resolved declarations, traversal
 * directions, column names, parameter types, mutation targets) and at a few
 * ordering details of §7 that one fixture per rule does not cover.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/fsutil.h"
#include "core/strbuf.h"
#include "engine/query/ast.h"
#include "engine/query/check.h"
#include "engine/schema/model.h"

struct fixture {
	char *name;     /* "<id>/pass" or "<id>/fail" */
	char *dir;      /* the rule's directory */
	bool pass;
};

static const char *fixtures_root(void)
{
	const char *root = getenv("CFS_FIXTURES");

	return root && *root ? root : "tests/fixtures";
}

static struct cfs_schema load_schema(void)
{
	char *path = cfs_xasprintf("%s/query/schema.pg", fixtures_root());
	struct cfs_schema s;
	char *src = NULL, *err = NULL;
	size_t len = 0;

	memset(&s, 0, sizeof s);
	if (cfs_read_file(path, &src, &len)) {
		print_error("cannot read %s\n", path);
		free(path);
		fail();
	}
	free(path);
	if (cfs_schema_load(src, len, &s, &err) != CFS_SCHEMA_OK) {
		print_error("schema.pg does not load: %s\n", err ? err : "(no message)");
		free(err);
		free(src);
		fail();
	}
	free(src);
	return s;
}

/* Parse src or fail the test with the parser's message. */
static struct cfs_query_list parse_or_fail(const char *what, const char *src, size_t len)
{
	struct cfs_query_list l;
	char *err = NULL;

	memset(&l, 0, sizeof l);
	if (cfs_query_parse(src, len, &l, &err)) {
		print_error("%s: parse failed: %s\n", what, err ? err : "(no message)");
		free(err);
		fail();
	}
	return l;
}

/* ------------------------------------------------------------ fixtures */

static char *read_in(const char *dir, const char *file, size_t *len)
{
	char *path = cfs_xasprintf("%s/%s", dir, file);
	char *data = NULL;

	if (cfs_read_file(path, &data, len)) {
		print_error("cannot read %s\n", path);
		free(path);
		fail();
	}
	free(path);
	return data;
}

static void test_pass_fixture(void **state)
{
	const struct fixture *fx = *state;
	struct cfs_schema s = load_schema();
	size_t len = 0;
	char *src = read_in(fx->dir, "pass.gq", &len);
	struct cfs_query_list l = parse_or_fail(fx->name, src, len);
	bool ok = l.n > 0;

	if (!ok)
		print_error("%s: no query in pass.gq\n", fx->name);
	for (size_t i = 0; i < l.n; i++) {
		struct cfs_typed_query t;
		char *err = NULL;

		if (cfs_query_check(&s, &l.v[i], &t, &err)) {
			print_error("%s: query `%s` should typecheck, got: %s\n", fx->name, l.v[i].name, err);
			ok = false;
		}
		free(err);
		cfs_typed_query_free(&t);
	}
	cfs_query_list_free(&l);
	free(src);
	cfs_schema_free(&s);
	if (!ok)
		fail();
}

static void test_fail_fixture(void **state)
{
	const struct fixture *fx = *state;
	struct cfs_schema s = load_schema();
	size_t len = 0, wlen = 0;
	char *src = read_in(fx->dir, "fail.gq", &len);
	char *want = read_in(fx->dir, "expect.err", &wlen);
	struct cfs_query_list l = parse_or_fail(fx->name, src, len);
	char *got = NULL;

	if (wlen > 0 && want[wlen - 1] == '\n')
		want[--wlen] = '\0';
	for (size_t i = 0; i < l.n && !got; i++) {
		struct cfs_typed_query t;

		if (!cfs_query_check(&s, &l.v[i], &t, &got))
			cfs_typed_query_free(&t);
	}
	bool ok = got && !strcmp(got, want);
	if (!ok)
		print_error("%s:\n  expected \"%s\"\n  actual   \"%s\"\n", fx->name, want,
			    got ? got : "(every query typechecks)");
	free(got);
	free(want);
	cfs_query_list_free(&l);
	free(src);
	cfs_schema_free(&s);
	if (!ok)
		fail();
}

/* Sorted names of the subdirectories of dir. */
static char **list_dirs(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;

	*count = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		char *path;

		if (de->d_name[0] == '.')
			continue;
		path = cfs_xasprintf("%s/%s", dir, de->d_name);
		if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
			names = cfs_xrealloc(names, (n + 1) * sizeof *names);
			names[n++] = cfs_xstrdup(de->d_name);
		}
		free(path);
	}
	closedir(d);
	cfs_qsort(names, n, sizeof *names, cfs_strptrcmp);
	*count = n;
	return names;
}

/* ------------------------------------------------------------ typed IR helpers */

struct checked {
	struct cfs_schema s;
	struct cfs_query_list l;
	struct cfs_typed_query t;
};

/* Parse src, typecheck its first query (which must pass). */
static void check_ok(struct checked *c, const char *src)
{
	char *err = NULL;

	c->s = load_schema();
	c->l = parse_or_fail("inline query", src, strlen(src));
	assert_true(c->l.n >= 1);
	if (cfs_query_check(&c->s, &c->l.v[0], &c->t, &err)) {
		print_error("should typecheck: %s\n  %s\n", src, err);
		free(err);
		fail();
	}
	assert_null(err);
}

static void checked_free(struct checked *c)
{
	cfs_typed_query_free(&c->t);
	cfs_query_list_free(&c->l);
	cfs_schema_free(&c->s);
}

/* The rendered error of src's first query (which must fail). */
static void expect_error(const char *src, const char *want)
{
	struct cfs_schema s = load_schema();
	struct cfs_query_list l = parse_or_fail("inline query", src, strlen(src));
	struct cfs_typed_query t;
	char *err = NULL;

	assert_true(l.n >= 1);
	memset(&t, 0xa5, sizeof t);
	assert_int_equal(cfs_query_check(&s, &l.v[0], &t, &err), -1);
	assert_non_null(err);
	if (strcmp(err, want))
		print_error("query: %s\n  expected \"%s\"\n  actual   \"%s\"\n", src, want, err);
	assert_string_equal(err, want);
	/* out is zeroed on failure */
	assert_null(t.name);
	assert_int_equal(t.nclauses, 0);
	assert_null(t.projs);
	free(err);
	cfs_query_list_free(&l);
	cfs_schema_free(&s);
}

static const struct cfs_ttraversal *trav(const struct checked *c, size_t i)
{
	assert_true(i < c->t.nclauses);
	assert_int_equal(c->t.clauses[i].kind, CFS_TC_TRAVERSAL);
	return &c->t.clauses[i].trav;
}

/* ------------------------------------------------------------ typed IR tests */

static void test_ir_traversal_directions(void **state)
{
	struct checked c;
	const struct cfs_type *person, *company, *works, *knows;
	const struct cfs_ttraversal *tr;

	(void)state;
	check_ok(&c, "query q() { match {\n"
		     "  $c: Company\n"
		     "  $c worksAt $p\n"        /* src bound as the To side: in */
		     "  $x worksAt $p\n"        /* dst bound, Person = From: in, $x is a Company */
		     "  $p knows $f\n"          /* src bound as From: out */
		     "  $g knows $f\n"          /* dst bound as To: out */
		     "  $a <knows> $b\n"        /* undirected: both */
		     "  $y $w:worksAt $z\n"     /* nothing bound: out */
		     "} return { $p.name, $x.name, $w.role } }");
	person = cfs_schema_node(&c.s, "Person");
	company = cfs_schema_node(&c.s, "Company");
	works = cfs_schema_edge(&c.s, "WorksAt");
	knows = cfs_schema_edge(&c.s, "Knows");

	tr = trav(&c, 1);
	assert_int_equal(tr->dir, CFS_DIR_IN);
	assert_string_equal(tr->src, "c");
	assert_string_equal(tr->dst, "p");
	assert_ptr_equal(tr->edge, works);
	assert_ptr_equal(tr->src_type, company);
	assert_ptr_equal(tr->dst_type, person);
	assert_null(tr->edge_var);
	assert_int_equal(tr->min, 1);
	assert_int_equal(tr->max, 1);

	tr = trav(&c, 2);
	assert_int_equal(tr->dir, CFS_DIR_IN);
	assert_ptr_equal(tr->src_type, company);
	assert_ptr_equal(tr->dst_type, person);

	tr = trav(&c, 3);
	assert_int_equal(tr->dir, CFS_DIR_OUT);
	assert_ptr_equal(tr->edge, knows);
	assert_ptr_equal(tr->src_type, person);
	assert_ptr_equal(tr->dst_type, person);

	assert_int_equal(trav(&c, 4)->dir, CFS_DIR_OUT);
	assert_int_equal(trav(&c, 5)->dir, CFS_DIR_BOTH);

	tr = trav(&c, 6);
	assert_int_equal(tr->dir, CFS_DIR_OUT);
	assert_string_equal(tr->edge_var, "w");
	assert_ptr_equal(tr->src_type, person);
	assert_ptr_equal(tr->dst_type, company);

	/* $x was bound as a Company by the in-direction traversal */
	assert_int_equal(c.t.projs[1].expr.kind, CFS_TE_PROP);
	assert_ptr_equal(c.t.projs[1].expr.owner, company);
	/* $w.role resolves on the edge */
	assert_true(c.t.projs[2].expr.on_edge);
	assert_ptr_equal(c.t.projs[2].expr.owner, works);
	assert_ptr_equal(c.t.projs[2].expr.property, cfs_type_prop(works, "role"));
	checked_free(&c);
}

static void test_ir_bounds_and_anonymous(void **state)
{
	struct checked c;
	const struct cfs_ttraversal *tr;

	(void)state;
	check_ok(&c, "query q() { match { $p knows {2,5} $_  $p $_:knows $f } return { $p.name } }");
	tr = trav(&c, 0);
	assert_int_equal(tr->min, 2);
	assert_int_equal(tr->max, 5);
	assert_string_equal(tr->dst, "_");
	tr = trav(&c, 1);
	assert_null(tr->edge_var);      /* `$_` binds nothing */
	checked_free(&c);
}

static void test_ir_binding_and_values(void **state)
{
	struct checked c;
	const struct cfs_tbinding *b;
	const struct cfs_type *person;

	(void)state;
	check_ok(&c, "query q($n: String, $k: I32?) { match {\n"
		     "  $p: Person { name: $n, tags: \"x\", age: $k, seen: now(), bio: $other, mood: \"sad\" }\n"
		     "  $d: Doc { embedding: [1, 2.5, 3] }\n"
		     "} return { $p.name } }");
	person = cfs_schema_node(&c.s, "Person");
	assert_int_equal(c.t.clauses[0].kind, CFS_TC_BINDING);
	b = &c.t.clauses[0].binding;
	assert_string_equal(b->var, "p");
	assert_ptr_equal(b->type, person);
	assert_int_equal(b->nmatches, 6);
	assert_ptr_equal(b->matches[0].prop, cfs_type_prop(person, "name"));
	assert_int_equal(b->matches[0].value.kind, CFS_TV_PARAM);
	assert_string_equal(b->matches[0].value.name, "n");
	assert_false(b->matches[0].membership);
	assert_true(b->matches[1].membership);
	assert_int_equal(b->matches[1].value.kind, CFS_TV_LIT);
	assert_string_equal(b->matches[1].value.lit.str, "x");
	assert_int_equal(b->matches[1].value.type.scalar, CFS_SC_STRING);
	assert_int_equal(b->matches[2].value.type.scalar, CFS_SC_I32);
	assert_true(b->matches[2].value.type.nullable);
	assert_int_equal(b->matches[3].value.kind, CFS_TV_NOW);
	assert_int_equal(b->matches[3].value.type.scalar, CFS_SC_DATETIME);
	assert_int_equal(b->matches[4].value.kind, CFS_TV_VAR);        /* not a parameter: unchecked */
	assert_string_equal(b->matches[4].value.name, "other");
	assert_int_equal(b->matches[5].prop->type.nenum, 2);

	b = &c.t.clauses[1].binding;
	assert_int_equal(b->matches[0].value.type.scalar, CFS_SC_VECTOR);
	assert_int_equal(b->matches[0].value.type.dim, 3);
	assert_int_equal(b->matches[0].value.lit.nitems, 3);
	checked_free(&c);
}

static void test_ir_columns(void **state)
{
	struct checked c;
	const struct cfs_tproj *p;

	(void)state;
	check_ok(&c, "query q() { match { $p: Person  $p knows $f } "
		     "return { $p.name, $p.age as years, count($f), $p, min($f.age) as youngest } "
		     "order { years desc, $p.name } limit 10 }");
	p = c.t.projs;
	assert_int_equal(c.t.nprojs, 5);
	assert_string_equal(p[0].column, "p.name");
	assert_string_equal(p[0].type_disp, "String");
	assert_false(p[0].has_alias);
	assert_string_equal(p[1].column, "years");
	assert_true(p[1].has_alias);
	assert_string_equal(p[1].type_disp, "I32?");
	assert_string_equal(p[2].column, "count(f)");
	assert_string_equal(p[2].type_disp, "aggregate");
	assert_true(p[2].is_agg);
	assert_string_equal(p[3].column, "p");
	assert_string_equal(p[3].type_disp, "node `Person`");
	assert_int_equal(p[3].expr.kind, CFS_TE_NODE);
	assert_string_equal(p[4].column, "youngest");
	assert_true(c.t.is_aggregate);

	assert_int_equal(c.t.norders, 2);
	assert_int_equal(c.t.orders[0].expr.kind, CFS_TE_ALIAS);
	assert_true(c.t.orders[0].expr.alias_known);
	assert_int_equal(c.t.orders[0].expr.alias_proj, 1);
	assert_int_equal(c.t.orders[0].expr.type.scalar.scalar, CFS_SC_I32);
	assert_true(c.t.orders[0].desc);
	assert_false(c.t.orders[1].desc);
	assert_true(c.t.has_limit);
	assert_int_equal(c.t.limit, 10);
	checked_free(&c);
}

static void test_ir_derived_names(void **state)
{
	struct checked c;

	(void)state;
	check_ok(&c, "query q($s: String) { match { $d: Doc } "
		     "return { nearest($d.embedding, [1, 2, 3.5]), bm25($d.title, \"a \\\"b\\\"\"), "
		     "now(), date(\"2024-01-02\"), $s, later, search($d.title, $s) } "
		     "order { nearest($d.embedding, $s) } limit 3 }");
	assert_string_equal(c.t.projs[0].column, "nearest(d.embedding, [1, 2, 3.5])");
	assert_string_equal(c.t.projs[0].type_disp, "F64");
	assert_string_equal(c.t.projs[1].column, "bm25(d.title, \"a \\\"b\\\"\")");
	assert_string_equal(c.t.projs[2].column, "now()");
	assert_string_equal(c.t.projs[2].type_disp, "DateTime");
	assert_string_equal(c.t.projs[3].column, "date(\"2024-01-02\")");
	assert_string_equal(c.t.projs[4].column, "s");
	assert_int_equal(c.t.projs[4].expr.kind, CFS_TE_PARAM);
	assert_string_equal(c.t.projs[5].column, "later");           /* unknown alias */
	assert_string_equal(c.t.projs[5].type_disp, "aggregate");
	assert_false(c.t.projs[5].expr.alias_known);
	assert_string_equal(c.t.projs[6].type_disp, "Bool");

	/* nearest: [0] the Vector property, [1] the literal typed Vector(3) */
	const struct cfs_texpr *n = &c.t.projs[0].expr;
	assert_int_equal(n->kind, CFS_TE_NEAREST);
	assert_int_equal(n->nargs, 2);
	assert_ptr_equal(n->args[0].property, cfs_type_prop(cfs_schema_node(&c.s, "Doc"), "embedding"));
	assert_int_equal(n->args[1].kind, CFS_TE_LIT);
	assert_int_equal(n->args[1].type.scalar.scalar, CFS_SC_VECTOR);
	assert_int_equal(n->args[1].type.scalar.dim, 3);
	checked_free(&c);
}

static void test_ir_params(void **state)
{
	struct checked c;

	(void)state;
	/* a repeated name keeps its first position and takes the later type */
	check_ok(&c, "query q($a: String, $b: [I32]?, $v: Vector(3), $a: I64) "
		     "@description(\"d\") { match { $p: Person { age: $a } } return { $p.name } }");
	assert_string_equal(c.t.name, "q");
	assert_string_equal(c.t.description, "d");
	assert_null(c.t.instruction);
	assert_int_equal(c.t.nparams, 3);
	assert_string_equal(c.t.params[0].name, "a");
	assert_int_equal(c.t.params[0].type.scalar, CFS_SC_I64);
	assert_string_equal(c.t.params[1].name, "b");
	assert_int_equal(c.t.params[1].type.scalar, CFS_SC_I32);
	assert_true(c.t.params[1].type.list);
	assert_true(c.t.params[1].type.nullable);
	assert_int_equal(c.t.params[2].type.scalar, CFS_SC_VECTOR);
	assert_int_equal(c.t.params[2].type.dim, 3);
	assert_false(c.t.is_mutation);
	checked_free(&c);
}

static void test_ir_filters_and_negation(void **state)
{
	struct checked c;
	const struct cfs_tfilter *f;

	(void)state;
	/* names bound inside `not` are discarded: $x is free again afterwards */
	check_ok(&c, "query q() { match { $p: Person  not { $p worksAt $x }  $x: Person\n"
		     "  $p.age >= 3  search($p.bio, \"hi\") } return { $p.name } }");
	assert_int_equal(c.t.clauses[1].kind, CFS_TC_NOT);
	assert_int_equal(c.t.clauses[1].ninner, 1);
	assert_int_equal(c.t.clauses[1].inner[0].kind, CFS_TC_TRAVERSAL);
	assert_ptr_equal(c.t.clauses[1].inner[0].trav.dst_type, cfs_schema_node(&c.s, "Company"));
	assert_ptr_equal(c.t.clauses[2].binding.type, cfs_schema_node(&c.s, "Person"));
	f = &c.t.clauses[3].filter;
	assert_int_equal(f->op, QOP_GE);
	assert_int_equal(f->left.type.scalar.scalar, CFS_SC_I32);
	assert_int_equal(f->right.type.scalar.scalar, CFS_SC_I64);
	f = &c.t.clauses[4].filter;
	assert_true(f->is_call);
	assert_int_equal(f->left.kind, CFS_TE_SEARCH);
	assert_int_equal(f->left.type.scalar.scalar, CFS_SC_BOOL);
	assert_int_equal(f->right.kind, CFS_TE_LIT);
	checked_free(&c);
}

static void test_ir_mutations(void **state)
{
	struct checked c;
	const struct cfs_tstmt *st;

	(void)state;
	check_ok(&c, "query m($who: String, $pic: String, $t: DateTime) {\n"
		     "  insert WorksAt { from: $who, to: \"acme\", role: \"eng\", start: $t }\n"
		     "  update Person set { photo: $pic, seen: now() } where name = $who\n"
		     "  delete Knows where to = \"b\"\n"
		     "}");
	assert_true(c.t.is_mutation);
	assert_int_equal(c.t.nstmts, 3);
	st = &c.t.stmts[0];
	assert_int_equal(st->kind, QS_INSERT);
	assert_true(st->on_edge);
	assert_ptr_equal(st->type, cfs_schema_edge(&c.s, "WorksAt"));
	assert_int_equal(st->nassigns, 4);
	assert_string_equal(st->assigns[0].prop, "from");
	assert_null(st->assigns[0].property);
	assert_int_equal(st->assigns[0].target.scalar, CFS_SC_STRING);
	assert_int_equal(st->assigns[0].value.kind, CFS_TV_PARAM);
	assert_ptr_equal(st->assigns[2].property, cfs_type_prop(st->type, "role"));

	st = &c.t.stmts[1];
	assert_int_equal(st->kind, QS_UPDATE);
	assert_false(st->on_edge);
	assert_ptr_equal(st->type, cfs_schema_node(&c.s, "Person"));
	assert_int_equal(st->assigns[0].target.scalar, CFS_SC_BLOB);  /* String fills a Blob */
	assert_int_equal(st->assigns[1].value.kind, CFS_TV_NOW);
	assert_string_equal(st->pred.prop, "name");
	assert_int_equal(st->pred_op, QOP_EQ);

	st = &c.t.stmts[2];
	assert_int_equal(st->kind, QS_DELETE);
	assert_true(st->on_edge);
	assert_null(st->pred.property);
	assert_string_equal(st->pred.value.lit.str, "b");
	checked_free(&c);
}

/* ------------------------------------------------------------ order of checks */

static void test_order_details(void **state)
{
	(void)state;
	/* U1/U2 run per parameter in order */
	expect_error("query q($v: Vector(0), $__nanograph_now: String) { match { $p: Person } return { $p.name } }",
		     "type error: unknown parameter type `Vector(0)` for `$v`");
	expect_error("query q($v: Vector(2147483648)) { match { $p: Person } return { $p.name } }",
		     "type error: unknown parameter type `Vector(2147483648)` for `$v`");
	/* T13a comes before the type lookup in insert, after it in update */
	expect_error("query m() { insert Nope { a: 1, a: 2 } }",
		     "type error: T13: duplicate assignment for property `a`");
	expect_error("query m() { update Nope set { a: 1, a: 2 } where a = 1 }",
		     "type error: T10: unknown node/edge type `Nope`");
	/* statement type names are exact; traversal edge names are not */
	expect_error("query m() { insert KNOWS { from: \"a\", to: \"b\" } }",
		     "type error: T10: unknown node/edge type `KNOWS`");
	/* edges: endpoint checks before required properties */
	expect_error("query m() { insert WorksAt { to: \"c\" } }",
		     "type error: T12: insert for `WorksAt` must provide required endpoint `from`");
	expect_error("query m() { insert WorksAt { from: \"a\", to: \"c\" } }",
		     "type error: T12: insert for `WorksAt` must provide non-nullable property `role`");
	expect_error("query m() { insert Knows { from: 1, to: \"b\" } }",
		     "type error: T3: property `from` has type String but got I64");
	/* T7c in mutations: parameter type with its `?` */
	expect_error("query m($a: Bool?) { update Person set { age: $a } where name = \"x\" }",
		     "type error: T7: cannot assign/compare Bool? with I32? for property `age`");
	/* a parameter shadows a binding in a bare reference, not in $p.x */
	expect_error("query q($p: Blob) { match { $p: Person } return { $p } }",
		     "type error: T24: Blob parameter `$p` is not available as a .gq read value; Blob values require a dedicated API");
	/* projections (T24b) are checked before T9b; aggregates check their argument */
	expect_error("query q($b: Blob) { match { $p: Person } return { count($b), 1 } }",
		     "type error: T24: Blob parameter `$b` is not available as a .gq read value; Blob values require a dedicated API");
	/* T21a before T17a; a nearest inside rrf is not standalone */
	expect_error("query q() { match { $d: Doc } return { $d.slug } "
		     "order { nearest($d.embedding, \"x\"), rrf(nearest($d.embedding, \"x\"), bm25($d.title, \"x\")) } }",
		     "type error: T21: rrf ordering requires a limit clause");
	/* containment looks through aliases */
	expect_error("query q() { match { $d: Doc } return { nearest($d.embedding, \"x\") as n } order { n } }",
		     "type error: T17: nearest ordering requires a limit clause");
	/* the edge variable is bound before the endpoints are checked */
	expect_error("query q() { match { $c: Company  $c $k:knows $f } return { $c.name } }",
		     "type error: T5: variable `$c` has type `Company`, which is not an endpoint of edge `Knows: Person -> Person`");
	/* an unknown alias is an aggregate: fine in order, not in a filter */
	expect_error("query q() { match { $p: Person  $p.age > years } return { $p.name } }",
		     "type error: T7: filter comparisons require scalar operands, got I32? and aggregate");
	/* T3f lists the sorted values; enum filters accept any string */
	expect_error("query m() { insert Person { name: \"a\", mood: \"meh\" } }",
		     "type error: T3: property `mood` expects one of [happy, sad], got 'meh'");
	/* nested negation does not count as touching */
	expect_error("query q() { match { $p: Person  not { not { $p knows $x } } } return { $p.name } }",
		     "type error: T9: negation block must reference at least one outer-bound variable");
	/* T23c applies to `$_` too */
	expect_error("query q() { match { $p $_:knows {1,3} $f } return { $p.name } }",
		     "type error: T23: edge binding `$_` cannot be combined with traversal bounds; a multi-hop traversal matches a path of edges, not one edge");
	/* T6 on an edge's implicit columns, T15 reports on a parameter used as nearest's variable */
	expect_error("query q($d: String) { match { $p: Person } return { $p.name } "
		     "order { nearest($d.embedding, \"x\") } limit 1 }",
		     "type error: T15: variable `$d` is not bound");
}

static void test_unchecked_rebinding_and_dates(void **state)
{
	struct checked c;

	(void)state;
	/* Date needs date(...); a Date parameter fits; re-binding the same type is fine */
	check_ok(&c, "query q($d: Date, $since: Date) { match { $p: Person { born: $d }  $p: Person\n"
		     "  $p $k:knows $f  $k.since > $since } return { $p.name, $k.weight } }");
	assert_int_equal(c.t.nclauses, 4);
	checked_free(&c);
	expect_error("query q() { match { $p: Person { born: \"2020-01-01\" } } return { $p.name } }",
		     "type error: T3: property `born` has type Date? but got String");
}

/* ------------------------------------------------------------ driver */

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_ir_traversal_directions),
		cmocka_unit_test(test_ir_bounds_and_anonymous),
		cmocka_unit_test(test_ir_binding_and_values),
		cmocka_unit_test(test_ir_columns),
		cmocka_unit_test(test_ir_derived_names),
		cmocka_unit_test(test_ir_params),
		cmocka_unit_test(test_ir_filters_and_negation),
		cmocka_unit_test(test_ir_mutations),
		cmocka_unit_test(test_order_details),
		cmocka_unit_test(test_unchecked_rebinding_and_dates),
	};
	size_t nfixed = sizeof fixed / sizeof fixed[0];
	char *root = cfs_xasprintf("%s/query", fixtures_root());
	size_t ndirs = 0;
	char **dirs = list_dirs(root, &ndirs);
	struct fixture *fxs = ndirs ? cfs_xcalloc(2 * ndirs, sizeof *fxs) : NULL;
	struct CMUnitTest *tests = cfs_xcalloc(nfixed + 2 * ndirs, sizeof *tests);
	size_t n = 0;
	int rc;

	memcpy(tests, fixed, sizeof fixed);
	n = nfixed;
	for (size_t i = 0; i < 2 * ndirs; i++) {
		struct fixture *fx = &fxs[i];

		fx->pass = i % 2 == 0;
		fx->name = cfs_xasprintf("%s/%s", dirs[i / 2], fx->pass ? "pass" : "fail");
		fx->dir = cfs_xasprintf("%s/%s", root, dirs[i / 2]);
		tests[n].name = fx->name;
		tests[n].test_func = fx->pass ? test_pass_fixture : test_fail_fixture;
		tests[n].initial_state = fx;
		n++;
	}
	if (ndirs == 0)
		fprintf(stderr, "test_query_check: no fixture directories under %s\n", root);
	rc = _cmocka_run_group_tests("test_query_check", tests, n, NULL, NULL);
	for (size_t i = 0; i < 2 * ndirs; i++) {
		free(fxs[i].name);
		free(fxs[i].dir);
	}
	for (size_t i = 0; i < ndirs; i++)
		free(dirs[i]);
	free(dirs);
	free(fxs);
	free(tests);
	free(root);
	return rc || ndirs == 0;
}
