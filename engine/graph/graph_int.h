/*
 * graph/graph_int: the graph handle and manifest helpers shared by
 * graph.c (open, init, branches, delete) and commit.c (snapshots, commits,
 * schema apply, load, run).  Not a public API.
 */
#ifndef CFS_GRAPH_INT_H
#define CFS_GRAPH_INT_H

#include "engine/graph/graph.h"
#include "ledger/store.h"

struct cfs_graph {
	struct cfs_store *store;
	char *root;
	uint64_t main_version;
	json_t *main_manifest;          /* head manifest of main */
	char *schema_src;               /* live schema bytes */
	size_t schema_len;
	struct cfs_schema schema;       /* loaded live schema */
};

/* "_manifests/<branch>/<20-digit version>.json"; caller frees. */
char *gi_manifest_key(const char *branch, uint64_t version);
/* Latest manifest of a branch: 0 and *m (new ref), or -1 (ENOENT when the
 * branch has none).  Corrupt JSON: -1 with errno EINVAL. */
int gi_head(struct cfs_graph *g, const char *branch, uint64_t *version, json_t **m);
/* gi_head for a branch that exists: main, or one with a _branches record. */
int gi_branch_head(struct cfs_graph *g, const char *branch, uint64_t *version, json_t **m);
/* Report an I/O failure on key as graph_io_error. */
int gi_io_error(struct cfs_diags *d, const char *what, const char *key);
/* Fail a step with injected_failpoint when the point is armed. */
int gi_failpoint(struct cfs_diags *d, const char *name);
/* Write m as version `version` of branch with put_new; graph_commit_conflict on EEXIST. */
int gi_put_manifest(struct cfs_graph *g, const char *branch, uint64_t version, json_t *m, struct cfs_diags *d);
/* A manifest for the next version: parent, schema, tables, actor, created_at, op. */
json_t *gi_manifest_new(uint64_t version, const char *schema_sha, json_t *tables, const char *actor,
			const char *op);
/* RFC 3339 UTC now; caller frees. */
char *gi_now(void);

#endif
