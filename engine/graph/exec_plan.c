/*
 * graph/exec_plan: compiles a typed read query into the executor's plan
 * (exec_int.h).  Variables become slots (a `not { }` block gets fresh slots
 * for the names it binds itself, so they never alias an outer variable of
 * the same name bound later), constants become JSON once, and each clause
 * list is scheduled (see schedule()).
 *
 * Values: a parameter absent from params is null; a binding value `$x`
 * that names no declared parameter (accepted unchecked, query-lang.md
 * §10.2) takes params["x"] when the caller passes it, else null.  A binding
 * matching anything against null matches no row.  Key lookups need a
 * one-column @key (the id is cfs_node_id_for_key of the value); a
 * composite key is matched by scanning.  rrf is computed only as a
 * top-level return or order expression of a non-aggregate query.
 */
#include "engine/graph/exec_int.h"
#include "core/json.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct scope {                          /* visible variable names -> slots */
	const char **names;
	int *slots;
	size_t n, cap;
};

struct pctx {
	struct cfs_snapshot *s;
	const json_t *params;
	json_t *now;
	int nslots;
	char *err;
};

static int pfail(struct pctx *pc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int pfail(struct pctx *pc, const char *fmt, ...)
{
	struct cfs_sb sb = CFS_SB_INIT;
	va_list ap;

	if (pc->err)
		return -1;
	va_start(ap, fmt);
	cfs_sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	pc->err = cfs_sb_detach(&sb);
	return -1;
}

static void scope_copy(struct scope *dst, const struct scope *src)
{
	dst->n = dst->cap = src->n;
	dst->names = cfs_xcalloc(src->n + 1, sizeof *dst->names);
	dst->slots = cfs_xcalloc(src->n + 1, sizeof *dst->slots);
	memcpy(dst->names, src->names, src->n * sizeof *src->names);
	memcpy(dst->slots, src->slots, src->n * sizeof *src->slots);
}

static void scope_free(struct scope *sc)
{
	free(sc->names);
	free(sc->slots);
}

/* The slot of name; with create, a new slot when not visible.  `_` is
 * anonymous: -1, never bound. */
static int slot_of(struct pctx *pc, struct scope *sc, const char *name, bool create)
{
	if (!name || !strcmp(name, "_"))
		return -1;
	for (size_t i = sc->n; i-- > 0;)
		if (!strcmp(sc->names[i], name))
			return sc->slots[i];
	if (!create)
		return -1;
	if (sc->n == sc->cap) {
		sc->cap = sc->cap ? 2 * sc->cap : 8;
		sc->names = cfs_xrealloc(sc->names, sc->cap * sizeof *sc->names);
		sc->slots = cfs_xrealloc(sc->slots, sc->cap * sizeof *sc->slots);
	}
	sc->names[sc->n] = name;
	sc->slots[sc->n++] = pc->nslots;
	return pc->nslots++;
}

static bool scope_has(const struct scope *sc, const char *name)
{
	for (size_t i = 0; i < sc->n; i++)
		if (!strcmp(sc->names[i], name))
			return true;
	return false;
}

static json_t *lit_json(const struct cfs_qlit *l)
{
	json_t *a;

	switch (l->kind) {
	case QL_INT:
		return json_integer(l->i);
	case QL_FLOAT:
		return json_real(l->f);
	case QL_BOOL:
		return json_boolean(l->b);
	case QL_LIST:
		a = json_array();
		for (size_t i = 0; i < l->nitems; i++)
			json_array_append_new(a, lit_json(&l->items[i]));
		return a;
	case QL_STRING: case QL_DATE: case QL_DATETIME:
		break;
	}
	return cfs_json_text(l->str ? l->str : "");
}

/* A parameter's value (new reference); absent or JSON null -> NULL. */
static json_t *param_json(const struct pctx *pc, const char *name)
{
	json_t *v = pc->params ? json_object_get(pc->params, name) : NULL;

	return json_is_null(v) ? NULL : json_incref(v);
}

static json_t *value_json(const struct pctx *pc, const struct cfs_tvalue *v)
{
	switch (v->kind) {
	case CFS_TV_LIT:
		return lit_json(&v->lit);
	case CFS_TV_PARAM: case CFS_TV_VAR:
		return param_json(pc, v->name);
	case CFS_TV_NOW:
		return json_incref(pc->now);
	}
	return NULL;
}

static void add_use(struct xclause *x, int slot)
{
	if (slot < 0)
		return;
	for (size_t i = 0; i < x->nuses; i++)
		if (x->uses[i] == slot)
			return;
	x->uses = cfs_xrealloc(x->uses, (x->nuses + 1) * sizeof *x->uses);
	x->uses[x->nuses++] = slot;
}

static void expr_uses(struct xclause *x, const struct xexpr *e)
{
	if (e->kind == CFS_TE_NODE || e->kind == CFS_TE_PROP)
		add_use(x, e->slot);
	for (size_t i = 0; i < e->nargs; i++)
		expr_uses(x, &e->args[i]);
}

/* Compile e against the visible names.  rrf is only allowed where the
 * result code computes it (a top-level column): allow_rrf. */
static int expr_compile(struct pctx *pc, struct scope *sc, const struct cfs_texpr *t, struct xexpr *e,
			bool allow_rrf)
{
	memset(e, 0, sizeof *e);
	e->kind = t->kind;
	e->slot = -1;
	e->col = -1;
	switch (t->kind) {
	case CFS_TE_NOW:
		e->value = json_incref(pc->now);
		break;
	case CFS_TE_LIT:
		e->value = lit_json(&t->lit);
		break;
	case CFS_TE_PARAM:
		e->value = param_json(pc, t->var);
		break;
	case CFS_TE_NODE: case CFS_TE_PROP:
		e->slot = slot_of(pc, sc, t->var, false);
		e->prop = t->prop;
		e->node = t->kind == CFS_TE_NODE ? t->type.node : t->owner;
		break;
	case CFS_TE_ALIAS:
		e->col = t->alias_known ? (long)t->alias_proj : -1;
		break;
	case CFS_TE_RRF:
		if (!allow_rrf)
			return pfail(pc, "rrf is only supported as a return or order expression");
		break;
	default:
		break;
	}
	e->agg = t->agg;
	if (t->nargs)
		e->args = cfs_xcalloc(t->nargs, sizeof *e->args);
	e->nargs = t->nargs;
	for (size_t i = 0; i < t->nargs; i++)
		if (expr_compile(pc, sc, &t->args[i], &e->args[i], false))
			return -1;
	return 0;
}

static void xexpr_free(struct xexpr *e)
{
	json_decref(e->value);
	for (size_t i = 0; i < e->nargs; i++)
		xexpr_free(&e->args[i]);
	free(e->args);
	memset(e, 0, sizeof *e);
}

/* The node id a binding's matches pin down through a one-column @key. */
static void binding_key(struct xclause *x, const struct cfs_tbinding *b)
{
	const struct cfs_constraint *k = cfs_type_key(b->type);

	for (size_t i = 0; i < x->nm; i++)
		if (!x->m[i].value)
			x->never = true;
	if (!k || k->ncols != 1)
		return;
	for (size_t i = 0; i < x->nm; i++)
		if (!x->m[i].membership && x->m[i].value && !strcmp(x->m[i].prop, k->cols[0])) {
			x->key_id = cfs_node_id_for_key(x->m[i].value);
			return;
		}
}

static int binding_compile(struct pctx *pc, struct scope *sc, const struct cfs_tbinding *b,
			   struct xclause *x)
{
	if (scope_has(sc, b->var))
		add_use(x, slot_of(pc, sc, b->var, false));
	x->slot = slot_of(pc, sc, b->var, true);
	x->table = cfs_snapshot_table(pc->s, b->type);
	if (!x->table)
		return pfail(pc, "no table for node type `%s`", b->type->name);
	if (b->nmatches)
		x->m = cfs_xcalloc(b->nmatches, sizeof *x->m);
	x->nm = b->nmatches;
	for (size_t i = 0; i < b->nmatches; i++) {
		x->m[i].prop = b->matches[i].prop->name;
		x->m[i].membership = b->matches[i].membership;
		x->m[i].value = value_json(pc, &b->matches[i].value);
	}
	binding_key(x, b);
	return 0;
}

static int trav_compile(struct pctx *pc, struct scope *sc, const struct cfs_ttraversal *t, struct xclause *x)
{
	x->src = slot_of(pc, sc, t->src, true);
	x->dst = slot_of(pc, sc, t->dst, true);
	x->eslot = slot_of(pc, sc, t->edge_var, true);
	x->etab = cfs_snapshot_table(pc->s, t->edge);
	x->stab = cfs_snapshot_table(pc->s, t->src_type);
	x->dtab = cfs_snapshot_table(pc->s, t->dst_type);
	if (!x->etab || !x->stab || !x->dtab)
		return pfail(pc, "no table for edge `%s` or its endpoints", t->edge->name);
	x->dir = t->dir;
	x->min = t->min;
	x->max = t->max;
	return 0;
}

static int plan_compile(struct pctx *pc, struct scope *sc, const struct cfs_tclause *v, size_t n,
			struct xplan *p);

static int not_compile(struct pctx *pc, struct scope *sc, const struct cfs_tclause *c, struct xclause *x)
{
	struct scope inner;
	int base = pc->nslots, rc;

	scope_copy(&inner, sc);
	x->inner = cfs_xcalloc(1, sizeof *x->inner);
	rc = plan_compile(pc, &inner, c->inner, c->ninner, x->inner);
	scope_free(&inner);
	for (size_t i = 0; i < x->inner->n; i++)
		for (size_t j = 0; j < x->inner->v[i].nuses; j++)
			if (x->inner->v[i].uses[j] < base)
				add_use(x, x->inner->v[i].uses[j]);
	return rc;
}

static int clause_compile(struct pctx *pc, struct scope *sc, const struct cfs_tclause *c, struct xclause *x)
{
	x->kind = c->kind;
	x->slot = x->src = x->dst = x->eslot = -1;
	switch (c->kind) {
	case CFS_TC_BINDING:
		return binding_compile(pc, sc, &c->binding, x);
	case CFS_TC_TRAVERSAL:
		if (trav_compile(pc, sc, &c->trav, x))
			return -1;
		add_use(x, x->src);
		add_use(x, x->dst);
		return 0;
	case CFS_TC_FILTER:
		x->op = c->filter.op;
		if (expr_compile(pc, sc, &c->filter.left, &x->left, false) ||
		    expr_compile(pc, sc, &c->filter.right, &x->right, false))
			return -1;
		expr_uses(x, &x->left);
		expr_uses(x, &x->right);
		return 0;
	case CFS_TC_NOT:
		return not_compile(pc, sc, c, x);
	}
	return pfail(pc, "malformed clause");
}

/*
 * Scheduling.  The steps of a clause list run in this order:
 *  1. bindings fully determined by their @key (at most one row each, so
 *     hoisting them keeps the order of everything else), in source order;
 *  2. the remaining generators (scans, traversals) in source order, except
 *     a scan of a variable that the next traversal touching it can reach
 *     from an already bound node: that binding waits and becomes a check
 *     (this turns `$a: A  $b: B  $a e $b` into a scan plus an expansion
 *     instead of a cross product).  A traversal with neither endpoint
 *     bound is split into a scan of its source and the expansion;
 *  3. filters, negations and checks of bound variables right after the
 *     step that binds the last slot they read, in source order (so a
 *     filter on a traversal's source runs before its edges are walked).
 * The result is the same set of rows; without `order`, row order is the
 * order of this nested evaluation.
 */
static bool ready(const struct xclause *x, const bool *bound)
{
	if (x->kind == CFS_TC_TRAVERSAL)
		return false;
	if (x->kind == CFS_TC_BINDING)
		return x->slot >= 0 && bound[x->slot];
	for (size_t i = 0; i < x->nuses; i++)
		if (!bound[x->uses[i]])
			return false;
	return true;
}

static bool deferrable(const struct xplan *p, size_t i, const bool *done, const bool *bound)
{
	int v = p->v[i].slot;

	if (v < 0)
		return false;
	for (size_t j = i + 1; j < p->n; j++) {
		const struct xclause *t = &p->v[j];
		if (done[j] || t->kind != CFS_TC_TRAVERSAL || (t->src != v && t->dst != v))
			continue;
		int other = t->src == v ? t->dst : t->src;
		return other >= 0 && other != v && bound[other];
	}
	return false;
}

struct sched {
	const struct xplan *p;
	bool *bound, *done;
	size_t *order, n;               /* >= p->n: extra[i - p->n] */
	struct xclause *extra;          /* scans split off traversals */
	size_t nextra, nslots;
};

static void schedule(struct xplan *p, bool *bound, size_t nslots);

static void emit(struct sched *sc, size_t i)
{
	const struct xclause *x = &sc->p->v[i];

	sc->done[i] = true;
	sc->order[sc->n++] = i;
	if (x->kind == CFS_TC_BINDING && x->slot >= 0)
		sc->bound[x->slot] = true;
	if (x->kind == CFS_TC_TRAVERSAL) {
		int s[3] = { x->src, x->dst, x->eslot };
		for (int k = 0; k < 3; k++)
			if (s[k] >= 0)
				sc->bound[s[k]] = true;
	}
	if (x->kind == CFS_TC_NOT) {
		bool *copy = cfs_xcalloc(sc->nslots + 1, sizeof *copy);
		memcpy(copy, sc->bound, sc->nslots * sizeof *copy);
		schedule(x->inner, copy, sc->nslots);
		free(copy);
	}
}

/* A traversal with no bound endpoint scans its source first: as a step of
 * its own, so checks and filters of the source run before the expansion. */
static void emit_source_scan(struct sched *sc, const struct xclause *t)
{
	struct xclause *x = &sc->extra[sc->nextra];

	memset(x, 0, sizeof *x);
	x->kind = CFS_TC_BINDING;
	x->slot = t->src;
	x->src = x->dst = x->eslot = -1;
	x->table = t->stab;
	sc->order[sc->n++] = sc->p->n + sc->nextra++;
	sc->bound[t->src] = true;
}

static void flush(struct sched *sc)
{
	for (size_t i = 0; i < sc->p->n; i++)
		if (!sc->done[i] && ready(&sc->p->v[i], sc->bound))
			emit(sc, i);
}

/* Emit the generator i (deferring a scan that a traversal will replace). */
static void place_generator(struct sched *sc, size_t i)
{
	const struct xclause *x = &sc->p->v[i];

	if (x->kind == CFS_TC_BINDING && deferrable(sc->p, i, sc->done, sc->bound))
		return;
	if (x->kind == CFS_TC_TRAVERSAL && x->src >= 0 && !sc->bound[x->src] &&
	    (x->dst < 0 || !sc->bound[x->dst])) {
		emit_source_scan(sc, x);
		flush(sc);
	}
	emit(sc, i);
	flush(sc);
}

static void schedule(struct xplan *p, bool *bound, size_t nslots)
{
	struct sched sc = { p, bound, cfs_xcalloc(p->n + 1, sizeof(bool)),
			    cfs_xcalloc(2 * p->n + 1, sizeof(size_t)), 0,
			    cfs_xcalloc(p->n + 1, sizeof(struct xclause)), 0, nslots };
	struct xclause *v;

	for (size_t i = 0; i < p->n; i++) {
		const struct xclause *x = &p->v[i];
		if (x->kind == CFS_TC_BINDING && (x->key_id || x->never) && x->slot >= 0 && !bound[x->slot])
			emit(&sc, i);
	}
	flush(&sc);
	for (size_t i = 0; i < p->n; i++)
		if (!sc.done[i] && p->v[i].kind != CFS_TC_FILTER && p->v[i].kind != CFS_TC_NOT)
			place_generator(&sc, i);
	for (size_t i = 0; i < p->n; i++)      /* unreachable for checked queries */
		if (!sc.done[i])
			emit(&sc, i);
	v = cfs_xcalloc(sc.n + 1, sizeof *v);
	for (size_t i = 0; i < sc.n; i++)
		v[i] = sc.order[i] < p->n ? p->v[sc.order[i]] : sc.extra[sc.order[i] - p->n];
	free(p->v);
	p->v = v;
	p->n = sc.n;
	free(sc.done);
	free(sc.order);
	free(sc.extra);
}

static int plan_compile(struct pctx *pc, struct scope *sc, const struct cfs_tclause *v, size_t n,
			struct xplan *p)
{
	p->v = cfs_xcalloc(n + 1, sizeof *p->v);
	p->n = n;
	for (size_t i = 0; i < n; i++)
		if (clause_compile(pc, sc, &v[i], &p->v[i]))
			return -1;
	return 0;
}

static void plan_free(struct xplan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct xclause *x = &p->v[i];
		for (size_t j = 0; j < x->nm; j++)
			json_decref(x->m[j].value);
		free(x->m);
		free(x->key_id);
		xexpr_free(&x->left);
		xexpr_free(&x->right);
		if (x->inner) {
			plan_free(x->inner);
			free(x->inner);
		}
		free(x->uses);
	}
	free(p->v);
	memset(p, 0, sizeof *p);
}

