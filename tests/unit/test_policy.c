/*
 * Unit tests for policy bundles (policy.md): the YAML layer (§1, §2 step 1),
 * every semantic message of §2 in its order with first-failure-wins cases,
 * kind alignment both ways (§2 step 3), evaluation (§3) over the worked
 * examples A-D in $CFS_FIXTURES/policy, the runtime states without a bundle
 * (§4), and policy test files (§6).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "engine/policy/policy.h"

/* ---- helpers ----------------------------------------------------------- */

static char *fixture(const char *name, size_t *len)
{
	const char *root = getenv("CFS_FIXTURES");
	char *path = cfs_xasprintf("%s/policy/%s", root && *root ? root : "tests/fixtures", name);
	FILE *f = fopen(path, "rb");
	struct cfs_sb sb = CFS_SB_INIT;
	char buf[4096];
	size_t n;

	if (!f)
		print_error("cannot open fixture %s\n", path);
	assert_non_null(f);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		cfs_sb_add(&sb, buf, n);
	fclose(f);
	free(path);
	*len = sb.len;
	return sb.buf ? cfs_sb_detach(&sb) : cfs_xstrdup("");
}

static void load_ok(const char *text, enum cfs_policy_kind kind, struct cfs_policy *p)
{
	char *err = NULL;
	int rc = cfs_policy_load(text, strlen(text), kind, p, &err);

	if (rc)
		print_error("unexpected load failure: %s\n", err ? err : "(no message)");
	assert_int_equal(rc, 0);
	assert_null(err);
}

static void load_fixture(const char *name, enum cfs_policy_kind kind, struct cfs_policy *p)
{
	size_t len;
	char *text = fixture(name, &len);

	load_ok(text, kind, p);
	free(text);
}

/* Loading must fail with exactly want. */
static void expect_err(const char *text, enum cfs_policy_kind kind, const char *want)
{
	struct cfs_policy p;
	char *err = NULL;
	int rc = cfs_policy_load(text, strlen(text), kind, &p, &err);

	assert_int_equal(rc, -1);
	assert_non_null(err);
	if (strcmp(err, want))
		print_error("got  \"%s\"\nwant \"%s\"\n", err, want);
	assert_string_equal(err, want);
	assert_int_equal(p.nrules, 0);
	assert_null(p.groups);
	free(err);
}

static void expect_graph_err(const char *text, const char *want)
{
	expect_err(text, CFS_POLICY_GRAPH, want);
}

static void expect_decision(const struct cfs_policy *p, const char *actor, enum cfs_policy_action action,
			    const char *branch, const char *target, const char *rule, const char *msg)
{
	struct cfs_policy_request req = { action, branch, target };
	struct cfs_decision d = cfs_policy_decide(p, actor, &req);

	if (strcmp(d.message, msg))
		print_error("got  \"%s\"\nwant \"%s\"\n", d.message, msg);
	assert_string_equal(d.message, msg);
	assert_int_equal(d.allowed, rule != NULL);
	assert_int_equal(d.outcome, rule ? CFS_AUTHZ_ALLOW : CFS_AUTHZ_DENY);
	if (rule)
		assert_string_equal(d.matched_rule_id, rule);
	else
		assert_null(d.matched_rule_id);
	cfs_decision_free(&d);
}

static void expect_allow(const struct cfs_policy *p, const char *actor, enum cfs_policy_action action,
			 const char *branch, const char *target, const char *rule)
{
	char *msg = cfs_xasprintf("policy allowed action '%s' for actor '%s'", cfs_policy_action_name(action),
				  actor);

	expect_decision(p, actor, action, branch, target, rule, msg);
	free(msg);
}

static void expect_deny(const struct cfs_policy *p, const char *actor, enum cfs_policy_action action,
			const char *branch, const char *target, const char *msg)
{
	expect_decision(p, actor, action, branch, target, NULL, msg);
}

/* A bundle with one group `team` and the given rules section. */
#define TEAM "version: 1\ngroups:\n  team: [act-a]\nprotected_branches: [main]\n"

/* ---- decoding a good bundle -------------------------------------------- */

static void test_load_fields(void **state)
{
	struct cfs_policy p;

	(void)state;
	load_fixture("example-a.yaml", CFS_POLICY_GRAPH, &p);
	assert_int_equal(p.version, 1);
	assert_int_equal(p.ngroups, 2);
	/* groups come out in name order, members as declared */
	assert_string_equal(p.groups[0].name, "admins");
	assert_int_equal(p.groups[0].nmembers, 1);
	assert_string_equal(p.groups[1].name, "team");
	assert_int_equal(p.groups[1].nmembers, 3);
	assert_string_equal(p.groups[1].members[2], "act-ragnor");
	assert_int_equal(p.nprotected, 1);
	assert_string_equal(p.protected_branches[0], "main");
	assert_int_equal(p.nrules, 4);
	assert_string_equal(p.rules[0].id, "team-read");
	assert_int_equal(p.rules[0].branch_scope, CFS_SCOPE_ANY);
	assert_int_equal(p.rules[0].target_branch_scope, CFS_SCOPE_NONE);
	assert_string_equal(p.rules[2].group, "team");
	assert_int_equal(p.rules[2].branch_scope, CFS_SCOPE_UNPROTECTED);
	assert_string_equal(p.rules[3].id, "admins-merge");
	assert_int_equal(p.rules[3].nactions, 2);
	assert_int_equal(p.rules[3].actions[0], CFS_ACTION_BRANCH_DELETE);
	assert_int_equal(p.rules[3].actions[1], CFS_ACTION_BRANCH_MERGE);
	assert_int_equal(p.rules[3].target_branch_scope, CFS_SCOPE_PROTECTED);
	cfs_policy_free(&p);
	assert_null(p.rules);
}

