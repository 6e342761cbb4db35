/*
 * ledger_edit: see ledger_edit.h.  Addresses are parsed by prefix: ids
 * and names never contain '.', so "query.<id>." selects exactly one
 * graph's queries.
 */
#include "engine/ledger_edit.h"
#include "core/clock.h"
#include "core/strbuf.h"
#include "engine/digest.h"
#include "ledger/state.h"

#include <stdlib.h>
#include <string.h>

json_t *cfs_ledger_map(json_t *doc, const char *key)
{
	json_t *m = json_object_get(doc, key);

	if (!json_is_object(m)) {
		m = json_object();
		json_object_set_new(doc, key, m);
	}
	return m;
}

const char *cfs_ledger_digest(json_t *doc, const char *address)
{
	return json_string_value(json_object_get(json_object_get(cfs_state_resources(doc), address), "digest"));
}

void cfs_ledger_set_status(json_t *doc, const char *address, const char *status, const char *condition,
			   const char *message)
{
	json_t *rec = json_object();

	json_object_set_new(rec, "status", json_string(status));
	if (condition) {
		json_t *c = json_array();
		json_array_append_new(c, json_string(condition));
		json_object_set_new(rec, "conditions", c);
	}
	if (message)
		json_object_set_new(rec, "message", json_string(message));
	json_object_set_new(cfs_ledger_map(doc, "resource_statuses"), address, rec);
}

json_t *cfs_ledger_blob_policy(const json_t *graph_entry)
{
	const json_t *p = json_object_get(graph_entry, "external_blob_policy");
	const json_t *bases = json_object_get(p, "bases");
	json_t *out, *list;
	size_t i;
	const json_t *b;
	const char *mode = json_string_value(json_object_get(p, "mode"));

	if (!mode || strcmp(mode, "allow"))
		return NULL;
	out = json_object();
	list = json_array();
	json_object_set_new(out, "mode", json_string("allow"));
	json_array_foreach(bases, i, b) {
		json_t *e = json_object();
		json_object_set(e, "uri", json_object_get(b, "uri"));
		json_object_set(e, "scope", json_object_get(b, "scope"));
		json_array_append_new(list, e);
	}
	json_object_set_new(out, "bases", list);
	return out;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct cfs_name_digest *)a)->name, ((const struct cfs_name_digest *)b)->name);
}

char *cfs_ledger_graph_composite(json_t *doc, const char *graph_id, const char *provider_addr,
				 const json_t *blob_policy)
{
	json_t *res = cfs_state_resources(doc), *e;
	char *schema_addr = cfs_xasprintf("schema.%s", graph_id);
	char *prefix = cfs_xasprintf("query.%s.", graph_id);
	size_t plen = strlen(prefix), n = 0;
	struct cfs_name_digest *q = cfs_xcalloc(json_object_size(res) + 1, sizeof(*q));
	const char *addr, *provider_digest = NULL;
	char *composite;

	json_object_foreach(res, addr, e) {
		if (strncmp(addr, prefix, plen))
			continue;
		q[n].name = addr + plen;
		q[n].digest = json_string_value(json_object_get(e, "digest"));
		n++;
	}
	cfs_qsort(q, n, sizeof(*q), cmp_name);
	if (provider_addr)
		provider_digest = cfs_ledger_digest(doc, provider_addr);
	composite = cfs_digest_graph(graph_id, cfs_ledger_digest(doc, schema_addr), q, n, provider_addr,
				     provider_digest, blob_policy);
	free(q);
	free(prefix);
	free(schema_addr);
	return composite;
}

void cfs_ledger_set_graph(json_t *doc, const char *graph_id, const char *provider_addr, const json_t *blob_policy)
{
	char *addr = cfs_xasprintf("graph.%s", graph_id);
	char *digest = cfs_ledger_graph_composite(doc, graph_id, provider_addr, blob_policy);
	json_t *e = json_object();

	json_object_set_new(e, "digest", json_string(digest));
	if (provider_addr)
		json_object_set_new(e, "embedding_provider", json_string(provider_addr));
	if (blob_policy)
		json_object_set_new(e, "external_blob_policy", json_deep_copy(blob_policy));
	json_object_set_new(cfs_state_resources(doc), addr, e);
	free(digest);
	free(addr);
}

void cfs_ledger_rebind_graph(json_t *doc, const char *graph_id, const char *schema_digest)
{
	char *gaddr = cfs_xasprintf("graph.%s", graph_id);
	char *saddr = cfs_xasprintf("schema.%s", graph_id);
	json_t *res = cfs_state_resources(doc), *s = json_object();
	json_t *old = json_object_get(res, gaddr);
	json_t *policy = cfs_ledger_blob_policy(old);
	const char *p = json_string_value(json_object_get(old, "embedding_provider"));
	char *provider = p ? cfs_xstrdup(p) : NULL;

	json_object_set_new(s, "digest", json_string(schema_digest));
	json_object_set_new(res, saddr, s);
	cfs_ledger_set_graph(doc, graph_id, provider, policy);
	free(provider);
	json_decref(policy);
	free(saddr);
	free(gaddr);
}

