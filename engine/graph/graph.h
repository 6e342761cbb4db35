/*
 * graph/graph: the graph store (graph-store.md): one durable, versioned
 * property-graph database per root, on the object-store interface of
 * ledger/store.h only (no POSIX file calls here), so an S3 backend can
 * drop in.
 *
 * Layout under the root:
 *   _graph.json                          format marker (create-if-absent by init)
 *   _schema/<sha256>.pg                  immutable schema sources
 *   _manifests/<branch>/<20-digit>.json  immutable versions; N+1 is created
 *                                        with put_new, so concurrent writers
 *                                        cannot both commit it
 *   _branches/<name>.json                branch records (main is implicit)
 *   data/<Type>/<ulid>.jsonl             immutable row segments
 * A version is visible once its manifest exists; everything it references
 * is written first, so a crash leaves at worst unreferenced objects.
 *
 * Errors are diagnostics with the codes of graph-store.md / cluster.md:
 * graph_root_exists, graph_root_missing, graph_root_invalid,
 * graph_commit_conflict, graph_branch_exists, graph_branch_missing,
 * graph_schema_refused, graph_load_error, graph_query_error,
 * graph_io_error, injected_failpoint, schema_parse_error, ...
 */
#ifndef CFS_GRAPH_GRAPH_H
#define CFS_GRAPH_GRAPH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/diag.h"
#include "engine/graph/load.h"
#include "engine/graph/snapshot.h"
#include "engine/query/check.h"
#include "engine/schema/migrate.h"
#include "engine/schema/model.h"

struct cfs_graph;

/* Strict: the root must not exist or be empty.  Writes version 1 of main. */
int cfs_graph_init(const char *root, const char *schema_src, size_t len, const char *actor,
		   struct cfs_diags *d);

/* Open the latest state.  read_only refuses nothing more today: versions
 * are immutable and unreferenced objects are ignored. */
int cfs_graph_open(const char *root, bool read_only, struct cfs_graph **out, struct cfs_diags *d);
void cfs_graph_close(struct cfs_graph *g);

uint64_t cfs_graph_main_version(const struct cfs_graph *g);
/* Exact bytes of the live schema (owned by g). */
const char *cfs_graph_schema_source(const struct cfs_graph *g, size_t *len);
const struct cfs_schema *cfs_graph_schema(const struct cfs_graph *g);
/* Sorted branch names, "main" first.  Caller frees with cfs_store_list_free. */
int cfs_graph_branches(struct cfs_graph *g, char ***names, size_t *n, struct cfs_diags *d);
/* Head version of a branch (0 and a diagnostic if it does not exist). */
uint64_t cfs_graph_branch_version(struct cfs_graph *g, const char *branch, struct cfs_diags *d);

int cfs_graph_branch_create(struct cfs_graph *g, const char *name, const char *from, struct cfs_diags *d);
int cfs_graph_branch_delete(struct cfs_graph *g, const char *name, struct cfs_diags *d);

/* The migration from the live schema to src; no write.  Refusals are in
 * the plan (supported = false); errors (bad schema, identity) are diags. */
int cfs_graph_preview_schema(struct cfs_graph *g, const char *src, size_t len, struct cfs_migration *out,
			     struct cfs_diags *d);
/* Apply as one new main version (soft drops only); refused while another
 * branch exists or when the plan is unsupported.  *version = new version. */
int cfs_graph_apply_schema(struct cfs_graph *g, const char *src, size_t len, const char *actor,
			   uint64_t *version, struct cfs_diags *d);

/* A snapshot of a branch's head (free with cfs_snapshot_free). */
int cfs_graph_snapshot(struct cfs_graph *g, const char *branch, struct cfs_snapshot *out, struct cfs_diags *d);

/* Load JSONL into a branch as one commit. */
int cfs_graph_load(struct cfs_graph *g, const char *branch, const char *jsonl, size_t len,
		   enum cfs_load_mode mode, const char *actor, uint64_t *version, struct cfs_diags *d);
/* Run a typechecked query: reads return *result; mutations commit one version. */
int cfs_graph_run(struct cfs_graph *g, const char *branch, const struct cfs_typed_query *q,
		  const json_t *params, const char *actor, json_t **result, struct cfs_diags *d);

/*
 * Readers that must not see a root vanish (an export, a served query)
 * register under _readers/<ulid>.json for their duration; begin fails with
 * graph_delete_in_progress once a delete has reserved the root.  *token is
 * the reader's key (caller frees, passes it to reader_end).  A reader that
 * crashed leaves its file: remove it by hand after checking its pid.
 */
int cfs_graph_reader_begin(struct cfs_graph *g, char **token, struct cfs_diags *d);
void cfs_graph_reader_end(struct cfs_graph *g, char *token);

/*
 * Taken before a delete: creates _exclusion.json (kept if already there,
 * so an interrupted delete can resume) and fails with
 * graph_delete_export_in_progress while a reader is registered.
 */
int cfs_graph_reserve_export_exclusion(const char *root, struct cfs_diags *d);
/* Give the reservation back after a delete that failed (not after a crash:
 * then the reservation stays until the delete is re-run). */
void cfs_graph_release_export_exclusion(const char *root);

/* Remove every object under the root; idempotent. */
int cfs_graph_delete_root(const char *root, struct cfs_diags *d);

#endif
