/*
 * graph/load_int: what the files behind graph/load.h share (not a public
 * API).
 *
 *  - load_value.c: values against property types (schema-lang.md §4): the
 *    one check every row write goes through, date/datetime validation, and
 *    the "name=value" parameter conversion.
 *  - load_work.c: the working copy of a snapshot's tables that a load or a
 *    mutation edits (copy-on-write per table), row building in schema
 *    order, and the result object.
 *  - load.c (JSONL loads), load_mut.c (mutations), load_export.c (export).
 *
 * Row shapes are those of snapshot.h.  Rows written here hold "id" (and
 * "src"/"dst" for edges) followed by EVERY live property of the type in
 * schema property order, JSON null for an absent nullable one.
 */
#ifndef CFS_GRAPH_LOAD_INT_H
#define CFS_GRAPH_LOAD_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/hashmap.h"
#include "engine/graph/snapshot.h"
#include "engine/schema/model.h"

/* ---- load_value.c ---- */

/*
 * v checked against t, in its stored form (new reference): integers range-
 * checked, floats stored as reals (integers accepted), Date "YYYY-MM-DD"
 * and DateTime RFC 3339 strings validated, enum strings one of the values,
 * lists element by element, Vector(n) exactly n numbers (as reals), Blob a
 * string; JSON null only if t is nullable.  NULL and *why (caller frees,
 * no "property ..." prefix) when v does not fit.
 */
json_t *lv_convert(const struct cfs_ptype *t, const json_t *v, char **why);

/* "YYYY-MM-DD" with a real calendar day. */
bool lv_valid_date(const char *s);
/* RFC 3339 date-time: date "T" time [".frac"] ("Z" | "+hh:mm" | "-hh:mm"),
 * "t"/"z" and a space for "T" accepted (RFC 3339 §5.6 note). */
bool lv_valid_datetime(const char *s);

/* A parameter's command-line text as a typed JSON value (new reference),
 * or NULL and *why. */
json_t *lv_from_text(const struct cfs_ptype *t, const char *text, char **why);

/* ---- load_work.c ---- */

/*
 * One table being edited.  Untouched (rows == NULL), it reads through to
 * the snapshot's table and its indexes; lw_touch gives it a private rows
 * array (the snapshot's rows incref'd, or empty) and a private id index.
 * A deleted row becomes JSON null in place (so row indexes stay valid) and
 * its id maps to LW_GONE; lw_result drops those holes.
 */
#define LW_GONE ((size_t)-1)

struct lw_tab {
	struct cfs_table *snap;
	json_t *rows;                   /* NULL while untouched */
	struct cfs_hmap ids;            /* id -> row index (touched only) */
	struct cfs_hmap pairs;          /* edges: "src/dst" -> row index (lw_find_pair) */
	bool pairs_built;
	unsigned *lines;                /* load line that wrote row i, 0 = pre-existing */
	size_t nlines, caplines;
	size_t ngone;
};

struct lw {
	struct cfs_snapshot *s;
	struct lw_tab *tabs;            /* tabs[i] edits s->tables[i] */
	size_t n;
};

void lw_init(struct lw *w, struct cfs_snapshot *s);
void lw_free(struct lw *w);
struct lw_tab *lw_tab_of(struct lw *w, const struct cfs_type *t);
/* Make t private: a copy of the snapshot's rows, or empty when `empty`. */
void lw_touch(struct lw_tab *t, bool empty);
/* The current rows (private or the snapshot's); holes are JSON null. */
const json_t *lw_rows(const struct lw_tab *t);
/* Row index of id, or -1. */
long lw_find(struct lw_tab *t, const char *id);
/* Edge row index with that src and dst (first one), or -1. */
long lw_find_pair(struct lw_tab *t, const char *src, const char *dst);
/* The line that wrote row i (0 = it was in the snapshot). */
unsigned lw_line(const struct lw_tab *t, size_t i);
/* Append (steals row) / replace row i (steals row) / delete row i.  The
 * table is touched first if needed. */
void lw_append(struct lw_tab *t, json_t *row, unsigned line);
void lw_replace(struct lw_tab *t, size_t i, json_t *row, unsigned line);
void lw_delete(struct lw_tab *t, size_t i);
/* {"<Type>": rows} for every table: private ones without holes, untouched
 * ones the snapshot's array (incref'd).  New reference.  (A node and an
 * edge type sharing a name share the member, as in cfs_snapshot_init's
 * input: the later table in schema order wins.) */
json_t *lw_result(struct lw *w);

/* true if t->props[i] is the live declaration of its name (§8: a name
 * declared twice keeps the last). */
bool lw_prop_live(const struct cfs_type *t, size_t i);

/*
 * Fill row (which already holds id, and src/dst for edges) with every live
 * property of t in schema order: the value given in `given` (already
 * converted) if present, else old's value, else JSON null.  A non-nullable
 * property left null fails with *why = "missing non-nullable property
 * `T.p`".
 */
int lw_fill_props(const struct cfs_type *t, const json_t *given, const json_t *old, json_t *row,
		  char **why);

/*
 * The node id of a node of type t whose properties are `props` (converted
 * values): cfs_node_id_for_key of the single @key column's value, or the
 * compact JSON array of the key columns' values for a multi-column key.
 * NULL with *why = "missing @key property `T.p`" when a column is absent
 * or null.  t must have a @key.
 */
char *lw_key_id(const struct cfs_type *t, const json_t *props, char **why);

/* The key value(s) of a node row, as the load format writes them in an
 * edge's from/to: the single column's value, or an array of the columns'
 * values; for a node type without @key, its id.  New reference. */
json_t *lw_key_value(const struct cfs_type *t, const json_t *row);

/* The node type an edge's endpoint names ("from"/"to" side). */
const struct cfs_type *lw_endpoint_type(const struct cfs_schema *s, const struct cfs_type *edge, bool to);

/* A fresh ULID, or NULL (and *why) if the random source failed. */
char *lw_new_id(char **why);

#endif
