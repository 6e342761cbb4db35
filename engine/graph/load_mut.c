/*
 * graph/load_mut: executes a typechecked .gq mutation (query-lang.md §7.7)
 * over a working copy of the snapshot.  Statements run in order, each
 * seeing the effects of the earlier ones; the first failing statement
 * fails the whole query and nothing is applied.
 *
 *  - insert <Node> { ... }: a new row; its id follows the load rules
 *    (load.c): the @key value, else a fresh ULID.  A key already present
 *    is an error.  A non-nullable @embed target left out needs an
 *    embedding model, which this store does not run: an error.
 *  - insert <Edge> { from: K, to: K, ... }: from/to are the endpoint
 *    nodes' ids (the key value as a string, query-lang types them String);
 *    both must exist.  The edge id is a fresh ULID.
 *  - update <Node> set { ... } where p op v: every matching row gets the
 *    assigned values.  Assigning a @key column is refused (ids are keys).
 *  - delete <T> where p op v: every matching row; on an edge `from`/`to`
 *    compare the endpoint ids.  Deleting nodes also deletes every edge
 *    (of any edge type) that has one of them as an endpoint, so no edge
 *    dangles; those cascaded edges are not counted in `affected`.
 *
 * Predicates: values are converted to the property's type first (dates
 * validated).  Numbers compare numerically, strings (Date/DateTime too)
 * bytewise, Bool false < true; lists and vectors support = and != only.
 * A missing/null property equals only null (`= null` through a nullable
 * parameter), differs from every non-null value, and fails < > <= >=.
 *
 * affected = rows inserted + rows matched by update + rows matched by
 * delete.  A query mixing insert/update with delete is refused before
 * anything runs (query-lang.md §9).
 */
#include "engine/graph/load.h"
#include "engine/graph/load_int.h"
#include "core/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct mx {
	struct lw w;
	const struct cfs_schema *schema;
	const json_t *params;
	char now[40];                   /* now(): one instant for the whole query */
	uint64_t affected;
};

static void now_text(char out[40])
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + strlen(out), 40 - strlen(out), ".%03ldZ", ts.tv_nsec / 1000000L);
}

static json_t *lit_json(const struct cfs_qlit *l)
{
	json_t *arr, *v;

	switch (l->kind) {
	case QL_STRING:
	case QL_DATE:
	case QL_DATETIME:
		v = json_string(l->str ? l->str : "");
		return v ? v : json_null();
	case QL_INT: return json_integer(l->i);
	case QL_FLOAT: return json_real(l->f);
	case QL_BOOL: return json_boolean(l->b);
	case QL_LIST:
		arr = json_array();
		for (size_t i = 0; i < l->nitems; i++)
			json_array_append_new(arr, lit_json(&l->items[i]));
		return arr;
	}
	return json_null();
}

/* The raw JSON of a value (new reference): a missing parameter is null. */
static json_t *value_json(const struct mx *m, const struct cfs_tvalue *v)
{
	json_t *p;

	switch (v->kind) {
	case CFS_TV_LIT: return lit_json(&v->lit);
	case CFS_TV_NOW: return json_string(m->now);
	case CFS_TV_PARAM:
		p = m->params ? json_object_get(m->params, v->name) : NULL;
		return p ? json_incref(p) : json_null();
	case CFS_TV_VAR: break;
	}
	return json_null();
}

/* a's value converted to its target type (nullable forced for predicates). */
static json_t *assign_value(const struct mx *m, const struct cfs_type *t, const struct cfs_tassign *a,
			    bool pred, char **why)
{
	struct cfs_ptype target = a->target;
	json_t *raw = value_json(m, &a->value), *v;
	char *inner = NULL;

	target.nullable = target.nullable || pred;
	v = lv_convert(&target, raw, &inner);
	json_decref(raw);
	if (!v) {
		*why = cfs_xasprintf("property `%s.%s`: %s", t->name, a->prop, inner);
		free(inner);
	}
	return v;
}

