/*
 * graph/snapshot: one version of a graph's data in memory, the unit every
 * read works on (a query reads one snapshot start to end).
 *
 * Rows are jansson objects.  A node row is {"id": S, <property>: value...},
 * an edge row {"id": S, "src": S, "dst": S, <property>: value...}, where
 * node ids are the @key value rendered as a string (JSON text for a non-
 * string key) or a ULID for a node type without @key, and src/dst are node
 * ids.  Property values follow the schema: String/enum/Date/DateTime/Blob
 * as JSON strings, integers as JSON integers, floats as reals, Bool as
 * booleans, lists and Vectors as arrays; an absent or null property is a
 * missing member or JSON null.
 */
#ifndef CFS_GRAPH_SNAPSHOT_H
#define CFS_GRAPH_SNAPSHOT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hashmap.h"
#include "engine/schema/model.h"

struct cfs_adj {                        /* node id -> edge row indexes */
	struct cfs_hmap map;            /* id -> bucket */
	size_t **buckets;
	size_t *lens, *caps;
	size_t nbuckets;
};

struct cfs_table {
	const struct cfs_type *type;    /* node or edge declaration */
	json_t *rows;                   /* array of row objects (owned) */
	bool indexed;
	struct cfs_hmap by_id;          /* id -> row index */
	struct cfs_adj by_src, by_dst;  /* edges only */
};

struct cfs_snapshot {
	const struct cfs_schema *schema;        /* borrowed */
	uint64_t version;
	struct cfs_table *tables;       /* one per node and edge type, schema order */
	size_t ntables;
};

/*
 * Build a snapshot from {"<TypeName>": [rows...], ...} (node and edge type
 * names; a type without an entry is empty).  Steals nothing: rows are
 * referenced (json_incref).  Unknown names are ignored.
 */
void cfs_snapshot_init(struct cfs_snapshot *s, const struct cfs_schema *schema, uint64_t version,
		       json_t *tables);
void cfs_snapshot_free(struct cfs_snapshot *s);

/* The table of a declaration (node or edge), or NULL. */
struct cfs_table *cfs_snapshot_table(struct cfs_snapshot *s, const struct cfs_type *t);
struct cfs_table *cfs_snapshot_table_named(struct cfs_snapshot *s, enum cfs_decl_kind kind,
					   const char *name);

/* Row index of a node/edge id, or -1.  Builds the indexes on first use. */
long cfs_table_find(struct cfs_table *t, const char *id);
/* Edge rows whose src (or dst) is node_id: *idx borrowed, valid until the
 * snapshot is freed; *n = 0 when none. */
void cfs_table_edges_from(struct cfs_table *t, const char *node_id, const size_t **idx, size_t *n);
void cfs_table_edges_to(struct cfs_table *t, const char *node_id, const size_t **idx, size_t *n);

/* A row's "id" (and "src"/"dst" for edges) as a C string, or NULL. */
const char *cfs_row_str(const json_t *row, const char *member);

/*
 * The node id for a key value: a JSON string's text as is, anything else
 * as its compact JSON text.  Caller frees.
 */
char *cfs_node_id_for_key(const json_t *key);

#endif
