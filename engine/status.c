/*
 * status: `status` and `force-unlock` (status.h, cluster.md §13).
 *
 * Both decode the config only to find the storage root, and both report
 * in the reference's order: the config's decode problems, the storage
 * root, what the root holds (lock, sidecars), and only then the header
 * checks of §4.1 step 5 -- a broken header must not hide a held lock from
 * the operator trying to understand a stuck cluster.
 */
#include "engine/status.h"
#include "core/json.h"
#include "core/strbuf.h"
#include "ledger/catalog.h"

#include <errno.h>
#include <string.h>

/*
 * Load the header, open the root and report what observe() finds there,
 * then the header diagnostics.  True when the config decoded and nothing
 * so far is an error (the command may go on to its real work).
 */
static bool begin(struct cfs_op *op, const char *operation, const char *config_dir, bool observe_root)
{
	struct cfs_diags later = CFS_DIAGS_INIT;

	cfs_op_begin(op, operation, config_dir, CFS_LOAD_HEADER);
	cfs_op_split_header_diags(op, &later);
	if (cfs_op_open_store(op) == 0 && observe_root) {
		/* problems with the lock are warnings here (§13) */
		cfs_lock_read(op->store, CFS_WARNING, &op->foreign, &op->diags);
		cfs_op_warn_pending_sidecars(op);
	}
	cfs_diags_append(&op->diags, &later);
	cfs_diags_free(&later);
	return op->des.decoded && !cfs_diags_has_error(&op->diags);
}

/* ------------------------------------------------------------ status */

void cfs_status_run(const char *config_dir, struct cfs_status_report *r)
{
	struct cfs_op *op = &r->op;

	memset(r, 0, sizeof(*r));
	if (begin(op, "status", config_dir, true) && cfs_op_read_state(op) == 0) {
		if (!op->state.found)
			cfs_diag_warn(&op->diags, "state_missing", CFS_STATE_KEY,
				      "state.json is missing; no applied cluster revision has been recorded");
		else
			cfs_catalog_verify(op->store, op->display_root, cfs_state_resources(op->state.doc), NULL,
					   &op->diags);
	}
	r->ok = !cfs_diags_has_error(&op->diags);
}

/* {address: digest} of the ledger's applied resources (sorted, as read). */
static json_t *resource_digests(json_t *doc)
{
	json_t *out = json_object(), *e;
	const char *addr;

	json_object_foreach(cfs_state_resources(doc), addr, e)
		json_object_set(out, addr, json_object_get(e, "digest"));
	return out;
}

/* A ledger map as recorded, {} when there is no (valid) ledger. */
static json_t *ledger_map(json_t *doc, const char *key)
{
	json_t *m = json_object_get(doc, key);

	return m ? json_incref(m) : json_object();
}

json_t *cfs_status_report_json(const struct cfs_status_report *r)
{
	const struct cfs_op *op = &r->op;
	json_t *o = json_object();

	json_object_set_new(o, "ok", json_boolean(r->ok));
	json_object_set_new(o, "config_dir", cfs_json_text(op->des.config_dir));
	json_object_set_new(o, "state_observations", cfs_op_state_observations(op));
	json_object_set_new(o, "resource_digests", resource_digests(op->state.doc));
	json_object_set_new(o, "resource_statuses", ledger_map(op->state.doc, "resource_statuses"));
	json_object_set_new(o, "observations", ledger_map(op->state.doc, "observations"));
	json_object_set_new(o, "diagnostics", cfs_diags_to_json(&op->diags));
	return o;
}

void cfs_status_report_free(struct cfs_status_report *r)
{
	cfs_op_end(&r->op);
	memset(r, 0, sizeof(*r));
}

/* ------------------------------------------------------------ force-unlock */

/*
 * Remove the lock if it is exactly lock_id's.  The delete is not
 * conditional (the store has no compare-and-delete): a lock released and
 * retaken between our read and our delete would be removed.  That window
 * is the operator's to avoid -- force-unlock is for a lock whose holder is
 * known to be gone.
 */
static bool remove_lock(struct cfs_op *op, const char *lock_id)
{
	struct cfs_lock_info *l = &op->foreign;

	if (cfs_lock_read(op->store, CFS_ERROR, l, &op->diags) != 0) {
		l->present = false;   /* not a lock we could examine */
		return false;
	}
	if (!l->present) {
		cfs_diag_error(&op->diags, "state_lock_missing", CFS_LOCK_KEY, "no cluster state lock is present");
		return false;
	}
	if (strcmp(l->lock_id, lock_id)) {
		cfs_diag_error(&op->diags, "state_lock_id_mismatch", CFS_LOCK_KEY,
			       "lock id mismatch: held lock is %s, refusing to remove (pass the exact id from "
			       "`cluster status`)", l->lock_id);
		return false;
	}
	if (cfs_store_delete(op->store, CFS_LOCK_KEY) != 0 && errno != ENOENT) {
		cfs_diag_error(&op->diags, "state_lock_error", CFS_LOCK_KEY, "could not remove state lock: %s",
			       strerror(errno));
		return false;
	}
	l->present = false;
	return true;
}

void cfs_force_unlock_run(const char *config_dir, const char *lock_id, const char *actor,
			  struct cfs_force_unlock_report *r)
{
	memset(r, 0, sizeof(*r));
	if (begin(&r->op, "force-unlock", config_dir, false))
		r->lock_removed = remove_lock(&r->op, lock_id);
	r->ok = !cfs_diags_has_error(&r->op.diags);
	cfs_op_record_event(&r->op, actor && *actor ? actor : NULL, r->ok, -1);
}

json_t *cfs_force_unlock_report_json(const struct cfs_force_unlock_report *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "ok", json_boolean(r->ok));
	json_object_set_new(o, "config_dir", cfs_json_text(r->op.des.config_dir));
	json_object_set_new(o, "state_observations", cfs_op_state_observations(&r->op));
	json_object_set_new(o, "lock_removed", json_boolean(r->lock_removed));
	json_object_set_new(o, "diagnostics", cfs_diags_to_json(&r->op.diags));
	return o;
}

void cfs_force_unlock_report_free(struct cfs_force_unlock_report *r)
{
	cfs_op_end(&r->op);
	memset(r, 0, sizeof(*r));
}
