/*
 * ops: what every control-plane command (plan, apply, approve, status,
 * refresh, import, force-unlock; cluster.md §11-§14) shares: the desired
 * cluster, the storage root as an object store, the ledger read, the lock
 * taken and released, and the state_observations block of §11.5.
 */
#ifndef CFS_OPS_H
#define CFS_OPS_H

#include <jansson.h>
#include <stdbool.h>

#include "core/diag.h"
#include "engine/desired.h"
#include "ledger/lock.h"
#include "ledger/state.h"
#include "ledger/store.h"

struct cfs_op {
	const char *operation;          /* "plan", "status", ... */
	struct cfs_desired des;         /* loaded per the command's depth */
	struct cfs_diags diags;
	struct cfs_store *store;        /* storage root; NULL until opened */
	char *display_root;             /* absolute local path (or the S3 URI) */
	struct cfs_state state;         /* ledger as read (found=false if not read) */
	bool state_read;                /* the ledger was read */
	char *lock_id;                  /* this command's lock, NULL if never taken; kept after
					 * cfs_op_unlock for the report (lock_acquired) */
	bool lock_released;             /* cfs_op_unlock ran */
	struct cfs_lock_info foreign;   /* a lock observed (held by someone else / examined) */
};

/*
 * Start a command: load the config dir at depth (CFS_LOAD_FULL for
 * plan/apply/approve/refresh/import, CFS_LOAD_HEADER for status and
 * force-unlock) into op->des, diagnostics into op->diags.  Returns 0 when
 * the command may go on (no error), -1 otherwise.
 */
int cfs_op_begin(struct cfs_op *op, const char *operation, const char *config_dir, enum cfs_load_depth depth);

/* Open the storage root as an object store (local only in this build;
 * s3:// -> storage_root_invalid).  0 or -1 with a diagnostic. */
int cfs_op_open_store(struct cfs_op *op);

/*
 * Take the lock if state.lock is true (state_lock_held / state_lock_error
 * on failure, op->foreign filled with the holder), else add the warning
 * state_lock_disabled with the command's message (§8).  0 or -1.
 */
int cfs_op_lock(struct cfs_op *op);
/* Release this command's lock (if any). */
void cfs_op_unlock(struct cfs_op *op);

/* Read the ledger into op->state (diagnostics per §7.2).  0 or -1. */
int cfs_op_read_state(struct cfs_op *op);

/*
 * After a successful cfs_state_write: op->state describes the file just
 * written (found, cas, doc), so state_observations reports the new
 * revision, CAS and resource count (§7.4).  Takes ownership of doc (one
 * reference) and cas.
 */
void cfs_op_set_state(struct cfs_op *op, json_t *doc, char *cas);

/*
 * status / force-unlock: the reference reports the storage root, the lock
 * and the sidecars before the config-header checks of §4.1 step 5.  Moves
 * the step-5 diagnostics out of op->diags into *later, to be appended back
 * (cfs_diags_append) once those are reported.
 */
void cfs_op_split_header_diags(struct cfs_op *op, struct cfs_diags *later);

/* The §11.5 state_observations object (new reference). */
json_t *cfs_op_state_observations(const struct cfs_op *op);

/* Warn cluster_recovery_pending for each sidecar file (plan/status, §10.1). */
void cfs_op_warn_pending_sidecars(struct cfs_op *op);

/*
 * Append this operation's line to the events log (fs.md "events",
 * ledger/events.h): {at, operation, actor (NULL = null), ok,
 * state_revision (null unless a ledger was read or written), changes (only
 * when changes >= 0: apply's applied count), codes (the distinct error
 * codes, in order), pid}.  Call once, at the end of a mutating command,
 * with its final ok.  Recorded only under a resolved local storage root
 * that holds a ledger folder (__cluster/): a command that failed before
 * anything existed leaves nothing behind.  A failed append adds the
 * warning events_write_error and never changes the command's result.
 */
void cfs_op_record_event(struct cfs_op *op, const char *actor, bool ok, long long changes);

void cfs_op_end(struct cfs_op *op);

#endif
