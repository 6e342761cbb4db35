/*
 * The in-memory model a loaded .pg schema yields (schema-lang.md §2, §4,
 * §5, §8, §11): type facets and their display form, enum ordering, vector
 * dimensions, cardinality, annotation values (decoded strings, source text
 * for the rest, last kwarg wins), desugaring order of constraints,
 * interface injection, range bounds and check patterns.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "engine/schema/model.h"

static struct cfs_schema load_ok(const char *src)
{
	struct cfs_schema s;
	char *err = NULL;

	memset(&s, 0, sizeof s);
	enum cfs_schema_status st = cfs_schema_load(src, strlen(src), &s, &err);
	if (st != CFS_SCHEMA_OK) {
		print_error("expected CFS_SCHEMA_OK, got %d: %s\n--- source ---\n%s\n", (int)st,
			    err ? err : "(no message)", src);
		free(err);
		fail();
	}
	free(err);
	return s;
}

static const struct cfs_type *node(const struct cfs_schema *s, const char *name)
{
	const struct cfs_type *t = cfs_schema_node(s, name);

	assert_non_null(t);
	assert_int_equal(t->kind, CFS_DECL_NODE);
	return t;
}

static const struct cfs_prop *prop(const struct cfs_type *t, const char *name)
{
	const struct cfs_prop *p = cfs_type_prop(t, name);

	if (!p)
		print_error("no property %s.%s\n", t->name, name);
	assert_non_null(p);
	return p;
}

static void assert_display(const struct cfs_type *t, const char *name, const char *want)
{
	struct cfs_sb sb = CFS_SB_INIT;

	cfs_ptype_display(&prop(t, name)->type, &sb);
	if (strcmp(cfs_sb_str(&sb), want) != 0)
		print_error("display of %s.%s: want \"%s\", got \"%s\"\n", t->name, name, want,
			    cfs_sb_str(&sb));
	assert_string_equal(cfs_sb_str(&sb), want);
	cfs_sb_release(&sb);
}

static const struct cfs_kwarg *kwarg(const struct cfs_annot *a, const char *key)
{
	const struct cfs_kwarg *found = NULL;

	for (size_t i = 0; i < a->nkwargs; i++) {
		if (strcmp(a->kwargs[i].key, key) == 0) {
			assert_null(found);     /* a key appears once in the map */
			found = &a->kwargs[i];
		}
	}
	assert_non_null(found);
	return found;
}

static const struct cfs_annot *annot(const struct cfs_annot *a, size_t n, const char *name)
{
	const struct cfs_annot *an = cfs_annot_find(a, n, name);

	if (!an)
		print_error("no annotation @%s\n", name);
	assert_non_null(an);
	return an;
}

static void assert_cons(const struct cfs_constraint *c, enum cfs_cons_kind kind,
			enum cfs_cons_origin origin, const char *col0, size_t ncols)
{
	assert_int_equal(c->kind, kind);
	assert_int_equal(c->origin, origin);
	assert_true(c->ncols >= 1);
	assert_string_equal(c->cols[0], col0);
	if (ncols)
		assert_int_equal(c->ncols, ncols);
}

/* ------------------------------------------------------------ §4 types */

