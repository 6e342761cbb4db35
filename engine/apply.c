/*
 * apply: `apply` (cluster.md §12 steps 1-14), in the contract's order.
 * All ledger edits happen on a copy of the post-sweep ledger; the copy
 * is written (CAS against the ledger as read) only if it differs from
 * that ledger.  Sidecars of completed graph moves and of the sweep's
 * retired survivors are deleted only after the write landed (or was not
 * needed); approval artifacts are marked consumed at the same point.
 */
#include "engine/apply.h"
#include "core/failpoint.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/sha256.h"
#include "core/strbuf.h"
#include "engine/digest.h"
#include "engine/blobbase.h"
#include "engine/gitrepo.h"
#include "engine/graph/graph.h"
#include "engine/ledger_edit.h"
#include "engine/sweep.h"
#include "ledger/approval.h"
#include "ledger/catalog.h"
#include "ledger/sidecar.h"
#include "ledger/state.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BLOCKED_MSG "waiting on an unapplied or missing dependency"
#define DEFERRED_MSG \
	"graph/schema changes are not applied in this stage; they are deferred to the graph-lifecycle phase"

enum fail_kind { FAIL_CREATE, FAIL_SCHEMA, FAIL_DELETE };

struct failed {
	char *id;
	enum fail_kind kind;
};

struct run {
	struct cfs_apply_report *r;
	struct cfs_op *op;
	json_t *ledger;                 /* post-sweep copy being edited */
	struct cfs_sweep sw;
	struct cfs_approvals arts;
	char tree[CFS_OID_HEX];         /* config tree snapshot before loading (git) */
	bool abort;                     /* a graph-moving step failed: skip the rest */
	bool stopped;                   /* the run stopped: no ledger write */
	struct failed *failed;
	size_t nfailed;
	char **done;                    /* sidecar files of completed moves */
	size_t ndone;
	char **consumed;                /* approval ids consumed by executed deletes */
	size_t nconsumed;
	bool *warned;                   /* per change: step-10 warning emitted */
};

/* ------------------------------------------------------------------ helpers */

static void push_str(char ***v, size_t *n, const char *s)
{
	*v = cfs_xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = cfs_xstrdup(s);
}

static void free_strs(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static char *first_error(const struct cfs_diags *d, const char *fallback)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].severity == CFS_ERROR)
			return cfs_xstrdup(d->v[i].message);
	return cfs_xstrdup(fallback);
}

static char *graph_root(const struct run *x, const char *id)
{
	return cfs_xasprintf("%s/graphs/%s.omni", x->op->display_root, id);
}

static void mark_failed(struct run *x, const char *id, enum fail_kind k)
{
	x->failed = cfs_xrealloc(x->failed, (x->nfailed + 1) * sizeof(*x->failed));
	x->failed[x->nfailed].id = cfs_xstrdup(id);
	x->failed[x->nfailed++].kind = k;
	x->abort = true;
}

/* A failpoint: 0 if it did not fire, else -1 with the §17 diagnostic. */
static int failpoint(struct run *x, const char *name)
{
	if (!cfs_failpoint(name))
		return 0;
	cfs_diag_error(&x->op->diags, CFS_FAILPOINT_CODE, name, "injected failpoint triggered: %s", name);
	return -1;
}

static const char *des_schema_digest(const struct cfs_desired *des, const char *id)
{
	for (size_t i = 0; i < des->cfg.ngraphs; i++)
		if (!strcmp(des->graphs[i].id, id))
			return des->graphs[i].schema_digest;
	return NULL;
}

/* Re-read the schema source of graph id; 0 if its digest is still the
 * desired one (*src, *len returned), else -1 with resource_content_changed. */
static int reread_schema(struct run *x, const char *id, char **src, size_t *len)
{
	char *addr = cfs_xasprintf("schema.%s", id);
	const struct cfs_resource *res = cfs_desired_find(&x->op->des, addr);
	const char *want = des_schema_digest(&x->op->des, id), *why;
	char hex[CFS_SHA256_HEX_LEN + 1];
	int rc = -1;

	*src = NULL;
	if (res && res->path && !cfs_read_text(res->path, src, len, &why)) {
		cfs_sha256_hex(*src, *len, hex);
		if (want && !strcmp(hex, want))
			rc = 0;
	}
	if (rc) {
		free(*src);
		*src = NULL;
		cfs_diag_error(&x->op->diags, "resource_content_changed", addr,
			       "schema source changed while apply was running; re-run `cluster apply`");
	}
	free(addr);
	return rc;
}

