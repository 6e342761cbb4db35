/*
 * graph/load: JSONL loads (graph-store.md "Load format").
 *
 * One JSON object per line, blank lines skipped:
 *   node  {"type": "<Node>", "data": {...}}                 ("id" see below)
 *   edge  {"edge": "<Edge>", "from": K, "to": K, "data": {...}}
 * "data" is optional (absent = no properties given); any other member is
 * an error.  Lines are applied in order, each seeing the earlier ones; the
 * first bad line fails the whole load ("line <n>: <problem>", n counted
 * from 1 over all lines, blank ones included) and nothing is applied.
 *
 * Identity.  A node of a type with @key gets id = cfs_node_id_for_key of
 * its key value (single column), or the compact JSON array of its key
 * values in key-column order (multi-column key, e.g. ["2024-01-02",3]); an
 * "id" member is refused for such types.  A node of a type without @key
 * and every edge get a fresh ULID, or the "id" the line gives (a non-empty
 * string: export writes them so that a reload reproduces the tables).  An
 * edge's from/to are the endpoint nodes' key values (an array for a multi-
 * column key, the id for a type without @key); they resolve through the
 * same cfs_node_id_for_key, so the id text as a string works as well.  The
 * endpoint must be a node of the edge's declared endpoint type loaded by
 * an earlier line or already in the graph.
 *
 * Modes.
 *  - append: every line inserts; a node key (or a given id) already in the
 *    graph or earlier in the file is an error.
 *  - merge: upsert.  A node whose key (or given id) exists has the given
 *    properties replaced and the others kept; an edge matches by given id,
 *    else by (from, to) - so merging the same file twice is idempotent.
 *    A node without @key and without "id" is always inserted.
 *  - overwrite: every node and edge type named by some line of the file is
 *    replaced by the file's rows (so endpoints resolve among the file's
 *    nodes for those types); duplicates within the file are errors as in
 *    append.  Tables the file does not name are kept as they are - also
 *    edge tables whose endpoints the overwrite removed; load those edges
 *    in the same file to replace them.
 */
#include "engine/graph/load.h"
#include "engine/graph/load_int.h"
#include "core/strbuf.h"

#include <stdlib.h>
#include <string.h>

struct ld {
	struct lw w;
	const struct cfs_schema *schema;
	enum cfs_load_mode mode;
	unsigned line;
};

struct lline {
	unsigned no;
	json_t *v;                      /* parsed, or NULL ... */
	char *bad;                      /* ... with the JSON error */
};

static bool blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr(" \t\r\v\f", p[i]) || p[i] == '\0')
			return false;
	return true;
}

/* Pass 1: every non-blank line parsed (or its JSON error). */
static struct lline *split(const char *src, size_t len, size_t *n)
{
	struct lline *out = NULL;
	size_t cap = 0;
	unsigned no = 0;

	*n = 0;
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(src + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - src) : len;
		json_error_t e;

		no++;
		if (!blank(src + pos, end - pos)) {
			if (*n == cap) {
				cap = cap ? 2 * cap : 64;
				out = cfs_xrealloc(out, cap * sizeof(*out));
			}
			struct lline *l = &out[(*n)++];
			l->no = no;
			l->bad = NULL;
			l->v = json_loadb(src + pos, end - pos, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &e);
			if (!l->v)
				l->bad = cfs_xasprintf("invalid JSON: %s", e.text);
		}
		pos = end + 1;
	}
	return out;
}

static void lines_free(struct lline *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_decref(l[i].v);
		free(l[i].bad);
	}
	free(l);
}

/* Overwrite: empty the tables of every type some line names. */
static void overwrite_touch(struct ld *ld, const struct lline *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *node = json_string_value(json_object_get(l[i].v, "type"));
		const char *edge = json_string_value(json_object_get(l[i].v, "edge"));
		const struct cfs_type *t = node ? cfs_schema_node(ld->schema, node)
					       : edge ? cfs_schema_edge(ld->schema, edge) : NULL;
		if (t)
			lw_touch(lw_tab_of(&ld->w, t), true);
	}
}

static int check_members(const json_t *obj, const char *const *allowed, char **why)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)obj, k, v) {
		size_t i = 0;
		while (allowed[i] && strcmp(allowed[i], k))
			i++;
		if (!allowed[i]) {
			*why = cfs_xasprintf("unknown member \"%s\"", k);
			return -1;
		}
	}
	return 0;
}

/*
 * "data" checked against t, member by member in the line's order: each
 * must be a property (live declaration) and its value fit the property
 * type.  *given = the converted values (new reference; empty if absent).
 */
