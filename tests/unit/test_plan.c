/*
 * Unit tests for the plan rules (cluster.md §9, §11): the diff and its
 * metadata updates, every row of the classification table, approval gates,
 * blast radius, approval validity and staleness, the change JSON and the
 * plan digest; and the approval artifacts of ledger/approval (parse, write,
 * list with its warnings, consumption).
 */
#include "desired_harness.h"

#include "core/json.h"
#include "engine/plan.h"
#include "ledger/approval.h"
#include "ledger/store.h"

/* ---- helpers ------------------------------------------------------------ */

static json_t *ledger(const char *resources_json)
{
	char *text = cfs_xasprintf("{\"version\":1,\"applied_revision\":{\"config_digest\":null,"
				   "\"resources\":%s}}", resources_json);
	json_error_t je;
	json_t *doc = json_loads(text, 0, &je);

	if (!doc)
		print_error("bad test ledger: %s\n", je.text);
	assert_non_null(doc);
	free(text);
	return doc;
}

static const struct cfs_change *change(const struct cfs_changes *ch, const char *addr)
{
	const struct cfs_change *c = cfs_changes_find(ch, addr);

	if (!c)
		print_error("no change for %s\n", addr);
	assert_non_null(c);
	return c;
}

/* Hand-made change list (no digests needed for classification). */
static void mk(struct cfs_changes *ch, const char *addr, enum cfs_change_op op, bool approved)
{
	if (ch->n == ch->cap) {
		ch->cap = ch->cap ? 2 * ch->cap : 8;
		ch->v = cfs_xrealloc(ch->v, ch->cap * sizeof(*ch->v));
	}
	struct cfs_change *c = &ch->v[ch->n++];
	memset(c, 0, sizeof(*c));
	c->resource = cfs_xstrdup(addr);
	c->op = op;
	c->approved = approved;
}

static void expect_disp(const struct cfs_changes *ch, const char *addr, enum cfs_disposition d,
			const char *reason)
{
	const struct cfs_change *c = change(ch, addr);

	if (c->disposition != d || (reason ? !c->reason || strcmp(c->reason, reason) : c->reason != NULL)) {
		print_error("%s: disposition %s (%s), want %s (%s)\n", addr,
			    cfs_disposition_name(c->disposition), c->reason ? c->reason : "-",
			    cfs_disposition_name(d), reason ? reason : "-");
		fail();
	}
}

/* Classify the hand-made list ch with the given pending ids and no edges. */
static void classify(struct cfs_changes *ch, const char *const *pending, size_t npending)
{
	struct cfs_desired des;

	memset(&des, 0, sizeof(des));
	cfs_plan_classify(ch, &des, pending, npending);
}

#define CONFIG_KG "version: 1\n" \
		  "graphs:\n  knowledge:\n    schema: people.pg\n    queries: queries/\n" \
		  "policies:\n  base:\n    file: base.policy.yaml\n    applies_to: [knowledge]\n"

static void put_kg(struct ctx *c)
{
	put(c->dir, "people.pg", PG);
	put(c->dir, "queries/people.gq", FIND_PERSON);
	put(c->dir, "base.policy.yaml", POLICY);
}

/* ---- diff --------------------------------------------------------------- */

static void test_diff_missing_ledger_creates_everything(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;
	struct cfs_changes ch;

	put_kg(c);
	load(c, CONFIG_KG, &des, &d);
	expect_count(&d, 0);
	cfs_plan_diff(&des, NULL, true, &ch);
	assert_int_equal(ch.n, 4);
	const char *order[] = { "graph.knowledge", "policy.base", "query.knowledge.find_person", "schema.knowledge" };
	for (size_t i = 0; i < 4; i++) {
		assert_string_equal(ch.v[i].resource, order[i]);
		assert_int_equal(ch.v[i].op, CFS_CHANGE_CREATE);
		assert_null(ch.v[i].before_digest);
		assert_string_equal(ch.v[i].after_digest, cfs_desired_find(&des, order[i])->digest);
		assert_int_equal(ch.v[i].disposition, CFS_DISP_NONE);
	}
	assert_string_equal(change(&ch, "schema.knowledge")->after_digest, sha(c, PG));
	cfs_changes_free(&ch);
	cleanup(&des, &d);
}

