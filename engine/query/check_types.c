/*
 * query/check_types: the types of the typechecker (query-lang.md §6) —
 * compatibility, literal types, parameter types — and the two value checks
 * shared by bindings and mutations: the literal check L and the mutation
 * value check V (§7.7).
 */
#include "engine/query/check_int.h"

#include <stdlib.h>
#include <string.h>

bool ck_numeric(enum cfs_scalar s)
{
	return s == CFS_SC_I32 || s == CFS_SC_I64 || s == CFS_SC_U32 || s == CFS_SC_U64 ||
	       s == CFS_SC_F32 || s == CFS_SC_F64;
}

bool ck_integer(enum cfs_scalar s)
{
	return s == CFS_SC_I32 || s == CFS_SC_I64 || s == CFS_SC_U32 || s == CFS_SC_U64;
}

/*
 * §6.1 Compatible(a, b): same list flag, and the same scalar or both
 * numeric.  Vector(n) is a scalar per dimension (Vector(3) is not
 * Vector(4)); nullability and enum values are ignored.
 */
bool ck_compat(const struct cfs_ptype *a, const struct cfs_ptype *b)
{
	if (a->list != b->list)
		return false;
	if (a->scalar == b->scalar)
		return a->scalar != CFS_SC_VECTOR || a->dim == b->dim;
	return ck_numeric(a->scalar) && ck_numeric(b->scalar);
}

bool ck_is_string(const struct cfs_ptype *t)
{
	return !t->list && t->scalar == CFS_SC_STRING;
}

bool ck_is_blob(const struct cfs_etype *t)
{
	return t->kind == CFS_ET_SCALAR && t->scalar.scalar == CFS_SC_BLOB;
}

struct cfs_ptype ck_ptype(enum cfs_scalar s)
{
	struct cfs_ptype t;

	memset(&t, 0, sizeof t);
	t.scalar = s;
	return t;
}

/* The element type of a list type (scalar facet kept, list dropped). */
struct cfs_ptype ck_element(const struct cfs_ptype *list)
{
	struct cfs_ptype t = *list;

	t.list = false;
	return t;
}

void cfs_etype_display(const struct cfs_etype *t, struct cfs_sb *sb)
{
	if (t->kind == CFS_ET_SCALAR)
		cfs_ptype_display(&t->scalar, sb);
	else if (t->kind == CFS_ET_NODE)
		cfs_sb_addf(sb, "node `%s`", t->node->name);
	else
		cfs_sb_adds(sb, "aggregate");
}

/* ------------------------------------------------------------ §6.3 parameters */

static int base_scalar(const char *s, size_t n, enum cfs_scalar *out)
{
	for (int i = CFS_SC_STRING; i < CFS_SC_VECTOR; i++) {
		const char *name = cfs_scalar_name((enum cfs_scalar)i);

		if (strlen(name) == n && !memcmp(name, s, n)) {
			*out = (enum cfs_scalar)i;
			return 0;
		}
	}
	return -1;
}

/* "Vector(N)" with 1 <= N <= 2147483647 (digits only, as normalized). */
static int vector_dim(const char *s, size_t n, uint32_t *dim)
{
	uint64_t v = 0;

	if (n < 9 || memcmp(s, "Vector(", 7) || s[n - 1] != ')')
		return -1;
	for (size_t i = 7; i < n - 1; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > 2147483647u)
			return -1;
	}
	if (v == 0)
		return -1;
	*dim = (uint32_t)v;
	return 0;
}

int cfs_param_ptype(const char *text, bool nullable, struct cfs_ptype *out)
{
	size_t n = strlen(text);

	memset(out, 0, sizeof *out);
	out->nullable = nullable;
	if (n >= 2 && text[0] == '[' && text[n - 1] == ']') {
		out->list = true;
		return base_scalar(text + 1, n - 2, &out->scalar);
	}
	if (!vector_dim(text, n, &out->dim)) {
		out->scalar = CFS_SC_VECTOR;
		return 0;
	}
	return base_scalar(text, n, &out->scalar);
}

/* ------------------------------------------------------------ §6.2 literals */

/* A non-empty list whose elements are all Integer or Float literals. */
bool ck_numeric_vector(const struct cfs_qlit *l)
{
	if (l->kind != QL_LIST || l->nitems == 0)
		return false;
	for (size_t i = 0; i < l->nitems; i++)
		if (l->items[i].kind != QL_INT && l->items[i].kind != QL_FLOAT)
			return false;
	return true;
}

