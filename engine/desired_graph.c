/*
 * desired_graph: graphs, their schemas and stored queries (cluster.md
 * §2.2, §2.5, §4.1 step 7) and the graph composite digests (§5.2).
 */
#include "engine/desired_int.h"
#include "engine/digest.h"
#include "engine/query/ast.h"
#include "engine/query/check.h"
#include "core/fsutil.h"
#include "core/path.h"
#include "core/sha256.h"
#include "core/strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* One registered query: where it was declared and, for discovered files,
 * the content read at discovery (reused, so the file is read once). */
struct qreg {
	char *name;
	char *declared;         /* declared path, as reported in duplicates */
	char *content;          /* NULL for the explicit form */
	size_t len;
};

struct qregs {
	struct qreg *v;
	size_t n;
};

struct gctx {
	struct load *l;
	const struct cfs_graph_cfg *g;
	struct cfs_desired_graph *dg;
	bool schema_ok;
	struct cfs_name_digest *qd;     /* query digests for the composite */
	size_t nqd;
};

static void qregs_add(struct qregs *r, const char *name, const char *declared, const char *content, size_t len)
{
	r->v = cfs_xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
	r->v[r->n++] = (struct qreg){ cfs_xstrdup(name), cfs_xstrdup(declared),
				      content ? cfs_xstrndup(content, len) : NULL, len };
}

static struct qreg *qregs_find(struct qregs *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].name, name))
			return &r->v[i];
	return NULL;
}

static void qregs_free(struct qregs *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].name);
		free(r->v[i].declared);
		free(r->v[i].content);
	}
	free(r->v);
}

static int cmp_qreg(const void *a, const void *b)
{
	return strcmp(((const struct qreg *)a)->name, ((const struct qreg *)b)->name);
}

/* ---- blob policy and provider reference -------------------------------- */

static void load_blob_policy(struct gctx *c)
{
	const struct cfs_graph_cfg *g = c->g;
	struct cfs_blob_base *bases = cfs_xcalloc(g->nallow, sizeof(*bases));
	size_t ok = 0;
	bool bad_policy = false;
	char *err;

	for (size_t i = 0; i < g->nallow; i++) {
		if (!cfs_blob_base_new(g->allow[i].base, !strcmp(g->allow[i].scope, "server_safe"),
				       &bases[ok], &err)) {
			ok++;
			continue;
		}
		char *path = cfs_xasprintf("graphs.%s.external_blobs.allow[%zu].base", g->id, i);
		cfs_diag_error(c->l->d, "invalid_external_blob_base", path, "%s", err);
		free(path);
		free(err);
	}
	if (ok == g->nallow && ok && cfs_blob_policy_check(bases, ok, &err)) {
		char *path = cfs_xasprintf("graphs.%s.external_blobs.allow", g->id);
		cfs_diag_error(c->l->d, "invalid_external_blob_policy", path, "%s", err);
		free(path);
		free(err);
		bad_policy = true;
	}
	if (ok != g->nallow || bad_policy) {
		for (size_t i = 0; i < ok; i++)
			cfs_blob_base_free(&bases[i]);
		ok = 0;   /* an invalid policy is deny */
	}
	c->dg->bases = bases;
	c->dg->nbases = ok;
}

static bool provider_declared(const struct cfs_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nproviders; i++)
		if (!strcmp(cfg->providers[i].name, name))
			return true;
	return false;
}

static void load_provider_ref(struct gctx *c, const char *graph_addr)
{
	const char *ref = c->g->embedding_provider;
	static const char prefix[] = "provider.embedding.";

	if (!ref)
		return;
	char *path = cfs_xasprintf("graphs.%s.embedding_provider", c->g->id);
	const char *name = ref;
	if (!strncmp(ref, prefix, sizeof(prefix) - 1)) {
		name = ref + sizeof(prefix) - 1;
	} else if (strchr(ref, '.')) {
		cfs_diag_error(c->l->d, "wrong_kind_reference", path,
			       "embedding_provider expects a providers.embedding ref or bare provider name, got `%s`", ref);
		free(path);
		return;
	}
	if (provider_declared(&c->l->des->cfg, name)) {
		c->dg->provider_addr = cfs_xasprintf("provider.embedding.%s", name);
		ld_add_dep(c->l, graph_addr, c->dg->provider_addr);
	} else {
		cfs_diag_error(c->l->d, "dangling_embedding_provider_reference", path,
			       "graph references embedding provider `%s`, but no providers.embedding.%s profile is declared",
			       name, name);
	}
	free(path);
}

