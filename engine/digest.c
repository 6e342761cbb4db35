/*
 * digest: composite digests over NUL-separated fields and canonical JSON.
 * The byte layouts are contractual (cluster.md §5); the worked examples of
 * §5.6 are reproduced by tests/unit/test_digest.c.
 */
#include "engine/digest.h"
#include "core/json.h"
#include "core/sha256.h"
#include "core/strbuf.h"

#include <stdlib.h>
#include <string.h>

/* Append s and a NUL separator. */
static void field(struct cfs_sb *sb, const char *s)
{
	cfs_sb_adds(sb, s ? s : "");
	cfs_sb_addc(sb, '\0');
}

static char *hash_sb(struct cfs_sb *sb)
{
	char hex[CFS_SHA256_HEX_LEN + 1];

	cfs_sha256_hex(sb->buf ? sb->buf : "", sb->len, hex);
	cfs_sb_release(sb);
	return cfs_xstrdup(hex);
}

char *cfs_digest_graph(const char *id, const char *schema_digest,
		       const struct cfs_name_digest *queries, size_t nqueries,
		       const char *provider_addr, const char *provider_digest,
		       const json_t *blob_policy)
{
	struct cfs_sb sb = CFS_SB_INIT;

	field(&sb, "graph");
	field(&sb, id);
	field(&sb, "schema");
	field(&sb, schema_digest);
	for (size_t i = 0; i < nqueries; i++) {
		field(&sb, "query");
		field(&sb, queries[i].name);
		field(&sb, queries[i].digest);
	}
	if (provider_addr) {
		field(&sb, "embedding_provider");
		field(&sb, provider_addr);
		field(&sb, provider_digest);
	}
	if (blob_policy) {
		char *j = cfs_json_compact(blob_policy, 0);
		field(&sb, "external_blob_policy");
		field(&sb, j);
		free(j);
	}
	return hash_sb(&sb);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *cfs_provider_profile_json(const struct cfs_provider_cfg *p)
{
	json_t *o = json_object();

	if (p->kind)
		json_object_set_new(o, "kind", json_string(p->kind));
	if (p->base_url)
		json_object_set_new(o, "base_url", json_string(p->base_url));
	if (p->model)
		json_object_set_new(o, "model", json_string(p->model));
	if (p->api_key)
		json_object_set_new(o, "api_key", json_string(p->api_key));
	return o;
}

char *cfs_digest_provider(const struct cfs_provider_cfg *p)
{
	struct cfs_sb sb = CFS_SB_INIT;
	json_t *o = cfs_provider_profile_json(p);
	char *j = cfs_json_compact(o, 0);

	cfs_sb_adds(&sb, "embedding-provider");
	cfs_sb_addc(&sb, '\0');
	cfs_sb_adds(&sb, j);
	free(j);
	json_decref(o);
	return hash_sb(&sb);
}

static json_t *queries_json(const struct cfs_graph_cfg *g)
{
	json_t *q;

	switch (g->qform) {
	case CFS_QUERIES_PATH:
		return json_string(g->qpath);
	case CFS_QUERIES_LIST:
		q = json_array();
		for (size_t i = 0; i < g->nqlist; i++)
			json_array_append_new(q, json_string(g->qlist[i]));
		return q;
	default:
		q = json_object();
		for (size_t i = 0; i < g->nqmap; i++) {
			json_t *e = json_object();
			json_object_set_new(e, "file", json_string(g->qmap[i].file));
			json_object_set_new(q, g->qmap[i].name, e);
		}
		return q;
	}
}

static json_t *graph_json(const struct cfs_graph_cfg *g)
{
	json_t *o = json_object();

	json_object_set_new(o, "schema", json_string(g->schema));
	json_object_set_new(o, "queries", queries_json(g));
	json_object_set_new(o, "embedding_provider", str_or_null(g->embedding_provider));
	if (g->nallow) {
		json_t *eb = json_object(), *allow = json_array();
		for (size_t i = 0; i < g->nallow; i++) {
			json_t *b = json_object();
			json_object_set_new(b, "base", json_string(g->allow[i].base));
			json_object_set_new(b, "scope", json_string(g->allow[i].scope));
			json_array_append_new(allow, b);
		}
		json_object_set_new(eb, "allow", allow);
		json_object_set_new(o, "external_blobs", eb);
	}
	return o;
}

json_t *cfs_config_raw_json(const struct cfs_config *c)
{
	json_t *o = json_object(), *meta = json_object(), *state = json_object();
	json_t *providers = json_object(), *emb = json_object(), *graphs = json_object();
	json_t *policies = json_object();

	json_object_set_new(o, "version", json_integer(c->version));
	json_object_set_new(meta, "name", str_or_null(c->metadata_name));
	json_object_set_new(o, "metadata", meta);
	json_object_set_new(o, "storage", str_or_null(c->storage));
	json_object_set_new(state, "backend", str_or_null(c->state_backend));
	json_object_set_new(state, "lock", c->state_lock < 0 ? json_null() : json_boolean(c->state_lock));
	json_object_set_new(o, "state", state);
	for (size_t i = 0; i < c->nproviders; i++)
		json_object_set_new(emb, c->providers[i].name, cfs_provider_profile_json(&c->providers[i]));
	json_object_set_new(providers, "embedding", emb);
	json_object_set_new(o, "providers", providers);
	for (size_t i = 0; i < c->ngraphs; i++)
		json_object_set_new(graphs, c->graphs[i].id, graph_json(&c->graphs[i]));
	json_object_set_new(o, "graphs", graphs);
	for (size_t i = 0; i < c->npolicies; i++) {
		json_t *p = json_object(), *at = json_array();
		json_object_set_new(p, "file", json_string(c->policies[i].file));
		for (size_t j = 0; j < c->policies[i].napplies_to; j++)
			json_array_append_new(at, json_string(c->policies[i].applies_to[j]));
		json_object_set_new(p, "applies_to", at);
		json_object_set_new(policies, c->policies[i].name, p);
	}
	json_object_set_new(o, "policies", policies);
	return o;
}

char *cfs_digest_config(const struct cfs_config *cfg,
			const struct cfs_name_digest *resources, size_t n)
{
	struct cfs_sb sb = CFS_SB_INIT;
	json_t *raw = cfs_config_raw_json(cfg);
	char *j = cfs_json_compact(raw, 0);

	field(&sb, "cluster-config");
	field(&sb, j);
	for (size_t i = 0; i < n; i++) {
		field(&sb, resources[i].name);
		field(&sb, resources[i].digest);
	}
	free(j);
	json_decref(raw);
	return hash_sb(&sb);
}
