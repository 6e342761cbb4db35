/*
 * Data-driven tests of the .pg loader (schema-lang.md §1-§8, §11) over the
 * fixture files in $CFS_FIXTURES/schema:
 *
 *   ok/NAME.pg    must load (CFS_SCHEMA_OK);
 *   err/NAME.pg   must fail with the class named by the file-name prefix
 *                 (syntax_ -> CFS_SCHEMA_SYNTAX, sem_ -> CFS_SCHEMA_SEMANTIC,
 *                 cat_ -> CFS_SCHEMA_CATALOG) and the message in err/NAME.err
 *                 (one trailing newline stripped): equal for sem_ and cat_,
 *                 a prefix for syntax_ (only " --> LINE:COL" is contractual;
 *                 a prefix ending in a column must not be followed by a
 *                 further digit).
 *
 * Each fixture is its own cmocka test, named after the file, so a failure
 * names the fixture.  A few extra tests look into known ok files through
 * the catalog lookups of model.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "engine/schema/model.h"

struct fixture {
	char *name;     /* file name, e.g. "sem_vector_zero.pg" */
	char *path;     /* full path of the .pg file */
};

static const char *fixtures_root(void)
{
	const char *root = getenv("CFS_FIXTURES");

	return root && *root ? root : "tests/fixtures";
}

/* Whole file, NUL-terminated; *len gets the byte count.  NULL if unreadable. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct cfs_sb sb = CFS_SB_INIT;
	char buf[4096];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		cfs_sb_add(&sb, buf, n);
	fclose(f);
	*len = sb.len;
	if (!sb.buf)
		return cfs_xstrdup("");
	return cfs_sb_detach(&sb);
}

static const char *status_name(enum cfs_schema_status st)
{
	switch (st) {
	case CFS_SCHEMA_OK: return "CFS_SCHEMA_OK";
	case CFS_SCHEMA_SYNTAX: return "CFS_SCHEMA_SYNTAX";
	case CFS_SCHEMA_SEMANTIC: return "CFS_SCHEMA_SEMANTIC";
	case CFS_SCHEMA_CATALOG: return "CFS_SCHEMA_CATALOG";
	}
	return "(unknown status)";
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

/* Sorted names of the .pg files in dir. */
static char **list_pg(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;

	*count = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		if (!has_suffix(de->d_name, ".pg"))
			continue;
		names = cfs_xrealloc(names, (n + 1) * sizeof *names);
		names[n++] = cfs_xstrdup(de->d_name);
	}
	closedir(d);
	cfs_qsort(names, n, sizeof *names, cfs_strptrcmp);
	*count = n;
	return names;
}

/* ------------------------------------------------------------ per fixture */

static void test_ok_fixture(void **state)
{
	const struct fixture *fx = *state;
	struct cfs_schema s;
	char *err = NULL;
	size_t len = 0;
	char *src = slurp(fx->path, &len);

	if (!src) {
		print_error("%s: cannot read %s\n", fx->name, fx->path);
		fail();
	}
	memset(&s, 0, sizeof s);
	enum cfs_schema_status st = cfs_schema_load(src, len, &s, &err);
	free(src);
	if (st != CFS_SCHEMA_OK) {
		print_error("%s: expected CFS_SCHEMA_OK, got %s: %s\n", fx->name, status_name(st),
			    err ? err : "(no message)");
		free(err);
		fail();
	}
	free(err);
	cfs_schema_free(&s);
}