static void test_display_forms(void **state)
{
	struct cfs_schema s = load_ok(
		"node T {\n"
		"    a: I32?\n"
		"    b: [String]\n"
		"    c: enum(b, a)?\n"
		"    d: Vector(4)\n"
		"    e: [I64]?\n"
		"    f: Blob\n"
		"    g: DateTime\n"
		"    h: Date\n"
		"    i: enum(z)\n"
		"    j: Vector(2147483647)?\n"
		"    k: String\n"
		"    l: Bool\n"
		"    m: U32\n"
		"    n: U64\n"
		"    o: F32\n"
		"    p: F64\n"
		"    q: [Bool]\n"
		"    r: [DateTime]?\n"
		"    s: I64\n"
		"    t: Blob?\n"
		"}\n");
	const struct cfs_type *t;

	(void)state;
	t = node(&s, "T");
	assert_display(t, "a", "I32?");
	assert_display(t, "b", "[String]");
	assert_display(t, "c", "enum(a, b)?");
	assert_display(t, "d", "Vector(4)");
	assert_display(t, "e", "[I64]?");
	assert_display(t, "f", "Blob");
	assert_display(t, "g", "DateTime");
	assert_display(t, "h", "Date");
	assert_display(t, "i", "enum(z)");
	assert_display(t, "j", "Vector(2147483647)?");
	assert_display(t, "k", "String");
	assert_display(t, "l", "Bool");
	assert_display(t, "m", "U32");
	assert_display(t, "n", "U64");
	assert_display(t, "o", "F32");
	assert_display(t, "p", "F64");
	assert_display(t, "q", "[Bool]");
	assert_display(t, "r", "[DateTime]?");
	assert_display(t, "s", "I64");
	assert_display(t, "t", "Blob?");

	/* display appends */
	struct cfs_sb sb = CFS_SB_INIT;
	cfs_sb_adds(&sb, "type=");
	cfs_ptype_display(&prop(t, "c")->type, &sb);
	assert_string_equal(cfs_sb_str(&sb), "type=enum(a, b)?");
	cfs_sb_release(&sb);

	/* facets */
	const struct cfs_ptype *pt = &prop(t, "a")->type;
	assert_int_equal(pt->scalar, CFS_SC_I32);
	assert_true(pt->nullable);
	assert_false(pt->list);
	assert_int_equal(pt->nenum, 0);
	pt = &prop(t, "b")->type;
	assert_int_equal(pt->scalar, CFS_SC_STRING);
	assert_true(pt->list);
	assert_false(pt->nullable);
	pt = &prop(t, "c")->type;
	assert_int_equal(pt->scalar, CFS_SC_STRING);     /* enum = String + values */
	assert_true(pt->nullable);
	assert_false(pt->list);
	assert_int_equal(pt->nenum, 2);
	pt = &prop(t, "d")->type;
	assert_int_equal(pt->scalar, CFS_SC_VECTOR);
	assert_int_equal(pt->dim, 4);
	assert_false(pt->list);
	assert_false(pt->nullable);
	pt = &prop(t, "e")->type;
	assert_int_equal(pt->scalar, CFS_SC_I64);
	assert_true(pt->list);
	assert_true(pt->nullable);
	assert_int_equal(prop(t, "f")->type.scalar, CFS_SC_BLOB);
	assert_int_equal(prop(t, "g")->type.scalar, CFS_SC_DATETIME);
	assert_int_equal(prop(t, "h")->type.scalar, CFS_SC_DATE);
	assert_int_equal(prop(t, "k")->type.scalar, CFS_SC_STRING);
	assert_int_equal(prop(t, "k")->type.nenum, 0);
	assert_int_equal(prop(t, "l")->type.scalar, CFS_SC_BOOL);
	assert_int_equal(prop(t, "m")->type.scalar, CFS_SC_U32);
	assert_int_equal(prop(t, "n")->type.scalar, CFS_SC_U64);
	assert_int_equal(prop(t, "o")->type.scalar, CFS_SC_F32);
	assert_int_equal(prop(t, "p")->type.scalar, CFS_SC_F64);
	assert_int_equal(prop(t, "s")->type.scalar, CFS_SC_I64);
	cfs_schema_free(&s);
}

static void test_enum_values_sorted_unique(void **state)
{
	struct cfs_schema s = load_ok(
		"node T {\n"
		"    e: enum(b, B, _x, 1, -y, a-b)\n"
		"    f: enum(c, a, b)\n"
		"    g: enum(b,a)\n"
		"    h: enum(a, b)?\n"
		"    i: enum(a, b, c)\n"
		"    j: String\n"
		"}\n");
	const struct cfs_type *t;
	const struct cfs_ptype *pt;
	static const char *const want[] = { "-y", "1", "B", "_x", "a-b", "b" };

	(void)state;
	t = node(&s, "T");
	pt = &prop(t, "e")->type;
	assert_int_equal(pt->nenum, 6);
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(pt->enum_values[i], want[i]);
	assert_display(t, "e", "enum(-y, 1, B, _x, a-b, b)");
	pt = &prop(t, "f")->type;
	assert_int_equal(pt->nenum, 3);
	assert_string_equal(pt->enum_values[0], "a");
	assert_string_equal(pt->enum_values[1], "b");
	assert_string_equal(pt->enum_values[2], "c");

	/* §4.1 equality: all four facets, enum values as sorted lists */
	assert_true(cfs_ptype_equal(&prop(t, "g")->type, &prop(t, "g")->type));
	assert_false(cfs_ptype_equal(&prop(t, "g")->type, &prop(t, "h")->type));  /* nullable */
	assert_false(cfs_ptype_equal(&prop(t, "g")->type, &prop(t, "i")->type));  /* values */
	assert_false(cfs_ptype_equal(&prop(t, "g")->type, &prop(t, "j")->type));  /* enum vs String */
	/* enum(c, a, b) == enum(a, b, c) */
	assert_true(cfs_ptype_equal(&prop(t, "f")->type, &prop(t, "i")->type));
	cfs_schema_free(&s);
}