/* Best effort: rewrite the sidecar with the new main version of root. */
static void store_expected(struct run *x, struct cfs_sidecar *sc, const char *root)
{
	struct cfs_diags gd = CFS_DIAGS_INIT;
	struct cfs_graph *g;

	if (cfs_graph_open(root, true, &g, &gd) == 0) {
		sc->has_expected_version = true;
		sc->expected_manifest_version = cfs_graph_main_version(g);
		cfs_graph_close(g);
		(void)cfs_sidecar_write(x->op->store, x->op->display_root, sc, &gd);
	}
	cfs_diags_free(&gd);
}

static void sidecar_done(struct run *x, const struct cfs_sidecar *sc)
{
	char *file = cfs_xasprintf("%s.json", sc->operation_id);
	push_str(&x->done, &x->ndone, file);
	free(file);
}

/* ------------------------------------------------------------------ step 7: creates */

static void do_create(struct run *x, const char *id)
{
	struct cfs_op *op = x->op;
	char *gaddr = cfs_xasprintf("graph.%s", id), *root = graph_root(x, id), *src = NULL;
	struct cfs_sidecar sc;
	struct cfs_diags gd = CFS_DIAGS_INIT;
	size_t len;

	if (x->abort) {
		cfs_diag_warn(&op->diags, "graph_create_skipped", gaddr,
			      "graph create skipped after an earlier graph operation failed in this run");
		mark_failed(x, id, FAIL_CREATE);
		goto out;
	}
	if (cfs_sidecar_init(&sc, CFS_SIDECAR_GRAPH_CREATE, id, root, des_schema_digest(&op->des, id), x->r->actor,
			     op->state.cas, NULL)) {
		cfs_diag_error(&op->diags, "recovery_sidecar_write_error", gaddr, "could not create an operation id");
		mark_failed(x, id, FAIL_CREATE);
		goto out;
	}
	if (cfs_sidecar_write(op->store, op->display_root, &sc, &op->diags) ||
	    failpoint(x, "cluster_apply.before_graph_create")) {
		mark_failed(x, id, FAIL_CREATE);
		goto release;
	}
	if (reread_schema(x, id, &src, &len)) {
		(void)cfs_sidecar_cleanup(op->store, op->display_root, &sc, &op->diags);
		mark_failed(x, id, FAIL_CREATE);
		goto release;
	}
	if (cfs_graph_init(root, src, len, x->r->actor, &gd)) {
		char *err = first_error(&gd, "init failed");
		cfs_diag_error(&op->diags, "graph_create_failed", gaddr, "could not initialize graph at '%s': %s", root,
			       err);
		free(err);
		mark_failed(x, id, FAIL_CREATE);
		goto release;
	}
	store_expected(x, &sc, root);
	sidecar_done(x, &sc);
	if (failpoint(x, "cluster_apply.after_graph_create"))
		x->stopped = true;
release:
	cfs_sidecar_release(&sc);
out:
	cfs_diags_free(&gd);
	free(src);
	free(root);
	free(gaddr);
}

/* ------------------------------------------------------------------ step 8: schema updates */

/* After a failed schema apply: true if the live schema digest still
 * equals the ledger's and main did not move past observed. */
static bool nothing_moved(struct run *x, const char *id, const char *root, uint64_t observed)
{
	struct cfs_diags gd = CFS_DIAGS_INIT;
	struct cfs_graph *g;
	bool same = false;
	char *saddr = cfs_xasprintf("schema.%s", id);
	const char *ledger = cfs_ledger_digest(x->ledger, saddr);

	if (cfs_graph_open(root, true, &g, &gd) == 0) {
		char live[CFS_SHA256_HEX_LEN + 1];
		size_t len;
		const char *src = cfs_graph_schema_source(g, &len);

		cfs_sha256_hex(src, len, live);
		same = ledger && !strcmp(live, ledger) && cfs_graph_main_version(g) == observed;
		cfs_graph_close(g);
	}
	cfs_diags_free(&gd);
	free(saddr);
	return same;
}

