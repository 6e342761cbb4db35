/*
 * Unit tests for ledger/sidecar (the recovery sidecar files of cluster.md
 * §10), engine/sweep (every row of the §10.1 table, on real graph roots
 * made with cfs_graph_init / cfs_graph_apply_schema in a scratch storage
 * root and hand-written sidecars) and engine/ledger_edit (composites,
 * the §7.3 integrity check, tombstones).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/json.h"
#include "core/sha256.h"
#include "core/strbuf.h"
#include "engine/digest.h"
#include "engine/graph/graph.h"
#include "engine/ledger_edit.h"
#include "engine/sweep.h"
#include "ledger/approval.h"
#include "ledger/sidecar.h"
#include "ledger/state.h"
#include "tmpdir.h"

#define SCHEMA_A "node Person {\n  name: String @key\n}\n"
#define SCHEMA_B "node Person {\n  name: String @key\n  age: I32?\n}\n"
#define SCHEMA_C "node Person {\n  name: String @key\n  email: String?\n}\n"
#define OP1 "01J00000000000000000000001"
#define OP2 "01J00000000000000000000002"
#define APPROVAL "01J0000000000000000000000A"

struct fixture {
	char *root;                     /* storage root (scratch dir) */
	struct cfs_store *st;
	json_t *ledger;
	struct cfs_diags d;
	struct cfs_sweep sw;
	char a[65], b[65], c[65];       /* digests of SCHEMA_A/B/C */
};

static int setup(void **state)
{
	struct fixture *f = cfs_xcalloc(1, sizeof(*f));

	f->root = tmpdir_make();
	assert_int_equal(cfs_store_open_local(f->root, &f->st), 0);
	f->ledger = cfs_state_new("cfgdigest");
	cfs_sha256_hex(SCHEMA_A, strlen(SCHEMA_A), f->a);
	cfs_sha256_hex(SCHEMA_B, strlen(SCHEMA_B), f->b);
	cfs_sha256_hex(SCHEMA_C, strlen(SCHEMA_C), f->c);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	cfs_sweep_free(&f->sw);
	cfs_diags_free(&f->d);
	json_decref(f->ledger);
	cfs_store_close(f->st);
	tmpdir_remove(f->root);
	free(f);
	return 0;
}

/* ------------------------------------------------------------------ helpers */

static char *graph_root(struct fixture *f, const char *id)
{
	return cfs_xasprintf("%s/graphs/%s.omni", f->root, id);
}

/* A real graph root for id with schema src (then, if next, applied). */
static void make_graph(struct fixture *f, const char *id, const char *src, const char *next)
{
	struct cfs_diags d = CFS_DIAGS_INIT;
	char *root = graph_root(f, id);

	assert_int_equal(cfs_graph_init(root, src, strlen(src), "test", &d), 0);
	if (next) {
		struct cfs_graph *g;
		uint64_t v;
		assert_int_equal(cfs_graph_open(root, false, &g, &d), 0);
		assert_int_equal(cfs_graph_apply_schema(g, next, strlen(next), "test", &v, &d), 0);
		cfs_graph_close(g);
	}
	assert_int_equal(d.n, 0);
	cfs_diags_free(&d);
	free(root);
}

/* A root that exists but is no graph (junk only). */
static void make_junk_root(struct fixture *f, const char *id)
{
	char *root = graph_root(f, id), *junk = cfs_xasprintf("%s/junk.txt", root);
	struct cfs_store *s;

	assert_int_equal(cfs_store_open_local(root, &s), 0);
	assert_int_equal(cfs_store_put(s, "junk.txt", "x", 1), 0);
	cfs_store_close(s);
	free(junk);
	free(root);
}

static void put_key(struct fixture *f, const char *key, const char *text)
{
	assert_int_equal(cfs_store_put(f->st, key, text, strlen(text)), 0);
}

/* Hand-written sidecar op for graph id (approval may be NULL). */
static void sidecar(struct fixture *f, const char *op, const char *kind, const char *id, const char *desired,
		    const char *approval)
{
	char *root = graph_root(f, id);
	char *key = cfs_xasprintf(CFS_RECOVERIES_DIR "/%s.json", op);
	char *appr = approval ? cfs_xasprintf("\"%s\"", approval) : cfs_xstrdup("null");
	char *text = cfs_xasprintf("{\n  \"schema_version\": 1,\n  \"operation_id\": \"%s\",\n"
				   "  \"started_at\": \"2026-01-01T00:00:00Z\",\n  \"actor\": \"alice\",\n"
				   "  \"kind\": \"%s\",\n  \"graph_id\": \"%s\",\n  \"graph_uri\": \"%s\",\n"
				   "  \"observed_manifest_version\": null,\n  \"expected_manifest_version\": 2,\n"
				   "  \"desired_schema_digest\": \"%s\",\n  \"state_cas_base\": null,\n"
				   "  \"approval_id\": %s\n}\n",
				   op, kind, id, root, desired, appr);

	put_key(f, key, text);
	free(text);
	free(appr);
	free(key);
	free(root);
}