static void test_type_equality(void **state)
{
	struct cfs_schema s = load_ok(
		"node T {\n"
		"    a: String\n"
		"    b: [String]\n"
		"    c: String?\n"
		"    d: Vector(3)\n"
		"    e: Vector(4)\n"
		"    f: Vector(3)\n"
		"    g: I32\n"
		"    h: I64\n"
		"    i: [String]\n"
		"}\n");
	const struct cfs_type *t;

	(void)state;
	t = node(&s, "T");
	assert_false(cfs_ptype_equal(&prop(t, "a")->type, &prop(t, "b")->type));
	assert_false(cfs_ptype_equal(&prop(t, "a")->type, &prop(t, "c")->type));
	assert_false(cfs_ptype_equal(&prop(t, "d")->type, &prop(t, "e")->type));
	assert_true(cfs_ptype_equal(&prop(t, "d")->type, &prop(t, "f")->type));
	assert_false(cfs_ptype_equal(&prop(t, "g")->type, &prop(t, "h")->type));
	assert_true(cfs_ptype_equal(&prop(t, "b")->type, &prop(t, "i")->type));
	assert_string_equal(cfs_scalar_name(CFS_SC_STRING), "String");
	assert_string_equal(cfs_scalar_name(CFS_SC_DATETIME), "DateTime");
	assert_string_equal(cfs_scalar_name(CFS_SC_VECTOR), "Vector");
	assert_string_equal(cfs_decl_kind_name(CFS_DECL_INTERFACE), "interface");
	assert_string_equal(cfs_decl_kind_name(CFS_DECL_NODE), "node");
	assert_string_equal(cfs_decl_kind_name(CFS_DECL_EDGE), "edge");
	assert_string_equal(cfs_cons_name(CFS_CONS_KEY), "key");
	assert_string_equal(cfs_cons_name(CFS_CONS_UNIQUE), "unique");
	assert_string_equal(cfs_cons_name(CFS_CONS_INDEX), "index");
	assert_string_equal(cfs_cons_name(CFS_CONS_RANGE), "range");
	assert_string_equal(cfs_cons_name(CFS_CONS_CHECK), "check");
	cfs_schema_free(&s);
}

static void test_vector_dimension(void **state)
{
	struct cfs_schema s = load_ok(
		"node V {\n"
		"    a: Vector(1)\n"
		"    b: Vector(1536)?\n"
		"    c: Vector(2147483647)\n"
		"}\n");
	const struct cfs_type *t;

	(void)state;
	t = node(&s, "V");
	assert_int_equal(prop(t, "a")->type.scalar, CFS_SC_VECTOR);
	assert_int_equal(prop(t, "a")->type.dim, 1);
	assert_int_equal(prop(t, "b")->type.dim, 1536);
	assert_true(prop(t, "b")->type.nullable);
	assert_int_equal(prop(t, "c")->type.dim, 2147483647u);
	assert_display(t, "b", "Vector(1536)?");
	cfs_schema_free(&s);
}

/* ------------------------------------------------------------ §5 declarations */

static void test_cardinality(void **state)
{
	struct cfs_schema s = load_ok(
		"node A {}\n"
		"edge Plain: A -> A\n"
		"edge Open: A -> A @card(0..)\n"
		"edge Range: A -> A @card(1..3)\n"
		"edge Min: A -> A @card(2..)\n"
		"edge Exact: A -> A @card(1..1)\n"
		"edge Custom: A -> A @note(\"n\") @card(9)\n");
	const struct cfs_type *e;

	(void)state;
	e = cfs_schema_edge(&s, "Plain");
	assert_non_null(e);
	assert_int_equal(e->card_min, 0);
	assert_false(e->card_has_max);
	assert_string_equal(e->from, "A");
	assert_string_equal(e->to, "A");
	assert_int_equal(e->nprops, 0);
	e = cfs_schema_edge(&s, "Open");
	assert_int_equal(e->card_min, 0);
	assert_false(e->card_has_max);
	e = cfs_schema_edge(&s, "Range");
	assert_int_equal(e->card_min, 1);
	assert_true(e->card_has_max);
	assert_int_equal(e->card_max, 3);
	e = cfs_schema_edge(&s, "Min");
	assert_int_equal(e->card_min, 2);
	assert_false(e->card_has_max);
	e = cfs_schema_edge(&s, "Exact");
	assert_int_equal(e->card_min, 1);
	assert_true(e->card_has_max);
	assert_int_equal(e->card_max, 1);
	e = cfs_schema_edge(&s, "Custom");
	assert_int_equal(e->card_min, 0);
	assert_false(e->card_has_max);
	assert_int_equal(e->nannots, 2);
	assert_string_equal(e->annots[0].name, "note");
	assert_string_equal(e->annots[1].name, "card");
	assert_string_equal(e->annots[1].value, "9");
	assert_false(e->annots[1].value_is_string);
	cfs_schema_free(&s);
}

