/*
 * state: the cluster state ledger (cluster.md §7).
 *
 * The ledger's shape is checked by the record walker of ledger/shape.h,
 * used both ways: on read it validates the parsed JSON against the closed
 * schema of §7.1 and builds the canonical document (defaults filled, maps
 * sorted, struct keys in §7.1 order); on write it re-walks whatever the
 * command made of that document, so what lands on disk is always canonical
 * and a programming error can never persist an ill-formed ledger.
 *
 * Free-form values (approval and recovery records, observations) are kept
 * as read, member order included, the way the reference keeps them.
 */
#include "ledger/state.h"
#include "core/failpoint.h"
#include "core/json.h"
#include "core/sha256.h"
#include "core/strbuf.h"
#include "core/utf8.h"
#include "ledger/shape.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define CAS_PREFIX "sha256:"
#define PUT_FAILPOINT "cluster_state.before_put"

/* ------------------------------------------------------------ §7.1 shapes */

static const struct cfs_field profile_fields[] = {
	{ "kind", "provider", cfs_shape_string, CFS_OMIT, NULL },
	{ "base_url", NULL, cfs_shape_string, CFS_OMIT, NULL },
	{ "model", NULL, cfs_shape_string, CFS_OMIT, NULL },
	{ "api_key", NULL, cfs_shape_string, CFS_OMIT, NULL },
};
CFS_SHAPE(profile_shape, "EmbeddingProviderConfig", profile_fields);

static json_t *canon_profile(json_t *in, struct cfs_sb *err)
{
	return cfs_shape_struct(in, &profile_shape, err);
}

static const char *const scopes[] = { "server_safe", "embedded_only" };

static json_t *canon_scope(json_t *in, struct cfs_sb *err)
{
	return cfs_shape_enum(in, scopes, 2, err);
}

static const struct cfs_field base_fields[] = {
	{ "uri", NULL, cfs_shape_string, CFS_REQUIRED, NULL },
	{ "scope", NULL, canon_scope, CFS_REQUIRED, NULL },
};
CFS_SHAPE(base_shape, "ExternalBlobBase", base_fields);

static json_t *canon_base(json_t *in, struct cfs_sb *err)
{
	return cfs_shape_struct(in, &base_shape, err);
}

static json_t *canon_bases(json_t *in, struct cfs_sb *err)
{
	size_t i;
	json_t *v, *out;

	if (!json_is_array(in))
		return cfs_shape_type_error(err, in, "a sequence");
	out = json_array();
	json_array_foreach(in, i, v) {
		json_t *c = canon_base(v, err);
		if (!c) {
			json_decref(out);
			return NULL;
		}
		json_array_append_new(out, c);
	}
	return out;
}

static const char *const modes[] = { "deny", "allow" };

static json_t *canon_mode(json_t *in, struct cfs_sb *err)
{
	return cfs_shape_enum(in, modes, 2, err);
}

/* The policy is an internally tagged enum: "mode" picks the variant, whose
 * fields are then closed (deny has none, allow has "bases"). */
static const struct cfs_field deny_fields[] = {
	{ "mode", NULL, canon_mode, CFS_REQUIRED, NULL },
};
CFS_SHAPE(deny_shape, "ExternalBlobPolicy", deny_fields);
static const struct cfs_field allow_fields[] = {
	{ "mode", NULL, canon_mode, CFS_REQUIRED, NULL },
	{ "bases", NULL, canon_bases, CFS_REQUIRED, NULL },
};
CFS_SHAPE(allow_shape, "ExternalBlobPolicy", allow_fields);

static json_t *canon_blob_policy(json_t *in, struct cfs_sb *err)
{
	json_t *mode;

	if (!json_is_object(in))
		return cfs_shape_type_error(err, in, "internally tagged enum ExternalBlobPolicy");
	mode = json_object_get(in, "mode");
	if (!mode)
		return cfs_shape_fail(err, "missing field `mode`");
	mode = canon_mode(mode, err);
	if (!mode)
		return NULL;
	bool deny = !strcmp(json_string_value(mode), "deny");
	json_decref(mode);
	if (deny)
		return cfs_shape_struct(in, &deny_shape, err);
	return cfs_shape_struct(in, &allow_shape, err);
}