static void test_load_defaults(void **state)
{
	struct cfs_policy p;

	(void)state;
	/* empty groups/rules are valid in every kind; the bundle denies everything */
	for (int k = CFS_POLICY_GRAPH; k <= CFS_POLICY_UNBOUND; k++) {
		load_ok("version: 1\n", (enum cfs_policy_kind)k, &p);
		assert_int_equal(p.ngroups + p.nprotected + p.nrules, 0);
		cfs_policy_free(&p);
		load_ok("version: 1\ngroups:\nprotected_branches:\nrules:\n", (enum cfs_policy_kind)k, &p);
		assert_int_equal(p.ngroups + p.nprotected + p.nrules, 0);
		cfs_policy_free(&p);
		load_ok("version: 1\ngroups: {}\nprotected_branches: []\nrules: []\n", (enum cfs_policy_kind)k, &p);
		cfs_policy_free(&p);
	}
	/* unreferenced groups are fine; `branch_scope: ~` is no scope */
	load_ok("version: 1\ngroups:\n  team: [act-a]\n  idle: [act-b]\nrules:\n  - id: r\n"
		"    allow: {actors: {group: team}, actions: [read], branch_scope: ~, target_branch_scope: null}\n",
		CFS_POLICY_GRAPH, &p);
	assert_int_equal(p.rules[0].branch_scope, CFS_SCOPE_NONE);
	assert_int_equal(p.rules[0].target_branch_scope, CFS_SCOPE_NONE);
	cfs_policy_free(&p);
	/* every action spelling, each in its own rule */
	struct cfs_sb sb = CFS_SB_INIT;
	cfs_sb_adds(&sb, TEAM "rules:\n");
	for (int a = 0; a < CFS_ACTION_COUNT; a++)
		if (a != CFS_ACTION_GRAPH_LIST)
			cfs_sb_addf(&sb, "  - {id: r%d, allow: {actors: {group: team}, actions: [%s]}}\n", a,
				    cfs_policy_action_name((enum cfs_policy_action)a));
	load_ok(cfs_sb_str(&sb), CFS_POLICY_GRAPH, &p);
	assert_int_equal(p.nrules, CFS_ACTION_COUNT - 1);
	cfs_policy_free(&p);
	cfs_sb_release(&sb);
}

static void test_action_names(void **state)
{
	enum cfs_policy_action a;

	(void)state;
	for (int i = 0; i < CFS_ACTION_COUNT; i++) {
		assert_int_equal(cfs_policy_action_parse(cfs_policy_action_name((enum cfs_policy_action)i), &a), 0);
		assert_int_equal(a, i);
	}
	assert_string_equal(cfs_policy_action_name(CFS_ACTION_SCHEMA_APPLY), "schema_apply");
	assert_string_equal(cfs_policy_action_name(CFS_ACTION_INVOKE_QUERY), "invoke_query");
	assert_int_equal(cfs_policy_action_parse("Read", &a), -1);
	assert_int_equal(cfs_policy_action_parse(" read", &a), -1);
	assert_int_equal(cfs_policy_action_parse("deny", &a), -1);
	assert_true(cfs_policy_action_is_server(CFS_ACTION_GRAPH_LIST));
	assert_false(cfs_policy_action_is_server(CFS_ACTION_ADMIN));
}

/* ---- §2 step 1: the YAML layer ----------------------------------------- */

#define ALLOW_FIELDS "expected one of `actors`, `actions`, `branch_scope`, `target_branch_scope`"
#define ACTIONS_LIST                                                                                  \
	"expected one of `read`, `export`, `change`, `schema_apply`, `branch_create`, `branch_delete`, " \
	"`branch_merge`, `admin`, `graph_list`, `invoke_query`"

static void test_yaml_unknown_keys(void **state)
{
	(void)state;
	expect_graph_err("version: 1\nrule: []\n",
			 "unknown field `rule`, expected one of `version`, `groups`, `protected_branches`, `rules` "
			 "at line 2 column 1");
	/* a typo must never widen access */
	expect_graph_err(TEAM "rules:\n  - id: r\n    allow:\n      actors: {group: team}\n      actions: [change]\n"
			      "      branch_scpoe: unprotected\n",
			 "rules[0].allow: unknown field `branch_scpoe`, " ALLOW_FIELDS " at line 10 column 7");
	/* there is no deny rule */
	expect_graph_err(TEAM "rules:\n  - id: r\n    deny: {actors: {group: team}, actions: [read]}\n",
			 "rules[0]: unknown field `deny`, expected `id` or `allow` at line 7 column 5");
	expect_graph_err(TEAM "rules:\n  - id: r\n    allow: {actors: {group: team}, actions: [read], deny: true}\n",
			 "rules[0].allow: unknown field `deny`, " ALLOW_FIELDS " at line 7 column 53");
	expect_graph_err(TEAM "rules:\n  - {id: r, allow: {actors: {group: team, actor: x}, actions: [read]}}\n",
			 "rules[0].allow.actors: unknown field `actor`, expected `group` at line 6 column 43");
}

static void test_yaml_unknown_values(void **state)
{
	(void)state;
	expect_graph_err(TEAM "rules:\n  - {id: r, allow: {actors: {group: team}, actions: [read, write]}}\n",
			 "rules[0].allow.actions[1]: unknown variant `write`, " ACTIONS_LIST " at line 6 column 60");
	/* no case folding */
	expect_graph_err(TEAM "rules:\n  - {id: r, allow: {actors: {group: team}, actions: [Read]}}\n",
			 "rules[0].allow.actions[0]: unknown variant `Read`, " ACTIONS_LIST " at line 6 column 54");
	expect_graph_err(TEAM "rules:\n  - {id: r, allow: {actors: {group: team}, actions: [read], "
			      "branch_scope: everywhere}}\n",
			 "rules[0].allow.branch_scope: unknown variant `everywhere`, expected one of `any`, "
			 "`protected`, `unprotected` at line 6 column 75");
	expect_graph_err(TEAM "rules:\n  - {id: r, allow: {actors: {group: team}, actions: [branch_merge], "
			      "target_branch_scope: \"\"}}\n",
			 "rules[0].allow.target_branch_scope: unknown variant ``, expected one of `any`, "
			 "`protected`, `unprotected` at line 6 column 90");
	expect_graph_err(TEAM "rules:\n  - {id: r, allow: {actors: {group: team}, actions: [{read: x}]}}\n",
			 "rules[0].allow.actions[0]: invalid type: map, expected a YAML tag starting with '!' "
			 "at line 6 column 54");
}

