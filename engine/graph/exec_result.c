/*
 * graph/exec_result: what happens to each complete binding, and the final
 * result.  A plain query projects every binding into a record (all columns,
 * hidden ones included); an aggregate query groups bindings by the values
 * of its non-aggregate projections (SQL GROUP BY over those columns; a bare
 * node groups by node id) and folds the aggregate columns.  Then rrf
 * columns are computed over all records, records are sorted (stable, nulls
 * last in both directions) and cut to the limit.
 *
 * Aggregates ignore null values: count(x) counts the bindings where x is
 * not null (count($n) every binding of $n); sum is an integer while every
 * input is one (and fits), else a float; avg is a float; min/max use the
 * order of exec_eval.c.  Over no value, sum/avg/min/max are null.  An
 * aggregate query without grouping columns always yields one row, even
 * over no binding (count 0).
 *
 * rrf(a, b, k): the records are ranked by a and by b separately (nearest:
 * ascending distance, bm25: descending score; ties keep record order; a
 * record without a value gets no rank), and score 1/(k+rank_a) +
 * 1/(k+rank_b), ranks from 1: higher is better, so rank with `desc`.
 */
#include "engine/graph/exec_int.h"
#include "core/json.h"

#include <stdlib.h>
#include <string.h>

struct xacc {
	int64_t n;                      /* non-null inputs */
	bool real;                      /* some input was a float (or the sum overflowed) */
	int64_t isum;
	double fsum;
	json_t *best;                   /* min / max so far */
};

static json_t **new_record(const struct xquery *q)
{
	return cfs_xcalloc(q->ncols + 1, sizeof(json_t *));
}

static void free_record(const struct xquery *q, json_t **vals)
{
	for (size_t i = 0; vals && i < q->ncols; i++)
		json_decref(vals[i]);
	free(vals);
}

void xr_collect(struct ectx *c, void *arg)
{
	const struct xquery *q = c->q;
	json_t **vals = new_record(q);

	(void)arg;
	c->cur_vals = vals;
	for (size_t j = 0; j < q->ncols && !c->err; j++)
		if (!q->cols[j].rrf)
			vals[j] = xeval(c, &q->cols[j].e);
	c->cur_vals = NULL;
	if (c->err) {
		free_record(q, vals);
		return;
	}
	if (c->nrecs == c->caprecs) {
		c->caprecs = c->caprecs ? 2 * c->caprecs : 64;
		c->recs = cfs_xrealloc(c->recs, c->caprecs * sizeof *c->recs);
	}
	c->recs[c->nrecs++] = vals;
	if (q->early_limit && c->nrecs >= q->limit)
		c->stop = true;
}

/* Append an injective, self-delimiting encoding of v to the group key. */
static void key_add(struct cfs_sb *sb, const json_t *v)
{
	char *text;

	if (!v || json_is_null(v)) {
		cfs_sb_addc(sb, 'z');
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		cfs_sb_addc(sb, 's');
		for (size_t i = 0; i < n; i++) {        /* keep the key a C string */
			if (s[i] == '\0' || s[i] == '\1')
				cfs_sb_addc(sb, '\1');
			cfs_sb_addc(sb, s[i] ? s[i] : '\2');
		}
		cfs_sb_adds(sb, "\1\3");     /* terminator, distinct from both escapes */
	} else if (json_is_integer(v)) {
		cfs_sb_addf(sb, "i%lld;", (long long)json_integer_value(v));
	} else {
		text = cfs_json_compact(v, CFS_JSON_SORTED);
		cfs_sb_addf(sb, "j%zu:%s", strlen(text), text);
		free(text);
	}
}

static void acc_add(struct xacc *a, enum cfs_agg agg, const json_t *v)
{
	if (!v)
		return;
	a->n++;
	if (agg == AGG_SUM || agg == AGG_AVG) {
		if (!json_is_number(v))
			return;
		a->fsum += json_number_value(v);
		if (!json_is_integer(v) || __builtin_add_overflow(a->isum, (int64_t)json_integer_value(v), &a->isum))
			a->real = true;
	} else if (agg == AGG_MIN || agg == AGG_MAX) {
		int r = a->best ? xv_order(v, a->best) : 0;
		if (!a->best || (agg == AGG_MIN ? r < 0 : r > 0)) {
			json_decref(a->best);
			a->best = json_incref((json_t *)v);
		}
	}
}