static void test_err_fixture(void **state)
{
	const struct fixture *fx = *state;
	enum cfs_schema_status want_st;
	bool prefix_only = false;

	if (strncmp(fx->name, "syntax_", 7) == 0) {
		want_st = CFS_SCHEMA_SYNTAX;
		prefix_only = true;
	} else if (strncmp(fx->name, "sem_", 4) == 0) {
		want_st = CFS_SCHEMA_SEMANTIC;
	} else if (strncmp(fx->name, "cat_", 4) == 0) {
		want_st = CFS_SCHEMA_CATALOG;
	} else {
		print_error("%s: file name must start with syntax_, sem_ or cat_\n", fx->name);
		fail();
		return;
	}

	size_t plen = strlen(fx->path);
	char *err_path = cfs_xasprintf("%.*s.err", (int)(plen - 3), fx->path);
	size_t len = 0, wlen = 0;
	char *want = slurp(err_path, &wlen);
	char *src = slurp(fx->path, &len);

	free(err_path);
	if (!want || !src) {
		print_error("%s: missing .pg or .err file\n", fx->name);
		free(want);
		free(src);
		fail();
	}
	if (wlen > 0 && want[wlen - 1] == '\n')
		want[--wlen] = '\0';

	struct cfs_schema s;
	char *err = NULL;

	memset(&s, 0, sizeof s);
	enum cfs_schema_status st = cfs_schema_load(src, len, &s, &err);
	free(src);

	bool ok = st == want_st && err != NULL;
	if (ok && prefix_only) {
		ok = strncmp(err, want, wlen) == 0;
		/* "--> 2:1" must not accept "--> 2:14" */
		if (ok && wlen > 0 && isdigit((unsigned char)want[wlen - 1]))
			ok = !isdigit((unsigned char)err[wlen]);
	} else if (ok) {
		ok = strcmp(err, want) == 0;
	}
	if (!ok) {
		print_error("%s:\n  expected %s, %s \"%s\"\n  actual   %s, \"%s\"\n", fx->name,
			    status_name(want_st), prefix_only ? "starting with" : "message", want,
			    status_name(st), err ? err : "(no message)");
	}
	if (st == CFS_SCHEMA_OK)
		cfs_schema_free(&s);
	free(err);
	free(want);
	if (!ok)
		fail();
}

/* ------------------------------------------------------------ lookups in known files */

static struct cfs_schema load_fixture(const char *rel)
{
	char *path = cfs_xasprintf("%s/schema/%s", fixtures_root(), rel);
	struct cfs_schema s;
	char *err = NULL;
	size_t len = 0;
	char *src = slurp(path, &len);

	memset(&s, 0, sizeof s);
	if (!src) {
		print_error("cannot read %s\n", path);
		free(path);
		fail();
	}
	free(path);
	enum cfs_schema_status st = cfs_schema_load(src, len, &s, &err);
	free(src);
	if (st != CFS_SCHEMA_OK) {
		print_error("%s: expected CFS_SCHEMA_OK, got %s: %s\n", rel, status_name(st),
			    err ? err : "(no message)");
		free(err);
		fail();
	}
	free(err);
	return s;
}

static void test_lookup_edges(void **state)
{
	struct cfs_schema s = load_fixture("ok/edges.pg");
	const struct cfs_type *e;

	(void)state;
	e = cfs_schema_edge(&s, "WorksAt");
	assert_non_null(e);
	assert_int_equal(e->kind, CFS_DECL_EDGE);
	assert_string_equal(e->name, "WorksAt");
	assert_ptr_equal(cfs_schema_edge(&s, "worksat"), e);
	assert_ptr_equal(cfs_schema_edge(&s, "WORKSAT"), e);
	assert_ptr_equal(cfs_schema_edge(&s, "wOrKsAt"), e);
	assert_string_equal(e->from, "Person");
	assert_string_equal(e->to, "Company");
	assert_non_null(cfs_type_prop(e, "since"));
	assert_true(cfs_type_prop(e, "since")->type.nullable);
	assert_int_equal(cfs_type_prop(e, "since")->type.scalar, CFS_SC_DATE);
	assert_non_null(cfs_type_prop(e, "role"));
	assert_null(cfs_type_prop(e, "name"));
	/* §4.1/§5.1.3: default cardinality 0.. */
	assert_int_equal(e->card_min, 0);
	assert_false(e->card_has_max);

	e = cfs_schema_edge(&s, "founded");
	assert_non_null(e);
	assert_string_equal(e->name, "Founded");
	assert_int_equal(e->card_min, 1);
	assert_true(e->card_has_max);
	assert_int_equal(e->card_max, 3);

	e = cfs_schema_edge(&s, "MANAGES");
	assert_non_null(e);
	assert_int_equal(e->card_min, 0);
	assert_false(e->card_has_max);

	e = cfs_schema_edge(&s, "tight");
	assert_non_null(e);
	assert_string_equal(e->from, "Person");
	assert_string_equal(e->to, "Company");
	assert_int_equal(e->card_min, 1);
	assert_true(e->card_has_max);
	assert_int_equal(e->card_max, 1);
	assert_int_equal(e->nprops, 0);

	/* separate namespaces: an edge is not a node and vice versa */
	assert_null(cfs_schema_node(&s, "Knows"));
	assert_null(cfs_schema_edge(&s, "Person"));
	assert_null(cfs_schema_edge(&s, "nope"));

	const struct cfs_type *p = cfs_schema_node(&s, "Person");
	assert_non_null(p);
	assert_int_equal(p->kind, CFS_DECL_NODE);
	const struct cfs_constraint *key = cfs_type_key(p);
	assert_non_null(key);
	assert_int_equal(key->kind, CFS_CONS_KEY);
	assert_int_equal(key->ncols, 1);
	assert_string_equal(key->cols[0], "name");
	cfs_schema_free(&s);
}

