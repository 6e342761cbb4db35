/*
 * graph/graph: opening, creating and deleting graph roots, manifests and
 * branches (layout in graph.h).
 */
#include "engine/graph/graph_int.h"
#include "core/failpoint.h"
#include "core/json.h"
#include "core/sha256.h"
#include "core/strbuf.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/ulid.h"

#define FORMAT "{\"format\":\"clusterfs-graph\",\"version\":1}\n"

static bool valid_branch(const char *name);

char *gi_manifest_key(const char *branch, uint64_t version)
{
	return cfs_xasprintf("_manifests/%s/%020" PRIu64 ".json", branch, version);
}

char *gi_now(void)
{
	struct timespec ts;
	struct tm tm;
	char buf[64];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	return cfs_xasprintf("%s.%03ldZ", buf, ts.tv_nsec / 1000000);
}

int gi_io_error(struct cfs_diags *d, const char *what, const char *key)
{
	cfs_diag_error(d, "graph_io_error", key, "could not %s '%s': %s", what, key, strerror(errno));
	return -1;
}

int gi_failpoint(struct cfs_diags *d, const char *name)
{
	if (!cfs_failpoint(name))
		return 0;
	cfs_diag_error(d, CFS_FAILPOINT_CODE, name, "injected failpoint triggered: %s", name);
	return -1;
}

static bool is_version_name(const char *s, uint64_t *v)
{
	size_t n = strlen(s);
	char *end;

	if (n != 25 || strcmp(s + 20, ".json"))
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return end == s + 20 && !errno;
}

int gi_head(struct cfs_graph *g, const char *branch, uint64_t *version, json_t **m)
{
	char *prefix = cfs_xasprintf("_manifests/%s/", branch);
	char **names;
	size_t n;
	uint64_t best = 0, v;
	int rc = cfs_store_list(g->store, prefix, &names, &n);

	free(prefix);
	if (rc)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (is_version_name(names[i], &v) && v > best)
			best = v;
	cfs_store_list_free(names, n);
	if (!best) {
		errno = ENOENT;
		return -1;
	}
	char *key = gi_manifest_key(branch, best), *data;
	size_t len;
	rc = cfs_store_get(g->store, key, &data, &len);
	free(key);
	if (rc)
		return -1;
	*m = json_loadb(data, len, 0, NULL);
	free(data);
	if (!json_is_object(*m) || json_integer_value(json_object_get(*m, "version")) != (json_int_t)best) {
		json_decref(*m);
		*m = NULL;
		errno = EINVAL;
		return -1;
	}
	*version = best;
	return 0;
}

int gi_branch_head(struct cfs_graph *g, const char *branch, uint64_t *version, json_t **m)
{
	if (strcmp(branch, "main")) {
		char *key = valid_branch(branch) ? cfs_xasprintf("_branches/%s.json", branch) : NULL;
		int rc = key ? cfs_store_exists(g->store, key) : -1;
		free(key);
		if (rc) {
			errno = ENOENT;
			return -1;
		}
	}
	return gi_head(g, branch, version, m);
}

json_t *gi_manifest_new(uint64_t version, const char *schema_sha, json_t *tables, const char *actor,
			const char *op)
{
	json_t *m = json_object();
	char *now = gi_now();

	json_object_set_new(m, "version", json_integer((json_int_t)version));
	json_object_set_new(m, "parent", version > 1 ? json_integer((json_int_t)version - 1) : json_null());
	json_object_set_new(m, "schema", json_string(schema_sha));
	json_object_set_new(m, "tables", tables);
	json_object_set_new(m, "actor", actor ? json_string(actor) : json_null());
	json_object_set_new(m, "created_at", json_string(now));
	json_object_set_new(m, "op", json_string(op));
	free(now);
	return m;
}