static const struct cfs_field resource_fields[] = {
	{ "digest", NULL, cfs_shape_string, CFS_REQUIRED, NULL },
	{ "applies_to", NULL, cfs_shape_string_list, CFS_OMIT, NULL },
	{ "embedding_provider", NULL, cfs_shape_string, CFS_OMIT, NULL },
	{ "embedding_profile", NULL, canon_profile, CFS_OMIT, NULL },
	{ "external_blob_policy", NULL, canon_blob_policy, CFS_OMIT, NULL },
};
CFS_SHAPE(resource_shape, "StateResource", resource_fields);

static json_t *canon_resource(json_t *in, struct cfs_sb *err)
{
	return cfs_shape_struct(in, &resource_shape, err);
}

static json_t *canon_resources(json_t *in, struct cfs_sb *err)
{
	return cfs_shape_map(in, canon_resource, err);
}

static const char *const statuses[] = {
	"pending", "planned", "applying", "applied", "drifted", "blocked", "error",
};

static json_t *canon_status_name(json_t *in, struct cfs_sb *err)
{
	return cfs_shape_enum(in, statuses, sizeof(statuses) / sizeof(statuses[0]), err);
}

static const struct cfs_field status_fields[] = {
	{ "status", NULL, canon_status_name, CFS_REQUIRED, NULL },
	{ "conditions", NULL, cfs_shape_string_list, CFS_DEFAULT, cfs_shape_empty_array },
	{ "message", NULL, cfs_shape_string, CFS_OMIT, NULL },
};
CFS_SHAPE(status_shape, "ResourceStatusRecord", status_fields);

/* conditions are omitted when empty */
static json_t *canon_status(json_t *in, struct cfs_sb *err)
{
	json_t *out = cfs_shape_struct(in, &status_shape, err);

	if (out && json_array_size(json_object_get(out, "conditions")) == 0)
		json_object_del(out, "conditions");
	return out;
}

static json_t *canon_statuses(json_t *in, struct cfs_sb *err)
{
	return cfs_shape_map(in, canon_status, err);
}

static const struct cfs_field applied_fields[] = {
	{ "config_digest", NULL, cfs_shape_string, CFS_NULL, NULL },
	{ "resources", NULL, canon_resources, CFS_DEFAULT, cfs_shape_empty_object },
};
CFS_SHAPE(applied_shape, "AppliedRevisionState", applied_fields);

static json_t *canon_applied(json_t *in, struct cfs_sb *err)
{
	return cfs_shape_struct(in, &applied_shape, err);
}

static const struct cfs_field state_fields[] = {
	{ "version", NULL, cfs_shape_u32, CFS_REQUIRED, NULL },
	{ "state_revision", NULL, cfs_shape_u64, CFS_DEFAULT, cfs_shape_zero },
	{ "applied_revision", NULL, canon_applied, CFS_REQUIRED, NULL },
	{ "resource_statuses", NULL, canon_statuses, CFS_DEFAULT, cfs_shape_empty_object },
	{ "approval_records", NULL, cfs_shape_free_map, CFS_DEFAULT, cfs_shape_empty_object },
	{ "recovery_records", NULL, cfs_shape_free_map, CFS_DEFAULT, cfs_shape_empty_object },
	{ "observations", NULL, cfs_shape_free_map, CFS_DEFAULT, cfs_shape_empty_object },
};
CFS_SHAPE(state_shape, "ClusterState", state_fields);

/* ------------------------------------------------------------ read */

static char *cas_of(const char *data, size_t len)
{
	char hex[CFS_SHA256_HEX_LEN + 1];

	cfs_sha256_hex(data, len, hex);
	return cfs_xasprintf(CAS_PREFIX "%s", hex);
}

/*
 * Rebuild obj without key, the way the reference's map removal does it
 * (the last member takes the removed one's place), so that a rewritten
 * legacy observation keeps the reference's member order byte for byte.
 */
