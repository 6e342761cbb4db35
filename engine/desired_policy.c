/*
 * desired_policy: embedding provider profiles (cluster.md §2.4, §4.1 step
 * 6) and policy bundle bindings (§2.3, policy.md §5, step 8).
 */
#include "engine/desired_int.h"
#include "engine/digest.h"
#include "engine/policy/policy.h"
#include "core/fsutil.h"
#include "core/path.h"
#include "core/sha256.h"
#include "core/strbuf.h"

#include <stdlib.h>
#include <string.h>

/* ---- providers --------------------------------------------------------- */

/* api_key must be "${NAME}" (whitespace-trimmed, NAME not blank). */
static bool secret_ref(const char *v)
{
	size_t n;

	v += strspn(v, " \t\r\n");
	n = strlen(v);
	while (n && strchr(" \t\r\n", v[n - 1]))
		n--;
	if (n < 3 || strncmp(v, "${", 2) || v[n - 1] != '}')
		return false;
	for (size_t i = 2; i < n - 1; i++)
		if (!strchr(" \t\r\n", v[i]))
			return true;
	return false;
}

static void check_profile(struct load *l, const struct cfs_provider_cfg *p, const char *path)
{
	static const char *const kinds[] = { "openai-compatible", "openai", "gemini", "mock", NULL };
	bool known = !p->kind;

	for (int i = 0; kinds[i] && !known; i++)
		known = !strcmp(p->kind, kinds[i]);
	if (!known)
		cfs_diag_error(l->d, "invalid_embedding_provider", path,
			       "unknown embedding provider '%s' (expected openai-compatible|openai|gemini|mock)", p->kind);
	char *kpath = cfs_xasprintf("%s.api_key", path);
	if (p->api_key && !secret_ref(p->api_key))
		cfs_diag_error(l->d, "embedding_api_key_inline", kpath,
			       "embedding api_key must be a ${NAME} env reference, not an inline secret");
	else if (!p->api_key && !(p->kind && !strcmp(p->kind, "mock")))
		cfs_diag_error(l->d, "embedding_api_key_required", kpath,
			       "non-mock embedding providers must set api_key to a ${NAME} env reference");
	free(kpath);
}

void ld_load_providers(struct load *l)
{
	const struct cfs_config *cfg = &l->des->cfg;

	for (size_t i = 0; i < cfg->nproviders; i++) {
		const struct cfs_provider_cfg *p = &cfg->providers[i];
		char *path = cfs_xasprintf("providers.embedding.%s", p->name);
		char *digest = cfs_digest_provider(p);
		ld_check_id(l, "embedding provider name", path, p->name);
		check_profile(l, p, path);
		ld_add_resource(l, cfs_xasprintf("provider.embedding.%s", p->name), "embedding_provider", digest, NULL);
		free(digest);
		free(path);
	}
}

/* ---- policies ---------------------------------------------------------- */

static bool graph_declared(const struct cfs_config *cfg, const char *id)
{
	for (size_t i = 0; i < cfg->ngraphs; i++)
		if (!strcmp(cfg->graphs[i].id, id))
			return true;
	return false;
}

struct owners {         /* binding -> first policy that bound it */
	const char **binding, **policy;
	size_t n;
};

/*
 * Normalize applies_to (policy.md §5): `cluster`, `graph.<id>`, bare <id>;
 * other dotted values are the wrong kind.  Records deps and diagnostics.
 */
static void normalize_bindings(struct load *l, const struct cfs_policy_cfg *p,
			       struct cfs_desired_policy *dp, bool *binds_cluster, bool *binds_graph)
{
	char *addr = cfs_xasprintf("policy.%s", p->name);

	dp->bindings = cfs_xcalloc(p->napplies_to, sizeof(char *));
	for (size_t i = 0; i < p->napplies_to; i++) {
		const char *v = p->applies_to[i];
		char *ipath = cfs_xasprintf("policies.%s.applies_to[%zu]", p->name, i);
		const char *id = !strncmp(v, "graph.", 6) ? v + 6 : strchr(v, '.') ? NULL : v;
		if (!strcmp(v, "cluster")) {
			*binds_cluster = true;
			dp->bindings[dp->nbindings++] = cfs_xstrdup("cluster");
		} else if (!id) {
			cfs_diag_error(l->d, "wrong_kind_reference", ipath,
				       "policy applies_to expects graph refs or `cluster`, got `%s`", v);
		} else {
			*binds_graph = true;
			char *gaddr = cfs_xasprintf("graph.%s", id);
			dp->bindings[dp->nbindings++] = gaddr;
			if (graph_declared(&l->des->cfg, id))
				ld_add_dep(l, addr, gaddr);
			else
				cfs_diag_error(l->d, "dangling_graph_reference", ipath,
					       "policy references graph `%s`, but no graph with that id is declared", id);
		}
		free(ipath);
	}
	cfs_qsort(dp->bindings, dp->nbindings, sizeof(char *), cfs_strptrcmp);
	size_t w = 0;
	for (size_t i = 0; i < dp->nbindings; i++) {
		if (w && !strcmp(dp->bindings[w - 1], dp->bindings[i]))
			free(dp->bindings[i]);
		else
			dp->bindings[w++] = dp->bindings[i];
	}
	dp->nbindings = w;
	free(addr);
}

