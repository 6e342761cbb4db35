/*
 * policy_int: what the policy module's files share (decode.c: the YAML
 * layer of bundles and test files; policy.c: loading and validation;
 * decide.c: evaluation and test runs).  Not a public API.
 */
#ifndef CFS_POLICY_INT_H
#define CFS_POLICY_INT_H

#include "engine/policy/policy.h"

/* Action spellings indexed by enum cfs_policy_action, NULL-terminated. */
extern const char *const pol_action_names[];

/*
 * §2 step 1: the typed decode of a bundle (closed mappings, required keys,
 * known actions and scopes, no repeated keys).  groups come out sorted by
 * name.  0, or -1 with *err (caller frees) and *out freed.
 */
int pol_decode_bundle(const char *src, size_t len, struct cfs_policy *out, char **err);

struct pol_case {
	char *id, *actor;
	enum cfs_policy_action action;
	char *branch, *target_branch;   /* NULL = absent */
	bool expect_allow;
};

struct pol_tests {
	uint32_t version;
	struct pol_case *cases;         /* file order */
	size_t ncases;
};

/* §6: the typed decode of a policy test file; as pol_decode_bundle. */
int pol_decode_tests(const char *src, size_t len, struct pol_tests *out, char **err);
void pol_tests_free(struct pol_tests *t);

#endif