/* The assigned properties (not from/to) as {prop: converted value}. */
static json_t *assigned(const struct mx *m, const struct cfs_tstmt *st, char **why)
{
	json_t *given = json_object();

	for (size_t i = 0; i < st->nassigns; i++) {
		const struct cfs_tassign *a = &st->assigns[i];
		json_t *v;

		if (!a->property)
			continue;
		if (!(v = assign_value(m, st->type, a, false, why))) {
			json_decref(given);
			return NULL;
		}
		json_object_set_new(given, a->prop, v);
	}
	return given;
}

/* A non-nullable @embed target the insert leaves out. */
static int embed_missing(const struct cfs_type *t, const json_t *given, char **why)
{
	for (size_t i = 0; i < t->nprops; i++) {
		const struct cfs_prop *p = &t->props[i];
		const struct cfs_annot *e = cfs_annot_find(p->annots, p->nannots, "embed");

		if (!lw_prop_live(t, i) || p->type.nullable || !e || json_object_get(given, p->name))
			continue;
		*why = cfs_xasprintf("property `%s.%s` is computed by @embed from `%s`, which needs an embedding "
				     "model this store does not run; assign `%s` explicitly", t->name, p->name,
				     e->value ? e->value : "?", p->name);
		return -1;
	}
	return 0;
}

static int insert_node(struct mx *m, const struct cfs_tstmt *st, char **why)
{
	const struct cfs_type *t = st->type;
	struct lw_tab *tab = lw_tab_of(&m->w, t);
	json_t *given = assigned(m, st, why), *row = NULL;
	char *id = NULL;
	int rc = -1;

	if (!given || embed_missing(t, given, why))
		goto out;
	id = cfs_type_key(t) ? lw_key_id(t, given, why) : lw_new_id(why);
	if (!id)
		goto out;
	if (lw_find(tab, id) >= 0) {
		*why = cfs_xasprintf("duplicate key `%s` for node `%s`: already in the graph", id, t->name);
		goto out;
	}
	row = json_object();
	json_object_set_new(row, "id", json_string(id));
	if (lw_fill_props(t, given, NULL, row, why))
		goto out;
	lw_append(tab, row, 0);
	row = NULL;
	m->affected++;
	rc = 0;
out:
	json_decref(row);
	json_decref(given);
	free(id);
	return rc;
}

/* The node id an insert's `from`/`to` names; it must exist. */
static char *endpoint(struct mx *m, const struct cfs_tstmt *st, bool to, char **why)
{
	const char *side = to ? "to" : "from";
	const struct cfs_type *nt = lw_endpoint_type(m->schema, st->type, to);

	for (size_t i = 0; i < st->nassigns; i++) {
		const struct cfs_tassign *a = &st->assigns[i];
		json_t *v;

		if (a->property || strcmp(a->prop, side))
			continue;
		if (!(v = assign_value(m, st->type, a, false, why)))
			return NULL;
		char *id = cfs_node_id_for_key(v);
		json_decref(v);
		if (nt && lw_find(lw_tab_of(&m->w, nt), id) >= 0)
			return id;
		*why = cfs_xasprintf("edge `%s`: \"%s\" node `%s` not found in `%s`", st->type->name, side, id,
				     nt ? nt->name : "?");
		free(id);
		return NULL;
	}
	*why = cfs_xasprintf("edge `%s` needs \"%s\"", st->type->name, side);
	return NULL;
}