static json_t *swap_remove(json_t *obj, const char *key)
{
	size_t n = json_object_size(obj), i = 0, at = n;
	const char **keys = cfs_xcalloc(n + 1, sizeof(*keys));
	const char *k;
	json_t *v, *out = json_object();

	json_object_foreach(obj, k, v) {
		if (!strcmp(k, key))
			at = i;
		keys[i++] = k;
	}
	if (at < n) {
		keys[at] = keys[n - 1];
		n--;
	}
	for (i = 0; i < n; i++)
		json_object_set(out, keys[i], json_object_get(obj, keys[i]));
	free(keys);
	return out;
}

/* §7.1: legacy "manifest_version" becomes "graph_manifest_version". */
static int rename_legacy_observations(json_t *doc, struct cfs_diags *d)
{
	json_t *obs = json_object_get(doc, "observations");
	const char *addr;
	json_t *o;

	json_object_foreach(obs, addr, o) {
		json_t *legacy = json_object_get(o, "manifest_version");   /* NULL unless an object with it */
		if (!legacy)
			continue;
		json_t *canonical = json_object_get(o, "graph_manifest_version");
		if (canonical && !json_equal(canonical, legacy)) {
			char *path = cfs_xasprintf("state.observations.%s", addr);
			cfs_diag_error(d, "conflicting_graph_manifest_observation", path,
				       "cluster observation '%s' contains conflicting legacy and canonical "
				       "graph-manifest versions", addr);
			free(path);
			return -1;
		}
		json_t *renamed = swap_remove(o, "manifest_version");
		if (!canonical)
			json_object_set(renamed, "graph_manifest_version", legacy);
		json_object_set_new(obs, addr, renamed);   /* same key: iteration goes on */
	}
	return 0;
}

