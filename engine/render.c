/*
 * render: the human text of every control-plane report (render.h,
 * cluster.md §16).  One place for the text so the CLI (stdout) and the
 * mount (open_memstream) cannot drift: each renderer reads only the report
 * struct and writes only to out.
 */
#include "engine/render.h"
#include "core/json.h"
#include "core/strbuf.h"
#include "engine/apply.h"
#include "engine/approve.h"
#include "engine/plan.h"
#include "engine/status.h"
#include "engine/validate.h"

#include <stdlib.h>

void cfs_render_diags(const struct cfs_diags *d, FILE *out)
{
	cfs_diags_render_text(d, out);
}

void cfs_render_change_head(const struct cfs_change *c, FILE *out)
{
	static const char *const titles[] = { [CFS_CHANGE_CREATE] = "Create", [CFS_CHANGE_UPDATE] = "Update",
					      [CFS_CHANGE_DELETE] = "Delete" };

	fprintf(out, "  %s %s%s", titles[c->op], c->resource, c->binding_change ? " [bindings]" : "");
}

char *cfs_render_lock_summary(const json_t *obs)
{
	static const char *const parts[][2] = {
		{ "lock_id", "id" }, { "lock_operation", "operation" }, { "lock_pid", "pid" },
		{ "lock_created_at", "created_at" }, { "lock_age_seconds", "age_seconds" },
	};
	struct cfs_sb sb = CFS_SB_INIT;

	if (!json_object_get(obs, "lock_id"))
		return cfs_xstrdup("");
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		const json_t *v = json_object_get(obs, parts[i][0]);
		if (!v)
			continue;
		cfs_sb_adds(&sb, sb.len ? ", " : " (");
		if (json_is_integer(v))
			cfs_sb_addf(&sb, "%s=%" JSON_INTEGER_FORMAT, parts[i][1], json_integer_value(v));
		else
			cfs_sb_addf(&sb, "%s=%s", parts[i][1], json_string_value(v));
	}
	cfs_sb_addc(&sb, ')');
	return cfs_sb_detach(&sb);
}

/* "  lock: held (id=...)" of a state_observations object. */
static void render_lock_held(const json_t *obs, FILE *out)
{
	char *summary = cfs_render_lock_summary(obs);

	fprintf(out, "  lock: held%s\n", summary);
	free(summary);
}

/* ------------------------------------------------------------ validate */

void cfs_render_validate(const struct cfs_validate_report *r, FILE *out)
{
	if (r->ok)
		fprintf(out, "cluster config valid: %zu resource(s), %zu dependency edge(s)\n", r->desired.nresources,
			r->desired.ndeps);
	else
		fputs("cluster config invalid\n", out);
	cfs_render_diags(&r->diags, out);
}

/* ------------------------------------------------------------ plan */

/* The migration steps under a schema update, one compact step a line. */
static void render_migration(const json_t *m, FILE *out)
{
	size_t i;
	json_t *step;

	if (!json_is_true(json_object_get(m, "supported")))
		fputs("      migration UNSUPPORTED:\n", out);
	json_array_foreach(json_object_get(m, "steps"), i, step) {
		char *s = cfs_json_compact(step, 0);
		fprintf(out, "      %s\n", s);
		free(s);
	}
}

/* The first line is the plan digest (our extension: what `apply
 * --plan-digest` and the mount's control files compare against). */
void cfs_render_plan(const struct cfs_plan_report *r, FILE *out)
{
	if (!r->ok) {
		fputs("cluster plan failed\n", out);
		cfs_render_diags(&r->op.diags, out);
		return;
	}
	fprintf(out, "plan digest: %s\n", r->plan_digest);
	fprintf(out, "cluster plan: %zu change(s), %zu approval gate(s)\n", r->changes.n, r->gates.n);
	for (size_t i = 0; i < r->changes.n; i++) {
		const struct cfs_change *c = &r->changes.v[i];
		cfs_render_change_head(c, out);
		fputc('\n', out);
		if (c->migration)
			render_migration(c->migration, out);
	}
	if (!r->changes.n)
		fputs("  no changes\n", out);
	cfs_render_diags(&r->op.diags, out);
}

/* ------------------------------------------------------------ apply */

static const char *disp_title(enum cfs_disposition d)
{
	switch (d) {
	case CFS_DISP_APPLIED: return "Applied";
	case CFS_DISP_DERIVED: return "Derived";
	case CFS_DISP_DEFERRED: return "Deferred";
	case CFS_DISP_BLOCKED: return "Blocked";
	case CFS_DISP_NONE: break;
	}
	return NULL;
}

