/*
 * plan: the diff, approval and classification rules of cluster.md §11 that
 * plan, apply and approve share.  Everything here is pure over the desired
 * cluster, the ledger document and the approval artifacts; the command
 * itself (lock, ledger read, previews) is in plan_run.c.
 */
#include "engine/plan.h"
#include "core/json.h"
#include "core/sha256.h"
#include "core/strbuf.h"
#include "engine/digest.h"
#include "ledger/state.h"

#include <stdlib.h>
#include <string.h>

const char *cfs_change_op_name(enum cfs_change_op op)
{
	switch (op) {
	case CFS_CHANGE_CREATE: return "create";
	case CFS_CHANGE_UPDATE: return "update";
	case CFS_CHANGE_DELETE: return "delete";
	}
	return "?";
}

const char *cfs_disposition_name(enum cfs_disposition d)
{
	switch (d) {
	case CFS_DISP_NONE: return NULL;
	case CFS_DISP_APPLIED: return "applied";
	case CFS_DISP_DERIVED: return "derived";
	case CFS_DISP_DEFERRED: return "deferred";
	case CFS_DISP_BLOCKED: return "blocked";
	}
	return NULL;
}

static const char *metadata_name(enum cfs_metadata_change m)
{
	switch (m) {
	case CFS_META_NONE: return NULL;
	case CFS_META_POLICY_BINDINGS: return "policy_bindings";
	case CFS_META_EMBEDDING_PROFILE: return "embedding_profile";
	}
	return NULL;
}

/* ------------------------------------------------------------ the diff */

static struct cfs_change *push(struct cfs_changes *ch, const char *resource, enum cfs_change_op op,
			       const char *before, const char *after)
{
	if (ch->n == ch->cap) {
		ch->cap = ch->cap ? 2 * ch->cap : 16;
		ch->v = cfs_xrealloc(ch->v, ch->cap * sizeof(*ch->v));
	}
	struct cfs_change *c = &ch->v[ch->n++];
	memset(c, 0, sizeof(*c));
	c->resource = cfs_xstrdup(resource);
	c->op = op;
	c->before_digest = before ? cfs_xstrdup(before) : NULL;
	c->after_digest = after ? cfs_xstrdup(after) : NULL;
	return c;
}

static int change_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cfs_change *)a)->resource, ((const struct cfs_change *)b)->resource);
}

struct cfs_change *cfs_changes_find(const struct cfs_changes *ch, const char *resource)
{
	for (size_t i = 0; i < ch->n; i++)
		if (!strcmp(ch->v[i].resource, resource))
			return &ch->v[i];
	return NULL;
}

void cfs_changes_free(struct cfs_changes *ch)
{
	for (size_t i = 0; i < ch->n; i++) {
		free(ch->v[i].resource);
		free(ch->v[i].before_digest);
		free(ch->v[i].after_digest);
		json_decref(ch->v[i].migration);
	}
	free(ch->v);
	memset(ch, 0, sizeof(*ch));
}

static const char *entry_digest(json_t *entry)
{
	return json_string_value(json_object_get(entry, "digest"));
}

/* The recorded applies_to equals the desired (sorted, unique) bindings. */
static bool same_bindings(json_t *recorded, const struct cfs_desired_policy *p)
{
	if (!json_is_array(recorded) || json_array_size(recorded) != p->nbindings)
		return false;
	for (size_t i = 0; i < p->nbindings; i++) {
		const char *s = json_string_value(json_array_get(recorded, i));
		if (!s || strcmp(s, p->bindings[i]))
			return false;
	}
	return true;
}

/* A metadata update (before = after = ledger digest) for a desired entry
 * that is recorded with no content change. */
static json_t *metadata_candidate(const struct cfs_changes *ch, json_t *res, const char *addr)
{
	json_t *entry = json_object_get(res, addr);

	if (!entry || cfs_changes_find(ch, addr) || !entry_digest(entry))
		return NULL;
	return entry;
}

