/*
 * ledger/approval: the approval artifacts __cluster/approvals/<ULID>.json
 * (cluster.md §9).  `approve` writes one per decision (create-if-absent);
 * `plan` and `apply` list them to find the changes they authorize; `apply`
 * rewrites a consumed one with consumed_at set.  Files are never deleted:
 * the audit fact survives the loss of the ledger.
 */
#ifndef CFS_LEDGER_APPROVAL_H
#define CFS_LEDGER_APPROVAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/diag.h"
#include "ledger/store.h"

#define CFS_APPROVALS_DIR "__cluster/approvals"
#define CFS_APPROVAL_REASON "delete may remove deployed graph or schema definition"

struct cfs_approval {
	char *file;                     /* name in the directory ("<id>.json"); NULL for a new one */
	long long schema_version;       /* 1 */
	char *approval_id;
	char *resource;                 /* "graph.<id>" */
	char *operation;                /* "delete" */
	char *reason;
	char *bound_config_digest;
	char *bound_before_digest;      /* NULL = null or absent */
	char *bound_after_digest;       /* NULL = null or absent */
	char *approved_by;
	char *created_at;
	char *consumed_at;              /* NULL = not consumed */
	char *consumed_by_operation;    /* NULL = null or absent */
};

struct cfs_approvals {
	struct cfs_approval *v;         /* file-name order */
	size_t n;
};

/*
 * Every readable version-1 artifact, in file-name order.  Problems are
 * warnings and the file is skipped (§9): approval_read_error at the
 * directory when it cannot be listed, invalid_approval_artifact
 * ("could not parse (<err>); leaving it in place", or "could not read
 * (<err>); ...") and unsupported_approval_version at
 * <display_root>/__cluster/approvals/<file>.  d may be NULL (silent).
 * Free with cfs_approvals_free.
 */
void cfs_approvals_list(struct cfs_store *st, const char *display_root, struct cfs_approvals *out,
			struct cfs_diags *d);
void cfs_approvals_free(struct cfs_approvals *a);
void cfs_approval_release(struct cfs_approval *a);

/*
 * Parse one artifact (closed object; the four optional keys may be
 * absent).  0, or -1 with *err (caller frees) naming the problem.  The
 * version is not checked here.
 */
int cfs_approval_parse(const char *text, size_t len, struct cfs_approval *out, char **err);

/* The artifact as written: all keys, §9 order (new reference). */
json_t *cfs_approval_to_json(const struct cfs_approval *a);

/*
 * Write a new artifact as <approval_id>.json, pretty + "\n", create-if-
 * absent.  0, or -1 with approval_write_error at
 * <display_root>/__cluster/approvals/<id>.json.
 */
int cfs_approval_write(struct cfs_store *st, const char *display_root, const struct cfs_approval *a,
		       struct cfs_diags *d);

/*
 * Valid for a change (§9): not consumed, same resource, bound to the
 * current desired config digest and to the change's before/after digests
 * (NULL = absent on both sides).
 */
bool cfs_approval_valid_for(const struct cfs_approval *a, const char *address, const char *config_digest,
			    const char *before, const char *after);

/*
 * After a ledger write that consumed them: rewrite each still-unconsumed
 * artifact whose approval_id is in ids with consumed_at = now (and
 * consumed_by_operation = by, unless NULL).  Best effort: returns the
 * number of rewrites that failed.
 */
size_t cfs_approvals_mark_consumed(struct cfs_store *st, const char *const *ids, size_t nids, const char *by);

#endif
