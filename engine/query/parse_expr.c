/*
 * query/parse_expr: expressions of the .gq grammar (query-lang.md §3):
 *   expr = now() | nearest | search | fuzzy | match_text | bm25 | rrf
 *        | agg | propacc | Var | literal | Ident
 */
#include "engine/query/parse_int.h"
#include "core/strbuf.h"

#include <stdlib.h>
#include <string.h>

#define GROW(arr, n) ((arr) = cfs_xrealloc((arr), ((n) + 1) * sizeof(*(arr))), \
		      memset(&(arr)[(n)], 0, sizeof(*(arr))), &(arr)[(n)++])

void qp_expr_free(struct cfs_qexpr *e)
{
	qp_lit_free(&e->lit);
	free(e->var);
	free(e->prop);
	free(e->alias);
	for (size_t i = 0; i < e->nargs; i++)
		qp_expr_free(&e->args[i]);
	free(e->args);
	memset(e, 0, sizeof(*e));
}

/* Rewind to save and drop whatever a failed alternative built. */
static bool undo(struct qp *p, struct cfs_pos save, struct cfs_qexpr *e)
{
	qp_expr_free(e);
	if (!p->c.fatal)
		p->c.p = save;
	return false;
}

/* propacc = Var "." Ident */
static bool propacc(struct qp *p, struct cfs_qexpr *e)
{
	struct cfs_pos save = p->c.p;

	e->kind = QE_PROP;
	if (qp_var(p, &e->var) && qp_tok(p, ".") && qp_ident(p, &e->prop))
		return true;
	return undo(p, save, e);
}

/* kw "(" arg { "," arg } ")" with nmin..nmax expression arguments. */
static bool call(struct qp *p, const char *kw, enum cfs_qexpr_kind k, size_t nmin, size_t nmax,
		 struct cfs_qexpr *e)
{
	struct cfs_pos save = p->c.p;

	e->kind = k;
	if (!qp_tok(p, kw) || !qp_tok(p, "("))
		return undo(p, save, e);
	do {
		if (e->nargs == nmax || !qp_expr(p, GROW(e->args, e->nargs)))
			return undo(p, save, e);
	} while (qp_try(p, ","));
	if (e->nargs < nmin || !qp_tok(p, ")"))
		return undo(p, save, e);
	return true;
}

/* nearest = "nearest" "(" propacc "," expr ")" */
bool qp_nearest(struct qp *p, struct cfs_qexpr *e)
{
	struct cfs_pos save = p->c.p;

	memset(e, 0, sizeof(*e));
	e->kind = QE_NEAREST;
	if (!qp_tok(p, "nearest") || !qp_tok(p, "("))
		return undo(p, save, e);
	if (!propacc(p, GROW(e->args, e->nargs)) || !qp_tok(p, ",") ||
	    !qp_expr(p, GROW(e->args, e->nargs)) || !qp_tok(p, ")"))
		return undo(p, save, e);
	return true;
}

/* rank = nearest | bm25 */
static bool rank(struct qp *p, struct cfs_qexpr *e)
{
	return qp_nearest(p, e) || (!p->c.fatal && call(p, "bm25", QE_BM25, 2, 2, e));
}

/* rrf = "rrf" "(" rank "," rank [ "," expr ] ")" */
static bool rrf(struct qp *p, struct cfs_qexpr *e)
{
	struct cfs_pos save = p->c.p;

	e->kind = QE_RRF;
	if (!qp_tok(p, "rrf") || !qp_tok(p, "(") || !rank(p, GROW(e->args, e->nargs)) ||
	    !qp_tok(p, ",") || !rank(p, GROW(e->args, e->nargs)))
		return undo(p, save, e);
	if (qp_try(p, ",") && !qp_expr(p, GROW(e->args, e->nargs)))
		return undo(p, save, e);
	if (!qp_tok(p, ")"))
		return undo(p, save, e);
	return true;
}

/* textsearch = search | fuzzy | matchtext (also expression alternatives) */
bool qp_textsearch(struct qp *p, struct cfs_qexpr *e)
{
	memset(e, 0, sizeof(*e));
	return call(p, "search", QE_SEARCH, 2, 2, e) ||
	       (!p->c.fatal && call(p, "fuzzy", QE_FUZZY, 2, 3, e)) ||
	       (!p->c.fatal && call(p, "match_text", QE_MATCH_TEXT, 2, 2, e));
}

static const char *const AGGS[] = { "count", "sum", "avg", "min", "max" };

static bool agg(struct qp *p, struct cfs_qexpr *e)
{
	for (int a = AGG_COUNT; a <= AGG_MAX; a++) {
		if (call(p, AGGS[a], QE_AGG, 1, 1, e)) {
			e->agg = (enum cfs_agg)a;
			return true;
		}
		if (p->c.fatal)
			return false;
	}
	return false;
}

/* The alternatives after the calls: propacc | Var | literal | Ident. */
static bool simple(struct qp *p, struct cfs_qexpr *e)
{
	struct cfs_pos save = p->c.p;

	if (propacc(p, e))
		return true;
	if (p->c.fatal)
		return false;
	e->kind = QE_VAR;
	if (qp_var(p, &e->var))
		return true;
	undo(p, save, e);
	e->kind = QE_LIT;
	if (qp_literal(p, &e->lit))
		return true;
	if (undo(p, save, e) || p->c.fatal)
		return false;
	e->kind = QE_ALIAS;
	if (qp_ident(p, &e->alias))
		return true;
	return undo(p, save, e);
}

bool qp_expr(struct qp *p, struct cfs_qexpr *e)
{
	struct cfs_pos save = p->c.p;

	memset(e, 0, sizeof(*e));
	if (qp_tok(p, "now") && qp_tok(p, "(") && qp_tok(p, ")")) {
		e->kind = QE_NOW;
		return true;
	}
	if (p->c.fatal)
		return false;
	p->c.p = save;
	if (qp_nearest(p, e) || qp_textsearch(p, e))
		return true;
	if (p->c.fatal)
		return false;
	memset(e, 0, sizeof(*e));
	if (call(p, "bm25", QE_BM25, 2, 2, e) || rrf(p, e) || agg(p, e))
		return true;
	if (p->c.fatal)
		return false;
	memset(e, 0, sizeof(*e));
	return simple(p, e);
}
