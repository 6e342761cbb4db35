/*
 * approve: `approve ADDR --as ACTOR` (cluster.md §13): record a human
 * decision for one gated change (today: a graph or standalone schema
 * delete) as a digest-bound approval artifact (§9).  The ledger is never
 * written; approving twice writes two artifacts.
 */
#ifndef CFS_APPROVE_H
#define CFS_APPROVE_H

#include <jansson.h>
#include <stdbool.h>

#include "engine/ops.h"

struct cfs_approve_report {
	bool ok;
	struct cfs_op op;
	/* set only on success */
	char *approval_id, *resource, *operation, *approved_by;
};

/* Run approve for address on behalf of actor (non-empty).  Free with
 * cfs_approve_report_free. */
void cfs_approve_run(const char *config_dir, const char *address, const char *actor,
		     struct cfs_approve_report *r);
/* {ok, config_dir, approval_id?, resource?, operation?, approved_by?, diagnostics} */
json_t *cfs_approve_report_json(const struct cfs_approve_report *r);
void cfs_approve_report_free(struct cfs_approve_report *r);

#endif