static void metadata_updates(const struct cfs_desired *des, json_t *res, struct cfs_changes *ch)
{
	for (size_t i = 0; i < des->cfg.npolicies; i++) {
		char *addr = cfs_xasprintf("policy.%s", des->cfg.policies[i].name);
		json_t *entry = metadata_candidate(ch, res, addr);
		if (entry && !same_bindings(json_object_get(entry, "applies_to"), &des->policies[i])) {
			const char *d = entry_digest(entry);
			struct cfs_change *c = push(ch, addr, CFS_CHANGE_UPDATE, d, d);
			c->binding_change = true;
			c->metadata_change = CFS_META_POLICY_BINDINGS;
		}
		free(addr);
	}
	for (size_t i = 0; i < des->cfg.nproviders; i++) {
		char *addr = cfs_xasprintf("provider.embedding.%s", des->cfg.providers[i].name);
		json_t *entry = metadata_candidate(ch, res, addr);
		if (entry) {
			json_t *want = cfs_provider_profile_json(&des->cfg.providers[i]);
			json_t *have = json_object_get(entry, "embedding_profile");
			if (!have || !json_equal(have, want)) {
				const char *d = entry_digest(entry);
				push(ch, addr, CFS_CHANGE_UPDATE, d, d)->metadata_change = CFS_META_EMBEDDING_PROFILE;
			}
			json_decref(want);
		}
		free(addr);
	}
}

void cfs_plan_diff(const struct cfs_desired *des, json_t *ledger, bool with_metadata, struct cfs_changes *out)
{
	json_t *res = ledger ? cfs_state_resources(ledger) : NULL;
	const char *addr;
	json_t *entry;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < des->nresources; i++) {
		const struct cfs_resource *r = &des->resources[i];
		json_t *e = res ? json_object_get(res, r->address) : NULL;
		const char *before = e ? entry_digest(e) : NULL;
		if (!e)
			push(out, r->address, CFS_CHANGE_CREATE, NULL, r->digest);
		else if (!before || strcmp(before, r->digest))
			push(out, r->address, CFS_CHANGE_UPDATE, before, r->digest);
	}
	json_object_foreach(res, addr, entry) {
		if (!cfs_desired_find(des, addr))
			push(out, addr, CFS_CHANGE_DELETE, entry_digest(entry), NULL);
	}
	if (with_metadata && res)
		metadata_updates(des, res, out);
	cfs_qsort(out->v, out->n, sizeof(*out->v), change_cmp);
}

/* ------------------------------------------------------------ approvals */

void cfs_plan_mark_approved(struct cfs_changes *ch, const struct cfs_approvals *arts, const char *config_digest,
			    struct cfs_diags *d)
{
	for (size_t i = 0; i < ch->n; i++) {
		struct cfs_change *c = &ch->v[i];
		bool candidates = false;
		for (size_t k = 0; k < arts->n; k++) {
			const struct cfs_approval *a = &arts->v[k];
			if (a->consumed_at || strcmp(a->resource, c->resource))
				continue;
			candidates = true;
			if (cfs_approval_valid_for(a, c->resource, config_digest, c->before_digest, c->after_digest))
				c->approved = true;
		}
		if (candidates && !c->approved)
			cfs_diag_warn(d, "approval_stale", c->resource,
				      "an approval artifact exists but its bound digests no longer match the plan; re-run `cluster approve`");
	}
}

/* ------------------------------------------------------------ classification */

enum addr_kind { K_GRAPH, K_SCHEMA, K_QUERY, K_POLICY, K_PROVIDER, K_UNKNOWN };

/* The kind of an address and, for graph/schema/query, its graph id
 * (caller frees *graph). */
static enum addr_kind addr_kind(const char *addr, char **graph)
{
	const char *rest, *dot;

