/*
 * query/check_match: the match clauses of a read query (query-lang.md
 * §7.2-§7.5) — bindings, traversals, filters and negations — checked in
 * order against the binding environment, each producing its typed clause.
 */
#include "engine/query/check_int.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ §7.2 bindings */

/* `p: $x` on a binding: parameters are checked (T7a-c), other names are not. */
static int match_var(struct ck *c, const struct cfs_prop *p, const char *var, struct cfs_tmatch *m)
{
	const struct cfs_ptype *A = ck_param(c, var);
	const struct cfs_ptype *P = &p->type;
	struct cfs_ptype elem = ck_element(P);

	m->value.name = cfs_xstrdup(var);
	m->membership = P->list;
	if (!A) {
		m->value.kind = CFS_TV_VAR;
		return 0;
	}
	m->value.kind = CFS_TV_PARAM;
	m->value.type = *A;
	if (P->list && A->list)
		return ck_fail(c, "T7: list equality is not supported for property `%s`; use a scalar parameter "
			       "for membership matching", p->name);
	if (P->list && !ck_compat(A, &elem))
		return ck_fail(c, "T7: cannot compare %s membership against %s for property `%s`",
			       ck_pdisp(c, A), ck_pdisp(c, P), p->name);
	if (!P->list && !ck_compat(A, P))
		return ck_fail(c, "T7: cannot assign/compare %s with %s for property `%s`", ck_pdisp(c, A),
			       ck_pdisp(c, P), p->name);
	return 0;
}

/* A literal against a list property: a scalar element (membership). */
static int match_member_lit(struct ck *c, const struct cfs_prop *p, const struct cfs_qlit *lit,
			    struct cfs_tmatch *m)
{
	struct cfs_ptype lt, elem = ck_element(&p->type);

	m->membership = true;
	m->value.kind = CFS_TV_LIT;
	ck_lit_copy(&m->value.lit, lit);
	if (ck_lit_type(c, lit, &lt))
		return -1;
	m->value.type = lt;
	if (lt.list)
		return ck_fail(c, "T3: list equality is not supported for property `%s`; use a scalar value to "
			       "match list membership", p->name);
	if (!ck_compat(&elem, &lt))
		return ck_fail(c, "T3: property `%s` has type %s but membership match got %s", p->name,
			       ck_pdisp(c, &p->type), ck_pdisp(c, &lt));
	return 0;
}

static int match_prop(struct ck *c, const struct cfs_type *t, const struct cfs_qpropmatch *pm,
		      struct cfs_tmatch *m)
{
	const struct cfs_prop *p = cfs_type_prop(t, pm->prop);

	if (!p)
		return ck_fail(c, "T2: type `%s` has no property `%s`", t->name, pm->prop);
	m->prop = p;
	if (p->type.scalar == CFS_SC_BLOB)
		return ck_fail(c, "T3: blob property `%s.%s` cannot be used in match patterns", t->name, p->name);
	switch (pm->value.kind) {
	case QV_LIT:
		if (p->type.list)
			return match_member_lit(c, p, &pm->value.lit, m);
		return ck_lit_check(c, &pm->value.lit, &p->type, p->name, &m->value);
	case QV_VAR:
		return match_var(c, p, pm->value.var, m);
	case QV_NOW:
		m->value.kind = CFS_TV_NOW;
		m->value.type = ck_ptype(CFS_SC_DATETIME);
		if (p->type.list || p->type.scalar != CFS_SC_DATETIME)
			return ck_fail(c, "T7: cannot assign/compare DateTime with %s for property `%s`",
				       ck_pdisp(c, &p->type), p->name);
		return 0;
	}
	return ck_fail(c, "malformed query");
}

