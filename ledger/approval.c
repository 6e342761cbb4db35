/*
 * approval: reading, writing and consuming the approval artifacts of
 * cluster.md §9.  An artifact is a closed JSON object; a file that does not
 * parse is left in place for the operator and only warned about, so one
 * bad file never blocks the approvals next to it.
 */
#include "ledger/approval.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/strbuf.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The keys of §9 in the order they are written.  Optional ones may be
 * absent on read (and then read as null). */
static const struct {
	const char *name;
	bool optional;
	bool nullable;
} approval_keys[] = {
	{ "schema_version", false, false },
	{ "approval_id", false, false },
	{ "resource", false, false },
	{ "operation", false, false },
	{ "reason", false, false },
	{ "bound_config_digest", false, false },
	{ "bound_before_digest", true, true },
	{ "bound_after_digest", true, true },
	{ "approved_by", false, false },
	{ "created_at", false, false },
	{ "consumed_at", true, true },
	{ "consumed_by_operation", true, true },
};

#define NKEYS (sizeof(approval_keys) / sizeof(approval_keys[0]))

/* The string slots of struct cfs_approval, parallel to approval_keys[1..]. */
static char **slot(struct cfs_approval *a, size_t key)
{
	char **slots[NKEYS] = {
		NULL, &a->approval_id, &a->resource, &a->operation, &a->reason,
		&a->bound_config_digest, &a->bound_before_digest, &a->bound_after_digest,
		&a->approved_by, &a->created_at, &a->consumed_at, &a->consumed_by_operation,
	};
	return slots[key];
}

void cfs_approval_release(struct cfs_approval *a)
{
	if (!a)
		return;
	free(a->file);
	for (size_t k = 1; k < NKEYS; k++)
		free(*slot(a, k));
	memset(a, 0, sizeof(*a));
}

