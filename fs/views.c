/*
 * fs/views: the read-only views of what the cluster holds (fs.md):
 * graphs/<id>/ (schema.pg live from the graph root, version, status as
 * JSON, queries/<name>.gq as applied, from the catalog), and the README.
 * state.json, catalog/ and events are the ledger's own files, served by
 * fs/mount.c as read-only passthrough.
 */
#include "fs/views.h"
#include "core/json.h"
#include "core/strbuf.h"
#include "engine/graph/graph.h"
#include "ledger/catalog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char cfs_fs_readme[] =
	"clusterfs mount: this cluster as files (see clusterfs-mount(8))\n"
	"\n"
	"  desired/          the config folder itself (read-write; git works here)\n"
	"  validate          `clusterfs validate` of desired/        (+ validate.json)\n"
	"  plan              `clusterfs plan --observe`; line 1 is the plan digest (+ plan.json)\n"
	"  status            `clusterfs status`                      (+ status.json)\n"
	"  apply             echo yes > apply (or the plan digest): apply; cat apply: last report\n"
	"  refresh, import   the same for refresh and import\n"
	"  approvals/        one file per approval gate; echo approve > approvals/graph.<id>\n"
	"  lock              the state lock (JSON, empty if free); echo LOCK_ID > lock: force-unlock\n"
	"  state.json        the state ledger (read-only)\n"
	"  catalog/          published query and policy blobs, by digest (read-only)\n"
	"  graphs/<id>/      live schema.pg, version, status, queries/ as applied (read-only)\n"
	"  applied/          the config as of the last apply (git ref refs/clusterfs/applied)\n"
	"  history/<commit>/ the config at any commit of desired/'s repository\n"
	"  events            one JSON line per operation; tail -f events\n"
	"\n"
	"Errors of a write: EBUSY lock held, EACCES approval missing, EINVAL invalid config,\n"
	"ESTALE plan changed since its digest, EIO storage or graph failure.\n";

static char *graph_root(const char *storage_root, const char *id)
{
	return cfs_xasprintf("%s/graphs/%s.omni", storage_root, id);
}

static json_t *load_state(const char *storage_root)
{
	char *p = cfs_xasprintf("%s/__cluster/state.json", storage_root);
	json_t *doc = json_load_file(p, 0, NULL);

	free(p);
	return doc;
}

static const char *applied_digest(json_t *state, const char *address)
{
	json_t *res = json_object_get(json_object_get(state, "applied_revision"), "resources");

	return json_string_value(json_object_get(json_object_get(res, address), "digest"));
}

bool cfs_view_graph_exists(const char *storage_root, const char *id)
{
	struct cfs_graph *g;
	struct cfs_diags d = CFS_DIAGS_INIT;
	char *root = graph_root(storage_root, id);
	bool ok = !cfs_graph_open(root, true, &g, &d);

	if (ok)
		cfs_graph_close(g);
	cfs_diags_free(&d);
	free(root);
	return ok;
}

int cfs_view_graph_file(const char *storage_root, const char *id, const char *name, char **data, size_t *len)
{
	struct cfs_graph *g = NULL;
	struct cfs_diags d = CFS_DIAGS_INIT;
	char *root = graph_root(storage_root, id);
	bool exists = !cfs_graph_open(root, true, &g, &d);
	int rc = 0;

	cfs_diags_free(&d);
	if (!strcmp(name, "status")) {
		json_t *state = load_state(storage_root);
		char *addr = cfs_xasprintf("graph.%s", id), *s;
		json_t *o = json_object(), *v;

		json_object_set_new(o, "graph", json_string(id));
		json_object_set_new(o, "address", json_string(addr));
		json_object_set_new(o, "graph_uri", cfs_json_text(root));
		json_object_set_new(o, "exists", json_boolean(exists));
		json_object_set_new(o, "version", exists ? json_integer((json_int_t)cfs_graph_main_version(g)) : json_null());
		v = applied_digest(state, addr) ? json_string(applied_digest(state, addr)) : json_null();
		json_object_set_new(o, "applied_digest", v);
		v = json_object_get(json_object_get(state, "resource_statuses"), addr);
		json_object_set_new(o, "resource_status", v ? json_incref(v) : json_null());
		v = json_object_get(json_object_get(state, "observations"), addr);
		json_object_set_new(o, "observation", v ? json_incref(v) : json_null());
		s = cfs_json_pretty(o);
		*data = s;
		*len = strlen(s);
		json_decref(o);
		json_decref(state);
		free(addr);
	} else if (!exists) {
		rc = -ENOENT;
	} else if (!strcmp(name, "schema.pg")) {
		const char *src = cfs_graph_schema_source(g, len);
		*data = cfs_xstrndup(src, *len);
	} else if (!strcmp(name, "version")) {
		*data = cfs_xasprintf("%llu\n", (unsigned long long)cfs_graph_main_version(g));
		*len = strlen(*data);
	} else {
		rc = -ENOENT;
	}
	if (g)
		cfs_graph_close(g);
	free(root);
	return rc;
}

int cfs_view_graph_queries(const char *storage_root, const char *id, char ***names, size_t *n)
{
	json_t *state = load_state(storage_root);
	json_t *res = json_object_get(json_object_get(state, "applied_revision"), "resources"), *v;
	char *prefix = cfs_xasprintf("query.%s.", id);
	size_t plen = strlen(prefix);
	const char *key;

	*n = 0;
	*names = cfs_xcalloc(json_object_size(res) + 1, sizeof(char *));
	json_object_foreach(res, key, v) {
		if (!strncmp(key, prefix, plen) && key[plen])
			(*names)[(*n)++] = cfs_xasprintf("%s.gq", key + plen);
	}
	cfs_qsort(*names, *n, sizeof(char *), cfs_strptrcmp);
	free(prefix);
	json_decref(state);
	return 0;
}

int cfs_view_graph_query(const char *storage_root, const char *id, const char *file, char **data, size_t *len)
{
	size_t flen = strlen(file);
	int rc = -ENOENT;

	if (flen <= 3 || strcmp(file + flen - 3, ".gq"))
		return -ENOENT;
	json_t *state = load_state(storage_root);
	char *addr = cfs_xasprintf("query.%s.%.*s", id, (int)(flen - 3), file);
	const char *digest = applied_digest(state, addr);
	if (digest) {
		struct cfs_store *st;
		if (!cfs_store_open_local(storage_root, &st)) {
			struct cfs_catalog_blob b;
			cfs_catalog_get(st, storage_root, addr, digest, &b);
			if (b.result == CFS_CATALOG_OK) {
				*data = b.data;
				*len = b.len;
				b.data = NULL;
				rc = 0;
			} else {
				rc = b.result == CFS_CATALOG_MISSING ? -ENOENT : -EIO;
			}
			cfs_catalog_blob_release(&b);
			cfs_store_close(st);
		} else {
			rc = -EIO;
		}
	}
	free(addr);
	json_decref(state);
	return rc;
}