static int clause_binding(struct ck *c, const struct cfs_qclause *q, struct cfs_tbinding *b)
{
	const struct cfs_type *t = cfs_schema_node(c->cat, q->type);
	const struct ck_bind *old;

	b->var = cfs_xstrdup(q->var);
	if (!t)
		return ck_fail(c, "T1: unknown node type `%s`", q->type);
	b->type = t;
	if (q->nprops) {
		b->matches = cfs_xcalloc(q->nprops, sizeof *b->matches);
		b->nmatches = q->nprops;
	}
	for (size_t i = 0; i < q->nprops; i++)
		if (match_prop(c, t, &q->props[i], &b->matches[i]))
			return -1;
	old = ck_bound(c, q->var);
	if (old && old->edge)
		return ck_fail(c, "T23: variable `$%s` is bound to edge type `%s` and cannot be rebound as node "
			       "type `%s`", q->var, old->type->name, t->name);
	if (old && old->type != t)
		return ck_fail(c, "variable `$%s` already bound to type `%s`, cannot rebind to `%s`", q->var,
			       old->type->name, t->name);
	if (!old)
		ck_bind(c, q->var, false, t);
	return 0;
}

/* ------------------------------------------------------------ §7.3 traversals */

/* "Bind x as X" (§7.3.6). */
static int bind_as(struct ck *c, const char *x, const struct cfs_type *X, const struct cfs_type *e)
{
	const struct ck_bind *b;

	if (!strcmp(x, "_"))
		return 0;
	b = ck_bound(c, x);
	if (!b) {
		ck_bind(c, x, false, X);
		return 0;
	}
	if (b->edge)
		return ck_fail(c, "T23: edge binding `$%s` cannot be used as a traversal endpoint; traversal "
			       "endpoints must be node bindings", x);
	if (b->type != X)
		return ck_fail(c, "T5: variable `$%s` has type `%s` but edge `%s` expects `%s`", x,
			       b->type->name, e->name, X->name);
	return 0;
}

/*
 * Direction from whichever endpoint is bound (source first); `at` is that
 * endpoint, `other` the one to bind.  at_is_src tells which side `at` is.
 */
static int orient(struct ck *c, struct cfs_ttraversal *tr, const char *at, const char *other,
		  bool at_is_src)
{
	const struct ck_bind *b = ck_bound(c, at);
	const struct cfs_type *e = tr->edge;
	const struct cfs_type *from = cfs_schema_node(c->cat, e->from);
	const struct cfs_type *to = cfs_schema_node(c->cat, e->to);
	const struct cfs_type *near = at_is_src ? from : to, *far = at_is_src ? to : from;

	if (b->edge)
		return ck_fail(c, "T23: edge binding `$%s` cannot be used as a traversal endpoint; traversal "
			       "endpoints must be node bindings", at);
	if (b->type == near) {
		tr->dir = CFS_DIR_OUT;
		return bind_as(c, other, far, e);
	}
	if (b->type == far) {
		tr->dir = CFS_DIR_IN;
		return bind_as(c, other, near, e);
	}
	return ck_fail(c, "T5: variable `$%s` has type `%s`, which is not an endpoint of edge `%s: %s -> %s`",
		       at, b->type->name, e->name, e->from, e->to);
}

static int endpoints(struct ck *c, const struct cfs_qclause *q, struct cfs_ttraversal *tr)
{
	const struct cfs_type *from = cfs_schema_node(c->cat, tr->edge->from);
	const struct cfs_type *to = cfs_schema_node(c->cat, tr->edge->to);

	if (ck_bound(c, q->src)) {
		if (orient(c, tr, q->src, q->dst, true))
			return -1;
	} else if (ck_bound(c, q->dst)) {
		if (orient(c, tr, q->dst, q->src, false))
			return -1;
	} else {
		tr->dir = CFS_DIR_OUT;
		if (bind_as(c, q->src, from, tr->edge) || bind_as(c, q->dst, to, tr->edge))
			return -1;
	}
	if (q->undirected)
		tr->dir = CFS_DIR_BOTH;
	tr->src_type = tr->dir == CFS_DIR_IN ? to : from;
	tr->dst_type = tr->dir == CFS_DIR_IN ? from : to;
	return 0;
}