static void do_schema(struct run *x, const char *id)
{
	struct cfs_op *op = x->op;
	char *saddr = cfs_xasprintf("schema.%s", id), *root = graph_root(x, id), *src = NULL, *err = NULL;
	struct cfs_diags gd = CFS_DIAGS_INIT;
	struct cfs_graph *g = NULL;
	struct cfs_migration m;
	struct cfs_sidecar sc;
	uint64_t observed, version = 0;
	size_t len;

	if (x->abort) {
		cfs_diag_warn(&op->diags, "schema_apply_skipped", saddr,
			      "schema apply skipped after an earlier graph operation failed in this run");
		mark_failed(x, id, FAIL_SCHEMA);
		goto out;
	}
	if (cfs_graph_open(root, false, &g, &gd)) {
		err = first_error(&gd, "open failed");
		cfs_diag_error(&op->diags, "schema_apply_failed", saddr, "could not open graph at '%s': %s", root, err);
		mark_failed(x, id, FAIL_SCHEMA);
		goto out;
	}
	if (reread_schema(x, id, &src, &len)) {
		mark_failed(x, id, FAIL_SCHEMA);
		goto out;
	}
	if (cfs_plan_preview_schema(g, src, len, &m, &err)) {
		cfs_diag_error(&op->diags, "schema_apply_failed", saddr, "schema apply is not supported on '%s': %s", root,
			       err);
		mark_failed(x, id, FAIL_SCHEMA);
		goto out;
	}
	cfs_migration_free(&m);
	observed = cfs_graph_main_version(g);
	if (cfs_sidecar_init(&sc, CFS_SIDECAR_SCHEMA_APPLY, id, root, des_schema_digest(&op->des, id), x->r->actor,
			     op->state.cas, NULL)) {
		cfs_diag_error(&op->diags, "recovery_sidecar_write_error", saddr, "could not create an operation id");
		mark_failed(x, id, FAIL_SCHEMA);
		goto out;
	}
	sc.has_observed_version = true;
	sc.observed_manifest_version = observed;
	if (cfs_sidecar_write(op->store, op->display_root, &sc, &op->diags)) {
		mark_failed(x, id, FAIL_SCHEMA);
		goto release;
	}
	if (failpoint(x, "cluster_apply.before_schema_apply")) {
		mark_failed(x, id, FAIL_SCHEMA);
		cfs_graph_close(g);
		g = NULL;
		if (nothing_moved(x, id, root, observed))
			(void)cfs_sidecar_cleanup(op->store, op->display_root, &sc, &op->diags);
		goto release;
	}
	if (cfs_graph_apply_schema(g, src, len, x->r->actor, &version, &gd)) {
		free(err);
		err = first_error(&gd, "apply failed");
		cfs_diag_error(&op->diags, "schema_apply_failed", saddr, "schema apply failed on '%s': %s", root, err);
		mark_failed(x, id, FAIL_SCHEMA);
		cfs_graph_close(g);
		g = NULL;
		if (nothing_moved(x, id, root, observed))
			(void)cfs_sidecar_cleanup(op->store, op->display_root, &sc, &op->diags);
		goto release;
	}
	sc.has_expected_version = true;
	sc.expected_manifest_version = version;
	{
		struct cfs_diags wd = CFS_DIAGS_INIT;
		(void)cfs_sidecar_write(op->store, op->display_root, &sc, &wd);
		cfs_diags_free(&wd);
	}
	sidecar_done(x, &sc);
	if (failpoint(x, "cluster_apply.after_schema_apply"))
		x->stopped = true;
release:
	cfs_sidecar_release(&sc);
out:
	if (g)
		cfs_graph_close(g);
	cfs_diags_free(&gd);
	free(err);
	free(src);
	free(root);
	free(saddr);
}

/* ------------------------------------------------------------------ step 12: deletes */

static const struct cfs_approval *artifact_for(const struct run *x, const struct cfs_change *c)
{
	for (size_t i = 0; i < x->arts.n; i++)
		if (cfs_approval_valid_for(&x->arts.v[i], c->resource, x->op->des.config_digest, c->before_digest,
					   c->after_digest))
			return &x->arts.v[i];
	return NULL;
}

