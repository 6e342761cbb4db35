/*
 * graph/exec_eval: expression values and the comparison rules of filters.
 *
 * Values are JSON as stored in rows (snapshot.h); NULL stands for null or
 * a missing property.  Rules:
 *  - numbers compare numerically across integers and floats (two integers
 *    exactly, otherwise as doubles); strings byte-wise (so Date and
 *    DateTime compare as their ISO strings); false < true;
 *  - null: every filter operator is false when either side is null or
 *    missing (`!=` included), and a binding match against null never
 *    matches;
 *  - values of different kinds (a string against a number) are unequal:
 *    `=` false, `!=` true, the ordering operators false;
 *  - `contains`: substring on a String, element membership on a list;
 *    `starts_with`: byte prefix on a String.
 */
#include "engine/graph/exec_int.h"
#include "core/json.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void ex_fail(struct ectx *c, const char *fmt, ...)
{
	struct cfs_sb sb = CFS_SB_INIT;
	va_list ap;

	c->stop = true;
	if (c->err)
		return;
	va_start(ap, fmt);
	cfs_sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	c->err = cfs_sb_detach(&sb);
}

enum vclass { VC_BOOL, VC_NUM, VC_STR, VC_ARR, VC_OBJ };

static enum vclass vclass(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_TRUE: case JSON_FALSE:
		return VC_BOOL;
	case JSON_INTEGER: case JSON_REAL:
		return VC_NUM;
	case JSON_STRING:
		return VC_STR;
	case JSON_ARRAY:
		return VC_ARR;
	default:
		return VC_OBJ;
	}
}

static int num_cmp(const json_t *a, const json_t *b)
{
	if (json_is_integer(a) && json_is_integer(b)) {
		json_int_t x = json_integer_value(a), y = json_integer_value(b);
		return (x > y) - (x < y);
	}
	double x = json_number_value(a), y = json_number_value(b);
	return (x > y) - (x < y);
}

static int str_cmp(const json_t *a, const json_t *b)
{
	size_t la = json_string_length(a), lb = json_string_length(b);
	int r = memcmp(json_string_value(a), json_string_value(b), la < lb ? la : lb);

	if (r)
		return r < 0 ? -1 : 1;
	return (la > lb) - (la < lb);
}

/* Same-class comparison (class already equal). */
static int same_cmp(const json_t *a, const json_t *b)
{
	size_t i;

	switch (vclass(a)) {
	case VC_BOOL:
		return json_is_true(a) - json_is_true(b);
	case VC_NUM:
		return num_cmp(a, b);
	case VC_STR:
		return str_cmp(a, b);
	case VC_ARR:
		for (i = 0; i < json_array_size(a) && i < json_array_size(b); i++) {
			int r = xv_order(json_array_get(a, i), json_array_get(b, i));
			if (r)
				return r;
		}
		return (json_array_size(a) > i) - (json_array_size(b) > i);
	case VC_OBJ:
		break;
	}
	const char *x = cfs_row_str(a, "id"), *y = cfs_row_str(b, "id");
	return strcmp(x ? x : "", y ? y : "");
}

int xv_order(const json_t *a, const json_t *b)
{
	if (!a || json_is_null(a) || !b || json_is_null(b))
		return (a && !json_is_null(a)) - (b && !json_is_null(b));
	enum vclass ca = vclass(a), cb = vclass(b);
	if (ca != cb)
		return ca < cb ? -1 : 1;
	return same_cmp(a, b);
}

bool xv_equal(const json_t *a, const json_t *b)
{
	if (!a || json_is_null(a) || !b || json_is_null(b) || vclass(a) != vclass(b))
		return false;
	return same_cmp(a, b) == 0;
}

static bool contains(const json_t *l, const json_t *r)
{
	size_t i;
	json_t *e;

	if (json_is_string(l)) {
		if (!json_is_string(r))
			return false;
		size_t ll = json_string_length(l), rl = json_string_length(r);
		const char *h = json_string_value(l), *n = json_string_value(r);
		for (size_t at = 0; at + rl <= ll; at++)
			if (!memcmp(h + at, n, rl))
				return true;
		return false;
	}
	json_array_foreach(l, i, e)
		if (xv_equal(e, r))
			return true;
	return false;
}