static void test_annotation_values(void **state)
{
	struct cfs_schema s = load_ok(
		"node A @label(\"Person\", color=\"blue\", size=3, color=\"red\") @mode(fast)"
		" @w(1.50) @n(007) @flag(true) @bare @x(\"1\") @x(\"2\") {\n"
		"    title: String @description(\"q\\\"b\\\\s\\nl\\rc\\tt\") @src(title)\n"
		"    raw: String @description(\"line1\nline2\")\n"
		"    v: Vector(3) @embed(title)\n"
		"    v2: Vector(3) @embed(\"title\", model=\"m1\", model=\"m2\")\n"
		"    k: String @meta(\"v\", tab=\"a\\tb\", num=2.50, yes=false, tab=\"last\\\\\")\n"
		"}\n");
	const struct cfs_type *t;
	const struct cfs_annot *an;

	(void)state;
	t = node(&s, "A");
	assert_int_equal(t->nannots, 8);
	assert_string_equal(t->annots[0].name, "label");    /* without '@', source order */
	assert_string_equal(t->annots[7].name, "x");

	an = annot(t->annots, t->nannots, "label");
	assert_string_equal(an->value, "Person");
	assert_true(an->value_is_string);
	assert_int_equal(an->nkwargs, 2);                   /* color repeated: one entry */
	assert_string_equal(kwarg(an, "color")->value, "red");
	assert_string_equal(kwarg(an, "size")->value, "3");

	an = annot(t->annots, t->nannots, "mode");
	assert_string_equal(an->value, "fast");             /* ident: source text */
	assert_false(an->value_is_string);
	assert_int_equal(an->nkwargs, 0);
	assert_string_equal(annot(t->annots, t->nannots, "w")->value, "1.50");
	assert_false(annot(t->annots, t->nannots, "w")->value_is_string);
	assert_string_equal(annot(t->annots, t->nannots, "n")->value, "007");
	assert_string_equal(annot(t->annots, t->nannots, "flag")->value, "true");
	an = annot(t->annots, t->nannots, "bare");
	assert_null(an->value);
	assert_int_equal(an->nkwargs, 0);
	assert_string_equal(annot(t->annots, t->nannots, "x")->value, "1");  /* first occurrence */

	const struct cfs_prop *p = prop(t, "title");
	an = annot(p->annots, p->nannots, "description");
	assert_string_equal(an->value, "q\"b\\s\nl\rc\tt");
	assert_true(an->value_is_string);
	an = annot(p->annots, p->nannots, "src");
	assert_string_equal(an->value, "title");
	assert_false(an->value_is_string);
	p = prop(t, "raw");
	assert_string_equal(annot(p->annots, p->nannots, "description")->value, "line1\nline2");

	/* @embed(title) == @embed("title") apart from value_is_string */
	p = prop(t, "v");
	an = annot(p->annots, p->nannots, "embed");
	assert_string_equal(an->value, "title");
	assert_int_equal(an->nkwargs, 0);
	p = prop(t, "v2");
	an = annot(p->annots, p->nannots, "embed");
	assert_string_equal(an->value, "title");
	assert_true(an->value_is_string);
	assert_int_equal(an->nkwargs, 1);
	assert_string_equal(kwarg(an, "model")->value, "m2");

	p = prop(t, "k");
	an = annot(p->annots, p->nannots, "meta");
	assert_string_equal(an->value, "v");
	assert_int_equal(an->nkwargs, 3);
	assert_string_equal(kwarg(an, "tab")->value, "last\\");   /* decoded, last wins */
	assert_string_equal(kwarg(an, "num")->value, "2.50");
	assert_string_equal(kwarg(an, "yes")->value, "false");
	cfs_schema_free(&s);
}