static bool sidecar_exists(struct fixture *f, const char *op)
{
	char *key = cfs_xasprintf(CFS_RECOVERIES_DIR "/%s.json", op);
	bool yes = cfs_store_exists(f->st, key) == 0;

	free(key);
	return yes;
}

static void set_resource(struct fixture *f, const char *addr, const char *digest)
{
	json_t *e = json_object();

	json_object_set_new(e, "digest", json_string(digest));
	json_object_set_new(cfs_state_resources(f->ledger), addr, e);
}

static const char *digest_of(struct fixture *f, const char *addr)
{
	return cfs_ledger_digest(f->ledger, addr);
}

static const char *status_of(struct fixture *f, const char *addr)
{
	return json_string_value(json_object_get(json_object_get(cfs_ledger_map(f->ledger, "resource_statuses"), addr),
						 "status"));
}

static const char *condition_of(struct fixture *f, const char *addr)
{
	json_t *s = json_object_get(cfs_ledger_map(f->ledger, "resource_statuses"), addr);

	return json_string_value(json_array_get(json_object_get(s, "conditions"), 0));
}

static const char *message_of(struct fixture *f, const char *addr)
{
	json_t *s = json_object_get(cfs_ledger_map(f->ledger, "resource_statuses"), addr);

	return json_string_value(json_object_get(s, "message"));
}

/* Ledger with graph g at schema digest s (true composite) and one query. */
static void ledger_graph(struct fixture *f, const char *id, const char *schema)
{
	char *saddr = cfs_xasprintf("schema.%s", id), *qaddr = cfs_xasprintf("query.%s.find", id);

	set_resource(f, saddr, schema);
	set_resource(f, qaddr, "qqqq");
	cfs_ledger_set_graph(f->ledger, id, NULL, NULL);
	cfs_ledger_set_status(f->ledger, saddr, "applied", NULL, NULL);
	free(qaddr);
	free(saddr);
}

static void run_sweep(struct fixture *f)
{
	cfs_sweep_free(&f->sw);
	cfs_sweep_run(f->st, f->root, f->ledger, &f->sw, &f->d);
}

static void expect_diag(struct fixture *f, size_t i, enum cfs_severity sev, const char *code, const char *path,
			const char *msg_prefix)
{
	assert_true(i < f->d.n);
	assert_int_equal(f->d.v[i].severity, sev);
	assert_string_equal(f->d.v[i].code, code);
	assert_string_equal(f->d.v[i].path, path);
	if (msg_prefix)
		assert_memory_equal(f->d.v[i].message, msg_prefix, strlen(msg_prefix));
}

static void expect_retired(struct fixture *f, const char *op)
{
	char *file = cfs_xasprintf("%s.json", op);
	bool found = false;

	for (size_t i = 0; i < f->sw.nretire; i++)
		found |= !strcmp(f->sw.retire[i], file);
	assert_true(found);
	free(file);
}

#define DRIFT_MSG "graph state does not match the interrupted operation; run `cluster refresh` and re-plan"
#define INCOMPLETE_MSG \
	"graph root exists but cannot be opened; remove the graph root and re-run `cluster apply`"

/* ------------------------------------------------------------------ sidecar files */

