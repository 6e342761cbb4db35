/*
 * sweep: the §10.1 table, one function per sidecar kind.  Classification
 * is by schema digest (live vs ledger vs the sidecar's desired digest),
 * never by manifest version, so unrelated commits on a graph do not
 * confuse it; the versions in a sidecar are forensic only.
 */
#include "engine/sweep.h"
#include "core/sha256.h"
#include "core/strbuf.h"
#include "engine/graph/graph.h"
#include "engine/ledger_edit.h"
#include "ledger/approval.h"
#include "ledger/sidecar.h"

#include <stdlib.h>
#include <string.h>

#define DRIFT_MSG "graph state does not match the interrupted operation; run `cluster refresh` and re-plan"
#define INCOMPLETE_MSG \
	"graph root exists but cannot be opened; remove the graph root and re-run `cluster apply`"

struct sweep_ctx {
	struct cfs_store *st;
	json_t *ledger;
	struct cfs_sweep *out;
	struct cfs_diags *d;
};

static void push(char ***v, size_t *n, const char *s)
{
	*v = cfs_xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = cfs_xstrdup(s);
}

bool cfs_sweep_pending(const struct cfs_sweep *sw, const char *graph_id)
{
	for (size_t i = 0; i < sw->npending; i++)
		if (!strcmp(sw->pending[i], graph_id))
			return true;
	return false;
}

static void keep(struct sweep_ctx *c, const char *graph_id)
{
	if (!cfs_sweep_pending(c->out, graph_id)) {
		push(&c->out->pending, &c->out->npending, graph_id);
		cfs_qsort(c->out->pending, c->out->npending, sizeof(char *), cfs_strptrcmp);
	}
}

static void retire(struct sweep_ctx *c, const struct cfs_sidecar *sc)
{
	push(&c->out->retire, &c->out->nretire, sc->file);
}

/* A local graph root exists (even empty), as cluster.md §6 defines it. */
static bool root_exists(const char *uri)
{
	struct cfs_store *s;
	bool yes;

	if (cfs_store_open_local(uri, &s))
		return false;
	yes = cfs_store_root_exists(s);
	cfs_store_close(s);
	return yes;
}

/*
 * Open the root read-only: 0 with the live schema digest, or -1 with *err
 * (the engine's first error message; caller frees).
 */
static int live_schema_digest(const char *uri, char hex[CFS_SHA256_HEX_LEN + 1], char **err)
{
	struct cfs_diags gd = CFS_DIAGS_INIT;
	struct cfs_graph *g;
	const char *src;
	size_t len;

	*err = NULL;
	if (cfs_graph_open(uri, true, &g, &gd)) {
		for (size_t i = 0; i < gd.n && !*err; i++)
			if (gd.v[i].severity == CFS_ERROR)
				*err = cfs_xstrdup(gd.v[i].message);
		if (!*err)
			*err = cfs_xstrdup("the graph could not be opened");
		cfs_diags_free(&gd);
		return -1;
	}
	src = cfs_graph_schema_source(g, &len);
	cfs_sha256_hex(src, len, hex);
	cfs_graph_close(g);
	cfs_diags_free(&gd);
	return 0;
}

static void set_both(struct sweep_ctx *c, const char *gaddr, const char *saddr, const char *status,
		     const char *condition, const char *message)
{
	cfs_ledger_set_status(c->ledger, gaddr, status, condition, message);
	cfs_ledger_set_status(c->ledger, saddr, status, condition, message);
}

/* The roll-forward of §10.1 for a create or schema apply that landed. */
static void roll_forward(struct sweep_ctx *c, const struct cfs_sidecar *sc, const char *live, const char *gaddr,
			 const char *saddr)
{
	const char *what = sc->kind == CFS_SIDECAR_GRAPH_CREATE ? "graph create" : "schema apply";

	cfs_ledger_rebind_graph(c->ledger, sc->graph_id, live);
	set_both(c, gaddr, saddr, "applied", NULL, NULL);
	cfs_ledger_record_recovery(c->ledger, sc->operation_id, cfs_sidecar_kind_name(sc->kind), sc->graph_id,
				   sc->actor);
	cfs_diag_warn(c->d, "cluster_recovery_rolled_forward", gaddr,
		      "an interrupted %s had completed on the graph; cluster state was rolled forward to match", what);
	retire(c, sc);
}

static void drifted(struct sweep_ctx *c, const struct cfs_sidecar *sc, const char *gaddr, const char *saddr)
{
	const char *what = sc->kind == CFS_SIDECAR_GRAPH_CREATE ? "graph create" : "schema apply";

	set_both(c, gaddr, saddr, "drifted", "actual_applied_state_pending", DRIFT_MSG);
	cfs_diag_warn(c->d, "cluster_recovery_pending", gaddr,
		      "an interrupted %s left unexpected graph state; graph-moving work is blocked until repaired",
		      what);
	keep(c, sc->graph_id);
}

