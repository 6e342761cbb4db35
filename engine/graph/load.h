/*
 * graph/load: the data-changing operations, computed as new table contents
 * for the next version (the caller commits them): JSONL loads (graph-
 * store.md "Load format"), .gq mutations, export, and parameter typing.
 */
#ifndef CFS_GRAPH_LOAD_H
#define CFS_GRAPH_LOAD_H

#include <jansson.h>
#include <stdint.h>

#include "engine/graph/snapshot.h"
#include "engine/query/check.h"

enum cfs_load_mode { CFS_LOAD_OVERWRITE, CFS_LOAD_APPEND, CFS_LOAD_MERGE };

/*
 * Validate jsonl against the snapshot's schema and apply it.  On success
 * *new_tables is {"<Type>": rows-array} for EVERY node and edge type; a
 * table the load did not touch is the snapshot's own array (same json_t
 * pointer, incref'd), so the committer can tell what changed.  On error
 * -1 and *err = "line <n>: <problem>" (nothing is applied).
 */
int cfs_graph_apply_load(struct cfs_snapshot *s, const char *jsonl, size_t len, enum cfs_load_mode mode,
			 json_t **new_tables, char **err);

/* Same contract for a typechecked mutation query; *affected = rows
 * inserted + updated + deleted. */
int cfs_graph_apply_mutation(struct cfs_snapshot *s, const struct cfs_typed_query *q, const json_t *params,
			     json_t **new_tables, uint64_t *affected, char **err);

/* The snapshot in load format (one JSON object per line): nodes first in
 * schema order, then edges.  Caller frees. */
char *cfs_graph_export(struct cfs_snapshot *s);

/*
 * Typed parameters from "name=value" strings (CLI --param): values are
 * converted per the query's parameter types (integers, floats, bools,
 * strings, dates as strings, lists/vectors as JSON arrays); an unknown or
 * missing non-nullable parameter is an error.  New reference in *params.
 */
int cfs_graph_params(const struct cfs_typed_query *q, const char *const *kv, size_t n, json_t **params,
		     char **err);

#endif
