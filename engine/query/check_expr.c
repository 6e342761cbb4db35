/*
 * query/check_expr: expression resolution (query-lang.md §7.6) — property
 * accesses, variables, aliases, aggregates and the search functions
 * (nearest, search, fuzzy, match_text, bm25, rrf) — into typed expressions,
 * and the source-like rendering used for derived column names.
 */
#include "engine/query/check_int.h"

#include <stdlib.h>
#include <string.h>

static void set_scalar(struct cfs_texpr *t, struct cfs_ptype p)
{
	t->type.kind = CFS_ET_SCALAR;
	t->type.scalar = p;
}

static int malformed(struct ck *c)
{
	return ck_fail(c, "malformed query");
}

/* Allocate n zeroed argument slots (so a partial expression stays freeable). */
static void alloc_args(struct cfs_texpr *t, size_t n)
{
	t->args = cfs_xcalloc(n, sizeof *t->args);
	t->nargs = n;
}

/* $v.p: T6a unbound, T6b/T6c unknown property, T24a Blob. */
static int expr_prop(struct ck *c, const struct cfs_qexpr *e, struct cfs_texpr *t)
{
	const struct ck_bind *b = ck_bound(c, e->var);
	const struct cfs_prop *p;

	t->kind = CFS_TE_PROP;
	t->var = cfs_xstrdup(e->var);
	t->prop = cfs_xstrdup(e->prop);
	if (!b)
		return ck_fail(c, "T6: variable `$%s` is not bound", e->var);
	p = cfs_type_prop(b->type, e->prop);
	if (!p && b->edge)
		return ck_fail(c, "T6: edge `%s` has no property `%s`", b->type->name, e->prop);
	if (!p)
		return ck_fail(c, "T6: type `%s` has no property `%s`", b->type->name, e->prop);
	if (p->type.scalar == CFS_SC_BLOB)
		return ck_fail(c, "T24: Blob property `$%s.%s` is not available as a .gq read value; "
			       "Blob values require a dedicated API", e->var, e->prop);
	t->owner = b->type;
	t->property = p;
	t->on_edge = b->edge;
	set_scalar(t, p->type);
	return 0;
}

/* $v: a parameter (shadowing bindings), a node binding, T23h edge, U4. */
static int expr_var(struct ck *c, const struct cfs_qexpr *e, struct cfs_texpr *t)
{
	const struct cfs_ptype *param = ck_param(c, e->var);
	const struct ck_bind *b;

	t->var = cfs_xstrdup(e->var);
	if (param) {
		t->kind = CFS_TE_PARAM;
		set_scalar(t, *param);
		return 0;
	}
	t->kind = CFS_TE_NODE;
	b = ck_bound(c, e->var);
	if (!b)
		return ck_fail(c, "variable `$%s` is not bound", e->var);
	if (b->edge)
		return ck_fail(c, "T23: edge binding `$%s` cannot be used bare; access one of its properties "
			       "(`$%s.{prop}`)", e->var, e->var);
	t->type.kind = CFS_ET_NODE;
	t->type.node = b->type;
	return 0;
}

/* A bare name: the latest recorded alias of that name, else aggregate. */
static int expr_alias(struct ck *c, const struct cfs_qexpr *e, struct cfs_texpr *t)
{
	t->kind = CFS_TE_ALIAS;
	t->var = cfs_xstrdup(e->alias);
	t->type.kind = CFS_ET_AGG;
	for (size_t i = c->nvisible; i-- > 0;) {
		const struct cfs_tproj *p = &c->out->projs[i];

		if (p->has_alias && !strcmp(p->column, e->alias)) {
			t->alias_known = true;
			t->alias_proj = i;
			t->type = p->expr.type;
			break;
		}
	}
	return 0;
}

/* T24b for a value of scalar Blob, naming what it is. */
int ck_blob_value(struct ck *c, const struct cfs_texpr *t)
{
	static const char tail[] = "is not available as a .gq read value; Blob values require a dedicated API";

	if (!ck_is_blob(&t->type))
		return 0;
	if (t->kind == CFS_TE_PARAM)
		return ck_fail(c, "T24: Blob parameter `$%s` %s", t->var, tail);
	if (t->kind == CFS_TE_ALIAS)
		return ck_fail(c, "T24: Blob alias `%s` %s", t->var, tail);
	return ck_fail(c, "T24: Blob expression %s", tail);
}