static void test_diff_update_delete_and_unchanged(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;
	struct cfs_changes ch;

	put_kg(c);
	load(c, CONFIG_KG, &des, &d);
	const char *g = cfs_desired_find(&des, "graph.knowledge")->digest;
	json_t *doc = ledger(S(c, "{\"graph.knowledge\":{\"digest\":\"%s\"},"
				 "\"schema.knowledge\":{\"digest\":\"old\"},"
				 "\"policy.base\":{\"digest\":\"%s\",\"applies_to\":[\"graph.knowledge\"]},"
				 "\"policy.old\":{\"digest\":\"p-old\"},"
				 "\"zz.unknown\":{\"digest\":\"z\"}}", g, sha(c, POLICY)));
	cfs_plan_diff(&des, doc, true, &ch);
	assert_int_equal(ch.n, 4);
	assert_string_equal(ch.v[0].resource, "policy.old");
	assert_int_equal(ch.v[0].op, CFS_CHANGE_DELETE);
	assert_string_equal(ch.v[0].before_digest, "p-old");
	assert_null(ch.v[0].after_digest);
	assert_string_equal(ch.v[1].resource, "query.knowledge.find_person");
	assert_int_equal(ch.v[1].op, CFS_CHANGE_CREATE);
	assert_string_equal(ch.v[2].resource, "schema.knowledge");
	assert_int_equal(ch.v[2].op, CFS_CHANGE_UPDATE);
	assert_string_equal(ch.v[2].before_digest, "old");
	assert_string_equal(ch.v[2].after_digest, sha(c, PG));
	assert_false(ch.v[2].binding_change);
	assert_int_equal(ch.v[2].metadata_change, CFS_META_NONE);
	assert_string_equal(ch.v[3].resource, "zz.unknown");
	assert_int_equal(ch.v[3].op, CFS_CHANGE_DELETE);
	cfs_changes_free(&ch);
	json_decref(doc);
	cleanup(&des, &d);
}

static void test_diff_policy_binding_metadata(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;
	struct cfs_changes ch;
	const char *variants[] = {
		"",                                             /* absent: backfill */
		",\"applies_to\":[\"cluster\"]",                /* different */
		",\"applies_to\":[\"graph.knowledge\",\"graph.x\"]",
		",\"applies_to\":[]",
	};

	put_kg(c);
	load(c, CONFIG_KG, &des, &d);
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		json_t *doc = ledger(S(c, "{\"policy.base\":{\"digest\":\"%s\"%s}}", sha(c, POLICY), variants[i]));
		cfs_plan_diff(&des, doc, true, &ch);
		const struct cfs_change *p = change(&ch, "policy.base");
		assert_int_equal(p->op, CFS_CHANGE_UPDATE);
		assert_string_equal(p->before_digest, sha(c, POLICY));
		assert_string_equal(p->after_digest, sha(c, POLICY));
		assert_true(p->binding_change);
		assert_int_equal(p->metadata_change, CFS_META_POLICY_BINDINGS);
		cfs_changes_free(&ch);
		/* approve's plain diff has no metadata updates */
		cfs_plan_diff(&des, doc, false, &ch);
		assert_null(cfs_changes_find(&ch, "policy.base"));
		cfs_changes_free(&ch);
		json_decref(doc);
	}
	/* equal bindings: nothing; a content change is not doubled */
	json_t *doc = ledger(S(c, "{\"policy.base\":{\"digest\":\"%s\",\"applies_to\":[\"graph.knowledge\"]}}",
			       sha(c, POLICY)));
	cfs_plan_diff(&des, doc, true, &ch);
	assert_null(cfs_changes_find(&ch, "policy.base"));
	cfs_changes_free(&ch);
	json_decref(doc);
	doc = ledger("{\"policy.base\":{\"digest\":\"other\"}}");
	cfs_plan_diff(&des, doc, true, &ch);
	assert_false(change(&ch, "policy.base")->binding_change);
	assert_int_equal(change(&ch, "policy.base")->metadata_change, CFS_META_NONE);
	cfs_changes_free(&ch);
	json_decref(doc);
	cleanup(&des, &d);
}

static void test_diff_provider_profile_metadata(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;
	struct cfs_changes ch;
	const char *pd = "9407ded8cec5d0bd317ddecc1613eb410eb5a792a35f8baea5afed3bb080e106";

	put(c->dir, "people.pg", PG);
	load(c, "version: 1\nproviders:\n  embedding:\n    default: {kind: mock, model: recorded-x}\n"
	     "graphs:\n  g:\n    schema: people.pg\n", &des, &d);
	expect_count(&d, 0);
	assert_string_equal(cfs_desired_find(&des, "provider.embedding.default")->digest, pd);
	const char *variants[] = { "", ",\"embedding_profile\":{\"kind\":\"mock\"}" };
	for (size_t i = 0; i < 2; i++) {
		json_t *doc = ledger(S(c, "{\"provider.embedding.default\":{\"digest\":\"%s\"%s}}", pd, variants[i]));
		cfs_plan_diff(&des, doc, true, &ch);
		const struct cfs_change *p = change(&ch, "provider.embedding.default");
		assert_int_equal(p->op, CFS_CHANGE_UPDATE);
		assert_string_equal(p->before_digest, pd);
		assert_string_equal(p->after_digest, pd);
		assert_false(p->binding_change);
		assert_int_equal(p->metadata_change, CFS_META_EMBEDDING_PROFILE);
		cfs_changes_free(&ch);
		json_decref(doc);
	}
	/* same profile, keys in another order: equal */
	json_t *doc = ledger(S(c, "{\"provider.embedding.default\":{\"digest\":\"%s\",\"embedding_profile\":"
			       "{\"model\":\"recorded-x\",\"kind\":\"mock\"}}}", pd));
	cfs_plan_diff(&des, doc, true, &ch);
	assert_null(cfs_changes_find(&ch, "provider.embedding.default"));
	cfs_changes_free(&ch);
	json_decref(doc);
	cleanup(&des, &d);
}