static int list_type(struct ck *c, const struct cfs_qlit *l, struct cfs_ptype *out)
{
	struct cfs_ptype first, t;

	out->list = true;
	out->scalar = CFS_SC_STRING;
	if (l->nitems == 0)
		return 0;
	if (l->items[0].kind == QL_LIST)
		return ck_fail(c, "nested list literals are not supported");
	if (ck_lit_type(c, &l->items[0], &first))
		return -1;
	for (size_t i = 1; i < l->nitems; i++) {
		if (l->items[i].kind == QL_LIST)
			return ck_fail(c, "list literal elements must share a compatible scalar type");
		if (ck_lit_type(c, &l->items[i], &t))
			return -1;
		if (!ck_compat(&first, &t))
			return ck_fail(c, "list literal elements must share a compatible scalar type");
	}
	out->scalar = first.scalar;
	return 0;
}

/* §6.2: the (never nullable) type of a literal; U5/U6 for bad lists. */
int ck_lit_type(struct ck *c, const struct cfs_qlit *l, struct cfs_ptype *out)
{
	memset(out, 0, sizeof *out);
	switch (l->kind) {
	case QL_STRING: out->scalar = CFS_SC_STRING; return 0;
	case QL_INT: out->scalar = CFS_SC_I64; return 0;
	case QL_FLOAT: out->scalar = CFS_SC_F64; return 0;
	case QL_BOOL: out->scalar = CFS_SC_BOOL; return 0;
	case QL_DATE: out->scalar = CFS_SC_DATE; return 0;
	case QL_DATETIME: out->scalar = CFS_SC_DATETIME; return 0;
	case QL_LIST: return list_type(c, l, out);
	}
	return ck_fail(c, "malformed query");
}

void ck_lit_copy(struct cfs_qlit *dst, const struct cfs_qlit *src)
{
	*dst = *src;
	dst->str = src->str ? cfs_xstrdup(src->str) : NULL;
	dst->text = src->text ? cfs_xstrdup(src->text) : NULL;
	dst->items = NULL;
	dst->nitems = 0;
	if (src->nitems) {
		dst->items = cfs_xcalloc(src->nitems, sizeof *dst->items);
		for (size_t i = 0; i < src->nitems; i++)
			ck_lit_copy(&dst->items[i], &src->items[i]);
		dst->nitems = src->nitems;
	}
}

void ck_lit_free(struct cfs_qlit *l)
{
	free(l->str);
	free(l->text);
	for (size_t i = 0; i < l->nitems; i++)
		ck_lit_free(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof *l);
}

static void quoted(const char *s, struct cfs_sb *sb)
{
	cfs_sb_addc(sb, '"');
	for (; s && *s; s++) {
		switch (*s) {
		case '"': cfs_sb_adds(sb, "\\\""); break;
		case '\\': cfs_sb_adds(sb, "\\\\"); break;
		case '\n': cfs_sb_adds(sb, "\\n"); break;
		case '\r': cfs_sb_adds(sb, "\\r"); break;
		case '\t': cfs_sb_adds(sb, "\\t"); break;
		default: cfs_sb_addc(sb, *s); break;
		}
	}
	cfs_sb_addc(sb, '"');
}

/* A literal in source form (numbers as written), for column names. */
void ck_lit_text(const struct cfs_qlit *l, struct cfs_sb *sb)
{
	switch (l->kind) {
	case QL_STRING: quoted(l->str, sb); break;
	case QL_INT:
		if (l->text)
			cfs_sb_adds(sb, l->text);
		else
			cfs_sb_addf(sb, "%lld", (long long)l->i);
		break;
	case QL_FLOAT:
		if (l->text)
			cfs_sb_adds(sb, l->text);
		else
			cfs_sb_addf(sb, "%g", l->f);
		break;
	case QL_BOOL: cfs_sb_adds(sb, l->b ? "true" : "false"); break;
	case QL_DATE: cfs_sb_adds(sb, "date("); quoted(l->str, sb); cfs_sb_addc(sb, ')'); break;
	case QL_DATETIME: cfs_sb_adds(sb, "datetime("); quoted(l->str, sb); cfs_sb_addc(sb, ')'); break;
	case QL_LIST:
		cfs_sb_addc(sb, '[');
		for (size_t i = 0; i < l->nitems; i++) {
			if (i)
				cfs_sb_adds(sb, ", ");
			ck_lit_text(&l->items[i], sb);
		}
		cfs_sb_addc(sb, ']');
		break;
	}
}

