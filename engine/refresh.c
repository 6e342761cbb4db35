/*
 * refresh: `refresh` and `import` (cluster.md §14), one flow with two
 * switches: which ledger it starts from, and whether an error stops the
 * write.  The steps run on an in-memory copy of the ledger in the order
 * the contract fixes: composite integrity, recovery sweep, catalog blobs
 * (so a drifted query is gone before the graph composite is recomputed),
 * then the graph roots.  Sidecars the sweep retired are deleted only
 * after the ledger write landed.
 */
#include "engine/refresh.h"
#include "engine/plan.h"
#include "core/clock.h"
#include "core/failpoint.h"
#include "core/json.h"
#include "core/sha256.h"
#include "core/strbuf.h"
#include "engine/graph/graph.h"
#include "engine/ledger_edit.h"
#include "engine/ops.h"
#include "engine/sweep.h"
#include "ledger/catalog.h"
#include "ledger/state.h"

#include <stdlib.h>
#include <string.h>

#define GRAPH_MISSING_MSG "derived graph root is missing"
#define SCHEMA_MISMATCH_MSG "live schema digest differs from desired schema digest"
#define PAYLOAD_MISSING_MSG "catalog payload blob is missing; re-run `cluster apply` to republish"
#define PAYLOAD_MISMATCH_MSG \
	"catalog payload blob does not match the recorded digest; re-run `cluster apply` to republish"

/* Which maps the report shows (§14: the in-memory ledger's, the desired
 * digests if it stopped before reading the ledger). */
enum report_maps { MAPS_DESIRED, MAPS_EMPTY, MAPS_LEDGER };

struct sync {
	struct cfs_op op;
	bool import;
	json_t *ledger;                 /* the ledger the report shows (MAPS_LEDGER) */
	enum report_maps maps;
};

/* ------------------------------------------------------------------ catalog (§14 step 4) */

static void check_catalog(struct sync *s)
{
	struct cfs_catalog_finding *f;
	json_t *res = cfs_state_resources(s->ledger);
	size_t n = cfs_catalog_verify(s->op.store, s->op.display_root, res, &f, &s->op.diags);

	for (size_t i = 0; i < n; i++) {
		const char *addr = f[i].address;

		switch (f[i].blob.result) {
		case CFS_CATALOG_MISSING:
			json_object_del(res, addr);
			cfs_ledger_set_status(s->ledger, addr, "drifted", "payload_missing", PAYLOAD_MISSING_MSG);
			break;
		case CFS_CATALOG_MISMATCH:
			json_object_del(res, addr);
			cfs_ledger_set_status(s->ledger, addr, "drifted", "payload_mismatch", PAYLOAD_MISMATCH_MSG);
			break;
		case CFS_CATALOG_READ_ERROR:
			/* transient I/O must not trigger a republish: keep the digest */
			cfs_ledger_set_status(s->ledger, addr, "error", "payload_read_error", f[i].blob.error);
			break;
		case CFS_CATALOG_OK:
		case CFS_CATALOG_NO_BLOB:
			break;
		}
	}
	cfs_catalog_findings_free(f, n);
}

/* ------------------------------------------------------------------ graphs (§14 step 5) */

/* The §7.1 graph observation; version/digest NULL and matches < 0 = null. */
static json_t *observation(const char *addr, const char *uri, bool exists, const struct cfs_graph *g,
			   const char *live, const char *desired, int matches, const char *error)
{
	char now[CFS_RFC3339_LEN];
	json_t *o = json_object();

	cfs_now_rfc3339(now);
	json_object_set_new(o, "kind", json_string("graph"));
	json_object_set_new(o, "address", json_string(addr));
	json_object_set_new(o, "graph_uri", cfs_json_text(uri));
	json_object_set_new(o, "observed_at", json_string(now));
	json_object_set_new(o, "exists", json_boolean(exists));
	json_object_set_new(o, "graph_manifest_version",
			    g ? json_integer((json_int_t)cfs_graph_main_version(g)) : json_null());
	json_object_set_new(o, "schema_digest", live ? json_string(live) : json_null());
	json_object_set_new(o, "desired_schema_digest", desired ? json_string(desired) : json_null());
	json_object_set_new(o, "schema_matches_desired", matches < 0 ? json_null() : json_boolean(matches));
	json_object_set_new(o, "error", error ? cfs_json_text(error) : json_null());
	return o;
}

static bool root_exists(const char *root)
{
	struct cfs_store *st;
	bool yes;

	if (cfs_store_open_local(root, &st))
		return false;
	yes = cfs_store_root_exists(st);
	cfs_store_close(st);
	return yes;
}