static void do_delete(struct run *x, const struct cfs_change *c, const char *id)
{
	struct cfs_op *op = x->op;
	char *root = graph_root(x, id);
	const struct cfs_approval *a = artifact_for(x, c);
	struct cfs_diags gd = CFS_DIAGS_INIT;
	struct cfs_graph *g;
	struct cfs_sidecar sc;

	if (x->abort) {
		cfs_diag_warn(&op->diags, "graph_delete_skipped", c->resource,
			      "graph delete skipped after an earlier graph operation failed in this run");
		mark_failed(x, id, FAIL_DELETE);
		goto out;
	}
	if (!a) {       /* classification said approved; the artifact vanished */
		cfs_diag_error(&op->diags, "apply_approval_invariant_violation", "changes",
			       "no valid approval artifact for the applied delete of %s", c->resource);
		mark_failed(x, id, FAIL_DELETE);
		goto out;
	}
	if (cfs_graph_reserve_export_exclusion(root, &op->diags)) {
		mark_failed(x, id, FAIL_DELETE);
		goto out;
	}
	if (cfs_sidecar_init(&sc, CFS_SIDECAR_GRAPH_DELETE, id, root, "", x->r->actor, op->state.cas,
			     a->approval_id)) {
		cfs_diag_error(&op->diags, "recovery_sidecar_write_error", c->resource, "could not create an operation id");
		cfs_graph_release_export_exclusion(root);
		mark_failed(x, id, FAIL_DELETE);
		goto out;
	}
	if (cfs_graph_open(root, true, &g, &gd) == 0) {
		sc.has_observed_version = true;
		sc.observed_manifest_version = cfs_graph_main_version(g);
		cfs_graph_close(g);
	}
	cfs_diags_free(&gd);
	if (cfs_sidecar_write(op->store, op->display_root, &sc, &op->diags) ||
	    failpoint(x, "cluster_apply.before_graph_delete")) {
		cfs_graph_release_export_exclusion(root);
		mark_failed(x, id, FAIL_DELETE);
		goto release;
	}
	if (cfs_graph_delete_root(root, &gd)) {
		char *err = first_error(&gd, "delete failed");
		cfs_diag_error(&op->diags, "graph_delete_failed", c->resource, "could not remove graph root '%s': %s",
			       root, err);
		free(err);
		cfs_graph_release_export_exclusion(root);
		mark_failed(x, id, FAIL_DELETE);
		goto release;
	}
	cfs_ledger_tombstone(x->ledger, id, a->approval_id, x->r->actor);
	cfs_ledger_consume_approval(x->ledger, a->approval_id, "apply");
	push_str(&x->consumed, &x->nconsumed, a->approval_id);
	sidecar_done(x, &sc);
	if (failpoint(x, "cluster_apply.after_graph_delete"))
		x->stopped = true;
release:
	cfs_sidecar_release(&sc);
out:
	cfs_diags_free(&gd);
	free(root);
}

/* ------------------------------------------------------------------ step 9: demotion; step 10: warnings */

static bool bound_to(const struct cfs_desired *des, const char *policy_addr, const char *graph_addr)
{
	for (size_t i = 0; i < des->ndeps; i++)
		if (!strcmp(des->deps[i].from, policy_addr) && !strcmp(des->deps[i].to, graph_addr))
			return true;
	return false;
}

static void demote(struct cfs_change *c, const char *reason)
{
	if (c->disposition != CFS_DISP_APPLIED && c->disposition != CFS_DISP_DERIVED)
		return;
	c->disposition = CFS_DISP_BLOCKED;
	c->reason = reason;
}

static void demote_failed(struct run *x)
{
	for (size_t f = 0; f < x->nfailed; f++) {
		const struct failed *fl = &x->failed[f];
		char *gaddr = cfs_xasprintf("graph.%s", fl->id), *saddr = cfs_xasprintf("schema.%s", fl->id);
		char *qpre = cfs_xasprintf("query.%s.", fl->id);

		for (size_t i = 0; i < x->r->changes.n; i++) {
			struct cfs_change *c = &x->r->changes.v[i];
			if (!strcmp(c->resource, gaddr))
				demote(c, fl->kind == FAIL_CREATE   ? "graph_create_failed"
					  : fl->kind == FAIL_DELETE ? "graph_delete_failed"
								    : "dependency_not_applied");
			else if (!strcmp(c->resource, saddr))
				demote(c, fl->kind == FAIL_SCHEMA ? "schema_apply_failed" : "dependency_not_applied");
			else if (!strncmp(c->resource, qpre, strlen(qpre)))
				demote(c, "dependency_not_applied");
			else if (!strncmp(c->resource, "policy.", 7) && bound_to(&x->op->des, c->resource, gaddr))
				demote(c, "dependency_not_applied");
		}
		free(qpre);
		free(saddr);
		free(gaddr);
	}
}

