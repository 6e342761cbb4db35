/*
 * plan: the read-only plan of cluster.md §11 and the pieces `apply` and
 * `approve` share with it: the diff of desired against the ledger (§11.1),
 * approval validity (§9), the classification of every change into a
 * disposition (§11.3), the approval gates and blast radius (§11.4), the
 * schema-migration preview (§15), and the change/report JSON (§11.5).
 */
#ifndef CFS_PLAN_H
#define CFS_PLAN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/diag.h"
#include "engine/desired.h"
#include "engine/ops.h"
#include "engine/schema/migrate.h"
#include "ledger/approval.h"

enum cfs_change_op { CFS_CHANGE_CREATE, CFS_CHANGE_UPDATE, CFS_CHANGE_DELETE };

enum cfs_disposition {
	CFS_DISP_NONE = 0,      /* not classified (approve's plain diff) */
	CFS_DISP_APPLIED,
	CFS_DISP_DERIVED,
	CFS_DISP_DEFERRED,
	CFS_DISP_BLOCKED,
};

enum cfs_metadata_change { CFS_META_NONE = 0, CFS_META_POLICY_BINDINGS, CFS_META_EMBEDDING_PROFILE };

struct cfs_change {
	char *resource;
	enum cfs_change_op op;
	char *before_digest;            /* NULL = absent (create) */
	char *after_digest;             /* NULL = absent (delete) */
	enum cfs_disposition disposition;
	const char *reason;             /* static text or NULL */
	bool binding_change;
	enum cfs_metadata_change metadata_change;
	bool approved;                  /* a valid artifact authorizes it (§9) */
	json_t *migration;              /* {"supported","steps"} for previewed schema updates */
};

struct cfs_changes {
	struct cfs_change *v;           /* sorted by resource */
	size_t n, cap;
};

struct cfs_gate {                       /* one entry of approvals_required */
	const char *resource;           /* borrowed from the change */
	bool satisfied;
};

struct cfs_gates {
	struct cfs_gate *v;
	size_t n;
};

const char *cfs_change_op_name(enum cfs_change_op op);          /* "create"... */
const char *cfs_disposition_name(enum cfs_disposition d);       /* "applied"... NULL for none */

/*
 * §11.1: desired against the ledger (doc NULL = missing ledger = empty).
 * with_metadata adds the policy-binding and embedding-profile metadata
 * updates (plan, apply); approve diffs without them.  Free with
 * cfs_changes_free.
 */
void cfs_plan_diff(const struct cfs_desired *des, json_t *ledger, bool with_metadata, struct cfs_changes *out);
void cfs_changes_free(struct cfs_changes *ch);
struct cfs_change *cfs_changes_find(const struct cfs_changes *ch, const char *resource);

/*
 * §9: mark each change that a valid artifact authorizes (change->approved)
 * and warn approval_stale at a change with unconsumed artifacts of which
 * none is valid.
 */
void cfs_plan_mark_approved(struct cfs_changes *ch, const struct cfs_approvals *arts, const char *config_digest,
			    struct cfs_diags *d);

/*
 * §11.3: set disposition and reason of every change.  pending = graph ids
 * the recovery sweep kept (none in plan).  Uses change->approved and the
 * desired dependency edges (policy bindings).
 */
void cfs_plan_classify(struct cfs_changes *ch, const struct cfs_desired *des, const char *const *pending,
		       size_t npending);

/* §11.4 gates, in change order (free with cfs_gates_free). */
void cfs_plan_gates(const struct cfs_changes *ch, struct cfs_gates *out);
void cfs_gates_free(struct cfs_gates *g);
const struct cfs_gate *cfs_gates_find(const struct cfs_gates *g, const char *resource);

/*
 * The engine preview of §15 on an open graph: the migration from its live
 * schema to src.  Errors (as text, caller frees *err): invalid schema,
 * branches other than main, unsupported changes (the first refusal).
 */
struct cfs_graph;
int cfs_plan_preview_schema(struct cfs_graph *g, const char *src, size_t len, struct cfs_migration *out,
			    char **err);

/* JSON of §11.5 (new references). */
json_t *cfs_change_json(const struct cfs_change *c);
json_t *cfs_changes_json(const struct cfs_changes *ch);
json_t *cfs_gates_json(const struct cfs_gates *g);
json_t *cfs_blast_radius_json(const struct cfs_changes *ch, const struct cfs_desired *des);
/*
 * The plan digest (fs.md): sha256 hex of "clusterfs-plan\0" config digest
 * "\0" state CAS (or "no-state" when there is no ledger) "\0" the compact
 * JSON of the changes array.  Caller frees.
 */
char *cfs_plan_digest(const char *config_digest, const char *state_cas, const struct cfs_changes *ch);

/*
 * §11.4: attach the engine's migration preview to every schema update of
 * ch (desired source against the live graph of op's storage root).  A
 * preview that cannot be made is the warning schema_preview_unavailable
 * in warn (NULL: silently none, as apply's digest check wants).
 */
void cfs_plan_previews(struct cfs_op *op, struct cfs_changes *ch, struct cfs_diags *warn);

/*
 * The digest `plan` would show now for op (config loaded, store open,
 * ledger read, typically under the lock), for commands that take a
 * digest as a precondition (refresh, import).  op->diags is untouched.
 * Caller frees.
 */
char *cfs_plan_digest_now(struct cfs_op *op);

struct cfs_plan_report {
	bool ok;
	bool observed;                  /* cfs_plan_observe: made without the lock */
	struct cfs_op op;               /* desired, diagnostics, ledger as read */
	json_t *state_observations;     /* taken before the lock was released */
	struct cfs_changes changes;     /* empty when the plan stopped early */
	struct cfs_gates gates;
	char *plan_digest;
};

/* Run `plan` on config_dir (§11).  Free with cfs_plan_report_free. */
void cfs_plan_run(const char *config_dir, struct cfs_plan_report *r);
/*
 * The same plan observed (fs.md "Reads observe, they never lock"): the
 * lock is never taken, the ledger is read even while someone holds it,
 * and a held lock is reported (state_observations as in status, plus the
 * warning plan_observed_lock_held) instead of failing the plan.  The plan
 * digest is the one cfs_plan_run computes on the same inputs.  Free with
 * cfs_plan_report_free.
 */
void cfs_plan_observe(const char *config_dir, struct cfs_plan_report *r);
/* The §11.5 report (plus "plan_digest" after approvals_required, and
 * "authority": "observed" after "ok" for an observed plan). */
json_t *cfs_plan_report_json(const struct cfs_plan_report *r);
void cfs_plan_report_free(struct cfs_plan_report *r);

#endif
