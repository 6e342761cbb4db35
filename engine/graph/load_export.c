/*
 * graph/load_export: a snapshot in load format (load.c), one JSON object
 * per line: every node table in schema order, then every edge table.
 *
 *   {"type":"<Node>","data":{...}}                      node with @key
 *   {"type":"<Node>","id":"<ulid>","data":{...}}        node without @key
 *   {"edge":"<Edge>","id":"<ulid>","from":K,"to":K,"data":{...}}
 *
 * "data" holds the row's properties in schema order (live declarations
 * only, as the row has them, nulls included); from/to are the endpoint
 * nodes' key values (lw_key_value), or the raw node id when the endpoint
 * is not in the snapshot.  Ids are written wherever they are not derived
 * from a key, so loading the export into an empty graph reproduces the
 * tables row for row (same ids, same members, same order).
 */
#include "engine/graph/load.h"
#include "engine/graph/load_int.h"
#include "core/json.h"
#include "core/strbuf.h"

#include <stdlib.h>

static json_t *row_data(const struct cfs_type *t, const json_t *row)
{
	json_t *data = json_object();

	for (size_t i = 0; i < t->nprops; i++) {
		json_t *v = json_object_get(row, t->props[i].name);
		if (v && lw_prop_live(t, i))
			json_object_set(data, t->props[i].name, v);
	}
	return data;
}

static json_t *node_line(const struct cfs_type *t, const json_t *row)
{
	json_t *line = json_object();

	json_object_set_new(line, "type", json_string(t->name));
	if (!cfs_type_key(t))
		json_object_set(line, "id", json_object_get(row, "id"));
	json_object_set_new(line, "data", row_data(t, row));
	return line;
}

/* An endpoint as the load format names it. */
static json_t *endpoint(struct cfs_snapshot *s, const struct cfs_type *e, const json_t *row, bool to)
{
	const char *id = cfs_row_str(row, to ? "dst" : "src");
	const struct cfs_type *nt = lw_endpoint_type(s->schema, e, to);
	struct cfs_table *tab = nt ? cfs_snapshot_table(s, nt) : NULL;
	long at = tab && id ? cfs_table_find(tab, id) : -1;

	if (at < 0)
		return id ? json_string(id) : json_null();
	return lw_key_value(nt, json_array_get(tab->rows, (size_t)at));
}

static json_t *edge_line(struct cfs_snapshot *s, const struct cfs_type *t, const json_t *row)
{
	json_t *line = json_object();

	json_object_set_new(line, "edge", json_string(t->name));
	json_object_set(line, "id", json_object_get(row, "id"));
	json_object_set_new(line, "from", endpoint(s, t, row, false));
	json_object_set_new(line, "to", endpoint(s, t, row, true));
	json_object_set_new(line, "data", row_data(t, row));
	return line;
}

static void export_tables(struct cfs_snapshot *s, enum cfs_decl_kind kind, struct cfs_sb *sb)
{
	for (size_t k = 0; k < s->ntables; k++) {
		const struct cfs_type *t = s->tables[k].type;
		size_t i;
		json_t *row;

		if (t->kind != kind)
			continue;
		json_array_foreach(s->tables[k].rows, i, row) {
			json_t *line = kind == CFS_DECL_NODE ? node_line(t, row) : edge_line(s, t, row);
			char *text = cfs_json_compact(line, 0);
			cfs_sb_adds(sb, text);
			cfs_sb_addc(sb, '\n');
			free(text);
			json_decref(line);
		}
	}
}

char *cfs_graph_export(struct cfs_snapshot *s)
{
	struct cfs_sb sb = CFS_SB_INIT;

	export_tables(s, CFS_DECL_NODE, &sb);
	export_tables(s, CFS_DECL_EDGE, &sb);
	return sb.buf ? cfs_sb_detach(&sb) : cfs_xstrdup("");
}
