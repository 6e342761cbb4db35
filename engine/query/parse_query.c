/*
 * query/parse_query: clauses, projections, orderings, mutation statements
 * and query declarations (query-lang.md §3), plus the entry point.
 */
#include "engine/query/parse_int.h"
#include "core/strbuf.h"

#include <stdlib.h>
#include <string.h>

#define GROW(arr, n) ((arr) = cfs_xrealloc((arr), ((n) + 1) * sizeof(*(arr))), \
		      memset(&(arr)[(n)], 0, sizeof(*(arr))), &(arr)[(n)++])

static void clause_free(struct cfs_qclause *c);

static void clauses_free(struct cfs_qclause *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		clause_free(&v[i]);
	free(v);
}

static void clause_free(struct cfs_qclause *c)
{
	free(c->var);
	free(c->type);
	for (size_t i = 0; i < c->nprops; i++) {
		free(c->props[i].prop);
		qp_value_free(&c->props[i].value);
	}
	free(c->props);
	free(c->src);
	free(c->edge);
	free(c->dst);
	free(c->edge_var);
	qp_expr_free(&c->left);
	qp_expr_free(&c->right);
	clauses_free(c->inner, c->ninner);
	memset(c, 0, sizeof(*c));
}

/* Rewind after a failed alternative (unless a fatal lexical error). */
static bool undo(struct qp *p, struct cfs_pos save, struct cfs_qclause *c)
{
	clause_free(c);
	if (!p->c.fatal)
		p->c.p = save;
	return false;
}

static bool clause(struct qp *p, struct cfs_qclause *c);

/* "{" clause { clause } "}" */
static bool clause_block(struct qp *p, struct cfs_qclause **v, size_t *n)
{
	if (!qp_tok(p, "{"))
		return false;
	do {
		if (!clause(p, GROW(*v, *n)))
			return false;
	} while (!qp_try(p, "}"));
	return !p->c.fatal;
}

/* binding = Var ":" TypeName [ "{" propmatch { "," propmatch } [","] "}" ] */
static bool binding(struct qp *p, struct cfs_qclause *c)
{
	const char *s;
	size_t n;

	c->kind = QC_BINDING;
	if (!qp_var(p, &c->var) || !qp_tok(p, ":") || !cfs_cur_ws(&p->c) || !cfs_cur_typename(&p->c, &s, &n))
		return false;
	c->type = cfs_xstrndup(s, n);
	if (!qp_try(p, "{"))
		return !p->c.fatal;
	do {
		struct cfs_qpropmatch *m = GROW(c->props, c->nprops);
		if (!qp_ident(p, &m->prop) || !qp_tok(p, ":") || !qp_value(p, &m->value))
			return false;
	} while (qp_try(p, ",") && !(cfs_cur_ws(&p->c) && cfs_cur_at(&p->c, "}")));
	return qp_tok(p, "}");
}

/* [ "{" Integer "," [ Integer ] "}" ] */
static bool bounds(struct qp *p, struct cfs_qclause *c)
{
	const char *s;
	size_t n;
	uint64_t v = 0;

	c->min = c->max = 1;
	c->has_max = true;
	if (!qp_try(p, "{"))
		return !p->c.fatal;
	if (!qp_digits(p, &s, &n))
		return false;
	if (!qp_u64(s, n, UINT32_MAX, &v))
		qp_semantic(p, "invalid traversal min bound: number too large to fit in target type");
	c->min = (uint32_t)v;
	if (!qp_tok(p, ","))
		return false;
	c->has_max = false;
	struct cfs_pos save = p->c.p;
	if (qp_digits(p, &s, &n)) {
		if (!qp_u64(s, n, UINT32_MAX, &v))
			qp_semantic(p, "invalid traversal max bound: number too large to fit in target type");
		c->max = (uint32_t)v;
		c->has_max = true;
	} else {
		p->c.p = save;
	}
	return qp_tok(p, "}");
}

