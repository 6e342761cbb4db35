/*
 * desired: loading a config directory into the desired cluster, in the
 * order of cluster.md §4.1.  This file holds the orchestration, the header
 * checks (steps 1-5) and the resource/dependency bookkeeping.
 */
#include "engine/desired_int.h"
#include "engine/digest.h"
#include "core/fsutil.h"
#include "core/path.h"
#include "core/strbuf.h"
#include "core/utf8.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void ld_add_resource(struct load *l, char *address, const char *kind, const char *digest, char *path)
{
	struct cfs_desired *des = l->des;

	if (des->nresources == l->rescap) {
		l->rescap = l->rescap ? 2 * l->rescap : 16;
		des->resources = cfs_xrealloc(des->resources, l->rescap * sizeof(*des->resources));
	}
	des->resources[des->nresources++] = (struct cfs_resource){
		address, kind, cfs_xstrdup(digest), path
	};
}

void ld_add_dep(struct load *l, const char *from, const char *to)
{
	struct cfs_desired *des = l->des;

	for (size_t i = 0; i < des->ndeps; i++)
		if (!strcmp(des->deps[i].from, from) && !strcmp(des->deps[i].to, to))
			return;
	if (des->ndeps == l->depcap) {
		l->depcap = l->depcap ? 2 * l->depcap : 16;
		des->deps = cfs_xrealloc(des->deps, l->depcap * sizeof(*des->deps));
	}
	des->deps[des->ndeps++] = (struct cfs_dependency){ cfs_xstrdup(from), cfs_xstrdup(to) };
}

void ld_check_id(struct load *l, const char *kind, const char *path, const char *value)
{
	if (!cfs_config_valid_id(value))
		cfs_diag_error(l->d, "invalid_resource_id", path,
			       "%s `%s` must start with a letter or `_` and contain only ASCII letters, digits, `_`, or `-`",
			       kind, value);
}

bool ld_path_ok(struct load *l, const char *declared, const char *diag_path)
{
	enum cfs_path_verdict v = cfs_path_check(l->des->config_dir, declared);

	if (v == CFS_PATH_INSIDE)
		return true;
	cfs_diag_error(l->d, "config_path_escape", diag_path,
		       "path '%s' escapes the config directory: %s", declared, cfs_path_verdict_str(v));
	return false;
}

/* Steps 1-4: directory, file, pre-scans, typed decode. */
static bool load_config_file(struct load *l)
{
	struct cfs_desired *des = l->des;
	struct stat st;
	char *text, *detail;
	size_t len;
	const char *why;

	if (stat(des->config_dir, &st) || !S_ISDIR(st.st_mode)) {
		cfs_diag_error(l->d, "config_dir_not_found", des->config_dir,
			       "`--config` must point at a directory containing cluster.yaml");
		return false;
	}
	if (cfs_read_text(des->config_file, &text, &len, &why)) {
		cfs_diag_error(l->d, "cluster_config_read_error", "cluster.yaml",
			       "could not read cluster.yaml: %s", why);
		return false;
	}
	struct cfs_diags pre = CFS_DIAGS_INIT;
	cfs_config_scan_duplicate_keys(text, len, &pre);
	cfs_config_scan_reserved(text, len, &pre);
	cfs_diags_append(l->d, &pre);
	bool stop = cfs_diags_has_error(&pre);
	cfs_diags_free(&pre);
	if (!stop && cfs_config_decode(text, len, &des->cfg, &detail)) {
		cfs_diag_error(l->d, "invalid_cluster_yaml", "cluster.yaml",
			       "could not parse cluster.yaml: %s", detail);
		free(detail);
		stop = true;
	}
	free(text);
	des->decoded = !stop;
	return !stop;
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (!strchr(" \t\r\n\f\v", *s))
			return false;
	return true;
}

/* §2.6: trimmed, trailing '/' removed; absent = the config dir. */
static char *resolve_storage(const struct cfs_desired *des, const char *storage)
{
	if (!storage)
		return cfs_path_absolute(des->config_dir);
	const char *s = storage;
	while (*s && strchr(" \t\r\n", *s))
		s++;
	size_t n = strlen(s);
	while (n && strchr(" \t\r\n", s[n - 1]))
		n--;
	while (n > 1 && s[n - 1] == '/')
		n--;
	char *t = cfs_xstrndup(s, n);
	if (!strncmp(t, "s3://", 5))
		return t;
	const char *p = !strncmp(t, "file://", 7) ? t + 7 : t;
	char *joined = cfs_path_join(des->config_dir, p);
	char *abs = cfs_path_absolute(joined);
	free(joined);
	free(t);
	return abs;
}

