/*
 * graph/exec_match: runs a scheduled clause list depth first.  The current
 * binding lives in ctx->slots; each step extends it (a scan, a key lookup,
 * an edge expansion) or tests it (a check, a filter, a negation) and calls
 * the next step, restoring the slots it set before it returns.
 *
 * Traversal semantics:
 *  - one hop (no bounds or {1,1}): one result per matching edge, so a pair
 *    joined by two edges yields two rows; an edge variable is bound to the
 *    edge row.  Undirected (<e>) walks out-edges then in-edges of the node,
 *    a self-loop counted once;
 *  - multi-hop {min,max}: the distinct nodes whose hop distance (shortest
 *    path over edges of that type, in the traversal's direction) from the
 *    start node lies in min..max, each once, in breadth-first discovery
 *    order; the start node itself (distance 0) is never a result.  An edge
 *    whose endpoint types differ cannot be chained, so only its first hop
 *    counts.
 * When both endpoints are already bound (a join), a one-hop traversal
 * walks the shorter of the two adjacency lists.
 */
#include "engine/graph/exec_int.h"

#include <stdlib.h>
#include <string.h>

struct cont {                           /* where to go after the current step */
	const struct xplan *p;
	size_t i;
	xsink sink;
	void *arg;
};

static void next(struct ectx *c, const struct cont *k)
{
	xrun(c, k->p, k->i + 1, k->sink, k->arg);
}

static const json_t *slot_get(const struct ectx *c, int slot)
{
	return slot >= 0 ? c->slots[slot] : NULL;
}

static void slot_set(struct ectx *c, int slot, const json_t *row)
{
	if (slot >= 0)
		c->slots[slot] = row;
}

static bool list_has(const json_t *list, const json_t *v)
{
	size_t i;
	json_t *e;

	json_array_foreach(list, i, e)
		if (xv_equal(e, v))
			return true;
	return false;
}

/* Scalar equality per property; a list property matches by membership. */
static bool row_matches(const struct xclause *x, const json_t *row)
{
	for (size_t i = 0; i < x->nm; i++) {
		const json_t *v = json_object_get(row, x->m[i].prop);
		if (x->m[i].membership ? !json_is_array(v) || !list_has(v, x->m[i].value)
				       : !xv_equal(v, x->m[i].value))
			return false;
	}
	return true;
}

static void bind_and_go(struct ectx *c, const struct xclause *x, const json_t *row, const struct cont *k)
{
	if (!row_matches(x, row))
		return;
	slot_set(c, x->slot, row);
	next(c, k);
	slot_set(c, x->slot, NULL);
}

static void run_binding(struct ectx *c, const struct xclause *x, const struct cont *k)
{
	const json_t *bound = slot_get(c, x->slot);
	size_t i;
	json_t *row;

	if (x->never)
		return;
	if (bound) {
		if (row_matches(x, bound))
			next(c, k);
		return;
	}
	if (x->key_id) {
		long r = cfs_table_find(x->table, x->key_id);
		c->st.key_lookups++;
		if (r >= 0)
			bind_and_go(c, x, json_array_get(x->table->rows, (size_t)r), k);
		return;
	}
	json_array_foreach(x->table->rows, i, row) {
		c->st.rows_scanned++;
		bind_and_go(c, x, row, k);
		if (c->stop)
			break;
	}
}

/* Adjacency lists to walk from a node: forward follows the traversal's
 * direction, backward (from its destination) the opposite one.  far names
 * the edge member holding the other endpoint. */
struct hops {
	const size_t *idx[2];
	size_t n[2];
	const char *far[2];
	size_t count;
};

static void hop_lists(const struct xclause *x, const char *id, bool fwd, struct hops *h)
{
	bool out = x->dir == CFS_DIR_BOTH || (x->dir == CFS_DIR_OUT) == fwd;   /* src -> dst */

	memset(h, 0, sizeof *h);
	h->count = x->dir == CFS_DIR_BOTH ? 2 : 1;
	if (out) {
		cfs_table_edges_from(x->etab, id, &h->idx[0], &h->n[0]);
		h->far[0] = "dst";
	} else {
		cfs_table_edges_to(x->etab, id, &h->idx[0], &h->n[0]);
		h->far[0] = "src";
	}
	if (h->count == 2) {
		cfs_table_edges_to(x->etab, id, &h->idx[1], &h->n[1]);
		h->far[1] = "src";
	}
}