	*graph = NULL;
	if (!strncmp(addr, "graph.", 6)) {
		*graph = cfs_xstrdup(addr + 6);
		return K_GRAPH;
	}
	if (!strncmp(addr, "schema.", 7)) {
		*graph = cfs_xstrdup(addr + 7);
		return K_SCHEMA;
	}
	if (!strncmp(addr, "query.", 6)) {
		rest = addr + 6;
		dot = strchr(rest, '.');
		if (!dot)
			return K_UNKNOWN;
		*graph = cfs_xstrndup(rest, (size_t)(dot - rest));
		return K_QUERY;
	}
	if (!strncmp(addr, "policy.", 7))
		return K_POLICY;
	if (!strncmp(addr, "provider.embedding.", 19))
		return K_PROVIDER;
	return K_UNKNOWN;
}

/* The change of <prefix>.<graph> with operation op, if any. */
static const struct cfs_change *graph_change(const struct cfs_changes *ch, const char *prefix, const char *g,
					     enum cfs_change_op op)
{
	char *addr = cfs_xasprintf("%s.%s", prefix, g);
	const struct cfs_change *c = cfs_changes_find(ch, addr);

	free(addr);
	return c && c->op == op ? c : NULL;
}

struct classify_ctx {
	const struct cfs_changes *ch;
	const struct cfs_desired *des;
	const char *const *pending;
	size_t npending;
};

static bool is_pending(const struct classify_ctx *x, const char *g)
{
	for (size_t i = 0; i < x->npending; i++)
		if (!strcmp(x->pending[i], g))
			return true;
	return false;
}

static bool graph_created(const struct classify_ctx *x, const char *g)
{
	return graph_change(x->ch, "graph", g, CFS_CHANGE_CREATE) != NULL;
}

static bool graph_deleted(const struct classify_ctx *x, const char *g)
{
	return graph_change(x->ch, "graph", g, CFS_CHANGE_DELETE) != NULL;
}

/* schema-pending: a schema delete, or a schema create without a graph create. */
static bool schema_pending(const struct classify_ctx *x, const char *g)
{
	return graph_change(x->ch, "schema", g, CFS_CHANGE_DELETE) ||
	       (graph_change(x->ch, "schema", g, CFS_CHANGE_CREATE) && !graph_created(x, g));
}

/* rides(g): the graph delete is approved and nothing is pending. */
static bool rides(const struct classify_ctx *x, const char *g)
{
	const struct cfs_change *del = graph_change(x->ch, "graph", g, CFS_CHANGE_DELETE);

	return del && del->approved && !is_pending(x, g);
}

static void set(struct cfs_change *c, enum cfs_disposition d, const char *reason)
{
	c->disposition = d;
	c->reason = reason;
}

#define PENDING "cluster_recovery_pending"
#define APPROVAL "approval_required"
#define UNSUPPORTED "apply_unsupported_kind"
#define DEPENDENCY "dependency_not_applied"

static void classify_graph(const struct classify_ctx *x, struct cfs_change *c, const char *g)
{
	switch (c->op) {
	case CFS_CHANGE_CREATE:
		if (is_pending(x, g))
			set(c, CFS_DISP_BLOCKED, PENDING);
		else
			set(c, CFS_DISP_APPLIED, NULL);
		break;
	case CFS_CHANGE_UPDATE:
		if (schema_pending(x, g))
			set(c, CFS_DISP_DEFERRED, UNSUPPORTED);
		else
			set(c, CFS_DISP_DERIVED, NULL);
		break;
	case CFS_CHANGE_DELETE:
		if (is_pending(x, g))
			set(c, CFS_DISP_BLOCKED, PENDING);
		else if (rides(x, g))
			set(c, CFS_DISP_APPLIED, NULL);
		else
			set(c, CFS_DISP_BLOCKED, APPROVAL);
		break;
	}
}