/* traversal = Var [ Var ":" ] ( "<" EdgeName ">" | EdgeName ) [bounds] Var */
static bool traversal(struct qp *p, struct cfs_qclause *c)
{
	c->kind = QC_TRAVERSAL;
	if (!qp_var(p, &c->src))
		return false;
	struct cfs_pos save = p->c.p;
	if (!(qp_var(p, &c->edge_var) && qp_tok(p, ":"))) {
		free(c->edge_var);
		c->edge_var = NULL;
		if (p->c.fatal)
			return false;
		p->c.p = save;
	}
	if (qp_try(p, "<")) {
		c->undirected = true;
		if (!qp_edge_name(p, &c->edge) || !qp_tok(p, ">"))
			return false;
	} else if (!qp_edge_name(p, &c->edge)) {
		return false;
	}
	return bounds(p, c) && qp_var(p, &c->dst);
}

static const struct { const char *lit; enum cfs_qop op; } FOPS[] = {
	{ "starts_with", QOP_STARTS_WITH }, { "contains", QOP_CONTAINS }, { ">=", QOP_GE },
	{ "<=", QOP_LE }, { "!=", QOP_NE }, { ">", QOP_GT }, { "<", QOP_LT }, { "=", QOP_EQ },
};

/* fop, or only cmp (the last six) when cmp_only */
bool qp_op(struct qp *p, bool cmp_only, enum cfs_qop *op);

bool qp_op(struct qp *p, bool cmp_only, enum cfs_qop *op)
{
	for (size_t i = cmp_only ? 2 : 0; i < sizeof(FOPS) / sizeof(FOPS[0]); i++)
		if (qp_try(p, FOPS[i].lit)) {
			*op = FOPS[i].op;
			return true;
		}
	return cfs_cur_expect(&p->c, cmp_only ? "comparison operator" : "filter operator");
}

/* filter = expr fop expr */
static bool filter(struct qp *p, struct cfs_qclause *c)
{
	c->kind = QC_FILTER;
	return qp_expr(p, &c->left) && qp_op(p, false, &c->op) && qp_expr(p, &c->right);
}

/* A text-search call alone is the filter (call = true). */
static bool textsearch(struct qp *p, struct cfs_qclause *c)
{
	c->kind = QC_FILTER;
	c->is_call = true;
	if (!qp_textsearch(p, &c->left))
		return false;
	c->op = QOP_EQ;
	c->right.kind = QE_LIT;
	c->right.lit.kind = QL_BOOL;
	c->right.lit.b = true;
	return true;
}

/* clause = negation | binding | traversal | filter | textsearch */
static bool clause_alternatives(struct qp *p, struct cfs_qclause *c);

static bool clause(struct qp *p, struct cfs_qclause *c)
{
	if (!cfs_cur_ws(&p->c))
		return false;
	struct cfs_pos at = p->c.p;
	if (!clause_alternatives(p, c))
		return false;
	c->line = at.line;      /* set last: a failed alternative clears the clause */
	c->col = at.col;
	return true;
}

static bool clause_alternatives(struct qp *p, struct cfs_qclause *c)
{
	struct cfs_pos save = p->c.p;

	c->kind = QC_NOT;
	if ((qp_tok(p, "not") && clause_block(p, &c->inner, &c->ninner)) || (undo(p, save, c), p->c.fatal))
		return !p->c.fatal;
	if (binding(p, c) || (undo(p, save, c), p->c.fatal))
		return !p->c.fatal;
	if (traversal(p, c) || (undo(p, save, c), p->c.fatal))
		return !p->c.fatal;
	if (filter(p, c) || (undo(p, save, c), p->c.fatal))
		return !p->c.fatal;
	if (textsearch(p, c))
		return true;
	undo(p, save, c);
	return cfs_cur_expect(&p->c, "match clause");
}

/* proj = expr [ "as" Ident ] [ "," ] */
static bool projection(struct qp *p, struct cfs_qproj *pr)
{
	if (!qp_expr(p, &pr->expr))
		return false;
	/* [ "as" Ident ] is all or nothing: "as" alone is the next projection */
	struct cfs_pos save = p->c.p;
	if (!(qp_tok(p, "as") && qp_ident(p, &pr->alias))) {
		if (p->c.fatal)
			return false;
		p->c.p = save;
	}
	qp_try(p, ",");
	return !p->c.fatal;
}

/* ordering = nearest | expr [ "asc" | "desc" ] */
static bool ordering(struct qp *p, struct cfs_qorder *o)
{
	if (qp_nearest(p, &o->expr))
		return true;
	if (p->c.fatal || !qp_expr(p, &o->expr))
		return false;
	if (qp_try(p, "desc"))
		o->desc = true;
	else
		qp_try(p, "asc");
	return !p->c.fatal;
}