static void test_yaml_duplicates(void **state)
{
	(void)state;
	expect_graph_err("version: 1\nversion: 1\n", "duplicate field `version` at line 2 column 1");
	expect_graph_err("version: 1\ngroups:\n  team: [a]\n  team: [b]\n",
			 "groups: duplicate entry with key \"team\" at line 4 column 3");
	expect_graph_err(TEAM "rules:\n  - id: r\n    id: s\n    allow: {actors: {group: team}, actions: [read]}\n",
			 "rules[0]: duplicate field `id` at line 7 column 5");
	expect_graph_err(TEAM "rules:\n  - {id: r, allow: {actors: {group: team}, actions: [read], actions: [read]}}\n",
			 "rules[0].allow: duplicate field `actions` at line 6 column 61");
}

static void test_yaml_types(void **state)
{
	(void)state;
	expect_graph_err("version: \"1\"\n", "version: invalid type: string \"1\", expected u32 at line 1 column 10");
	expect_graph_err("version: -1\n", "version: invalid value: integer `-1`, expected u32 at line 1 column 10");
	expect_graph_err("version: 1.0\n",
			 "version: invalid type: floating point `1.0`, expected u32 at line 1 column 10");
	expect_graph_err("version: 1\ngroups: [team]\n",
			 "groups: invalid type: sequence, expected a map at line 2 column 9");
	expect_graph_err("version: 1\ngroups: ~\n", "groups: invalid type: unit value, expected a map at line 2 column 9");
	expect_graph_err("version: 1\ngroups:\n  team: act-a\n",
			 "groups.team: invalid type: string \"act-a\", expected a sequence at line 3 column 9");
	expect_graph_err("version: 1\ngroups:\n  team: [[act-a]]\n",
			 "groups.team[0]: invalid type: sequence, expected a string at line 3 column 10");
	expect_graph_err("version: 1\nprotected_branches: main\n",
			 "protected_branches: invalid type: string \"main\", expected a sequence at line 2 column 21");
	expect_graph_err("version: 1\nrules: {id: r}\n", "rules: invalid type: map, expected a sequence at line 2 column 8");
	expect_graph_err("version: 1\nrules: [x]\n",
			 "rules[0]: invalid type: string \"x\", expected struct PolicyRule at line 2 column 9");
	expect_graph_err(TEAM "rules:\n  - {id: r, allow: [read]}\n",
			 "rules[0].allow: invalid type: sequence, expected struct PolicyAllowRule at line 6 column 20");
	expect_graph_err(TEAM "rules:\n  - {id: r, allow: {actors: team, actions: [read]}}\n",
			 "rules[0].allow.actors: invalid type: string \"team\", expected struct PolicyActorSelector "
			 "at line 6 column 29");
	expect_graph_err(TEAM "rules:\n  - {id: r, allow: {actors: {group: team}, actions: read}}\n",
			 "rules[0].allow.actions: invalid type: string \"read\", expected a sequence at line 6 column 53");
	expect_graph_err(TEAM "rules:\n  - {id: [r], allow: {actors: {group: team}, actions: [read]}}\n",
			 "rules[0].id: invalid type: sequence, expected a string at line 6 column 10");
	expect_graph_err("- version: 1\n", "invalid type: sequence, expected struct PolicyConfig at line 1 column 1");
	expect_graph_err("just text\n",
			 "invalid type: string \"just text\", expected struct PolicyConfig at line 1 column 1");
}

static void test_yaml_missing(void **state)
{
	(void)state;
	expect_graph_err("", "missing field `version`");
	expect_graph_err("# only a comment\n", "missing field `version`");
	expect_graph_err("groups: {}\n", "missing field `version` at line 1 column 1");
	expect_graph_err(TEAM "rules:\n  - allow: {actors: {group: team}, actions: [read]}\n",
			 "rules[0]: missing field `id` at line 6 column 5");
	expect_graph_err(TEAM "rules:\n  - id: r\n", "rules[0]: missing field `allow` at line 6 column 5");
	expect_graph_err(TEAM "rules:\n  - id: r\n    allow:\n",
			 "rules[0].allow: missing field `actors` at line 7 column 11");
	expect_graph_err(TEAM "rules:\n  - {id: r, allow: {actions: [read]}}\n",
			 "rules[0].allow: missing field `actors` at line 6 column 20");
	expect_graph_err(TEAM "rules:\n  - {id: r, allow: {actors: {group: team}}}\n",
			 "rules[0].allow: missing field `actions` at line 6 column 20");
	expect_graph_err(TEAM "rules:\n  - {id: r, allow: {actors: {}, actions: [read]}}\n",
			 "rules[0].allow.actors: missing field `group` at line 6 column 29");
}

static void test_yaml_syntax(void **state)
{
	struct cfs_policy p;
	char *err = NULL;
	const char *text = "version: 1\nrules: [\n";

	(void)state;
	assert_int_equal(cfs_policy_load(text, strlen(text), CFS_POLICY_GRAPH, &p, &err), -1);
	assert_non_null(strstr(err, " at line "));
	free(err);
	expect_graph_err("version: 1\n---\nversion: 1\n",
			 "deserializing from YAML containing more than one document is not supported");
}

/* String fields take any scalar's text, so null-looking values reach §2. */
static void test_yaml_strings(void **state)
{
	struct cfs_policy p;

	(void)state;
	expect_graph_err(TEAM "rules:\n  - id:\n    allow: {actors: {group: team}, actions: [read]}\n",
			 "policy rule ids must not be blank");
	expect_graph_err("version: 1\ngroups:\n  team: [act-a, \"\"]\n",
			 "policy group 'team' contains a blank actor id");
	expect_graph_err("version: 1\ngroups:\n  team:\n", "policy group 'team' must not be empty");
	load_ok("version: 1\ngroups:\n  team: [~, 42, true]\nrules:\n  - {id: ~, allow: {actors: {group: team}, "
		"actions: [read]}}\n", CFS_POLICY_GRAPH, &p);
	assert_string_equal(p.groups[0].members[0], "~");
	assert_string_equal(p.groups[0].members[1], "42");
	assert_string_equal(p.rules[0].id, "~");
	cfs_policy_free(&p);
}

/* ---- §2 step 2: the semantic checks, one per row, in table order -------- */