static void warn_dispositions(struct run *x)
{
	for (size_t i = 0; i < x->r->changes.n; i++) {
		const struct cfs_change *c = &x->r->changes.v[i];
		if (x->warned[i])
			continue;
		if (c->disposition == CFS_DISP_DEFERRED) {
			cfs_diag_warn(&x->op->diags, "apply_unsupported_change", c->resource, DEFERRED_MSG);
			x->warned[i] = true;
		} else if (c->disposition == CFS_DISP_BLOCKED) {
			cfs_diag_warn(&x->op->diags, "apply_dependency_blocked", c->resource,
				      "blocked by an unapplied or missing dependency (%s)", c->reason ? c->reason : "");
			x->warned[i] = true;
		}
	}
}

/* ------------------------------------------------------------------ step 11: catalog */

static bool has_blob(const char *addr)
{
	return !strncmp(addr, "query.", 6) || !strncmp(addr, "policy.", 7);
}

/* 0, or -1 when an error stops the run. */
static int publish(struct run *x)
{
	struct cfs_op *op = x->op;
	int rc = 0;

	for (size_t i = 0; i < x->r->changes.n; i++) {
		const struct cfs_change *c = &x->r->changes.v[i];
		const struct cfs_resource *res;
		char hex[CFS_SHA256_HEX_LEN + 1];
		const char *why;
		char *src;
		size_t len;

		if (c->disposition != CFS_DISP_APPLIED || c->op == CFS_CHANGE_DELETE || !has_blob(c->resource) ||
		    !c->after_digest)
			continue;
		if (cfs_catalog_exists(op->store, c->resource, c->after_digest))
			continue;
		res = cfs_desired_find(&op->des, c->resource);
		if (!res || !res->path || cfs_read_text(res->path, &src, &len, &why)) {
			cfs_diag_error(&op->diags, "resource_content_changed", c->resource,
				       "resource source '%s' changed while apply was running; re-run `cluster apply`",
				       res && res->path ? res->path : c->resource);
			rc = -1;
			continue;
		}
		cfs_sha256_hex(src, len, hex);
		if (strcmp(hex, c->after_digest)) {
			cfs_diag_error(&op->diags, "resource_content_changed", c->resource,
				       "resource source '%s' changed while apply was running; re-run `cluster apply`",
				       res->path);
			rc = -1;
		} else if (cfs_catalog_put(op->store, c->resource, c->after_digest, src, len)) {
			char *key = cfs_catalog_key(c->resource, c->after_digest);
			cfs_diag_error(&op->diags, "resource_payload_write_error", c->resource,
				       "could not write catalog payload '%s/%s'", op->display_root, key);
			free(key);
			rc = -1;
		}
		free(src);
	}
	return rc;
}

/* ------------------------------------------------------------------ step 13: mutate, write */

static const struct cfs_desired_policy *des_policy(const struct cfs_desired *des, const char *name)
{
	for (size_t i = 0; i < des->cfg.npolicies; i++)
		if (!strcmp(des->cfg.policies[i].name, name))
			return &des->policies[i];
	return NULL;
}

static const struct cfs_provider_cfg *des_provider(const struct cfs_desired *des, const char *name)
{
	for (size_t i = 0; i < des->cfg.nproviders; i++)
		if (!strcmp(des->cfg.providers[i].name, name))
			return &des->cfg.providers[i];
	return NULL;
}

static bool graph_blocked(const struct run *x, const char *id)
{
	char *g = cfs_xasprintf("graph.%s", id), *s = cfs_xasprintf("schema.%s", id);
	bool yes = false;

	for (size_t i = 0; i < x->r->changes.n; i++) {
		const struct cfs_change *c = &x->r->changes.v[i];
		if (c->disposition == CFS_DISP_BLOCKED && (!strcmp(c->resource, g) || !strcmp(c->resource, s)))
			yes = true;
	}
	free(s);
	free(g);
	return yes;
}