/* Step 5. */
static void check_header(struct load *l)
{
	struct cfs_config *c = &l->des->cfg;

	if (c->version != 1)
		cfs_diag_error(l->d, "unsupported_cluster_config_version", "version",
			       "unsupported cluster config version %u; this build supports version 1", c->version);
	if (c->metadata_name && blank(c->metadata_name))
		cfs_diag_error(l->d, "empty_metadata_name", "metadata.name",
			       "metadata.name must not be empty when provided");
	if (c->state_backend && strcmp(c->state_backend, "cluster"))
		cfs_diag_error(l->d, "unsupported_state_backend", "state.backend",
			       "Stage 2C supports only omitted state.backend or `cluster`");
	bool storage_ok = true;
	if (c->storage && blank(c->storage)) {
		storage_ok = false;
		cfs_diag_error(l->d, "invalid_storage_root", "storage",
			       "storage must be a non-empty URI (e.g. s3://bucket/prefix) when provided");
	} else if (c->storage) {
		const char *s = c->storage + strspn(c->storage, " \t\r\n");
		/* the bucket is what lies between "s3://" and the next '/' */
		if (!strncmp(s, "s3://", 5) && (s[5] == '/' || blank(s + 5))) {
			storage_ok = false;
			cfs_diag_error(l->d, "invalid_storage_root", "storage", "storage s3:// URI must name a bucket");
		}
	}
	l->des->state_lock = c->state_lock != 0;
	if (storage_ok)
		l->des->storage_root = resolve_storage(l->des, c->storage);
}

static int cmp_resource(const void *a, const void *b)
{
	return strcmp(((const struct cfs_resource *)a)->address, ((const struct cfs_resource *)b)->address);
}

static int cmp_dep(const void *a, const void *b)
{
	const struct cfs_dependency *x = a, *y = b;
	int c = strcmp(x->from, y->from);

	return c ? c : strcmp(x->to, y->to);
}

static void finish(struct load *l)
{
	struct cfs_desired *des = l->des;
	struct cfs_name_digest *rd = cfs_xcalloc(des->nresources, sizeof(*rd));

	cfs_qsort(des->resources, des->nresources, sizeof(*des->resources), cmp_resource);
	cfs_qsort(des->deps, des->ndeps, sizeof(*des->deps), cmp_dep);
	for (size_t i = 0; i < des->nresources; i++)
		rd[i] = (struct cfs_name_digest){ des->resources[i].address, des->resources[i].digest };
	des->config_digest = cfs_digest_config(&des->cfg, rd, des->nresources);
	free(rd);
}

void cfs_desired_load(const char *config_dir, enum cfs_load_depth depth,
		      struct cfs_desired *out, struct cfs_diags *d)
{
	struct load l = { out, d, 0, 0 };

	memset(out, 0, sizeof(*out));
	out->cfg.state_lock = -1;
	out->config_dir = cfs_xstrdup(config_dir);
	out->config_file = cfs_path_join(config_dir, "cluster.yaml");
	if (!load_config_file(&l))
		return;
	check_header(&l);
	if (depth == CFS_LOAD_HEADER)
		return;
	ld_load_providers(&l);
	ld_load_graphs(&l);
	ld_load_policies(&l);
	finish(&l);
}

const struct cfs_resource *cfs_desired_find(const struct cfs_desired *des, const char *address)
{
	for (size_t i = 0; i < des->nresources; i++)
		if (!strcmp(des->resources[i].address, address))
			return &des->resources[i];
	return NULL;
}

void cfs_desired_free(struct cfs_desired *des)
{
	for (size_t i = 0; i < des->nresources; i++) {
		free(des->resources[i].address);
		free(des->resources[i].digest);
		free(des->resources[i].path);
	}
	free(des->resources);
	for (size_t i = 0; i < des->ndeps; i++) {
		free(des->deps[i].from);
		free(des->deps[i].to);
	}
	free(des->deps);
	for (size_t i = 0; des->graphs && i < des->cfg.ngraphs; i++) {
		free(des->graphs[i].schema_digest);
		cfs_schema_free(&des->graphs[i].schema);
		free(des->graphs[i].provider_addr);
		for (size_t j = 0; j < des->graphs[i].nbases; j++)
			cfs_blob_base_free(&des->graphs[i].bases[j]);
		free(des->graphs[i].bases);
	}
	free(des->graphs);
	for (size_t i = 0; des->policies && i < des->cfg.npolicies; i++) {
		for (size_t j = 0; j < des->policies[i].nbindings; j++)
			free(des->policies[i].bindings[j]);
		free(des->policies[i].bindings);
	}
	free(des->policies);
	cfs_config_free(&des->cfg);
	free(des->config_dir);
	free(des->config_file);
	free(des->storage_root);
	free(des->config_digest);
	memset(des, 0, sizeof(*des));
}