static void test_write_and_read_back(void **state)
{
	struct fixture *f = *state;
	struct cfs_sidecar sc, *v;
	size_t n;
	char *key, *text;
	size_t len;

	assert_int_equal(cfs_sidecar_init(&sc, CFS_SIDECAR_GRAPH_DELETE, "g", "/r/graphs/g.omni", NULL, "bob",
					  "sha256:abc", APPROVAL), 0);
	sc.has_observed_version = true;
	sc.observed_manifest_version = 7;
	assert_int_equal(cfs_sidecar_write(f->st, f->root, &sc, &f->d), 0);
	key = cfs_xasprintf(CFS_RECOVERIES_DIR "/%s.json", sc.operation_id);
	assert_int_equal(cfs_store_get(f->st, key, &text, &len), 0);
	char *want = cfs_xasprintf("{\n  \"schema_version\": 1,\n  \"operation_id\": \"%s\",\n  \"started_at\": \"%s\",\n"
				   "  \"actor\": \"bob\",\n  \"kind\": \"graph_delete\",\n  \"graph_id\": \"g\",\n"
				   "  \"graph_uri\": \"/r/graphs/g.omni\",\n  \"observed_manifest_version\": 7,\n"
				   "  \"expected_manifest_version\": null,\n  \"desired_schema_digest\": \"\",\n"
				   "  \"state_cas_base\": \"sha256:abc\",\n  \"approval_id\": \"" APPROVAL "\"\n}\n",
				   sc.operation_id, sc.started_at);
	assert_string_equal(text, want);
	assert_int_equal(strlen(sc.operation_id), 26);
	assert_int_equal(strlen(sc.started_at), 20);
	cfs_sidecar_list(f->st, f->root, &v, &n, &f->d);
	assert_int_equal(n, 1);
	assert_int_equal(f->d.n, 0);
	assert_string_equal(v[0].operation_id, sc.operation_id);
	assert_int_equal(v[0].kind, CFS_SIDECAR_GRAPH_DELETE);
	assert_string_equal(v[0].actor, "bob");
	assert_true(v[0].has_observed_version);
	assert_int_equal(v[0].observed_manifest_version, 7);
	assert_false(v[0].has_expected_version);
	assert_string_equal(v[0].desired_schema_digest, "");
	assert_string_equal(v[0].state_cas_base, "sha256:abc");
	assert_string_equal(v[0].approval_id, APPROVAL);
	char *file = cfs_xasprintf("%s.json", sc.operation_id);
	assert_string_equal(v[0].file, file);
	/* cleanup deletes it; a second time is fine */
	assert_int_equal(cfs_sidecar_cleanup(f->st, f->root, &v[0], &f->d), 0);
	assert_int_equal(cfs_sidecar_remove(f->st, file), 0);
	assert_int_not_equal(cfs_store_exists(f->st, key), 0);
	assert_int_equal(f->d.n, 0);
	cfs_sidecars_free(v, n);
	free(file);
	free(want);
	free(text);
	free(key);
	cfs_sidecar_release(&sc);
}

static void test_write_error(void **state)
{
	struct fixture *f = *state;
	struct cfs_sidecar sc;

	/* __cluster is a file: the recoveries directory cannot exist */
	put_key(f, "__cluster", "x");
	assert_int_equal(cfs_sidecar_init(&sc, CFS_SIDECAR_GRAPH_CREATE, "g", "/r", "d", NULL, NULL, NULL), 0);
	assert_int_equal(cfs_sidecar_write(f->st, f->root, &sc, &f->d), -1);
	char *where = cfs_xasprintf("%s/__cluster/recoveries/%s.json", f->root, sc.operation_id);
	expect_diag(f, 0, CFS_ERROR, "recovery_sidecar_write_error", where, "could not write recovery sidecar: ");
	free(where);
	cfs_sidecar_release(&sc);
}