/* ---- classification: every row of §11.3 --------------------------------- */

static void test_classify_graph_rows(void **state)
{
	(void)state;
	struct cfs_changes ch = { 0 };
	const char *pending[] = { "p" };

	mk(&ch, "graph.new", CFS_CHANGE_CREATE, false);
	mk(&ch, "graph.p", CFS_CHANGE_CREATE, false);
	mk(&ch, "graph.u", CFS_CHANGE_UPDATE, false);            /* derived */
	mk(&ch, "graph.sd", CFS_CHANGE_UPDATE, false);           /* its schema is deleted */
	mk(&ch, "schema.sd", CFS_CHANGE_DELETE, false);
	mk(&ch, "graph.sc", CFS_CHANGE_UPDATE, false);           /* schema create without graph create */
	mk(&ch, "schema.sc", CFS_CHANGE_CREATE, false);
	mk(&ch, "graph.gone", CFS_CHANGE_DELETE, true);
	mk(&ch, "graph.unapproved", CFS_CHANGE_DELETE, false);
	classify(&ch, pending, 1);
	expect_disp(&ch, "graph.new", CFS_DISP_APPLIED, NULL);
	expect_disp(&ch, "graph.p", CFS_DISP_BLOCKED, "cluster_recovery_pending");
	expect_disp(&ch, "graph.u", CFS_DISP_DERIVED, NULL);
	expect_disp(&ch, "graph.sd", CFS_DISP_DEFERRED, "apply_unsupported_kind");
	expect_disp(&ch, "graph.sc", CFS_DISP_DEFERRED, "apply_unsupported_kind");
	expect_disp(&ch, "graph.gone", CFS_DISP_APPLIED, NULL);
	expect_disp(&ch, "graph.unapproved", CFS_DISP_BLOCKED, "approval_required");
	cfs_changes_free(&ch);

	/* a pending graph delete is blocked even when approved */
	mk(&ch, "graph.p", CFS_CHANGE_DELETE, true);
	mk(&ch, "schema.p", CFS_CHANGE_DELETE, false);
	mk(&ch, "query.p.q", CFS_CHANGE_DELETE, false);
	classify(&ch, pending, 1);
	expect_disp(&ch, "graph.p", CFS_DISP_BLOCKED, "cluster_recovery_pending");
	expect_disp(&ch, "schema.p", CFS_DISP_BLOCKED, "cluster_recovery_pending");
	/* rides needs "not pending"; the graph is deleted: approval_required */
	expect_disp(&ch, "query.p.q", CFS_DISP_BLOCKED, "approval_required");
	cfs_changes_free(&ch);
}

static void test_classify_schema_rows(void **state)
{
	(void)state;
	struct cfs_changes ch = { 0 };
	const char *pending[] = { "p", "pc" };

	mk(&ch, "graph.a", CFS_CHANGE_CREATE, false);
	mk(&ch, "schema.a", CFS_CHANGE_CREATE, false);           /* with its graph: applied */
	mk(&ch, "schema.b", CFS_CHANGE_CREATE, false);           /* alone: blocked */
	mk(&ch, "graph.pc", CFS_CHANGE_CREATE, false);
	mk(&ch, "schema.pc", CFS_CHANGE_CREATE, false);          /* with its graph, pending */
	mk(&ch, "schema.u", CFS_CHANGE_UPDATE, false);
	mk(&ch, "schema.p", CFS_CHANGE_UPDATE, false);
	mk(&ch, "graph.r", CFS_CHANGE_DELETE, true);
	mk(&ch, "schema.r", CFS_CHANGE_DELETE, false);           /* rides the approved delete */
	mk(&ch, "graph.n", CFS_CHANGE_DELETE, false);
	mk(&ch, "schema.n", CFS_CHANGE_DELETE, true);            /* its own approval does not count */
	mk(&ch, "schema.k", CFS_CHANGE_DELETE, true);            /* graph kept */
	classify(&ch, pending, 2);
	expect_disp(&ch, "schema.a", CFS_DISP_APPLIED, NULL);
	expect_disp(&ch, "schema.b", CFS_DISP_BLOCKED, "cluster_recovery_pending");
	expect_disp(&ch, "schema.pc", CFS_DISP_BLOCKED, "cluster_recovery_pending");
	expect_disp(&ch, "schema.u", CFS_DISP_APPLIED, NULL);
	expect_disp(&ch, "schema.p", CFS_DISP_BLOCKED, "cluster_recovery_pending");
	expect_disp(&ch, "schema.r", CFS_DISP_APPLIED, NULL);
	expect_disp(&ch, "graph.r", CFS_DISP_APPLIED, NULL);
	expect_disp(&ch, "schema.n", CFS_DISP_BLOCKED, "approval_required");
	expect_disp(&ch, "schema.k", CFS_DISP_DEFERRED, "apply_unsupported_kind");
	cfs_changes_free(&ch);
}

