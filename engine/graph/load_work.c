/*
 * graph/load_work: the working copy a load or a mutation edits.  Tables are
 * copied on first write only, so an operation that leaves a table alone
 * hands the snapshot's own rows array back and the committer can tell by
 * pointer which tables changed.  Row objects are never edited in place
 * (the snapshot shares them): a changed row is a new object.
 */
#include "engine/graph/load_int.h"
#include "core/json.h"
#include "core/strbuf.h"
#include "core/ulid.h"

#include <stdlib.h>
#include <string.h>

void lw_init(struct lw *w, struct cfs_snapshot *s)
{
	w->s = s;
	w->n = s->ntables;
	w->tabs = cfs_xcalloc(w->n ? w->n : 1, sizeof(*w->tabs));
	for (size_t i = 0; i < w->n; i++)
		w->tabs[i].snap = &s->tables[i];
}

void lw_free(struct lw *w)
{
	for (size_t i = 0; i < w->n; i++) {
		struct lw_tab *t = &w->tabs[i];
		json_decref(t->rows);
		cfs_hmap_free(&t->ids);
		cfs_hmap_free(&t->pairs);
		free(t->lines);
	}
	free(w->tabs);
	memset(w, 0, sizeof(*w));
}

struct lw_tab *lw_tab_of(struct lw *w, const struct cfs_type *t)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->tabs[i].snap->type == t)
			return &w->tabs[i];
	return NULL;
}

const json_t *lw_rows(const struct lw_tab *t)
{
	return t->rows ? t->rows : t->snap->rows;
}

static void lines_grow(struct lw_tab *t, size_t n)
{
	if (n <= t->caplines)
		return;
	t->caplines = n > 2 * t->caplines ? n : 2 * t->caplines;
	t->lines = cfs_xrealloc(t->lines, t->caplines * sizeof(*t->lines));
}

void lw_touch(struct lw_tab *t, bool empty)
{
	size_t i;
	json_t *row;

	if (t->rows)
		return;
	t->rows = json_array();
	if (!empty)
		json_array_extend(t->rows, t->snap->rows);
	lines_grow(t, json_array_size(t->rows) + 1);
	t->nlines = json_array_size(t->rows);
	memset(t->lines, 0, t->nlines * sizeof(*t->lines));
	json_array_foreach(t->rows, i, row) {
		const char *id = cfs_row_str(row, "id");
		if (id)
			cfs_hmap_put(&t->ids, id, i);
	}
	if (empty) {        /* the pair index described the snapshot's rows */
		cfs_hmap_free(&t->pairs);
		t->pairs_built = false;
	}
}

long lw_find(struct lw_tab *t, const char *id)
{
	size_t i;

	if (!t->rows)
		return cfs_table_find(t->snap, id);
	if (!cfs_hmap_get(&t->ids, id, &i) || i == LW_GONE)
		return -1;
	return (long)i;
}

/* "<len(src)>:<src><dst>": unambiguous whatever the ids contain. */
static char *pair_key(const char *src, const char *dst)
{
	return cfs_xasprintf("%zu:%s%s", strlen(src), src, dst);
}

/* Index row i's (src, dst) unless that pair already names a row. */
static void pair_add(struct lw_tab *t, const json_t *row, size_t i)
{
	const char *src = cfs_row_str(row, "src"), *dst = cfs_row_str(row, "dst");
	size_t old;

	if (!src || !dst)
		return;
	char *k = pair_key(src, dst);
	if (!cfs_hmap_get(&t->pairs, k, &old) || old == LW_GONE)
		cfs_hmap_put(&t->pairs, k, i);
	free(k);
}

/* Forget row i's pair (merge may move an edge to other endpoints). */
static void pair_drop(struct lw_tab *t, const json_t *row, size_t i)
{
	const char *src = cfs_row_str(row, "src"), *dst = cfs_row_str(row, "dst");
	size_t old;

	if (!t->pairs_built || !src || !dst)
		return;
	char *k = pair_key(src, dst);
	if (cfs_hmap_get(&t->pairs, k, &old) && old == i)
		cfs_hmap_put(&t->pairs, k, LW_GONE);
	free(k);
}

long lw_find_pair(struct lw_tab *t, const char *src, const char *dst)
{
	size_t i;
	json_t *row;

	if (!t->pairs_built) {
		t->pairs_built = true;
		json_array_foreach(lw_rows(t), i, row)
			if (json_is_object(row))
				pair_add(t, row, i);
	}
	char *k = pair_key(src, dst);
	bool found = cfs_hmap_get(&t->pairs, k, &i) && i != LW_GONE;
	free(k);
	return found ? (long)i : -1;
}

unsigned lw_line(const struct lw_tab *t, size_t i)
{
	return t->rows && i < t->nlines ? t->lines[i] : 0;
}

void lw_append(struct lw_tab *t, json_t *row, unsigned line)
{
	size_t i;
	const char *id = cfs_row_str(row, "id");

	lw_touch(t, false);
	i = json_array_size(t->rows);
	if (id)
		cfs_hmap_put(&t->ids, id, i);
	if (t->pairs_built)
		pair_add(t, row, i);
	lines_grow(t, i + 1);
	t->lines[i] = line;
	t->nlines = i + 1;
	json_array_append_new(t->rows, row);
}