static void test_semantic_messages(void **state)
{
	(void)state;
	expect_graph_err("version: 2\n", "policy version must be 1");
	expect_graph_err("version: 0\n", "policy version must be 1");
	expect_graph_err("version: 1\ngroups:\n  \" \": [act-a]\n", "policy group names must not be blank");
	expect_graph_err("version: 1\ngroups:\n  team: []\n", "policy group 'team' must not be empty");
	expect_graph_err("version: 1\ngroups:\n  team: [act-a, \"  \"]\n",
			 "policy group 'team' contains a blank actor id");
	expect_graph_err("version: 1\nprotected_branches: [main, \"\\t\"]\n", "protected branch names must not be blank");
	expect_graph_err(TEAM "rules:\n  - {id: \" \", allow: {actors: {group: team}, actions: [read]}}\n",
			 "policy rule ids must not be blank");
	expect_graph_err(TEAM "rules:\n  - {id: r, allow: {actors: {group: team}, actions: [read]}}\n"
			      "  - {id: r, allow: {actors: {group: team}, actions: [export]}}\n",
			 "duplicate policy rule id 'r'");
	expect_graph_err(TEAM "rules:\n  - {id: r, allow: {actors: {group: \"\"}, actions: [read]}}\n",
			 "policy rule 'r' must reference a non-blank group");
	expect_graph_err(TEAM "rules:\n  - {id: r, allow: {actors: {group: staff}, actions: [read]}}\n",
			 "policy rule 'r' references unknown group 'staff'");
	expect_graph_err(TEAM "rules:\n  - {id: r, allow: {actors: {group: team}, actions: []}}\n",
			 "policy rule 'r' must include at least one action");
	expect_graph_err(TEAM "rules:\n  - {id: r, allow: {actors: {group: team}, actions: [read], branch_scope: any, "
			      "target_branch_scope: any}}\n",
			 "policy rule 'r' may specify branch_scope or target_branch_scope, not both");
	expect_graph_err(TEAM "rules:\n  - {id: r, allow: {actors: {group: team}, actions: [read, branch_merge], "
			      "branch_scope: any}}\n",
			 "policy rule 'r' uses branch_scope with unsupported action 'branch_merge'");
	expect_graph_err(TEAM "rules:\n  - {id: r, allow: {actors: {group: team}, actions: [branch_create, change], "
			      "target_branch_scope: protected}}\n",
			 "policy rule 'r' uses target_branch_scope with unsupported action 'change'");
	expect_graph_err(TEAM "rules:\n  - {id: r, allow: {actors: {group: team}, actions: [graph_list, read]}}\n",
			 "policy rule 'r' mixes the server-scoped action `graph_list` with per-graph actions; "
			 "split into separate rules");
}

static void test_semantic_scope_actions(void **state)
{
	(void)state;
	/* branch_scope: read/export/change only; the first offender is named */
	const char *no_branch[] = { "schema_apply", "branch_create", "branch_delete", "branch_merge",
				    "admin", "graph_list", "invoke_query" };
	for (size_t i = 0; i < sizeof no_branch / sizeof *no_branch; i++) {
		char *text = cfs_xasprintf(TEAM "rules:\n  - {id: r, allow: {actors: {group: team}, actions: "
					   "[read, export, change, %s, admin], branch_scope: protected}}\n", no_branch[i]);
		char *want = cfs_xasprintf("policy rule 'r' uses branch_scope with unsupported action '%s'",
					   no_branch[i]);
		expect_graph_err(text, want);
		free(text);
		free(want);
	}
	const char *no_target[] = { "read", "export", "change", "admin", "graph_list", "invoke_query" };
	for (size_t i = 0; i < sizeof no_target / sizeof *no_target; i++) {
		char *text = cfs_xasprintf(TEAM "rules:\n  - {id: r, allow: {actors: {group: team}, actions: "
					   "[schema_apply, branch_create, branch_delete, branch_merge, %s], "
					   "target_branch_scope: any}}\n", no_target[i]);
		char *want = cfs_xasprintf("policy rule 'r' uses target_branch_scope with unsupported action '%s'",
					   no_target[i]);
		expect_graph_err(text, want);
		free(text);
		free(want);
	}
	/* §7 C: invoke_query has no branch dimension */
	size_t len;
	char *c = fixture("example-c-scoped-invoke.yaml", &len);
	struct cfs_policy p;
	char *err = NULL;
	assert_int_equal(cfs_policy_load(c, len, CFS_POLICY_GRAPH, &p, &err), -1);
	assert_string_equal(err, "policy rule 'invokers-can-invoke' uses branch_scope with unsupported action "
				 "'invoke_query'");
	free(err);
	free(c);
}

