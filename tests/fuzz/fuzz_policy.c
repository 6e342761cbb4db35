/*
 * fuzz_policy: libFuzzer entry for policy bundles (policy.md §1-§3).  Any
 * input must either load or be refused with a message, under each kind; a
 * loaded bundle is then asked a few requests, and the input is also run as
 * a policy test file against it.  Crashes, leaks and sanitizer reports are
 * the bugs this finds.  Built by `make fuzz` and replayed by ctest over the
 * corpus and tests/fixtures/policy.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "engine/policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ask(const struct cfs_policy *p, const char *actor)
{
	for (int a = 0; a < CFS_ACTION_COUNT; a++) {
		struct cfs_policy_request req = { (enum cfs_policy_action)a, "main", a % 2 ? "feature" : NULL };
		struct cfs_decision d = cfs_policy_authorize(p, actor, &req);
		if (!d.message || (d.allowed && p && !d.matched_rule_id))
			abort();        /* an allow by a bundle names its rule */
		cfs_decision_free(&d);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;

	for (int k = CFS_POLICY_GRAPH; k <= CFS_POLICY_UNBOUND; k++) {
		struct cfs_policy p;
		char *err = NULL, *msg = NULL;
		if (cfs_policy_load(text, size, (enum cfs_policy_kind)k, &p, &err)) {
			if (!err || !*err)
				abort();        /* a refusal always carries a message */
			free(err);
			continue;
		}
		for (size_t g = 0; g < p.ngroups; g++)
			for (size_t m = 0; m < p.groups[g].nmembers; m++)
				ask(&p, p.groups[g].members[m]);
		ask(&p, "act-nobody");
		ask(NULL, "act-nobody");
		if (cfs_policy_run_tests(&p, text, size, NULL, &msg) && (!msg || !*msg))
			abort();
		free(msg);
		cfs_policy_free(&p);
	}
	return 0;
}