void lw_replace(struct lw_tab *t, size_t i, json_t *row, unsigned line)
{
	lw_touch(t, false);
	pair_drop(t, json_array_get(t->rows, i), i);
	if (t->pairs_built)
		pair_add(t, row, i);
	t->lines[i] = line;
	json_array_set_new(t->rows, i, row);
}

void lw_delete(struct lw_tab *t, size_t i)
{
	const char *id;

	lw_touch(t, false);
	id = cfs_row_str(json_array_get(t->rows, i), "id");
	if (id)
		cfs_hmap_put(&t->ids, id, LW_GONE);
	pair_drop(t, json_array_get(t->rows, i), i);
	json_array_set_new(t->rows, i, json_null());
	t->ngone++;
}

static json_t *without_holes(const json_t *rows)
{
	json_t *out = json_array(), *row;
	size_t i;

	json_array_foreach(rows, i, row)
		if (!json_is_null(row))
			json_array_append(out, row);
	return out;
}

json_t *lw_result(struct lw *w)
{
	json_t *out = json_object();

	for (size_t i = 0; i < w->n; i++) {
		const struct lw_tab *t = &w->tabs[i];
		json_t *rows;

		if (!t->rows)
			rows = json_incref(t->snap->rows);
		else if (t->ngone)
			rows = without_holes(t->rows);
		else
			rows = json_incref(t->rows);
		json_object_set_new(out, t->snap->type->name, rows);
	}
	return out;
}

bool lw_prop_live(const struct cfs_type *t, size_t i)
{
	return cfs_type_prop(t, t->props[i].name) == &t->props[i];
}

static bool implicit_column(const struct cfs_type *t, const char *name)
{
	if (!strcmp(name, "id"))
		return true;
	return t->kind == CFS_DECL_EDGE && (!strcmp(name, "src") || !strcmp(name, "dst"));
}

int lw_fill_props(const struct cfs_type *t, const json_t *given, const json_t *old, json_t *row,
		  char **why)
{
	for (size_t i = 0; i < t->nprops; i++) {
		const struct cfs_prop *p = &t->props[i];
		json_t *v;

		if (!lw_prop_live(t, i))
			continue;
		if (implicit_column(t, p->name)) {
			*why = cfs_xasprintf("property `%s.%s` collides with the implicit `%s` column; rows of this "
					     "type cannot be stored", t->name, p->name, p->name);
			return -1;
		}
		v = given ? json_object_get(given, p->name) : NULL;
		if (!v && old)
			v = json_object_get(old, p->name);
		if ((!v || json_is_null(v)) && !p->type.nullable) {
			*why = cfs_xasprintf("missing non-nullable property `%s.%s`", t->name, p->name);
			return -1;
		}
		json_object_set_new(row, p->name, v ? json_incref(v) : json_null());
	}
	return 0;
}

static const json_t *key_column(const struct cfs_type *t, const json_t *props, const char *col, char **why)
{
	const json_t *v = json_object_get(props, col);

	if (!v || json_is_null(v)) {
		*why = cfs_xasprintf("missing @key property `%s.%s`", t->name, col);
		return NULL;
	}
	return v;
}

char *lw_key_id(const struct cfs_type *t, const json_t *props, char **why)
{
	const struct cfs_constraint *key = cfs_type_key(t);
	json_t *arr;
	char *id;

	if (key->ncols == 1) {
		const json_t *v = key_column(t, props, key->cols[0], why);
		return v ? cfs_node_id_for_key(v) : NULL;
	}
	arr = json_array();
	for (size_t i = 0; i < key->ncols; i++) {
		const json_t *v = key_column(t, props, key->cols[i], why);
		if (!v) {
			json_decref(arr);
			return NULL;
		}
		json_array_append(arr, (json_t *)v);
	}
	id = cfs_json_compact(arr, CFS_JSON_SORTED);
	json_decref(arr);
	return id;
}

static json_t *member_or_null(const json_t *row, const char *name)
{
	json_t *v = json_object_get(row, name);

	return v ? json_incref(v) : json_null();
}

json_t *lw_key_value(const struct cfs_type *t, const json_t *row)
{
	const struct cfs_constraint *key = cfs_type_key(t);
	json_t *arr;

	if (!key || !key->ncols)
		return member_or_null(row, "id");
	if (key->ncols == 1)
		return member_or_null(row, key->cols[0]);
	arr = json_array();
	for (size_t i = 0; i < key->ncols; i++)
		json_array_append_new(arr, member_or_null(row, key->cols[i]));
	return arr;
}

const struct cfs_type *lw_endpoint_type(const struct cfs_schema *s, const struct cfs_type *edge, bool to)
{
	return cfs_schema_node(s, to ? edge->to : edge->from);
}

char *lw_new_id(char **why)
{
	char buf[CFS_ULID_LEN + 1];

	if (cfs_ulid_new(buf)) {
		*why = cfs_xstrdup("cannot generate an id: the random source failed");
		return NULL;
	}
	return cfs_xstrdup(buf);
}
