/*
 * graph/commit: reading snapshots and committing new versions (loads,
 * mutations, schema applies).  Every commit writes its new row segments
 * first and its manifest last, with create-if-absent, so a version exists
 * whole or not at all.
 */
#include "engine/graph/graph_int.h"
#include "engine/graph/exec.h"
#include "core/json.h"
#include "core/sha256.h"
#include "core/strbuf.h"
#include "core/ulid.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Parse one segment (JSON lines) into an array of rows. */
static json_t *read_segment(struct cfs_graph *g, const char *key, struct cfs_diags *d)
{
	char *data;
	size_t len;
	json_t *rows = json_array();

	if (cfs_store_get(g->store, key, &data, &len)) {
		gi_io_error(d, "read", key);
		json_decref(rows);
		return NULL;
	}
	for (char *line = data, *end; line < data + len; line = end + 1) {
		end = memchr(line, '\n', (size_t)(data + len - line));
		if (!end)
			end = data + len;
		if (end == line)
			continue;
		json_t *row = json_loadb(line, (size_t)(end - line), 0, NULL);
		if (!json_is_object(row)) {
			cfs_diag_error(d, "graph_root_invalid", key, "segment '%s' holds a malformed row", key);
			json_decref(row);
			json_decref(rows);
			free(data);
			return NULL;
		}
		json_array_append_new(rows, row);
	}
	free(data);
	return rows;
}

/* {"<Type>": rows} for every table a manifest references. */
static json_t *read_tables(struct cfs_graph *g, json_t *manifest, struct cfs_diags *d)
{
	json_t *out = json_object(), *seg;
	const char *type;

	json_object_foreach(json_object_get(manifest, "tables"), type, seg) {
		if (!json_is_string(seg))
			continue;
		json_t *rows = read_segment(g, json_string_value(seg), d);
		if (!rows) {
			json_decref(out);
			return NULL;
		}
		json_object_set_new(out, type, rows);
	}
	return out;
}

int cfs_graph_snapshot(struct cfs_graph *g, const char *branch, struct cfs_snapshot *out, struct cfs_diags *d)
{
	uint64_t v;
	json_t *m;

	if (gi_branch_head(g, branch, &v, &m)) {
		cfs_diag_error(d, "graph_branch_missing", branch, "branch '%s' does not exist", branch);
		return -1;
	}
	json_t *tables = read_tables(g, m, d);
	json_decref(m);
	if (!tables)
		return -1;
	cfs_snapshot_init(out, &g->schema, v, tables);
	json_decref(tables);
	return 0;
}

static char *segment_text(json_t *rows)
{
	struct cfs_sb sb = CFS_SB_INIT;
	size_t i;
	json_t *row;

	json_array_foreach(rows, i, row) {
		char *line = cfs_json_compact(row, 0);
		cfs_sb_adds(&sb, line);
		cfs_sb_addc(&sb, '\n');
		free(line);
	}
	return cfs_sb_detach(&sb);
}

/* Write rows as a new immutable segment of type; *key (caller frees) names it. */
static int put_segment(struct cfs_graph *g, const char *type, json_t *rows, char **key, struct cfs_diags *d)
{
	char ulid[CFS_ULID_LEN + 1];

	cfs_ulid_new(ulid);
	*key = cfs_xasprintf("data/%s/%s.jsonl", type, ulid);
	char *text = segment_text(rows);
	int rc = cfs_store_put_new(g->store, *key, text, strlen(text));
	free(text);
	if (rc) {
		gi_io_error(d, "write", *key);
		free(*key);
		*key = NULL;
	}
	return rc;
}

/*
 * The manifest "tables" for new contents: a table whose rows are the
 * snapshot's own array keeps its segment; a changed one gets a new one.
 */
static json_t *write_tables(struct cfs_graph *g, struct cfs_snapshot *s, json_t *old_tables,
			    json_t *new_tables, struct cfs_diags *d)
{
	json_t *out = json_object();

	for (size_t i = 0; i < s->ntables; i++) {
		const char *name = s->tables[i].type->name;
		json_t *rows = json_object_get(new_tables, name);
		json_t *old = json_object_get(old_tables, name);
		if (!rows || rows == s->tables[i].rows) {
			if (old)
				json_object_set(out, name, old);
			continue;
		}
		if (!json_array_size(rows))
			continue;
		char *key;
		if (put_segment(g, name, rows, &key, d)) {
			json_decref(out);
			return NULL;
		}
		json_object_set_new(out, name, json_string(key));
		free(key);
	}
	return out;
}