static void test_first_failure_wins(void **state)
{
	(void)state;
	/* version before anything else */
	expect_graph_err("version: 3\ngroups:\n  team: []\nrules:\n  - {id: \"\", allow: {actors: {group: x}, "
			 "actions: []}}\n", "policy version must be 1");
	/* groups in sorted name order, not file order */
	expect_graph_err("version: 1\ngroups:\n  zeta: []\n  alpha: [act-a, \" \"]\n",
			 "policy group 'alpha' contains a blank actor id");
	expect_graph_err("version: 1\ngroups:\n  b: [\"\"]\n  a: []\n", "policy group 'a' must not be empty");
	/* a blank name sorts first ("" < "a") */
	expect_graph_err("version: 1\ngroups:\n  a: []\n  \"\": [act-a]\n", "policy group names must not be blank");
	/* groups before protected branches, protected branches before rules */
	expect_graph_err("version: 1\nprotected_branches: [\"\"]\ngroups:\n  team: []\n",
			 "policy group 'team' must not be empty");
	expect_graph_err(TEAM "protected_branches: [\" \"]\n"
			      "rules:\n  - {id: \"\", allow: {actors: {group: team}, actions: [read]}}\n",
			 "duplicate field `protected_branches` at line 5 column 1");
	expect_graph_err("version: 1\ngroups: {team: [act-a]}\nprotected_branches: [\" \"]\n"
			 "rules:\n  - {id: \"\", allow: {actors: {group: team}, actions: [read]}}\n",
			 "protected branch names must not be blank");
	/* rules in file order, each rule's checks top to bottom */
	expect_graph_err(TEAM "rules:\n  - {id: b, allow: {actors: {group: team}, actions: [read, graph_list]}}\n"
			      "  - {id: \"\", allow: {actors: {group: team}, actions: [read]}}\n",
			 "policy rule 'b' mixes the server-scoped action `graph_list` with per-graph actions; "
			 "split into separate rules");
	expect_graph_err(TEAM "rules:\n  - {id: r, allow: {actors: {group: team}, actions: [read]}}\n"
			      "  - {id: r, allow: {actors: {group: nope}, actions: []}}\n",
			 "duplicate policy rule id 'r'");
	expect_graph_err(TEAM "rules:\n  - {id: r, allow: {actors: {group: \" \"}, actions: []}}\n",
			 "policy rule 'r' must reference a non-blank group");
	expect_graph_err(TEAM "rules:\n  - {id: r, allow: {actors: {group: nope}, actions: [], branch_scope: any, "
			      "target_branch_scope: any}}\n",
			 "policy rule 'r' references unknown group 'nope'");
	expect_graph_err(TEAM "rules:\n  - {id: r, allow: {actors: {group: team}, actions: [], branch_scope: any, "
			      "target_branch_scope: any}}\n",
			 "policy rule 'r' must include at least one action");
	expect_graph_err(TEAM "rules:\n  - {id: r, allow: {actors: {group: team}, actions: [graph_list, read], "
			      "branch_scope: any, target_branch_scope: any}}\n",
			 "policy rule 'r' may specify branch_scope or target_branch_scope, not both");
	expect_graph_err(TEAM "rules:\n  - {id: r, allow: {actors: {group: team}, actions: [graph_list, read], "
			      "branch_scope: any}}\n",
			 "policy rule 'r' uses branch_scope with unsupported action 'graph_list'");
	/* semantic checks run before kind alignment */
	expect_err(TEAM "rules:\n  - {id: a, allow: {actors: {group: team}, actions: [graph_list]}}\n"
			"  - {id: a, allow: {actors: {group: team}, actions: [read]}}\n",
		   CFS_POLICY_GRAPH, "duplicate policy rule id 'a'");
	/* and the YAML layer before both */
	expect_graph_err("version: 2\ngroups: {team: []}\nrules:\n  - {id: a, allow: {actors: {group: team}, "
			 "actions: [graph_list]}}\nextra: 1\n",
			 "unknown field `extra`, expected one of `version`, `groups`, `protected_branches`, `rules` "
			 "at line 5 column 1");
}

/* "blank" is Rust's trim().is_empty(): Unicode whitespace counts. */
static void test_blank_is_unicode_trim(void **state)
{
	struct cfs_policy p;

	(void)state;
	expect_graph_err("version: 1\ngroups:\n  \"\\u00a0\\u3000\": [act-a]\n", "policy group names must not be blank");
	expect_graph_err(TEAM "rules:\n  - {id: \"\\u2028\\t\", allow: {actors: {group: team}, actions: [read]}}\n",
			 "policy rule ids must not be blank");
	/* not whitespace: U+200B ZERO WIDTH SPACE; and names are never trimmed */
	load_ok("version: 1\ngroups:\n  \"\\u200b\": [\" act-a \"]\n", CFS_POLICY_GRAPH, &p);
	assert_string_equal(p.groups[0].members[0], " act-a ");
	cfs_policy_free(&p);
}

/* ---- §2 step 3: kind alignment ----------------------------------------- */

static void test_kind_alignment(void **state)
{
	struct cfs_policy p;
	const char *mixed = TEAM "rules:\n  - {id: reader, allow: {actors: {group: team}, actions: [read]}}\n"
				 "  - {id: lister, allow: {actors: {group: team}, actions: [graph_list]}}\n";

	(void)state;
	expect_err(mixed, CFS_POLICY_GRAPH,
		   "policy rule 'lister' uses server-scoped action 'graph_list' in a Graph policy file; "
		   "move it to a server policy file");
	expect_err(mixed, CFS_POLICY_SERVER,
		   "policy rule 'reader' uses per-graph action 'read' in a Server policy file; "
		   "move it to a per-graph policy file");
	/* the first offender in rule and action order */
	expect_err(TEAM "rules:\n  - {id: l, allow: {actors: {group: team}, actions: [graph_list]}}\n"
			"  - {id: r, allow: {actors: {group: team}, actions: [admin, invoke_query]}}\n",
		   CFS_POLICY_SERVER,
		   "policy rule 'r' uses per-graph action 'admin' in a Server policy file; "
		   "move it to a per-graph policy file");
	/* an unbound bundle is parsed and checked, not aligned */
	load_ok(mixed, CFS_POLICY_UNBOUND, &p);
	assert_int_equal(p.nrules, 2);
	cfs_policy_free(&p);
	load_fixture("example-d-server.yaml", CFS_POLICY_SERVER, &p);
	cfs_policy_free(&p);
	load_fixture("example-d-graphs.yaml", CFS_POLICY_GRAPH, &p);
	cfs_policy_free(&p);
	load_fixture("example-c.yaml", CFS_POLICY_GRAPH, &p);
	cfs_policy_free(&p);
}

/* ---- §3: evaluation over the worked examples --------------------------- */

