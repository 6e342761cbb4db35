/*
 * fs/control: the files whose writes run operations (fs.md "Control
 * files", "approvals/", "lock").  A write runs the operation
 * synchronously through the same engine entry points as the CLI, keeps
 * its report (text and JSON) as the file's content, and returns the
 * write's size or the errno that names the failure:
 *
 *   lock held -> EBUSY      approval missing -> EACCES
 *   validation -> EINVAL    plan digest changed -> ESTALE
 *   storage or graph I/O -> EIO
 *
 * The actor is always the kernel-reported caller, never file content.
 */
#include "fs/fs.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/strbuf.h"
#include "engine/apply.h"
#include "engine/approve.h"
#include "engine/plan.h"
#include "engine/refresh.h"
#include "engine/render.h"
#include "engine/status.h"
#include "ledger/approval.h"
#include "ledger/store.h"

#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *cfs_control_name(enum cfs_control_kind k)
{
	static const char *const names[] = { "apply", "refresh", "import" };

	return k < CFS_CONTROL_N ? names[k] : NULL;
}

char *cfs_fs_actor(const struct cfs_fs *fs, uid_t uid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	for (size_t i = 0; i < fs->nactors; i++)
		if (fs->actors[i].uid == uid)
			return cfs_xstrdup(fs->actors[i].name);
	if (!getpwuid_r(uid, &pw, buf, sizeof(buf), &res) && res && res->pw_name && *res->pw_name)
		return cfs_xstrdup(res->pw_name);
	return cfs_xasprintf("uid:%u", (unsigned)uid);
}

/* ---- errno of a failed operation -------------------------------------- */

static const struct {
	const char *code;
	int err;
} errno_map[] = {
	{ "state_lock_held", EBUSY },
	{ "plan_stale", ESTALE },
	{ "approval_not_required", ENOENT },
	{ "state_missing", ENOENT },
	{ "state_lock_missing", ENOENT },
	{ "state_already_exists", EEXIST },
	{ "state_lock_id_mismatch", EINVAL },
	{ "apply_approval_invariant_violation", EIO },
	{ "approval_write_error", EIO },
	{ "catalog_payload_read_error", EIO },
	{ "conflicting_graph_manifest_observation", EIO },
	{ "graph_commit_conflict", EIO },
	{ "graph_create_failed", EIO },
	{ "graph_create_incomplete", EIO },
	{ "graph_delete_failed", EIO },
	{ "graph_delete_in_progress", EIO },
	{ "graph_delete_export_in_progress", EIO },
	{ "graph_io_error", EIO },
	{ "graph_observation_error", EIO },
	{ "graph_root_invalid", EIO },
	{ "graph_root_missing", EIO },
	{ "graph_root_exists", EIO },
	{ "injected_failpoint", EIO },
	{ "invalid_state_json", EIO },
	{ "recovery_sidecar_write_error", EIO },
	{ "resource_payload_write_error", EIO },
	{ "schema_apply_failed", EIO },
	{ "state_cas_mismatch", EIO },
	{ "state_lock_error", EIO },
	{ "state_read_error", EIO },
	{ "state_write_error", EIO },
	{ "storage_root_invalid", EIO },
	{ "unsupported_state_version", EIO },
};

/*
 * The errno for the error diagnostics of a failed operation: the first
 * error with a mapped code decides (lock and staleness first, since they
 * say "try again" rather than "fix something"); anything else is a
 * problem with desired/ (EINVAL).
 */
static int diags_errno(const struct cfs_diags *d)
{
	int best = 0;

	for (size_t i = 0; i < d->n; i++) {
		if (d->v[i].severity != CFS_ERROR)
			continue;
		int e = EINVAL;
		for (size_t k = 0; k < sizeof(errno_map) / sizeof(errno_map[0]); k++)
			if (!strcmp(errno_map[k].code, d->v[i].code))
				e = errno_map[k].err;
		if (e == EBUSY || e == ESTALE)
			return e;
		if (!best || (best == EINVAL && e != EINVAL))
			best = e;
	}
	return best ? best : EIO;
}

/* ---- control files ---------------------------------------------------- */

static void set_last(struct cfs_fs *fs, enum cfs_control_kind k, struct cfs_blob *text, struct cfs_blob *json)
{
	pthread_mutex_lock(&fs->mu);
	cfs_blob_unref(fs->last[k][0]);
	cfs_blob_unref(fs->last[k][1]);
	fs->last[k][0] = text;
	fs->last[k][1] = json;
	pthread_mutex_unlock(&fs->mu);
}

struct cfs_blob *cfs_control_last(struct cfs_fs *fs, enum cfs_control_kind k, bool json)
{
	struct cfs_blob *b;

