/*
 * decode: the YAML layer of policy bundles and policy test files
 * (policy.md §1, §2 step 1, §6).  Types follow the reference's serde
 * structs, so a field typed String takes any scalar's text, a list or map
 * is empty only when its value is left out (`key:`), and an Option is
 * absent for a null.  Semantic checks are policy.c's.
 */
#include "engine/policy/policy_int.h"
#include "engine/yaml_decode.h"
#include "core/strbuf.h"

#include <stdlib.h>
#include <string.h>

const char *const pol_action_names[] = {
	"read", "export", "change", "schema_apply", "branch_create", "branch_delete",
	"branch_merge", "admin", "graph_list", "invoke_query", NULL,
};

/* Indexed by enum cfs_policy_scope - 1. */
static const char *const SCOPES[] = { "any", "protected", "unprotected", NULL };

static const char *const BUNDLE_FIELDS[] = { "version", "groups", "protected_branches", "rules", NULL };
static const char *const RULE_FIELDS[] = { "id", "allow", NULL };
static const char *const ALLOW_FIELDS[] = { "actors", "actions", "branch_scope", "target_branch_scope", NULL };
static const char *const ACTORS_FIELDS[] = { "group", NULL };
static const char *const TESTS_FIELDS[] = { "version", "cases", NULL };
static const char *const CASE_FIELDS[] = { "id", "actor", "action", "branch", "target_branch", "expect", NULL };
static const char *const EXPECTATIONS[] = { "allow", "deny", NULL };

/* ---- shapes ------------------------------------------------------------ */

/*
 * A struct named what ("struct PolicyRule"): a mapping, or nothing at all
 * (`allow:`), which leaves every field missing.
 */