static void test_lookup_shared_names(void **state)
{
	struct cfs_schema s = load_fixture("ok/shared_names.pg");

	(void)state;
	const struct cfs_type *n = cfs_schema_node(&s, "Link");
	const struct cfs_type *e = cfs_schema_edge(&s, "Link");
	const struct cfs_type *i = cfs_schema_interface(&s, "Link");

	assert_non_null(n);
	assert_non_null(e);
	assert_non_null(i);
	assert_int_equal(n->kind, CFS_DECL_NODE);
	assert_int_equal(e->kind, CFS_DECL_EDGE);
	assert_int_equal(i->kind, CFS_DECL_INTERFACE);
	assert_ptr_equal(cfs_schema_edge(&s, "link"), e);
	/* node Link has its own b plus a injected from interface Link */
	assert_non_null(cfs_type_prop(n, "b"));
	assert_null(cfs_type_prop(n, "b")->injected_from);
	assert_non_null(cfs_type_prop(n, "a"));
	assert_non_null(cfs_type_prop(n, "a")->injected_from);
	assert_string_equal(cfs_type_prop(n, "a")->injected_from, "Link");
	assert_non_null(cfs_type_prop(e, "c"));
	assert_null(cfs_type_prop(e, "a"));
	assert_int_equal(s.ntypes, 3);
	cfs_schema_free(&s);
}

static void test_lookup_dup_property_keeps_last(void **state)
{
	struct cfs_schema s = load_fixture("ok/dup_property.pg");

	(void)state;
	const struct cfs_type *a = cfs_schema_node(&s, "A");
	assert_non_null(a);
	const struct cfs_prop *p = cfs_type_prop(a, "a");
	assert_non_null(p);
	assert_int_equal(p->type.scalar, CFS_SC_I32);
	assert_true(p->type.nullable);

	const struct cfs_type *e = cfs_schema_edge(&s, "e");
	assert_non_null(e);
	p = cfs_type_prop(e, "w");
	assert_non_null(p);
	assert_int_equal(p->type.scalar, CFS_SC_F64);
	cfs_schema_free(&s);
}

static void test_lookup_dup_interface_keeps_last(void **state)
{
	struct cfs_schema s = load_fixture("ok/dup_interface.pg");

	(void)state;
	const struct cfs_type *i = cfs_schema_interface(&s, "I");
	assert_non_null(i);
	assert_non_null(cfs_type_prop(i, "b"));
	assert_null(cfs_type_prop(i, "a"));
	cfs_schema_free(&s);
}

static void test_lookup_keywords_no_boundary(void **state)
{
	struct cfs_schema s = load_fixture("ok/keywords_no_boundary.pg");

	(void)state;
	assert_non_null(cfs_schema_node(&s, "P"));
	assert_non_null(cfs_schema_interface(&s, "Q"));
	const struct cfs_type *r = cfs_schema_node(&s, "R");
	assert_non_null(r);
	assert_int_equal(r->nimplements, 1);
	assert_string_equal(r->implements[0], "Q");
	assert_non_null(cfs_type_prop(r, "a"));
	assert_int_equal(cfs_type_prop(r, "a")->type.scalar, CFS_SC_STRING);
	assert_non_null(cfs_type_prop(r, "b"));
	assert_int_equal(cfs_type_prop(r, "b")->type.scalar, CFS_SC_I32);
	const struct cfs_type *e = cfs_schema_edge(&s, "E");
	assert_non_null(e);
	assert_string_equal(e->from, "P");
	assert_string_equal(e->to, "R");
	const struct cfs_type *n = cfs_schema_node(&s, "Node");
	assert_non_null(n);
	assert_int_equal(n->nprops, 2);
	assert_int_equal(cfs_type_prop(n, "x")->type.scalar, CFS_SC_I32);
	assert_int_equal(cfs_type_prop(n, "y")->type.scalar, CFS_SC_BOOL);
	cfs_schema_free(&s);
}