/* The engine's first error message for a failed open (caller frees). */
static char *open_error(const struct cfs_diags *gd)
{
	for (size_t i = 0; i < gd->n; i++)
		if (gd->v[i].severity == CFS_ERROR)
			return cfs_xstrdup(gd->v[i].message);
	return cfs_xstrdup("the graph could not be opened");
}

/* Observe one desired graph; returns 1 if its root failed to open. */
static int observe_graph(struct sync *s, const struct cfs_desired_graph *dg)
{
	char *gaddr = cfs_xasprintf("graph.%s", dg->id), *saddr = cfs_xasprintf("schema.%s", dg->id);
	char *root = cfs_xasprintf("%s/graphs/%s.omni", s->op.display_root, dg->id);
	json_t *obs = cfs_ledger_map(s->ledger, "observations"), *res = cfs_state_resources(s->ledger);
	struct cfs_diags gd = CFS_DIAGS_INIT;
	struct cfs_graph *g = NULL;
	int failed = 0;

	if (!root_exists(root)) {
		json_object_del(res, gaddr);
		json_object_del(res, saddr);
		json_object_set_new(obs, gaddr,
				    observation(gaddr, root, false, NULL, NULL, dg->schema_digest, 0, GRAPH_MISSING_MSG));
		cfs_ledger_set_status(s->ledger, gaddr, "drifted", "graph_missing", GRAPH_MISSING_MSG);
		cfs_ledger_set_status(s->ledger, saddr, "drifted", "graph_missing", GRAPH_MISSING_MSG);
	} else if (cfs_graph_open(root, true, &g, &gd) == 0) {
		char live[CFS_SHA256_HEX_LEN + 1];
		size_t len;
		const char *src = cfs_graph_schema_source(g, &len);
		bool matches;

		cfs_sha256_hex(src, len, live);
		matches = dg->schema_digest && !strcmp(live, dg->schema_digest);
		cfs_ledger_rebind_graph(s->ledger, dg->id, live);
		json_object_set_new(obs, gaddr, observation(gaddr, root, true, g, live, dg->schema_digest, matches, NULL));
		if (matches) {
			cfs_ledger_set_status(s->ledger, gaddr, "applied", NULL, NULL);
			cfs_ledger_set_status(s->ledger, saddr, "applied", NULL, NULL);
		} else {
			cfs_ledger_set_status(s->ledger, gaddr, "drifted", "schema_mismatch", SCHEMA_MISMATCH_MSG);
			cfs_ledger_set_status(s->ledger, saddr, "drifted", "schema_mismatch", SCHEMA_MISMATCH_MSG);
		}
		cfs_graph_close(g);
	} else {
		char *err = open_error(&gd);

		json_object_set_new(obs, gaddr, observation(gaddr, root, true, NULL, NULL, dg->schema_digest, -1, err));
		cfs_ledger_set_status(s->ledger, gaddr, "error", "graph_observation_error", err);
		cfs_ledger_set_status(s->ledger, saddr, "error", "graph_observation_error", err);
		free(err);
		failed = 1;
	}
	cfs_diags_free(&gd);
	free(root);
	free(saddr);
	free(gaddr);
	return failed;
}

static void observe_graphs(struct sync *s)
{
	const struct cfs_desired *des = &s->op.des;
	size_t failed = 0;

	for (size_t i = 0; i < des->cfg.ngraphs; i++)
		failed += (size_t)observe_graph(s, &des->graphs[i]);
	if (failed)
		cfs_diag_error(&s->op.diags, "graph_observation_error", "graphs", "%zu graph observation(s) failed",
			       failed);
}

/* ------------------------------------------------------------------ the flow */

/* Step 2: the ledger to start from, or NULL to stop (then s->ledger is
 * what the report shows, if anything). */
static json_t *starting_ledger(struct sync *s)
{
	struct cfs_op *op = &s->op;

	if (!s->import && !op->state.found) {
		cfs_diag_error(&op->diags, "state_missing", CFS_STATE_KEY,
			       "refresh requires an existing state.json; run `cluster import` to bootstrap state");
		s->maps = MAPS_EMPTY;
		return NULL;
	}
	if (s->import && op->state.found) {
		cfs_diag_error(&op->diags, "state_already_exists", CFS_STATE_KEY,
			       "import creates initial state only when state.json is missing; use `cluster refresh` "
			       "for an existing state ledger");
		s->ledger = json_incref(op->state.doc);
		s->maps = MAPS_LEDGER;
		return NULL;
	}
	s->maps = MAPS_LEDGER;
	return s->import ? cfs_state_new(op->des.config_digest) : json_deep_copy(op->state.doc);
}