static int insert_edge(struct mx *m, const struct cfs_tstmt *st, char **why)
{
	char *src = NULL, *dst = NULL, *id = NULL;
	json_t *given = NULL, *row = NULL;
	int rc = -1;

	if (!(src = endpoint(m, st, false, why)) || !(dst = endpoint(m, st, true, why)) ||
	    !(given = assigned(m, st, why)) || !(id = lw_new_id(why)))
		goto out;
	row = json_object();
	json_object_set_new(row, "id", json_string(id));
	json_object_set_new(row, "src", json_string(src));
	json_object_set_new(row, "dst", json_string(dst));
	if (lw_fill_props(st->type, given, NULL, row, why))
		goto out;
	lw_append(lw_tab_of(&m->w, st->type), row, 0);
	row = NULL;
	m->affected++;
	rc = 0;
out:
	json_decref(row);
	json_decref(given);
	free(src);
	free(dst);
	free(id);
	return rc;
}

/* Order of two scalars of one kind; *ok = false when they do not order. */
static int compare(const json_t *a, const json_t *b, bool *ok)
{
	*ok = true;
	if (json_is_integer(a) && json_is_integer(b))
		return (json_integer_value(a) > json_integer_value(b)) - (json_integer_value(a) < json_integer_value(b));
	if (json_is_number(a) && json_is_number(b))
		return (json_number_value(a) > json_number_value(b)) - (json_number_value(a) < json_number_value(b));
	if (json_is_string(a) && json_is_string(b)) {
		int c = strcmp(json_string_value(a), json_string_value(b));
		return (c > 0) - (c < 0);
	}
	if (json_is_boolean(a) && json_is_boolean(b))
		return json_is_true(a) - json_is_true(b);
	*ok = false;
	return 0;
}

static bool pred_match(enum cfs_qop op, const json_t *rv, const json_t *v)
{
	bool rnull = !rv || json_is_null(rv), vnull = json_is_null(v), ok;
	int c;

	if (rnull || vnull)
		return op == QOP_EQ ? rnull && vnull : op == QOP_NE ? rnull != vnull : false;
	c = compare(rv, v, &ok);
	if (!ok) {
		bool eq = json_equal((json_t *)rv, (json_t *)v);
		return op == QOP_EQ ? eq : op == QOP_NE ? !eq : false;
	}
	return cfs_qop_holds(op, c);
}

/* The row member a predicate reads: the property, or src/dst for from/to. */
static const char *pred_member(const struct cfs_tstmt *st)
{
	if (st->pred.property)
		return st->pred.prop;
	return !strcmp(st->pred.prop, "from") ? "src" : "dst";
}

static int refuse_key_update(const struct cfs_tstmt *st, char **why)
{
	const struct cfs_constraint *key = cfs_type_key(st->type);

	for (size_t i = 0; key && i < st->nassigns; i++)
		for (size_t j = 0; j < key->ncols; j++)
			if (!strcmp(st->assigns[i].prop, key->cols[j])) {
				*why = cfs_xasprintf("updating @key property `%s` is not supported", st->assigns[i].prop);
				return -1;
			}
	return 0;
}

static int update(struct mx *m, const struct cfs_tstmt *st, char **why)
{
	static const char *const base[] = { "id", "src", "dst" };
	struct lw_tab *tab = lw_tab_of(&m->w, st->type);
	json_t *given = NULL, *v = NULL;
	const char *member = pred_member(st);
	int rc = -1;

	if (refuse_key_update(st, why) || !(given = assigned(m, st, why)) ||
	    !(v = assign_value(m, st->type, &st->pred, true, why)))
		goto out;
	for (size_t i = 0; i < json_array_size(lw_rows(tab)); i++) {
		const json_t *old = json_array_get(lw_rows(tab), i);
		json_t *row;

		if (!json_is_object(old) || !pred_match(st->pred_op, json_object_get(old, member), v))
			continue;
		row = json_object();
		for (size_t k = 0; k < 3; k++)     /* id, and src/dst should an edge get here */
			if (json_object_get(old, base[k]))
				json_object_set(row, base[k], json_object_get(old, base[k]));
		if (lw_fill_props(st->type, given, old, row, why)) {
			json_decref(row);
			goto out;
		}
		lw_replace(tab, i, row, 0);
		m->affected++;
	}
	rc = 0;
out:
	json_decref(given);
	json_decref(v);
	return rc;
}