static void mutate(struct run *x)
{
	const struct cfs_desired *des = &x->op->des;
	json_t *res = cfs_state_resources(x->ledger), *st = cfs_ledger_map(x->ledger, "resource_statuses");

	for (size_t i = 0; i < x->r->changes.n; i++) {
		const struct cfs_change *c = &x->r->changes.v[i];

		if (c->disposition == CFS_DISP_APPLIED && c->op != CFS_CHANGE_DELETE) {
			json_t *e = json_pack("{s:s}", "digest", c->after_digest);
			if (!strncmp(c->resource, "policy.", 7)) {
				const struct cfs_desired_policy *p = des_policy(des, c->resource + 7);
				json_t *a = json_array();
				for (size_t k = 0; p && k < p->nbindings; k++)
					json_array_append_new(a, json_string(p->bindings[k]));
				json_object_set_new(e, "applies_to", a);
			} else if (!strncmp(c->resource, "provider.embedding.", 19)) {
				const struct cfs_provider_cfg *p = des_provider(des, c->resource + 19);
				if (p)
					json_object_set_new(e, "embedding_profile", cfs_provider_profile_json(p));
			}
			json_object_set_new(res, c->resource, e);
			cfs_ledger_set_status(x->ledger, c->resource, "applied", NULL, NULL);
		} else if (c->disposition == CFS_DISP_APPLIED) {
			json_object_del(res, c->resource);
			json_object_del(st, c->resource);
		} else if (c->disposition == CFS_DISP_BLOCKED && c->reason &&
			   strcmp(c->reason, "cluster_recovery_pending")) {
			cfs_ledger_set_status(x->ledger, c->resource, "blocked", c->reason, BLOCKED_MSG);
		}
	}
	for (size_t i = 0; i < des->cfg.ngraphs; i++) {
		const struct cfs_desired_graph *dg = &des->graphs[i];
		char *gaddr = cfs_xasprintf("graph.%s", dg->id);
		json_t *entry = json_object_get(res, gaddr), *policy;

		if (entry) {
			if (graph_blocked(x, dg->id))
				policy = cfs_ledger_blob_policy(entry);
			else
				policy = dg->nbases ? cfs_blob_policy_json(dg->bases, dg->nbases) : NULL;
			cfs_ledger_set_graph(x->ledger, dg->id, dg->provider_addr, policy);
			json_decref(policy);
		}
		free(gaddr);
	}
}

static void finish_files(struct run *x)
{
	cfs_sweep_finish(x->op->store, &x->sw);
	for (size_t i = 0; i < x->ndone; i++)
		(void)cfs_sidecar_remove(x->op->store, x->done[i]);
	if (x->nconsumed)
		(void)cfs_approvals_mark_consumed(x->op->store, (const char *const *)x->consumed, x->nconsumed,
						  "apply");
}

static void write_ledger(struct run *x)
{
	struct cfs_op *op = x->op;
	struct cfs_changes again = { NULL, 0, 0 };
	char *cas;

	cfs_plan_diff(&op->des, x->ledger, true, &again);
	if (!again.n) {
		x->r->converged = true;
		json_object_set_new(json_object_get(x->ledger, "applied_revision"), "config_digest",
				    json_string(op->des.config_digest));
	}
	cfs_changes_free(&again);
	if (json_equal(x->ledger, op->state.doc)) {
		finish_files(x);
		return;
	}
	json_object_set_new(x->ledger, "state_revision",
			    json_integer(json_integer_value(json_object_get(op->state.doc, "state_revision")) + 1));
	if (failpoint(x, "cluster_apply.before_state_write"))
		return;
	if (cfs_state_write(op->store, x->ledger, op->state.cas, &cas, &op->diags))
		return;
	x->r->state_written = true;
	finish_files(x);
	cfs_op_set_state(op, json_incref(x->ledger), cas);
}

/* ------------------------------------------------------------------ --plan-digest */

static int check_plan_digest(struct run *x, const char *want)
{
	char *have;
	int rc = 0;

	/* the previews plan attaches, so the digest covers the same JSON */
	cfs_plan_previews(x->op, &x->r->changes, NULL);
	have = cfs_plan_digest(x->op->des.config_digest, x->op->state.found ? x->op->state.cas : NULL,
			       &x->r->changes);
	if (strcmp(have, want)) {
		cfs_diag_error(&x->op->diags, "plan_stale", "changes",
			       "the plan changed since it was reviewed (plan digest %s); re-run `clusterfs plan`", have);
		rc = -1;
	}
	free(have);
	for (size_t i = 0; i < x->r->changes.n; i++) {
		json_decref(x->r->changes.v[i].migration);
		x->r->changes.v[i].migration = NULL;
	}
	return rc;
}