/* ---- schema ------------------------------------------------------------ */

/* Parse and validate the schema; its catalog types the graph's queries. */
static void load_catalog(struct gctx *c, const char *src, size_t len, const char *path)
{
	char *err;
	enum cfs_schema_status st = cfs_schema_load(src, len, &c->dg->schema, &err);

	if (st == CFS_SCHEMA_OK) {
		c->dg->schema_ok = c->schema_ok = true;
		return;
	}
	cfs_diag_error(c->l->d, st == CFS_SCHEMA_CATALOG ? "schema_catalog_error" : "schema_parse_error",
		       path, "%s", err);
	free(err);
}

static void load_schema(struct gctx *c)
{
	const struct cfs_graph_cfg *g = c->g;
	char *path = cfs_xasprintf("graphs.%s.schema", g->id);
	char *resolved = cfs_path_join(c->l->des->config_dir, g->schema);
	char *src;
	size_t len;
	const char *why;

	if (!ld_path_ok(c->l, g->schema, path)) {
		free(resolved);
	} else if (cfs_read_text(resolved, &src, &len, &why)) {
		cfs_diag_error(c->l->d, "schema_file_missing", path,
			       "could not read schema file '%s': %s", resolved, why);
		free(resolved);
	} else {
		char hex[CFS_SHA256_HEX_LEN + 1];
		cfs_sha256_hex(src, len, hex);
		c->dg->schema_digest = cfs_xstrdup(hex);
		ld_add_resource(c->l, cfs_xasprintf("schema.%s", g->id), "schema", hex, resolved);
		load_catalog(c, src, len, path);
		free(src);
	}
	free(path);
}

/* ---- query discovery (forms a and b) ---------------------------------- */

static bool is_gq(const char *name)
{
	size_t n = strlen(name);

	return n > 3 && !strcmp(name + n - 3, ".gq");
}

/* Direct *.gq entries of dir, sorted; -1 with errno if unlistable. */
static int list_gq(const char *dir, char ***names, size_t *n)
{
	DIR *dp = opendir(dir);
	struct dirent *de;

	*names = NULL;
	*n = 0;
	if (!dp)
		return -1;
	while ((de = readdir(dp))) {
		if (!is_gq(de->d_name))
			continue;
		*names = cfs_xrealloc(*names, (*n + 1) * sizeof(char *));
		(*names)[(*n)++] = cfs_xstrdup(de->d_name);
	}
	closedir(dp);
	cfs_qsort(*names, *n, sizeof(char *), cfs_strptrcmp);
	return 0;
}

/* Read and scan one discovered file; register each declaration. */
static void discover_file(struct gctx *c, const char *declared, const char *resolved, struct qregs *r)
{
	const char *gid = c->g->id;
	char *qpath = cfs_xasprintf("graphs.%s.queries", gid);
	char *src, *err;
	size_t len;
	const char *why;
	struct cfs_query_list qf;

	if (!ld_path_ok(c->l, declared, qpath)) {
		free(qpath);
		return;
	}
	if (cfs_read_text(resolved, &src, &len, &why)) {
		cfs_diag_error(c->l->d, "query_file_missing", qpath, "could not read query file '%s': %s", resolved, why);
		free(qpath);
		return;
	}
	if (cfs_query_parse(src, len, &qf, &err)) {
		cfs_diag_error(c->l->d, "query_parse_error", qpath, "'%s' does not parse: %s", resolved, err);
		free(err);
	} else {
		for (size_t i = 0; i < qf.n; i++) {
			struct qreg *prev = qregs_find(r, qf.v[i].name);
			if (!prev) {
				qregs_add(r, qf.v[i].name, declared, src, len);
				continue;
			}
			char *dpath = cfs_xasprintf("graphs.%s.queries.%s", gid, qf.v[i].name);
			cfs_diag_error(c->l->d, "duplicate_query_name", dpath,
				       "query '%s' is declared in both '%s' and '%s'",
				       qf.v[i].name, prev->declared, declared);
			free(dpath);
		}
		cfs_query_list_free(&qf);
	}
	free(src);
	free(qpath);
}