static int clause_traversal(struct ck *c, const struct cfs_qclause *q, struct cfs_ttraversal *tr)
{
	const struct cfs_type *e = cfs_schema_edge(c->cat, q->edge);

	tr->src = cfs_xstrdup(q->src);
	tr->dst = cfs_xstrdup(q->dst);
	tr->min = q->min;
	tr->max = q->max;
	if (!e)
		return ck_fail(c, "T4: unknown edge type `%s`", q->edge);
	tr->edge = e;
	if (q->min == 0)
		return ck_fail(c, "T15: traversal min hop bound must be >= 1");
	if (!q->has_max)
		return ck_fail(c, "T15: unbounded traversal is disabled; use bounded traversal {min,max}");
	if (q->max < q->min)
		return ck_fail(c, "T15: invalid traversal bounds {%u,%u}; max must be >= min", (unsigned)q->min,
			       (unsigned)q->max);
	if (q->undirected && strcmp(e->from, e->to))
		return ck_fail(c, "T22: undirected traversal `<%s>` requires a same-endpoint-type edge, but "
			       "`%s: %s -> %s` is asymmetric; use the directional form", e->name, e->name,
			       e->from, e->to);
	if (q->edge_var && (q->min != 1 || q->max != 1))
		return ck_fail(c, "T23: edge binding `$%s` cannot be combined with traversal bounds; a multi-hop "
			       "traversal matches a path of edges, not one edge", q->edge_var);
	if (q->edge_var && strcmp(q->edge_var, "_")) {
		if (!strcmp(q->edge_var, q->src) || !strcmp(q->edge_var, q->dst))
			return ck_fail(c, "T23: edge binding `$%s` cannot reuse a traversal endpoint name; edge "
				       "bindings and node endpoints need distinct names", q->edge_var);
		if (ck_bound(c, q->edge_var))
			return ck_fail(c, "T23: variable `$%s` is already bound; an edge binding needs a fresh "
				       "name", q->edge_var);
		ck_bind(c, q->edge_var, true, e);
		tr->edge_var = cfs_xstrdup(q->edge_var);
	}
	return endpoints(c, q, tr);
}

/* ------------------------------------------------------------ §7.4 filters */

static int filter_contains(struct ck *c, const struct cfs_etype *L, const struct cfs_etype *R)
{
	const struct cfs_ptype *l = &L->scalar, *r = &R->scalar;
	struct cfs_ptype elem = ck_element(l);

	if (ck_is_string(l)) {
		if (!ck_is_string(r))
			return ck_fail(c, "T7: string contains requires a String right operand, got %s",
				       ck_edisp(c, R));
		return 0;
	}
	if (!l->list)
		return ck_fail(c, "T7: contains requires a list property (membership) or a String property "
			       "(substring) on the left, got %s", ck_edisp(c, L));
	if (r->list)
		return ck_fail(c, "T7: contains requires a scalar right operand");
	if (l->scalar == CFS_SC_VECTOR || r->scalar == CFS_SC_VECTOR)
		return ck_fail(c, "T7: vector membership filters are not supported");
	if (!ck_compat(r, &elem))
		return ck_fail(c, "T7: cannot test membership of %s in %s", ck_edisp(c, R), ck_edisp(c, L));
	return 0;
}

static int filter_types(struct ck *c, enum cfs_qop op, const struct cfs_etype *L, const struct cfs_etype *R)
{
	const struct cfs_ptype *l = &L->scalar, *r = &R->scalar;

	if (L->kind != CFS_ET_SCALAR || R->kind != CFS_ET_SCALAR)
		return ck_fail(c, "T7: filter comparisons require scalar operands, got %s and %s", ck_edisp(c, L),
			       ck_edisp(c, R));
	if (l->scalar == CFS_SC_BLOB || r->scalar == CFS_SC_BLOB)
		return ck_fail(c, "T7: blob comparisons in filters are not supported");
	if (op == QOP_CONTAINS)
		return filter_contains(c, L, R);
	if (op == QOP_STARTS_WITH) {
		if (!ck_is_string(l))
			return ck_fail(c, "T7: starts_with requires a String property on the left, got %s",
				       ck_edisp(c, L));
		if (!ck_is_string(r))
			return ck_fail(c, "T7: starts_with requires a String right operand, got %s", ck_edisp(c, R));
		return 0;
	}
	if (l->list || r->list)
		return ck_fail(c, "T7: list comparisons in filters are not supported; use `contains` for list "
			       "membership");
	if (l->scalar == CFS_SC_VECTOR || r->scalar == CFS_SC_VECTOR)
		return ck_fail(c, "T7: vector comparisons in filters are not supported");
	if (!ck_compat(l, r))
		return ck_fail(c, "T7: cannot compare %s with %s", ck_edisp(c, L), ck_edisp(c, R));
	return 0;
}

