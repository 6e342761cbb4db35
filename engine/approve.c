/*
 * approve: see approve.h.  The artifact binds the exact desired config
 * digest and the change's before/after digests, so any later drift of the
 * config or the ledger makes it stale instead of letting it authorize a
 * different change.
 */
#include "engine/approve.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/strbuf.h"
#include "core/ulid.h"
#include "engine/plan.h"
#include "ledger/approval.h"

#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s)
{
	return s ? cfs_xstrdup(s) : NULL;
}

/* Write the artifact for change c; 0 or -1 with a diagnostic. */
static int write_artifact(struct cfs_approve_report *r, const struct cfs_change *c, const char *actor)
{
	struct cfs_op *op = &r->op;
	char id[CFS_ULID_LEN + 1], now[CFS_RFC3339_LEN];
	struct cfs_approval a;

	if (cfs_ulid_new(id)) {
		cfs_diag_error(&op->diags, "approval_write_error", CFS_APPROVALS_DIR,
			       "could not write approval artifact: no random source for the approval id");
		return -1;
	}
	cfs_now_rfc3339(now);
	memset(&a, 0, sizeof(a));
	a.schema_version = 1;
	a.approval_id = cfs_xstrdup(id);
	a.resource = cfs_xstrdup(c->resource);
	a.operation = cfs_xstrdup(cfs_change_op_name(c->op));
	a.reason = cfs_xstrdup(CFS_APPROVAL_REASON);
	a.bound_config_digest = cfs_xstrdup(op->des.config_digest);
	a.bound_before_digest = dup_or_null(c->before_digest);
	a.bound_after_digest = dup_or_null(c->after_digest);
	a.approved_by = cfs_xstrdup(actor);
	a.created_at = cfs_xstrdup(now);
	int rc = cfs_approval_write(op->store, op->display_root, &a, &op->diags);
	if (!rc) {
		r->approval_id = cfs_xstrdup(id);
		r->resource = cfs_xstrdup(c->resource);
		r->operation = cfs_xstrdup(a.operation);
		r->approved_by = cfs_xstrdup(actor);
	}
	cfs_approval_release(&a);
	return rc;
}

/* Under the lock: the ledger, the plain diff, the gate, the artifact. */
static void approve_locked(struct cfs_approve_report *r, const char *address, const char *actor)
{
	struct cfs_op *op = &r->op;
	struct cfs_changes ch;
	struct cfs_gates gates;

	if (cfs_op_read_state(op))
		return;
	if (!op->state.found) {
		cfs_diag_error(&op->diags, "state_missing", "__cluster/state.json",
			       "approve requires an existing state.json; run `cluster import` first");
		return;
	}
	cfs_plan_diff(&op->des, op->state.doc, false, &ch);
	cfs_plan_gates(&ch, &gates);
	const struct cfs_change *c = cfs_gates_find(&gates, address) ? cfs_changes_find(&ch, address) : NULL;
	if (!c)
		cfs_diag_error(&op->diags, "approval_not_required", address,
			       "no pending change for this resource requires approval (check `cluster plan`)");
	else
		write_artifact(r, c, actor);
	cfs_gates_free(&gates);
	cfs_changes_free(&ch);
}

void cfs_approve_run(const char *config_dir, const char *address, const char *actor,
		     struct cfs_approve_report *r)
{
	struct cfs_op *op = &r->op;

	memset(r, 0, sizeof(*r));
	if (!cfs_op_begin(op, "approve", config_dir, CFS_LOAD_FULL) && !cfs_op_open_store(op) &&
	    !cfs_op_lock(op)) {
		approve_locked(r, address, actor);
		cfs_op_unlock(op);
	}
	r->ok = !cfs_diags_has_error(&op->diags);
	cfs_op_record_event(op, actor, r->ok, -1);
}

json_t *cfs_approve_report_json(const struct cfs_approve_report *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "ok", json_boolean(r->ok));
	json_object_set_new(o, "config_dir", cfs_json_text(r->op.des.config_dir));
	if (r->approval_id) {
		json_object_set_new(o, "approval_id", json_string(r->approval_id));
		json_object_set_new(o, "resource", json_string(r->resource));
		json_object_set_new(o, "operation", json_string(r->operation));
		json_object_set_new(o, "approved_by", cfs_json_text(r->approved_by));
	}
	json_object_set_new(o, "diagnostics", cfs_diags_to_json(&r->op.diags));
	return o;
}

void cfs_approve_report_free(struct cfs_approve_report *r)
{
	free(r->approval_id);
	free(r->resource);
	free(r->operation);
	free(r->approved_by);
	cfs_op_end(&r->op);
	memset(r, 0, sizeof(*r));
}