static void test_list_skips_bad_files(void **state)
{
	struct fixture *f = *state;
	struct cfs_sidecar *v;
	size_t n;
	char *p1 = cfs_xasprintf("%s/__cluster/recoveries/a.json", f->root);
	char *p2 = cfs_xasprintf("%s/__cluster/recoveries/b.json", f->root);
	char *p3 = cfs_xasprintf("%s/__cluster/recoveries/c.json", f->root);
	char *p5 = cfs_xasprintf("%s/__cluster/recoveries/e.json", f->root);
	char *p6 = cfs_xasprintf("%s/__cluster/recoveries/f.json", f->root);

	put_key(f, CFS_RECOVERIES_DIR "/a.json", "{not json");
	put_key(f, CFS_RECOVERIES_DIR "/b.json",
		"{\"schema_version\":1,\"operation_id\":\"x\",\"started_at\":\"t\",\"kind\":\"graph_create\","
		"\"graph_id\":\"g\",\"graph_uri\":\"/u\",\"desired_schema_digest\":\"d\",\"extra\":1}");
	put_key(f, CFS_RECOVERIES_DIR "/c.json",
		"{\"schema_version\":2,\"operation_id\":\"x\",\"started_at\":\"t\",\"kind\":\"graph_create\","
		"\"graph_id\":\"g\",\"graph_uri\":\"/u\",\"desired_schema_digest\":\"d\"}");
	/* minimal valid file: the optional keys absent */
	put_key(f, CFS_RECOVERIES_DIR "/d.json",
		"{\"schema_version\":1,\"operation_id\":\"x\",\"started_at\":\"t\",\"kind\":\"schema_apply\","
		"\"graph_id\":\"g\",\"graph_uri\":\"/u\",\"desired_schema_digest\":\"d\"}");
	put_key(f, CFS_RECOVERIES_DIR "/e.json",
		"{\"schema_version\":1,\"operation_id\":\"x\",\"started_at\":\"t\",\"kind\":\"graph_move\","
		"\"graph_id\":\"g\",\"graph_uri\":\"/u\",\"desired_schema_digest\":\"d\"}");
	put_key(f, CFS_RECOVERIES_DIR "/f.json",
		"{\"schema_version\":1,\"operation_id\":\"x\",\"started_at\":\"t\",\"kind\":\"graph_create\","
		"\"graph_uri\":\"/u\",\"desired_schema_digest\":\"d\"}");
	put_key(f, CFS_RECOVERIES_DIR "/notes.txt", "ignored");
	put_key(f, CFS_RECOVERIES_DIR "/dir.json/inner", "a directory named like a sidecar is ignored");
	cfs_sidecar_list(f->st, f->root, &v, &n, &f->d);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].file, "d.json");
	assert_int_equal(v[0].kind, CFS_SIDECAR_SCHEMA_APPLY);
	assert_null(v[0].actor);
	assert_null(v[0].approval_id);
	assert_false(v[0].has_expected_version);
	assert_int_equal(f->d.n, 5);
	expect_diag(f, 0, CFS_WARNING, "invalid_recovery_sidecar", p1, "could not parse (");
	expect_diag(f, 1, CFS_WARNING, "invalid_recovery_sidecar", p2, "could not parse (unknown field `extra`");
	expect_diag(f, 2, CFS_WARNING, "unsupported_recovery_sidecar_version", p3,
		    "unsupported schema version; leaving it in place");
	expect_diag(f, 3, CFS_WARNING, "invalid_recovery_sidecar", p5, "could not parse (unknown variant `graph_move`");
	expect_diag(f, 4, CFS_WARNING, "invalid_recovery_sidecar", p6, "could not parse (missing field `graph_id`)");
	assert_non_null(strstr(f->d.v[0].message, "); leaving it in place"));
	cfs_sidecars_free(v, n);
	free(p1);
	free(p2);
	free(p3);
	free(p5);
	free(p6);
}

static void test_list_unreadable(void **state)
{
	struct fixture *f = *state;
	struct cfs_sidecar *v;
	size_t n;
	char *dir = cfs_xasprintf("%s/__cluster", f->root), *link = cfs_xasprintf("%s/recoveries", dir);
	char *loop = cfs_xasprintf("%s/__cluster/recoveries/x.json", f->root);

	/* a file that cannot be read: a symlink loop */
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(mkdir(link, 0755), 0);
	assert_int_equal(symlink("x.json", loop), 0);
	cfs_sidecar_list(f->st, f->root, &v, &n, &f->d);
	assert_int_equal(n, 0);
	expect_diag(f, 0, CFS_WARNING, "invalid_recovery_sidecar", loop, "could not read (");
	cfs_sidecars_free(v, n);
	cfs_diags_free(&f->d);
	/* a directory that cannot be listed */
	unlink(loop);
	rmdir(link);
	assert_int_equal(symlink("recoveries", link), 0);
	cfs_sidecar_list(f->st, f->root, &v, &n, &f->d);
	assert_int_equal(n, 0);
	expect_diag(f, 0, CFS_WARNING, "recovery_sidecar_read_error", "__cluster/recoveries",
		    "could not list '__cluster/recoveries': ");
	cfs_sidecars_free(v, n);
	free(loop);
	free(link);
	free(dir);
}

/* ------------------------------------------------------------------ graph_create rows */

static void test_create_root_absent(void **state)
{
	struct fixture *f = *state;
	char *before;

	sidecar(f, OP1, "graph_create", "g", f->a, NULL);
	before = cfs_json_compact(f->ledger, CFS_JSON_SORTED);
	run_sweep(f);
	assert_int_equal(f->d.n, 0);
	assert_int_equal(f->sw.npending, 0);
	assert_int_equal(f->sw.nretire, 1);
	expect_retired(f, OP1);
	char *after = cfs_json_compact(f->ledger, CFS_JSON_SORTED);
	assert_string_equal(before, after);
	/* retirement happens only in finish */
	assert_true(sidecar_exists(f, OP1));
	cfs_sweep_finish(f->st, &f->sw);
	assert_false(sidecar_exists(f, OP1));
	free(after);
	free(before);
}