static void test_example_a(void **state)
{
	struct cfs_policy p;

	(void)state;
	load_fixture("example-a.yaml", CFS_POLICY_GRAPH, &p);
	expect_allow(&p, "act-bruno", CFS_ACTION_CHANGE, "feature", NULL, "team-write-unprotected");
	expect_deny(&p, "act-bruno", CFS_ACTION_CHANGE, "main", NULL,
		    "policy denied action 'change' on branch 'main' for actor 'act-bruno'");
	expect_allow(&p, "act-ragnor", CFS_ACTION_BRANCH_MERGE, "feature", "main", "admins-merge");
	expect_deny(&p, "act-ragnor", CFS_ACTION_BRANCH_MERGE, "main", "feature",
		    "policy denied action 'branch_merge' on branch 'main' targeting branch 'feature' for actor "
		    "'act-ragnor'");
	expect_deny(&p, "act-bruno", CFS_ACTION_EXPORT, "main", NULL,
		    "policy denied action 'export' on branch 'main' for actor 'act-bruno'");
	expect_deny(&p, "act-zed", CFS_ACTION_READ, "main", NULL,
		    "policy denied action 'read' for unknown actor 'act-zed'");
	/* more of A */
	expect_allow(&p, "act-ragnor", CFS_ACTION_EXPORT, "main", NULL, "admins-export");
	expect_allow(&p, "act-andrew", CFS_ACTION_READ, NULL, NULL, "team-read");
	expect_allow(&p, "act-ragnor", CFS_ACTION_BRANCH_DELETE, NULL, "main", "admins-merge");
	expect_deny(&p, "act-ragnor", CFS_ACTION_BRANCH_DELETE, NULL, "feature",
		    "policy denied action 'branch_delete' targeting branch 'feature' for actor 'act-ragnor'");
	/* unprotected needs a branch: a branchless change matches nothing */
	expect_deny(&p, "act-bruno", CFS_ACTION_CHANGE, NULL, NULL,
		    "policy denied action 'change' for actor 'act-bruno'");
	/* nothing grants these */
	expect_deny(&p, "act-ragnor", CFS_ACTION_SCHEMA_APPLY, NULL, "main",
		    "policy denied action 'schema_apply' targeting branch 'main' for actor 'act-ragnor'");
	expect_deny(&p, "act-ragnor", CFS_ACTION_GRAPH_LIST, NULL, NULL,
		    "policy denied action 'graph_list' for actor 'act-ragnor'");
	/* byte-for-byte: no case folding, no trimming */
	expect_deny(&p, "Act-Bruno", CFS_ACTION_READ, "main", NULL,
		    "policy denied action 'read' for unknown actor 'Act-Bruno'");
	expect_deny(&p, "act-bruno ", CFS_ACTION_READ, "main", NULL,
		    "policy denied action 'read' for unknown actor 'act-bruno '");
	expect_allow(&p, "act-bruno", CFS_ACTION_CHANGE, "Main", NULL, "team-write-unprotected");
	cfs_policy_free(&p);
}

static void test_example_b(void **state)
{
	struct cfs_policy p;

	(void)state;
	load_fixture("example-b.yaml", CFS_POLICY_GRAPH, &p);
	expect_allow(&p, "act-bruno", CFS_ACTION_READ, "main", NULL, "protected-read");     /* snapshot?branch=main */
	expect_deny(&p, "act-bruno", CFS_ACTION_READ, "dev", NULL,
		    "policy denied action 'read' on branch 'dev' for actor 'act-bruno'");  /* snapshot?branch=dev */
	expect_deny(&p, "act-bruno", CFS_ACTION_READ, NULL, NULL,                            /* GET …/schema */
		    "policy denied action 'read' for actor 'act-bruno'");
	cfs_policy_free(&p);
	/* without the branch_scope line all four are allowed */
	load_fixture("example-b-unscoped.yaml", CFS_POLICY_GRAPH, &p);
	expect_allow(&p, "act-bruno", CFS_ACTION_READ, "main", NULL, "protected-read");
	expect_allow(&p, "act-bruno", CFS_ACTION_READ, "dev", NULL, "protected-read");
	expect_allow(&p, "act-bruno", CFS_ACTION_READ, NULL, NULL, "protected-read");
	cfs_policy_free(&p);
}

static void test_example_c(void **state)
{
	struct cfs_policy p;

	(void)state;
	load_fixture("example-c.yaml", CFS_POLICY_GRAPH, &p);
	/* act-invoke: invoke passes, the inner change of add_person does not */
	expect_allow(&p, "act-invoke", CFS_ACTION_INVOKE_QUERY, NULL, NULL, "invokers-can-invoke");
	expect_allow(&p, "act-invoke", CFS_ACTION_READ, "main", NULL, "invokers-can-read");
	expect_deny(&p, "act-invoke", CFS_ACTION_CHANGE, "main", NULL,
		    "policy denied action 'change' on branch 'main' for actor 'act-invoke'");
	/* act-full: both gates pass */
	expect_allow(&p, "act-full", CFS_ACTION_INVOKE_QUERY, NULL, NULL, "full-can-invoke");
	expect_allow(&p, "act-full", CFS_ACTION_CHANGE, "main", NULL, "full-can-read-change");
	/* act-noinvoke: no invoke (reported as a 404), but listing is read-gated */
	expect_deny(&p, "act-noinvoke", CFS_ACTION_INVOKE_QUERY, NULL, NULL,
		    "policy denied action 'invoke_query' for actor 'act-noinvoke'");
	expect_allow(&p, "act-noinvoke", CFS_ACTION_READ, "main", NULL, "readers-can-read");
	cfs_policy_free(&p);
}

static void test_example_d(void **state)
{
	struct cfs_policy srv, kb;
	struct cfs_policy_request list = { CFS_ACTION_GRAPH_LIST, NULL, NULL };
	struct cfs_decision d;

	(void)state;
	load_fixture("example-d-server.yaml", CFS_POLICY_SERVER, &srv);
	load_fixture("example-d-graphs.yaml", CFS_POLICY_GRAPH, &kb);
	/* GET /graphs: act-andrew 200, act-bruno 403, no token 401 */
	expect_allow(&srv, "act-andrew", CFS_ACTION_GRAPH_LIST, NULL, NULL, "admins-can-list-graphs");
	d = cfs_policy_authorize(&srv, "act-bruno", &list);
	assert_int_equal(d.outcome, CFS_AUTHZ_DENY);
	assert_string_equal(d.message, "policy denied action 'graph_list' for actor 'act-bruno'");
	cfs_decision_free(&d);
	d = cfs_policy_authorize(&srv, NULL, &list);
	assert_int_equal(d.outcome, CFS_AUTHZ_UNAUTHENTICATED);
	assert_false(d.allowed);
	assert_string_equal(d.message, "missing bearer token");
	cfs_decision_free(&d);
	/* archive has no bundle: mutate 403 default-deny, snapshot 200 */
	struct cfs_policy_request mutate = { CFS_ACTION_CHANGE, "main", NULL };
	struct cfs_policy_request snapshot = { CFS_ACTION_READ, "main", NULL };
	d = cfs_policy_authorize(NULL, "act-andrew", &mutate);
	assert_int_equal(d.outcome, CFS_AUTHZ_DENY);
	assert_non_null(strstr(d.message, "server runs in default-deny mode"));
	cfs_decision_free(&d);
	d = cfs_policy_authorize(NULL, "act-andrew", &snapshot);
	assert_int_equal(d.outcome, CFS_AUTHZ_ALLOW);
	cfs_decision_free(&d);
	/* knowledge has its bundle */
	d = cfs_policy_authorize(&kb, "act-andrew", &mutate);
	assert_int_equal(d.outcome, CFS_AUTHZ_ALLOW);
	assert_string_equal(d.matched_rule_id, "admins-all");
	cfs_decision_free(&d);
	d = cfs_policy_authorize(&kb, "act-bruno", &mutate);
	assert_int_equal(d.outcome, CFS_AUTHZ_DENY);
	assert_string_equal(d.message, "policy denied action 'change' on branch 'main' for actor 'act-bruno'");
	cfs_decision_free(&d);
	cfs_policy_free(&srv);
	cfs_policy_free(&kb);
}