static json_t *acc_result(struct xacc *a, enum cfs_agg agg)
{
	switch (agg) {
	case AGG_COUNT:
		return json_integer(a->n);
	case AGG_SUM:
		if (!a->n)
			return NULL;
		return a->real ? json_real(a->fsum) : json_integer(a->isum);
	case AGG_AVG:
		return a->n ? json_real(a->fsum / (double)a->n) : NULL;
	case AGG_MIN: case AGG_MAX:
		return json_incref(a->best);
	}
	return NULL;
}

/* A new group from the current binding: the evaluated key values in keys
 * (moved out; NULL for none), the other non-aggregate columns evaluated
 * now.  Registered under key when the query groups. */
static long new_group(struct ectx *c, json_t **keys, const char *key)
{
	const struct xquery *q = c->q;
	json_t **vals = new_record(q);

	for (size_t j = 0; keys && j < q->ncols; j++) {
		vals[j] = keys[j];
		keys[j] = NULL;
	}
	for (size_t j = 0; j < q->ncols && !c->err; j++)
		if (!q->cols[j].agg && !vals[j])
			vals[j] = xeval(c, &q->cols[j].e);
	if (c->ngroups == c->capgroups) {
		c->capgroups = c->capgroups ? 2 * c->capgroups : 16;
		c->gv = cfs_xrealloc(c->gv, c->capgroups * sizeof *c->gv);
	}
	c->gv[c->ngroups].vals = vals;
	c->gv[c->ngroups].acc = cfs_xcalloc(q->ncols + 1, sizeof(struct xacc));
	if (key)
		cfs_hmap_put(&c->groups, key, c->ngroups);
	c->ngroups++;
	return c->err ? -1 : (long)c->ngroups - 1;
}

/* The group of the current binding, created when new.  Its index, or -1
 * on error. */
static long find_group(struct ectx *c)
{
	const struct xquery *q = c->q;
	json_t **keys;
	size_t g;

	if (!q->keyed)
		return c->ngroups ? 0 : new_group(c, NULL, NULL);
	if (!c->scratch)
		c->scratch = new_record(q);
	keys = c->scratch;
	cfs_sb_reset(&c->key);
	for (size_t j = 0; j < q->ncols && !c->err; j++) {
		const struct xexpr *e = &q->cols[j].e;
		if (!q->cols[j].key)
			continue;
		if (e->kind == CFS_TE_NODE) {        /* group by identity, build the object once */
			const json_t *row = e->slot >= 0 ? c->slots[e->slot] : NULL;
			key_add(&c->key, row ? json_object_get(row, "id") : NULL);
			continue;
		}
		keys[j] = xeval(c, e);
		key_add(&c->key, keys[j]);
	}
	if (!c->err && !cfs_hmap_get(&c->groups, cfs_sb_str(&c->key), &g))
		return new_group(c, keys, cfs_sb_str(&c->key));
	for (size_t j = 0; j < q->ncols; j++) {
		json_decref(keys[j]);
		keys[j] = NULL;
	}
	return c->err ? -1 : (long)g;
}

static bool agg_is_node_count(const struct xcol *col)
{
	return col->e.agg == AGG_COUNT && col->e.nargs == 1 && col->e.args[0].kind == CFS_TE_NODE;
}

void xr_aggregate(struct ectx *c, void *arg)
{
	const struct xquery *q = c->q;
	long g = find_group(c);

	(void)arg;
	if (g < 0)
		return;
	for (size_t j = 0; j < q->ncols && !c->err; j++) {
		const struct xcol *col = &q->cols[j];
		struct xacc *a = &c->gv[g].acc[j];
		if (!col->agg || !col->e.nargs)
			continue;
		if (agg_is_node_count(col)) {       /* no need to build the node */
			int s = col->e.args[0].slot;
			a->n += s >= 0 && c->slots[s];
			continue;
		}
		json_t *tmp;
		acc_add(a, col->e.agg, xpeek(c, &col->e.args[0], &tmp));
		json_decref(tmp);
	}
}

/* Turn the groups into records (one empty group when nothing grouped). */
static void groups_to_records(struct ectx *c)
{
	const struct xquery *q = c->q;

	if (!c->ngroups && !q->keyed)
		find_group(c);
	c->recs = cfs_xcalloc(c->ngroups + 1, sizeof *c->recs);
	for (size_t g = 0; g < c->ngroups; g++) {
		struct xgroup *gr = &c->gv[g];
		for (size_t j = 0; j < q->ncols; j++) {
			if (!q->cols[j].agg)
				continue;
			gr->vals[j] = acc_result(&gr->acc[j], q->cols[j].e.agg);
			json_decref(gr->acc[j].best);
		}
		free(gr->acc);
		gr->acc = NULL;
		c->recs[c->nrecs++] = gr->vals;
		gr->vals = NULL;
	}
}

