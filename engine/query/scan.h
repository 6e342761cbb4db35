/*
 * query/scan: the declaration-level structure of a .gq file.
 *
 * Splits a file into its `query <name>(...) {...}` declarations (names in
 * file order, repeats kept), which is what the control plane needs to derive
 * query names (cluster.md §2.2).  It understands the full lexical layer
 * (comments, strings) and the top-level grammar; the query *bodies* are
 * checked for balance only.  The full parser and typechecker (query-lang.md)
 * build on this in engine/query/.
 */
#ifndef CFS_QUERY_SCAN_H
#define CFS_QUERY_SCAN_H

#include <stddef.h>

struct cfs_query_decl {
	char *name;
	unsigned line, col;     /* of the `query` keyword, 1-based */
};

struct cfs_query_file {
	struct cfs_query_decl *decls;
	size_t n;
};

/*
 * Scan src.  Returns 0 and fills out (caller frees with cfs_query_file_free),
 * or -1 and sets *err to a rendered message ("parse error:  --> L:C: ...");
 * caller frees *err.
 */
int cfs_query_scan(const char *src, size_t len, struct cfs_query_file *out, char **err);
void cfs_query_file_free(struct cfs_query_file *f);
/* First declaration with this name, or NULL. */
const struct cfs_query_decl *cfs_query_file_find(const struct cfs_query_file *f, const char *name);

#endif