/* Commit new_tables on top of snapshot s (version s->version) of branch. */
static int commit(struct cfs_graph *g, const char *branch, struct cfs_snapshot *s, json_t *new_tables,
		  const char *actor, const char *op, uint64_t *version, struct cfs_diags *d)
{
	uint64_t v;
	json_t *head;
	int rc = -1;

	if (gi_head(g, branch, &v, &head))
		return gi_io_error(d, "read head of", branch);
	json_t *tables = write_tables(g, s, json_object_get(head, "tables"), new_tables, d);
	if (tables && !gi_failpoint(d, "graph.commit.before_manifest")) {
		const char *sha = json_string_value(json_object_get(head, "schema"));
		json_t *m = gi_manifest_new(s->version + 1, sha, json_incref(tables), actor, op);
		json_t *dropped = json_object_get(head, "dropped_tables");
		if (dropped)    /* soft-dropped data stays referenced by every later version */
			json_object_set(m, "dropped_tables", dropped);
		rc = gi_put_manifest(g, branch, s->version + 1, m, d);
		if (!rc && version)
			*version = s->version + 1;
		if (!rc && !strcmp(branch, "main")) {
			json_decref(g->main_manifest);
			g->main_manifest = json_incref(m);
			g->main_version = s->version + 1;
		}
		json_decref(m);
	}
	json_decref(tables);
	json_decref(head);
	return rc;
}

int cfs_graph_load(struct cfs_graph *g, const char *branch, const char *jsonl, size_t len,
		   enum cfs_load_mode mode, const char *actor, uint64_t *version, struct cfs_diags *d)
{
	struct cfs_snapshot s;
	json_t *tables;
	char *err;
	int rc = -1;

	if (cfs_graph_snapshot(g, branch, &s, d))
		return -1;
	if (cfs_graph_apply_load(&s, jsonl, len, mode, &tables, &err)) {
		cfs_diag_error(d, "graph_load_error", branch, "%s", err);
		free(err);
	} else {
		rc = commit(g, branch, &s, tables, actor, "load", version, d);
		json_decref(tables);
	}
	cfs_snapshot_free(&s);
	return rc;
}

int cfs_graph_run(struct cfs_graph *g, const char *branch, const struct cfs_typed_query *q,
		  const json_t *params, const char *actor, json_t **result, struct cfs_diags *d)
{
	struct cfs_snapshot s;
	json_t *tables;
	char *err = NULL;
	uint64_t affected = 0, version = 0;
	int rc = -1;

	*result = NULL;
	if (cfs_graph_snapshot(g, branch, &s, d))
		return -1;
	if (!q->is_mutation) {
		rc = cfs_graph_exec(&s, q, params, result, &err);
	} else if (!(rc = cfs_graph_apply_mutation(&s, q, params, &tables, &affected, &err))) {
		rc = commit(g, branch, &s, tables, actor, q->name, &version, d);
		json_decref(tables);
		if (!rc)
			*result = json_pack("{s:I, s:I}", "affected", (json_int_t)affected, "version", (json_int_t)version);
	}
	if (err) {
		cfs_diag_error(d, "graph_query_error", q->name, "%s", err);
		free(err);
		rc = -1;
	}
	cfs_snapshot_free(&s);
	return rc;
}

int cfs_graph_preview_schema(struct cfs_graph *g, const char *src, size_t len, struct cfs_migration *out,
			     struct cfs_diags *d)
{
	struct cfs_schema desired;
	char *err;
	enum cfs_schema_status st = cfs_schema_load(src, len, &desired, &err);

	if (st != CFS_SCHEMA_OK) {
		cfs_diag_error(d, st == CFS_SCHEMA_CATALOG ? "schema_catalog_error" : "schema_parse_error",
			       "schema", "%s", err);
		free(err);
		return -1;
	}
	int rc = cfs_schema_plan(&g->schema, &desired, out, &err);
	if (rc) {
		cfs_diag_error(d, "schema_apply_refused", "schema", "%s", err);
		free(err);
	}
	cfs_schema_free(&desired);
	return rc;
}

/* Rewrite one table's segment with a property renamed in every row. */
static int rename_member(struct cfs_graph *g, json_t *tables, const char *type, const char *from,
			 const char *to, struct cfs_diags *d)
{
	const char *key = json_string_value(json_object_get(tables, type));

	if (!key)
		return 0;               /* empty table: nothing stored to rename */
	json_t *rows = read_segment(g, key, d);
	if (!rows)
		return -1;
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		json_t *v = json_object_get(row, from);
		if (v) {
			json_object_set(row, to, v);
			json_object_del(row, from);
		}
	}
	char *nkey;
	int rc = put_segment(g, type, rows, &nkey, d);
	if (!rc)
		json_object_set_new(tables, type, json_string(nkey));
	free(nkey);
	json_decref(rows);
	return rc;
}

/*
 * Carry the stored tables through the plan's renames and soft drops.  A
 * soft drop keeps the data (this version still references it) but out of
 * reach: a dropped type's segment moves to dropped_tables, a dropped
 * property's values move to a member name no identifier can spell
 * ("<p>#dropped@v<N>"), so re-adding the name starts empty.
 */