static size_t hops_total(const struct hops *h)
{
	return h->n[0] + (h->count == 2 ? h->n[1] : 0);
}

/* Walk one adjacency list.  check_id: the far end must be that node (it is
 * bound); else the far node is looked up in far_tab and bound to slot. */
struct walk {
	const struct xclause *x;
	struct cfs_table *far_tab;
	const char *check_id;
	int slot;
	bool skip_loops;                /* undirected second list: self-loops done */
};

static void walk_edge(struct ectx *c, const struct walk *w, const json_t *e, const char *far,
		      const struct cont *k)
{
	const char *far_id = cfs_row_str(e, far);
	const json_t *far_row = NULL;
	long r;

	c->st.edges_visited++;
	if (!far_id)
		return;
	if (w->skip_loops) {
		const char *dst = cfs_row_str(e, "dst");
		if (dst && !strcmp(dst, far_id))
			return;
	}
	if (w->check_id) {
		if (strcmp(far_id, w->check_id))
			return;
	} else {
		r = cfs_table_find(w->far_tab, far_id);
		if (r < 0)
			return;
		far_row = json_array_get(w->far_tab->rows, (size_t)r);
	}
	slot_set(c, w->slot, far_row);
	slot_set(c, w->x->eslot, e);
	next(c, k);
	slot_set(c, w->x->eslot, NULL);
	slot_set(c, w->slot, NULL);
}

static void walk_lists(struct ectx *c, struct walk *w, const struct hops *h, const struct cont *k)
{
	for (size_t l = 0; l < h->count; l++) {
		w->skip_loops = l == 1;
		for (size_t j = 0; j < h->n[l] && !c->stop; j++)
			walk_edge(c, w, json_array_get(w->x->etab->rows, h->idx[l][j]), h->far[l], k);
	}
}

static void one_hop(struct ectx *c, const struct xclause *x, const json_t *from, bool fwd, const struct cont *k)
{
	int tslot = fwd ? x->dst : x->src;
	const json_t *target = slot_get(c, tslot);
	const char *from_id = cfs_row_str(from, "id");
	struct walk w = { x, fwd ? x->dtab : x->stab, NULL, target ? -1 : tslot, false };
	struct hops h, back;

	if (!from_id)
		return;
	hop_lists(x, from_id, fwd, &h);
	if (target) {
		w.check_id = cfs_row_str(target, "id");
		if (!w.check_id)
			return;
		if (x->dir != CFS_DIR_BOTH) {   /* join: walk the shorter list */
			hop_lists(x, w.check_id, !fwd, &back);
			if (hops_total(&back) < hops_total(&h)) {
				w.check_id = from_id;
				h = back;
			}
		}
	}
	walk_lists(c, &w, &h, k);
}

static uint32_t *marks_for(struct ectx *c, struct cfs_table *t)
{
	size_t ti = (size_t)(t - c->s->tables);

	if (!c->marks[ti])
		c->marks[ti] = cfs_xcalloc(json_array_size(t->rows) + 1, sizeof **c->marks);
	return c->marks[ti];
}

struct rowvec {
	const json_t **v;
	size_t n, cap;
};

static void rowvec_push(struct rowvec *a, const json_t *row)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 16;
		a->v = cfs_xrealloc(a->v, a->cap * sizeof *a->v);
	}
	a->v[a->n++] = row;
}

/* Expand one breadth-first level: the far_tab rows first seen now. */
static void bfs_level(struct ectx *c, const struct xclause *x, bool fwd, struct cfs_table *far_tab,
		      uint32_t *marks, const struct rowvec *frontier, struct rowvec *nextv)
{
	struct hops h;

	for (size_t f = 0; f < frontier->n; f++) {
		const char *id = cfs_row_str(frontier->v[f], "id");
		if (!id)
			continue;
		hop_lists(x, id, fwd, &h);
		for (size_t l = 0; l < h.count; l++)
			for (size_t j = 0; j < h.n[l]; j++) {
				const char *far = cfs_row_str(json_array_get(x->etab->rows, h.idx[l][j]), h.far[l]);
				long r = far ? cfs_table_find(far_tab, far) : -1;
				c->st.edges_visited++;
				if (r < 0 || marks[r] == c->gen)
					continue;
				marks[r] = c->gen;
				rowvec_push(nextv, json_array_get(far_tab->rows, (size_t)r));
			}
	}
}

