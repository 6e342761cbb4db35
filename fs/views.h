/*
 * fs/views: read-only per-graph views and the README (fs.md "graphs/").
 * Functions return 0 or -errno; data is NUL-terminated, caller frees.
 */
#ifndef CFS_FS_VIEWS_H
#define CFS_FS_VIEWS_H

#include <stdbool.h>
#include <stddef.h>

extern const char cfs_fs_readme[];

/* The graph root of a declared graph opens. */
bool cfs_view_graph_exists(const char *storage_root, const char *id);
/* graphs/<id>/<name>: "schema.pg" (live), "version" (main, "N\n"),
 * "status" (JSON; also when the root does not exist). */
int cfs_view_graph_file(const char *storage_root, const char *id, const char *name, char **data, size_t *len);
/* graphs/<id>/queries/: "<name>.gq" of every applied query of the graph. */
int cfs_view_graph_queries(const char *storage_root, const char *id, char ***names, size_t *n);
/* graphs/<id>/queries/<name>.gq: the applied catalog blob. */
int cfs_view_graph_query(const char *storage_root, const char *id, const char *file, char **data, size_t *len);

#endif