/* Stable merge sort of records by the order columns. */
static int rec_cmp(const struct xquery *q, json_t *const *a, json_t *const *b)
{
	for (size_t i = 0; i < q->norders; i++) {
		const json_t *x = a[q->orders[i].col], *y = b[q->orders[i].col];
		bool xn = !x || json_is_null(x), yn = !y || json_is_null(y);
		if (xn || yn) {
			if (xn != yn)
				return xn ? 1 : -1;     /* nulls last, whatever the direction */
			continue;
		}
		int r = xv_order(x, y);
		if (r)
			return q->orders[i].desc ? -r : r;
	}
	return 0;
}

/* Stable merge sort of record indexes idx[0..n) by the order columns. */
static void merge_sort(const struct xquery *q, json_t ***recs, size_t *idx, size_t *tmp, size_t n)
{
	size_t h = n / 2, i = 0, j = h, k = 0;

	if (n < 2)
		return;
	merge_sort(q, recs, idx, tmp, h);
	merge_sort(q, recs, idx + h, tmp, n - h);
	while (i < h && j < n)
		tmp[k++] = rec_cmp(q, recs[idx[j]], recs[idx[i]]) < 0 ? idx[j++] : idx[i++];
	while (i < h)
		tmp[k++] = idx[i++];
	while (j < n)
		tmp[k++] = idx[j++];
	memcpy(idx, tmp, n * sizeof *idx);
}

/* The record indexes in the order of q's order columns. */
static size_t *sorted_indexes(const struct xquery *q, json_t ***recs, size_t n)
{
	size_t *idx = cfs_xcalloc(n + 1, sizeof *idx), *tmp = cfs_xcalloc(n + 1, sizeof *tmp);

	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	merge_sort(q, recs, idx, tmp, n);
	free(tmp);
	return idx;
}

/* 1-based ranks of the records by column col (no value: rank 0). */
static size_t *ranks_by(struct ectx *c, size_t col, bool desc)
{
	struct xquery q1 = { 0 };
	struct xorder o = { col, desc };
	size_t *rank = cfs_xcalloc(c->nrecs + 1, sizeof *rank), *idx;

	q1.orders = &o;
	q1.norders = 1;
	idx = sorted_indexes(&q1, c->recs, c->nrecs);
	for (size_t i = 0; i < c->nrecs; i++) {
		const json_t *v = c->recs[idx[i]][col];
		rank[idx[i]] = v && !json_is_null(v) ? i + 1 : 0;
	}
	free(idx);
	return rank;
}

static void compute_rrf(struct ectx *c)
{
	const struct xquery *q = c->q;

	for (size_t j = 0; j < q->ncols; j++) {
		const struct xcol *col = &q->cols[j];
		if (!col->rrf)
			continue;
		size_t *ra = ranks_by(c, col->ra, q->cols[col->ra].e.kind == CFS_TE_BM25);
		size_t *rb = ranks_by(c, col->rb, q->cols[col->rb].e.kind == CFS_TE_BM25);
		for (size_t i = 0; i < c->nrecs; i++) {
			double s = (ra[i] ? 1.0 / (col->rrf_k + (double)ra[i]) : 0) +
				   (rb[i] ? 1.0 / (col->rrf_k + (double)rb[i]) : 0);
			json_decref(c->recs[i][j]);
			c->recs[i][j] = json_real(s);
		}
		free(ra);
		free(rb);
	}
	for (size_t j = 0; j < q->ncols; j++) {         /* aliases of rrf columns */
		const struct xexpr *e = &q->cols[j].e;
		if (e->kind != CFS_TE_ALIAS || e->col < 0 || !q->cols[e->col].rrf)
			continue;
		for (size_t i = 0; i < c->nrecs; i++) {
			json_decref(c->recs[i][j]);
			c->recs[i][j] = json_incref(c->recs[i][e->col]);
		}
	}
}

/* rec_cmp, then record index: the total order a stable sort produces. */
static int full_cmp(const struct xquery *q, json_t ***recs, size_t a, size_t b)
{
	int r = rec_cmp(q, recs[a], recs[b]);

	return r ? r : (a > b) - (a < b);
}