void cfs_approvals_free(struct cfs_approvals *a)
{
	for (size_t i = 0; i < a->n; i++)
		cfs_approval_release(&a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

static int key_index(const char *key)
{
	for (size_t k = 0; k < NKEYS; k++)
		if (!strcmp(approval_keys[k].name, key))
			return (int)k;
	return -1;
}

/* Check the members of the parsed object; fill out on success. */
static int decode(json_t *o, struct cfs_approval *out, char **err)
{
	const char *key;
	json_t *v;

	if (!json_is_object(o)) {
		*err = cfs_xstrdup("invalid type: expected an approval artifact object");
		return -1;
	}
	json_object_foreach(o, key, v) {
		if (key_index(key) < 0) {
			*err = cfs_xasprintf("unknown field `%s`", key);
			return -1;
		}
	}
	for (size_t k = 0; k < NKEYS; k++) {
		const char *name = approval_keys[k].name;
		v = json_object_get(o, name);
		if (!v && approval_keys[k].optional)
			continue;
		if (!v) {
			*err = cfs_xasprintf("missing field `%s`", name);
			return -1;
		}
		if (k == 0) {
			json_int_t n = json_is_integer(v) ? json_integer_value(v) : -1;
			if (n < 0 || n > (json_int_t)UINT32_MAX) {
				*err = cfs_xasprintf("invalid type for `%s`: expected an unsigned 32-bit integer", name);
				return -1;
			}
			out->schema_version = (long long)n;
		} else if (json_is_string(v)) {
			*slot(out, k) = cfs_xstrdup(json_string_value(v));
		} else if (!(json_is_null(v) && approval_keys[k].nullable)) {
			*err = cfs_xasprintf("invalid type for `%s`: expected a string", name);
			return -1;
		}
	}
	return 0;
}

int cfs_approval_parse(const char *text, size_t len, struct cfs_approval *out, char **err)
{
	json_error_t je;
	json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);

	memset(out, 0, sizeof(*out));
	*err = NULL;
	if (!o) {
		*err = cfs_xasprintf("%s at line %d column %d", je.text, je.line, je.column);
		return -1;
	}
	int rc = decode(o, out, err);
	json_decref(o);
	if (rc)
		cfs_approval_release(out);
	return rc;
}

static json_t *str_or_null(const char *s)
{
	return s ? cfs_json_text(s) : json_null();
}

json_t *cfs_approval_to_json(const struct cfs_approval *a)
{
	json_t *o = json_object();

	json_object_set_new(o, "schema_version", json_integer(a->schema_version));
	for (size_t k = 1; k < NKEYS; k++)
		json_object_set_new(o, approval_keys[k].name,
				    str_or_null(*slot((struct cfs_approval *)a, k)));
	return o;
}

static char *artifact_key(const char *file)
{
	return cfs_xasprintf("%s/%s", CFS_APPROVALS_DIR, file);
}

/* <display_root>/<key>, without doubling the slash of the root "/". */
static char *display_of(const char *display_root, const char *key)
{
	return cfs_xasprintf("%s/%s", strcmp(display_root, "/") ? display_root : "", key);
}

static bool ends_with_json(const char *name)
{
	size_t n = strlen(name);

	return n >= 5 && !strcmp(name + n - 5, ".json");
}

/* Read and parse one listed file; warnings as in the header. */
static bool read_one(struct cfs_store *st, const char *display_root, const char *file,
		     struct cfs_approval *out, struct cfs_diags *d)
{
	char *key = artifact_key(file), *text = NULL, *err = NULL;
	char *where = display_of(display_root, key);
	size_t len;
	bool ok = false;

	if (cfs_store_get(st, key, &text, &len)) {
		if (d)
			cfs_diag_warn(d, "invalid_approval_artifact", where,
				      "could not read (%s); leaving it in place", strerror(errno));
	} else if (cfs_approval_parse(text, len, out, &err)) {
		if (d)
			cfs_diag_warn(d, "invalid_approval_artifact", where,
				      "could not parse (%s); leaving it in place", err);
	} else if (out->schema_version != 1) {
		if (d)
			cfs_diag_warn(d, "unsupported_approval_version", where,
				      "unsupported schema version; leaving it in place");
		cfs_approval_release(out);
	} else {
		out->file = cfs_xstrdup(file);
		ok = true;
	}
	free(err);
	free(text);
	free(where);
	free(key);
	return ok;
}

void cfs_approvals_list(struct cfs_store *st, const char *display_root, struct cfs_approvals *out,
			struct cfs_diags *d)
{
	char **names;
	size_t n;

	out->v = NULL;
	out->n = 0;
	if (cfs_store_list(st, CFS_APPROVALS_DIR "/", &names, &n)) {
		if (d)
			cfs_diag_warn(d, "approval_read_error", CFS_APPROVALS_DIR, "could not list '%s': %s",
				      CFS_APPROVALS_DIR, strerror(errno));
		return;
	}
	out->v = cfs_xcalloc(n ? n : 1, sizeof(*out->v));
	for (size_t i = 0; i < n; i++)
		if (ends_with_json(names[i]) && read_one(st, display_root, names[i], &out->v[out->n], d))
			out->n++;
	cfs_store_list_free(names, n);
}

static char *render(const struct cfs_approval *a, size_t *len)
{
	json_t *o = cfs_approval_to_json(a);
	char *text = cfs_json_pretty(o);

	json_decref(o);
	*len = strlen(text);
	return text;
}

int cfs_approval_write(struct cfs_store *st, const char *display_root, const struct cfs_approval *a,
		       struct cfs_diags *d)
{
	char *file = cfs_xasprintf("%s.json", a->approval_id);
	char *key = artifact_key(file);
	size_t len;
	char *text = render(a, &len);
	int rc = cfs_store_put_new(st, key, text, len);

	if (rc) {
		int e = errno;
		char *where = display_of(display_root, key);
		cfs_diag_error(d, "approval_write_error", where, "could not write approval artifact: %s", strerror(e));
		free(where);
	}
	free(text);
	free(key);
	free(file);
	return rc;
}

static bool same(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

bool cfs_approval_valid_for(const struct cfs_approval *a, const char *address, const char *config_digest,
			    const char *before, const char *after)
{
	return !a->consumed_at && same(a->resource, address) && same(a->bound_config_digest, config_digest) &&
	       same(a->bound_before_digest, before) && same(a->bound_after_digest, after);
}

static bool listed(const char *id, const char *const *ids, size_t nids)
{
	for (size_t i = 0; i < nids; i++)
		if (!strcmp(ids[i], id))
			return true;
	return false;
}

size_t cfs_approvals_mark_consumed(struct cfs_store *st, const char *const *ids, size_t nids, const char *by)
{
	struct cfs_approvals all;
	size_t failed = 0;

	if (!nids)
		return 0;
	cfs_approvals_list(st, "", &all, NULL);
	for (size_t i = 0; i < all.n; i++) {
		struct cfs_approval *a = &all.v[i];
		if (a->consumed_at || !listed(a->approval_id, ids, nids))
			continue;
		char now[CFS_RFC3339_LEN];
		cfs_now_rfc3339(now);
		a->consumed_at = cfs_xstrdup(now);
		if (by) {
			free(a->consumed_by_operation);
			a->consumed_by_operation = cfs_xstrdup(by);
		}
		char *file = cfs_xasprintf("%s.json", a->approval_id);
		char *key = artifact_key(file);
		size_t len;
		char *text = render(a, &len);
		if (cfs_store_put(st, key, text, len))
			failed++;
		free(text);
		free(key);
		free(file);
	}
	cfs_approvals_free(&all);
	return failed;
}