static void test_lookup_card_custom(void **state)
{
	struct cfs_schema s = load_fixture("ok/card_custom.pg");
	const struct cfs_annot *an;

	(void)state;
	/* @card(1) on a node: a custom annotation named card */
	const struct cfs_type *a = cfs_schema_node(&s, "A");
	assert_non_null(a);
	an = cfs_annot_find(a->annots, a->nannots, "card");
	assert_non_null(an);
	assert_non_null(an->value);
	assert_string_equal(an->value, "1");

	/* after another annotation: custom, cardinality stays default */
	const struct cfs_type *e = cfs_schema_edge(&s, "E");
	assert_non_null(e);
	assert_int_equal(e->card_min, 0);
	assert_false(e->card_has_max);
	an = cfs_annot_find(e->annots, e->nannots, "card");
	assert_non_null(an);
	assert_string_equal(an->value, "5");

	/* real @card then a custom one */
	const struct cfs_type *f = cfs_schema_edge(&s, "F");
	assert_non_null(f);
	assert_int_equal(f->card_min, 1);
	assert_true(f->card_has_max);
	assert_int_equal(f->card_max, 2);
	an = cfs_annot_find(f->annots, f->nannots, "card");
	assert_non_null(an);
	assert_string_equal(an->value, "7");

	/* bare @card and @card(3) right after the endpoints: custom */
	const struct cfs_type *g = cfs_schema_edge(&s, "G");
	assert_non_null(g);
	an = cfs_annot_find(g->annots, g->nannots, "card");
	assert_non_null(an);
	assert_null(an->value);
	assert_int_equal(g->card_min, 0);
	assert_false(g->card_has_max);
	const struct cfs_type *h = cfs_schema_edge(&s, "H");
	assert_non_null(h);
	an = cfs_annot_find(h->annots, h->nannots, "card");
	assert_non_null(an);
	assert_string_equal(an->value, "3");
	assert_int_equal(h->card_min, 0);
	assert_false(h->card_has_max);
	cfs_schema_free(&s);
}

static void test_lookup_card_limits(void **state)
{
	struct cfs_schema s = load_fixture("ok/card_limits.pg");

	(void)state;
	const struct cfs_type *e = cfs_schema_edge(&s, "Max");
	assert_non_null(e);
	assert_int_equal(e->card_min, UINT32_MAX);
	assert_true(e->card_has_max);
	assert_int_equal(e->card_max, UINT32_MAX);
	e = cfs_schema_edge(&s, "zero");
	assert_non_null(e);
	assert_int_equal(e->card_min, 0);
	assert_true(e->card_has_max);
	assert_int_equal(e->card_max, 0);
	e = cfs_schema_edge(&s, "OpenMax");
	assert_non_null(e);
	assert_int_equal(e->card_min, UINT32_MAX);
	assert_false(e->card_has_max);
	/* @card is not kept as an annotation when it is the cardinality */
	assert_null(cfs_annot_find(e->annots, e->nannots, "card"));
	cfs_schema_free(&s);
}

