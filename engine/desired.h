/*
 * desired: the desired cluster loaded from a config directory (cluster.md
 * §3-§4): resources with digests, dependency edges, normalized policy
 * bindings, the config digest.  Every command starts here; `validate` is
 * this plus the §4.1 step 9 warnings.
 */
#ifndef CFS_DESIRED_H
#define CFS_DESIRED_H

#include <stdbool.h>
#include <stddef.h>

#include "core/diag.h"
#include "engine/blobbase.h"
#include "engine/config.h"
#include "engine/schema/model.h"

struct cfs_resource {
	char *address;
	const char *kind;       /* "graph" | "schema" | "query" | "policy" | "embedding_provider" */
	char *digest;
	char *path;             /* schema/query/policy only, else NULL */
};

struct cfs_dependency {
	char *from, *to;
};

struct cfs_desired_graph {
	const char *id;                 /* points into cfg */
	char *schema_digest;            /* NULL if the schema was unreadable */
	struct cfs_schema schema;       /* the catalog, valid iff schema_ok */
	bool schema_ok;
	char *provider_addr;            /* bound provider, NULL if none/invalid */
	struct cfs_blob_base *bases;    /* normalized allow list; n == 0 = deny */
	size_t nbases;
};

struct cfs_desired_policy {
	const char *name;               /* points into cfg */
	char **bindings;                /* normalized, sorted, unique */
	size_t nbindings;
};

enum cfs_load_depth {
	CFS_LOAD_HEADER,        /* §4.1 steps 1-5 (status, force-unlock) */
	CFS_LOAD_FULL,          /* steps 1-8 */
};

struct cfs_desired {
	char *config_dir;               /* as given */
	char *config_file;              /* config_dir + "/cluster.yaml" */
	bool decoded;                   /* cfg is valid (steps 1-4 passed) */
	struct cfs_config cfg;
	char *storage_root;             /* resolved (§2.6); NULL if invalid */
	bool state_lock;
	struct cfs_resource *resources; /* sorted by address */
	size_t nresources;
	struct cfs_dependency *deps;    /* sorted by (from, to), unique */
	size_t ndeps;
	struct cfs_desired_graph *graphs;       /* parallel to cfg.graphs */
	struct cfs_desired_policy *policies;    /* parallel to cfg.policies */
	char *config_digest;            /* set by a FULL load that decoded */
};

/*
 * Load config_dir.  Diagnostics are appended to d in emission order; the
 * caller decides from cfs_diags_has_error() whether to go on.  Always
 * returns with *out initialized; free with cfs_desired_free.
 */
void cfs_desired_load(const char *config_dir, enum cfs_load_depth depth,
		      struct cfs_desired *out, struct cfs_diags *d);
void cfs_desired_free(struct cfs_desired *des);

const struct cfs_resource *cfs_desired_find(const struct cfs_desired *des, const char *address);

#endif