static void test_classify_query_rows(void **state)
{
	(void)state;
	struct cfs_changes ch = { 0 };
	const char *pending[] = { "p" };

	mk(&ch, "query.ok.c", CFS_CHANGE_CREATE, false);
	mk(&ch, "query.ok.u", CFS_CHANGE_UPDATE, false);
	mk(&ch, "query.p.c", CFS_CHANGE_CREATE, false);
	mk(&ch, "query.p.u", CFS_CHANGE_UPDATE, false);
	mk(&ch, "schema.sd", CFS_CHANGE_DELETE, false);
	mk(&ch, "query.sd.c", CFS_CHANGE_CREATE, false);         /* schema-pending */
	mk(&ch, "schema.sc", CFS_CHANGE_CREATE, false);
	mk(&ch, "query.sc.u", CFS_CHANGE_UPDATE, false);         /* schema-pending */
	mk(&ch, "graph.new", CFS_CHANGE_CREATE, false);
	mk(&ch, "schema.new", CFS_CHANGE_CREATE, false);
	mk(&ch, "query.new.c", CFS_CHANGE_CREATE, false);        /* creates run first: applied */
	mk(&ch, "graph.r", CFS_CHANGE_DELETE, true);
	mk(&ch, "query.r.d", CFS_CHANGE_DELETE, false);
	mk(&ch, "graph.n", CFS_CHANGE_DELETE, false);
	mk(&ch, "query.n.d", CFS_CHANGE_DELETE, false);
	mk(&ch, "query.ok.d", CFS_CHANGE_DELETE, false);
	mk(&ch, "query.p.d", CFS_CHANGE_DELETE, false);          /* pending does not block deletes */
	mk(&ch, "query.nodot", CFS_CHANGE_CREATE, false);        /* not a query address */
	classify(&ch, pending, 1);
	expect_disp(&ch, "query.ok.c", CFS_DISP_APPLIED, NULL);
	expect_disp(&ch, "query.ok.u", CFS_DISP_APPLIED, NULL);
	expect_disp(&ch, "query.p.c", CFS_DISP_BLOCKED, "cluster_recovery_pending");
	expect_disp(&ch, "query.p.u", CFS_DISP_BLOCKED, "cluster_recovery_pending");
	expect_disp(&ch, "query.sd.c", CFS_DISP_BLOCKED, "dependency_not_applied");
	expect_disp(&ch, "query.sc.u", CFS_DISP_BLOCKED, "dependency_not_applied");
	expect_disp(&ch, "query.new.c", CFS_DISP_APPLIED, NULL);
	expect_disp(&ch, "query.r.d", CFS_DISP_APPLIED, NULL);
	expect_disp(&ch, "query.n.d", CFS_DISP_BLOCKED, "approval_required");
	expect_disp(&ch, "query.ok.d", CFS_DISP_APPLIED, NULL);
	expect_disp(&ch, "query.p.d", CFS_DISP_APPLIED, NULL);
	expect_disp(&ch, "query.nodot", CFS_DISP_DEFERRED, "apply_unsupported_kind");
	cfs_changes_free(&ch);
}

static void test_classify_policy_provider_other(void **state)
{
	(void)state;
	struct cfs_changes ch = { 0 };
	const char *pending[] = { "p" };
	struct cfs_dependency deps[] = {
		{ "policy.bound", "graph.p" },
		{ "policy.free", "graph.ok" },
		{ "query.p.x", "graph.p" },
	};
	struct cfs_desired des;

	memset(&des, 0, sizeof(des));
	des.deps = deps;
	des.ndeps = 3;
	mk(&ch, "policy.bound", CFS_CHANGE_UPDATE, false);
	mk(&ch, "policy.free", CFS_CHANGE_CREATE, false);
	mk(&ch, "policy.gone", CFS_CHANGE_DELETE, false);
	mk(&ch, "provider.embedding.a", CFS_CHANGE_CREATE, false);
	mk(&ch, "provider.embedding.b", CFS_CHANGE_UPDATE, false);
	mk(&ch, "provider.embedding.c", CFS_CHANGE_DELETE, false);
	mk(&ch, "thing.x", CFS_CHANGE_CREATE, false);
	cfs_plan_classify(&ch, &des, pending, 1);
	expect_disp(&ch, "policy.bound", CFS_DISP_BLOCKED, "cluster_recovery_pending");
	expect_disp(&ch, "policy.free", CFS_DISP_APPLIED, NULL);
	expect_disp(&ch, "policy.gone", CFS_DISP_APPLIED, NULL);
	expect_disp(&ch, "provider.embedding.a", CFS_DISP_APPLIED, NULL);
	expect_disp(&ch, "provider.embedding.b", CFS_DISP_APPLIED, NULL);
	expect_disp(&ch, "provider.embedding.c", CFS_DISP_APPLIED, NULL);
	expect_disp(&ch, "thing.x", CFS_DISP_DEFERRED, "apply_unsupported_kind");
	/* the same policy without the pending graph is applied */
	cfs_plan_classify(&ch, &des, NULL, 0);
	expect_disp(&ch, "policy.bound", CFS_DISP_APPLIED, NULL);
	cfs_changes_free(&ch);
}