static const char *const AGG_NAMES[] = { "count", "sum", "avg", "min", "max" };

static int expr_agg(struct ck *c, const struct cfs_qexpr *e, struct cfs_texpr *t)
{
	const struct cfs_etype *x;

	t->kind = CFS_TE_AGG;
	t->agg = e->agg;
	t->type.kind = CFS_ET_AGG;
	if (e->nargs != 1 || (unsigned)e->agg > AGG_MAX)
		return malformed(c);
	alloc_args(t, 1);
	if (ck_expr(c, &e->args[0], &t->args[0]) || ck_blob_value(c, &t->args[0]))
		return -1;
	x = &t->args[0].type;
	if (x->kind != CFS_ET_SCALAR)
		return 0;
	if ((e->agg == AGG_SUM || e->agg == AGG_AVG) && (x->scalar.list || !ck_numeric(x->scalar.scalar)))
		return ck_fail(c, "T8: %s requires numeric type, got %s", AGG_NAMES[e->agg],
			       ck_edisp(c, x));
	if ((e->agg == AGG_MIN || e->agg == AGG_MAX) &&
	    (x->scalar.list || !(ck_numeric(x->scalar.scalar) || x->scalar.scalar == CFS_SC_STRING)))
		return ck_fail(c, "T8: %s requires numeric or string type, got %s", AGG_NAMES[e->agg],
			       ck_edisp(c, x));
	return 0;
}

/* nearest's query: a numeric vector literal, a Vector(d) or a String. */
static int nearest_query(struct ck *c, const struct cfs_qexpr *q, uint32_t dim, struct cfs_texpr *t)
{
	const struct cfs_etype *qt;

	if (q->kind == QE_LIT && ck_numeric_vector(&q->lit)) {
		t->kind = CFS_TE_LIT;
		ck_lit_copy(&t->lit, &q->lit);
		if (q->lit.nitems != dim)
			return ck_fail(c, "T15: nearest vector dimension mismatch: property is Vector(%u), "
				       "query literal has %zu elements", dim, q->lit.nitems);
		set_scalar(t, ck_ptype(CFS_SC_VECTOR));
		t->type.scalar.dim = dim;
		return 0;
	}
	if (ck_expr(c, q, t))
		return -1;
	qt = &t->type;
	if (qt->kind != CFS_ET_SCALAR)
		return ck_fail(c, "T15: nearest query must be a scalar expression");
	if (!qt->scalar.list && qt->scalar.scalar == CFS_SC_VECTOR) {
		if (qt->scalar.dim != dim)
			return ck_fail(c, "T15: nearest vector dimension mismatch: property is Vector(%u), "
				       "query is Vector(%u)", dim, qt->scalar.dim);
		return 0;
	}
	if (ck_is_string(&qt->scalar))
		return 0;
	return ck_fail(c, "T15: nearest query must be Vector(%u) or String, got %s", dim, ck_edisp(c, qt));
}

/* nearest($v.p, q): T23g, T15d-j; type F64. */
static int expr_nearest(struct ck *c, const struct cfs_qexpr *e, struct cfs_texpr *t)
{
	const struct cfs_qexpr *pa;
	const struct ck_bind *b;
	const struct cfs_prop *p;
	struct cfs_texpr *f;

	t->kind = CFS_TE_NEAREST;
	set_scalar(t, ck_ptype(CFS_SC_F64));
	if (e->nargs != 2 || e->args[0].kind != QE_PROP)
		return malformed(c);
	pa = &e->args[0];
	alloc_args(t, 2);
	f = &t->args[0];
	f->kind = CFS_TE_PROP;
	f->var = cfs_xstrdup(pa->var);
	f->prop = cfs_xstrdup(pa->prop);
	b = ck_bound(c, pa->var);
	if (b && b->edge)
		return ck_fail(c, "T23: nearest cannot target edge binding `$%s`; vector search runs on node "
			       "properties", pa->var);
	if (!b)
		return ck_fail(c, "T15: variable `$%s` is not bound", pa->var);
	p = cfs_type_prop(b->type, pa->prop);
	if (!p)
		return ck_fail(c, "T15: type `%s` has no property `%s`", b->type->name, pa->prop);
	if (p->type.scalar != CFS_SC_VECTOR || p->type.list)
		return ck_fail(c, "T15: nearest requires a Vector property, got %s.%s: %s", b->type->name,
			       pa->prop, ck_pdisp(c, &p->type));
	f->owner = b->type;
	f->property = p;
	set_scalar(f, p->type);
	return nearest_query(c, &e->args[1], p->type.dim, &t->args[1]);
}