/* Structural equality of typed expressions (an order expression that
 * repeats a projection sorts by that column). */
static bool xexpr_same(const struct cfs_texpr *a, const struct cfs_texpr *b)
{
	if (a->kind != b->kind || a->nargs != b->nargs || a->agg != b->agg)
		return false;
	if ((a->var || b->var) && (!a->var || !b->var || strcmp(a->var, b->var)))
		return false;
	if ((a->prop || b->prop) && (!a->prop || !b->prop || strcmp(a->prop, b->prop)))
		return false;
	if (a->kind == CFS_TE_LIT) {
		json_t *x = lit_json(&a->lit), *y = lit_json(&b->lit);
		bool same = json_equal(x, y) && a->lit.kind == b->lit.kind;
		json_decref(x);
		json_decref(y);
		if (!same)
			return false;
	}
	for (size_t i = 0; i < a->nargs; i++)
		if (!xexpr_same(&a->args[i], &b->args[i]))
			return false;
	return true;
}

static size_t add_col(struct xquery *xq)
{
	xq->cols = cfs_xrealloc(xq->cols, (xq->ncols + 1) * sizeof *xq->cols);
	memset(&xq->cols[xq->ncols], 0, sizeof *xq->cols);
	return xq->ncols++;
}

/* rrf(a, b [, k]): hidden columns for a and b, k a constant (default 60). */
static int rrf_setup(struct pctx *pc, struct scope *sc, struct xquery *xq, size_t col, const struct cfs_texpr *t)
{
	size_t ra = add_col(xq), rb = add_col(xq);
	struct xcol *c;

	if (expr_compile(pc, sc, &t->args[0], &xq->cols[ra].e, false) ||
	    expr_compile(pc, sc, &t->args[1], &xq->cols[rb].e, false))
		return -1;
	c = &xq->cols[col];
	c->rrf = true;
	c->ra = ra;
	c->rb = rb;
	c->rrf_k = 60;
	xq->has_rrf = true;
	if (xq->aggregate)
		return pfail(pc, "rrf is not supported in an aggregate query");
	if (t->nargs > 2) {
		const struct xexpr *k = &c->e.args[2];
		if ((k->kind != CFS_TE_LIT && k->kind != CFS_TE_PARAM) || !json_is_number(k->value))
			return pfail(pc, "rrf k must be an integer literal or parameter");
		c->rrf_k = json_number_value(k->value);
		if (c->rrf_k <= 0)
			return pfail(pc, "rrf k must be greater than 0");
	}
	return 0;
}

