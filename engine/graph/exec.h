/*
 * graph/exec: executes a typechecked read query (engine/query/check.h)
 * over one snapshot: node scans with filters (key lookups through the id
 * index when a binding matches the @key), edge expansion through the
 * adjacency indexes, negation, projection, aggregation, order, limit.
 */
#ifndef CFS_GRAPH_EXEC_H
#define CFS_GRAPH_EXEC_H

#include <jansson.h>

#include "engine/graph/snapshot.h"
#include "engine/query/check.h"

/*
 * Run q (a read query) with params (JSON object: parameter name -> value,
 * typed as cfs_graph_params produces).  On success *result is
 * {"columns": [name...], "rows": [[value...]...]} in the declared return
 * order (new reference) and 0 is returned; else -1 and *err (caller frees).
 */
int cfs_graph_exec(struct cfs_snapshot *s, const struct cfs_typed_query *q, const json_t *params,
		   json_t **result, char **err);

#endif