/* Delete every edge with an endpoint in `gone` (ids of nodes of type nt). */
static void cascade(struct mx *m, const struct cfs_type *nt, const struct cfs_hmap *gone)
{
	for (size_t k = 0; k < m->w.n; k++) {
		struct lw_tab *tab = &m->w.tabs[k];
		const struct cfs_type *e = tab->snap->type;
		bool by_src, by_dst;
		size_t i;

		if (e->kind != CFS_DECL_EDGE)
			continue;
		by_src = lw_endpoint_type(m->schema, e, false) == nt;
		by_dst = lw_endpoint_type(m->schema, e, true) == nt;
		for (i = 0; (by_src || by_dst) && i < json_array_size(lw_rows(tab)); i++) {
			const json_t *row = json_array_get(lw_rows(tab), i);
			const char *src = cfs_row_str(row, "src"), *dst = cfs_row_str(row, "dst");
			size_t dummy;

			if ((by_src && src && cfs_hmap_get(gone, src, &dummy)) ||
			    (by_dst && dst && cfs_hmap_get(gone, dst, &dummy)))
				lw_delete(tab, i);
		}
	}
}

static int delete_rows(struct mx *m, const struct cfs_tstmt *st, char **why)
{
	struct lw_tab *tab = lw_tab_of(&m->w, st->type);
	struct cfs_hmap gone = CFS_HMAP_INIT;
	const char *member = pred_member(st);
	json_t *v = assign_value(m, st->type, &st->pred, true, why);

	if (!v)
		return -1;
	for (size_t i = 0; i < json_array_size(lw_rows(tab)); i++) {
		const json_t *row = json_array_get(lw_rows(tab), i);
		const char *id = cfs_row_str(row, "id");

		if (!json_is_object(row) || !pred_match(st->pred_op, json_object_get(row, member), v))
			continue;
		if (id && !st->on_edge)
			cfs_hmap_put(&gone, id, 1);
		lw_delete(tab, i);
		m->affected++;
	}
	if (gone.n)
		cascade(m, st->type, &gone);
	cfs_hmap_free(&gone);
	json_decref(v);
	return 0;
}

static int run(struct mx *m, const struct cfs_tstmt *st, char **why)
{
	switch (st->kind) {
	case QS_INSERT: return st->on_edge ? insert_edge(m, st, why) : insert_node(m, st, why);
	case QS_UPDATE: return update(m, st, why);
	case QS_DELETE: return delete_rows(m, st, why);
	}
	*why = cfs_xstrdup("malformed mutation statement");
	return -1;
}

static bool mixes(const struct cfs_typed_query *q)
{
	bool writes = false, deletes = false;

	for (size_t i = 0; i < q->nstmts; i++) {
		if (q->stmts[i].kind == QS_DELETE)
			deletes = true;
		else
			writes = true;
	}
	return writes && deletes;
}

int cfs_graph_apply_mutation(struct cfs_snapshot *s, const struct cfs_typed_query *q, const json_t *params,
			     json_t **new_tables, uint64_t *affected, char **err)
{
	struct mx m = { .schema = s->schema, .params = params };
	char *why = NULL;

	*new_tables = NULL;
	*affected = 0;
	*err = NULL;
	if (!q->is_mutation) {
		*err = cfs_xasprintf("query '%s' is not a mutation", q->name);
		return -1;
	}
	if (mixes(q)) {
		*err = cfs_xasprintf("mutation '%s' on the same query mixes inserts/updates and deletes; split into "
				     "separate mutations", q->name);
		return -1;
	}
	now_text(m.now);
	lw_init(&m.w, s);
	for (size_t i = 0; i < q->nstmts && !why; i++)
		run(&m, &q->stmts[i], &why);
	if (why) {
		*err = why;
	} else {
		*new_tables = lw_result(&m.w);
		*affected = m.affected;
	}
	lw_free(&m.w);
	return *err ? -1 : 0;
}