static json_t *parse_state(const char *data, size_t len, struct cfs_diags *d)
{
	struct cfs_sb err = CFS_SB_INIT;
	json_t *raw, *doc = NULL;

	raw = cfs_shape_parse(data, len, &err);
	if (raw)
		doc = cfs_shape_struct(raw, &state_shape, &err);
	json_decref(raw);
	if (!doc) {
		cfs_diag_error(d, "invalid_state_json", CFS_STATE_KEY, "could not parse state JSON: %s", cfs_sb_str(&err));
		cfs_sb_release(&err);
		return NULL;
	}
	cfs_sb_release(&err);
	json_int_t version = json_integer_value(json_object_get(doc, "version"));
	if (version != 1) {
		cfs_diag_error(d, "unsupported_state_version", "state.version",
			       "unsupported cluster state version %" JSON_INTEGER_FORMAT
			       "; this build supports version 1", version);
		json_decref(doc);
		return NULL;
	}
	if (rename_legacy_observations(doc, d) != 0) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

int cfs_state_read(struct cfs_store *st, struct cfs_state *out, struct cfs_diags *d)
{
	char *data;
	size_t len;

	memset(out, 0, sizeof(*out));
	if (cfs_store_get(st, CFS_STATE_KEY, &data, &len) != 0) {
		if (errno == ENOENT)
			return 0;
		cfs_diag_error(d, "state_read_error", CFS_STATE_KEY, "could not read state file: %s", strerror(errno));
		return -1;
	}
	if (!cfs_utf8_valid(data, len)) {
		free(data);
		cfs_diag_error(d, "state_read_error", CFS_STATE_KEY, "could not read state file: %s", CFS_UTF8_ERROR);
		return -1;
	}
	/* §7.2: found and CAS describe the bytes, whatever they parse to */
	out->found = true;
	out->cas = cas_of(data, len);
	out->doc = parse_state(data, len, d);
	free(data);
	return out->doc ? 0 : -1;
}

void cfs_state_release(struct cfs_state *s)
{
	free(s->cas);
	json_decref(s->doc);
	memset(s, 0, sizeof(*s));
}

json_t *cfs_state_new(const char *config_digest)
{
	json_t *doc = json_object(), *applied = json_object();

	json_object_set_new(doc, "version", json_integer(1));
	json_object_set_new(doc, "state_revision", json_integer(0));
	json_object_set_new(applied, "config_digest", config_digest ? json_string(config_digest) : json_null());
	json_object_set_new(applied, "resources", json_object());
	json_object_set_new(doc, "applied_revision", applied);
	json_object_set_new(doc, "resource_statuses", json_object());
	json_object_set_new(doc, "approval_records", json_object());
	json_object_set_new(doc, "recovery_records", json_object());
	json_object_set_new(doc, "observations", json_object());
	return doc;
}

json_t *cfs_state_resources(json_t *doc)
{
	return json_object_get(json_object_get(doc, "applied_revision"), "resources");
}

size_t cfs_state_resource_count(json_t *doc)
{
	return json_object_size(cfs_state_resources(doc));
}

/* ------------------------------------------------------------ write */

static int cas_mismatch(struct cfs_diags *d)
{
	cfs_diag_error(d, "state_cas_mismatch", CFS_STATE_KEY,
		       "state.json changed while the command was running; re-run the command against the latest state");
	return -1;
}

/* state_write_error "could not <what>: <detail>" */
static int write_error(struct cfs_diags *d, const char *what, const char *detail)
{
	cfs_diag_error(d, "state_write_error", CFS_STATE_KEY, "could not %s: %s", what, detail);
	return -1;
}

/* Pretty JSON + "\n" of the canonical ledger, or NULL with *err. */
static char *encode(json_t *doc, struct cfs_sb *err)
{
	json_t *c = cfs_shape_struct(doc, &state_shape, err);
	char *s;

	if (!c)
		return NULL;
	s = cfs_json_pretty(c);
	json_decref(c);
	return s;
}

/*
 * §7.4.  The compare is a fresh read right before the put.  On object
 * storage the put itself would be conditional (If-None-Match / If-Match on
 * the ETag of that read); the local store offers create-if-absent (link(),
 * so losing a create race is detected) but no conditional replace: a
 * writer that replaces the file between our re-read and our rename is not
 * detected.  The cluster lock is what serializes writers; this CAS catches
 * the commands that ran without it (state.lock: false) or around it.
 */
int cfs_state_write(struct cfs_store *st, json_t *doc, const char *expected, char **new_cas, struct cfs_diags *d)
{
	struct cfs_sb err = CFS_SB_INIT;
	char *payload, *current = NULL, *current_cas = NULL;
	size_t len;
	int rc = -1;

	*new_cas = NULL;
	payload = encode(doc, &err);
	if (!payload) {
		write_error(d, "encode state JSON", cfs_sb_str(&err));
		cfs_sb_release(&err);
		return -1;
	}
	if (cfs_store_get(st, CFS_STATE_KEY, &current, &len) == 0) {
		current_cas = cas_of(current, len);
	} else if (errno != ENOENT) {
		write_error(d, "read state file before write", strerror(errno));
		goto out;
	}
	if ((expected == NULL) != (current_cas == NULL) || (expected && strcmp(expected, current_cas))) {
		cas_mismatch(d);
		goto out;
	}
	/* test hook between compare and swap: `sleep(ms)` opens the race window */
	if (cfs_failpoint(PUT_FAILPOINT) != 0) {
		cfs_diag_error(d, CFS_FAILPOINT_CODE, PUT_FAILPOINT, "injected failpoint triggered: %s", PUT_FAILPOINT);
		goto out;
	}
	if (!current_cas) {
		if (cfs_store_put_new(st, CFS_STATE_KEY, payload, strlen(payload)) != 0) {
			if (errno == EEXIST)
				cas_mismatch(d);   /* another writer created it first */
			else
				write_error(d, "create state.json", strerror(errno));
			goto out;
		}
	} else if (cfs_store_put(st, CFS_STATE_KEY, payload, strlen(payload)) != 0) {
		write_error(d, "replace state.json", strerror(errno));
		goto out;
	}
	*new_cas = cas_of(payload, strlen(payload));
	rc = 0;
out:
	free(payload);
	free(current);
	free(current_cas);
	return rc;
}