void cfs_render_apply(const struct cfs_apply_report *r, FILE *out)
{
	const json_t *so = r->state_observations;

	if (r->ok)
		fprintf(out, "cluster apply: %zu applied, %zu deferred/blocked\n", r->applied_count, r->deferred_count);
	else
		fputs("cluster apply failed\n", out);
	for (size_t i = 0; i < r->changes.n; i++) {
		const struct cfs_change *c = &r->changes.v[i];
		const char *d = disp_title(c->disposition);

		cfs_render_change_head(c, out);
		if (d)
			fprintf(out, " %s%s%s", d, c->reason ? ": " : "", c->reason ? c->reason : "");
		fputc('\n', out);
	}
	if (r->ok)
		fprintf(out, "  state: revision %" JSON_INTEGER_FORMAT ", converged: %s, written: %s\n",
			json_integer_value(json_object_get(so, "state_revision")), r->converged ? "true" : "false",
			r->state_written ? "true" : "false");
	cfs_render_diags(&r->op.diags, out);
}

/* ------------------------------------------------------------ status */

static void render_status_ledger(const json_t *obs, FILE *out)
{
	const json_t *digest = json_object_get(obs, "applied_config_digest");

	fprintf(out, "cluster state: revision %" JSON_INTEGER_FORMAT ", %" JSON_INTEGER_FORMAT " resource(s)\n",
		json_integer_value(json_object_get(obs, "state_revision")),
		json_integer_value(json_object_get(obs, "resource_count")));
	if (digest)
		fprintf(out, "  applied config: %s\n", json_string_value(digest));
	if (json_is_true(json_object_get(obs, "locked")))
		render_lock_held(obs, out);
	else
		fputs("  lock: not held\n", out);
}

void cfs_render_status(const struct cfs_status_report *r, FILE *out)
{
	json_t *obs = cfs_op_state_observations(&r->op);

	if (!r->ok)
		fputs("cluster status failed\n", out);
	else if (!json_is_true(json_object_get(obs, "state_found")))
		fputs("cluster state missing\n", out);
	else
		render_status_ledger(obs, out);
	json_decref(obs);
	cfs_render_diags(&r->op.diags, out);
}

/* ------------------------------------------------------------ approve */

void cfs_render_approve(const struct cfs_approve_report *r, FILE *out)
{
	if (r->ok)
		fprintf(out, "cluster approve: %s %s approved by %s (approval %s)\n", r->operation, r->resource,
			r->approved_by, r->approval_id);
	else
		fputs("cluster approve failed\n", out);
	cfs_render_diags(&r->op.diags, out);
}

/* ------------------------------------------------------------ force-unlock */

void cfs_render_force_unlock(const struct cfs_force_unlock_report *r, FILE *out)
{
	json_t *obs = cfs_op_state_observations(&r->op);
	char *summary = cfs_render_lock_summary(obs);

	if (r->ok && r->lock_removed) {
		fprintf(out, "cluster force-unlock: removed lock%s\n", summary);
	} else if (r->ok) {
		fputs("cluster force-unlock: no lock removed\n", out);
	} else {
		fputs("cluster force-unlock failed\n", out);
		if (json_is_true(json_object_get(obs, "locked")))
			fprintf(out, "  lock: held%s\n", summary);
	}
	free(summary);
	json_decref(obs);
	cfs_render_diags(&r->op.diags, out);
}

/* ------------------------------------------------------------ refresh / import */

void cfs_render_state_sync(const json_t *report, const struct cfs_diags *d, bool import, FILE *out)
{
	const char *name = import ? "import" : "refresh";
	const json_t *so = json_object_get(report, "state_observations");
	const char *cas = json_string_value(json_object_get(so, "state_cas"));

	if (json_is_true(json_object_get(report, "ok"))) {
		fprintf(out, "cluster %s: revision %" JSON_INTEGER_FORMAT ", %" JSON_INTEGER_FORMAT " resource(s)\n",
			name, json_integer_value(json_object_get(so, "state_revision")),
			json_integer_value(json_object_get(so, "resource_count")));
		if (cas)
			fprintf(out, "  state_cas: %s\n", cas);
	} else {
		fprintf(out, "cluster %s failed\n", name);
	}
	cfs_render_diags(d, out);
}