static void test_desugaring_order(void **state)
{
	struct cfs_schema s = load_ok(
		"interface I {\n"
		"    i: String @index\n"
		"    j: String @unique\n"
		"}\n"
		"node A implements I {\n"
		"    @unique(b)\n"
		"    a: String @key\n"
		"    b: String @index\n"
		"    @index(c, b)\n"
		"    c: String @unique @description(\"c\") @index\n"
		"    @range(n, 0..10)\n"
		"    n: I32\n"
		"    @check(a, \"x\")\n"
		"}\n"
		"edge E: A -> A {\n"
		"    @index(src, dst)\n"
		"    w: String @unique @index\n"
		"    x: I32 @index\n"
		"    @unique(w)\n"
		"}\n");
	const struct cfs_type *t;

	(void)state;
	t = node(&s, "A");
	assert_int_equal(t->ncons, 10);
	assert_cons(&t->cons[0], CFS_CONS_UNIQUE, CFS_ORIGIN_BODY, "b", 1);
	assert_cons(&t->cons[1], CFS_CONS_INDEX, CFS_ORIGIN_BODY, "c", 2);
	assert_string_equal(t->cons[1].cols[1], "b");
	assert_cons(&t->cons[2], CFS_CONS_RANGE, CFS_ORIGIN_BODY, "n", 0);
	assert_cons(&t->cons[3], CFS_CONS_CHECK, CFS_ORIGIN_BODY, "a", 0);
	assert_string_equal(t->cons[3].pattern, "x");
	assert_cons(&t->cons[4], CFS_CONS_KEY, CFS_ORIGIN_PROPERTY, "a", 1);
	assert_cons(&t->cons[5], CFS_CONS_INDEX, CFS_ORIGIN_PROPERTY, "b", 1);
	assert_cons(&t->cons[6], CFS_CONS_UNIQUE, CFS_ORIGIN_PROPERTY, "c", 1);
	assert_cons(&t->cons[7], CFS_CONS_INDEX, CFS_ORIGIN_PROPERTY, "c", 1);
	assert_cons(&t->cons[8], CFS_CONS_INDEX, CFS_ORIGIN_INJECTED, "i", 1);
	assert_cons(&t->cons[9], CFS_CONS_UNIQUE, CFS_ORIGIN_INJECTED, "j", 1);

	const struct cfs_constraint *key = cfs_type_key(t);
	assert_non_null(key);
	assert_ptr_equal(key, &t->cons[4]);

	const struct cfs_type *e = cfs_schema_edge(&s, "E");
	assert_non_null(e);
	assert_int_equal(e->ncons, 5);
	assert_cons(&e->cons[0], CFS_CONS_INDEX, CFS_ORIGIN_BODY, "src", 2);
	assert_string_equal(e->cons[0].cols[1], "dst");
	assert_cons(&e->cons[1], CFS_CONS_UNIQUE, CFS_ORIGIN_BODY, "w", 1);
	assert_cons(&e->cons[2], CFS_CONS_UNIQUE, CFS_ORIGIN_PROPERTY, "w", 1);
	assert_cons(&e->cons[3], CFS_CONS_INDEX, CFS_ORIGIN_PROPERTY, "w", 1);
	assert_cons(&e->cons[4], CFS_CONS_INDEX, CFS_ORIGIN_PROPERTY, "x", 1);
	assert_null(cfs_type_key(e));
	cfs_schema_free(&s);
}

static void test_key_annotation_then_body_constraint(void **state)
{
	/* §3: "name: String @key(name)" is a property and a body constraint */
	struct cfs_schema s = load_ok(
		"node A {\n"
		"    name: String @key(name)\n"
		"    other: String @unique\n"
		"}\n");
	const struct cfs_type *t;

	(void)state;
	t = node(&s, "A");
	assert_int_equal(prop(t, "name")->nannots, 0);
	assert_int_equal(t->ncons, 2);
	assert_cons(&t->cons[0], CFS_CONS_KEY, CFS_ORIGIN_BODY, "name", 1);
	assert_cons(&t->cons[1], CFS_CONS_UNIQUE, CFS_ORIGIN_PROPERTY, "other", 1);
	assert_ptr_equal(cfs_type_key(t), &t->cons[0]);
	cfs_schema_free(&s);
}

static void test_interface_injection(void **state)
{
	struct cfs_schema s = load_ok(
		"node A implements I, J, I {\n"
		"    own: String\n"
		"    shared: I32\n"
		"}\n"
		"interface I {\n"
		"    shared: I32 @description(\"from I\") @index\n"
		"    x: String @description(\"iface x\")\n"
		"}\n"
		"interface J {\n"
		"    y: Bool?\n"
		"    x: String\n"
		"}\n"
		"node Plain {\n"
		"    p: String\n"
		"}\n");
	const struct cfs_type *t;

	(void)state;
	t = node(&s, "A");
	assert_int_equal(t->nimplements, 3);
	assert_string_equal(t->implements[0], "I");
	assert_string_equal(t->implements[1], "J");
	assert_string_equal(t->implements[2], "I");
	assert_int_equal(t->nprops, 4);
	assert_string_equal(t->props[0].name, "own");
	assert_null(t->props[0].injected_from);
	assert_string_equal(t->props[1].name, "shared");
	assert_null(t->props[1].injected_from);
	/* the declared property wins: no annotations copied, no constraint */
	assert_null(cfs_annot_find(t->props[1].annots, t->props[1].nannots, "description"));
	assert_int_equal(t->ncons, 0);
	assert_string_equal(t->props[2].name, "x");
	assert_string_equal(t->props[2].injected_from, "I");
	assert_string_equal(annot(t->props[2].annots, t->props[2].nannots, "description")->value,
			    "iface x");
	assert_string_equal(t->props[3].name, "y");
	assert_string_equal(t->props[3].injected_from, "J");
	assert_true(t->props[3].type.nullable);
	assert_int_equal(t->props[3].type.scalar, CFS_SC_BOOL);

	const struct cfs_type *i = cfs_schema_interface(&s, "I");
	assert_non_null(i);
	assert_int_equal(i->kind, CFS_DECL_INTERFACE);
	assert_int_equal(i->nprops, 2);
	assert_null(cfs_schema_node(&s, "I"));
	assert_null(cfs_schema_interface(&s, "A"));
	assert_int_equal(s.ntypes, 4);
	assert_int_equal(s.types[0].kind, CFS_DECL_NODE);
	assert_int_equal(s.types[1].kind, CFS_DECL_INTERFACE);
	assert_int_equal(s.types[3].kind, CFS_DECL_NODE);
	assert_string_equal(s.types[3].name, "Plain");
	assert_int_equal(node(&s, "Plain")->nimplements, 0);
	cfs_schema_free(&s);
}

