/*
 * status: the two commands that only look at (or, for force-unlock,
 * remove) what the storage root holds, on a config decoded no deeper than
 * its header (cluster.md §4.1 steps 1-5, §13):
 *   status        - the ledger as recorded, the lock, pending sidecars,
 *                   and a read-only check of the catalog blobs;
 *   force-unlock  - remove the lock, only when its id is the one given.
 * Neither takes the lock, writes the ledger or opens a graph.
 */
#ifndef CFS_STATUS_H
#define CFS_STATUS_H

#include <jansson.h>
#include <stdbool.h>

#include "engine/ops.h"

struct cfs_status_report {
	bool ok;
	struct cfs_op op;               /* diagnostics, lock observed, ledger as read */
};

/* Run `status` on config_dir.  Free with cfs_status_report_free. */
void cfs_status_run(const char *config_dir, struct cfs_status_report *r);
/* {ok, config_dir, state_observations, resource_digests, resource_statuses,
 *  observations, diagnostics} (new reference) */
json_t *cfs_status_report_json(const struct cfs_status_report *r);
void cfs_status_report_free(struct cfs_status_report *r);

struct cfs_force_unlock_report {
	bool ok;
	bool lock_removed;
	struct cfs_op op;               /* op.foreign: the lock examined */
};

/* Run `force-unlock LOCK_ID` on config_dir on behalf of actor (NULL =
 * none; recorded in the events log only).  Free with
 * cfs_force_unlock_report_free. */
void cfs_force_unlock_run(const char *config_dir, const char *lock_id, const char *actor,
			  struct cfs_force_unlock_report *r);
/* {ok, config_dir, state_observations, lock_removed, diagnostics} */
json_t *cfs_force_unlock_report_json(const struct cfs_force_unlock_report *r);
void cfs_force_unlock_report_free(struct cfs_force_unlock_report *r);

#endif