/* ------------------------------------------------------------------ the flow */

static bool is_kind(const struct cfs_change *c, const char *prefix, enum cfs_change_op op)
{
	return c->disposition == CFS_DISP_APPLIED && c->op == op && !strncmp(c->resource, prefix, strlen(prefix));
}

/* Steps 4-14 (the ledger was read and found). */
static void run_locked(struct run *x, const char *plan_digest)
{
	struct cfs_op *op = x->op;
	struct cfs_apply_report *r = x->r;
	struct cfs_gates gates = { NULL, 0 };
	int bad = 0;

	x->ledger = json_deep_copy(op->state.doc);
	if (cfs_ledger_check_composites(x->ledger, &op->diags))
		return;
	cfs_sweep_run(op->store, op->display_root, x->ledger, &x->sw, &op->diags);

	/* step 6 */
	cfs_plan_diff(&op->des, x->ledger, true, &r->changes);
	cfs_approvals_list(op->store, op->display_root, &x->arts, &op->diags);
	cfs_plan_mark_approved(&r->changes, &x->arts, op->des.config_digest, &op->diags);
	cfs_plan_classify(&r->changes, &op->des, (const char *const *)x->sw.pending, x->sw.npending);
	cfs_plan_gates(&r->changes, &gates);
	for (size_t i = 0; i < r->changes.n; i++) {
		const struct cfs_gate *gt = cfs_gates_find(&gates, r->changes.v[i].resource);
		if (r->changes.v[i].disposition == CFS_DISP_APPLIED && gt && !gt->satisfied)
			bad++;
	}
	cfs_gates_free(&gates);
	if (bad) {
		cfs_diag_error(&op->diags, "apply_approval_invariant_violation", "changes",
			       "%d applied change(s) lack a satisfied approval gate", bad);
		x->stopped = true;
		return;
	}
	if (plan_digest && check_plan_digest(x, plan_digest)) {
		x->stopped = true;
		return;
	}
	x->warned = cfs_xcalloc(r->changes.n + 1, sizeof(*x->warned));

	/* step 7: creates */
	for (size_t i = 0; i < r->changes.n && !x->stopped; i++)
		if (is_kind(&r->changes.v[i], "graph.", CFS_CHANGE_CREATE))
			do_create(x, r->changes.v[i].resource + 6);
	/* step 8: schema updates */
	for (size_t i = 0; i < r->changes.n && !x->stopped; i++)
		if (is_kind(&r->changes.v[i], "schema.", CFS_CHANGE_UPDATE))
			do_schema(x, r->changes.v[i].resource + 7);
	if (x->stopped)
		return;
	demote_failed(x);       /* step 9 */
	warn_dispositions(x);   /* step 10 */
	if (publish(x) || failpoint(x, "cluster_apply.after_payload_phase")) {  /* step 11 */
		x->stopped = true;
		return;
	}
	/* step 12: deletes */
	for (size_t i = 0; i < r->changes.n && !x->stopped; i++)
		if (is_kind(&r->changes.v[i], "graph.", CFS_CHANGE_DELETE))
			do_delete(x, &r->changes.v[i], r->changes.v[i].resource + 6);
	if (x->stopped)
		return;
	demote_failed(x);
	warn_dispositions(x);
	mutate(x);              /* step 13 */
	write_ledger(x);        /* steps 13-14 */
}

/*
 * fs.md "applied/": after an apply that wrote the ledger and converged
 * (a partial apply leaves changes a diff against applied/ must still
 * show), the config tree it applied becomes a commit on
 * refs/clusterfs/applied (still under the lock, so applies record in
 * ledger order).  The tree was snapshot before
 * the config was loaded; if the folder changed since, which tree was
 * applied is unknown and nothing is recorded.
 */
static void record_applied(struct run *x)
{
	struct cfs_op *op = x->op;
	char after[CFS_OID_HEX], commit[CFS_OID_HEX];

	if (cfs_git_snapshot(op->des.config_dir, after) || strcmp(after, x->tree)) {
		cfs_diag_warn(&op->diags, "applied_commit_skipped", op->des.config_dir,
			      "the config folder changed during apply; %s not moved", CFS_APPLIED_REF);
		return;
	}
	json_int_t rev = json_integer_value(json_object_get(x->r->state_observations, "state_revision"));
	char *msg = cfs_xasprintf("clusterfs apply: state revision %" JSON_INTEGER_FORMAT "\n\n"
				  "Config-Digest: %s\nActor: %s\n",
				  rev, op->des.config_digest ? op->des.config_digest : "none",
				  x->r->actor ? x->r->actor : "none");
	if (cfs_git_record_applied(op->des.config_dir, x->tree, x->r->actor, msg, commit))
		cfs_diag_warn(&op->diags, "applied_commit_error", op->des.config_dir,
			      "could not record the applied config in git: %s", strerror(errno));
	free(msg);
}

