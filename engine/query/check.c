/*
 * query/check: the typechecker's entry point (query-lang.md §7): the
 * environment (parameters, bindings, aliases), the parameter rules (§6.3),
 * the order of a read query's checks and its finishing rules (§7.1), the
 * mutation loop, error rendering, and freeing the typed IR.  The rules for
 * the individual constructs live in check_match.c, check_expr.c,
 * check_mut.c and check_types.c.
 */
#include "engine/query/check_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define NOW_PARAM "__nanograph_now"

/* ------------------------------------------------------------ environment */

/* Record the query's one error; always returns -1. */
int ck_fail(struct ck *c, const char *fmt, ...)
{
	va_list ap;

	cfs_sb_reset(&c->err);
	cfs_sb_adds(&c->err, "type error: ");
	va_start(ap, fmt);
	cfs_sb_vaddf(&c->err, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *keep(struct ck *c, struct cfs_sb *sb)
{
	c->scratch = cfs_xrealloc(c->scratch, (c->nscratch + 1) * sizeof *c->scratch);
	c->scratch[c->nscratch] = sb->buf ? cfs_sb_detach(sb) : cfs_xstrdup("");
	return c->scratch[c->nscratch++];
}

/* Display strings for messages; they live until the check ends. */
const char *ck_pdisp(struct ck *c, const struct cfs_ptype *t)
{
	struct cfs_sb sb = CFS_SB_INIT;

	cfs_ptype_display(t, &sb);
	return keep(c, &sb);
}

const char *ck_edisp(struct ck *c, const struct cfs_etype *t)
{
	struct cfs_sb sb = CFS_SB_INIT;

	cfs_etype_display(t, &sb);
	return keep(c, &sb);
}

const struct cfs_ptype *ck_param(const struct ck *c, const char *name)
{
	for (size_t i = 0; i < c->out->nparams; i++)
		if (!strcmp(c->out->params[i].name, name))
			return &c->out->params[i].type;
	return NULL;
}

const struct ck_bind *ck_bound_upto(const struct ck *c, const char *name, size_t upto)
{
	for (size_t i = 0; i < upto && i < c->nbinds; i++)
		if (!strcmp(c->binds[i].name, name))
			return &c->binds[i];
	return NULL;
}

const struct ck_bind *ck_bound(const struct ck *c, const char *name)
{
	return ck_bound_upto(c, name, c->nbinds);
}

/* Bind a fresh name (callers check it is not bound yet). */
void ck_bind(struct ck *c, const char *name, bool edge, const struct cfs_type *t)
{
	if (c->nbinds == c->capbinds) {
		c->capbinds = c->capbinds ? 2 * c->capbinds : 8;
		c->binds = cfs_xrealloc(c->binds, c->capbinds * sizeof *c->binds);
	}
	c->binds[c->nbinds].name = name;
	c->binds[c->nbinds].edge = edge;
	c->binds[c->nbinds].type = t;
	c->nbinds++;
}

/* ------------------------------------------------------------ §6.3 parameters */

/* U1 then U2 per parameter, in order; a repeated name takes the later type. */
static int check_params(struct ck *c)
{
	const struct cfs_query *q = c->q;
	struct cfs_typed_query *t = c->out;

	if (q->nparams)
		t->params = cfs_xcalloc(q->nparams, sizeof *t->params);
	for (size_t i = 0; i < q->nparams; i++) {
		const struct cfs_qparam *p = &q->params[i];
		struct cfs_ptype pt;
		size_t j = 0;

		if (!strcmp(p->name, NOW_PARAM))
			return ck_fail(c, "parameter name `$%s` is reserved for runtime timestamp injection",
				       NOW_PARAM);
		if (cfs_param_ptype(p->type_text, p->nullable, &pt))
			return ck_fail(c, "unknown parameter type `%s` for `$%s`", p->type_text, p->name);
		while (j < t->nparams && strcmp(t->params[j].name, p->name))
			j++;
		if (j == t->nparams)
			t->params[t->nparams++].name = cfs_xstrdup(p->name);
		t->params[j].type = pt;
	}
	return 0;
}

/* ------------------------------------------------------------ §7.1 read queries */

static int check_projections(struct ck *c)
{
	const struct cfs_query *q = c->q;
	struct cfs_typed_query *t = c->out;

	if (q->nprojs) {
		t->projs = cfs_xcalloc(q->nprojs, sizeof *t->projs);
		t->nprojs = q->nprojs;
	}
	for (size_t i = 0; i < q->nprojs; i++) {
		struct cfs_tproj *p = &t->projs[i];
		struct cfs_sb sb = CFS_SB_INIT;

		if (ck_expr(c, &q->projs[i].expr, &p->expr) || ck_blob_value(c, &p->expr))
			return -1;
		p->is_agg = p->expr.kind == CFS_TE_AGG;
		p->has_alias = q->projs[i].alias != NULL;
		if (p->has_alias)
			cfs_sb_adds(&sb, q->projs[i].alias);
		else
			ck_expr_text(&p->expr, &sb);
		p->column = cfs_sb_detach(&sb);
		cfs_etype_display(&p->expr.type, &sb);
		p->type_disp = cfs_sb_detach(&sb);
		c->nvisible = i + 1;    /* its alias is now recorded */
	}
	return 0;
}

static int check_orders(struct ck *c)
{
	const struct cfs_query *q = c->q;
	struct cfs_typed_query *t = c->out;

	if (q->norders) {
		t->orders = cfs_xcalloc(q->norders, sizeof *t->orders);
		t->norders = q->norders;
	}
	for (size_t i = 0; i < q->norders; i++) {
		t->orders[i].desc = q->orders[i].desc;
		if (ck_expr(c, &q->orders[i].expr, &t->orders[i].expr) || ck_blob_value(c, &t->orders[i].expr))
			return -1;
	}
	return 0;
}

/*
 * Whether e contains a call of kind k, looking through aggregate
 * arguments, the arguments of search/fuzzy/match_text/bm25 and alias
 * references (the last projection of that name; seen[] breaks cycles) —
 * never into nearest or rrf.
 */
static bool contains_call(const struct ck *c, const struct cfs_texpr *e, enum cfs_texpr_kind k, bool *seen)
{
	const struct cfs_typed_query *t = c->out;

	if (e->kind == k)
		return true;
	switch (e->kind) {
	case CFS_TE_AGG: case CFS_TE_SEARCH: case CFS_TE_FUZZY: case CFS_TE_MATCH_TEXT: case CFS_TE_BM25:
		for (size_t i = 0; i < e->nargs; i++)
			if (contains_call(c, &e->args[i], k, seen))
				return true;
		return false;
	case CFS_TE_ALIAS:
		for (size_t i = t->nprojs; i-- > 0;) {
			if (!t->projs[i].has_alias || strcmp(t->projs[i].column, e->var))
				continue;
			if (seen[i])
				return false;
			seen[i] = true;
			return contains_call(c, &t->projs[i].expr, k, seen);
		}
		return false;
	default:
		return false;
	}
}

static bool orders_contain(const struct ck *c, enum cfs_texpr_kind k)
{
	const struct cfs_typed_query *t = c->out;
	bool *seen = cfs_xcalloc(t->nprojs, sizeof *seen);
	bool found = false;

	for (size_t i = 0; i < t->norders && !found; i++) {
		memset(seen, 0, t->nprojs * sizeof *seen);
		found = contains_call(c, &t->orders[i].expr, k, seen);
	}
	free(seen);
	return found;
}

/* §7.1.5 (T21a, T17a, T18a) and §7.1.6 (T9b). */
static int finish_read(struct ck *c)
{
	struct cfs_typed_query *t = c->out;

	if (!t->has_limit && orders_contain(c, CFS_TE_RRF))
		return ck_fail(c, "T21: rrf ordering requires a limit clause");
	if (orders_contain(c, CFS_TE_NEAREST)) {
		if (!t->has_limit)
			return ck_fail(c, "T17: nearest ordering requires a limit clause");
		for (size_t i = 0; i < t->norders; i++)
			if (t->orders[i].expr.kind == CFS_TE_ALIAS)
				return ck_fail(c, "T18: alias-based ordering is not supported together with nearest "
					       "in phase 1");
	}
	for (size_t i = 0; i < t->nprojs; i++)
		t->is_aggregate |= t->projs[i].is_agg;
	for (size_t i = 0; t->is_aggregate && i < t->nprojs; i++) {
		enum cfs_texpr_kind k = t->projs[i].expr.kind;

		if (k != CFS_TE_AGG && k != CFS_TE_PROP && k != CFS_TE_PARAM && k != CFS_TE_NODE)
			return ck_fail(c, "T9: non-aggregate expressions in an aggregate query must be property "
				       "accesses or variables");
	}
	return 0;
}

static int check_read(struct ck *c)
{
	struct cfs_typed_query *t = c->out;

	t->has_limit = c->q->has_limit;
	t->limit = c->q->limit;
	if (ck_clauses(c, c->q->clauses, c->q->nclauses, &t->clauses, &t->nclauses) ||
	    check_projections(c) || check_orders(c))
		return -1;
	return finish_read(c);
}

static int check_mutation(struct ck *c)
{
	const struct cfs_query *q = c->q;
	struct cfs_typed_query *t = c->out;

	t->is_mutation = true;
	if (q->nstmts) {
		t->stmts = cfs_xcalloc(q->nstmts, sizeof *t->stmts);
		t->nstmts = q->nstmts;
	}
	for (size_t i = 0; i < q->nstmts; i++)
		if (ck_stmt(c, &q->stmts[i], &t->stmts[i]))
			return -1;
	return 0;
}

/* ------------------------------------------------------------ entry */

int cfs_query_check(const struct cfs_schema *catalog, const struct cfs_query *q,
		    struct cfs_typed_query *out, char **err)
{
	struct ck c;
	int rc;

	memset(&c, 0, sizeof c);
	memset(out, 0, sizeof *out);
	c.cat = catalog;
	c.q = q;
	c.out = out;
	out->name = cfs_xstrdup(q->name ? q->name : "");
	out->description = q->description ? cfs_xstrdup(q->description) : NULL;
	out->instruction = q->instruction ? cfs_xstrdup(q->instruction) : NULL;
	/* Parameters come first for both kinds; a mutation's per-statement
	 * re-check (§7.7) would find the same first error. */
	rc = check_params(&c);
	if (!rc)
		rc = q->is_mutation ? check_mutation(&c) : check_read(&c);
	if (rc) {
		cfs_typed_query_free(out);
		if (err)
			*err = cfs_sb_detach(&c.err);
	} else if (err) {
		*err = NULL;
	}
	cfs_sb_release(&c.err);
	for (size_t i = 0; i < c.nscratch; i++)
		free(c.scratch[i]);
	free(c.scratch);
	free(c.binds);
	return rc;
}

void cfs_typed_query_free(struct cfs_typed_query *t)
{
	if (!t)
		return;
	free(t->name);
	free(t->description);
	free(t->instruction);
	for (size_t i = 0; i < t->nparams; i++)
		free(t->params[i].name);
	free(t->params);
	ck_clauses_free(t->clauses, t->nclauses);
	for (size_t i = 0; i < t->nprojs; i++) {
		ck_texpr_free(&t->projs[i].expr);
		free(t->projs[i].column);
		free(t->projs[i].type_disp);
	}
	free(t->projs);
	for (size_t i = 0; i < t->norders; i++)
		ck_texpr_free(&t->orders[i].expr);
	free(t->orders);
	for (size_t i = 0; i < t->nstmts; i++)
		ck_stmt_free(&t->stmts[i]);
	free(t->stmts);
	memset(t, 0, sizeof *t);
}
