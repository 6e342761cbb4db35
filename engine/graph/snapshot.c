/*
 * graph/snapshot: tables of rows plus the indexes reads need, built lazily
 * so a query that never looks a key up pays nothing for it.
 */
#include "engine/graph/snapshot.h"
#include "core/json.h"
#include "core/strbuf.h"

#include <stdlib.h>
#include <string.h>

void cfs_snapshot_init(struct cfs_snapshot *s, const struct cfs_schema *schema, uint64_t version,
		       json_t *tables)
{
	memset(s, 0, sizeof(*s));
	s->schema = schema;
	s->version = version;
	s->tables = cfs_xcalloc(schema->ntypes, sizeof(*s->tables));
	for (size_t i = 0; i < schema->ntypes; i++) {
		const struct cfs_type *t = &schema->types[i];
		if (t->kind == CFS_DECL_INTERFACE)
			continue;
		struct cfs_table *tab = &s->tables[s->ntables++];
		json_t *rows = tables ? json_object_get(tables, t->name) : NULL;
		tab->type = t;
		tab->rows = json_is_array(rows) ? json_incref(rows) : json_array();
	}
}

static void adj_free(struct cfs_adj *a)
{
	for (size_t i = 0; i < a->nbuckets; i++)
		free(a->buckets[i]);
	free(a->buckets);
	free(a->lens);
	free(a->caps);
	cfs_hmap_free(&a->map);
	memset(a, 0, sizeof(*a));
}

void cfs_snapshot_free(struct cfs_snapshot *s)
{
	for (size_t i = 0; i < s->ntables; i++) {
		json_decref(s->tables[i].rows);
		cfs_hmap_free(&s->tables[i].by_id);
		adj_free(&s->tables[i].by_src);
		adj_free(&s->tables[i].by_dst);
	}
	free(s->tables);
	memset(s, 0, sizeof(*s));
}

struct cfs_table *cfs_snapshot_table(struct cfs_snapshot *s, const struct cfs_type *t)
{
	for (size_t i = 0; i < s->ntables; i++)
		if (s->tables[i].type == t)
			return &s->tables[i];
	return NULL;
}

struct cfs_table *cfs_snapshot_table_named(struct cfs_snapshot *s, enum cfs_decl_kind kind,
					   const char *name)
{
	for (size_t i = 0; i < s->ntables; i++)
		if (s->tables[i].type->kind == kind && !strcmp(s->tables[i].type->name, name))
			return &s->tables[i];
	return NULL;
}

const char *cfs_row_str(const json_t *row, const char *member)
{
	return json_string_value(json_object_get(row, member));
}

static void adj_add(struct cfs_adj *a, const char *id, size_t row)
{
	size_t b;

	if (!cfs_hmap_get(&a->map, id, &b)) {
		b = a->nbuckets++;
		a->buckets = cfs_xrealloc(a->buckets, a->nbuckets * sizeof(*a->buckets));
		a->lens = cfs_xrealloc(a->lens, a->nbuckets * sizeof(*a->lens));
		a->caps = cfs_xrealloc(a->caps, a->nbuckets * sizeof(*a->caps));
		a->buckets[b] = NULL;
		a->lens[b] = a->caps[b] = 0;
		cfs_hmap_put(&a->map, id, b);
	}
	if (a->lens[b] == a->caps[b]) {
		a->caps[b] = a->caps[b] ? 2 * a->caps[b] : 4;
		a->buckets[b] = cfs_xrealloc(a->buckets[b], a->caps[b] * sizeof(size_t));
	}
	a->buckets[b][a->lens[b]++] = row;
}

static void build_indexes(struct cfs_table *t)
{
	size_t i;
	json_t *row;

	if (t->indexed)
		return;
	t->indexed = true;
	json_array_foreach(t->rows, i, row) {
		const char *id = cfs_row_str(row, "id");
		if (id)
			cfs_hmap_put(&t->by_id, id, i);
		if (t->type->kind != CFS_DECL_EDGE)
			continue;
		const char *src = cfs_row_str(row, "src"), *dst = cfs_row_str(row, "dst");
		if (src)
			adj_add(&t->by_src, src, i);
		if (dst)
			adj_add(&t->by_dst, dst, i);
	}
}

long cfs_table_find(struct cfs_table *t, const char *id)
{
	size_t i;

	build_indexes(t);
	return cfs_hmap_get(&t->by_id, id, &i) ? (long)i : -1;
}

static void adj_get(const struct cfs_adj *a, const char *id, const size_t **idx, size_t *n)
{
	size_t b;

	*idx = NULL;
	*n = 0;
	if (cfs_hmap_get(&a->map, id, &b)) {
		*idx = a->buckets[b];
		*n = a->lens[b];
	}
}

void cfs_table_edges_from(struct cfs_table *t, const char *node_id, const size_t **idx, size_t *n)
{
	build_indexes(t);
	adj_get(&t->by_src, node_id, idx, n);
}

void cfs_table_edges_to(struct cfs_table *t, const char *node_id, const size_t **idx, size_t *n)
{
	build_indexes(t);
	adj_get(&t->by_dst, node_id, idx, n);
}

char *cfs_node_id_for_key(const json_t *key)
{
	if (json_is_string(key))
		return cfs_xstrdup(json_string_value(key));
	return cfs_json_compact(key, CFS_JSON_SORTED);
}