int gi_put_manifest(struct cfs_graph *g, const char *branch, uint64_t version, json_t *m, struct cfs_diags *d)
{
	char *key = gi_manifest_key(branch, version);
	char *text = cfs_json_pretty(m);
	int rc = cfs_store_put_new(g->store, key, text, strlen(text));

	if (rc && errno == EEXIST)
		cfs_diag_error(d, "graph_commit_conflict", key,
			       "version %" PRIu64 " of branch '%s' was committed concurrently; retry", version, branch);
	else if (rc)
		gi_io_error(d, "write", key);
	free(text);
	free(key);
	return rc;
}

/* Store a schema source under its digest (immutable; an existing blob is trusted). */
static int put_schema(struct cfs_store *st, const char *src, size_t len, char sha[CFS_SHA256_HEX_LEN + 1],
		      struct cfs_diags *d)
{
	cfs_sha256_hex(src, len, sha);
	char *key = cfs_xasprintf("_schema/%s.pg", sha);
	int rc = cfs_store_put_new(st, key, src, len);

	if (rc && errno == EEXIST)
		rc = 0;
	if (rc)
		gi_io_error(d, "write", key);
	free(key);
	return rc;
}

static bool load_schema(const char *src, size_t len, struct cfs_schema *s, struct cfs_diags *d, const char *root)
{
	char *err;
	enum cfs_schema_status st = cfs_schema_load(src, len, s, &err);

	if (st == CFS_SCHEMA_OK)
		return true;
	cfs_diag_error(d, st == CFS_SCHEMA_CATALOG ? "schema_catalog_error" : "schema_parse_error", root, "%s", err);
	free(err);
	return false;
}

int cfs_graph_init(const char *root, const char *schema_src, size_t len, const char *actor, struct cfs_diags *d)
{
	struct cfs_graph g = { 0 };
	struct cfs_schema s;
	char sha[CFS_SHA256_HEX_LEN + 1];
	int rc = -1;

	if (!load_schema(schema_src, len, &s, d, root))
		return -1;
	cfs_schema_free(&s);
	if (cfs_store_open_local(root, &g.store))
		return gi_io_error(d, "open", root);
	if (cfs_store_root_nonempty(g.store)) {
		cfs_diag_error(d, "graph_root_exists", root, "graph root '%s' already holds data", root);
	} else if (cfs_store_put_new(g.store, "_graph.json", FORMAT, strlen(FORMAT))) {
		if (errno == EEXIST)
			cfs_diag_error(d, "graph_root_exists", root, "graph root '%s' already holds data", root);
		else
			gi_io_error(d, "write", "_graph.json");
	} else if (!gi_failpoint(d, "graph.init.after_marker") && !put_schema(g.store, schema_src, len, sha, d)) {
		json_t *m = gi_manifest_new(1, sha, json_object(), actor, "init");
		rc = gi_put_manifest(&g, "main", 1, m, d);
		json_decref(m);
	}
	cfs_store_close(g.store);
	return rc;
}

/* _graph.json must exist and name our format. */
static int check_marker(struct cfs_graph *g, struct cfs_diags *d)
{
	char *data;
	size_t len;

	if (cfs_store_get(g->store, "_graph.json", &data, &len)) {
		if (errno == ENOENT)
			cfs_diag_error(d, "graph_root_invalid", g->root, "'%s' is not a graph root (no _graph.json)", g->root);
		else
			gi_io_error(d, "read", "_graph.json");
		return -1;
	}
	json_t *j = json_loadb(data, len, 0, NULL);
	const char *fmt = json_string_value(json_object_get(j, "format"));
	bool ok = fmt && !strcmp(fmt, "clusterfs-graph");
	json_decref(j);
	free(data);
	if (!ok)
		cfs_diag_error(d, "graph_root_invalid", g->root, "'%s' holds an unknown or corrupt _graph.json", g->root);
	return ok ? 0 : -1;
}

