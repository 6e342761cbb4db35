/*
 * ledger/lock: the cluster state lock __cluster/lock.json (cluster.md §8):
 * created with create-if-absent, never broken implicitly; only the exact
 * lock id removes it.
 */
#ifndef CFS_LEDGER_LOCK_H
#define CFS_LEDGER_LOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/diag.h"
#include "ledger/store.h"

#define CFS_LOCK_KEY "__cluster/lock.json"

struct cfs_lock_info {
	bool present;           /* a lock was observed: its bytes were read (cfs_lock_read), or it
				 * blocked cfs_lock_acquire; reported as state_observations.locked */
	bool parsed;            /* its content is a valid version-1 lock (the fields below are set) */
	char *lock_id, *operation, *created_at;
	uint32_t pid;
	long long version;      /* as read (for unsupported_state_lock_version) */
};

/*
 * Read the lock.  Problems are reported with severity sev (warnings in
 * status, errors in force-unlock): state_lock_read_error,
 * invalid_state_lock, unsupported_state_lock_version.  Absent: present false,
 * no diagnostic; unreadable: present false; unparseable or another
 * version: present true, parsed false.  Returns 0 unless a diagnostic was
 * added.
 */
int cfs_lock_read(struct cfs_store *st, enum cfs_severity sev, struct cfs_lock_info *out, struct cfs_diags *d);
void cfs_lock_info_release(struct cfs_lock_info *l);

/*
 * Take the lock for operation op: 0 and *lock_id (caller frees), or -1
 * with state_lock_held (held filled with the holder, if parseable) or
 * state_lock_error.
 */
int cfs_lock_acquire(struct cfs_store *st, const char *op, char **lock_id, struct cfs_lock_info *held,
		     struct cfs_diags *d);
/* Release: delete the file only if it still holds lock_id. */
void cfs_lock_release(struct cfs_store *st, const char *lock_id);

/* Seconds since created_at (RFC 3339), or -1 if unparseable. */
long long cfs_lock_age_seconds(const char *created_at);

#endif