static void discover_path(struct gctx *c, const char *declared, struct qregs *r)
{
	char *resolved = cfs_path_join(c->l->des->config_dir, declared);
	struct stat st;
	char **names;
	size_t n;

	if (stat(resolved, &st) || !S_ISDIR(st.st_mode)) {
		discover_file(c, declared, resolved, r);
		free(resolved);
		return;
	}
	char *qpath = cfs_xasprintf("graphs.%s.queries", c->g->id);
	if (!ld_path_ok(c->l, declared, qpath)) {
		/* already reported; do not list an outside directory */
	} else if (list_gq(resolved, &names, &n)) {
		cfs_diag_error(c->l->d, "query_dir_unreadable", qpath,
			       "could not list query directory '%s': %s", resolved, strerror(errno));
	} else {
		if (!n)
			cfs_diag_warn(c->l->d, "query_dir_empty", qpath,
				      "query directory '%s' contains no .gq files", resolved);
		for (size_t i = 0; i < n; i++) {
			char *decl = cfs_path_join(declared, names[i]);
			char *res = cfs_path_join(resolved, names[i]);
			discover_file(c, decl, res, r);
			free(decl);
			free(res);
			free(names[i]);
		}
		free(names);
	}
	free(qpath);
	free(resolved);
}

static void registry(struct gctx *c, struct qregs *r)
{
	const struct cfs_graph_cfg *g = c->g;

	memset(r, 0, sizeof(*r));
	if (g->qform == CFS_QUERIES_PATH) {
		discover_path(c, g->qpath, r);
	} else if (g->qform == CFS_QUERIES_LIST) {
		for (size_t i = 0; i < g->nqlist; i++)
			discover_path(c, g->qlist[i], r);
	} else {
		for (size_t i = 0; i < g->nqmap; i++)
			qregs_add(r, g->qmap[i].name, g->qmap[i].file, NULL, 0);
	}
	cfs_qsort(r->v, r->n, sizeof(*r->v), cmp_qreg);
}

/* ---- per-query validation ---------------------------------------------- */

/* Explicit form: the file is read here, under its own diagnostic path. */
static char *read_explicit(struct gctx *c, const struct qreg *q, const char *resolved, size_t *len)
{
	char *fpath = cfs_xasprintf("graphs.%s.queries.%s.file", c->g->id, q->name);
	char *src = NULL;
	const char *why;

	if (ld_path_ok(c->l, q->declared, fpath) && cfs_read_text(resolved, &src, len, &why))
		cfs_diag_error(c->l->d, "query_file_missing", fpath,
			       "could not read query file '%s': %s", resolved, why);
	free(fpath);
	return src;
}

/* Type-check the registered (first) declaration against the graph's catalog. */
static void typecheck(struct gctx *c, const struct cfs_query *decl, const char *path)
{
	struct cfs_typed_query tq;
	char *err;

	if (cfs_query_check(&c->dg->schema, decl, &tq, &err)) {
		cfs_diag_error(c->l->d, "query_typecheck_error", path, "%s", err);
		free(err);
		return;
	}
	cfs_typed_query_free(&tq);
}

static void check_query_source(struct gctx *c, const struct qreg *q, const char *src, size_t len)
{
	char *path = cfs_xasprintf("graphs.%s.queries.%s", c->g->id, q->name);
	struct cfs_query_list qf;
	const struct cfs_query *decl;
	char *err;

	if (cfs_query_parse(src, len, &qf, &err)) {
		cfs_diag_error(c->l->d, "query_parse_error", path, "%s", err);
		free(err);
	} else {
		if (!(decl = cfs_query_find(&qf, q->name)))
			cfs_diag_error(c->l->d, "query_key_mismatch", path,
				       "no `query %s` declaration found in the referenced .gq file", q->name);
		else if (!c->schema_ok)
			cfs_diag_warn(c->l->d, "query_typecheck_skipped", path,
				      "query parsed, but type-check was skipped because the graph schema is invalid");
		else
			typecheck(c, decl, path);
		cfs_query_list_free(&qf);
	}
	free(path);
}

