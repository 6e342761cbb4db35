/*
 * config_yaml: the typed decode of cluster.yaml (cluster.md §2.1, §4.1 step
 * 4) on libyaml's document API.  Every mapping is closed; errors name the
 * YAML path and position the way serde_yaml does, since that is the detail
 * users of the reference are used to reading.
 */
#include "engine/config.h"
#include "engine/yaml_decode.h"
#include "core/strbuf.h"

#include <stdlib.h>
#include <string.h>

/* ---- structs ----------------------------------------------------------- */

static const char *const TOP_FIELDS[] = { "version", "metadata", "storage", "state", "providers",
					  "graphs", "policies", NULL };
static const char *const META_FIELDS[] = { "name", NULL };
static const char *const STATE_FIELDS[] = { "backend", "lock", NULL };
static const char *const PROVIDERS_FIELDS[] = { "embedding", NULL };
static const char *const PROFILE_FIELDS[] = { "kind", "provider", "base_url", "model", "api_key", NULL };
static const char *const GRAPH_FIELDS[] = { "schema", "queries", "embedding_provider",
					    "external_blobs", NULL };
static const char *const BLOBS_FIELDS[] = { "allow", NULL };
static const char *const BASE_FIELDS[] = { "base", "scope", NULL };
static const char *const QFILE_FIELDS[] = { "file", NULL };
static const char *const POLICY_FIELDS[] = { "file", "applies_to", NULL };

static int meta_field(struct cfs_yd *d, const char *path, int f, yaml_node_t *v, void *arg)
{
	(void)f;
	return cfs_yd_get_str(d, path, v, &((struct cfs_config *)arg)->metadata_name);
}

static int state_field(struct cfs_yd *d, const char *path, int f, yaml_node_t *v, void *arg)
{
	struct cfs_config *c = arg;

	if (f == 0)
		return cfs_yd_get_str(d, path, v, &c->state_backend);
	return cfs_yd_get_bool(d, path, v, &c->state_lock);
}

static int profile_field(struct cfs_yd *d, const char *path, int f, yaml_node_t *v, void *arg)
{
	struct cfs_provider_cfg *p = arg;
	char **slot[] = { &p->kind, &p->kind, &p->base_url, &p->model, &p->api_key };

	/* `provider` is an alias of `kind`: both at once is a repeated field */
	if (f <= 1 && p->kind)
		return cfs_yd_failf(d, path, v, "duplicate field `kind`");
	return cfs_yd_get_str(d, path, v, slot[f]);
}

static int provider_entry(struct cfs_yd *d, const char *path, const char *key, yaml_node_t *v, void *arg)
{
	struct cfs_config *c = arg;
	struct cfs_provider_cfg *p;

	c->providers = cfs_xrealloc(c->providers, (c->nproviders + 1) * sizeof(*p));
	p = &c->providers[c->nproviders++];
	memset(p, 0, sizeof(*p));
	p->name = cfs_xstrdup(key);
	if (cfs_yd_is_null(v))
		return 0;
	return cfs_yd_walk_struct(d, path, v, PROFILE_FIELDS, profile_field, p);
}

static int providers_field(struct cfs_yd *d, const char *path, int f, yaml_node_t *v, void *arg)
{
	(void)f;
	return cfs_yd_walk_map(d, path, v, provider_entry, arg);
}

struct base_acc { struct cfs_blob_base_cfg *b; bool has_base, has_scope; };

static int base_field(struct cfs_yd *d, const char *path, int f, yaml_node_t *v, void *arg)
{
	static const char *const SCOPES[] = { "server_safe", "embedded_only", NULL };
	struct base_acc *a = arg;
	int scope;

	if (f == 0) {
		a->has_base = !cfs_yd_is_null(v);
		return cfs_yd_get_str(d, path, v, &a->b->base);
	}
	a->has_scope = !cfs_yd_is_null(v);
	if (!a->has_scope)
		return 0;
	if (cfs_yd_get_enum(d, path, v, SCOPES, &scope))
		return -1;
	a->b->scope = cfs_xstrdup(SCOPES[scope]);
	return 0;
}