static int column_compile(struct pctx *pc, struct scope *sc, struct xquery *xq, const struct cfs_texpr *t,
			  size_t *out)
{
	size_t i = add_col(xq);

	*out = i;
	if (expr_compile(pc, sc, t, &xq->cols[i].e, true))
		return -1;
	xq->cols[i].agg = t->kind == CFS_TE_AGG;
	xq->cols[i].key = xq->aggregate && t->kind != CFS_TE_AGG && i < xq->nvisible;
	if (t->kind == CFS_TE_RRF)
		return rrf_setup(pc, sc, xq, i, t);
	return 0;
}

static int outputs_compile(struct pctx *pc, struct scope *sc, struct xquery *xq, const struct cfs_typed_query *q)
{
	size_t col;

	xq->nvisible = q->nprojs;
	xq->aggregate = q->is_aggregate;
	for (size_t i = 0; i < q->nprojs; i++)
		if (column_compile(pc, sc, xq, &q->projs[i].expr, &col))
			return -1;
	xq->orders = cfs_xcalloc(q->norders + 1, sizeof *xq->orders);
	xq->norders = q->norders;
	for (size_t i = 0; i < q->norders; i++) {
		const struct cfs_texpr *t = &q->orders[i].expr;
		long found = t->kind == CFS_TE_ALIAS && t->alias_known ? (long)t->alias_proj : -1;
		for (size_t j = 0; found < 0 && j < q->nprojs; j++)
			if (xexpr_same(t, &q->projs[j].expr))
				found = (long)j;
		if (found < 0 && column_compile(pc, sc, xq, t, &col))
			return -1;
		xq->orders[i].col = found >= 0 ? (size_t)found : col;
		xq->orders[i].desc = q->orders[i].desc;
	}
	xq->has_limit = q->has_limit;
	xq->limit = q->limit;
	for (size_t j = 0; j < xq->ncols; j++)
		xq->keyed |= xq->cols[j].key;
	xq->early_limit = q->has_limit && !q->norders && !xq->aggregate && !xq->has_rrf;
	return 0;
}

int xq_compile(struct xquery *xq, struct cfs_snapshot *s, const struct cfs_typed_query *q,
	       const json_t *params, json_t *now, char **err)
{
	struct pctx pc = { s, params, now, 0, NULL };
	struct scope sc = { NULL, NULL, 0, 0 };
	bool *bound;
	int rc;

	memset(xq, 0, sizeof *xq);
	rc = plan_compile(&pc, &sc, q->clauses, q->nclauses, &xq->match);
	if (!rc)
		rc = outputs_compile(&pc, &sc, xq, q);
	scope_free(&sc);
	xq->nslots = (size_t)pc.nslots;
	if (rc) {
		*err = pc.err ? pc.err : cfs_xstrdup("query compilation failed");
		return -1;
	}
	bound = cfs_xcalloc(xq->nslots + 1, sizeof *bound);
	schedule(&xq->match, bound, xq->nslots);
	free(bound);
	return 0;
}

void xq_free(struct xquery *xq)
{
	plan_free(&xq->match);
	for (size_t i = 0; i < xq->ncols; i++)
		xexpr_free(&xq->cols[i].e);
	free(xq->cols);
	free(xq->orders);
	memset(xq, 0, sizeof *xq);
}