static int convert_data(const struct cfs_type *t, const json_t *obj, json_t **given, char **why)
{
	const json_t *data = json_object_get(obj, "data");
	const char *k;
	json_t *v;

	*given = json_object();
	if (!data)
		return 0;
	if (!json_is_object(data)) {
		*why = cfs_xstrdup("\"data\" must be an object");
		return -1;
	}
	json_object_foreach((json_t *)data, k, v) {
		const struct cfs_prop *p = cfs_type_prop(t, k);
		char *inner = NULL;
		json_t *c;

		if (!p) {
			*why = cfs_xasprintf("%s type `%s` has no property `%s`", cfs_decl_kind_name(t->kind), t->name, k);
			return -1;
		}
		if (!(c = lv_convert(&p->type, v, &inner))) {
			*why = cfs_xasprintf("property `%s.%s`: %s", t->name, k, inner);
			free(inner);
			return -1;
		}
		json_object_set_new(*given, k, c);
	}
	return 0;
}

/* The optional "id" member: absent (*id = NULL) or a non-empty string. */
static int given_id(const json_t *obj, char **id, char **why)
{
	const json_t *v = json_object_get(obj, "id");

	*id = NULL;
	if (!v)
		return 0;
	if (!json_is_string(v) || !*json_string_value(v)) {
		*why = cfs_xstrdup("\"id\" must be a non-empty string");
		return -1;
	}
	*id = cfs_xstrdup(json_string_value(v));
	return 0;
}

static int duplicate(struct lw_tab *tab, long at, const char *what, const char *id, char **why)
{
	unsigned first = lw_line(tab, (size_t)at);

	if (first)
		*why = cfs_xasprintf("duplicate %s `%s` for %s `%s` (first on line %u)", what, id,
				     cfs_decl_kind_name(tab->snap->type->kind), tab->snap->type->name, first);
	else
		*why = cfs_xasprintf("duplicate %s `%s` for %s `%s`: already in the graph", what, id,
				     cfs_decl_kind_name(tab->snap->type->kind), tab->snap->type->name);
	return -1;
}

/*
 * Insert row (id, base members set) or, when `at` names an existing row,
 * merge into it; fills the properties from given (and the old row).
 * Steals row.
 */
static int store(struct ld *ld, struct lw_tab *tab, long at, json_t *row, const json_t *given, char **why)
{
	const struct cfs_type *t = tab->snap->type;
	const json_t *old = at >= 0 ? json_array_get(lw_rows(tab), (size_t)at) : NULL;

	if (lw_fill_props(t, given, old, row, why)) {
		json_decref(row);
		return -1;
	}
	if (at >= 0)
		lw_replace(tab, (size_t)at, row, ld->line);
	else
		lw_append(tab, row, ld->line);
	return 0;
}

/* A node's id: from its key, or the given "id", or NULL (new ULID later). */
static int node_id(const struct cfs_type *t, const json_t *obj, const json_t *given, char **id, char **why)
{
	if (!cfs_type_key(t))
		return given_id(obj, id, why);
	if (json_object_get(obj, "id")) {
		*why = cfs_xasprintf("\"id\" is not allowed for node type `%s`: its id is its @key", t->name);
		return -1;
	}
	*id = lw_key_id(t, given, why);
	return *id ? 0 : -1;
}

static int load_node(struct ld *ld, const json_t *obj, const char *name, char **why)
{
	static const char *const allowed[] = { "type", "data", "id", NULL };
	const struct cfs_type *t = cfs_schema_node(ld->schema, name);
	struct lw_tab *tab;
	json_t *given = NULL, *row;
	char *id = NULL;
	long at;
	int rc = -1;

	if (!t) {
		*why = cfs_xasprintf("unknown node type `%s`", name);
		return -1;
	}
	if (check_members(obj, allowed, why) || convert_data(t, obj, &given, why) ||
	    node_id(t, obj, given, &id, why))
		goto out;
	tab = lw_tab_of(&ld->w, t);
	at = id ? lw_find(tab, id) : -1;
	if (at >= 0 && ld->mode != CFS_LOAD_MERGE) {
		duplicate(tab, at, cfs_type_key(t) ? "key" : "id", id, why);
		goto out;
	}
	if (!id && !(id = lw_new_id(why)))
		goto out;
	row = json_object();
	json_object_set_new(row, "id", json_string(id));
	rc = store(ld, tab, at, row, given, why);
out:
	json_decref(given);
	free(id);
	return rc;
}