static int blobs_field(struct cfs_yd *d, const char *path, int f, yaml_node_t *v, void *arg)
{
	struct cfs_graph_cfg *g = arg;

	(void)f;
	if (cfs_yd_is_null(v))
		return 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return cfs_yd_bad_type(d, path, v, "a sequence");
	size_t cnt = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	g->allow = cfs_xcalloc(cnt, sizeof(*g->allow));
	for (size_t i = 0; i < cnt; i++) {
		yaml_node_t *it = cfs_yd_node(d, v->data.sequence.items.start[i]);
		struct base_acc a = { &g->allow[i], false, false };
		char *sub = cfs_xasprintf("%s[%zu]", path, i);
		g->nallow++;
		int r = cfs_yd_walk_struct(d, sub, it, BASE_FIELDS, base_field, &a);
		if (!r)
			r = cfs_yd_require(d, sub, it, a.has_base, "base");
		if (!r)
			r = cfs_yd_require(d, sub, it, a.has_scope, "scope");
		free(sub);
		if (r)
			return r;
	}
	return 0;
}

struct qfile_acc { struct cfs_query_entry *e; };

static int qfile_field(struct cfs_yd *d, const char *path, int f, yaml_node_t *v, void *arg)
{
	(void)f;
	return cfs_yd_get_str(d, path, v, &((struct qfile_acc *)arg)->e->file);
}

static int query_entry(struct cfs_yd *d, const char *path, const char *key, yaml_node_t *v, void *arg)
{
	struct cfs_graph_cfg *g = arg;
	struct cfs_query_entry *e;

	g->qmap = cfs_xrealloc(g->qmap, (g->nqmap + 1) * sizeof(*e));
	e = &g->qmap[g->nqmap++];
	e->name = cfs_xstrdup(key);
	e->file = NULL;
	struct qfile_acc a = { e };
	if (cfs_yd_is_null(v))
		return cfs_yd_failf(d, path, v, "missing field `file`");
	if (cfs_yd_walk_struct(d, path, v, QFILE_FIELDS, qfile_field, &a))
		return -1;
	return cfs_yd_require(d, path, v, e->file != NULL, "file");
}

/*
 * `queries` is an untagged union in the reference, decoded through serde's
 * buffered content: there a number or boolean is not a path, so none of the
 * three forms matches.  Elsewhere a string field takes any scalar's text.
 */
static bool typed_scalar(const yaml_node_t *n)
{
	bool neg;
	unsigned long long v;

	return n->type == YAML_SCALAR_NODE &&
	       (cfs_yd_plain_bool(n) >= 0 || cfs_yd_plain_int(n, &neg, &v) || cfs_yd_plain_float(n));
}

static int untagged_mismatch(struct cfs_yd *d, const char *path, const yaml_node_t *v)
{
	return cfs_yd_failf(d, path, v, "data did not match any variant of untagged enum QueriesDecl");
}

static int check_untagged(struct cfs_yd *d, const char *path, yaml_node_t *v)
{
	if (typed_scalar(v))
		return untagged_mismatch(d, path, v);
	if (v->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++)
			if (typed_scalar(cfs_yd_node(d, *it)))
				return untagged_mismatch(d, path, v);
	} else if (v->type == YAML_MAPPING_NODE) {
		for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
			yaml_node_t *val = cfs_yd_node(d, p->value);
			if (typed_scalar(cfs_yd_node(d, p->key)))
				return untagged_mismatch(d, path, v);
			if (val->type != YAML_MAPPING_NODE)
				continue;
			for (yaml_node_pair_t *q = val->data.mapping.pairs.start; q < val->data.mapping.pairs.top; q++)
				if (cfs_yd_node(d, q->key)->type == YAML_SCALAR_NODE &&
				    !strcmp(cfs_yd_sval(cfs_yd_node(d, q->key)), "file") &&
				    typed_scalar(cfs_yd_node(d, q->value)))
					return untagged_mismatch(d, path, v);
		}
	}
	return 0;
}