static void test_create_matches_ledger(void **state)
{
	struct fixture *f = *state;

	make_graph(f, "g", SCHEMA_A, NULL);
	ledger_graph(f, "g", f->a);
	sidecar(f, OP1, "graph_create", "g", f->a, NULL);
	run_sweep(f);
	assert_int_equal(f->d.n, 0);
	assert_int_equal(f->sw.npending, 0);
	expect_retired(f, OP1);
	assert_int_equal(json_object_size(cfs_ledger_map(f->ledger, "recovery_records")), 0);
}

static void test_create_rolls_forward(void **state)
{
	struct fixture *f = *state;
	struct cfs_name_digest q = { "find", "qqqq" };

	make_graph(f, "g", SCHEMA_A, NULL);
	set_resource(f, "query.g.find", "qqqq");
	sidecar(f, OP1, "graph_create", "g", f->a, NULL);
	run_sweep(f);
	assert_int_equal(f->d.n, 1);
	expect_diag(f, 0, CFS_WARNING, "cluster_recovery_rolled_forward", "graph.g",
		    "an interrupted graph create had completed on the graph; cluster state was rolled forward to match");
	assert_string_equal(digest_of(f, "schema.g"), f->a);
	char *want = cfs_digest_graph("g", f->a, &q, 1, NULL, NULL, NULL);
	assert_string_equal(digest_of(f, "graph.g"), want);
	free(want);
	assert_string_equal(status_of(f, "graph.g"), "applied");
	assert_string_equal(status_of(f, "schema.g"), "applied");
	assert_null(condition_of(f, "graph.g"));
	json_t *rec = json_object_get(cfs_ledger_map(f->ledger, "recovery_records"), OP1);
	assert_string_equal(json_string_value(json_object_get(rec, "kind")), "graph_create");
	assert_string_equal(json_string_value(json_object_get(rec, "graph_id")), "g");
	assert_string_equal(json_string_value(json_object_get(rec, "outcome")), "rolled_forward");
	assert_string_equal(json_string_value(json_object_get(rec, "actor")), "alice");
	assert_int_equal(strlen(json_string_value(json_object_get(rec, "recovered_at"))), 20);
	assert_int_equal(f->sw.npending, 0);
	expect_retired(f, OP1);
	assert_int_equal(cfs_ledger_check_composites(f->ledger, &f->d), 0);
}

static void test_create_unexpected_schema(void **state)
{
	struct fixture *f = *state;

	make_graph(f, "g", SCHEMA_C, NULL);
	ledger_graph(f, "g", f->a);
	sidecar(f, OP1, "graph_create", "g", f->b, NULL);
	run_sweep(f);
	assert_int_equal(f->d.n, 1);
	expect_diag(f, 0, CFS_WARNING, "cluster_recovery_pending", "graph.g",
		    "an interrupted graph create left unexpected graph state; graph-moving work is blocked until "
		    "repaired");
	assert_string_equal(status_of(f, "graph.g"), "drifted");
	assert_string_equal(condition_of(f, "graph.g"), "actual_applied_state_pending");
	assert_string_equal(message_of(f, "graph.g"), DRIFT_MSG);
	assert_string_equal(status_of(f, "schema.g"), "drifted");
	assert_string_equal(message_of(f, "schema.g"), DRIFT_MSG);
	assert_string_equal(digest_of(f, "schema.g"), f->a);   /* untouched */
	assert_int_equal(f->sw.npending, 1);
	assert_true(cfs_sweep_pending(&f->sw, "g"));
	assert_int_equal(f->sw.nretire, 0);
	cfs_sweep_finish(f->st, &f->sw);
	assert_true(sidecar_exists(f, OP1));
}