static void load_query(struct gctx *c, const struct qreg *q, const char *graph_addr, const char *schema_addr)
{
	char *idpath = cfs_xasprintf("graphs.%s.queries.%s", c->g->id, q->name);
	char *addr = cfs_xasprintf("query.%s.%s", c->g->id, q->name);
	char *resolved = cfs_path_join(c->l->des->config_dir, q->declared);
	size_t len = q->len;
	char *owned = NULL;
	const char *src = q->content;

	ld_check_id(c->l, "query name", idpath, q->name);
	ld_add_dep(c->l, addr, graph_addr);
	ld_add_dep(c->l, addr, schema_addr);
	if (!src)
		src = owned = read_explicit(c, q, resolved, &len);
	if (src) {
		char hex[CFS_SHA256_HEX_LEN + 1];
		cfs_sha256_hex(src, len, hex);
		c->qd = cfs_xrealloc(c->qd, (c->nqd + 1) * sizeof(*c->qd));
		c->qd[c->nqd++] = (struct cfs_name_digest){ cfs_xstrdup(q->name), cfs_xstrdup(hex) };
		ld_add_resource(c->l, addr, "query", hex, resolved);
		check_query_source(c, q, src, len);
	} else {
		free(addr);
		free(resolved);
	}
	free(owned);
	free(idpath);
}

/* ---- graphs ------------------------------------------------------------ */

static void graph_composite(struct gctx *c)
{
	const char *provider_digest = NULL;
	json_t *policy = c->dg->nbases ? cfs_blob_policy_json(c->dg->bases, c->dg->nbases) : NULL;

	if (c->dg->provider_addr) {
		const struct cfs_resource *p = cfs_desired_find(c->l->des, c->dg->provider_addr);
		provider_digest = p ? p->digest : NULL;
	}
	char *digest = cfs_digest_graph(c->g->id, c->dg->schema_digest, c->qd, c->nqd,
					c->dg->provider_addr, provider_digest, policy);
	ld_add_resource(c->l, cfs_xasprintf("graph.%s", c->g->id), "graph", digest, NULL);
	free(digest);
	json_decref(policy);
}

static void load_graph(struct load *l, size_t gi, struct cfs_name_digest **qd, size_t *nqd)
{
	struct gctx c = { l, &l->des->cfg.graphs[gi], &l->des->graphs[gi], false, NULL, 0 };
	char *idpath = cfs_xasprintf("graphs.%s", c.g->id);
	char *graph_addr = cfs_xasprintf("graph.%s", c.g->id);
	char *schema_addr = cfs_xasprintf("schema.%s", c.g->id);
	struct qregs r;

	c.dg->id = c.g->id;
	ld_check_id(l, "graph id", idpath, c.g->id);
	load_blob_policy(&c);
	ld_add_dep(l, schema_addr, graph_addr);
	load_provider_ref(&c, graph_addr);
	load_schema(&c);
	registry(&c, &r);
	for (size_t i = 0; i < r.n; i++)
		load_query(&c, &r.v[i], graph_addr, schema_addr);
	qregs_free(&r);
	*qd = c.qd;
	*nqd = c.nqd;
	free(idpath);
	free(graph_addr);
	free(schema_addr);
}

void ld_load_graphs(struct load *l)
{
	size_t n = l->des->cfg.ngraphs;
	struct cfs_name_digest **qd = cfs_xcalloc(n, sizeof(*qd));
	size_t *nqd = cfs_xcalloc(n, sizeof(*nqd));

	l->des->graphs = cfs_xcalloc(n, sizeof(*l->des->graphs));
	for (size_t i = 0; i < n; i++)
		load_graph(l, i, &qd[i], &nqd[i]);
	/* composites last: the reference computes them once every graph is read */
	for (size_t i = 0; i < n; i++) {
		struct gctx c = { l, &l->des->cfg.graphs[i], &l->des->graphs[i], true, qd[i], nqd[i] };
		graph_composite(&c);
		for (size_t j = 0; j < nqd[i]; j++) {
			free((char *)qd[i][j].name);
			free((char *)qd[i][j].digest);
		}
		free(qd[i]);
	}
	free(qd);
	free(nqd);
}