static void test_injected_constraints_follow_direct(void **state)
{
	struct cfs_schema s = load_ok(
		"interface K {\n"
		"    code: String @key\n"
		"}\n"
		"node A implements K {\n"
		"    @index(code)\n"
		"    other: String @unique\n"
		"}\n");
	const struct cfs_type *t;

	(void)state;
	t = node(&s, "A");
	assert_int_equal(t->ncons, 3);
	assert_cons(&t->cons[0], CFS_CONS_INDEX, CFS_ORIGIN_BODY, "code", 1);
	assert_cons(&t->cons[1], CFS_CONS_UNIQUE, CFS_ORIGIN_PROPERTY, "other", 1);
	assert_cons(&t->cons[2], CFS_CONS_KEY, CFS_ORIGIN_INJECTED, "code", 1);
	assert_ptr_equal(cfs_type_key(t), &t->cons[2]);
	assert_string_equal(prop(t, "code")->injected_from, "K");
	cfs_schema_free(&s);
}

/* ------------------------------------------------------------ §8 catalog */

static void test_catalog_lookups(void **state)
{
	struct cfs_schema s = load_ok(
		"node Person { name: String }\n"
		"node Link { a: String }\n"
		"edge Link: Person -> Person\n"
		"edge Knows: Person -> Link @card(0..1)\n"
		"node Dup {\n"
		"    a: String\n"
		"    a: I32?\n"
		"    b: Bool\n"
		"}\n"
		"interface Twice { x: String }\n"
		"interface Twice { y: String }\n");
	const struct cfs_type *k;

	(void)state;
	assert_non_null(cfs_schema_node(&s, "Person"));
	assert_null(cfs_schema_node(&s, "person"));          /* only edges fold case */
	k = cfs_schema_edge(&s, "Knows");
	assert_non_null(k);
	assert_ptr_equal(cfs_schema_edge(&s, "knows"), k);
	assert_ptr_equal(cfs_schema_edge(&s, "KNOWS"), k);
	assert_string_equal(k->from, "Person");
	assert_string_equal(k->to, "Link");
	assert_null(cfs_schema_edge(&s, "Person"));
	assert_null(cfs_schema_node(&s, "Knows"));
	assert_int_equal(cfs_schema_node(&s, "Link")->kind, CFS_DECL_NODE);
	assert_int_equal(cfs_schema_edge(&s, "link")->kind, CFS_DECL_EDGE);

	const struct cfs_type *d = node(&s, "Dup");
	assert_int_equal(prop(d, "a")->type.scalar, CFS_SC_I32);   /* last declaration */
	assert_true(prop(d, "a")->type.nullable);
	assert_int_equal(prop(d, "b")->type.scalar, CFS_SC_BOOL);
	assert_null(cfs_type_prop(d, "zz"));
	assert_null(cfs_type_key(d));

	const struct cfs_type *tw = cfs_schema_interface(&s, "Twice");  /* last wins */
	assert_non_null(tw);
	assert_non_null(cfs_type_prop(tw, "y"));
	assert_null(cfs_type_prop(tw, "x"));
	cfs_schema_free(&s);
}

static void test_composite_key(void **state)
{
	struct cfs_schema s = load_ok(
		"node Pair {\n"
		"    left: String\n"
		"    right: I64\n"
		"    @key(left, right)\n"
		"}\n");
	const struct cfs_constraint *key;

	(void)state;
	key = cfs_type_key(node(&s, "Pair"));
	assert_non_null(key);
	assert_int_equal(key->kind, CFS_CONS_KEY);
	assert_int_equal(key->ncols, 2);
	assert_string_equal(key->cols[0], "left");
	assert_string_equal(key->cols[1], "right");
	cfs_schema_free(&s);
}

/* ------------------------------------------------------------ ranges, checks */

