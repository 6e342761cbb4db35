/*
 * query/parse: the .gq grammar of query-lang.md §3 and the parse-time
 * checks of §4.3.
 *
 * Recursive descent over the shared cursor, one function per rule, each
 * alternative tried in the grammar's order and rewound on failure (PEG
 * semantics; keywords are literal text without word boundaries).  The
 * semantic checks of §4.3 (escapes, integer ranges, duplicate annotations)
 * are recorded while building and reported only if the whole file is
 * syntactically valid, since the reference parses first and builds after.
 */
#include "engine/query/ast.h"
#include "engine/query/parse_int.h"
#include "engine/lang/cursor.h"
#include "core/strbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define GROW(arr, n) ((arr) = cfs_xrealloc((arr), ((n) + 1) * sizeof(*(arr))), \
		      memset(&(arr)[(n)], 0, sizeof(*(arr))), &(arr)[(n)++])

/* Record the first §4.3 error; parsing goes on. */
void qp_semantic(struct qp *p, const char *msg)
{
	if (!p->sem)
		p->sem = cfs_xstrdup(msg);
}

bool qp_tok(struct qp *p, const char *lit)
{
	return cfs_cur_ws(&p->c) && cfs_cur_lit(&p->c, lit);
}

/* Try a literal; rewinds (and records the expectation) when absent. */
bool qp_try(struct qp *p, const char *lit)
{
	struct cfs_pos save = p->c.p;

	if (qp_tok(p, lit))
		return true;
	p->c.p = save;
	return false;
}

bool qp_ident(struct qp *p, char **out)
{
	const char *s;
	size_t n;

	if (!cfs_cur_ws(&p->c) || !cfs_cur_ident(&p->c, &s, &n))
		return false;
	*out = cfs_xstrndup(s, n);
	return true;
}

/* Var = "$" Ident */
bool qp_var(struct qp *p, char **out)
{
	const char *s;
	size_t n;

	if (!cfs_cur_ws(&p->c) || cfs_cur_peek(&p->c) != '$')
		return cfs_cur_expect(&p->c, "variable");
	struct cfs_pos save = p->c.p;
	cfs_cur_adv(&p->c, 1);
	if (!cfs_cur_ident(&p->c, &s, &n)) {
		p->c.p = save;
		return false;
	}
	*out = cfs_xstrndup(s, n);
	return true;
}

static bool is_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

/* EdgeName = an Ident not starting with `not` + a non-alphanumeric (§2). */
bool qp_edge_name(struct qp *p, char **out)
{
	struct cfs_pos save = p->c.p;

	if (!qp_ident(p, out))
		return false;
	if (!strncmp(*out, "not", 3) && !is_alnum((*out)[3])) {
		free(*out);
		*out = NULL;
		p->c.p = save;
		return cfs_cur_expect(&p->c, "edge name");
	}
	return true;
}

/* A decoded string literal (escape errors are §4.3 errors). */
bool qp_string(struct qp *p, char **out)
{
	const char *s;
	size_t n;
	char bad = 0;

	if (!cfs_cur_ws(&p->c) || !cfs_cur_string(&p->c, &s, &n))
		return false;
	*out = cfs_string_decode(s, n, &bad);
	if (!*out) {
		char *m = cfs_xasprintf("unsupported escape sequence: \\%c", bad);
		qp_semantic(p, m);
		free(m);
		*out = cfs_xstrdup("");
	}
	return true;
}

/* Integer (u64 when limit_like, else i64 literal semantics handled by caller). */
bool qp_digits(struct qp *p, const char **s, size_t *n)
{
	return cfs_cur_ws(&p->c) && cfs_cur_integer(&p->c, s, n);
}

bool qp_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}


/* ---- literals ------------------------------------------------------------ */

void qp_lit_free(struct cfs_qlit *l)
{
	free(l->str);
	free(l->text);
	for (size_t i = 0; i < l->nitems; i++)
		qp_lit_free(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static bool number(struct qp *p, struct cfs_qlit *l)
{
	const char *s;
	size_t n;
	bool fl;

	if (!cfs_cur_number(&p->c, false, &s, &n, &fl))
		return false;
	l->text = cfs_xstrndup(s, n);
	if (fl) {
		l->kind = QL_FLOAT;
		l->f = strtod(l->text, NULL);
		return true;
	}
	uint64_t v;
	l->kind = QL_INT;
	if (qp_u64(s, n, INT64_MAX, &v))
		l->i = (int64_t)v;
	else
		qp_semantic(p, "invalid integer: number too large to fit in target type");
	return true;
}

/* "date" "(" String ")" | "datetime" "(" String ")" — all or nothing */
static bool dated(struct qp *p, const char *kw, enum cfs_qlit_kind k, struct cfs_qlit *l)
{
	struct cfs_pos save = p->c.p;

	if (qp_tok(p, kw) && qp_tok(p, "(") && qp_string(p, &l->str) && qp_tok(p, ")")) {
		l->kind = k;
		return true;
	}
	free(l->str);
	l->str = NULL;
	p->c.p = save;
	return false;
}

/* literal = list | datetime(..) | date(..) | String | Float | Integer | Bool */
bool qp_literal(struct qp *p, struct cfs_qlit *l)
{
	memset(l, 0, sizeof(*l));
	if (!cfs_cur_ws(&p->c))
		return false;
	if (cfs_cur_peek(&p->c) == '[') {
		cfs_cur_adv(&p->c, 1);
		l->kind = QL_LIST;
		if (qp_try(p, "]"))
			return true;
		do {
			if (!qp_literal(p, GROW(l->items, l->nitems)))
				return false;
		} while (qp_try(p, ","));
		return qp_tok(p, "]");
	}
	if (dated(p, "datetime", QL_DATETIME, l) || dated(p, "date", QL_DATE, l))
		return true;
	if (p->c.fatal || !cfs_cur_ws(&p->c))
		return false;
	if (cfs_cur_peek(&p->c) == '"') {
		l->kind = QL_STRING;
		return qp_string(p, &l->str);
	}
	if (cfs_cur_at(&p->c, "true") || cfs_cur_at(&p->c, "false")) {
		l->kind = QL_BOOL;
		l->b = cfs_cur_at(&p->c, "true");
		cfs_cur_adv(&p->c, l->b ? 4 : 5);
		return true;
	}
	if (!number(p, l))
		return cfs_cur_expect(&p->c, "literal");
	return true;
}

void qp_value_free(struct cfs_qvalue *v)
{
	qp_lit_free(&v->lit);
	free(v->var);
	memset(v, 0, sizeof(*v));
}

/* value = literal | Var | "now" "(" ")" */
bool qp_value(struct qp *p, struct cfs_qvalue *v)
{
	struct cfs_pos save = p->c.p;

	memset(v, 0, sizeof(*v));
	if (qp_literal(p, &v->lit)) {
		v->kind = QV_LIT;
		return true;
	}
	qp_lit_free(&v->lit);
	if (p->c.fatal)
		return false;
	p->c.p = save;
	if (qp_var(p, &v->var)) {
		v->kind = QV_VAR;
		return true;
	}
	p->c.p = save;
	if (qp_tok(p, "now") && qp_tok(p, "(") && qp_tok(p, ")")) {
		v->kind = QV_NOW;
		return true;
	}
	return false;
}