/* An edge endpoint: the id of an existing node of the declared type. */
static char *endpoint(struct ld *ld, const struct cfs_type *e, const json_t *obj, bool to, char **why)
{
	const char *side = to ? "to" : "from";
	const json_t *v = json_object_get(obj, side);
	const struct cfs_type *nt = lw_endpoint_type(ld->schema, e, to);
	char *id;

	if (!v) {
		*why = cfs_xasprintf("edge `%s` needs \"%s\"", e->name, side);
		return NULL;
	}
	id = cfs_node_id_for_key(v);
	if (!nt || lw_find(lw_tab_of(&ld->w, nt), id) < 0) {
		*why = cfs_xasprintf("edge `%s`: \"%s\" node `%s` not found in `%s`", e->name, side, id,
				     nt ? nt->name : "?");
		free(id);
		return NULL;
	}
	return id;
}

static int load_edge(struct ld *ld, const json_t *obj, const char *name, char **why)
{
	static const char *const allowed[] = { "edge", "from", "to", "data", "id", NULL };
	const struct cfs_type *t = cfs_schema_edge(ld->schema, name);
	char *src = NULL, *dst = NULL, *id = NULL;
	struct lw_tab *tab;
	json_t *given = NULL, *row;
	long at;
	int rc = -1;

	if (!t) {
		*why = cfs_xasprintf("unknown edge type `%s`", name);
		return -1;
	}
	if (check_members(obj, allowed, why) || !(src = endpoint(ld, t, obj, false, why)) ||
	    !(dst = endpoint(ld, t, obj, true, why)) || convert_data(t, obj, &given, why) ||
	    given_id(obj, &id, why))
		goto out;
	tab = lw_tab_of(&ld->w, t);
	at = id ? lw_find(tab, id) : -1;
	if (at >= 0 && ld->mode != CFS_LOAD_MERGE) {
		duplicate(tab, at, "id", id, why);
		goto out;
	}
	if (!id && ld->mode == CFS_LOAD_MERGE && (at = lw_find_pair(tab, src, dst)) >= 0) {
		const char *old = cfs_row_str(json_array_get(lw_rows(tab), (size_t)at), "id");
		id = old ? cfs_xstrdup(old) : NULL;
	}
	if (!id && !(id = lw_new_id(why)))
		goto out;
	row = json_object();
	json_object_set_new(row, "id", json_string(id));
	json_object_set_new(row, "src", json_string(src));
	json_object_set_new(row, "dst", json_string(dst));
	rc = store(ld, tab, at, row, given, why);
out:
	json_decref(given);
	free(src);
	free(dst);
	free(id);
	return rc;
}

static int load_line(struct ld *ld, const json_t *obj, char **why)
{
	const json_t *type, *edge;

	if (!json_is_object(obj)) {
		*why = cfs_xasprintf("expected a JSON object, got %s", json_is_array(obj) ? "an array" : "a scalar");
		return -1;
	}
	type = json_object_get(obj, "type");
	edge = json_object_get(obj, "edge");
	if (type && edge) {
		*why = cfs_xstrdup("a line is a node (\"type\") or an edge (\"edge\"), not both");
		return -1;
	}
	if (!type && !edge) {
		*why = cfs_xstrdup("expected a node {\"type\": ...} or an edge {\"edge\": ...}");
		return -1;
	}
	if (!json_is_string(type ? type : edge)) {
		*why = cfs_xasprintf("\"%s\" must be a string", type ? "type" : "edge");
		return -1;
	}
	if (type)
		return load_node(ld, obj, json_string_value(type), why);
	return load_edge(ld, obj, json_string_value(edge), why);
}

int cfs_graph_apply_load(struct cfs_snapshot *s, const char *jsonl, size_t len, enum cfs_load_mode mode,
			 json_t **new_tables, char **err)
{
	struct ld ld = { .schema = s->schema, .mode = mode };
	size_t n;
	struct lline *lines = split(jsonl, len, &n);
	char *why = NULL;

	*new_tables = NULL;
	*err = NULL;
	lw_init(&ld.w, s);
	if (mode == CFS_LOAD_OVERWRITE)
		overwrite_touch(&ld, lines, n);
	for (size_t i = 0; i < n && !why; i++) {
		ld.line = lines[i].no;
		if (lines[i].bad)
			why = cfs_xstrdup(lines[i].bad);
		else
			load_line(&ld, lines[i].v, &why);
	}
	if (why) {
		*err = cfs_xasprintf("line %u: %s", ld.line, why);
		free(why);
	} else {
		*new_tables = lw_result(&ld.w);
	}
	lw_free(&ld.w);
	lines_free(lines, n);
	return *err ? -1 : 0;
}