static void classify_schema(const struct classify_ctx *x, struct cfs_change *c, const char *g)
{
	switch (c->op) {
	case CFS_CHANGE_CREATE:
		if (graph_created(x, g) && !is_pending(x, g))
			set(c, CFS_DISP_APPLIED, NULL);
		else
			set(c, CFS_DISP_BLOCKED, PENDING);
		break;
	case CFS_CHANGE_UPDATE:
		if (!is_pending(x, g))
			set(c, CFS_DISP_APPLIED, NULL);
		else
			set(c, CFS_DISP_BLOCKED, PENDING);
		break;
	case CFS_CHANGE_DELETE:
		if (!graph_deleted(x, g))
			set(c, CFS_DISP_DEFERRED, UNSUPPORTED);
		else if (rides(x, g))
			set(c, CFS_DISP_APPLIED, NULL);
		else if (is_pending(x, g))
			set(c, CFS_DISP_BLOCKED, PENDING);
		else
			set(c, CFS_DISP_BLOCKED, APPROVAL);
		break;
	}
}

static void classify_query(const struct classify_ctx *x, struct cfs_change *c, const char *g)
{
	if (c->op == CFS_CHANGE_DELETE) {
		if (rides(x, g))
			set(c, CFS_DISP_APPLIED, NULL);
		else if (graph_deleted(x, g))
			set(c, CFS_DISP_BLOCKED, APPROVAL);
		else
			set(c, CFS_DISP_APPLIED, NULL);
	} else if (is_pending(x, g)) {
		set(c, CFS_DISP_BLOCKED, PENDING);
	} else if (schema_pending(x, g)) {
		set(c, CFS_DISP_BLOCKED, DEPENDENCY);
	} else {
		set(c, CFS_DISP_APPLIED, NULL);
	}
}

/* A policy create/update bound (by a desired edge) to a pending graph. */
static bool policy_bound_to_pending(const struct classify_ctx *x, const char *addr)
{
	for (size_t i = 0; i < x->des->ndeps; i++) {
		const struct cfs_dependency *e = &x->des->deps[i];
		if (!strcmp(e->from, addr) && !strncmp(e->to, "graph.", 6) && is_pending(x, e->to + 6))
			return true;
	}
	return false;
}

void cfs_plan_classify(struct cfs_changes *ch, const struct cfs_desired *des, const char *const *pending,
		       size_t npending)
{
	struct classify_ctx x = { ch, des, pending, npending };

	for (size_t i = 0; i < ch->n; i++) {
		struct cfs_change *c = &ch->v[i];
		char *g;
		switch (addr_kind(c->resource, &g)) {
		case K_GRAPH:
			classify_graph(&x, c, g);
			break;
		case K_SCHEMA:
			classify_schema(&x, c, g);
			break;
		case K_QUERY:
			classify_query(&x, c, g);
			break;
		case K_POLICY:
			if (c->op != CFS_CHANGE_DELETE && policy_bound_to_pending(&x, c->resource))
				set(c, CFS_DISP_BLOCKED, PENDING);
			else
				set(c, CFS_DISP_APPLIED, NULL);
			break;
		case K_PROVIDER:
			set(c, CFS_DISP_APPLIED, NULL);
			break;
		case K_UNKNOWN:
			set(c, CFS_DISP_DEFERRED, UNSUPPORTED);
			break;
		}
		free(g);
	}
}

/* ------------------------------------------------------------ gates, blast radius */

void cfs_plan_gates(const struct cfs_changes *ch, struct cfs_gates *out)
{
	struct classify_ctx x = { ch, NULL, NULL, 0 };

	out->v = cfs_xcalloc(ch->n ? ch->n : 1, sizeof(*out->v));
	out->n = 0;
	for (size_t i = 0; i < ch->n; i++) {
		const struct cfs_change *c = &ch->v[i];
		char *g;
		enum addr_kind k = addr_kind(c->resource, &g);
		bool gated = c->op == CFS_CHANGE_DELETE &&
			     (k == K_GRAPH || (k == K_SCHEMA && !graph_deleted(&x, g)));
		if (gated)
			out->v[out->n++] = (struct cfs_gate){ c->resource, c->approved };
		free(g);
	}
}