	pthread_mutex_lock(&fs->mu);
	b = cfs_blob_ref(fs->last[k][json ? 1 : 0]);
	pthread_mutex_unlock(&fs->mu);
	return b ? b : cfs_blob_new("", 0);
}

/*
 * What a control write asks for: "" / "yes" / "1" (current plan) or a
 * 64-hex plan digest.  Trailing whitespace is ignored.  -1 on anything else.
 */
static int parse_request(const char *buf, size_t len, char digest[65], bool *has_digest)
{
	while (len && isspace((unsigned char)buf[len - 1]))
		len--;
	while (len && isspace((unsigned char)*buf))
		buf++, len--;
	/* the first line of `plan` as it is: "plan digest: <hex>" */
	if (len > 13 && !memcmp(buf, "plan digest: ", 13))
		buf += 13, len -= 13;
	*has_digest = false;
	if (!len || (len == 3 && !memcmp(buf, "yes", 3)) || (len == 1 && *buf == '1'))
		return 0;
	if (len != 64)
		return -1;
	for (size_t i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)buf[i]) || isupper((unsigned char)buf[i]))
			return -1;
	memcpy(digest, buf, 64);
	digest[64] = '\0';
	*has_digest = true;
	return 0;
}

static bool approval_missing(const struct cfs_apply_report *r)
{
	for (size_t i = 0; i < r->changes.n; i++)
		if (r->changes.v[i].disposition == CFS_DISP_BLOCKED && r->changes.v[i].reason &&
		    !strcmp(r->changes.v[i].reason, "approval_required"))
			return true;
	return false;
}

static int run_apply(struct cfs_fs *fs, const char *actor, const char *digest)
{
	struct cfs_apply_report r;
	struct cfs_mem m;
	FILE *out;
	int rc;

	cfs_apply_run(fs->config_dir, actor, digest, &r);
	if ((out = cfs_mem_open(&m)))
		cfs_render_apply(&r, out);
	set_last(fs, CFS_CONTROL_APPLY, cfs_mem_blob(&m), cfs_blob_json(cfs_apply_report_json(&r)));
	if (!r.ok)
		rc = -diags_errno(&r.op.diags);
	else
		rc = approval_missing(&r) ? -EACCES : 0;
	cfs_apply_report_free(&r);
	return rc;
}

static int run_sync(struct cfs_fs *fs, enum cfs_control_kind k, const char *actor, const char *digest)
{
	struct cfs_diags d = CFS_DIAGS_INIT;
	bool import = k == CFS_CONTROL_IMPORT;
	json_t *r = cfs_state_sync(fs->config_dir, import, actor, digest, &d);
	struct cfs_mem m;
	FILE *out;
	int rc;

	if ((out = cfs_mem_open(&m)))
		cfs_render_state_sync(r, &d, import, out);
	rc = json_is_true(json_object_get(r, "ok")) ? 0 : -diags_errno(&d);
	set_last(fs, k, cfs_mem_blob(&m), cfs_blob_json(r));
	cfs_diags_free(&d);
	return rc;
}

int cfs_control_write(struct cfs_fs *fs, enum cfs_control_kind k, const char *buf, size_t len, uid_t uid)
{
	char digest[65];
	bool has_digest;
	int rc;

	if (parse_request(buf, len, digest, &has_digest))
		return -EINVAL;
	char *self = cfs_fs_self_root(fs);
	if (self) {
		struct cfs_blob *text, *json;
		cfs_fs_refusal(fs, cfs_control_name(k), self, &text, &json);
		set_last(fs, k, text, json);
		free(self);
		return -EINVAL;
	}
	char *actor = cfs_fs_actor(fs, uid);
	if (k == CFS_CONTROL_APPLY)
		rc = run_apply(fs, actor, has_digest ? digest : NULL);
	else                    /* the digest is checked under the lock */
		rc = run_sync(fs, k, actor, has_digest ? digest : NULL);
	cfs_fs_log("%s by %s: %s", cfs_control_name(k), actor, rc ? strerror(-rc) : "ok");
	free(actor);
	return rc;
}

/* ---- approvals/ ------------------------------------------------------- */

void cfs_fs_gates_free(struct cfs_gate_info *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(g[i].resource);
	free(g);
}

void cfs_fs_gates(struct cfs_fs *fs, struct cfs_gate_info **gates, size_t *n)
{
	struct cfs_blob *b = cfs_report_get(fs, CFS_REPORT_PLAN, true);
	json_t *plan = json_loadb(b->data, b->len, 0, NULL);
	json_t *req = json_object_get(plan, "approvals_required"), *e;
	size_t i;

	*n = 0;
	*gates = cfs_xcalloc(json_array_size(req) + 1, sizeof(**gates));
	json_array_foreach(req, i, e) {
		const char *res = json_string_value(json_object_get(e, "resource"));
		if (!res)
			continue;
		(*gates)[*n].resource = cfs_xstrdup(res);
		(*gates)[*n].satisfied = json_is_true(json_object_get(e, "satisfied"));
		(*n)++;
	}
	json_decref(plan);
	cfs_blob_unref(b);
}