void cfs_apply_run(const char *config_dir, const char *actor, const char *plan_digest,
		   struct cfs_apply_report *r)
{
	struct run x;
	struct cfs_op *op = &r->op;

	memset(r, 0, sizeof(*r));
	memset(&x, 0, sizeof(x));
	x.r = r;
	x.op = op;
	r->actor = actor && *actor ? cfs_xstrdup(actor) : NULL;
	bool git = !cfs_git_snapshot(config_dir, x.tree);
	if (!cfs_op_begin(op, "apply", config_dir, CFS_LOAD_FULL) && !cfs_op_open_store(op) && !cfs_op_lock(op) &&
	    !cfs_op_read_state(op)) {
		if (!op->state.found) {
			cfs_diag_error(&op->diags, "state_missing", CFS_STATE_KEY,
				       "apply requires an existing state.json; run `cluster import` to bootstrap state");
			x.stopped = true;
		} else {
			run_locked(&x, plan_digest);
		}
	} else {
		x.stopped = true;
	}
	if (!x.stopped) {
		for (size_t i = 0; i < r->changes.n; i++) {
			if (r->changes.v[i].disposition == CFS_DISP_APPLIED)
				r->applied_count++;
			else if (r->changes.v[i].disposition == CFS_DISP_DEFERRED ||
				 r->changes.v[i].disposition == CFS_DISP_BLOCKED)
				r->deferred_count++;
		}
	} else {
		r->converged = false;
	}
	{
		json_t *st = op->state.found ? json_object_get(op->state.doc, "resource_statuses") : NULL;
		r->resource_statuses = json_is_object(st) ? cfs_json_sorted(st) : json_object();
	}
	r->state_observations = cfs_op_state_observations(op);
	if (git && r->state_written && r->converged)
		record_applied(&x);
	cfs_op_unlock(op);
	r->ok = !cfs_diags_has_error(&op->diags);
	cfs_op_record_event(op, r->actor, r->ok, (long long)r->applied_count);

	json_decref(x.ledger);
	cfs_sweep_free(&x.sw);
	cfs_approvals_free(&x.arts);
	for (size_t i = 0; i < x.nfailed; i++)
		free(x.failed[i].id);
	free(x.failed);
	free_strs(x.done, x.ndone);
	free_strs(x.consumed, x.nconsumed);
	free(x.warned);
}

json_t *cfs_apply_report_json(const struct cfs_apply_report *r)
{
	json_t *o = json_object(), *rev = json_object();

	json_object_set_new(o, "ok", json_boolean(r->ok));
	json_object_set_new(o, "config_dir", cfs_json_text(r->op.des.config_dir));
	if (r->actor)
		json_object_set_new(o, "actor", cfs_json_text(r->actor));
	if (r->op.des.config_digest)
		json_object_set_new(rev, "config_digest", json_string(r->op.des.config_digest));
	json_object_set_new(o, "desired_revision", rev);
	json_object_set(o, "state_observations", r->state_observations);
	json_object_set_new(o, "changes", cfs_changes_json(&r->changes));
	json_object_set_new(o, "applied_count", json_integer((json_int_t)r->applied_count));
	json_object_set_new(o, "deferred_count", json_integer((json_int_t)r->deferred_count));
	json_object_set_new(o, "converged", json_boolean(r->converged));
	json_object_set_new(o, "state_written", json_boolean(r->state_written));
	json_object_set(o, "resource_statuses", r->resource_statuses);
	json_object_set_new(o, "diagnostics", cfs_diags_to_json(&r->op.diags));
	return o;
}

void cfs_apply_report_free(struct cfs_apply_report *r)
{
	cfs_changes_free(&r->changes);
	json_decref(r->state_observations);
	json_decref(r->resource_statuses);
	free(r->actor);
	cfs_op_end(&r->op);
	memset(r, 0, sizeof(*r));
}