bool xv_test(enum cfs_qop op, const json_t *l, const json_t *r)
{
	if (!l || json_is_null(l) || !r || json_is_null(r))
		return false;
	if (op == QOP_CONTAINS)
		return contains(l, r);
	if (op == QOP_STARTS_WITH)
		return json_is_string(l) && json_is_string(r) && json_string_length(r) <= json_string_length(l) &&
		       !memcmp(json_string_value(l), json_string_value(r), json_string_length(r));
	if (vclass(l) != vclass(r))
		return op == QOP_NE;
	int c = same_cmp(l, r);
	return cfs_qop_holds(op, c);
}

/* A node as {"id": ..., <property>: value...} in schema property order
 * (members the schema no longer declares stay hidden). */
json_t *x_node_json(const struct cfs_type *t, const json_t *row)
{
	json_t *o = json_object();
	json_t *id = json_object_get(row, "id");

	if (id)
		json_object_set(o, "id", id);
	for (size_t i = 0; i < t->nprops; i++) {
		json_t *v = json_object_get(row, t->props[i].name);
		if (v)
			json_object_set(o, t->props[i].name, v);
	}
	return o;
}

static json_t *eval_text(struct ectx *c, const struct xexpr *e)
{
	json_t *ft, *qt, *kt, *out;
	const json_t *f = xpeek(c, &e->args[0], &ft), *q = xpeek(c, &e->args[1], &qt), *k;
	const char *fs = json_string_value(f), *qs = json_string_value(q);
	long edits = 2;

	if (e->kind == CFS_TE_FUZZY && e->nargs > 2) {
		k = xpeek(c, &e->args[2], &kt);
		edits = json_is_integer(k) ? (long)json_integer_value(k) : 2;
		json_decref(kt);
	}
	switch (e->kind) {
	case CFS_TE_SEARCH: out = json_boolean(fs && qs && xt_search(fs, qs)); break;
	case CFS_TE_FUZZY: out = json_boolean(fs && qs && xt_fuzzy(fs, qs, edits)); break;
	case CFS_TE_MATCH_TEXT: out = json_boolean(fs && qs && xt_match_text(fs, qs)); break;
	default: out = json_real(fs && qs ? xt_bm25(fs, qs) : 0.0); break;
	}
	json_decref(ft);
	json_decref(qt);
	return out;
}

static json_t *eval_nearest(struct ectx *c, const struct xexpr *e)
{
	json_t *vt, *qt, *out = NULL;
	const json_t *v = xpeek(c, &e->args[0], &vt), *q = xpeek(c, &e->args[1], &qt);
	double d;

	if (json_is_string(q))
		ex_fail(c, "nearest with a String query requires an embedding provider");
	else if (xt_cosine_distance(v, q, &d))
		out = json_real(d);
	json_decref(vt);
	json_decref(qt);
	return out;
}

/* A stored value (row member, constant) is returned borrowed; anything
 * computed comes back in *tmp too, for the caller to release. */
const json_t *xpeek(struct ectx *c, const struct xexpr *e, json_t **tmp)
{
	const json_t *row, *v;

	*tmp = NULL;
	switch (e->kind) {
	case CFS_TE_NOW: case CFS_TE_LIT: case CFS_TE_PARAM:
		return e->value;
	case CFS_TE_PROP:
		row = e->slot >= 0 ? c->slots[e->slot] : NULL;
		v = row ? json_object_get(row, e->prop) : NULL;
		return json_is_null(v) ? NULL : v;
	default:
		return *tmp = xeval(c, e);
	}
}

json_t *xeval(struct ectx *c, const struct xexpr *e)
{
	const json_t *row;
	json_t *v;

	switch (e->kind) {
	case CFS_TE_NOW: case CFS_TE_LIT: case CFS_TE_PARAM:
		return json_incref(e->value);
	case CFS_TE_NODE:
		row = e->slot >= 0 ? c->slots[e->slot] : NULL;
		return row ? x_node_json(e->node, row) : NULL;
	case CFS_TE_PROP:
		row = e->slot >= 0 ? c->slots[e->slot] : NULL;
		v = row ? json_object_get(row, e->prop) : NULL;
		return json_is_null(v) ? NULL : json_incref(v);
	case CFS_TE_ALIAS:
		return c->cur_vals && e->col >= 0 ? json_incref(c->cur_vals[e->col]) : NULL;
	case CFS_TE_NEAREST:
		return eval_nearest(c, e);
	case CFS_TE_SEARCH: case CFS_TE_FUZZY: case CFS_TE_MATCH_TEXT: case CFS_TE_BM25:
		return eval_text(c, e);
	case CFS_TE_AGG: case CFS_TE_RRF:
		break;
	}
	return NULL;       /* aggregates and rrf are computed by exec_result.c */
}