static int migrate_tables(struct cfs_graph *g, const json_t *steps, json_t *tables, json_t *dropped,
			  uint64_t version, struct cfs_diags *d)
{
	size_t i;
	json_t *st;

	json_array_foreach(steps, i, st) {
		const char *kind = json_string_value(json_object_get(st, "kind"));
		const char *tk = json_string_value(json_object_get(st, "type_kind"));
		if (!kind || !tk || !strcmp(tk, "interface"))
			continue;
		if (!strcmp(kind, "rename_type")) {
			const char *from = json_string_value(json_object_get(st, "from"));
			json_t *seg = json_object_get(tables, from);
			if (seg)
				json_object_set(tables, json_string_value(json_object_get(st, "to")), seg);
			json_object_del(tables, from);
		} else if (!strcmp(kind, "drop_type")) {
			const char *name = json_string_value(json_object_get(st, "name"));
			json_t *seg = json_object_get(tables, name);
			if (seg) {
				char *key = cfs_xasprintf("%s#v%" PRIu64, name, version);
				json_object_set(dropped, key, seg);
				free(key);
			}
			json_object_del(tables, name);
		} else if (!strcmp(kind, "drop_property")) {
			const char *prop = json_string_value(json_object_get(st, "property_name"));
			char *hidden = cfs_xasprintf("%s#dropped@v%" PRIu64, prop, version);
			int rc = rename_member(g, tables, json_string_value(json_object_get(st, "type_name")),
					       prop, hidden, d);
			free(hidden);
			if (rc)
				return -1;
		} else if (!strcmp(kind, "rename_property") &&
			   rename_member(g, tables, json_string_value(json_object_get(st, "type_name")),
					 json_string_value(json_object_get(st, "from")),
					 json_string_value(json_object_get(st, "to")), d)) {
			return -1;
		}
	}
	return 0;
}

static int refuse_branches(struct cfs_graph *g, struct cfs_diags *d)
{
	char **names;
	size_t n;

	if (cfs_graph_branches(g, &names, &n, d))
		return -1;
	int rc = 0;
	if (n > 1) {
		cfs_diag_error(d, "graph_schema_refused", "schema",
			       "schema apply is refused while branches other than main exist (%zu found, e.g. '%s')",
			       n - 1, names[1]);
		rc = -1;
	}
	cfs_store_list_free(names, n);
	return rc;
}

/* Swap in the newly committed schema as the live one. */
static void adopt(struct cfs_graph *g, const char *src, size_t len, json_t *m, uint64_t v)
{
	struct cfs_schema s;
	char *err = NULL;

	if (cfs_schema_load(src, len, &s, &err) != CFS_SCHEMA_OK) {
		free(err);
		return;         /* cannot happen: it was planned from this source */
	}
	cfs_schema_free(&g->schema);
	g->schema = s;
	free(g->schema_src);
	g->schema_src = cfs_xstrndup(src, len);
	g->schema_len = len;
	json_decref(g->main_manifest);
	g->main_manifest = json_incref(m);
	g->main_version = v;
}

static int commit_schema(struct cfs_graph *g, const char *src, size_t len, const json_t *steps,
			 const char *actor, uint64_t *version, struct cfs_diags *d)
{
	char sha[CFS_SHA256_HEX_LEN + 1];
	json_t *tables = json_deep_copy(json_object_get(g->main_manifest, "tables"));
	json_t *dropped = json_deep_copy(json_object_get(g->main_manifest, "dropped_tables"));
	int rc = -1;

	if (!tables)
		tables = json_object();
	if (!dropped)
		dropped = json_object();
	cfs_sha256_hex(src, len, sha);
	char *key = cfs_xasprintf("_schema/%s.pg", sha);
	if (cfs_store_put_new(g->store, key, src, len) && errno != EEXIST) {
		gi_io_error(d, "write", key);
	} else if (!migrate_tables(g, steps, tables, dropped, g->main_version + 1, d)) {
		json_t *m = gi_manifest_new(g->main_version + 1, sha, json_incref(tables), actor, "schema_apply");
		if (json_object_size(dropped))
			json_object_set(m, "dropped_tables", dropped);
		rc = gi_put_manifest(g, "main", g->main_version + 1, m, d);
		if (!rc) {
			*version = g->main_version + 1;
			adopt(g, src, len, m, *version);
		}
		json_decref(m);
	}
	free(key);
	json_decref(tables);
	json_decref(dropped);
	return rc;
}

int cfs_graph_apply_schema(struct cfs_graph *g, const char *src, size_t len, const char *actor,
			   uint64_t *version, struct cfs_diags *d)
{
	struct cfs_migration plan;

	*version = g->main_version;
	if (refuse_branches(g, d) || cfs_graph_preview_schema(g, src, len, &plan, d))
		return -1;
	int rc = -1;
	char *why = cfs_migration_refusal(&plan);
	if (why) {
		cfs_diag_error(d, "graph_schema_refused", "schema", "%s", why);
		free(why);
	} else if (len == g->schema_len && !memcmp(src, g->schema_src, len)) {
		rc = 0;         /* same bytes: nothing to commit */
	} else if (!gi_failpoint(d, "graph.schema_apply.before_commit") &&
		   !commit_schema(g, src, len, plan.steps, actor, version, d)) {
		rc = gi_failpoint(d, "graph.schema_apply.after_commit");
	}
	cfs_migration_free(&plan);
	return rc;
}