static json_t *or_null(json_t *v)
{
	return v ? v : json_null();
}

struct cfs_blob *cfs_fs_approval_view(struct cfs_fs *fs, const char *resource)
{
	struct cfs_blob *b = cfs_report_get(fs, CFS_REPORT_PLAN, true);
	json_t *plan = json_loadb(b->data, b->len, 0, NULL), *e, *out = NULL;
	size_t i;

	cfs_blob_unref(b);
	json_array_foreach(json_object_get(plan, "approvals_required"), i, e) {
		if (json_is_string(json_object_get(e, "resource")) &&
		    !strcmp(json_string_value(json_object_get(e, "resource")), resource)) {
			out = json_deep_copy(e);
			break;
		}
	}
	if (!out) {
		json_decref(plan);
		return NULL;
	}
	/* what the approval binds: the change and the config it belongs to */
	json_array_foreach(json_object_get(plan, "changes"), i, e) {
		const char *res = json_string_value(json_object_get(e, "resource"));
		if (res && !strcmp(res, resource)) {
			json_object_set(out, "change", e);
			break;
		}
	}
	json_object_set(out, "config_digest", or_null(json_object_get(json_object_get(plan, "desired_revision"),
								       "config_digest")));
	json_object_set(out, "state_revision", or_null(json_object_get(json_object_get(plan, "state_observations"),
									"state_revision")));
	json_object_set(out, "plan_digest", or_null(json_object_get(plan, "plan_digest")));
	json_decref(plan);
	/* the approvals recorded for it and not yet consumed */
	json_t *recs = json_array();
	char *root = cfs_fs_storage_root(fs);
	struct cfs_store *st;
	if (root && !cfs_store_open_local(root, &st)) {
		struct cfs_approvals arts = { NULL, 0 };
		cfs_approvals_list(st, root, &arts, NULL);
		for (size_t k = 0; k < arts.n; k++)
			if (!strcmp(arts.v[k].resource, resource) && !arts.v[k].consumed_at)
				json_array_append_new(recs, cfs_approval_to_json(&arts.v[k]));
		cfs_approvals_free(&arts);
		cfs_store_close(st);
	}
	free(root);
	json_object_set_new(out, "approvals", recs);
	return cfs_blob_json(out);
}

int cfs_fs_approve(struct cfs_fs *fs, const char *resource, uid_t uid)
{
	struct cfs_approve_report r;
	char *actor, *self = cfs_fs_self_root(fs);
	int rc;

	if (self) {
		free(self);
		return -EINVAL;
	}
	actor = cfs_fs_actor(fs, uid);
	cfs_approve_run(fs->config_dir, resource, actor, &r);
	rc = r.ok ? 0 : -diags_errno(&r.op.diags);
	cfs_fs_log("approve %s by %s: %s", resource, actor, rc ? strerror(-rc) : r.approval_id);
	cfs_approve_report_free(&r);
	free(actor);
	return rc;
}

/* ---- lock ------------------------------------------------------------- */

struct cfs_blob *cfs_fs_lock_view(struct cfs_fs *fs)
{
	char *root = cfs_fs_storage_root(fs), *path, *data;
	size_t len;

	if (!root)
		return cfs_blob_new("", 0);
	path = cfs_xasprintf("%s/__cluster/lock.json", root);
	free(root);
	if (cfs_read_file(path, &data, &len)) {
		free(path);
		return cfs_blob_new("", 0);     /* no lock held */
	}
	free(path);
	return cfs_blob_take(data, len);
}

int cfs_fs_lock_write(struct cfs_fs *fs, const char *buf, size_t len, uid_t uid)
{
	struct cfs_force_unlock_report r;
	char *id, *actor;
	int rc;

	while (len && isspace((unsigned char)buf[len - 1]))
		len--;
	if (!len || memchr(buf, '\0', len))
		return -EINVAL;
	if ((id = cfs_fs_self_root(fs))) {
		free(id);
		return -EINVAL;
	}
	id = cfs_xstrndup(buf, len);
	actor = cfs_fs_actor(fs, uid);
	cfs_force_unlock_run(fs->config_dir, id, actor, &r);
	rc = r.ok && r.lock_removed ? 0 : r.ok ? -ENOENT : -diags_errno(&r.op.diags);
	cfs_fs_log("force-unlock %s by %s: %s", id, actor, rc ? strerror(-rc) : "removed");
	cfs_force_unlock_report_free(&r);
	free(actor);
	free(id);
	return rc;
}