/* Rows common to create and schema apply once the root opened. */
static void classify_live(struct sweep_ctx *c, const struct cfs_sidecar *sc, const char *live, const char *gaddr,
			  const char *saddr)
{
	const char *recorded = cfs_ledger_digest(c->ledger, saddr);

	if (recorded && !strcmp(recorded, live))
		retire(c, sc);
	else if (!strcmp(live, sc->desired_schema_digest))
		roll_forward(c, sc, live, gaddr, saddr);
	else
		drifted(c, sc, gaddr, saddr);
}

static void sweep_create(struct sweep_ctx *c, const struct cfs_sidecar *sc, const char *gaddr, const char *saddr)
{
	char live[CFS_SHA256_HEX_LEN + 1], *err;

	if (!root_exists(sc->graph_uri)) {
		retire(c, sc);
		return;
	}
	if (live_schema_digest(sc->graph_uri, live, &err)) {
		set_both(c, gaddr, saddr, "error", "graph_create_incomplete", INCOMPLETE_MSG);
		cfs_diag_error(c->d, "graph_create_incomplete", gaddr,
			       "graph root '%s' exists but cannot be opened (%s); remove the graph root and re-run "
			       "`cluster apply`",
			       sc->graph_uri, err);
		free(err);
		keep(c, sc->graph_id);
		return;
	}
	classify_live(c, sc, live, gaddr, saddr);
}

static void sweep_schema_apply(struct sweep_ctx *c, const struct cfs_sidecar *sc, const char *gaddr,
			       const char *saddr)
{
	char live[CFS_SHA256_HEX_LEN + 1], *err;

	if (live_schema_digest(sc->graph_uri, live, &err)) {
		cfs_diag_warn(c->d, "cluster_recovery_pending", gaddr,
			      "an interrupted schema apply cannot be verified (graph '%s' did not open: %s); "
			      "graph-moving work is blocked until repaired",
			      sc->graph_uri, err);
		free(err);
		keep(c, sc->graph_id);
		return;
	}
	classify_live(c, sc, live, gaddr, saddr);
}

static void sweep_delete(struct sweep_ctx *c, const struct cfs_sidecar *sc, const char *gaddr)
{
	if (root_exists(sc->graph_uri)) {
		cfs_diag_warn(c->d, "graph_delete_incomplete", gaddr,
			      "a previous graph delete did not complete; it will be re-proposed by plan and can be "
			      "retried under its approval");
		retire(c, sc);
		return;
	}
	if (!cfs_ledger_digest(c->ledger, gaddr)) {
		retire(c, sc);
		return;
	}
	cfs_ledger_tombstone(c->ledger, sc->graph_id, sc->approval_id, sc->actor);
	cfs_ledger_record_recovery(c->ledger, sc->operation_id, "graph_delete", sc->graph_id, sc->actor);
	if (sc->approval_id) {
		cfs_ledger_consume_approval(c->ledger, sc->approval_id, sc->operation_id);
		push(&c->out->consumed, &c->out->nconsumed, sc->approval_id);
	}
	cfs_diag_warn(c->d, "cluster_recovery_rolled_forward", gaddr,
		      "an interrupted graph delete had completed on disk; cluster state was rolled forward to match");
	retire(c, sc);
}

void cfs_sweep_run(struct cfs_store *st, const char *display_root, json_t *ledger, struct cfs_sweep *out,
		   struct cfs_diags *d)
{
	struct sweep_ctx c = { st, ledger, out, d };
	struct cfs_sidecar *v;
	size_t n;

	memset(out, 0, sizeof(*out));
	/* sidecars are written only under the lock, which the sweep holds:
	 * a temporary file there is a write that a crash cut short */
	cfs_store_remove_temps(st, CFS_RECOVERIES_DIR);
	cfs_sidecar_list(st, display_root, &v, &n, d);
	for (size_t i = 0; i < n; i++) {
		char *gaddr = cfs_xasprintf("graph.%s", v[i].graph_id);
		char *saddr = cfs_xasprintf("schema.%s", v[i].graph_id);

		switch (v[i].kind) {
		case CFS_SIDECAR_GRAPH_CREATE:
			sweep_create(&c, &v[i], gaddr, saddr);
			break;
		case CFS_SIDECAR_SCHEMA_APPLY:
			sweep_schema_apply(&c, &v[i], gaddr, saddr);
			break;
		case CFS_SIDECAR_GRAPH_DELETE:
			sweep_delete(&c, &v[i], gaddr);
			break;
		}
		free(saddr);
		free(gaddr);
	}
	cfs_sidecars_free(v, n);
}

/* ------------------------------------------------------------------ after the write */

void cfs_sweep_finish(struct cfs_store *st, const struct cfs_sweep *sw)
{
	for (size_t i = 0; i < sw->nretire; i++)
		(void)cfs_sidecar_remove(st, sw->retire[i]);
	if (sw->nconsumed)
		(void)cfs_approvals_mark_consumed(st, (const char *const *)sw->consumed, sw->nconsumed, NULL);
}

void cfs_sweep_free(struct cfs_sweep *sw)
{
	cfs_store_list_free(sw->pending, sw->npending);
	cfs_store_list_free(sw->retire, sw->nretire);
	cfs_store_list_free(sw->consumed, sw->nconsumed);
	memset(sw, 0, sizeof(*sw));
}