/* Read the live schema named by the head manifest and verify its digest. */
static int open_schema(struct cfs_graph *g, struct cfs_diags *d)
{
	const char *sha = json_string_value(json_object_get(g->main_manifest, "schema"));
	char got[CFS_SHA256_HEX_LEN + 1];

	if (!sha) {
		cfs_diag_error(d, "graph_root_invalid", g->root, "manifest of '%s' names no schema", g->root);
		return -1;
	}
	char *key = cfs_xasprintf("_schema/%s.pg", sha);
	int rc = cfs_store_get(g->store, key, &g->schema_src, &g->schema_len);
	if (rc) {
		cfs_diag_error(d, "graph_root_invalid", key, "could not read schema '%s': %s", key, strerror(errno));
	} else {
		cfs_sha256_hex(g->schema_src, g->schema_len, got);
		if (strcmp(got, sha)) {
			cfs_diag_error(d, "graph_root_invalid", key, "schema blob '%s' does not match its digest", key);
			rc = -1;
		} else if (!load_schema(g->schema_src, g->schema_len, &g->schema, d, g->root)) {
			rc = -1;
		}
	}
	free(key);
	return rc;
}

int cfs_graph_open(const char *root, bool read_only, struct cfs_graph **out, struct cfs_diags *d)
{
	struct cfs_graph *g = cfs_xcalloc(1, sizeof(*g));

	(void)read_only;
	g->root = cfs_xstrdup(root);
	*out = NULL;
	if (cfs_store_open_local(root, &g->store)) {
		gi_io_error(d, "open", root);
	} else if (!cfs_store_root_exists(g->store)) {
		cfs_diag_error(d, "graph_root_missing", root, "graph root '%s' does not exist", root);
	} else if (!check_marker(g, d)) {
		if (gi_head(g, "main", &g->main_version, &g->main_manifest))
			cfs_diag_error(d, "graph_root_invalid", root, "graph root '%s' has no readable main manifest: %s",
				       root, strerror(errno));
		else if (!open_schema(g, d))
			*out = g;
	}
	if (!*out)
		cfs_graph_close(g);
	return *out ? 0 : -1;
}

void cfs_graph_close(struct cfs_graph *g)
{
	if (!g)
		return;
	if (g->store)
		cfs_store_close(g->store);
	json_decref(g->main_manifest);
	free(g->schema_src);
	cfs_schema_free(&g->schema);
	free(g->root);
	free(g);
}

uint64_t cfs_graph_main_version(const struct cfs_graph *g)
{
	return g->main_version;
}

const char *cfs_graph_schema_source(const struct cfs_graph *g, size_t *len)
{
	*len = g->schema_len;
	return g->schema_src;
}

const struct cfs_schema *cfs_graph_schema(const struct cfs_graph *g)
{
	return &g->schema;
}

/* Something a graph (or a partly deleted one) holds, so delete may go on. */
static bool looks_like_graph(struct cfs_store *st)
{
	static const char *const marks[] = { "_graph.json", "_manifests", "_schema", "data", "_branches",
					     "_exclusion.json", "_readers" };
	char **names;
	size_t n;
	bool found = false;

	if (!cfs_store_root_nonempty(st) || cfs_store_list(st, "", &names, &n))
		return true;    /* nothing there (idempotent), or let destroy report */
	for (size_t i = 0; i < n && !found; i++)
		for (size_t j = 0; j < sizeof(marks) / sizeof(marks[0]); j++)
			found = found || !strcmp(names[i], marks[j]);
	cfs_store_list_free(names, n);
	return found;
}

int cfs_graph_delete_root(const char *root, struct cfs_diags *d)
{
	struct cfs_store *st;
	int rc;

	if (cfs_store_open_local(root, &st))
		return gi_io_error(d, "open", root);
	if (!looks_like_graph(st)) {
		cfs_diag_error(d, "graph_root_invalid", root, "'%s' is not a graph root; refusing to delete it", root);
		cfs_store_close(st);
		return -1;
	}
	rc = gi_failpoint(d, "graph.delete.before_remove");
	if (!rc && cfs_store_destroy(st))
		rc = gi_io_error(d, "remove", root);
	cfs_store_close(st);
	return rc;
}