static void test_matched_rule_is_smallest_id(void **state)
{
	struct cfs_policy p;

	(void)state;
	load_ok("version: 1\ngroups:\n  team: [act-a]\n  ops: [act-a, act-b]\nprotected_branches: [main]\nrules:\n"
		"  - {id: zz-read, allow: {actors: {group: team}, actions: [read]}}\n"
		"  - {id: b-read, allow: {actors: {group: ops}, actions: [read, export], branch_scope: any}}\n"
		"  - {id: a-protected, allow: {actors: {group: ops}, actions: [read], branch_scope: protected}}\n"
		"  - {id: B-upper, allow: {actors: {group: team}, actions: [export], branch_scope: unprotected}}\n",
		CFS_POLICY_GRAPH, &p);
	expect_allow(&p, "act-a", CFS_ACTION_READ, "main", NULL, "a-protected");
	expect_allow(&p, "act-a", CFS_ACTION_READ, "dev", NULL, "b-read");
	expect_allow(&p, "act-a", CFS_ACTION_READ, NULL, NULL, "b-read");
	/* byte-wise: "B-upper" < "b-read" */
	expect_allow(&p, "act-a", CFS_ACTION_EXPORT, "dev", NULL, "B-upper");
	expect_allow(&p, "act-b", CFS_ACTION_EXPORT, "dev", NULL, "b-read");
	expect_deny(&p, "act-b", CFS_ACTION_CHANGE, "dev", NULL,
		    "policy denied action 'change' on branch 'dev' for actor 'act-b'");
	cfs_policy_free(&p);
}

static void test_branchless_and_target_requests(void **state)
{
	struct cfs_policy p;

	(void)state;
	load_ok(TEAM "rules:\n"
		"  - {id: create-any, allow: {actors: {group: team}, actions: [branch_create], target_branch_scope: any}}\n"
		"  - {id: apply-prot, allow: {actors: {group: team}, actions: [schema_apply], target_branch_scope: protected}}\n"
		"  - {id: del-unprot, allow: {actors: {group: team}, actions: [branch_delete], target_branch_scope: unprotected}}\n"
		"  - {id: plain, allow: {actors: {group: team}, actions: [invoke_query, admin]}}\n",
		CFS_POLICY_GRAPH, &p);
	expect_allow(&p, "act-a", CFS_ACTION_BRANCH_CREATE, "main", "new", "create-any");
	expect_allow(&p, "act-a", CFS_ACTION_BRANCH_CREATE, NULL, NULL, "create-any");
	expect_allow(&p, "act-a", CFS_ACTION_SCHEMA_APPLY, NULL, "main", "apply-prot");
	/* the target, not the branch, is what target_branch_scope looks at */
	expect_deny(&p, "act-a", CFS_ACTION_SCHEMA_APPLY, "main", NULL,
		    "policy denied action 'schema_apply' on branch 'main' for actor 'act-a'");
	expect_deny(&p, "act-a", CFS_ACTION_SCHEMA_APPLY, NULL, NULL,
		    "policy denied action 'schema_apply' for actor 'act-a'");
	expect_allow(&p, "act-a", CFS_ACTION_BRANCH_DELETE, NULL, "old", "del-unprot");
	expect_deny(&p, "act-a", CFS_ACTION_BRANCH_DELETE, NULL, "main",
		    "policy denied action 'branch_delete' targeting branch 'main' for actor 'act-a'");
	expect_allow(&p, "act-a", CFS_ACTION_INVOKE_QUERY, NULL, NULL, "plain");
	expect_allow(&p, "act-a", CFS_ACTION_ADMIN, "x", "y", "plain");
	cfs_policy_free(&p);
}

static void test_empty_bundle_denies(void **state)
{
	struct cfs_policy p;

	(void)state;
	load_ok("version: 1\n", CFS_POLICY_GRAPH, &p);
	expect_deny(&p, "act-a", CFS_ACTION_READ, "main", NULL, "policy denied action 'read' for unknown actor 'act-a'");
	cfs_policy_free(&p);
	load_ok("version: 1\ngroups: {team: [act-a]}\n", CFS_POLICY_GRAPH, &p);
	expect_deny(&p, "act-a", CFS_ACTION_READ, "main", NULL,
		    "policy denied action 'read' on branch 'main' for actor 'act-a'");
	cfs_policy_free(&p);
}

/* ---- §4: runtime states ------------------------------------------------ */