static int open_struct(struct cfs_yd *d, const char *path, yaml_node_t *n, const char *what,
		       const char *const *fields, cfs_yd_field_fn fn, void *arg)
{
	if (cfs_yd_is_empty(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return cfs_yd_bad_type(d, path, n, what);
	return cfs_yd_walk_struct(d, path, n, fields, fn, arg);
}

/* Items of a non-optional sequence: 0 for `key:`, -1 for a non-sequence. */
static int seq_items(struct cfs_yd *d, const char *path, yaml_node_t *n, size_t *count)
{
	*count = 0;
	if (cfs_yd_is_empty(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return cfs_yd_bad_type(d, path, n, "a sequence");
	*count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	return 0;
}

static yaml_node_t *item(struct cfs_yd *d, yaml_node_t *seq, size_t i)
{
	return cfs_yd_node(d, seq->data.sequence.items.start[i]);
}

/* Option<scope>: null is absent. */
static int get_scope(struct cfs_yd *d, const char *path, yaml_node_t *n, enum cfs_policy_scope *out)
{
	int v;

	*out = CFS_SCOPE_NONE;
	if (cfs_yd_is_null(n))
		return 0;
	if (cfs_yd_get_enum(d, path, n, SCOPES, &v))
		return -1;
	*out = (enum cfs_policy_scope)(v + 1);
	return 0;
}

static int get_action(struct cfs_yd *d, const char *path, yaml_node_t *n, enum cfs_policy_action *out)
{
	int v;

	if (cfs_yd_get_enum(d, path, n, pol_action_names, &v))
		return -1;
	*out = (enum cfs_policy_action)v;
	return 0;
}

/* ---- bundles ----------------------------------------------------------- */

struct allow_acc {
	struct cfs_policy_rule *r;
	bool has_actors, has_actions;
};

static int actors_field(struct cfs_yd *d, const char *path, int f, yaml_node_t *v, void *arg)
{
	(void)f;
	return cfs_yd_get_text(d, path, v, &((struct cfs_policy_rule *)arg)->group);
}

static int get_actions(struct cfs_yd *d, const char *path, yaml_node_t *v, struct cfs_policy_rule *r)
{
	size_t cnt;

	if (seq_items(d, path, v, &cnt))
		return -1;
	r->actions = cfs_xcalloc(cnt, sizeof(*r->actions));
	for (size_t i = 0; i < cnt; i++) {
		char *sub = cfs_xasprintf("%s[%zu]", path, i);
		int rc = get_action(d, sub, item(d, v, i), &r->actions[r->nactions]);
		free(sub);
		if (rc)
			return -1;
		r->nactions++;
	}
	return 0;
}

static int allow_field(struct cfs_yd *d, const char *path, int f, yaml_node_t *v, void *arg)
{
	struct allow_acc *a = arg;

	switch (f) {
	case 0:
		a->has_actors = true;
		if (open_struct(d, path, v, "struct PolicyActorSelector", ACTORS_FIELDS, actors_field, a->r))
			return -1;
		return cfs_yd_require(d, path, v, a->r->group != NULL, "group");
	case 1:
		a->has_actions = true;
		return get_actions(d, path, v, a->r);
	case 2:
		return get_scope(d, path, v, &a->r->branch_scope);
	default:
		return get_scope(d, path, v, &a->r->target_branch_scope);
	}
}

struct rule_acc {
	struct cfs_policy_rule *r;
	bool has_allow;
};

static int rule_field(struct cfs_yd *d, const char *path, int f, yaml_node_t *v, void *arg)
{
	struct rule_acc *a = arg;

	if (f == 0)
		return cfs_yd_get_text(d, path, v, &a->r->id);
	struct allow_acc al = { a->r, false, false };
	a->has_allow = true;
	if (open_struct(d, path, v, "struct PolicyAllowRule", ALLOW_FIELDS, allow_field, &al))
		return -1;
	if (cfs_yd_require(d, path, v, al.has_actors, "actors"))
		return -1;
	return cfs_yd_require(d, path, v, al.has_actions, "actions");
}

static int get_rules(struct cfs_yd *d, const char *path, yaml_node_t *v, struct cfs_policy *p)
{
	size_t cnt;

	if (seq_items(d, path, v, &cnt))
		return -1;
	p->rules = cfs_xcalloc(cnt, sizeof(*p->rules));
	for (size_t i = 0; i < cnt; i++) {
		yaml_node_t *it = item(d, v, i);
		struct rule_acc a = { &p->rules[p->nrules++], false };
		char *sub = cfs_xasprintf("%s[%zu]", path, i);
		int rc = open_struct(d, sub, it, "struct PolicyRule", RULE_FIELDS, rule_field, &a);
		if (!rc)
			rc = cfs_yd_require(d, sub, it, a.r->id != NULL, "id");
		if (!rc)
			rc = cfs_yd_require(d, sub, it, a.has_allow, "allow");
		free(sub);
		if (rc)
			return -1;
	}
	return 0;
}

static int group_entry(struct cfs_yd *d, const char *path, const char *key, yaml_node_t *v, void *arg)
{
	struct cfs_policy *p = arg;
	struct cfs_policy_group *g;

	p->groups = cfs_xrealloc(p->groups, (p->ngroups + 1) * sizeof(*g));
	g = &p->groups[p->ngroups++];
	g->name = cfs_xstrdup(key);
	g->members = NULL;
	g->nmembers = 0;
	return cfs_yd_get_text_list(d, path, v, &g->members, &g->nmembers);
}

struct bundle_acc {
	struct cfs_policy *p;
	bool has_version;
};

static int bundle_field(struct cfs_yd *d, const char *path, int f, yaml_node_t *v, void *arg)
{
	struct bundle_acc *a = arg;

	switch (f) {
	case 0:
		a->has_version = true;
		return cfs_yd_get_u32(d, path, v, &a->p->version);
	case 1:
		/* a map, or left out; `groups: ~` is a unit value, not a map */
		if (!cfs_yd_is_empty(v) && v->type == YAML_SCALAR_NODE)
			return cfs_yd_bad_type(d, path, v, "a map");
		return cfs_yd_walk_map(d, path, v, group_entry, a->p);
	case 2:
		return cfs_yd_get_text_list(d, path, v, &a->p->protected_branches, &a->p->nprotected);
	default:
		return get_rules(d, path, v, a->p);
	}
}

static int cmp_group(const void *a, const void *b)
{
	return strcmp(((const struct cfs_policy_group *)a)->name, ((const struct cfs_policy_group *)b)->name);
}

/*
 * Decode the document of src with fn over fields; what names the top
 * struct.  Shared by bundles and test files.
 */
static int decode_doc(const char *src, size_t len, const char *what, const char *const *fields,
		      cfs_yd_field_fn fn, void *acc, bool *has_version, char **err)
{
	yaml_document_t doc;
	struct cfs_yd d = { &doc, NULL };

	*err = NULL;
	if (cfs_yd_load(src, len, &doc, err))
		return -1;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root)
		cfs_yd_failf(&d, "", NULL, "missing field `version`");
	else if (!open_struct(&d, "", root, what, fields, fn, acc))
		cfs_yd_require(&d, "", root, *has_version, "version");
	yaml_document_delete(&doc);
	*err = d.err;
	return d.err ? -1 : 0;
}

int pol_decode_bundle(const char *src, size_t len, struct cfs_policy *out, char **err)
{
	struct bundle_acc a = { out, false };

	memset(out, 0, sizeof(*out));
	if (decode_doc(src, len, "struct PolicyConfig", BUNDLE_FIELDS, bundle_field, &a, &a.has_version, err)) {
		cfs_policy_free(out);
		return -1;
	}
	cfs_qsort(out->groups, out->ngroups, sizeof(*out->groups), cmp_group);
	return 0;
}

/* ---- test files -------------------------------------------------------- */

struct case_acc {
	struct pol_case *c;
	bool has[6];
};

static int case_field(struct cfs_yd *d, const char *path, int f, yaml_node_t *v, void *arg)
{
	struct case_acc *a = arg;
	int expect;

	a->has[f] = true;
	switch (f) {
	case 0:
		return cfs_yd_get_text(d, path, v, &a->c->id);
	case 1:
		return cfs_yd_get_text(d, path, v, &a->c->actor);
	case 2:
		return get_action(d, path, v, &a->c->action);
	case 3:
		return cfs_yd_get_str(d, path, v, &a->c->branch);
	case 4:
		return cfs_yd_get_str(d, path, v, &a->c->target_branch);
	default:
		if (cfs_yd_get_enum(d, path, v, EXPECTATIONS, &expect))
			return -1;
		a->c->expect_allow = expect == 0;
		return 0;
	}
}

static int get_cases(struct cfs_yd *d, const char *path, yaml_node_t *v, struct pol_tests *t)
{
	static const int required[] = { 0, 1, 2, 5 };
	size_t cnt;

	if (seq_items(d, path, v, &cnt))
		return -1;
	t->cases = cfs_xcalloc(cnt, sizeof(*t->cases));
	for (size_t i = 0; i < cnt; i++) {
		yaml_node_t *it = item(d, v, i);
		struct case_acc a = { &t->cases[t->ncases++], { false } };
		char *sub = cfs_xasprintf("%s[%zu]", path, i);
		int rc = open_struct(d, sub, it, "struct PolicyTestCase", CASE_FIELDS, case_field, &a);
		for (size_t k = 0; !rc && k < sizeof(required) / sizeof(required[0]); k++)
			rc = cfs_yd_require(d, sub, it, a.has[required[k]], CASE_FIELDS[required[k]]);
		free(sub);
		if (rc)
			return -1;
	}
	return 0;
}

struct tests_acc {
	struct pol_tests *t;
	bool has_version;
};

static int tests_field(struct cfs_yd *d, const char *path, int f, yaml_node_t *v, void *arg)
{
	struct tests_acc *a = arg;

	if (f == 0) {
		a->has_version = true;
		return cfs_yd_get_u32(d, path, v, &a->t->version);
	}
	return get_cases(d, path, v, a->t);
}

int pol_decode_tests(const char *src, size_t len, struct pol_tests *out, char **err)
{
	struct tests_acc a = { out, false };

	memset(out, 0, sizeof(*out));
	if (decode_doc(src, len, "struct PolicyTestConfig", TESTS_FIELDS, tests_field, &a, &a.has_version, err)) {
		pol_tests_free(out);
		return -1;
	}
	return 0;
}

void pol_tests_free(struct pol_tests *t)
{
	for (size_t i = 0; i < t->ncases; i++) {
		free(t->cases[i].id);
		free(t->cases[i].actor);
		free(t->cases[i].branch);
		free(t->cases[i].target_branch);
	}
	free(t->cases);
	memset(t, 0, sizeof(*t));
}