static void test_create_incomplete(void **state)
{
	struct fixture *f = *state;
	char *root = graph_root(f, "g");
	char *msg = cfs_xasprintf("graph root '%s' exists but cannot be opened (", root);

	make_junk_root(f, "g");
	sidecar(f, OP1, "graph_create", "g", f->a, NULL);
	run_sweep(f);
	assert_int_equal(f->d.n, 1);
	expect_diag(f, 0, CFS_ERROR, "graph_create_incomplete", "graph.g", msg);
	assert_non_null(strstr(f->d.v[0].message, "); remove the graph root and re-run `cluster apply`"));
	assert_string_equal(status_of(f, "graph.g"), "error");
	assert_string_equal(condition_of(f, "graph.g"), "graph_create_incomplete");
	assert_string_equal(message_of(f, "graph.g"), INCOMPLETE_MSG);
	assert_string_equal(status_of(f, "schema.g"), "error");
	assert_true(cfs_sweep_pending(&f->sw, "g"));
	assert_int_equal(f->sw.nretire, 0);
	/* an empty root directory is the same row */
	cfs_diags_free(&f->d);
	tmpdir_rm_rf(root);
	assert_int_equal(mkdir(root, 0755), 0);
	run_sweep(f);
	expect_diag(f, 0, CFS_ERROR, "graph_create_incomplete", "graph.g", msg);
	free(msg);
	free(root);
}

/* ------------------------------------------------------------------ schema_apply rows */

static void test_schema_apply_not_open(void **state)
{
	struct fixture *f = *state;
	char *root = graph_root(f, "g");
	char *msg = cfs_xasprintf("an interrupted schema apply cannot be verified (graph '%s' did not open: ", root);

	ledger_graph(f, "g", f->a);
	sidecar(f, OP1, "schema_apply", "g", f->b, NULL);
	run_sweep(f);          /* absent */
	assert_int_equal(f->d.n, 1);
	expect_diag(f, 0, CFS_WARNING, "cluster_recovery_pending", "graph.g", msg);
	assert_non_null(strstr(f->d.v[0].message, "); graph-moving work is blocked until repaired"));
	assert_string_equal(status_of(f, "schema.g"), "applied");      /* statuses untouched */
	assert_null(status_of(f, "graph.g"));
	assert_true(cfs_sweep_pending(&f->sw, "g"));
	assert_int_equal(f->sw.nretire, 0);
	cfs_diags_free(&f->d);
	make_junk_root(f, "g");  /* exists, does not open */
	run_sweep(f);
	expect_diag(f, 0, CFS_WARNING, "cluster_recovery_pending", "graph.g", msg);
	assert_true(cfs_sweep_pending(&f->sw, "g"));
	free(msg);
	free(root);
}

static void test_schema_apply_matches_ledger(void **state)
{
	struct fixture *f = *state;

	make_graph(f, "g", SCHEMA_A, NULL);
	ledger_graph(f, "g", f->a);
	sidecar(f, OP1, "schema_apply", "g", f->b, NULL);
	run_sweep(f);
	assert_int_equal(f->d.n, 0);
	expect_retired(f, OP1);
	assert_int_equal(f->sw.npending, 0);
}

static void test_schema_apply_rolls_forward(void **state)
{
	struct fixture *f = *state;
	json_t *policy = json_pack("{s:s,s:[{s:s,s:s}]}", "mode", "allow", "bases", "uri", "s3://b/p/", "scope",
				   "server_safe");
	struct cfs_name_digest q = { "find", "qqqq" };

	make_graph(f, "g", SCHEMA_A, SCHEMA_B);
	set_resource(f, "schema.g", f->a);
	set_resource(f, "query.g.find", "qqqq");
	set_resource(f, "provider.embedding.p", "pppp");
	cfs_ledger_set_graph(f->ledger, "g", "provider.embedding.p", policy);
	sidecar(f, OP1, "schema_apply", "g", f->b, NULL);
	run_sweep(f);
	assert_int_equal(f->d.n, 1);
	expect_diag(f, 0, CFS_WARNING, "cluster_recovery_rolled_forward", "graph.g",
		    "an interrupted schema apply had completed on the graph; cluster state was rolled forward to match");
	assert_string_equal(digest_of(f, "schema.g"), f->b);
	char *want = cfs_digest_graph("g", f->b, &q, 1, "provider.embedding.p", "pppp", policy);
	assert_string_equal(digest_of(f, "graph.g"), want);
	json_t *g = json_object_get(cfs_state_resources(f->ledger), "graph.g");
	assert_string_equal(json_string_value(json_object_get(g, "embedding_provider")), "provider.embedding.p");
	assert_true(json_equal(json_object_get(g, "external_blob_policy"), policy));
	assert_string_equal(status_of(f, "graph.g"), "applied");
	assert_string_equal(status_of(f, "schema.g"), "applied");
	json_t *rec = json_object_get(cfs_ledger_map(f->ledger, "recovery_records"), OP1);
	assert_string_equal(json_string_value(json_object_get(rec, "kind")), "schema_apply");
	expect_retired(f, OP1);
	assert_int_equal(cfs_ledger_check_composites(f->ledger, &f->d), 0);
	free(want);
	json_decref(policy);
}