/* ---- gates and blast radius --------------------------------------------- */

static void test_gates(void **state)
{
	(void)state;
	struct cfs_changes ch = { 0 };
	struct cfs_gates g;

	mk(&ch, "graph.a", CFS_CHANGE_DELETE, true);
	mk(&ch, "graph.b", CFS_CHANGE_UPDATE, false);
	mk(&ch, "graph.c", CFS_CHANGE_CREATE, false);
	mk(&ch, "query.a.q", CFS_CHANGE_DELETE, false);
	mk(&ch, "schema.a", CFS_CHANGE_DELETE, false);           /* one gate per subtree */
	mk(&ch, "schema.k", CFS_CHANGE_DELETE, false);           /* graph kept: own gate */
	mk(&ch, "policy.x", CFS_CHANGE_DELETE, false);
	cfs_plan_gates(&ch, &g);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.v[0].resource, "graph.a");
	assert_true(g.v[0].satisfied);
	assert_string_equal(g.v[1].resource, "schema.k");
	assert_false(g.v[1].satisfied);
	assert_non_null(cfs_gates_find(&g, "schema.k"));
	assert_null(cfs_gates_find(&g, "schema.a"));

	json_t *j = cfs_gates_json(&g);
	char *s = cfs_json_compact(j, 0);
	assert_string_equal(s, "[{\"resource\":\"graph.a\",\"reason\":\"delete may remove deployed graph or schema "
			    "definition\",\"satisfied\":true},{\"resource\":\"schema.k\",\"reason\":\"delete may "
			    "remove deployed graph or schema definition\",\"satisfied\":false}]");
	free(s);
	json_decref(j);
	cfs_gates_free(&g);
	cfs_changes_free(&ch);
}

static void test_blast_radius(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;
	struct cfs_changes ch;

	put_kg(c);
	load(c, CONFIG_KG, &des, &d);
	cfs_plan_diff(&des, NULL, true, &ch);
	json_t *j = cfs_blast_radius_json(&ch, &des);
	char *s = cfs_json_compact(j, 0);
	assert_string_equal(s, "[{\"resource\":\"graph.knowledge\",\"affected\":[\"policy.base\","
			    "\"query.knowledge.find_person\",\"schema.knowledge\"]},"
			    "{\"resource\":\"schema.knowledge\",\"affected\":[\"query.knowledge.find_person\"]}]");
	free(s);
	json_decref(j);
	cfs_changes_free(&ch);
	cleanup(&des, &d);
}

/* ---- change JSON and the plan digest ------------------------------------ */

