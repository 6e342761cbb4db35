/*
 * ledger/sidecar: recovery sidecar files (cluster.md §10).  The reader is
 * as strict as the reference's closed serde struct: unknown keys, missing
 * required keys and wrong types make the file invalid; only a file that
 * parses is then checked for schema_version 1.  Bad files are never
 * touched: they are skipped with a warning and left for the operator.
 */
#include "ledger/sidecar.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/strbuf.h"
#include "core/ulid.h"
#include "ledger/shape.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = { "graph_create", "schema_apply", "graph_delete" };

const char *cfs_sidecar_kind_name(enum cfs_sidecar_kind kind)
{
	return kind_names[kind];
}

static char *dup_or_null(const char *s)
{
	return s ? cfs_xstrdup(s) : NULL;
}

int cfs_sidecar_init(struct cfs_sidecar *sc, enum cfs_sidecar_kind kind, const char *graph_id,
		     const char *graph_uri, const char *desired_schema_digest, const char *actor,
		     const char *state_cas_base, const char *approval_id)
{
	char id[CFS_ULID_LEN + 1], now[CFS_RFC3339_LEN];

	memset(sc, 0, sizeof(*sc));
	if (cfs_ulid_new(id))
		return -1;
	cfs_now_rfc3339(now);
	sc->operation_id = cfs_xstrdup(id);
	sc->started_at = cfs_xstrdup(now);
	sc->actor = dup_or_null(actor);
	sc->kind = kind;
	sc->graph_id = cfs_xstrdup(graph_id);
	sc->graph_uri = cfs_xstrdup(graph_uri);
	sc->desired_schema_digest = cfs_xstrdup(desired_schema_digest ? desired_schema_digest : "");
	sc->state_cas_base = dup_or_null(state_cas_base);
	sc->approval_id = dup_or_null(approval_id);
	return 0;
}

void cfs_sidecar_release(struct cfs_sidecar *sc)
{
	free(sc->file);
	free(sc->operation_id);
	free(sc->started_at);
	free(sc->actor);
	free(sc->graph_id);
	free(sc->graph_uri);
	free(sc->desired_schema_digest);
	free(sc->state_cas_base);
	free(sc->approval_id);
	memset(sc, 0, sizeof(*sc));
}

void cfs_sidecars_free(struct cfs_sidecar *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cfs_sidecar_release(&v[i]);
	free(v);
}

