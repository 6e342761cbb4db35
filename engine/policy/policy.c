/*
 * policy: loading a bundle (policy.md §2): the YAML layer (decode.c), then
 * the semantic checks in the reference's order, then kind alignment.  The
 * first failure is the whole answer, so each check returns its message.
 */
#include "engine/policy/policy_int.h"
#include "core/strbuf.h"
#include "core/utf8.h"

#include <stdlib.h>
#include <string.h>

const char *cfs_policy_action_name(enum cfs_policy_action a)
{
	return a < CFS_ACTION_COUNT ? pol_action_names[a] : "?";
}

int cfs_policy_action_parse(const char *s, enum cfs_policy_action *out)
{
	for (int i = 0; i < CFS_ACTION_COUNT; i++) {
		if (!strcmp(pol_action_names[i], s)) {
			*out = (enum cfs_policy_action)i;
			return 0;
		}
	}
	return -1;
}

bool cfs_policy_action_is_server(enum cfs_policy_action a)
{
	return a == CFS_ACTION_GRAPH_LIST;
}

static bool uses_branch_scope(enum cfs_policy_action a)
{
	return a == CFS_ACTION_READ || a == CFS_ACTION_EXPORT || a == CFS_ACTION_CHANGE;
}

static bool uses_target_branch_scope(enum cfs_policy_action a)
{
	return a == CFS_ACTION_SCHEMA_APPLY || a == CFS_ACTION_BRANCH_CREATE ||
	       a == CFS_ACTION_BRANCH_DELETE || a == CFS_ACTION_BRANCH_MERGE;
}

/* ---- §2 step 2 --------------------------------------------------------- */

static char *check_groups(const struct cfs_policy *p)
{
	for (size_t i = 0; i < p->ngroups; i++) {
		const struct cfs_policy_group *g = &p->groups[i];
		if (cfs_utf8_blank(g->name))
			return cfs_xstrdup("policy group names must not be blank");
		if (!g->nmembers)
			return cfs_xasprintf("policy group '%s' must not be empty", g->name);
		for (size_t j = 0; j < g->nmembers; j++)
			if (cfs_utf8_blank(g->members[j]))
				return cfs_xasprintf("policy group '%s' contains a blank actor id", g->name);
	}
	for (size_t i = 0; i < p->nprotected; i++)
		if (cfs_utf8_blank(p->protected_branches[i]))
			return cfs_xstrdup("protected branch names must not be blank");
	return NULL;
}

static bool has_group(const struct cfs_policy *p, const char *name)
{
	for (size_t i = 0; i < p->ngroups; i++)
		if (!strcmp(p->groups[i].name, name))
			return true;
	return false;
}

/* The scope and kind checks of one rule, after its id and group. */
static char *check_actions(const struct cfs_policy_rule *r)
{
	bool server = false, graph = false;

	if (!r->nactions)
		return cfs_xasprintf("policy rule '%s' must include at least one action", r->id);
	if (r->branch_scope && r->target_branch_scope)
		return cfs_xasprintf("policy rule '%s' may specify branch_scope or target_branch_scope, not both",
				     r->id);
	for (size_t j = 0; r->branch_scope && j < r->nactions; j++)
		if (!uses_branch_scope(r->actions[j]))
			return cfs_xasprintf("policy rule '%s' uses branch_scope with unsupported action '%s'", r->id,
					     cfs_policy_action_name(r->actions[j]));
	for (size_t j = 0; r->target_branch_scope && j < r->nactions; j++)
		if (!uses_target_branch_scope(r->actions[j]))
			return cfs_xasprintf("policy rule '%s' uses target_branch_scope with unsupported action '%s'",
					     r->id, cfs_policy_action_name(r->actions[j]));
	for (size_t j = 0; j < r->nactions; j++) {
		if (cfs_policy_action_is_server(r->actions[j]))
			server = true;
		else
			graph = true;
	}
	if (server && graph)
		return cfs_xasprintf("policy rule '%s' mixes the server-scoped action `graph_list` with per-graph "
				     "actions; split into separate rules", r->id);
	/*
	 * The reference also refuses a scope key on a server-scoped rule, but
	 * graph_list supports neither key, so the checks above already did.
	 */
	return NULL;
}

static char *check_rules(const struct cfs_policy *p)
{
	for (size_t i = 0; i < p->nrules; i++) {
		const struct cfs_policy_rule *r = &p->rules[i];
		if (cfs_utf8_blank(r->id))
			return cfs_xstrdup("policy rule ids must not be blank");
		for (size_t k = 0; k < i; k++)
			if (!strcmp(p->rules[k].id, r->id))
				return cfs_xasprintf("duplicate policy rule id '%s'", r->id);
		if (cfs_utf8_blank(r->group))
			return cfs_xasprintf("policy rule '%s' must reference a non-blank group", r->id);
		if (!has_group(p, r->group))
			return cfs_xasprintf("policy rule '%s' references unknown group '%s'", r->id, r->group);
		char *err = check_actions(r);
		if (err)
			return err;
	}
	return NULL;
}

static char *validate(const struct cfs_policy *p)
{
	char *err;

	if (p->version != 1)
		return cfs_xstrdup("policy version must be 1");
	if ((err = check_groups(p)))
		return err;
	return check_rules(p);
}

/* ---- §2 step 3 --------------------------------------------------------- */

static char *check_kind(const struct cfs_policy *p, enum cfs_policy_kind kind)
{
	if (kind == CFS_POLICY_UNBOUND)
		return NULL;
	for (size_t i = 0; i < p->nrules; i++) {
		const struct cfs_policy_rule *r = &p->rules[i];
		for (size_t j = 0; j < r->nactions; j++) {
			bool server = cfs_policy_action_is_server(r->actions[j]);
			if (server && kind == CFS_POLICY_GRAPH)
				return cfs_xasprintf("policy rule '%s' uses server-scoped action '%s' in a Graph policy "
						     "file; move it to a server policy file", r->id,
						     cfs_policy_action_name(r->actions[j]));
			if (!server && kind == CFS_POLICY_SERVER)
				return cfs_xasprintf("policy rule '%s' uses per-graph action '%s' in a Server policy "
						     "file; move it to a per-graph policy file", r->id,
						     cfs_policy_action_name(r->actions[j]));
		}
	}
	return NULL;
}

int cfs_policy_load(const char *src, size_t len, enum cfs_policy_kind kind, struct cfs_policy *out,
		    char **err)
{
	*err = NULL;
	if (pol_decode_bundle(src, len, out, err))
		return -1;
	if (!(*err = validate(out)))
		*err = check_kind(out, kind);
	if (!*err)
		return 0;
	cfs_policy_free(out);
	return -1;
}

void cfs_policy_free(struct cfs_policy *p)
{
	for (size_t i = 0; i < p->ngroups; i++) {
		for (size_t j = 0; j < p->groups[i].nmembers; j++)
			free(p->groups[i].members[j]);
		free(p->groups[i].members);
		free(p->groups[i].name);
	}
	free(p->groups);
	for (size_t i = 0; i < p->nprotected; i++)
		free(p->protected_branches[i]);
	free(p->protected_branches);
	for (size_t i = 0; i < p->nrules; i++) {
		free(p->rules[i].id);
		free(p->rules[i].group);
		free(p->rules[i].actions);
	}
	free(p->rules);
	memset(p, 0, sizeof(*p));
}