static void test_schema_apply_unexpected(void **state)
{
	struct fixture *f = *state;

	make_graph(f, "g", SCHEMA_A, SCHEMA_C);
	ledger_graph(f, "g", f->a);
	sidecar(f, OP1, "schema_apply", "g", f->b, NULL);
	run_sweep(f);
	assert_int_equal(f->d.n, 1);
	expect_diag(f, 0, CFS_WARNING, "cluster_recovery_pending", "graph.g",
		    "an interrupted schema apply left unexpected graph state; graph-moving work is blocked until "
		    "repaired");
	assert_string_equal(status_of(f, "graph.g"), "drifted");
	assert_string_equal(condition_of(f, "schema.g"), "actual_applied_state_pending");
	assert_string_equal(digest_of(f, "schema.g"), f->a);
	assert_true(cfs_sweep_pending(&f->sw, "g"));
	assert_int_equal(f->sw.nretire, 0);
}

/* ------------------------------------------------------------------ graph_delete rows */

static void test_delete_root_exists(void **state)
{
	struct fixture *f = *state;

	make_graph(f, "g", SCHEMA_A, NULL);
	ledger_graph(f, "g", f->a);
	sidecar(f, OP1, "graph_delete", "g", "", APPROVAL);
	run_sweep(f);
	assert_int_equal(f->d.n, 1);
	expect_diag(f, 0, CFS_WARNING, "graph_delete_incomplete", "graph.g",
		    "a previous graph delete did not complete; it will be re-proposed by plan and can be retried "
		    "under its approval");
	expect_retired(f, OP1);
	assert_int_equal(f->sw.npending, 0);
	assert_non_null(digest_of(f, "graph.g"));
	assert_int_equal(f->sw.nconsumed, 0);
}

static void test_delete_already_recorded(void **state)
{
	struct fixture *f = *state;

	sidecar(f, OP1, "graph_delete", "g", "", APPROVAL);
	run_sweep(f);
	assert_int_equal(f->d.n, 0);
	expect_retired(f, OP1);
	assert_int_equal(json_object_size(cfs_ledger_map(f->ledger, "approval_records")), 0);
}

static void test_delete_rolls_forward(void **state)
{
	struct fixture *f = *state;
	struct cfs_approval a = { 0 };
	struct cfs_approvals arts;

	ledger_graph(f, "g", f->a);
	ledger_graph(f, "h", f->a);
	cfs_ledger_set_status(f->ledger, "query.g.find", "applied", NULL, NULL);
	a.schema_version = 1;
	a.approval_id = APPROVAL;
	a.resource = "graph.g";
	a.operation = "delete";
	a.reason = CFS_APPROVAL_REASON;
	a.bound_config_digest = "cfgdigest";
	a.approved_by = "alice";
	a.created_at = "2026-01-01T00:00:00Z";
	assert_int_equal(cfs_approval_write(f->st, f->root, &a, &f->d), 0);
	sidecar(f, OP1, "graph_delete", "g", "", APPROVAL);
	run_sweep(f);
	assert_int_equal(f->d.n, 1);
	expect_diag(f, 0, CFS_WARNING, "cluster_recovery_rolled_forward", "graph.g",
		    "an interrupted graph delete had completed on disk; cluster state was rolled forward to match");
	assert_null(digest_of(f, "graph.g"));
	assert_null(digest_of(f, "schema.g"));
	assert_null(digest_of(f, "query.g.find"));
	assert_null(status_of(f, "schema.g"));
	assert_null(status_of(f, "query.g.find"));
	assert_non_null(digest_of(f, "graph.h"));          /* other graphs untouched */
	assert_non_null(digest_of(f, "query.h.find"));
	json_t *t = json_object_get(cfs_ledger_map(f->ledger, "observations"), "graph.g");
	assert_string_equal(json_string_value(json_object_get(t, "kind")), "tombstone");
	assert_string_equal(json_string_value(json_object_get(t, "approval_id")), APPROVAL);
	assert_string_equal(json_string_value(json_object_get(t, "actor")), "alice");
	assert_int_equal(strlen(json_string_value(json_object_get(t, "deleted_at"))), 20);
	json_t *r = json_object_get(cfs_ledger_map(f->ledger, "approval_records"), APPROVAL);
	assert_string_equal(json_string_value(json_object_get(r, "consumed_by_operation")), OP1);
	assert_non_null(json_string_value(json_object_get(r, "consumed_at")));
	json_t *rec = json_object_get(cfs_ledger_map(f->ledger, "recovery_records"), OP1);
	assert_string_equal(json_string_value(json_object_get(rec, "kind")), "graph_delete");
	expect_retired(f, OP1);
	assert_int_equal(f->sw.nconsumed, 1);
	assert_string_equal(f->sw.consumed[0], APPROVAL);
	/* after the write: sidecar gone, artifact consumed */
	cfs_sweep_finish(f->st, &f->sw);
	assert_false(sidecar_exists(f, OP1));
	cfs_approvals_list(f->st, f->root, &arts, &f->d);
	assert_int_equal(arts.n, 1);
	assert_non_null(arts.v[0].consumed_at);
	cfs_approvals_free(&arts);
}