static void test_lookup_interfaces(void **state)
{
	struct cfs_schema s = load_fixture("ok/interfaces.pg");

	(void)state;
	const struct cfs_type *p = cfs_schema_node(&s, "Person");
	assert_non_null(p);
	assert_int_equal(p->nimplements, 2);
	/* age declared, then name+label from Named, then created from
	 * Timestamped (its name is already there with an equal type) */
	assert_int_equal(p->nprops, 4);
	assert_string_equal(p->props[0].name, "age");
	assert_null(p->props[0].injected_from);
	assert_string_equal(p->props[1].name, "name");
	assert_string_equal(p->props[1].injected_from, "Named");
	assert_string_equal(p->props[2].name, "label");
	assert_string_equal(p->props[2].injected_from, "Named");
	assert_string_equal(p->props[3].name, "created");
	assert_string_equal(p->props[3].injected_from, "Timestamped");

	const struct cfs_type *c = cfs_schema_node(&s, "Company");
	assert_non_null(c);
	assert_int_equal(c->nimplements, 2);
	assert_int_equal(c->nprops, 2);
	assert_null(cfs_type_prop(c, "name")->injected_from);
	assert_string_equal(cfs_type_prop(c, "label")->injected_from, "Named");

	const struct cfs_type *r = cfs_schema_node(&s, "Robot");
	assert_non_null(r);
	assert_int_equal(r->nimplements, 3);
	assert_int_equal(r->nprops, 3);
	assert_non_null(cfs_annot_find(r->annots, r->nannots, "description"));
	assert_null(cfs_schema_node(&s, "Named"));
	cfs_schema_free(&s);
}

/* ------------------------------------------------------------ driver */

static void add_fixtures(struct CMUnitTest **tests, size_t *n, struct fixture **fxs, size_t *nfx,
			 const char *dir, CMUnitTestFunction fn)
{
	size_t count = 0;
	char **names = list_pg(dir, &count);

	if (count == 0) {
		free(names);
		return;
	}
	*fxs = cfs_xrealloc(*fxs, (*nfx + count) * sizeof **fxs);
	*tests = cfs_xrealloc(*tests, (*n + count) * sizeof **tests);
	for (size_t i = 0; i < count; i++) {
		struct fixture *fx = &(*fxs)[*nfx + i];

		fx->name = names[i];
		fx->path = cfs_xasprintf("%s/%s", dir, names[i]);
	}
	/* pointers into *fxs are taken only once it stops moving: see main */
	for (size_t i = 0; i < count; i++) {
		struct CMUnitTest *t = &(*tests)[*n + i];

		memset(t, 0, sizeof *t);
		t->name = (*fxs)[*nfx + i].name;
		t->test_func = fn;
		t->initial_state = (void *)(uintptr_t)(*nfx + i);  /* index, fixed up in main */
	}
	*n += count;
	*nfx += count;
	free(names);
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_lookup_edges),
		cmocka_unit_test(test_lookup_shared_names),
		cmocka_unit_test(test_lookup_dup_property_keeps_last),
		cmocka_unit_test(test_lookup_dup_interface_keeps_last),
		cmocka_unit_test(test_lookup_keywords_no_boundary),
		cmocka_unit_test(test_lookup_card_custom),
		cmocka_unit_test(test_lookup_card_limits),
		cmocka_unit_test(test_lookup_interfaces),
	};
	size_t nfixed = sizeof fixed / sizeof fixed[0];
	char *ok_dir = cfs_xasprintf("%s/schema/ok", fixtures_root());
	char *err_dir = cfs_xasprintf("%s/schema/err", fixtures_root());
	struct CMUnitTest *tests = cfs_xcalloc(nfixed, sizeof *tests);
	struct fixture *fxs = NULL;
	size_t n = nfixed, nfx = 0, nok, nerr;
	int rc;

	memcpy(tests, fixed, sizeof fixed);
	add_fixtures(&tests, &n, &fxs, &nfx, ok_dir, test_ok_fixture);
	nok = nfx;
	add_fixtures(&tests, &n, &fxs, &nfx, err_dir, test_err_fixture);
	nerr = nfx - nok;
	for (size_t i = nfixed; i < n; i++)
		tests[i].initial_state = &fxs[(uintptr_t)tests[i].initial_state];

	if (nok < 30 || nerr < 200) {
		fprintf(stderr, "schema fixtures missing under %s/schema (ok: %zu, err: %zu)\n",
			fixtures_root(), nok, nerr);
		rc = 1;
	} else {
		rc = _cmocka_run_group_tests("schema_files", tests, n, NULL, NULL);
	}

	for (size_t i = 0; i < nfx; i++) {
		free(fxs[i].name);
		free(fxs[i].path);
	}
	free(fxs);
	free(tests);
	free(ok_dir);
	free(err_dir);
	return rc;
}