/* ---- branches ------------------------------------------------------------ */

static bool valid_branch(const char *name)
{
	if (!*name || strlen(name) > 128)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '_' || *p == '-'))
			return false;
	return true;
}

int cfs_graph_branches(struct cfs_graph *g, char ***names, size_t *n, struct cfs_diags *d)
{
	char **raw;
	size_t nraw;

	if (cfs_store_list(g->store, "_branches/", &raw, &nraw))
		return gi_io_error(d, "list", "_branches/");
	*names = cfs_xcalloc(nraw + 1, sizeof(char *));
	(*names)[0] = cfs_xstrdup("main");
	*n = 1;
	for (size_t i = 0; i < nraw; i++) {
		size_t len = strlen(raw[i]);
		if (len > 5 && !strcmp(raw[i] + len - 5, ".json"))
			(*names)[(*n)++] = cfs_xstrndup(raw[i], len - 5);
	}
	cfs_store_list_free(raw, nraw);
	return 0;
}

uint64_t cfs_graph_branch_version(struct cfs_graph *g, const char *branch, struct cfs_diags *d)
{
	uint64_t v = 0;
	json_t *m;

	if (gi_branch_head(g, branch, &v, &m)) {
		cfs_diag_error(d, "graph_branch_missing", branch, "branch '%s' does not exist", branch);
		return 0;
	}
	json_decref(m);
	return v;
}

/* Remove every manifest of a branch (its record must already be gone). */
static int purge_manifests(struct cfs_graph *g, const char *name)
{
	char *prefix = cfs_xasprintf("_manifests/%s/", name);
	char **names;
	size_t n;
	int rc = cfs_store_list(g->store, prefix, &names, &n);

	if (!rc) {
		for (size_t i = 0; i < n; i++) {
			char *mk = cfs_xasprintf("%s%s", prefix, names[i]);
			if (cfs_store_delete(g->store, mk) && errno != ENOENT)
				rc = -1;
			free(mk);
		}
		cfs_store_list_free(names, n);
	}
	free(prefix);
	return rc;
}

/*
 * The branch record is the commit point of a branch: the fork manifest is
 * written first, the record last, and a branch without a record does not
 * exist (its manifests are leftovers of an interrupted create or delete,
 * cleared by the next create).
 */
int cfs_graph_branch_create(struct cfs_graph *g, const char *name, const char *from, struct cfs_diags *d)
{
	uint64_t v;
	json_t *m;

	if (!valid_branch(name) || !strcmp(name, "main")) {
		cfs_diag_error(d, "graph_branch_invalid", name,
			       "branch name '%s' must be 1-128 of [A-Za-z0-9_-] and not `main`", name);
		return -1;
	}
	if (gi_branch_head(g, from, &v, &m)) {
		cfs_diag_error(d, "graph_branch_missing", from, "branch '%s' does not exist", from);
		return -1;
	}
	char *key = cfs_xasprintf("_branches/%s.json", name);
	json_t *rec = json_pack("{s:s, s:s, s:I}", "name", name, "from", from, "version", (json_int_t)v);
	char *text = cfs_json_pretty(rec);
	int rc = -1;
	if (!cfs_store_exists(g->store, key))
		cfs_diag_error(d, "graph_branch_exists", name, "branch '%s' already exists", name);
	else if (purge_manifests(g, name))
		gi_io_error(d, "clear leftovers of", name);
	else if (!gi_put_manifest(g, name, v, m, d) && !gi_failpoint(d, "graph.branch.before_record")) {
		rc = cfs_store_put_new(g->store, key, text, strlen(text));
		if (rc && errno == EEXIST)
			cfs_diag_error(d, "graph_branch_exists", name, "branch '%s' already exists", name);
		else if (rc)
			gi_io_error(d, "write", key);
	}
	free(text);
	json_decref(rec);
	json_decref(m);
	free(key);
	return rc;
}