/* Step 6: write (§7.4) and, once it landed, retire the swept sidecars. */
static void write_ledger(struct sync *s, const struct cfs_sweep *sw)
{
	struct cfs_op *op = &s->op;
	json_int_t old = json_integer_value(json_object_get(s->ledger, "state_revision"));
	const char *fp = s->import ? "cluster_import.before_state_write" : "cluster_refresh.before_state_write";
	char *cas;

	json_object_set_new(s->ledger, "state_revision", json_integer(s->import ? 1 : old + 1));
	/* test hook before the compare: `sleep(ms)` lets a test edit the ledger meanwhile */
	if (cfs_failpoint(fp)) {
		cfs_diag_error(&op->diags, CFS_FAILPOINT_CODE, fp, "injected failpoint triggered: %s", fp);
		return;
	}
	if (cfs_state_write(op->store, s->ledger, op->state.cas, &cas, &op->diags))
		return;
	cfs_sweep_finish(op->store, sw);
	/* state_observations describe the file just written */
	cfs_op_set_state(op, json_incref(s->ledger), cas);
}

static void converge(struct sync *s)
{
	struct cfs_diags *d = &s->op.diags;
	struct cfs_sweep sw = CFS_SWEEP_INIT;
	json_t *start = starting_ledger(s);

	if (!start)
		return;
	s->ledger = start;
	if (cfs_ledger_check_composites(s->ledger, d))
		return;
	cfs_sweep_run(s->op.store, s->op.display_root, s->ledger, &sw, d);
	check_catalog(s);
	observe_graphs(s);
	if (!(s->import && cfs_diags_has_error(d)))
		write_ledger(s, &sw);
	cfs_sweep_free(&sw);
}

static json_t *desired_digests(const struct cfs_desired *des)
{
	json_t *o = json_object();

	for (size_t i = 0; i < des->nresources; i++)
		if (des->resources[i].digest)
			json_object_set_new(o, des->resources[i].address, json_string(des->resources[i].digest));
	return o;
}

static json_t *report(struct sync *s)
{
	json_t *o = json_object();
	bool ledger = s->maps == MAPS_LEDGER && s->ledger;

	json_object_set_new(o, "ok", json_boolean(!cfs_diags_has_error(&s->op.diags)));
	json_object_set_new(o, "operation", json_string(s->import ? "import" : "refresh"));
	json_object_set_new(o, "config_dir", cfs_json_text(s->op.des.config_dir));
	json_object_set_new(o, "state_observations", cfs_op_state_observations(&s->op));
	if (ledger) {
		json_object_set_new(o, "resource_digests", cfs_ledger_digest_map(s->ledger));
		json_object_set_new(o, "resource_statuses",
				    cfs_json_sorted(cfs_ledger_map(s->ledger, "resource_statuses")));
		json_object_set_new(o, "observations", cfs_json_sorted(cfs_ledger_map(s->ledger, "observations")));
	} else {
		json_object_set_new(o, "resource_digests",
				    s->maps == MAPS_DESIRED ? desired_digests(&s->op.des) : json_object());
		json_object_set_new(o, "resource_statuses", json_object());
		json_object_set_new(o, "observations", json_object());
	}
	json_object_set_new(o, "diagnostics", cfs_diags_to_json(&s->op.diags));
	return o;
}

/* Under the lock: the plan must still have the digest the caller saw. */
static bool digest_current(struct sync *s, const char *want)
{
	char *have;
	bool ok;

	if (!want)
		return true;
	have = cfs_plan_digest_now(&s->op);
	ok = !strcmp(have, want);
	if (!ok)
		cfs_diag_error(&s->op.diags, "plan_stale", "changes",
			       "the plan changed since it was reviewed (plan digest %s); re-run `clusterfs plan`", have);
	free(have);
	return ok;
}

json_t *cfs_state_sync(const char *config_dir, bool import, const char *actor, const char *plan_digest,
		       struct cfs_diags *diags)
{
	struct sync s;
	json_t *out;

	memset(&s, 0, sizeof(s));
	s.import = import;
	s.maps = MAPS_DESIRED;
	if (cfs_op_begin(&s.op, import ? "import" : "refresh", config_dir, CFS_LOAD_FULL) == 0 &&
	    cfs_op_open_store(&s.op) == 0 && cfs_op_lock(&s.op) == 0 && cfs_op_read_state(&s.op) == 0 &&
	    digest_current(&s, plan_digest))
		converge(&s);
	cfs_op_unlock(&s.op);
	/* before the report, so an events_write_error warning is in it */
	cfs_op_record_event(&s.op, actor && *actor ? actor : NULL, !cfs_diags_has_error(&s.op.diags), -1);
	out = report(&s);
	cfs_diags_append(diags, &s.op.diags);
	json_decref(s.ledger);
	cfs_op_end(&s.op);
	return out;
}