static void assert_int_bound(const struct cfs_bound *b, int64_t v, const char *text)
{
	assert_true(b->present);
	assert_true(b->is_int);
	assert_true(b->i == v);
	assert_non_null(b->text);
	assert_string_equal(b->text, text);
}

static void assert_float_bound(const struct cfs_bound *b, double v, const char *text)
{
	assert_true(b->present);
	assert_false(b->is_int);
	assert_true(b->f == v);
	assert_non_null(b->text);
	assert_string_equal(b->text, text);
}

static void test_range_bounds(void **state)
{
	struct cfs_schema s = load_ok(
		"node R {\n"
		"    a: I32\n"
		"    @range(a, 0..10)\n"
		"    @range(a, -5..)\n"
		"    @range(a, 0.5..99.25)\n"
		"    @range(a, ..10)\n"
		"    @range(a, 9223372036854775807..9223372036854775808)\n"
		"    @range(a, -9223372036854775808..-9223372036854775809)\n"
		"    @range(a, ..-2.5)\n"
		"    @range(a, 1..2, \"extra\", more, 3..4)\n"
		"    @range(a, -0..-1.0)\n"
		"}\n");
	const struct cfs_type *t;
	const struct cfs_constraint *c;

	(void)state;
	t = node(&s, "R");
	assert_int_equal(t->ncons, 9);
	for (size_t i = 0; i < 9; i++)
		assert_cons(&t->cons[i], CFS_CONS_RANGE, CFS_ORIGIN_BODY, "a", 0);

	c = &t->cons[0];
	assert_int_bound(&c->lo, 0, "0");
	assert_int_bound(&c->hi, 10, "10");
	c = &t->cons[1];
	assert_int_bound(&c->lo, -5, "-5");
	assert_false(c->hi.present);
	c = &t->cons[2];
	assert_float_bound(&c->lo, 0.5, "0.5");
	assert_float_bound(&c->hi, 99.25, "99.25");
	c = &t->cons[3];                         /* §11.2: "..10" lands in lo */
	assert_int_bound(&c->lo, 10, "10");
	assert_false(c->hi.present);
	c = &t->cons[4];
	assert_int_bound(&c->lo, INT64_MAX, "9223372036854775807");
	assert_float_bound(&c->hi, 9223372036854775808.0, "9223372036854775808");
	c = &t->cons[5];
	assert_int_bound(&c->lo, INT64_MIN, "-9223372036854775808");
	assert_float_bound(&c->hi, -9223372036854775809.0, "-9223372036854775809");
	c = &t->cons[6];
	assert_float_bound(&c->lo, -2.5, "-2.5");
	assert_false(c->hi.present);
	c = &t->cons[7];                         /* arguments after the second are ignored */
	assert_int_bound(&c->lo, 1, "1");
	assert_int_bound(&c->hi, 2, "2");
	c = &t->cons[8];
	assert_int_bound(&c->lo, 0, "-0");
	assert_float_bound(&c->hi, -1.0, "-1.0");
	cfs_schema_free(&s);
}

static void test_check_patterns(void **state)
{
	struct cfs_schema s = load_ok(
		"node C {\n"
		"    code: String\n"
		"    kind: enum(a, b)\n"
		"    names: [String]\n"
		"    @check(code, \"\\\\d+\")\n"
		"    @check(code, \"say \\\"hi\\\"\\t\\n\\r\")\n"
		"    @check(kind, \"^a\")\n"
		"    @check(names, \"\")\n"
		"}\n");
	const struct cfs_type *t;

	(void)state;
	t = node(&s, "C");
	assert_int_equal(t->ncons, 4);
	assert_cons(&t->cons[0], CFS_CONS_CHECK, CFS_ORIGIN_BODY, "code", 0);
	assert_string_equal(t->cons[0].pattern, "\\d+");
	assert_string_equal(t->cons[1].pattern, "say \"hi\"\t\n\r");
	assert_cons(&t->cons[2], CFS_CONS_CHECK, CFS_ORIGIN_BODY, "kind", 0);
	assert_string_equal(t->cons[2].pattern, "^a");
	assert_non_null(t->cons[3].pattern);
	assert_string_equal(t->cons[3].pattern, "");
	cfs_schema_free(&s);
}

/* ------------------------------------------------------------ §11 oddities */