/* The far-table rows at distance min..max from `from`, discovery order. */
static struct rowvec reach(struct ectx *c, const struct xclause *x, const json_t *from, bool fwd)
{
	struct cfs_table *near_tab = fwd ? x->stab : x->dtab, *far_tab = fwd ? x->dtab : x->stab;
	uint32_t maxd = near_tab == far_tab ? x->max : 1, *marks = marks_for(c, far_tab);
	struct rowvec frontier = { NULL, 0, 0 }, nextv = { NULL, 0, 0 }, out = { NULL, 0, 0 };
	const char *id = cfs_row_str(from, "id");
	long r;

	c->gen++;
	if (near_tab == far_tab && id && (r = cfs_table_find(far_tab, id)) >= 0)
		marks[r] = c->gen;
	rowvec_push(&frontier, from);
	for (uint32_t d = 1; d <= maxd && frontier.n; d++) {
		nextv.n = 0;
		bfs_level(c, x, fwd, far_tab, marks, &frontier, &nextv);
		for (size_t j = 0; d >= x->min && j < nextv.n; j++)
			rowvec_push(&out, nextv.v[j]);
		struct rowvec t = frontier;
		frontier = nextv;
		nextv = t;
	}
	free(frontier.v);
	free(nextv.v);
	return out;
}

static void multi_hop(struct ectx *c, const struct xclause *x, const json_t *from, bool fwd, const struct cont *k)
{
	int tslot = fwd ? x->dst : x->src;
	const json_t *target = slot_get(c, tslot);
	struct rowvec found = reach(c, x, from, fwd);

	for (size_t j = 0; j < found.n && !c->stop; j++) {
		if (target && target != found.v[j])
			continue;
		if (!target)
			slot_set(c, tslot, found.v[j]);
		next(c, k);
		if (!target)
			slot_set(c, tslot, NULL);
	}
	free(found.v);
}

static void expand(struct ectx *c, const struct xclause *x, const json_t *from, bool fwd, const struct cont *k)
{
	if (x->min == 1 && x->max == 1)
		one_hop(c, x, from, fwd, k);
	else
		multi_hop(c, x, from, fwd, k);
}

static void run_traversal(struct ectx *c, const struct xclause *x, const struct cont *k)
{
	const json_t *s = slot_get(c, x->src), *d = slot_get(c, x->dst);
	size_t i;
	json_t *row;

	if (s) {
		expand(c, x, s, true, k);
		return;
	}
	if (d) {
		expand(c, x, d, false, k);
		return;
	}
	json_array_foreach(x->stab->rows, i, row) {
		c->st.rows_scanned++;
		slot_set(c, x->src, row);
		expand(c, x, row, true, k);
		slot_set(c, x->src, NULL);
		if (c->stop)
			break;
	}
}

static bool run_filter(struct ectx *c, const struct xclause *x)
{
	json_t *lt, *rt;
	const json_t *l = xpeek(c, &x->left, &lt), *r = xpeek(c, &x->right, &rt);
	bool ok = !c->err && xv_test(x->op, l, r);

	json_decref(lt);
	json_decref(rt);
	return ok;
}

static void found_sink(struct ectx *c, void *arg)
{
	*(bool *)arg = true;
	c->stop = true;
}

/* Whether the inner clauses of `not { }` extend the current binding. */
static bool inner_matches(struct ectx *c, const struct xclause *x)
{
	bool found = false;

	xrun(c, x->inner, 0, found_sink, &found);
	if (!c->err)
		c->stop = false;
	return found;
}

void xrun(struct ectx *c, const struct xplan *p, size_t i, xsink sink, void *arg)
{
	struct cont k = { p, i, sink, arg };
	const struct xclause *x;

	if (c->stop)
		return;
	if (i == p->n) {
		sink(c, arg);
		return;
	}
	x = &p->v[i];
	switch (x->kind) {
	case CFS_TC_BINDING:
		run_binding(c, x, &k);
		break;
	case CFS_TC_TRAVERSAL:
		run_traversal(c, x, &k);
		break;
	case CFS_TC_FILTER:
		if (run_filter(c, x))
			next(c, &k);
		break;
	case CFS_TC_NOT:
		if (!inner_matches(c, x) && !c->err)
			next(c, &k);
		break;
	}
}