static int decode_queries(struct cfs_yd *d, const char *path, yaml_node_t *v, struct cfs_graph_cfg *g)
{
	if (cfs_yd_is_null(v))
		return 0;
	if (check_untagged(d, path, v))
		return -1;
	if (v->type == YAML_SCALAR_NODE) {
		g->qform = CFS_QUERIES_PATH;
		g->qpath = cfs_xstrdup(cfs_yd_sval(v));
		return 0;
	}
	if (v->type == YAML_SEQUENCE_NODE) {
		g->qform = CFS_QUERIES_LIST;
		return cfs_yd_get_str_list(d, path, v, &g->qlist, &g->nqlist);
	}
	return cfs_yd_walk_map(d, path, v, query_entry, g);
}

static int graph_field(struct cfs_yd *d, const char *path, int f, yaml_node_t *v, void *arg)
{
	struct cfs_graph_cfg *g = arg;

	switch (f) {
	case 0:
		return cfs_yd_get_str(d, path, v, &g->schema);
	case 1:
		return decode_queries(d, path, v, g);
	case 2:
		return cfs_yd_get_str(d, path, v, &g->embedding_provider);
	default:
		return cfs_yd_is_null(v) ? 0 : cfs_yd_walk_struct(d, path, v, BLOBS_FIELDS, blobs_field, g);
	}
}

static int graph_entry(struct cfs_yd *d, const char *path, const char *key, yaml_node_t *v, void *arg)
{
	struct cfs_config *c = arg;
	struct cfs_graph_cfg *g;

	c->graphs = cfs_xrealloc(c->graphs, (c->ngraphs + 1) * sizeof(*g));
	g = &c->graphs[c->ngraphs++];
	memset(g, 0, sizeof(*g));
	g->id = cfs_xstrdup(key);
	if (cfs_yd_is_null(v))
		return cfs_yd_failf(d, path, v, "missing field `schema`");
	if (cfs_yd_walk_struct(d, path, v, GRAPH_FIELDS, graph_field, g))
		return -1;
	return cfs_yd_require(d, path, v, g->schema != NULL, "schema");
}

struct policy_acc { struct cfs_policy_cfg *p; bool has_applies; };

static int policy_field(struct cfs_yd *d, const char *path, int f, yaml_node_t *v, void *arg)
{
	struct policy_acc *a = arg;

	if (f == 0)
		return cfs_yd_get_str(d, path, v, &a->p->file);
	a->has_applies = !cfs_yd_is_null(v);
	return cfs_yd_get_str_list(d, path, v, &a->p->applies_to, &a->p->napplies_to);
}

static int policy_entry(struct cfs_yd *d, const char *path, const char *key, yaml_node_t *v, void *arg)
{
	struct cfs_config *c = arg;
	struct cfs_policy_cfg *p;

	c->policies = cfs_xrealloc(c->policies, (c->npolicies + 1) * sizeof(*p));
	p = &c->policies[c->npolicies++];
	memset(p, 0, sizeof(*p));
	p->name = cfs_xstrdup(key);
	struct policy_acc a = { p, false };
	if (cfs_yd_is_null(v))
		return cfs_yd_failf(d, path, v, "missing field `file`");
	if (cfs_yd_walk_struct(d, path, v, POLICY_FIELDS, policy_field, &a))
		return -1;
	if (cfs_yd_require(d, path, v, p->file != NULL, "file"))
		return -1;
	return cfs_yd_require(d, path, v, a.has_applies, "applies_to");
}

struct top_acc { struct cfs_config *c; bool has_version; };

static int top_field(struct cfs_yd *d, const char *path, int f, yaml_node_t *v, void *arg)
{
	struct top_acc *a = arg;
	struct cfs_config *c = a->c;

	switch (f) {
	case 0:
		a->has_version = true;
		return cfs_yd_get_u32(d, path, v, &c->version);
	case 1:
		return cfs_yd_is_null(v) ? 0 : cfs_yd_walk_struct(d, path, v, META_FIELDS, meta_field, c);
	case 2:
		return cfs_yd_get_str(d, path, v, &c->storage);
	case 3:
		return cfs_yd_is_null(v) ? 0 : cfs_yd_walk_struct(d, path, v, STATE_FIELDS, state_field, c);
	case 4:
		return cfs_yd_is_null(v) ? 0 : cfs_yd_walk_struct(d, path, v, PROVIDERS_FIELDS, providers_field, c);
	case 5:
		return cfs_yd_walk_map(d, path, v, graph_entry, c);
	default:
		return cfs_yd_walk_map(d, path, v, policy_entry, c);
	}
}