char *cfs_sidecar_display_path(const char *display_root, const char *file)
{
	return cfs_xasprintf("%s/" CFS_RECOVERIES_DIR "/%s", display_root, file);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *version_or_null(bool has, uint64_t v)
{
	return has ? json_integer((json_int_t)v) : json_null();
}

/* The closed §10 object, every key written, in the reference's order. */
static json_t *sidecar_json(const struct cfs_sidecar *sc)
{
	json_t *o = json_object();

	json_object_set_new(o, "schema_version", json_integer(1));
	json_object_set_new(o, "operation_id", json_string(sc->operation_id));
	json_object_set_new(o, "started_at", json_string(sc->started_at));
	json_object_set_new(o, "actor", str_or_null(sc->actor));
	json_object_set_new(o, "kind", json_string(cfs_sidecar_kind_name(sc->kind)));
	json_object_set_new(o, "graph_id", cfs_json_text(sc->graph_id));
	json_object_set_new(o, "graph_uri", cfs_json_text(sc->graph_uri));
	json_object_set_new(o, "observed_manifest_version",
			    version_or_null(sc->has_observed_version, sc->observed_manifest_version));
	json_object_set_new(o, "expected_manifest_version",
			    version_or_null(sc->has_expected_version, sc->expected_manifest_version));
	json_object_set_new(o, "desired_schema_digest", json_string(sc->desired_schema_digest));
	json_object_set_new(o, "state_cas_base", str_or_null(sc->state_cas_base));
	json_object_set_new(o, "approval_id", str_or_null(sc->approval_id));
	return o;
}

int cfs_sidecar_write(struct cfs_store *st, const char *display_root, const struct cfs_sidecar *sc,
		      struct cfs_diags *d)
{
	char *file = cfs_xasprintf("%s.json", sc->operation_id);
	char *key = cfs_xasprintf(CFS_RECOVERIES_DIR "/%s", file);
	json_t *o = sidecar_json(sc);
	char *text = cfs_json_pretty(o);
	int rc = cfs_store_put(st, key, text, strlen(text));
	int e = errno;

	if (rc) {
		char *where = cfs_sidecar_display_path(display_root, file);
		cfs_diag_error(d, "recovery_sidecar_write_error", where, "could not write recovery sidecar: %s",
			       strerror(e));
		free(where);
	}
	json_decref(o);
	free(text);
	free(key);
	free(file);
	return rc ? -1 : 0;
}

/* ------------------------------------------------------------------ read */

static json_t *canon_kind(json_t *in, struct cfs_sb *err)
{
	return cfs_shape_enum(in, kind_names, 3, err);
}

static const struct cfs_field sidecar_fields[] = {
	{ "schema_version", NULL, cfs_shape_u32, CFS_REQUIRED, NULL },
	{ "operation_id", NULL, cfs_shape_string, CFS_REQUIRED, NULL },
	{ "started_at", NULL, cfs_shape_string, CFS_REQUIRED, NULL },
	{ "actor", NULL, cfs_shape_string, CFS_NULL, NULL },
	{ "kind", NULL, canon_kind, CFS_REQUIRED, NULL },
	{ "graph_id", NULL, cfs_shape_string, CFS_REQUIRED, NULL },
	{ "graph_uri", NULL, cfs_shape_string, CFS_REQUIRED, NULL },
	{ "observed_manifest_version", NULL, cfs_shape_u64, CFS_NULL, NULL },
	{ "expected_manifest_version", NULL, cfs_shape_u64, CFS_NULL, NULL },
	{ "desired_schema_digest", NULL, cfs_shape_string, CFS_REQUIRED, NULL },
	{ "state_cas_base", NULL, cfs_shape_string, CFS_NULL, NULL },
	{ "approval_id", NULL, cfs_shape_string, CFS_NULL, NULL },
};

CFS_SHAPE(sidecar_shape, "RecoverySidecar", sidecar_fields);

static char *get_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? cfs_xstrdup(s) : NULL;
}

static bool get_u64(json_t *o, const char *key, uint64_t *v)
{
	json_t *x = json_object_get(o, key);

	if (!json_is_integer(x))
		return false;
	*v = (uint64_t)json_integer_value(x);
	return true;
}

static void fill(struct cfs_sidecar *sc, json_t *o)
{
	const char *kind = json_string_value(json_object_get(o, "kind"));

	sc->operation_id = get_str(o, "operation_id");
	sc->started_at = get_str(o, "started_at");
	sc->actor = get_str(o, "actor");
	for (size_t k = 0; k < 3; k++)
		if (!strcmp(kind, kind_names[k]))
			sc->kind = (enum cfs_sidecar_kind)k;
	sc->graph_id = get_str(o, "graph_id");
	sc->graph_uri = get_str(o, "graph_uri");
	sc->has_observed_version = get_u64(o, "observed_manifest_version", &sc->observed_manifest_version);
	sc->has_expected_version = get_u64(o, "expected_manifest_version", &sc->expected_manifest_version);
	sc->desired_schema_digest = get_str(o, "desired_schema_digest");
	sc->state_cas_base = get_str(o, "state_cas_base");
	sc->approval_id = get_str(o, "approval_id");
}

