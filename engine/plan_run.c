/*
 * plan_run: the `plan` command of cluster.md §11 — validate, lock, warn
 * about pending sidecars, read the ledger, diff, approvals, classify with
 * an empty pending set, preview schema migrations, gates, unlock.  It
 * writes nothing but the lock; the observed plan (no lock at all) and the
 * report JSON are built here too.
 */
#include "engine/plan.h"
#include "core/json.h"
#include "core/fsutil.h"
#include "core/strbuf.h"
#include "engine/graph/graph.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The message of the first error in d (or a fallback), copied. */
static char *first_error(const struct cfs_diags *d, const char *fallback)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].severity == CFS_ERROR)
			return cfs_xstrdup(d->v[i].message);
	return cfs_xstrdup(fallback);
}

/* Refused while branches other than main exist, as the engine's apply. */
static int only_main(struct cfs_graph *g, char **err)
{
	struct cfs_diags d = CFS_DIAGS_INIT;
	char **names;
	size_t n;

	if (cfs_graph_branches(g, &names, &n, &d)) {
		*err = first_error(&d, "could not list branches");
		cfs_diags_free(&d);
		return -1;
	}
	int rc = 0;
	if (n > 1) {
		struct cfs_sb sb = CFS_SB_INIT;
		cfs_sb_adds(&sb, "schema apply requires a graph with only main; found non-main branches: ");
		for (size_t i = 0, k = 0; i < n; i++) {
			if (!strcmp(names[i], "main"))
				continue;
			cfs_sb_addf(&sb, "%s%s", k++ ? ", " : "", names[i]);
		}
		*err = cfs_sb_detach(&sb);
		rc = -1;
	}
	cfs_store_list_free(names, n);
	return rc;
}