/* ---- sorting and entry point ------------------------------------------- */

static int cmp_provider(const void *a, const void *b)
{
	return strcmp(((const struct cfs_provider_cfg *)a)->name, ((const struct cfs_provider_cfg *)b)->name);
}

static int cmp_graph(const void *a, const void *b)
{
	return strcmp(((const struct cfs_graph_cfg *)a)->id, ((const struct cfs_graph_cfg *)b)->id);
}

static int cmp_policy(const void *a, const void *b)
{
	return strcmp(((const struct cfs_policy_cfg *)a)->name, ((const struct cfs_policy_cfg *)b)->name);
}

static int cmp_qentry(const void *a, const void *b)
{
	return strcmp(((const struct cfs_query_entry *)a)->name, ((const struct cfs_query_entry *)b)->name);
}

/* Maps in the contract are ordered by key (the reference's BTreeMap). */
static void sort_config(struct cfs_config *c)
{
	cfs_qsort(c->providers, c->nproviders, sizeof(*c->providers), cmp_provider);
	cfs_qsort(c->graphs, c->ngraphs, sizeof(*c->graphs), cmp_graph);
	cfs_qsort(c->policies, c->npolicies, sizeof(*c->policies), cmp_policy);
	for (size_t i = 0; i < c->ngraphs; i++)
		cfs_qsort(c->graphs[i].qmap, c->graphs[i].nqmap, sizeof(*c->graphs[i].qmap), cmp_qentry);
}

int cfs_config_decode(const char *text, size_t len, struct cfs_config *cfg, char **detail)
{
	yaml_document_t doc;
	struct cfs_yd d = { &doc, NULL };
	struct top_acc a = { cfg, false };

	memset(cfg, 0, sizeof(*cfg));
	cfg->state_lock = -1;
	*detail = NULL;
	if (cfs_yd_load(text, len, &doc, detail))
		return -1;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root)
		cfs_yd_failf(&d, "", NULL, "missing field `version`");
	else if (!cfs_yd_walk_struct(&d, "", root, TOP_FIELDS, top_field, &a))
		cfs_yd_require(&d, "", root, a.has_version, "version");
	yaml_document_delete(&doc);
	if (d.err) {
		*detail = d.err;
		cfs_config_free(cfg);
		return -1;
	}
	sort_config(cfg);
	return 0;
}

/* ---- freeing ----------------------------------------------------------- */

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void free_graph(struct cfs_graph_cfg *g)
{
	free(g->id);
	free(g->schema);
	free(g->qpath);
	free_strv(g->qlist, g->nqlist);
	for (size_t i = 0; i < g->nqmap; i++) {
		free(g->qmap[i].name);
		free(g->qmap[i].file);
	}
	free(g->qmap);
	free(g->embedding_provider);
	for (size_t i = 0; i < g->nallow; i++) {
		free(g->allow[i].base);
		free(g->allow[i].scope);
	}
	free(g->allow);
}

void cfs_config_free(struct cfs_config *c)
{
	free(c->metadata_name);
	free(c->storage);
	free(c->state_backend);
	for (size_t i = 0; i < c->nproviders; i++) {
		struct cfs_provider_cfg *p = &c->providers[i];
		free(p->name);
		free(p->kind);
		free(p->base_url);
		free(p->model);
		free(p->api_key);
	}
	free(c->providers);
	for (size_t i = 0; i < c->ngraphs; i++)
		free_graph(&c->graphs[i]);
	free(c->graphs);
	for (size_t i = 0; i < c->npolicies; i++) {
		free(c->policies[i].name);
		free(c->policies[i].file);
		free_strv(c->policies[i].applies_to, c->policies[i].napplies_to);
	}
	free(c->policies);
	memset(c, 0, sizeof(*c));
	c->state_lock = -1;
}

bool cfs_config_valid_id(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
		return false;
	for (s++; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}