static void sift_down(const struct xquery *q, json_t ***recs, size_t *heap, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, big = i;
		if (l < n && full_cmp(q, recs, heap[l], heap[big]) > 0)
			big = l;
		if (r < n && full_cmp(q, recs, heap[r], heap[big]) > 0)
			big = r;
		if (big == i)
			return;
		size_t t = heap[i];
		heap[i] = heap[big];
		heap[big] = t;
		i = big;
	}
}

/* The indexes of the first k (0 < k < n) records in order, through a
 * bounded max-heap: O(n log k) instead of sorting everything. */
static size_t *top_indexes(const struct xquery *q, json_t ***recs, size_t n, size_t k)
{
	size_t *heap = cfs_xcalloc(k + 1, sizeof *heap), m = 0;

	for (size_t i = 0; i < n; i++) {
		if (m < k) {
			size_t j = m++;
			heap[j] = i;
			while (j && full_cmp(q, recs, heap[(j - 1) / 2], heap[j]) < 0) {
				size_t t = heap[j];
				heap[j] = heap[(j - 1) / 2];
				heap[(j - 1) / 2] = t;
				j = (j - 1) / 2;
			}
		} else if (full_cmp(q, recs, i, heap[0]) < 0) {
			heap[0] = i;
			sift_down(q, recs, heap, m, 0);
		}
	}
	for (size_t end = m; end > 1; end--) {          /* heap sort, ascending */
		size_t t = heap[0];
		heap[0] = heap[end - 1];
		heap[end - 1] = t;
		sift_down(q, recs, heap, end - 1, 0);
	}
	return heap;
}

/* Order the records; with a limit only the first `limit` are ordered (the
 * rest follow in any order and are cut by xr_finish). */
static void sort_records(struct ectx *c)
{
	const struct xquery *q = c->q;
	size_t n = c->nrecs, k = q->has_limit && q->limit < n ? (size_t)q->limit : n, at = 0;
	size_t *idx;
	bool *taken;
	json_t ***sorted;

	if (!q->norders || n < 2 || !k)
		return;
	idx = k < n ? top_indexes(q, c->recs, n, k) : sorted_indexes(q, c->recs, n);
	sorted = cfs_xcalloc(n + 1, sizeof *sorted);
	taken = cfs_xcalloc(n + 1, sizeof *taken);
	for (size_t i = 0; i < k; i++) {
		sorted[at++] = c->recs[idx[i]];
		taken[idx[i]] = true;
	}
	for (size_t i = 0; i < n; i++)
		if (!taken[i])
			sorted[at++] = c->recs[i];
	free(c->recs);
	free(idx);
	free(taken);
	c->recs = sorted;
	c->caprecs = n;
}

/* {"columns": [...], "rows": [[...]...]} from the records, cut to the limit. */
json_t *xr_finish(struct ectx *c, const struct cfs_typed_query *tq)
{
	const struct xquery *q = c->q;
	json_t *cols = json_array(), *rows = json_array();
	size_t n;

	if (q->aggregate)
		groups_to_records(c);
	if (q->has_rrf)
		compute_rrf(c);
	sort_records(c);
	n = c->nrecs;
	if (q->has_limit && q->limit < n)
		n = (size_t)q->limit;
	for (size_t j = 0; j < q->nvisible; j++)
		json_array_append_new(cols, cfs_json_text(tq->projs[j].column));
	for (size_t i = 0; i < n; i++) {
		json_t *row = json_array();
		for (size_t j = 0; j < q->nvisible; j++) {
			json_t *v = c->recs[i][j];
			json_array_append(row, v ? v : json_null());
		}
		json_array_append_new(rows, row);
	}
	json_t *result = json_object();
	json_object_set_new(result, "columns", cols);
	json_object_set_new(result, "rows", rows);
	return result;
}

void xr_free(struct ectx *c)
{
	for (size_t i = 0; i < c->nrecs; i++)
		free_record(c->q, c->recs[i]);
	free(c->recs);
	for (size_t g = 0; g < c->ngroups; g++) {
		if (c->gv[g].acc)
			for (size_t j = 0; j < c->q->ncols; j++)
				json_decref(c->gv[g].acc[j].best);
		free(c->gv[g].acc);
		free_record(c->q, c->gv[g].vals);
	}
	free(c->gv);
	free_record(c->q, c->scratch);
	cfs_hmap_free(&c->groups);
	cfs_sb_release(&c->key);
	c->recs = NULL;
	c->gv = NULL;
	c->scratch = NULL;
	c->nrecs = c->ngroups = 0;
}
