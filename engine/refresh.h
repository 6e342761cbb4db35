/*
 * refresh: `refresh` and `import` (cluster.md §14).  Both converge the
 * ledger to what storage shows: the recovery sweep, the catalog blobs of
 * recorded queries and policies, and a read-only observation of every
 * desired graph root.  import bootstraps the first ledger (revision 1,
 * nothing written on any error); refresh rewrites an existing one
 * (revision + 1, written even with observation errors).
 */
#ifndef CFS_REFRESH_H
#define CFS_REFRESH_H

#include <jansson.h>
#include <stdbool.h>

#include "core/diag.h"

/*
 * Run refresh (import false) or import on config_dir on behalf of actor
 * (NULL = none; recorded in the events log only).  Returns the §14 report
 * {ok, operation, config_dir, state_observations, resource_digests,
 * resource_statuses, observations, diagnostics} (new reference); diags
 * receives a copy of its diagnostics for the human rendering.
 */
json_t *cfs_state_sync(const char *config_dir, bool import, const char *actor, const char *plan_digest,
		       struct cfs_diags *diags);

#endif
