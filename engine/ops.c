/*
 * ops: the frame every control-plane command runs in (ops.h).  A command
 * is: load the config dir, open the storage root, maybe lock, read the
 * ledger, do its work, report.  The pieces here are the ones every command
 * does the same way, so that the state_observations block, the lock
 * diagnostics and the storage-root errors cannot drift between commands.
 */
#include "engine/ops.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/path.h"
#include "core/strbuf.h"
#include "ledger/events.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RECOVERIES_DIR "__cluster/recoveries"

static bool is_s3(const char *root)
{
	return !strncmp(root, "s3://", 5);
}

/* The root the command reports paths under: the resolved storage root, or
 * the config dir made absolute when the config gave none we could use. */
static char *display_root_of(const struct cfs_desired *des, const char *config_dir)
{
	char *abs;

	if (des->storage_root)
		return cfs_xstrdup(des->storage_root);
	abs = cfs_path_absolute(config_dir);
	return abs ? abs : cfs_xstrdup(config_dir);
}

/* <display root>/<key>; the root "/" does not double the slash. */
static char *display_path(const struct cfs_op *op, const char *key)
{
	return cfs_xasprintf("%s/%s", strcmp(op->display_root, "/") ? op->display_root : "", key);
}

int cfs_op_begin(struct cfs_op *op, const char *operation, const char *config_dir, enum cfs_load_depth depth)
{
	memset(op, 0, sizeof(*op));
	op->operation = operation;
	cfs_desired_load(config_dir, depth, &op->des, &op->diags);
	op->display_root = display_root_of(&op->des, config_dir);
	return cfs_diags_has_error(&op->diags) ? -1 : 0;
}

int cfs_op_open_store(struct cfs_op *op)
{
	if (op->store)
		return 0;
	if (is_s3(op->display_root)) {
		cfs_diag_error(&op->diags, "storage_root_invalid", "storage",
			       "S3 storage roots are not supported by this build");
		return -1;
	}
	if (cfs_store_open_local(op->display_root, &op->store) != 0) {
		cfs_diag_error(&op->diags, "storage_root_invalid", "storage", "could not initialize storage for '%s': %s",
			       op->display_root, strerror(errno));
		return -1;
	}
	return 0;
}

/* §8: the state_lock_disabled wording names what the command did. */
static const char *unlocked_action(const char *operation)
{
	if (!strcmp(operation, "plan"))
		return "read state";
	if (!strcmp(operation, "approve"))
		return "ran";
	return "wrote state";
}

int cfs_op_lock(struct cfs_op *op)
{
	if (!op->des.state_lock) {
		cfs_diag_warn(&op->diags, "state_lock_disabled", "state.lock",
			      "state.lock is false; %s %s without acquiring the cluster state lock", op->operation,
			      unlocked_action(op->operation));
		return 0;
	}
	if (!op->store && cfs_op_open_store(op) != 0)
		return -1;
	cfs_lock_info_release(&op->foreign);
	return cfs_lock_acquire(op->store, op->operation, &op->lock_id, &op->foreign, &op->diags);
}

void cfs_op_unlock(struct cfs_op *op)
{
	if (!op->lock_id || op->lock_released)
		return;
	cfs_lock_release(op->store, op->lock_id);
	op->lock_released = true;
}

int cfs_op_read_state(struct cfs_op *op)
{
	if (!op->store && cfs_op_open_store(op) != 0)
		return -1;
	cfs_state_release(&op->state);
	op->state_read = true;
	return cfs_state_read(op->store, &op->state, &op->diags);
}

void cfs_op_set_state(struct cfs_op *op, json_t *doc, char *cas)
{
	cfs_state_release(&op->state);
	op->state.found = true;
	op->state.doc = doc;
	op->state.cas = cas;
	op->state_read = true;
}

static bool is_header_code(const char *code)
{
	static const char *const codes[] = {
		"unsupported_cluster_config_version", "empty_metadata_name",
		"unsupported_state_backend", "invalid_storage_root",
	};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (!strcmp(code, codes[i]))
			return true;
	return false;
}

void cfs_op_split_header_diags(struct cfs_op *op, struct cfs_diags *later)
{
	struct cfs_diags keep = CFS_DIAGS_INIT;

	for (size_t i = 0; i < op->diags.n; i++) {
		const struct cfs_diag *x = &op->diags.v[i];
		cfs_diag_add(is_header_code(x->code) ? later : &keep, x->severity, x->code, x->path, "%s", x->message);
	}
	cfs_diags_free(&op->diags);
	op->diags = keep;
}

/* The ledger facts of §11.5, from the ledger as read (or as written). */
static void add_state_facts(const struct cfs_op *op, json_t *o)
{
	json_t *doc = op->state.doc;
	json_t *digest = json_object_get(json_object_get(doc, "applied_revision"), "config_digest");
	json_t *rev = json_object_get(doc, "state_revision");

	json_object_set_new(o, "state_found", json_boolean(op->state.found));
	if (json_is_string(digest))
		json_object_set_new(o, "applied_config_digest", json_incref(digest));
	json_object_set_new(o, "state_revision", json_integer(rev ? json_integer_value(rev) : 0));
	if (op->state.cas)
		json_object_set_new(o, "state_cas", json_string(op->state.cas));
	json_object_set_new(o, "resource_count", json_integer((json_int_t)(doc ? cfs_state_resource_count(doc) : 0)));
}

