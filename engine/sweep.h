/*
 * sweep: the recovery sweep of cluster.md §10.1.  apply, refresh and
 * import run it under the lock, before their own work, over every valid
 * sidecar in file-name order.  It converges the in-memory ledger to what
 * the graph roots show (roll forward only: it never deletes graph data),
 * and says which sidecars the command retires after its ledger write and
 * which graphs stay pending (graph-moving work on them is blocked).
 */
#ifndef CFS_SWEEP_H
#define CFS_SWEEP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/diag.h"
#include "ledger/store.h"

struct cfs_sweep {
	char **pending;         /* graph ids of kept sidecars, sorted, unique */
	size_t npending;
	char **retire;          /* sidecar file names to delete after the write */
	size_t nretire;
	char **consumed;        /* approval ids whose files to mark consumed after the write */
	size_t nconsumed;
};

#define CFS_SWEEP_INIT { NULL, 0, NULL, 0, NULL, 0 }

/*
 * Sweep the sidecars of the storage root st (display_root for report
 * paths) against ledger (the §7.1 document, edited in place: roll
 * forwards, tombstones, statuses, recovery/approval records).  Listing
 * problems and the table's outcomes are diagnostics in d.
 */
void cfs_sweep_run(struct cfs_store *st, const char *display_root, json_t *ledger, struct cfs_sweep *out,
		   struct cfs_diags *d);

/* True if graph_id is in the pending set. */
bool cfs_sweep_pending(const struct cfs_sweep *sw, const char *graph_id);

/*
 * After the command's ledger write landed: delete the retired sidecars
 * (best effort, silent: a survivor is retired by the next sweep) and mark
 * the consumed approval artifacts (consumed_at := now).
 */
void cfs_sweep_finish(struct cfs_store *st, const struct cfs_sweep *sw);

void cfs_sweep_free(struct cfs_sweep *sw);

#endif