static bool read_body(struct qp *p, struct cfs_query *q)
{
	const char *s;
	size_t n;

	if (!qp_tok(p, "match") || !clause_block(p, &q->clauses, &q->nclauses) ||
	    !qp_tok(p, "return") || !qp_tok(p, "{"))
		return false;
	do {
		if (!projection(p, GROW(q->projs, q->nprojs)))
			return false;
	} while (!qp_try(p, "}"));
	if (p->c.fatal)
		return false;
	if (qp_try(p, "order")) {
		if (!qp_tok(p, "{"))
			return false;
		do {
			if (!ordering(p, GROW(q->orders, q->norders)))
				return false;
		} while (qp_try(p, ","));
		if (!qp_tok(p, "}"))
			return false;
	}
	if (!qp_try(p, "limit"))
		return !p->c.fatal;
	if (!qp_digits(p, &s, &n))
		return false;
	q->has_limit = true;
	if (!qp_u64(s, n, UINT64_MAX, &q->limit))
		qp_semantic(p, "invalid limit: number too large to fit in target type");
	return true;
}

/* assign = Ident ":" value [ "," ] ; at least one, up to "}" */
static bool assigns(struct qp *p, struct cfs_qstmt *st)
{
	if (!qp_tok(p, "{"))
		return false;
	do {
		struct cfs_qassign *a = GROW(st->assigns, st->nassigns);
		if (!qp_ident(p, &a->prop) || !qp_tok(p, ":") || !qp_value(p, &a->value))
			return false;
		qp_try(p, ",");
	} while (!qp_try(p, "}"));
	return !p->c.fatal;
}

bool qp_op(struct qp *p, bool cmp_only, enum cfs_qop *op);

/* pred = Ident cmp value */
static bool predicate(struct qp *p, struct cfs_qstmt *st)
{
	return qp_tok(p, "where") && qp_ident(p, &st->pred_prop) && qp_op(p, true, &st->pred_op) &&
	       qp_value(p, &st->pred_value);
}

static bool typename(struct qp *p, char **out)
{
	const char *s;
	size_t n;

	if (!cfs_cur_ws(&p->c) || !cfs_cur_typename(&p->c, &s, &n))
		return false;
	*out = cfs_xstrndup(s, n);
	return true;
}

/* stmt = insert | update | delete */
static bool statement(struct qp *p, struct cfs_qstmt *st)
{
	if (qp_try(p, "insert")) {
		st->kind = QS_INSERT;
		return typename(p, &st->type) && assigns(p, st);
	}
	if (qp_try(p, "update")) {
		st->kind = QS_UPDATE;
		return typename(p, &st->type) && qp_tok(p, "set") && assigns(p, st) && predicate(p, st);
	}
	if (qp_try(p, "delete")) {
		st->kind = QS_DELETE;
		return typename(p, &st->type) && predicate(p, st);
	}
	return !p->c.fatal && cfs_cur_expect(&p->c, "`match`, `insert`, `update` or `delete`");
}

static void stmt_free(struct cfs_qstmt *st)
{
	free(st->type);
	for (size_t i = 0; i < st->nassigns; i++) {
		free(st->assigns[i].prop);
		qp_value_free(&st->assigns[i].value);
	}
	free(st->assigns);
	free(st->pred_prop);
	qp_value_free(&st->pred_value);
}

static bool body(struct qp *p, struct cfs_query *q)
{
	if (!cfs_cur_ws(&p->c))
		return false;
	if (cfs_cur_at(&p->c, "match"))
		return read_body(p, q);
	q->is_mutation = true;
	do {
		if (!statement(p, GROW(q->stmts, q->nstmts)))
			return false;
	} while (cfs_cur_ws(&p->c) && !cfs_cur_at(&p->c, "}") && !cfs_cur_eof(&p->c));
	return !p->c.fatal;
}

static const char *const BASES[] = { "String", "Blob", "Bool", "I32", "I64", "U32", "U64",
				     "F32", "F64", "DateTime", "Date" };

static bool basetype(struct qp *p, const char **name)
{
	if (!cfs_cur_ws(&p->c))
		return false;
	for (size_t i = 0; i < sizeof(BASES) / sizeof(BASES[0]); i++)
		if (cfs_cur_at(&p->c, BASES[i])) {
			cfs_cur_adv(&p->c, strlen(BASES[i]));
			*name = BASES[i];
			return true;
		}
	return cfs_cur_expect(&p->c, "type");
}