json_t *cfs_op_state_observations(const struct cfs_op *op)
{
	const struct cfs_lock_info *l = &op->foreign;
	json_t *o = json_object();
	char *p;

	p = display_path(op, CFS_STATE_KEY);
	json_object_set_new(o, "state_path", cfs_json_text(p));
	free(p);
	p = display_path(op, CFS_LOCK_KEY);
	json_object_set_new(o, "lock_path", cfs_json_text(p));
	free(p);
	add_state_facts(op, o);
	json_object_set_new(o, "locked", json_boolean(l->present));
	if (l->parsed)
		json_object_set_new(o, "lock_id", json_string(l->lock_id));
	json_object_set_new(o, "lock_acquired", json_boolean(op->lock_id != NULL));
	if (op->lock_id)
		json_object_set_new(o, "acquired_lock_id", json_string(op->lock_id));
	if (l->parsed) {
		long long age = cfs_lock_age_seconds(l->created_at);
		json_object_set_new(o, "lock_operation", json_string(l->operation));
		json_object_set_new(o, "lock_created_at", json_string(l->created_at));
		json_object_set_new(o, "lock_pid", json_integer(l->pid));
		if (age >= 0)
			json_object_set_new(o, "lock_age_seconds", json_integer(age));
	}
	return o;
}

/* A sidecar is an object; a directory that happens to end in .json is not. */
static bool is_sidecar_name(struct cfs_store *st, const char *name)
{
	size_t n = strlen(name);
	char *key;
	bool ok;

	if (n < 5 || strcmp(name + n - 5, ".json"))
		return false;
	key = cfs_xasprintf(RECOVERIES_DIR "/%s", name);
	ok = cfs_store_exists(st, key) == 0;
	free(key);
	return ok;
}

void cfs_op_warn_pending_sidecars(struct cfs_op *op)
{
	char **names;
	size_t n;

	if (!op->store)
		return;
	if (cfs_store_list(op->store, RECOVERIES_DIR, &names, &n) != 0) {
		cfs_diag_warn(&op->diags, "recovery_sidecar_read_error", RECOVERIES_DIR, "could not list '%s': %s",
			      RECOVERIES_DIR, strerror(errno));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (!is_sidecar_name(op->store, names[i]))
			continue;
		char *key = cfs_xasprintf(RECOVERIES_DIR "/%s", names[i]);
		char *where = display_path(op, key);
		cfs_diag_warn(&op->diags, "cluster_recovery_pending", where,
			      "a recovery sidecar from an interrupted apply is pending; the next state-mutating "
			      "command will classify it");
		free(where);
		free(key);
	}
	cfs_store_list_free(names, n);
}

/* The distinct error codes of d, in emission order. */
static json_t *error_codes(const struct cfs_diags *d)
{
	json_t *codes = json_array();

	for (size_t i = 0; i < d->n; i++) {
		bool seen = false;
		size_t j;
		json_t *c;

		if (d->v[i].severity != CFS_ERROR)
			continue;
		json_array_foreach(codes, j, c)
			seen = seen || !strcmp(json_string_value(c), d->v[i].code);
		if (!seen)
			json_array_append_new(codes, json_string(d->v[i].code));
	}
	return codes;
}

/* A resolved local root whose ledger folder exists: where events go. */
static bool has_ledger_dir(const struct cfs_op *op)
{
	struct stat st;
	char *dir;
	bool yes;

	if (!op->des.storage_root || is_s3(op->des.storage_root) || !op->display_root)
		return false;
	dir = display_path(op, "__cluster");
	yes = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
	free(dir);
	return yes;
}

void cfs_op_record_event(struct cfs_op *op, const char *actor, bool ok, long long changes)
{
	char now[CFS_RFC3339_LEN];
	json_t *ev, *rev = NULL;

	if (!has_ledger_dir(op))
		return;
	if (op->state.found) {
		json_t *r = json_object_get(op->state.doc, "state_revision");
		rev = json_integer(r ? json_integer_value(r) : 0);
	}
	cfs_now_rfc3339(now);
	ev = json_object();
	json_object_set_new(ev, "at", json_string(now));
	json_object_set_new(ev, "operation", json_string(op->operation));
	json_object_set_new(ev, "actor", actor ? cfs_json_text(actor) : json_null());
	json_object_set_new(ev, "ok", json_boolean(ok));
	json_object_set_new(ev, "state_revision", rev ? rev : json_null());
	if (changes >= 0)
		json_object_set_new(ev, "changes", json_integer(changes));
	json_object_set_new(ev, "codes", error_codes(&op->diags));
	json_object_set_new(ev, "pid", json_integer((json_int_t)getpid()));
	if (cfs_events_append(op->display_root, ev) != 0)
		cfs_diag_warn(&op->diags, "events_write_error", CFS_EVENTS_KEY,
			      "could not append to the events log: %s", strerror(errno));
	json_decref(ev);
}

void cfs_op_end(struct cfs_op *op)
{
	cfs_op_unlock(op);
	cfs_desired_free(&op->des);
	cfs_diags_free(&op->diags);
	cfs_store_close(op->store);
	free(op->display_root);
	cfs_state_release(&op->state);
	free(op->lock_id);
	cfs_lock_info_release(&op->foreign);
	memset(op, 0, sizeof(*op));
}
