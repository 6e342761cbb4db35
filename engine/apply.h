/*
 * apply: the `apply` command of cluster.md §12.  Under the lock it
 * recomputes the plan on the post-sweep ledger, moves graphs (creates,
 * schema updates, approved deletes, each fenced by a recovery sidecar),
 * publishes catalog blobs, mutates the ledger (§11.2) and writes it with
 * CAS only if it changed.  Failpoints of §17 sit at the contract's places.
 */
#ifndef CFS_APPLY_H
#define CFS_APPLY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine/ops.h"
#include "engine/plan.h"

struct cfs_apply_report {
	bool ok;
	struct cfs_op op;
	char *actor;                    /* NULL = none */
	json_t *state_observations;
	struct cfs_changes changes;
	size_t applied_count, deferred_count;
	bool converged, state_written;
	json_t *resource_statuses;      /* as persisted */
};

/*
 * Run apply on config_dir on behalf of actor (NULL = none).  plan_digest
 * (NULL = not checked) is our extension: refuse with plan_stale
 * unless the recomputed plan has that digest.  Free with
 * cfs_apply_report_free.
 */
void cfs_apply_run(const char *config_dir, const char *actor, const char *plan_digest,
		   struct cfs_apply_report *r);
json_t *cfs_apply_report_json(const struct cfs_apply_report *r);
void cfs_apply_report_free(struct cfs_apply_report *r);

#endif