static void test_change_json_and_digest(void **state)
{
	(void)state;
	struct cfs_changes ch = { 0 };

	mk(&ch, "graph.a", CFS_CHANGE_DELETE, false);
	ch.v[0].before_digest = cfs_xstrdup("b");
	mk(&ch, "policy.p", CFS_CHANGE_UPDATE, false);
	ch.v[1].before_digest = cfs_xstrdup("d");
	ch.v[1].after_digest = cfs_xstrdup("d");
	ch.v[1].binding_change = true;
	ch.v[1].metadata_change = CFS_META_POLICY_BINDINGS;
	mk(&ch, "schema.a", CFS_CHANGE_UPDATE, false);
	ch.v[2].before_digest = cfs_xstrdup("x");
	ch.v[2].after_digest = cfs_xstrdup("y");
	ch.v[2].migration = json_pack("{s:b, s:[]}", "supported", 1, "steps");
	classify(&ch, NULL, 0);

	json_t *j = cfs_changes_json(&ch);
	char *s = cfs_json_compact(j, 0);
	assert_string_equal(s,
		"[{\"resource\":\"graph.a\",\"operation\":\"delete\",\"before_digest\":\"b\","
		"\"disposition\":\"blocked\",\"reason\":\"approval_required\"},"
		"{\"resource\":\"policy.p\",\"operation\":\"update\",\"before_digest\":\"d\",\"after_digest\":\"d\","
		"\"disposition\":\"applied\",\"binding_change\":true,\"metadata_change\":\"policy_bindings\"},"
		"{\"resource\":\"schema.a\",\"operation\":\"update\",\"before_digest\":\"x\",\"after_digest\":\"y\","
		"\"disposition\":\"applied\",\"migration\":{\"supported\":true,\"steps\":[]}}]");
	char hex[CFS_SHA256_HEX_LEN + 1];
	struct cfs_sb in = CFS_SB_INIT;
	cfs_sb_add(&in, "clusterfs-plan\0cfg\0sha256:abc\0", 30);
	cfs_sb_adds(&in, s);
	cfs_sha256_hex(in.buf, in.len, hex);
	char *digest = cfs_plan_digest("cfg", "sha256:abc", &ch);
	assert_string_equal(digest, hex);
	free(digest);
	/* another ledger (CAS) or none at all gives another digest */
	digest = cfs_plan_digest("cfg", "sha256:abd", &ch);
	assert_string_not_equal(digest, hex);
	free(digest);
	cfs_sb_release(&in);
	free(s);
	json_decref(j);
	cfs_changes_free(&ch);

	/* no changes and no ledger */
	digest = cfs_plan_digest("cfg", NULL, &ch);
	cfs_sb_add(&in, "clusterfs-plan\0cfg\0no-state\0[]", 30);
	cfs_sha256_hex(in.buf, in.len, hex);
	assert_string_equal(digest, hex);
	cfs_sb_release(&in);
	free(digest);
}

/* ---- approvals ---------------------------------------------------------- */

static struct cfs_approval artifact(const char *resource, const char *config, const char *before,
				    const char *consumed)
{
	struct cfs_approval a;

	memset(&a, 0, sizeof(a));
	a.schema_version = 1;
	a.approval_id = cfs_xstrdup("01ARZ3NDEKTSV4RRFFQ69G5FAV");
	a.resource = cfs_xstrdup(resource);
	a.operation = cfs_xstrdup("delete");
	a.reason = cfs_xstrdup(CFS_APPROVAL_REASON);
	a.bound_config_digest = cfs_xstrdup(config);
	a.bound_before_digest = before ? cfs_xstrdup(before) : NULL;
	a.approved_by = cfs_xstrdup("alice");
	a.created_at = cfs_xstrdup("2024-01-01T00:00:00Z");
	a.consumed_at = consumed ? cfs_xstrdup(consumed) : NULL;
	return a;
}

static void test_approval_validity(void **state)
{
	(void)state;
	struct cfs_approval a = artifact("graph.old", "cfg", "g1", NULL);

	assert_true(cfs_approval_valid_for(&a, "graph.old", "cfg", "g1", NULL));
	assert_false(cfs_approval_valid_for(&a, "graph.other", "cfg", "g1", NULL));
	assert_false(cfs_approval_valid_for(&a, "graph.old", "cfg2", "g1", NULL));
	assert_false(cfs_approval_valid_for(&a, "graph.old", "cfg", "g2", NULL));
	assert_false(cfs_approval_valid_for(&a, "graph.old", "cfg", NULL, NULL));
	assert_false(cfs_approval_valid_for(&a, "graph.old", "cfg", "g1", "after"));
	a.consumed_at = cfs_xstrdup("2024-01-02T00:00:00Z");
	assert_false(cfs_approval_valid_for(&a, "graph.old", "cfg", "g1", NULL));
	cfs_approval_release(&a);
}

static void test_mark_approved_and_stale(void **state)
{
	(void)state;
	struct cfs_changes ch = { 0 };
	struct cfs_diags d = CFS_DIAGS_INIT;
	struct cfs_approval v[5] = {
		artifact("graph.a", "cfg", "ga", NULL),                 /* valid for graph.a */
		artifact("graph.a", "old-cfg", "ga", NULL),             /* stale, but a valid one exists */
		artifact("graph.b", "cfg", "other", NULL),              /* stale: only candidate */
		artifact("graph.c", "cfg", "gc", "2024-01-01T00:00:00Z"), /* consumed: ignored */
		artifact("graph.none", "cfg", "x", NULL),               /* no such change: ignored */
	};
	struct cfs_approvals arts = { v, 5 };

	const char *names[] = { "graph.a", "graph.b", "graph.c" };
	const char *before[] = { "ga", "gb", "gc" };
	for (size_t i = 0; i < 3; i++) {
		mk(&ch, names[i], CFS_CHANGE_DELETE, false);
		ch.v[i].before_digest = cfs_xstrdup(before[i]);
	}
	cfs_plan_mark_approved(&ch, &arts, "cfg", &d);
	assert_true(change(&ch, "graph.a")->approved);
	assert_false(change(&ch, "graph.b")->approved);
	assert_false(change(&ch, "graph.c")->approved);
	expect_count(&d, 1);
	expect_at(&d, 0, CFS_WARNING, "approval_stale", "graph.b",
		  "an approval artifact exists but its bound digests no longer match the plan; re-run `cluster approve`");
	classify(&ch, NULL, 0);
	expect_disp(&ch, "graph.a", CFS_DISP_APPLIED, NULL);
	expect_disp(&ch, "graph.b", CFS_DISP_BLOCKED, "approval_required");
	cfs_changes_free(&ch);
	cfs_diags_free(&d);
	for (size_t i = 0; i < 5; i++)
		cfs_approval_release(&v[i]);
}

