/*
 * policy: authorization bundles (policy.md).  A bundle grants actions to
 * groups of actors; anything no rule grants is denied.  This module loads
 * and validates a bundle (§1-§2), decides requests against it (§3), covers
 * the runtime states without a bundle (§4), and runs policy test files
 * (§6).  The reference compiles bundles to Cedar; we need only the same
 * decision, matched rule id and message, so rules are matched directly.
 */
#ifndef CFS_POLICY_H
#define CFS_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* §1, in the reference's declaration order (the order of "expected one of"). */
enum cfs_policy_action {
	CFS_ACTION_READ,
	CFS_ACTION_EXPORT,
	CFS_ACTION_CHANGE,
	CFS_ACTION_SCHEMA_APPLY,
	CFS_ACTION_BRANCH_CREATE,
	CFS_ACTION_BRANCH_DELETE,
	CFS_ACTION_BRANCH_MERGE,
	CFS_ACTION_ADMIN,
	CFS_ACTION_GRAPH_LIST,
	CFS_ACTION_INVOKE_QUERY,
	CFS_ACTION_COUNT
};

enum cfs_policy_scope {
	CFS_SCOPE_NONE = 0,     /* key absent */
	CFS_SCOPE_ANY,
	CFS_SCOPE_PROTECTED,
	CFS_SCOPE_UNPROTECTED,
};

/* How a bundle is loaded (§2 step 3): every action must be of that kind. */
enum cfs_policy_kind {
	CFS_POLICY_GRAPH,       /* per-graph actions only */
	CFS_POLICY_SERVER,      /* graph_list only */
	CFS_POLICY_UNBOUND,     /* no kind alignment (a bundle binding both or nothing) */
};

struct cfs_policy_group {
	char *name;
	char **members;         /* as declared; repeats allowed */
	size_t nmembers;
};

struct cfs_policy_rule {
	char *id;
	char *group;
	enum cfs_policy_action *actions;        /* as declared, in order */
	size_t nactions;
	enum cfs_policy_scope branch_scope, target_branch_scope;
};

struct cfs_policy {
	uint32_t version;
	struct cfs_policy_group *groups;        /* sorted by name, unique */
	size_t ngroups;
	char **protected_branches;              /* as declared */
	size_t nprotected;
	struct cfs_policy_rule *rules;          /* file order */
	size_t nrules;
};

/* "read", "graph_list", ...; the parse is exact (no trimming or folding). */
const char *cfs_policy_action_name(enum cfs_policy_action a);
int cfs_policy_action_parse(const char *s, enum cfs_policy_action *out);   /* 0 or -1 */
/* true for graph_list, the one server-scoped action. */
bool cfs_policy_action_is_server(enum cfs_policy_action a);

/*
 * Load a bundle from YAML text: decode (§2 step 1; *err names the YAML path
 * and position), the semantic checks of §2 step 2 in order, then kind
 * alignment for kind GRAPH or SERVER.  Stops at the first failure.
 * Returns 0 with *out filled (free with cfs_policy_free), or -1 with *out
 * empty and *err set (caller frees).
 */
int cfs_policy_load(const char *src, size_t len, enum cfs_policy_kind kind, struct cfs_policy *out,
		    char **err);
void cfs_policy_free(struct cfs_policy *p);

/* A request, without identity: the actor is always a separate argument. */
struct cfs_policy_request {
	enum cfs_policy_action action;
	const char *branch;             /* NULL = branchless */
	const char *target_branch;      /* NULL = none */
};

enum cfs_authz {
	CFS_AUTHZ_ALLOW,
	CFS_AUTHZ_DENY,                 /* HTTP 403 */
	CFS_AUTHZ_UNAUTHENTICATED,      /* HTTP 401 `missing bearer token` */
};

struct cfs_decision {
	enum cfs_authz outcome;
	bool allowed;                   /* outcome == CFS_AUTHZ_ALLOW */
	const char *matched_rule_id;    /* points into the policy; NULL if none */
	char *message;                  /* owned; free with cfs_decision_free */
};

/*
 * §3: decide a request of actor against bundle p.  On allow the matched
 * rule is the byte-wise smallest matching id.  The message is the exact
 * text of §3.  Caller frees with cfs_decision_free.
 */
struct cfs_decision cfs_policy_decide(const struct cfs_policy *p, const char *actor,
				      const struct cfs_policy_request *req);

/*
 * §4: the runtime gate the server applies.  bundle is the bundle of the
 * request's scope (the cluster bundle for graph_list, else the graph's),
 * NULL if none; actor is the authenticated actor, NULL in open mode.
 * Without a bundle: graph_list is always denied (closed management
 * surface); in open mode everything else is allowed; an authenticated
 * actor may only `read`.  With a bundle, no actor is 401, else §3.
 * Allowed outcomes without a bundle carry an empty message.
 */
struct cfs_decision cfs_policy_authorize(const struct cfs_policy *bundle, const char *actor,
					 const struct cfs_policy_request *req);

void cfs_decision_free(struct cfs_decision *d);

/*
 * §6: run the policy test file src (YAML) against p.  Returns 0 when every
 * case got its expected decision (*msg NULL); 1 when some did not, with
 * *msg = "policy tests failed:" then "\n<id>: expected Allow but got deny"
 * per failed case, in file order;
 * -1 when the file is invalid (*msg = the YAML or validation error).
 * *ncases, if given, receives the number of cases run.  Caller frees *msg.
 */
int cfs_policy_run_tests(const struct cfs_policy *p, const char *src, size_t len, size_t *ncases,
			 char **msg);

#endif