int cfs_plan_preview_schema(struct cfs_graph *g, const char *src, size_t len, struct cfs_migration *out,
			    char **err)
{
	struct cfs_diags d = CFS_DIAGS_INIT;

	*err = NULL;
	memset(out, 0, sizeof(*out));
	if (only_main(g, err))
		return -1;
	if (cfs_graph_preview_schema(g, src, len, out, &d)) {
		*err = first_error(&d, "schema preview failed");
		cfs_diags_free(&d);
		memset(out, 0, sizeof(*out));
		return -1;
	}
	cfs_diags_free(&d);
	if (!out->supported) {
		*err = cfs_migration_refusal(out);
		if (!*err)
			*err = cfs_xstrdup("unsupported schema migration plan");
		cfs_migration_free(out);
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return 0;
}

/* Open root read-only and preview the desired source at path (§11.4). */
static json_t *preview_at(const char *root, const char *path, char **err)
{
	struct cfs_diags d = CFS_DIAGS_INIT;
	struct cfs_graph *g;
	struct cfs_migration m;
	const char *why;
	char *src;
	size_t len;
	json_t *out = NULL;

	if (!path) {
		*err = cfs_xstrdup("no schema source recorded");
		return NULL;
	}
	if (cfs_read_text(path, &src, &len, &why)) {
		*err = cfs_xstrdup(why);
		return NULL;
	}
	if (cfs_graph_open(root, true, &g, &d)) {
		*err = first_error(&d, "could not open the graph");
	} else {
		if (!cfs_plan_preview_schema(g, src, len, &m, err)) {
			out = json_pack("{s:b, s:O}", "supported", m.supported, "steps", m.steps);
			cfs_migration_free(&m);
		}
		cfs_graph_close(g);
	}
	cfs_diags_free(&d);
	free(src);
	return out;
}

void cfs_plan_previews(struct cfs_op *op, struct cfs_changes *ch, struct cfs_diags *warn)
{
	for (size_t i = 0; i < ch->n; i++) {
		struct cfs_change *c = &ch->v[i];
		if (c->op != CFS_CHANGE_UPDATE || strncmp(c->resource, "schema.", 7))
			continue;
		const struct cfs_resource *res = cfs_desired_find(&op->des, c->resource);
		char *root = cfs_xasprintf("%s/graphs/%s.omni", op->display_root, c->resource + 7);
		char *err = NULL;
		c->migration = preview_at(root, res ? res->path : NULL, &err);
		if (!c->migration && warn)
			cfs_diag_warn(warn, "schema_preview_unavailable", c->resource,
				      "could not preview the schema migration: %s", err);
		free(err);
		free(root);
	}
}

/* Diff, approvals, classification, previews (the ledger is read). */
static void plan_changes(struct cfs_op *op, struct cfs_changes *ch)
{
	struct cfs_approvals arts = { NULL, 0 };

	if (!cfs_diags_has_error(&op->diags))
		cfs_plan_diff(&op->des, op->state.doc, true, ch);
	cfs_approvals_list(op->store, op->display_root, &arts, &op->diags);
	cfs_plan_mark_approved(ch, &arts, op->des.config_digest, &op->diags);
	cfs_approvals_free(&arts);
	cfs_plan_classify(ch, &op->des, NULL, 0);
	cfs_plan_previews(op, ch, &op->diags);
}

char *cfs_plan_digest_now(struct cfs_op *op)
{
	struct cfs_diags saved = op->diags, scratch = CFS_DIAGS_INIT;
	struct cfs_changes ch;
	char *digest;

	memset(&ch, 0, sizeof(ch));
	/* plan's own warnings are not the caller's diagnostics */
	cfs_diags_append(&scratch, &saved);
	op->diags = scratch;
	plan_changes(op, &ch);
	digest = cfs_plan_digest(op->des.config_digest, op->state.found ? op->state.cas : NULL, &ch);
	cfs_diags_free(&op->diags);
	op->diags = saved;
	cfs_changes_free(&ch);
	return digest;
}

/* Gates, digest and observations of a plan whose changes are known. */
static void plan_finish(struct cfs_plan_report *r)
{
	struct cfs_op *op = &r->op;

	cfs_plan_gates(&r->changes, &r->gates);
	r->plan_digest = cfs_plan_digest(op->des.config_digest, op->state.found ? op->state.cas : NULL, &r->changes);
	r->state_observations = cfs_op_state_observations(op);
	cfs_op_unlock(op);
	r->ok = !cfs_diags_has_error(&op->diags);
}

void cfs_plan_run(const char *config_dir, struct cfs_plan_report *r)
{
	struct cfs_op *op = &r->op;

	memset(r, 0, sizeof(*r));
	if (!cfs_op_begin(op, "plan", config_dir, CFS_LOAD_FULL) && !cfs_op_open_store(op)) {
		/* a held lock is an error, but sidecars and approvals are still
		 * reported; the ledger is not read */
		cfs_op_lock(op);
		cfs_op_warn_pending_sidecars(op);
		if (!cfs_diags_has_error(&op->diags))
			cfs_op_read_state(op);
		plan_changes(op, &r->changes);
	}
	plan_finish(r);
}

/*
 * Report the lock as status does (its problems are warnings) and say that
 * this plan did not wait for its holder.  The ledger is replaced whole
 * (CAS), so what we read is a revision some apply committed, never a mix;
 * the plan digest binds that revision's CAS, so an apply of this plan
 * after the holder's write fails plan_stale instead of acting on it.
 */
static void observe_lock(struct cfs_op *op)
{
	struct cfs_lock_info *l = &op->foreign;

	cfs_lock_read(op->store, CFS_WARNING, l, &op->diags);
	if (!l->present)
		return;
	if (l->parsed)
		cfs_diag_warn(&op->diags, "plan_observed_lock_held", CFS_LOCK_KEY,
			      "the state lock is held by %s (lock %s); this plan observed the ledger without it",
			      l->operation, l->lock_id);
	else
		cfs_diag_warn(&op->diags, "plan_observed_lock_held", CFS_LOCK_KEY,
			      "the state lock is held; this plan observed the ledger without it");
}

void cfs_plan_observe(const char *config_dir, struct cfs_plan_report *r)
{
	struct cfs_op *op = &r->op;

	memset(r, 0, sizeof(*r));
	r->observed = true;
	if (!cfs_op_begin(op, "plan", config_dir, CFS_LOAD_FULL) && !cfs_op_open_store(op)) {
		observe_lock(op);
		cfs_op_warn_pending_sidecars(op);
		cfs_op_read_state(op);
		plan_changes(op, &r->changes);
	}
	plan_finish(r);
}

json_t *cfs_plan_report_json(const struct cfs_plan_report *r)
{
	const struct cfs_desired *des = &r->op.des;
	json_t *o = json_object(), *rev = json_object(), *digests = json_object(), *deps = json_array();

	json_object_set_new(o, "ok", json_boolean(r->ok));
	if (r->observed)
		json_object_set_new(o, "authority", json_string("observed"));
	json_object_set_new(o, "config_dir", cfs_json_text(des->config_dir));
	if (des->config_digest)
		json_object_set_new(rev, "config_digest", json_string(des->config_digest));
	json_object_set_new(o, "desired_revision", rev);
	for (size_t i = 0; i < des->nresources; i++)
		json_object_set_new(digests, des->resources[i].address, json_string(des->resources[i].digest));
	json_object_set_new(o, "resource_digests", digests);
	for (size_t i = 0; i < des->ndeps; i++)
		json_array_append_new(deps, json_pack("{s:s, s:s}", "from", des->deps[i].from, "to", des->deps[i].to));
	json_object_set_new(o, "dependencies", deps);
	json_object_set(o, "state_observations", r->state_observations);
	json_object_set_new(o, "changes", cfs_changes_json(&r->changes));
	json_object_set_new(o, "blast_radius", cfs_blast_radius_json(&r->changes, des));
	json_object_set_new(o, "approvals_required", cfs_gates_json(&r->gates));
	json_object_set_new(o, "plan_digest", json_string(r->plan_digest));
	json_object_set_new(o, "diagnostics", cfs_diags_to_json(&r->op.diags));
	return o;
}

void cfs_plan_report_free(struct cfs_plan_report *r)
{
	cfs_gates_free(&r->gates);
	cfs_changes_free(&r->changes);
	free(r->plan_digest);
	json_decref(r->state_observations);
	cfs_op_end(&r->op);
	memset(r, 0, sizeof(*r));
}