static void test_keywords_without_boundary(void **state)
{
	struct cfs_schema s = load_ok(
		"nodeP {}\n"
		"interfaceQ { a: Stringb: I32 }\n"
		"node R implementsQ {}\n"
		"edgeE: P -> R @card(1..2)\n"
		"nodeT { d: DateTime e: Date f: enum(x)g: Vector(2)h: [I64]? }\n");
	const struct cfs_type *t;

	(void)state;
	assert_int_equal(s.ntypes, 5);
	assert_non_null(cfs_schema_node(&s, "P"));
	t = node(&s, "R");
	assert_int_equal(t->nprops, 2);
	assert_int_equal(prop(t, "a")->type.scalar, CFS_SC_STRING);
	assert_int_equal(prop(t, "b")->type.scalar, CFS_SC_I32);
	assert_non_null(cfs_schema_edge(&s, "e"));
	assert_int_equal(cfs_schema_edge(&s, "e")->card_max, 2);
	t = node(&s, "T");
	assert_int_equal(t->nprops, 5);
	assert_int_equal(prop(t, "d")->type.scalar, CFS_SC_DATETIME);
	assert_int_equal(prop(t, "e")->type.scalar, CFS_SC_DATE);
	assert_int_equal(prop(t, "f")->type.nenum, 1);
	assert_int_equal(prop(t, "g")->type.dim, 2);
	assert_display(t, "h", "[I64]?");
	cfs_schema_free(&s);
}

static void test_opaque_annotations(void **state)
{
	/* §11.4: @card(n) and bare @range are ordinary annotations */
	struct cfs_schema s = load_ok(
		"node A @card(1) @range {\n"
		"    a: I32 @range @check @keyed(\"k\") @card(2)\n"
		"}\n");
	const struct cfs_type *t;
	const struct cfs_prop *p;

	(void)state;
	t = node(&s, "A");
	assert_int_equal(t->nannots, 2);
	assert_string_equal(annot(t->annots, t->nannots, "card")->value, "1");
	assert_null(annot(t->annots, t->nannots, "range")->value);
	p = prop(t, "a");
	assert_int_equal(p->nannots, 4);
	assert_string_equal(p->annots[0].name, "range");
	assert_string_equal(p->annots[1].name, "check");
	assert_string_equal(p->annots[2].name, "keyed");
	assert_string_equal(p->annots[3].name, "card");
	assert_int_equal(t->ncons, 0);
	cfs_schema_free(&s);
}

static void test_empty_and_comment_only(void **state)
{
	static const char *const srcs[] = {
		"",
		"   \n\t\r\n",
		"// only a comment",
		"/* block */\n// line\n/**/",
	};

	(void)state;
	for (size_t i = 0; i < sizeof srcs / sizeof srcs[0]; i++) {
		struct cfs_schema s = load_ok(srcs[i]);

		assert_int_equal(s.ntypes, 0);
		assert_null(cfs_schema_node(&s, "A"));
		assert_null(cfs_schema_edge(&s, "A"));
		cfs_schema_free(&s);
	}
}

static void test_error_sets_message(void **state)
{
	struct cfs_schema s;
	char *err = NULL;
	const char *src = "node A {\n    v: Vector(0)\n}\n";

	(void)state;
	memset(&s, 0, sizeof s);
	assert_int_equal(cfs_schema_load(src, strlen(src), &s, &err), CFS_SCHEMA_SEMANTIC);
	assert_non_null(err);
	assert_string_equal(err, "parse error: parse error: Vector dimension must be greater than zero");
	free(err);

	/* len is honoured: the bytes after it are not part of the schema */
	const char *two = "node A {}\nnode A {}\n";
	err = NULL;
	memset(&s, 0, sizeof s);
	assert_int_equal(cfs_schema_load(two, 10, &s, &err), CFS_SCHEMA_OK);
	free(err);
	assert_int_equal(s.ntypes, 1);
	cfs_schema_free(&s);
	err = NULL;
	memset(&s, 0, sizeof s);
	assert_int_equal(cfs_schema_load(two, strlen(two), &s, &err), CFS_SCHEMA_CATALOG);
	assert_non_null(err);
	assert_string_equal(err, "catalog error: duplicate node type: A");
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_display_forms),
		cmocka_unit_test(test_enum_values_sorted_unique),
		cmocka_unit_test(test_type_equality),
		cmocka_unit_test(test_vector_dimension),
		cmocka_unit_test(test_cardinality),
		cmocka_unit_test(test_annotation_values),
		cmocka_unit_test(test_desugaring_order),
		cmocka_unit_test(test_key_annotation_then_body_constraint),
		cmocka_unit_test(test_interface_injection),
		cmocka_unit_test(test_injected_constraints_follow_direct),
		cmocka_unit_test(test_catalog_lookups),
		cmocka_unit_test(test_composite_key),
		cmocka_unit_test(test_range_bounds),
		cmocka_unit_test(test_check_patterns),
		cmocka_unit_test(test_keywords_without_boundary),
		cmocka_unit_test(test_opaque_annotations),
		cmocka_unit_test(test_empty_and_comment_only),
		cmocka_unit_test(test_error_sets_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