int cfs_graph_branch_delete(struct cfs_graph *g, const char *name, struct cfs_diags *d)
{
	char *key = cfs_xasprintf("_branches/%s.json", name);
	int rc = -1;

	if (!valid_branch(name) || !strcmp(name, "main") || cfs_store_exists(g->store, key)) {
		cfs_diag_error(d, "graph_branch_missing", name, "branch '%s' does not exist or cannot be deleted", name);
		free(key);
		return -1;
	}
	/* the record goes first: a crash halfway leaves unreferenced manifests only */
	if (cfs_store_delete(g->store, key))
		gi_io_error(d, "delete", key);
	else if (purge_manifests(g, name))
		gi_io_error(d, "delete manifests of", name);
	else
		rc = 0;
	free(key);
	return rc;
}

/* ---- readers and the delete exclusion ----------------------------------- */

int cfs_graph_reader_begin(struct cfs_graph *g, char **token, struct cfs_diags *d)
{
	char ulid[CFS_ULID_LEN + 1], *now = gi_now();

	*token = NULL;
	if (!cfs_store_exists(g->store, "_exclusion.json")) {
		cfs_diag_error(d, "graph_delete_in_progress", g->root, "graph root '%s' is being deleted", g->root);
		free(now);
		return -1;
	}
	cfs_ulid_new(ulid);
	char *key = cfs_xasprintf("_readers/%s.json", ulid);
	char *text = cfs_xasprintf("{\"pid\": %ld, \"created_at\": \"%s\"}\n", (long)getpid(), now);
	int rc = cfs_store_put_new(g->store, key, text, strlen(text));
	free(text);
	free(now);
	/* a delete that reserved the root meanwhile wins: re-check after registering */
	if (!rc && !cfs_store_exists(g->store, "_exclusion.json")) {
		cfs_store_delete(g->store, key);
		cfs_diag_error(d, "graph_delete_in_progress", g->root, "graph root '%s' is being deleted", g->root);
		rc = -1;
	} else if (rc) {
		gi_io_error(d, "write", key);
	}
	if (rc) {
		free(key);
		return rc;
	}
	*token = key;
	/* a test hook: sleep(ms) here holds the root as a long export would */
	if (gi_failpoint(d, "graph.reader.after_register")) {
		cfs_graph_reader_end(g, *token);
		*token = NULL;
		return -1;
	}
	return 0;
}

void cfs_graph_reader_end(struct cfs_graph *g, char *token)
{
	if (token)
		cfs_store_delete(g->store, token);
	free(token);
}

int cfs_graph_reserve_export_exclusion(const char *root, struct cfs_diags *d)
{
	static const char MARK[] = "{\"operation\": \"delete\"}\n";
	struct cfs_store *st;
	char **names;
	size_t n;

	if (cfs_store_open_local(root, &st))
		return gi_io_error(d, "open", root);
	int rc = 0;
	if (!looks_like_graph(st)) {
		cfs_diag_error(d, "graph_root_invalid", root, "'%s' is not a graph root; refusing to delete it", root);
		rc = -1;
	} else if (cfs_store_root_exists(st) && cfs_store_put_new(st, "_exclusion.json", MARK, strlen(MARK)) &&
		   errno != EEXIST) {
		rc = gi_io_error(d, "write", "_exclusion.json");
	}
	if (!rc && !cfs_store_list(st, "_readers/", &names, &n)) {
		if (n) {
			cfs_diag_error(d, "graph_delete_export_in_progress", root,
				       "graph root '%s' is held by %zu reader(s) (an export or a served query)", root, n);
			cfs_store_delete(st, "_exclusion.json");
			rc = -1;
		}
		cfs_store_list_free(names, n);
	}
	cfs_store_close(st);
	return rc;
}

void cfs_graph_release_export_exclusion(const char *root)
{
	struct cfs_store *st;

	if (cfs_store_open_local(root, &st))
		return;
	cfs_store_delete(st, "_exclusion.json");
	cfs_store_close(st);
}