/* One String argument of a text function: "field" or "query". */
static int text_arg(struct ck *c, const struct cfs_qexpr *e, struct cfs_texpr *t, int code,
		    const char *fn, const char *what)
{
	if (ck_expr(c, e, t))
		return -1;
	if (t->type.kind != CFS_ET_SCALAR)
		return ck_fail(c, "T%d: %s %s must be a scalar String expression", code, fn, what);
	if (!ck_is_string(&t->type.scalar))
		return ck_fail(c, "T%d: %s %s must be String, got %s", code, fn, what, ck_edisp(c, &t->type));
	return 0;
}

/* A non-list integer scalar (fuzzy's max_edits, rrf's k). */
static bool integer_scalar(const struct cfs_etype *t)
{
	return t->kind == CFS_ET_SCALAR && !t->scalar.list && ck_integer(t->scalar.scalar);
}

/* search/fuzzy (T19), match_text/bm25 (T20), with T23f first. */
static int expr_text(struct ck *c, const struct cfs_qexpr *e, struct cfs_texpr *t)
{
	static const struct { enum cfs_qexpr_kind q; enum cfs_texpr_kind t; const char *fn; int code; } F[] = {
		{ QE_SEARCH, CFS_TE_SEARCH, "search", 19 }, { QE_FUZZY, CFS_TE_FUZZY, "fuzzy", 19 },
		{ QE_MATCH_TEXT, CFS_TE_MATCH_TEXT, "match_text", 20 }, { QE_BM25, CFS_TE_BM25, "bm25", 20 },
	};
	size_t i = 0, nmax;
	const struct ck_bind *b;

	while (F[i].q != e->kind)
		i++;
	t->kind = F[i].t;
	set_scalar(t, ck_ptype(e->kind == QE_BM25 ? CFS_SC_F64 : CFS_SC_BOOL));
	nmax = e->kind == QE_FUZZY ? 3 : 2;
	if (e->nargs < 2 || e->nargs > nmax)
		return malformed(c);
	alloc_args(t, e->nargs);
	if (e->args[0].kind == QE_PROP && (b = ck_bound(c, e->args[0].var)) != NULL && b->edge)
		return ck_fail(c, "T23: %s cannot target edge property `$%s.%s`; text/rank search runs on node "
			       "properties \xe2\x80\x94 edge properties support comparison filters and projection",
			       F[i].fn, e->args[0].var, e->args[0].prop);
	if (text_arg(c, &e->args[0], &t->args[0], F[i].code, F[i].fn, "field") ||
	    text_arg(c, &e->args[1], &t->args[1], F[i].code, F[i].fn, "query"))
		return -1;
	if (e->nargs < 3)
		return 0;
	if (ck_expr(c, &e->args[2], &t->args[2]))
		return -1;
	if (t->args[2].type.kind != CFS_ET_SCALAR)
		return ck_fail(c, "T19: fuzzy max_edits must be an integer scalar expression");
	if (!integer_scalar(&t->args[2].type))
		return ck_fail(c, "T19: fuzzy max_edits must be an integer scalar, got %s",
			       ck_edisp(c, &t->args[2].type));
	return 0;
}

