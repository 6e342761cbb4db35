/*
 * decide: evaluating requests (policy.md §3), the runtime states without a
 * bundle (§4), and policy test files (§6).  Rules only grant, so a request
 * is allowed iff some rule matches; there is no precedence to resolve.
 */
#include "engine/policy/policy_int.h"
#include "core/strbuf.h"
#include "core/utf8.h"

#include <stdlib.h>
#include <string.h>

#define MISSING_BEARER "missing bearer token"
#define DEFAULT_DENY                                                                                    \
	"server runs in default-deny mode (bearer tokens configured but no applied policy bundle). Only " \
	"`read` actions are permitted; configure a graph or cluster policy bundle in the cluster config, " \
	"run `omnigraph cluster apply`, and restart the server to enable other actions."
#define CLOSED_MANAGEMENT                                                                                \
	"server-scoped actions require an explicit cluster policy bundle applied with `omnigraph cluster " \
	"apply` and served after restart \xE2\x80\x94 the management surface is closed by default in every " \
	"runtime state, including --unauthenticated, so that server topology is never exposed without "   \
	"operator opt-in."

static bool in_list(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

static const struct cfs_policy_group *find_group(const struct cfs_policy *p, const char *name)
{
	for (size_t i = 0; i < p->ngroups; i++)
		if (!strcmp(p->groups[i].name, name))
			return &p->groups[i];
	return NULL;
}

static bool known_actor(const struct cfs_policy *p, const char *actor)
{
	for (size_t i = 0; i < p->ngroups; i++)
		if (in_list(p->groups[i].members, p->groups[i].nmembers, actor))
			return true;
	return false;
}

/* The scope table of §3: protected/unprotected need the branch present. */
static bool scope_holds(const struct cfs_policy *p, enum cfs_policy_scope scope, const char *branch)
{
	if (scope == CFS_SCOPE_NONE || scope == CFS_SCOPE_ANY)
		return true;
	if (!branch)
		return false;
	return in_list(p->protected_branches, p->nprotected, branch) == (scope == CFS_SCOPE_PROTECTED);
}

static bool rule_matches(const struct cfs_policy *p, const struct cfs_policy_rule *r, const char *actor,
			 const struct cfs_policy_request *req)
{
	bool has_action = false;

	for (size_t j = 0; j < r->nactions && !has_action; j++)
		has_action = r->actions[j] == req->action;
	if (!has_action)
		return false;
	const struct cfs_policy_group *g = find_group(p, r->group);
	if (!g || !in_list(g->members, g->nmembers, actor))
		return false;
	return scope_holds(p, r->branch_scope, req->branch) &&
	       scope_holds(p, r->target_branch_scope, req->target_branch);
}

static struct cfs_decision deny(enum cfs_authz outcome, char *message)
{
	return (struct cfs_decision){ outcome, false, NULL, message };
}

struct cfs_decision cfs_policy_decide(const struct cfs_policy *p, const char *actor,
				      const struct cfs_policy_request *req)
{
	const char *action = cfs_policy_action_name(req->action);
	const char *best = NULL;

	if (!known_actor(p, actor))
		return deny(CFS_AUTHZ_DENY, cfs_xasprintf("policy denied action '%s' for unknown actor '%s'",
							  action, actor));
	for (size_t i = 0; i < p->nrules; i++)
		if (rule_matches(p, &p->rules[i], actor, req) && (!best || strcmp(p->rules[i].id, best) < 0))
			best = p->rules[i].id;
	if (best)
		return (struct cfs_decision){ CFS_AUTHZ_ALLOW, true, best,
					      cfs_xasprintf("policy allowed action '%s' for actor '%s'", action, actor) };

	struct cfs_sb sb = CFS_SB_INIT;
	cfs_sb_addf(&sb, "policy denied action '%s'", action);
	if (req->branch)
		cfs_sb_addf(&sb, " on branch '%s'", req->branch);
	if (req->target_branch)
		cfs_sb_addf(&sb, " targeting branch '%s'", req->target_branch);
	cfs_sb_addf(&sb, " for actor '%s'", actor);
	return deny(CFS_AUTHZ_DENY, cfs_sb_detach(&sb));
}

struct cfs_decision cfs_policy_authorize(const struct cfs_policy *bundle, const char *actor,
					 const struct cfs_policy_request *req)
{
	if (!bundle) {
		/* The management surface stays closed in every runtime state. */
		if (cfs_policy_action_is_server(req->action))
			return deny(CFS_AUTHZ_DENY, cfs_xstrdup(CLOSED_MANAGEMENT));
		if (actor && req->action != CFS_ACTION_READ)
			return deny(CFS_AUTHZ_DENY, cfs_xstrdup(DEFAULT_DENY));
		return (struct cfs_decision){ CFS_AUTHZ_ALLOW, true, NULL, cfs_xstrdup("") };
	}
	if (!actor)
		return deny(CFS_AUTHZ_UNAUTHENTICATED, cfs_xstrdup(MISSING_BEARER));
	return cfs_policy_decide(bundle, actor, req);
}

void cfs_decision_free(struct cfs_decision *d)
{
	free(d->message);
	d->message = NULL;
	d->matched_rule_id = NULL;
}

/* ---- §6 ---------------------------------------------------------------- */

static char *check_tests(const struct pol_tests *t)
{
	if (t->version != 1)
		return cfs_xstrdup("policy test version must be 1");
	for (size_t i = 0; i < t->ncases; i++) {
		const struct pol_case *c = &t->cases[i];
		if (cfs_utf8_blank(c->id))
			return cfs_xstrdup("policy test case ids must not be blank");
		for (size_t k = 0; k < i; k++)
			if (!strcmp(t->cases[k].id, c->id))
				return cfs_xasprintf("duplicate policy test case id '%s'", c->id);
		if (cfs_utf8_blank(c->actor))
			return cfs_xasprintf("policy test case '%s' must not use a blank actor", c->id);
	}
	return NULL;
}

int cfs_policy_run_tests(const struct cfs_policy *p, const char *src, size_t len, size_t *ncases,
			 char **msg)
{
	struct pol_tests t;
	struct cfs_sb sb = CFS_SB_INIT;
	bool failed = false;

	if (ncases)
		*ncases = 0;
	if (pol_decode_tests(src, len, &t, msg))
		return -1;
	if ((*msg = check_tests(&t))) {
		pol_tests_free(&t);
		return -1;
	}
	cfs_sb_adds(&sb, "policy tests failed:");
	for (size_t i = 0; i < t.ncases; i++) {
		const struct pol_case *c = &t.cases[i];
		struct cfs_policy_request req = { c->action, c->branch, c->target_branch };
		struct cfs_decision d = cfs_policy_decide(p, c->actor, &req);
		if (d.allowed != c->expect_allow) {
			cfs_sb_addf(&sb, "\n%s: expected %s but got %s", c->id, c->expect_allow ? "Allow" : "Deny",
				    d.allowed ? "allow" : "deny");
			failed = true;
		}
		cfs_decision_free(&d);
	}
	if (ncases)
		*ncases = t.ncases;
	pol_tests_free(&t);
	if (!failed) {
		cfs_sb_release(&sb);
		return 0;
	}
	*msg = cfs_sb_detach(&sb);
	return 1;
}