static void test_approval_parse(void **state)
{
	(void)state;
	struct cfs_approval a;
	char *err;
	const char *full = "{\"schema_version\":1,\"approval_id\":\"X\",\"resource\":\"graph.g\","
			   "\"operation\":\"delete\",\"reason\":\"r\",\"bound_config_digest\":\"c\","
			   "\"bound_before_digest\":\"b\",\"bound_after_digest\":null,\"approved_by\":\"a\","
			   "\"created_at\":\"t\",\"consumed_at\":null,\"consumed_by_operation\":null}";
	const char *minimal = "{\"schema_version\":2,\"approval_id\":\"X\",\"resource\":\"graph.g\","
			      "\"operation\":\"delete\",\"reason\":\"r\",\"bound_config_digest\":\"c\","
			      "\"approved_by\":\"a\",\"created_at\":\"t\"}";

	assert_int_equal(cfs_approval_parse(full, strlen(full), &a, &err), 0);
	assert_int_equal(a.schema_version, 1);
	assert_string_equal(a.bound_before_digest, "b");
	assert_null(a.bound_after_digest);
	assert_null(a.consumed_at);
	json_t *j = cfs_approval_to_json(&a);
	char *s = cfs_json_compact(j, 0);
	assert_string_equal(s, full);
	free(s);
	json_decref(j);
	cfs_approval_release(&a);

	assert_int_equal(cfs_approval_parse(minimal, strlen(minimal), &a, &err), 0);
	assert_int_equal(a.schema_version, 2);
	assert_null(a.bound_before_digest);
	cfs_approval_release(&a);

	const struct { const char *text, *err; } bad[] = {
		{ "{\"schema_version\":1,\"extra\":1}", "unknown field `extra`" },
		{ "{\"schema_version\":1}", "missing field `approval_id`" },
		{ "{\"schema_version\":\"1\"}", "invalid type for `schema_version`: expected an unsigned 32-bit integer" },
		{ "[1]", "invalid type: expected an approval artifact object" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(cfs_approval_parse(bad[i].text, strlen(bad[i].text), &a, &err), -1);
		assert_string_equal(err, bad[i].err);
		free(err);
	}
	assert_int_equal(cfs_approval_parse("{", 1, &a, &err), -1);
	assert_non_null(strstr(err, "at line 1"));
	free(err);
	/* consumed_at must be a string or null */
	const char *badtype = "{\"schema_version\":1,\"approval_id\":\"X\",\"resource\":\"graph.g\","
			      "\"operation\":\"delete\",\"reason\":\"r\",\"bound_config_digest\":\"c\","
			      "\"approved_by\":\"a\",\"created_at\":\"t\",\"consumed_at\":5}";
	assert_int_equal(cfs_approval_parse(badtype, strlen(badtype), &a, &err), -1);
	assert_string_equal(err, "invalid type for `consumed_at`: expected a string");
	free(err);
}

static void test_approval_files(void **state)
{
	struct ctx *c = *state;
	struct cfs_store *st;
	struct cfs_diags d = CFS_DIAGS_INIT;
	struct cfs_approvals all;
	struct cfs_approval a = artifact("graph.old", "cfg", "g1", NULL);

	assert_int_equal(cfs_store_open_local(c->dir, &st), 0);
	/* a missing directory lists empty, silently */
	cfs_approvals_list(st, "ROOT", &all, &d);
	assert_int_equal(all.n, 0);
	expect_count(&d, 0);
	cfs_approvals_free(&all);

	assert_int_equal(cfs_approval_write(st, "ROOT", &a, &d), 0);
	expect_count(&d, 0);
	char *text;
	size_t len;
	assert_int_equal(cfs_read_file(S(c, "%s/__cluster/approvals/01ARZ3NDEKTSV4RRFFQ69G5FAV.json", c->dir),
				       &text, &len), 0);
	assert_string_equal(text,
		"{\n  \"schema_version\": 1,\n  \"approval_id\": \"01ARZ3NDEKTSV4RRFFQ69G5FAV\",\n"
		"  \"resource\": \"graph.old\",\n  \"operation\": \"delete\",\n"
		"  \"reason\": \"delete may remove deployed graph or schema definition\",\n"
		"  \"bound_config_digest\": \"cfg\",\n  \"bound_before_digest\": \"g1\",\n"
		"  \"bound_after_digest\": null,\n  \"approved_by\": \"alice\",\n"
		"  \"created_at\": \"2024-01-01T00:00:00Z\",\n  \"consumed_at\": null,\n"
		"  \"consumed_by_operation\": null\n}\n");
	free(text);
	/* create-if-absent: the same id again fails */
	assert_int_equal(cfs_approval_write(st, "ROOT", &a, &d), -1);
	expect_count(&d, 1);
	expect_at(&d, 0, CFS_ERROR, "approval_write_error",
		  "ROOT/__cluster/approvals/01ARZ3NDEKTSV4RRFFQ69G5FAV.json",
		  "could not write approval artifact: File exists");
	cfs_diags_free(&d);

	/* bad neighbours are warned about and skipped; other names ignored */
	put(c->dir, "__cluster/approvals/0-bad.json", "{not json");
	put(c->dir, "__cluster/approvals/1-closed.json", "{\"schema_version\":1,\"x\":2}");
	put(c->dir, "__cluster/approvals/2-v2.json",
	    "{\"schema_version\":2,\"approval_id\":\"X\",\"resource\":\"graph.g\",\"operation\":\"delete\","
	    "\"reason\":\"r\",\"bound_config_digest\":\"c\",\"approved_by\":\"a\",\"created_at\":\"t\"}");
	put(c->dir, "__cluster/approvals/notes.txt", "ignored");
	cfs_approvals_list(st, "ROOT", &all, &d);
	assert_int_equal(all.n, 1);
	assert_string_equal(all.v[0].file, "01ARZ3NDEKTSV4RRFFQ69G5FAV.json");
	assert_string_equal(all.v[0].bound_before_digest, "g1");
	expect_count(&d, 3);
	expect_at(&d, 0, CFS_WARNING, "invalid_approval_artifact", "ROOT/__cluster/approvals/0-bad.json", NULL);
	assert_non_null(strstr(d.v[0].message, "could not parse ("));
	assert_non_null(strstr(d.v[0].message, "); leaving it in place"));
	expect_at(&d, 1, CFS_WARNING, "invalid_approval_artifact", "ROOT/__cluster/approvals/1-closed.json",
		  "could not parse (unknown field `x`); leaving it in place");
	expect_at(&d, 2, CFS_WARNING, "unsupported_approval_version", "ROOT/__cluster/approvals/2-v2.json",
		  "unsupported schema version; leaving it in place");
	cfs_approvals_free(&all);
	cfs_diags_free(&d);

	/* consumption rewrites the file with consumed_at; the file stays */
	const char *ids[] = { "01ARZ3NDEKTSV4RRFFQ69G5FAV" };
	assert_int_equal(cfs_approvals_mark_consumed(st, ids, 1, "apply"), 0);
	cfs_approvals_list(st, "ROOT", &all, NULL);
	assert_int_equal(all.n, 1);
	assert_non_null(all.v[0].consumed_at);
	assert_int_equal(strlen(all.v[0].consumed_at), 20);
	assert_string_equal(all.v[0].consumed_by_operation, "apply");
	assert_false(cfs_approval_valid_for(&all.v[0], "graph.old", "cfg", "g1", NULL));
	cfs_approvals_free(&all);

	cfs_approval_release(&a);
	cfs_store_close(st);
}

static void test_approval_dir_unreadable(void **state)
{
	struct ctx *c = *state;
	struct cfs_store *st;
	struct cfs_diags d = CFS_DIAGS_INIT;
	struct cfs_approvals all;

	if (geteuid() == 0)
		skip();         /* root reads anything */
	put_dir(c->dir, "__cluster/approvals");
	assert_int_equal(chmod(S(c, "%s/__cluster/approvals", c->dir), 0), 0);
	assert_int_equal(cfs_store_open_local(c->dir, &st), 0);
	cfs_approvals_list(st, "ROOT", &all, &d);
	assert_int_equal(all.n, 0);
	expect_count(&d, 1);
	expect_at(&d, 0, CFS_WARNING, "approval_read_error", "__cluster/approvals",
		  "could not list '__cluster/approvals': Permission denied");
	cfs_approvals_free(&all);
	cfs_diags_free(&d);
	chmod(S(c, "%s/__cluster/approvals", c->dir), 0755);
	cfs_store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_diff_missing_ledger_creates_everything),
		T(test_diff_update_delete_and_unchanged),
		T(test_diff_policy_binding_metadata),
		T(test_diff_provider_profile_metadata),
		T(test_classify_graph_rows),
		T(test_classify_schema_rows),
		T(test_classify_query_rows),
		T(test_classify_policy_provider_other),
		T(test_gates),
		T(test_blast_radius),
		T(test_change_json_and_digest),
		T(test_approval_validity),
		T(test_mark_approved_and_stale),
		T(test_approval_parse),
		T(test_approval_files),
		T(test_approval_dir_unreadable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