int cfs_sidecar_parse(const char *text, size_t len, struct cfs_sidecar *out, char **err)
{
	struct cfs_sb why = CFS_SB_INIT;
	json_t *in = cfs_shape_parse(text, len, &why), *c = NULL;

	memset(out, 0, sizeof(*out));
	*err = NULL;
	if (in)
		c = cfs_shape_struct(in, &sidecar_shape, &why);
	if (!c) {
		*err = cfs_sb_detach(&why);
	} else if (json_integer_value(json_object_get(c, "schema_version")) == 1) {
		fill(out, c);
	}
	json_decref(c);
	json_decref(in);
	cfs_sb_release(&why);
	return out->operation_id ? 0 : -1;
}

static bool ends_with_json(const char *name)
{
	size_t n = strlen(name);

	return n >= 5 && !strcmp(name + n - 5, ".json");
}

/* Read and parse one listed file; warn and return -1 for a bad one. */
static int read_one(struct cfs_store *st, const char *display_root, const char *file, struct cfs_sidecar *sc,
		    struct cfs_diags *d)
{
	char *key = cfs_xasprintf(CFS_RECOVERIES_DIR "/%s", file);
	char *where = cfs_sidecar_display_path(display_root, file);
	char *text = NULL, *err = NULL;
	size_t len;
	int rc = -1;

	if (cfs_store_get(st, key, &text, &len)) {
		int e = errno;
		/* ENOENT: gone since the listing, or not an object (a directory) */
		if (e != ENOENT)
			cfs_diag_warn(d, "invalid_recovery_sidecar", where, "could not read (%s); leaving it in place",
				      strerror(e));
	} else if (cfs_sidecar_parse(text, len, sc, &err) == 0) {
		sc->file = cfs_xstrdup(file);
		rc = 0;
	} else if (err) {
		cfs_diag_warn(d, "invalid_recovery_sidecar", where, "could not parse (%s); leaving it in place", err);
	} else {
		cfs_diag_warn(d, "unsupported_recovery_sidecar_version", where,
			      "unsupported schema version; leaving it in place");
	}
	free(err);
	free(text);
	free(where);
	free(key);
	return rc;
}

void cfs_sidecar_list(struct cfs_store *st, const char *display_root, struct cfs_sidecar **out, size_t *n,
		      struct cfs_diags *d)
{
	char **names;
	size_t count;

	*out = NULL;
	*n = 0;
	if (cfs_store_list(st, CFS_RECOVERIES_DIR, &names, &count)) {
		cfs_diag_warn(d, "recovery_sidecar_read_error", CFS_RECOVERIES_DIR,
			      "could not list '" CFS_RECOVERIES_DIR "': %s", strerror(errno));
		return;
	}
	*out = cfs_xcalloc(count ? count : 1, sizeof(**out));
	for (size_t i = 0; i < count; i++)
		if (ends_with_json(names[i]) && read_one(st, display_root, names[i], &(*out)[*n], d) == 0)
			(*n)++;
	cfs_store_list_free(names, count);
}

int cfs_sidecar_remove(struct cfs_store *st, const char *file)
{
	char *key = cfs_xasprintf(CFS_RECOVERIES_DIR "/%s", file);
	int rc = cfs_store_delete(st, key);
	int e = errno;

	if (rc && e == ENOENT)
		rc = 0;
	free(key);
	errno = e;
	return rc;
}

int cfs_sidecar_cleanup(struct cfs_store *st, const char *display_root, const struct cfs_sidecar *sc,
			struct cfs_diags *d)
{
	char *file = sc->file ? cfs_xstrdup(sc->file) : cfs_xasprintf("%s.json", sc->operation_id);
	int rc = cfs_sidecar_remove(st, file);
	int e = errno;

	if (rc) {
		char *where = cfs_sidecar_display_path(display_root, file);
		cfs_diag_warn(d, "recovery_sidecar_cleanup_failed", where,
			      "could not delete the stale recovery sidecar after a pre-movement schema-apply "
			      "rejection; graph `%s` stays quarantined until a state-mutating cluster command "
			      "sweeps it: %s",
			      sc->graph_id, strerror(e));
		free(where);
	}
	free(file);
	return rc;
}