int cfs_ledger_check_composites(json_t *doc, struct cfs_diags *d)
{
	json_t *sorted = cfs_json_sorted(cfs_state_resources(doc)), *e;
	const char *addr;
	int rc = 0;

	/* address order, as the reference walks its sorted map */
	json_object_foreach(sorted, addr, e) {
		if (strncmp(addr, "graph.", 6))
			continue;
		json_t *policy = cfs_ledger_blob_policy(e);
		const char *provider = json_string_value(json_object_get(e, "embedding_provider"));
		char *want = cfs_ledger_graph_composite(doc, addr + 6, provider, policy);
		const char *have = json_string_value(json_object_get(e, "digest"));

		if (!have || strcmp(want, have)) {
			cfs_diag_error(d, "external_blob_policy_digest_mismatch", addr,
				       "the applied graph resource metadata is not bound by its composite digest; "
				       "restore the cluster state ledger from a trusted copy before retrying");
			rc = -1;
		}
		free(want);
		json_decref(policy);
	}
	json_decref(sorted);
	return rc;
}

/* Remove address and every key starting with prefix from map. */
static void remove_subtree(json_t *map, const char *gaddr, const char *saddr, const char *qprefix)
{
	size_t plen = strlen(qprefix);
	const char *key;
	json_t *v;
	void *tmp;

	json_object_del(map, gaddr);
	json_object_del(map, saddr);
	json_object_foreach_safe(map, tmp, key, v) {
		if (!strncmp(key, qprefix, plen))
			json_object_del(map, key);
	}
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

void cfs_ledger_tombstone(json_t *doc, const char *graph_id, const char *approval_id, const char *actor)
{
	char *gaddr = cfs_xasprintf("graph.%s", graph_id);
	char *saddr = cfs_xasprintf("schema.%s", graph_id);
	char *qprefix = cfs_xasprintf("query.%s.", graph_id);
	char now[CFS_RFC3339_LEN];
	json_t *t = json_object();

	remove_subtree(cfs_state_resources(doc), gaddr, saddr, qprefix);
	remove_subtree(cfs_ledger_map(doc, "resource_statuses"), gaddr, saddr, qprefix);
	cfs_now_rfc3339(now);
	json_object_set_new(t, "kind", json_string("tombstone"));
	json_object_set_new(t, "deleted_at", json_string(now));
	json_object_set_new(t, "approval_id", str_or_null(approval_id));
	json_object_set_new(t, "actor", str_or_null(actor));
	json_object_set_new(cfs_ledger_map(doc, "observations"), gaddr, t);
	free(qprefix);
	free(saddr);
	free(gaddr);
}

void cfs_ledger_consume_approval(json_t *doc, const char *approval_id, const char *operation)
{
	char now[CFS_RFC3339_LEN];
	json_t *r = json_object();

	cfs_now_rfc3339(now);
	json_object_set_new(r, "consumed_at", json_string(now));
	json_object_set_new(r, "consumed_by_operation", json_string(operation));
	json_object_set_new(cfs_ledger_map(doc, "approval_records"), approval_id, r);
}

void cfs_ledger_record_recovery(json_t *doc, const char *operation_id, const char *kind, const char *graph_id,
				const char *actor)
{
	char now[CFS_RFC3339_LEN];
	json_t *r = json_object();

	cfs_now_rfc3339(now);
	json_object_set_new(r, "kind", json_string(kind));
	json_object_set_new(r, "graph_id", json_string(graph_id));
	json_object_set_new(r, "outcome", json_string("rolled_forward"));
	json_object_set_new(r, "recovered_at", json_string(now));
	json_object_set_new(r, "actor", str_or_null(actor));
	json_object_set_new(cfs_ledger_map(doc, "recovery_records"), operation_id, r);
}

json_t *cfs_json_sorted(const json_t *map)
{
	size_t n = json_object_size(map), i = 0;
	const char **keys = cfs_xcalloc(n + 1, sizeof(*keys));
	json_t *out = json_object(), *v;
	const char *key;

	json_object_foreach((json_t *)map, key, v)
		keys[i++] = key;
	cfs_qsort(keys, i, sizeof(*keys), cfs_strptrcmp);
	for (size_t k = 0; k < i; k++)
		json_object_set(out, keys[k], json_object_get(map, keys[k]));
	free(keys);
	return out;
}

json_t *cfs_ledger_digest_map(json_t *doc)
{
	json_t *res = cfs_state_resources(doc), *flat = json_object(), *e, *out;
	const char *addr;

	json_object_foreach(res, addr, e) {
		json_t *dg = json_object_get(e, "digest");
		if (json_is_string(dg))
			json_object_set(flat, addr, dg);
	}
	out = cfs_json_sorted(flat);
	json_decref(flat);
	return out;
}