static void check_owners(struct load *l, const struct cfs_desired_policy *dp, struct owners *o)
{
	char *path = cfs_xasprintf("policies.%s.applies_to", dp->name);

	for (size_t i = 0; i < dp->nbindings; i++) {
		size_t j = 0;
		while (j < o->n && strcmp(o->binding[j], dp->bindings[i]))
			j++;
		if (j < o->n) {
			cfs_diag_error(l->d, "duplicate_policy_binding", path,
				       "policy bundles `%s` and `%s` both bind `%s`; merge them or leave exactly one bundle for that scope",
				       o->policy[j], dp->name, dp->bindings[i]);
			continue;
		}
		o->binding = cfs_xrealloc(o->binding, (o->n + 1) * sizeof(char *));
		o->policy = cfs_xrealloc(o->policy, (o->n + 1) * sizeof(char *));
		o->binding[o->n] = dp->bindings[i];
		o->policy[o->n++] = dp->name;
	}
	free(path);
}

/*
 * Step 8's file checks: read, digest, then load the bundle as the kind its
 * bindings give it (policy.md §5).  A bundle binding both kinds or nothing
 * already has a binding error; it is still parsed and checked, but not
 * aligned to a kind it cannot have.
 */
static void load_policy_file(struct load *l, const struct cfs_policy_cfg *p, bool binds_cluster,
			     bool binds_graph)
{
	char *fpath = cfs_xasprintf("policies.%s.file", p->name);
	char *resolved = cfs_path_join(l->des->config_dir, p->file);
	char *src, *err;
	size_t len;
	const char *why;

	if (!ld_path_ok(l, p->file, fpath)) {
		free(resolved);
	} else if (cfs_read_text(resolved, &src, &len, &why)) {
		cfs_diag_error(l->d, "policy_file_missing", fpath, "could not read policy file '%s': %s", resolved, why);
		free(resolved);
	} else {
		char hex[CFS_SHA256_HEX_LEN + 1];
		enum cfs_policy_kind kind = CFS_POLICY_UNBOUND;
		struct cfs_policy bundle;
		if (binds_cluster && !binds_graph)
			kind = CFS_POLICY_SERVER;
		else if (binds_graph && !binds_cluster)
			kind = CFS_POLICY_GRAPH;
		cfs_sha256_hex(src, len, hex);
		if (cfs_policy_load(src, len, kind, &bundle, &err)) {
			cfs_diag_error(l->d, "policy_invalid", fpath, "policy file '%s' is invalid: %s", resolved, err);
			free(err);
		} else {
			cfs_policy_free(&bundle);
		}
		ld_add_resource(l, cfs_xasprintf("policy.%s", p->name), "policy", hex, resolved);
		free(src);
	}
	free(fpath);
}

void ld_load_policies(struct load *l)
{
	const struct cfs_config *cfg = &l->des->cfg;
	struct owners o = { NULL, NULL, 0 };

	l->des->policies = cfs_xcalloc(cfg->npolicies, sizeof(*l->des->policies));
	for (size_t i = 0; i < cfg->npolicies; i++) {
		const struct cfs_policy_cfg *p = &cfg->policies[i];
		struct cfs_desired_policy *dp = &l->des->policies[i];
		char *path = cfs_xasprintf("policies.%s", p->name);
		bool binds_cluster = false, binds_graph = false;

		dp->name = p->name;
		ld_check_id(l, "policy name", path, p->name);
		char *apath = cfs_xasprintf("%s.applies_to", path);
		if (!p->napplies_to)
			cfs_diag_error(l->d, "policy_missing_applies_to", apath,
				       "policy.applies_to must name `cluster` or at least one graph");
		normalize_bindings(l, p, dp, &binds_cluster, &binds_graph);
		if (binds_cluster && binds_graph)
			cfs_diag_error(l->d, "policy_mixed_binding_kinds", apath,
				       "one policy bundle cannot bind both `cluster` and graph scopes; split server and graph rules into separate bundles");
		free(apath);
		check_owners(l, dp, &o);
		load_policy_file(l, p, binds_cluster, binds_graph);
		free(path);
	}
	free(o.binding);
	free(o.policy);
}