static void test_delete_without_approval(void **state)
{
	struct fixture *f = *state;

	ledger_graph(f, "g", f->a);
	sidecar(f, OP1, "graph_delete", "g", "", NULL);
	run_sweep(f);
	json_t *t = json_object_get(cfs_ledger_map(f->ledger, "observations"), "graph.g");
	assert_true(json_is_null(json_object_get(t, "approval_id")));
	assert_int_equal(json_object_size(cfs_ledger_map(f->ledger, "approval_records")), 0);
	assert_int_equal(f->sw.nconsumed, 0);
	expect_retired(f, OP1);
}

/* ------------------------------------------------------------------ order, composites */

static void test_file_name_order(void **state)
{
	struct fixture *f = *state;

	make_graph(f, "a", SCHEMA_C, NULL);
	ledger_graph(f, "a", f->a);
	make_graph(f, "b", SCHEMA_C, NULL);
	ledger_graph(f, "b", f->a);
	sidecar(f, OP2, "schema_apply", "a", f->b, NULL);
	sidecar(f, OP1, "graph_create", "b", f->b, NULL);
	run_sweep(f);
	assert_int_equal(f->d.n, 2);
	assert_non_null(strstr(f->d.v[0].message, "graph create"));    /* OP1 (graph b) first */
	assert_string_equal(f->d.v[0].path, "graph.b");
	assert_string_equal(f->d.v[1].path, "graph.a");
	assert_int_equal(f->sw.npending, 2);
	assert_string_equal(f->sw.pending[0], "a");    /* sorted */
	assert_string_equal(f->sw.pending[1], "b");
}

static void test_composite_check(void **state)
{
	struct fixture *f = *state;
	json_t *g;

	/* a bare graph entry: "graph\0knowledge\0schema\0\0" (cluster.md §7.3) */
	set_resource(f, "graph.knowledge", "af305c236e92b5c7004823bd7fd40dcec6a7c56bb6c0697a45e12a840139bd4c");
	assert_int_equal(cfs_ledger_check_composites(f->ledger, &f->d), 0);
	ledger_graph(f, "g", f->a);
	assert_int_equal(cfs_ledger_check_composites(f->ledger, &f->d), 0);
	/* metadata not bound by the digest: a blob policy added by hand */
	g = json_object_get(cfs_state_resources(f->ledger), "graph.g");
	json_object_set_new(g, "external_blob_policy",
			    json_pack("{s:s,s:[{s:s,s:s}]}", "mode", "allow", "bases", "uri", "s3://b/", "scope",
				      "server_safe"));
	/* and a query added without recomputing */
	set_resource(f, "query.knowledge.q", "x");
	assert_int_equal(cfs_ledger_check_composites(f->ledger, &f->d), -1);
	assert_int_equal(f->d.n, 2);
	expect_diag(f, 0, CFS_ERROR, "external_blob_policy_digest_mismatch", "graph.g",
		    "the applied graph resource metadata is not bound by its composite digest; restore the cluster "
		    "state ledger from a trusted copy before retrying");
	expect_diag(f, 1, CFS_ERROR, "external_blob_policy_digest_mismatch", "graph.knowledge", NULL);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_write_and_read_back),
		T(test_write_error),
		T(test_list_skips_bad_files),
		T(test_list_unreadable),
		T(test_create_root_absent),
		T(test_create_matches_ledger),
		T(test_create_rolls_forward),
		T(test_create_unexpected_schema),
		T(test_create_incomplete),
		T(test_schema_apply_not_open),
		T(test_schema_apply_matches_ledger),
		T(test_schema_apply_rolls_forward),
		T(test_schema_apply_unexpected),
		T(test_delete_root_exists),
		T(test_delete_already_recorded),
		T(test_delete_rolls_forward),
		T(test_delete_without_approval),
		T(test_file_name_order),
		T(test_composite_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