/* ------------------------------------------------------------ value checks */

static bool enum_has(const struct cfs_ptype *P, const char *v)
{
	for (size_t i = 0; i < P->nenum; i++)
		if (!strcmp(P->enum_values[i], v))
			return true;
	return false;
}

static int enum_fail(struct ck *c, const struct cfs_ptype *P, const char *p, const char *v)
{
	struct cfs_sb sb = CFS_SB_INIT;

	for (size_t i = 0; i < P->nenum; i++)
		cfs_sb_addf(&sb, "%s%s", i ? ", " : "", P->enum_values[i]);
	ck_fail(c, "T3: property `%s` expects one of [%s], got '%s'", p, cfs_sb_str(&sb), v);
	cfs_sb_release(&sb);
	return -1;
}

/*
 * §7.7 L(lit, P, p): a numeric vector literal against a non-list Vector(d)
 * needs d elements (T3d); otherwise the literal's type must be compatible
 * with P (T3e) and a String literal must name one of an enum's values (T3f).
 */
int ck_lit_check(struct ck *c, const struct cfs_qlit *lit, const struct cfs_ptype *P, const char *p,
		 struct cfs_tvalue *tv)
{
	struct cfs_ptype lt;

	tv->kind = CFS_TV_LIT;
	ck_lit_copy(&tv->lit, lit);
	if (P->scalar == CFS_SC_VECTOR && !P->list && ck_numeric_vector(lit)) {
		if (lit->nitems != P->dim)
			return ck_fail(c, "T3: property `%s` has type Vector(%u) but got vector literal with %zu elements",
				       p, P->dim, lit->nitems);
		tv->type = ck_ptype(CFS_SC_VECTOR);
		tv->type.dim = P->dim;
		return 0;
	}
	if (ck_lit_type(c, lit, &lt))
		return -1;
	tv->type = lt;
	if (!ck_compat(&lt, P))
		return ck_fail(c, "T3: property `%s` has type %s but got %s", p, ck_pdisp(c, P), ck_pdisp(c, &lt));
	if (P->nenum && lit->kind == QL_STRING && !enum_has(P, lit->str))
		return enum_fail(c, P, p, lit->str);
	return 0;
}

/*
 * §7.7 V(value, P, p) for mutation assignments and predicates: literals
 * through L; a parameter must exist (T14a) and be compatible with P, where a
 * non-list String also fills a Blob (T7c); now() needs a DateTime (T7d).
 */
int ck_value(struct ck *c, const struct cfs_qvalue *v, const struct cfs_ptype *P, const char *p,
	     struct cfs_tvalue *tv)
{
	const struct cfs_ptype *A;

	switch (v->kind) {
	case QV_LIT:
		return ck_lit_check(c, &v->lit, P, p, tv);
	case QV_VAR:
		tv->kind = CFS_TV_PARAM;
		tv->name = cfs_xstrdup(v->var);
		A = ck_param(c, v->var);
		if (!A)
			return ck_fail(c, "T14: mutation variable `$%s` must be a declared query parameter", v->var);
		tv->type = *A;
		if (ck_compat(A, P) || (P->scalar == CFS_SC_BLOB && !P->list && ck_is_string(A)))
			return 0;
		return ck_fail(c, "T7: cannot assign/compare %s with %s for property `%s`", ck_pdisp(c, A),
			       ck_pdisp(c, P), p);
	case QV_NOW:
		tv->kind = CFS_TV_NOW;
		tv->type = ck_ptype(CFS_SC_DATETIME);
		if (P->list || P->scalar != CFS_SC_DATETIME)
			return ck_fail(c, "T7: cannot assign/compare DateTime with %s for property `%s`",
				       ck_pdisp(c, P), p);
		return 0;
	}
	return ck_fail(c, "malformed query");
}

void ck_value_free(struct cfs_tvalue *v)
{
	ck_lit_free(&v->lit);
	free(v->name);
	memset(v, 0, sizeof *v);
}