void cfs_gates_free(struct cfs_gates *g)
{
	free(g->v);
	g->v = NULL;
	g->n = 0;
}

const struct cfs_gate *cfs_gates_find(const struct cfs_gates *g, const char *resource)
{
	for (size_t i = 0; i < g->n; i++)
		if (!strcmp(g->v[i].resource, resource))
			return &g->v[i];
	return NULL;
}

json_t *cfs_blast_radius_json(const struct cfs_changes *ch, const struct cfs_desired *des)
{
	json_t *out = json_array();

	for (size_t i = 0; i < ch->n; i++) {
		json_t *affected = json_array();
		for (size_t k = 0; k < des->ndeps; k++)
			if (!strcmp(des->deps[k].to, ch->v[i].resource))
				json_array_append_new(affected, json_string(des->deps[k].from));
		if (!json_array_size(affected)) {
			json_decref(affected);
			continue;
		}
		json_t *o = json_object();
		json_object_set_new(o, "resource", json_string(ch->v[i].resource));
		json_object_set_new(o, "affected", affected);
		json_array_append_new(out, o);
	}
	return out;
}

/* ------------------------------------------------------------ JSON */

json_t *cfs_change_json(const struct cfs_change *c)
{
	json_t *o = json_object();
	const char *disp = cfs_disposition_name(c->disposition), *meta = metadata_name(c->metadata_change);

	json_object_set_new(o, "resource", json_string(c->resource));
	json_object_set_new(o, "operation", json_string(cfs_change_op_name(c->op)));
	if (c->before_digest)
		json_object_set_new(o, "before_digest", json_string(c->before_digest));
	if (c->after_digest)
		json_object_set_new(o, "after_digest", json_string(c->after_digest));
	if (disp)
		json_object_set_new(o, "disposition", json_string(disp));
	if (c->reason)
		json_object_set_new(o, "reason", json_string(c->reason));
	if (c->binding_change)
		json_object_set_new(o, "binding_change", json_true());
	if (meta)
		json_object_set_new(o, "metadata_change", json_string(meta));
	if (c->migration)
		json_object_set(o, "migration", c->migration);
	return o;
}

json_t *cfs_changes_json(const struct cfs_changes *ch)
{
	json_t *a = json_array();

	for (size_t i = 0; i < ch->n; i++)
		json_array_append_new(a, cfs_change_json(&ch->v[i]));
	return a;
}

json_t *cfs_gates_json(const struct cfs_gates *g)
{
	json_t *a = json_array();

	for (size_t i = 0; i < g->n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "resource", json_string(g->v[i].resource));
		json_object_set_new(o, "reason", json_string(CFS_APPROVAL_REASON));
		json_object_set_new(o, "satisfied", json_boolean(g->v[i].satisfied));
		json_array_append_new(a, o);
	}
	return a;
}

char *cfs_plan_digest(const char *config_digest, const char *state_cas, const struct cfs_changes *ch)
{
	json_t *a = cfs_changes_json(ch);
	char *text = cfs_json_compact(a, 0);
	struct cfs_sb sb = CFS_SB_INIT;
	char hex[CFS_SHA256_HEX_LEN + 1];

	/* fs.md: the config, the ledger it was planned against (its CAS, or
	 * the fact that there is none) and the change list, so a digest can be
	 * applied at most once: every ledger write changes the CAS */
	cfs_sb_adds(&sb, "clusterfs-plan");
	cfs_sb_addc(&sb, '\0');
	cfs_sb_adds(&sb, config_digest ? config_digest : "");
	cfs_sb_addc(&sb, '\0');
	cfs_sb_adds(&sb, state_cas ? state_cas : "no-state");
	cfs_sb_addc(&sb, '\0');
	cfs_sb_adds(&sb, text);
	cfs_sha256_hex(sb.buf, sb.len, hex);
	cfs_sb_release(&sb);
	free(text);
	json_decref(a);
	return cfs_xstrdup(hex);
}