/* param = Var ":" ptype; the type text is normalized (§4.1) */
static bool param(struct qp *p, struct cfs_qparam *pa)
{
	const char *base, *s;
	size_t n;

	if (!qp_var(p, &pa->name) || !qp_tok(p, ":") || !cfs_cur_ws(&p->c))
		return false;
	if (qp_try(p, "[")) {
		if (!basetype(p, &base) || !qp_tok(p, "]"))
			return false;
		pa->type_text = cfs_xasprintf("[%s]", base);
	} else if (qp_try(p, "Vector")) {
		if (!qp_tok(p, "(") || !qp_digits(p, &s, &n) || !qp_tok(p, ")"))
			return false;
		pa->type_text = cfs_xasprintf("Vector(%.*s)", (int)n, s);
	} else {
		if (p->c.fatal || !basetype(p, &base))
			return false;
		pa->type_text = cfs_xstrdup(base);
	}
	pa->nullable = qp_try(p, "?");
	return !p->c.fatal;
}

static bool annotations(struct qp *p, struct cfs_query *q)
{
	for (;;) {
		char **slot;
		const char *what;
		if (qp_try(p, "@description")) {
			slot = &q->description;
			what = "description";
		} else if (qp_try(p, "@instruction")) {
			slot = &q->instruction;
			what = "instruction";
		} else {
			return !p->c.fatal;
		}
		char *v = NULL;
		if (!qp_tok(p, "(") || !qp_string(p, &v) || !qp_tok(p, ")")) {
			free(v);
			return false;
		}
		if (*slot) {
			char *m = cfs_xasprintf("query `%s` cannot include duplicate @%s annotations", q->name, what);
			qp_semantic(p, m);
			free(m);
			free(v);
		} else {
			*slot = v;
		}
	}
}

static bool query(struct qp *p, struct cfs_query *q)
{
	q->line = p->c.p.line;
	q->col = p->c.p.col;
	if (!cfs_cur_lit(&p->c, "query") || !qp_ident(p, &q->name) || !qp_tok(p, "("))
		return false;
	if (!qp_try(p, ")")) {
		do {
			if (!param(p, GROW(q->params, q->nparams)))
				return false;
		} while (qp_try(p, ","));
		if (!qp_tok(p, ")"))
			return false;
	}
	return annotations(p, q) && qp_tok(p, "{") && body(p, q) && qp_tok(p, "}");
}

static void query_free(struct cfs_query *q)
{
	free(q->name);
	free(q->description);
	free(q->instruction);
	for (size_t i = 0; i < q->nparams; i++) {
		free(q->params[i].name);
		free(q->params[i].type_text);
	}
	free(q->params);
	clauses_free(q->clauses, q->nclauses);
	for (size_t i = 0; i < q->nprojs; i++) {
		qp_expr_free(&q->projs[i].expr);
		free(q->projs[i].alias);
	}
	free(q->projs);
	for (size_t i = 0; i < q->norders; i++)
		qp_expr_free(&q->orders[i].expr);
	free(q->orders);
	for (size_t i = 0; i < q->nstmts; i++)
		stmt_free(&q->stmts[i]);
	free(q->stmts);
}

void cfs_query_list_free(struct cfs_query_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		query_free(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int cfs_query_parse(const char *src, size_t len, struct cfs_query_list *out, char **err)
{
	struct qp p;

	memset(&p, 0, sizeof(p));
	memset(out, 0, sizeof(*out));
	cfs_cur_init(&p.c, src, len);
	*err = NULL;
	for (;;) {
		if (!cfs_cur_ws(&p.c))
			break;
		if (cfs_cur_eof(&p.c)) {
			if (!p.sem)
				return 0;
			*err = cfs_xasprintf("parse error: parse error: %s", p.sem);
			free(p.sem);
			cfs_query_list_free(out);
			return -1;
		}
		if (!query(&p, GROW(out->v, out->n)))
			break;
	}
	free(p.sem);
	cfs_query_list_free(out);
	*err = cfs_cur_error(&p.c);
	return -1;
}

const struct cfs_query *cfs_query_find(const struct cfs_query_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}