/* rrf(a, b [, k]): T21b-d; type F64. */
static int expr_rrf(struct ck *c, const struct cfs_qexpr *e, struct cfs_texpr *t)
{
	const struct cfs_qexpr *k;

	t->kind = CFS_TE_RRF;
	set_scalar(t, ck_ptype(CFS_SC_F64));
	if (e->nargs < 2 || e->nargs > 3)
		return malformed(c);
	alloc_args(t, e->nargs);
	if (ck_expr(c, &e->args[0], &t->args[0]) || ck_expr(c, &e->args[1], &t->args[1]))
		return -1;
	if (e->nargs < 3)
		return 0;
	k = &e->args[2];
	if (ck_expr(c, k, &t->args[2]))
		return -1;
	if (t->args[2].type.kind != CFS_ET_SCALAR)
		return ck_fail(c, "T21: rrf k must be an integer scalar expression");
	if (!integer_scalar(&t->args[2].type))
		return ck_fail(c, "T21: rrf k must be an integer scalar, got %s", ck_edisp(c, &t->args[2].type));
	if (k->kind == QE_LIT && k->lit.kind == QL_INT && k->lit.i <= 0)
		return ck_fail(c, "T21: rrf k must be greater than 0");
	return 0;
}

/* §7.6: resolve e into *t (zeroed here; freeable even after a failure). */
int ck_expr(struct ck *c, const struct cfs_qexpr *e, struct cfs_texpr *t)
{
	memset(t, 0, sizeof *t);
	switch (e->kind) {
	case QE_NOW:
		t->kind = CFS_TE_NOW;
		set_scalar(t, ck_ptype(CFS_SC_DATETIME));
		return 0;
	case QE_LIT:
		t->kind = CFS_TE_LIT;
		t->type.kind = CFS_ET_SCALAR;
		ck_lit_copy(&t->lit, &e->lit);
		return ck_lit_type(c, &e->lit, &t->type.scalar);
	case QE_PROP: return expr_prop(c, e, t);
	case QE_VAR: return expr_var(c, e, t);
	case QE_ALIAS: return expr_alias(c, e, t);
	case QE_AGG: return expr_agg(c, e, t);
	case QE_NEAREST: return expr_nearest(c, e, t);
	case QE_SEARCH: case QE_FUZZY: case QE_MATCH_TEXT: case QE_BM25: return expr_text(c, e, t);
	case QE_RRF: return expr_rrf(c, e, t);
	}
	return malformed(c);
}

void ck_texpr_free(struct cfs_texpr *e)
{
	ck_lit_free(&e->lit);
	free(e->var);
	free(e->prop);
	for (size_t i = 0; i < e->nargs; i++)
		ck_texpr_free(&e->args[i]);
	free(e->args);
	memset(e, 0, sizeof *e);
}

static const char *call_name(enum cfs_texpr_kind k, enum cfs_agg agg)
{
	switch (k) {
	case CFS_TE_AGG: return AGG_NAMES[agg];
	case CFS_TE_NEAREST: return "nearest";
	case CFS_TE_SEARCH: return "search";
	case CFS_TE_FUZZY: return "fuzzy";
	case CFS_TE_MATCH_TEXT: return "match_text";
	case CFS_TE_BM25: return "bm25";
	default: return "rrf";
	}
}

/* Source-like text of a typed expression, without `$` (column names). */
void ck_expr_text(const struct cfs_texpr *e, struct cfs_sb *sb)
{
	switch (e->kind) {
	case CFS_TE_NOW: cfs_sb_adds(sb, "now()"); return;
	case CFS_TE_LIT: ck_lit_text(&e->lit, sb); return;
	case CFS_TE_PARAM: case CFS_TE_NODE: case CFS_TE_ALIAS: cfs_sb_adds(sb, e->var); return;
	case CFS_TE_PROP: cfs_sb_addf(sb, "%s.%s", e->var, e->prop); return;
	default: break;
	}
	cfs_sb_addf(sb, "%s(", call_name(e->kind, e->agg));
	for (size_t i = 0; i < e->nargs; i++) {
		if (i)
			cfs_sb_adds(sb, ", ");
		ck_expr_text(&e->args[i], sb);
	}
	cfs_sb_addc(sb, ')');
}