static void test_runtime_states(void **state)
{
	static const char DEFAULT_DENY[] =
		"server runs in default-deny mode (bearer tokens configured but no applied policy bundle). Only "
		"`read` actions are permitted; configure a graph or cluster policy bundle in the cluster config, "
		"run `omnigraph cluster apply`, and restart the server to enable other actions.";
	static const char CLOSED[] =
		"server-scoped actions require an explicit cluster policy bundle applied with `omnigraph cluster "
		"apply` and served after restart \u2014 the management surface is closed by default in every "
		"runtime state, including --unauthenticated, so that server topology is never exposed without "
		"operator opt-in.";
	struct cfs_policy p;
	struct cfs_decision d;

	(void)state;
	for (int a = 0; a < CFS_ACTION_COUNT; a++) {
		struct cfs_policy_request req = { (enum cfs_policy_action)a, "main", NULL };
		/* authenticated, no bundle: read only; graph_list always closed */
		d = cfs_policy_authorize(NULL, "act-a", &req);
		if (a == CFS_ACTION_READ) {
			assert_int_equal(d.outcome, CFS_AUTHZ_ALLOW);
			assert_true(d.allowed);
			assert_null(d.matched_rule_id);
		} else {
			assert_int_equal(d.outcome, CFS_AUTHZ_DENY);
			assert_string_equal(d.message, a == CFS_ACTION_GRAPH_LIST ? CLOSED : DEFAULT_DENY);
		}
		cfs_decision_free(&d);
		/* open mode: everything but graph_list */
		d = cfs_policy_authorize(NULL, NULL, &req);
		assert_int_equal(d.outcome, a == CFS_ACTION_GRAPH_LIST ? CFS_AUTHZ_DENY : CFS_AUTHZ_ALLOW);
		if (a == CFS_ACTION_GRAPH_LIST)
			assert_string_equal(d.message, CLOSED);
		cfs_decision_free(&d);
	}
	/* a bundle and no actor: 401 */
	load_fixture("example-a.yaml", CFS_POLICY_GRAPH, &p);
	struct cfs_policy_request read = { CFS_ACTION_READ, "main", NULL };
	d = cfs_policy_authorize(&p, NULL, &read);
	assert_int_equal(d.outcome, CFS_AUTHZ_UNAUTHENTICATED);
	assert_string_equal(d.message, "missing bearer token");
	cfs_decision_free(&d);
	d = cfs_policy_authorize(&p, "act-bruno", &read);
	assert_int_equal(d.outcome, CFS_AUTHZ_ALLOW);
	assert_string_equal(d.matched_rule_id, "team-read");
	assert_string_equal(d.message, "policy allowed action 'read' for actor 'act-bruno'");
	cfs_decision_free(&d);
	cfs_policy_free(&p);
}

/* ---- §6: policy test files --------------------------------------------- */

static int run_tests_text(const struct cfs_policy *p, const char *text, size_t *n, char **msg)
{
	return cfs_policy_run_tests(p, text, strlen(text), n, msg);
}

static void expect_tests_err(const struct cfs_policy *p, const char *text, const char *want)
{
	char *msg = NULL;

	assert_int_equal(run_tests_text(p, text, NULL, &msg), -1);
	if (strcmp(msg, want))
		print_error("got  \"%s\"\nwant \"%s\"\n", msg, want);
	assert_string_equal(msg, want);
	free(msg);
}

static void test_policy_tests(void **state)
{
	struct cfs_policy p;
	size_t len, n;
	char *text, *msg = NULL;

	(void)state;
	load_fixture("example-a.yaml", CFS_POLICY_GRAPH, &p);
	text = fixture("example-a.tests.yaml", &len);
	assert_int_equal(cfs_policy_run_tests(&p, text, len, &n, &msg), 0);
	assert_null(msg);
	assert_int_equal(n, 6);
	free(text);

	text = fixture("example-a.failing.tests.yaml", &len);
	assert_int_equal(cfs_policy_run_tests(&p, text, len, &n, &msg), 1);
	assert_int_equal(n, 3);
	assert_string_equal(msg, "policy tests failed:\n"
				 "bruno-change-main: expected Allow but got deny\n"
				 "zed-read: expected Allow but got deny");
	free(msg);
	free(text);

	assert_int_equal(run_tests_text(&p, "version: 1\ncases:\n  - {id: x, actor: act-bruno, action: read, "
					    "expect: deny}\n", NULL, &msg), 1);
	assert_string_equal(msg, "policy tests failed:\nx: expected Deny but got allow");
	free(msg);
	assert_int_equal(run_tests_text(&p, "version: 1\n", &n, &msg), 0);
	assert_int_equal(n, 0);

	expect_tests_err(&p, "version: 2\ncases: []\n", "policy test version must be 1");
	expect_tests_err(&p, "version: 1\ncases:\n  - {id: \" \", actor: a, action: read, expect: allow}\n",
			 "policy test case ids must not be blank");
	expect_tests_err(&p, "version: 1\ncases:\n  - {id: x, actor: a, action: read, expect: allow}\n"
			     "  - {id: x, actor: \"\", action: read, expect: allow}\n",
			 "duplicate policy test case id 'x'");
	expect_tests_err(&p, "version: 1\ncases:\n  - {id: x, actor: \"\", action: read, expect: allow}\n",
			 "policy test case 'x' must not use a blank actor");
	/* the YAML layer: closed mappings, required keys, known values */
	expect_tests_err(&p, "version: 1\ncases:\n  - {id: x, actor: a, action: read, expect: allow, note: y}\n",
			 "cases[0]: unknown field `note`, expected one of `id`, `actor`, `action`, `branch`, "
			 "`target_branch`, `expect` at line 3 column 52");
	expect_tests_err(&p, "version: 1\ncases:\n  - {id: x, actor: a, action: read}\n",
			 "cases[0]: missing field `expect` at line 3 column 5");
	expect_tests_err(&p, "version: 1\ncases:\n  - {id: x, actor: a, action: read, expect: maybe}\n",
			 "cases[0].expect: unknown variant `maybe`, expected `allow` or `deny` at line 3 column 45");
	expect_tests_err(&p, "cases: []\n", "missing field `version` at line 1 column 1");
	cfs_policy_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_fields),
		cmocka_unit_test(test_load_defaults),
		cmocka_unit_test(test_action_names),
		cmocka_unit_test(test_yaml_unknown_keys),
		cmocka_unit_test(test_yaml_unknown_values),
		cmocka_unit_test(test_yaml_duplicates),
		cmocka_unit_test(test_yaml_types),
		cmocka_unit_test(test_yaml_missing),
		cmocka_unit_test(test_yaml_syntax),
		cmocka_unit_test(test_yaml_strings),
		cmocka_unit_test(test_semantic_messages),
		cmocka_unit_test(test_semantic_scope_actions),
		cmocka_unit_test(test_first_failure_wins),
		cmocka_unit_test(test_blank_is_unicode_trim),
		cmocka_unit_test(test_kind_alignment),
		cmocka_unit_test(test_example_a),
		cmocka_unit_test(test_example_b),
		cmocka_unit_test(test_example_c),
		cmocka_unit_test(test_example_d),
		cmocka_unit_test(test_matched_rule_is_smallest_id),
		cmocka_unit_test(test_branchless_and_target_requests),
		cmocka_unit_test(test_empty_bundle_denies),
		cmocka_unit_test(test_runtime_states),
		cmocka_unit_test(test_policy_tests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
