/*
 * failpoint: test hooks named in CLUSTERFS_FAILPOINTS (cluster.md §17):
 * "name[=action];name2=..." with action error (default), crash
 * (_exit(137) on the spot, nothing flushed), or sleep(<ms>).  Code calls
 * cfs_failpoint("graph.commit.before_manifest") at each durable step.
 */
#ifndef CFS_FAILPOINT_H
#define CFS_FAILPOINT_H

/*
 * 0 when the point is not armed (or after a sleep), -1 when it is armed
 * with `error` (the caller fails that step with injected_failpoint).  A
 * `crash` never returns.
 */
int cfs_failpoint(const char *name);

/* The diagnostic text for an `error` failpoint. */
#define CFS_FAILPOINT_CODE "injected_failpoint"
/* "injected failpoint triggered: <name>" */

#endif