static int clause_filter(struct ck *c, const struct cfs_qclause *q, struct cfs_tfilter *f)
{
	f->op = q->op;
	f->is_call = q->is_call;
	if (ck_expr(c, &q->left, &f->left) || ck_expr(c, &q->right, &f->right))
		return -1;
	return filter_types(c, q->op, &f->left.type, &f->right.type);
}

/* ------------------------------------------------------------ §7.5 negation */

/* Whether e mentions a name bound among the first `outer` bindings. */
static bool mentions(const struct ck *c, const struct cfs_qexpr *e, size_t outer)
{
	switch (e->kind) {
	case QE_PROP: case QE_VAR:
		return ck_bound_upto(c, e->var, outer) != NULL;
	case QE_AGG: case QE_NEAREST: case QE_SEARCH: case QE_FUZZY: case QE_MATCH_TEXT: case QE_BM25:
	case QE_RRF:
		for (size_t i = 0; i < e->nargs; i++)
			if (mentions(c, &e->args[i], outer))
				return true;
		return false;
	default:
		return false;
	}
}

static bool touches(const struct ck *c, const struct cfs_qclause *q, size_t outer)
{
	switch (q->kind) {
	case QC_BINDING:
		return ck_bound_upto(c, q->var, outer) != NULL;
	case QC_TRAVERSAL:
		return ck_bound_upto(c, q->src, outer) || ck_bound_upto(c, q->dst, outer);
	case QC_FILTER:
		return mentions(c, &q->left, outer) || mentions(c, &q->right, outer);
	case QC_NOT:
		return false;
	}
	return false;
}

static int clause_not(struct ck *c, const struct cfs_qclause *q, struct cfs_tclause *t)
{
	size_t outer = c->nbinds;
	bool touched = false;

	if (ck_clauses(c, q->inner, q->ninner, &t->inner, &t->ninner))
		return -1;
	c->nbinds = outer;      /* names bound inside are discarded */
	for (size_t i = 0; i < q->ninner && !touched; i++)
		touched = touches(c, &q->inner[i], outer);
	if (!touched)
		return ck_fail(c, "T9: negation block must reference at least one outer-bound variable");
	return 0;
}

/* ------------------------------------------------------------ clause lists */

int ck_clauses(struct ck *c, const struct cfs_qclause *cl, size_t n, struct cfs_tclause **out,
	       size_t *nout)
{
	int rc = 0;

	*out = n ? cfs_xcalloc(n, sizeof **out) : NULL;
	*nout = n;
	for (size_t i = 0; i < n && !rc; i++) {
		struct cfs_tclause *t = &(*out)[i];

		switch (cl[i].kind) {
		case QC_BINDING:
			t->kind = CFS_TC_BINDING;
			rc = clause_binding(c, &cl[i], &t->binding);
			break;
		case QC_TRAVERSAL:
			t->kind = CFS_TC_TRAVERSAL;
			rc = clause_traversal(c, &cl[i], &t->trav);
			break;
		case QC_FILTER:
			t->kind = CFS_TC_FILTER;
			rc = clause_filter(c, &cl[i], &t->filter);
			break;
		case QC_NOT:
			t->kind = CFS_TC_NOT;
			rc = clause_not(c, &cl[i], t);
			break;
		default:
			rc = ck_fail(c, "malformed query");
		}
	}
	return rc;
}

void ck_clauses_free(struct cfs_tclause *cl, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct cfs_tclause *t = &cl[i];

		free(t->binding.var);
		for (size_t j = 0; j < t->binding.nmatches; j++)
			ck_value_free(&t->binding.matches[j].value);
		free(t->binding.matches);
		free(t->trav.src);
		free(t->trav.dst);
		free(t->trav.edge_var);
		ck_texpr_free(&t->filter.left);
		ck_texpr_free(&t->filter.right);
		ck_clauses_free(t->inner, t->ninner);
	}
	free(cl);
}
