/*
 * Unit tests for ledger/state (cluster.md §7): the read with its CAS and
 * every diagnostic of §7.2, the closed schema of §7.1 at each closed
 * object, the legacy observation rename, the canonical write (key order,
 * omitted keys, trailing newline) and the compare-and-swap of §7.4 with
 * its races.  Each test runs in a fresh scratch store.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/diag.h"
#include "core/sha256.h"
#include "core/strbuf.h"
#include "ledger/state.h"
#include "ledger/store.h"
#include "tmpdir.h"

struct fixture {
	char *dir;
	struct cfs_store *store;
	struct cfs_diags d;
	struct cfs_state s;
};

static int setup(void **state)
{
	struct fixture *f = cfs_xcalloc(1, sizeof(*f));

	f->dir = tmpdir_make();
	assert_int_equal(cfs_store_open_local(f->dir, &f->store), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	unsetenv("CLUSTERFS_FAILPOINTS");
	cfs_state_release(&f->s);
	cfs_diags_free(&f->d);
	cfs_store_close(f->store);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

static void put_state(struct fixture *f, const char *text)
{
	assert_int_equal(cfs_store_put(f->store, CFS_STATE_KEY, text, strlen(text)), 0);
}

static char *get_state(struct fixture *f)
{
	char *data = NULL;
	size_t len;

	assert_int_equal(cfs_store_get(f->store, CFS_STATE_KEY, &data, &len), 0);
	return data;
}

static char *cas_of(const char *text)
{
	char hex[CFS_SHA256_HEX_LEN + 1];

	cfs_sha256_hex(text, strlen(text), hex);
	return cfs_xasprintf("sha256:%s", hex);
}

/* The only diagnostic is code at path, its message starting with prefix. */
static void assert_one_diag(struct fixture *f, const char *code, const char *path, const char *prefix)
{
	assert_int_equal(f->d.n, 1);
	assert_string_equal(f->d.v[0].code, code);
	assert_int_equal(f->d.v[0].severity, CFS_ERROR);
	assert_string_equal(f->d.v[0].path, path);
	if (strncmp(f->d.v[0].message, prefix, strlen(prefix))) {
		print_error("message: %s\nexpected prefix: %s\n", f->d.v[0].message, prefix);
		fail();
	}
}

/* Read text as the ledger; expect invalid_state_json mentioning detail. */
static void expect_invalid(struct fixture *f, const char *text, const char *detail)
{
	char *cas = cas_of(text);

	put_state(f, text);
	assert_int_equal(cfs_state_read(f->store, &f->s, &f->d), -1);
	assert_true(f->s.found);
	assert_string_equal(f->s.cas, cas);
	assert_null(f->s.doc);
	assert_one_diag(f, "invalid_state_json", "__cluster/state.json", "could not parse state JSON: ");
	if (!strstr(f->d.v[0].message, detail)) {
		print_error("message: %s\nexpected to contain: %s\n", f->d.v[0].message, detail);
		fail();
	}
	free(cas);
	cfs_state_release(&f->s);
	cfs_diags_free(&f->d);
}

/* ------------------------------------------------------------ read */

static void test_missing(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cfs_state_read(f->store, &f->s, &f->d), 0);
	assert_false(f->s.found);
	assert_null(f->s.cas);
	assert_null(f->s.doc);
	assert_int_equal(f->d.n, 0);
}

/* §5.6 E, and the defaults of §7.1. */
static void test_example_e_and_defaults(void **state)
{
	struct fixture *f = *state;
	json_t *doc;

	put_state(f, "{\"version\":1,\"applied_revision\":{\"resources\":{}}}");
	assert_int_equal(cfs_state_read(f->store, &f->s, &f->d), 0);
	assert_int_equal(f->d.n, 0);
	assert_true(f->s.found);
	assert_string_equal(f->s.cas, "sha256:e9a209696b345f272365555b44fa9f39b2cf80f6e84be0460e621b5528210538");
	doc = f->s.doc;
	assert_int_equal(json_integer_value(json_object_get(doc, "state_revision")), 0);
	assert_true(json_is_null(json_object_get(json_object_get(doc, "applied_revision"), "config_digest")));
	assert_int_equal(cfs_state_resource_count(doc), 0);
	assert_true(json_is_object(cfs_state_resources(doc)));
	assert_true(json_is_object(json_object_get(doc, "resource_statuses")));
	assert_true(json_is_object(json_object_get(doc, "approval_records")));
	assert_true(json_is_object(json_object_get(doc, "recovery_records")));
	assert_true(json_is_object(json_object_get(doc, "observations")));
}

static void test_read_error_not_utf8(void **state)
{
	struct fixture *f = *state;

	put_state(f, "{\"version\":1,\"applied_revision\":{\"config_digest\":\"\xff\"}}");
	assert_int_equal(cfs_state_read(f->store, &f->s, &f->d), -1);
	assert_false(f->s.found);
	assert_null(f->s.cas);
	assert_one_diag(f, "state_read_error", "__cluster/state.json",
			"could not read state file: stream did not contain valid UTF-8");
}

/* An I/O error that root cannot read through: a symlink loop. */
static void test_read_error_io(void **state)
{
	struct fixture *f = *state;
	char *dir = cfs_xasprintf("%s/__cluster", f->dir), *path = cfs_xasprintf("%s/state.json", dir);

	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(symlink("state.json", path), 0);
	assert_int_equal(cfs_state_read(f->store, &f->s, &f->d), -1);
	assert_false(f->s.found);
	assert_one_diag(f, "state_read_error", "__cluster/state.json",
			"could not read state file: Too many levels of symbolic links");
	free(path);
	free(dir);
}

static void test_invalid_json(void **state)
{
	struct fixture *f = *state;

	expect_invalid(f, "{", "at line 1");
	expect_invalid(f, "", "at line 1");
	expect_invalid(f, "{\"version\":1,\"applied_revision\":{}} x", "at line 1");
	expect_invalid(f, "[1]", "invalid type: sequence, expected struct ClusterState");
	expect_invalid(f, "{\"version\":1,\"version\":1,\"applied_revision\":{}}", "duplicate");
}

/* Unknown keys in each closed object of §7.1. */
static void test_closed_objects(void **state)
{
	struct fixture *f = *state;

	expect_invalid(f, "{\"version\":1,\"applied_revision\":{},\"extra\":1}", "unknown field `extra`, expected one of "
		       "`version`, `state_revision`, `applied_revision`, `resource_statuses`, `approval_records`, "
		       "`recovery_records`, `observations`");
	expect_invalid(f, "{\"version\":1,\"applied_revision\":{\"x\":1}}",
		       "unknown field `x`, expected `config_digest` or `resources`");
	expect_invalid(f, "{\"version\":1,\"applied_revision\":{\"resources\":{\"graph.g\":{\"digest\":\"d\",\"y\":1}}}}",
		       "unknown field `y`");
	expect_invalid(f, "{\"version\":1,\"applied_revision\":{},\"resource_statuses\":{\"a\":{\"status\":\"applied\","
		       "\"z\":1}}}", "unknown field `z`, expected one of `status`, `conditions`, `message`");
	expect_invalid(f, "{\"version\":1,\"applied_revision\":{\"resources\":{\"graph.g\":{\"digest\":\"d\","
		       "\"external_blob_policy\":{\"mode\":\"allow\",\"bases\":[],\"q\":1}}}}}", "unknown field `q`");
	expect_invalid(f, "{\"version\":1,\"applied_revision\":{\"resources\":{\"graph.g\":{\"digest\":\"d\","
		       "\"external_blob_policy\":{\"mode\":\"deny\",\"bases\":[]}}}}}", "unknown field `bases`");
	expect_invalid(f, "{\"version\":1,\"applied_revision\":{\"resources\":{\"graph.g\":{\"digest\":\"d\","
		       "\"external_blob_policy\":{\"mode\":\"allow\",\"bases\":[{\"uri\":\"s3://b/\","
		       "\"scope\":\"server_safe\",\"w\":1}]}}}}}", "unknown field `w`, expected `uri` or `scope`");
	expect_invalid(f, "{\"version\":1,\"applied_revision\":{\"resources\":{\"provider.embedding.p\":{\"digest\":\"d\","
		       "\"embedding_profile\":{\"kind\":\"mock\",\"secret\":\"x\"}}}}}", "unknown field `secret`");
}

/* Missing required keys and wrong types. */
static void test_types(void **state)
{
	struct fixture *f = *state;

	expect_invalid(f, "{\"applied_revision\":{}}", "missing field `version`");
	expect_invalid(f, "{\"version\":1}", "missing field `applied_revision`");
	expect_invalid(f, "{\"version\":\"1\",\"applied_revision\":{}}", "invalid type: string \"1\", expected u32");
	expect_invalid(f, "{\"version\":-1,\"applied_revision\":{}}", "invalid value: integer `-1`, expected u32");
	expect_invalid(f, "{\"version\":1.0,\"applied_revision\":{}}", "invalid type: floating point");
	expect_invalid(f, "{\"version\":1,\"state_revision\":-3,\"applied_revision\":{}}", "expected u64");
	expect_invalid(f, "{\"version\":1,\"state_revision\":null,\"applied_revision\":{}}", "invalid type: null");
	expect_invalid(f, "{\"version\":1,\"applied_revision\":{\"config_digest\":5}}", "expected a string");
	expect_invalid(f, "{\"version\":1,\"applied_revision\":{\"resources\":[]}}", "expected a map");
	expect_invalid(f, "{\"version\":1,\"applied_revision\":{\"resources\":{\"a\":{}}}}", "missing field `digest`");
	expect_invalid(f, "{\"version\":1,\"applied_revision\":{\"resources\":{\"a\":{\"digest\":\"d\",\"applies_to\":"
		       "[1]}}}}", "expected a string");
	expect_invalid(f, "{\"version\":1,\"applied_revision\":{},\"resource_statuses\":{\"a\":{\"status\":\"fine\"}}}",
		       "unknown variant `fine`, expected one of `pending`, `planned`, `applying`, `applied`, `drifted`, "
		       "`blocked`, `error`");
	expect_invalid(f, "{\"version\":1,\"applied_revision\":{},\"resource_statuses\":{\"a\":{\"status\":\"applied\","
		       "\"conditions\":\"x\"}}}", "expected a sequence");
	expect_invalid(f, "{\"version\":1,\"applied_revision\":{},\"resource_statuses\":{\"a\":{}}}",
		       "missing field `status`");
	expect_invalid(f, "{\"version\":1,\"applied_revision\":{\"resources\":{\"g\":{\"digest\":\"d\","
		       "\"external_blob_policy\":{\"bases\":[]}}}}}", "missing field `mode`");
	expect_invalid(f, "{\"version\":1,\"applied_revision\":{\"resources\":{\"g\":{\"digest\":\"d\","
		       "\"external_blob_policy\":{\"mode\":\"allow\"}}}}}", "missing field `bases`");
	expect_invalid(f, "{\"version\":1,\"applied_revision\":{\"resources\":{\"g\":{\"digest\":\"d\","
		       "\"external_blob_policy\":{\"mode\":\"maybe\"}}}}}", "unknown variant `maybe`, expected `deny` or "
		       "`allow`");
	expect_invalid(f, "{\"version\":1,\"applied_revision\":{\"resources\":{\"g\":{\"digest\":\"d\","
		       "\"external_blob_policy\":{\"mode\":\"allow\",\"bases\":[{\"uri\":\"s3://b/\",\"scope\":\"x\"}]}}}}}",
		       "unknown variant `x`, expected `server_safe` or `embedded_only`");
	expect_invalid(f, "{\"version\":1,\"applied_revision\":{},\"observations\":[]}", "expected a map");
	expect_invalid(f, "{\"version\":1,\"applied_revision\":{\"resources\":{\"p\":{\"digest\":\"d\","
		       "\"embedding_profile\":{\"kind\":\"mock\",\"provider\":\"mock\"}}}}}", "duplicate field `kind`");
}

static void test_unsupported_version(void **state)
{
	struct fixture *f = *state;
	const char *text = "{\"version\":2,\"applied_revision\":{}}";
	char *cas = cas_of(text);

	put_state(f, text);
	assert_int_equal(cfs_state_read(f->store, &f->s, &f->d), -1);
	assert_true(f->s.found);
	assert_string_equal(f->s.cas, cas);
	assert_null(f->s.doc);
	assert_one_diag(f, "unsupported_state_version", "state.version",
			"unsupported cluster state version 2; this build supports version 1");
	assert_string_equal(f->d.v[0].message, "unsupported cluster state version 2; this build supports version 1");
	free(cas);
	cfs_state_release(&f->s);
	cfs_diags_free(&f->d);
	/* the shape is checked before the version */
	expect_invalid(f, "{\"version\":2,\"applied_revision\":{},\"bogus\":true}", "unknown field `bogus`");
}

/* Nullable optionals and the provider alias read as the canonical form. */
static void test_optionals_and_alias(void **state)
{
	struct fixture *f = *state;
	json_t *res, *profile;

	put_state(f, "{\"version\":1,\"applied_revision\":{\"config_digest\":null,\"resources\":{"
		  "\"provider.embedding.p\":{\"digest\":\"d\",\"embedding_profile\":{\"provider\":\"mock\","
		  "\"model\":null}},\"graph.g\":{\"digest\":\"g\",\"embedding_provider\":null,"
		  "\"external_blob_policy\":{\"mode\":\"deny\"}}}},\"resource_statuses\":{\"graph.g\":"
		  "{\"status\":\"drifted\",\"message\":null}}}");
	assert_int_equal(cfs_state_read(f->store, &f->s, &f->d), 0);
	res = cfs_state_resources(f->s.doc);
	profile = json_object_get(json_object_get(res, "provider.embedding.p"), "embedding_profile");
	assert_string_equal(json_string_value(json_object_get(profile, "kind")), "mock");
	assert_null(json_object_get(profile, "provider"));
	assert_null(json_object_get(profile, "model"));
	assert_null(json_object_get(json_object_get(res, "graph.g"), "embedding_provider"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(res, "graph.g"),
		"external_blob_policy"), "mode")), "deny");
	assert_int_equal(json_object_size(json_object_get(json_object_get(f->s.doc, "resource_statuses"), "graph.g")), 1);
}

static void test_legacy_manifest_version(void **state)
{
	struct fixture *f = *state;
	json_t *o;
	const char *key;
	json_t *v;
	struct cfs_sb order = CFS_SB_INIT;

	put_state(f, "{\"version\":1,\"applied_revision\":{},\"observations\":{"
		  "\"graph.a\":{\"kind\":\"graph\",\"manifest_version\":12,\"exists\":true,\"error\":null},"
		  "\"graph.b\":{\"manifest_version\":3,\"graph_manifest_version\":3},"
		  "\"graph.c\":[1,2]}}");
	assert_int_equal(cfs_state_read(f->store, &f->s, &f->d), 0);
	assert_int_equal(f->d.n, 0);
	o = json_object_get(json_object_get(f->s.doc, "observations"), "graph.a");
	assert_null(json_object_get(o, "manifest_version"));
	assert_int_equal(json_integer_value(json_object_get(o, "graph_manifest_version")), 12);
	/* the reference's removal moves the last member into the gap */
	json_object_foreach(o, key, v)
		cfs_sb_addf(&order, "%s ", key);
	assert_string_equal(cfs_sb_str(&order), "kind error exists graph_manifest_version ");
	cfs_sb_release(&order);
	o = json_object_get(json_object_get(f->s.doc, "observations"), "graph.b");
	assert_null(json_object_get(o, "manifest_version"));
	assert_int_equal(json_integer_value(json_object_get(o, "graph_manifest_version")), 3);
	assert_int_equal(json_object_size(o), 1);
	cfs_state_release(&f->s);

	put_state(f, "{\"version\":1,\"applied_revision\":{},\"observations\":{"
		  "\"graph.k\":{\"manifest_version\":3,\"graph_manifest_version\":4}}}");
	assert_int_equal(cfs_state_read(f->store, &f->s, &f->d), -1);
	assert_true(f->s.found);
	assert_non_null(f->s.cas);
	assert_null(f->s.doc);
	assert_one_diag(f, "conflicting_graph_manifest_observation", "state.observations.graph.k",
			"cluster observation 'graph.k' contains conflicting legacy and canonical graph-manifest versions");
}

/* ------------------------------------------------------------ write */

static const char scrambled[] =
	"{\"observations\":{\"graph.b\":{\"kind\":\"graph\",\"z\":1,\"a\":2},\"graph.a\":{\"kind\":\"tombstone\"}},"
	"\"applied_revision\":{\"resources\":{\"schema.g\":{\"digest\":\"s\"},\"graph.g\":{\"external_blob_policy\":"
	"{\"bases\":[{\"scope\":\"server_safe\",\"uri\":\"s3://b/p/\"}],\"mode\":\"allow\"},\"embedding_provider\":"
	"\"provider.embedding.p\",\"digest\":\"g\"},\"provider.embedding.p\":{\"embedding_profile\":{\"model\":\"m\","
	"\"provider\":\"mock\"},\"digest\":\"p\"},\"policy.b\":{\"applies_to\":[\"cluster\"],\"digest\":\"b\"}},"
	"\"config_digest\":\"c\"},\"version\":1,\"resource_statuses\":{\"query.g.q\":{\"message\":\"m\","
	"\"conditions\":[],\"status\":\"blocked\"},\"graph.g\":{\"conditions\":[\"x\"],\"status\":\"applied\"}},"
	"\"recovery_records\":{},\"state_revision\":3,\"approval_records\":{\"01A\":{\"consumed_by_operation\":"
	"\"apply\",\"consumed_at\":\"t\"}}}";

static const char canonical[] =
	"{\n"
	"  \"version\": 1,\n"
	"  \"state_revision\": 3,\n"
	"  \"applied_revision\": {\n"
	"    \"config_digest\": \"c\",\n"
	"    \"resources\": {\n"
	"      \"graph.g\": {\n"
	"        \"digest\": \"g\",\n"
	"        \"embedding_provider\": \"provider.embedding.p\",\n"
	"        \"external_blob_policy\": {\n"
	"          \"mode\": \"allow\",\n"
	"          \"bases\": [\n"
	"            {\n"
	"              \"uri\": \"s3://b/p/\",\n"
	"              \"scope\": \"server_safe\"\n"
	"            }\n"
	"          ]\n"
	"        }\n"
	"      },\n"
	"      \"policy.b\": {\n"
	"        \"digest\": \"b\",\n"
	"        \"applies_to\": [\n"
	"          \"cluster\"\n"
	"        ]\n"
	"      },\n"
	"      \"provider.embedding.p\": {\n"
	"        \"digest\": \"p\",\n"
	"        \"embedding_profile\": {\n"
	"          \"kind\": \"mock\",\n"
	"          \"model\": \"m\"\n"
	"        }\n"
	"      },\n"
	"      \"schema.g\": {\n"
	"        \"digest\": \"s\"\n"
	"      }\n"
	"    }\n"
	"  },\n"
	"  \"resource_statuses\": {\n"
	"    \"graph.g\": {\n"
	"      \"status\": \"applied\",\n"
	"      \"conditions\": [\n"
	"        \"x\"\n"
	"      ]\n"
	"    },\n"
	"    \"query.g.q\": {\n"
	"      \"status\": \"blocked\",\n"
	"      \"message\": \"m\"\n"
	"    }\n"
	"  },\n"
	"  \"approval_records\": {\n"
	"    \"01A\": {\n"
	"      \"consumed_by_operation\": \"apply\",\n"
	"      \"consumed_at\": \"t\"\n"
	"    }\n"
	"  },\n"
	"  \"recovery_records\": {},\n"
	"  \"observations\": {\n"
	"    \"graph.a\": {\n"
	"      \"kind\": \"tombstone\"\n"
	"    },\n"
	"    \"graph.b\": {\n"
	"      \"kind\": \"graph\",\n"
	"      \"z\": 1,\n"
	"      \"a\": 2\n"
	"    }\n"
	"  }\n"
	"}\n";

/* Read a scrambled ledger, write it back: the §7.1 order, byte for byte. */
static void test_write_key_order(void **state)
{
	struct fixture *f = *state;
	char *new_cas = NULL, *text, *want_cas = cas_of(canonical);

	put_state(f, scrambled);
	assert_int_equal(cfs_state_read(f->store, &f->s, &f->d), 0);
	assert_int_equal(cfs_state_write(f->store, f->s.doc, f->s.cas, &new_cas, &f->d), 0);
	assert_int_equal(f->d.n, 0);
	text = get_state(f);
	assert_string_equal(text, canonical);
	assert_string_equal(new_cas, want_cas);
	free(text);
	free(new_cas);
	cfs_state_release(&f->s);

	/* canonical in, same bytes out (a converged rewrite is byte-identical) */
	assert_int_equal(cfs_state_read(f->store, &f->s, &f->d), 0);
	assert_string_equal(f->s.cas, want_cas);
	assert_int_equal(cfs_state_write(f->store, f->s.doc, f->s.cas, &new_cas, &f->d), 0);
	text = get_state(f);
	assert_string_equal(text, canonical);
	free(text);
	free(new_cas);
	free(want_cas);
}

/* A new ledger: created when absent, null config digest written, keys a
 * command added out of order land sorted. */
static void test_write_new(void **state)
{
	struct fixture *f = *state;
	json_t *doc = cfs_state_new(NULL), *e = json_object();
	char *new_cas = NULL, *text;

	json_object_set_new(e, "digest", json_string("q"));
	json_object_set_new(cfs_state_resources(doc), "query.g.z", e);
	e = json_object();
	json_object_set_new(e, "digest", json_string("a"));
	json_object_set_new(cfs_state_resources(doc), "graph.g", e);
	assert_int_equal(cfs_state_write(f->store, doc, NULL, &new_cas, &f->d), 0);
	text = get_state(f);
	assert_string_equal(text, "{\n  \"version\": 1,\n  \"state_revision\": 0,\n  \"applied_revision\": {\n"
			    "    \"config_digest\": null,\n    \"resources\": {\n      \"graph.g\": {\n"
			    "        \"digest\": \"a\"\n      },\n      \"query.g.z\": {\n        \"digest\": \"q\"\n"
			    "      }\n    }\n  },\n  \"resource_statuses\": {},\n  \"approval_records\": {},\n"
			    "  \"recovery_records\": {},\n  \"observations\": {}\n}\n");
	char *want = cas_of(text);
	assert_string_equal(new_cas, want);
	free(want);
	free(text);
	free(new_cas);
	json_decref(doc);
}

/* A doc that does not fit §7.1 is never written. */
static void test_write_refuses_bad_doc(void **state)
{
	struct fixture *f = *state;
	json_t *doc = cfs_state_new("c");
	char *new_cas = NULL;

	json_object_set_new(doc, "surprise", json_true());
	assert_int_equal(cfs_state_write(f->store, doc, NULL, &new_cas, &f->d), -1);
	assert_null(new_cas);
	assert_one_diag(f, "state_write_error", "__cluster/state.json",
			"could not encode state JSON: unknown field `surprise`");
	assert_int_equal(cfs_store_exists(f->store, CFS_STATE_KEY), -1);
	json_decref(doc);
}

static void expect_mismatch(struct fixture *f)
{
	assert_one_diag(f, "state_cas_mismatch", "__cluster/state.json",
			"state.json changed while the command was running; re-run the command against the latest state");
	cfs_diags_free(&f->d);
}

/* The ledger changes between the command's read and its write. */
static void test_cas_mismatch_changed(void **state)
{
	struct fixture *f = *state;
	const char *other = "{\"version\":1,\"state_revision\":9,\"applied_revision\":{}}";
	char *new_cas = NULL, *text;

	put_state(f, "{\"version\":1,\"applied_revision\":{\"resources\":{}}}");
	assert_int_equal(cfs_state_read(f->store, &f->s, &f->d), 0);
	put_state(f, other);
	json_object_set_new(f->s.doc, "state_revision", json_integer(1));
	assert_int_equal(cfs_state_write(f->store, f->s.doc, f->s.cas, &new_cas, &f->d), -1);
	assert_null(new_cas);
	expect_mismatch(f);
	text = get_state(f);
	assert_string_equal(text, other);
	free(text);

	/* expected absent, but it exists now */
	assert_int_equal(cfs_state_write(f->store, f->s.doc, NULL, &new_cas, &f->d), -1);
	expect_mismatch(f);
	/* expected present, but it is gone */
	assert_int_equal(cfs_store_delete(f->store, CFS_STATE_KEY), 0);
	assert_int_equal(cfs_state_write(f->store, f->s.doc, f->s.cas, &new_cas, &f->d), -1);
	expect_mismatch(f);
	assert_int_equal(cfs_store_exists(f->store, CFS_STATE_KEY), -1);
}

/* Same content, same CAS: a rewrite of identical bytes is not a conflict. */
static void test_cas_is_content(void **state)
{
	struct fixture *f = *state;
	const char *text = "{\"version\":1,\"applied_revision\":{\"resources\":{}}}";
	char *new_cas = NULL;

	put_state(f, text);
	assert_int_equal(cfs_state_read(f->store, &f->s, &f->d), 0);
	put_state(f, text);
	json_object_set_new(f->s.doc, "state_revision", json_integer(1));
	assert_int_equal(cfs_state_write(f->store, f->s.doc, f->s.cas, &new_cas, &f->d), 0);
	assert_int_equal(f->d.n, 0);
	assert_non_null(new_cas);
	cfs_state_release(&f->s);
	assert_int_equal(cfs_state_read(f->store, &f->s, &f->d), 0);
	assert_string_equal(f->s.cas, new_cas);
	assert_int_equal(json_integer_value(json_object_get(f->s.doc, "state_revision")), 1);
	free(new_cas);
}

/*
 * Create-if-absent race: another writer creates state.json after our
 * compare and before our put (the failpoint holds us in that window).
 * The loser reports state_cas_mismatch and the winner's bytes stay.
 */
static void test_create_race(void **state)
{
	struct fixture *f = *state;
	const char *winner = "{\"version\":1,\"applied_revision\":{\"config_digest\":\"winner\"}}";
	json_t *doc = cfs_state_new("loser");
	char *new_cas = NULL, *text;
	pid_t pid;
	int status;

	setenv("CLUSTERFS_FAILPOINTS", "cluster_state.before_put=sleep(1500)", 1);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		usleep(200 * 1000);
		_exit(cfs_store_put_new(f->store, CFS_STATE_KEY, winner, strlen(winner)) == 0 ? 0 : 1);
	}
	assert_int_equal(cfs_state_write(f->store, doc, NULL, &new_cas, &f->d), -1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	expect_mismatch(f);
	text = get_state(f);
	assert_string_equal(text, winner);
	free(text);
	json_decref(doc);
}

static void test_failpoint_error(void **state)
{
	struct fixture *f = *state;
	json_t *doc = cfs_state_new(NULL);
	char *new_cas = NULL;

	setenv("CLUSTERFS_FAILPOINTS", "cluster_state.before_put", 1);
	assert_int_equal(cfs_state_write(f->store, doc, NULL, &new_cas, &f->d), -1);
	assert_one_diag(f, "injected_failpoint", "cluster_state.before_put",
			"injected failpoint triggered: cluster_state.before_put");
	assert_int_equal(cfs_store_exists(f->store, CFS_STATE_KEY), -1);
	json_decref(doc);
}

/*
 * Write errors, made with a file-size limit (root writes through
 * permissions): the temp file cannot be written, nothing changes.
 */
static void with_no_file_size(struct fixture *f, json_t *doc, const char *expected, const char *prefix)
{
	struct rlimit old, tiny = { 0, 0 };
	char *new_cas = NULL;
	int rc;

	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	tiny.rlim_max = old.rlim_max;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &tiny), 0);
	rc = cfs_state_write(f->store, doc, expected, &new_cas, &f->d);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(rc, -1);
	assert_null(new_cas);
	assert_one_diag(f, "state_write_error", "__cluster/state.json", prefix);
	cfs_diags_free(&f->d);
}

static void test_write_errors(void **state)
{
	struct fixture *f = *state;
	const char *text = "{\"version\":1,\"applied_revision\":{}}";
	json_t *doc = cfs_state_new(NULL);
	char *cur;

	with_no_file_size(f, doc, NULL, "could not create state.json: File too large");
	assert_int_equal(cfs_store_exists(f->store, CFS_STATE_KEY), -1);
	put_state(f, text);
	assert_int_equal(cfs_state_read(f->store, &f->s, &f->d), 0);
	with_no_file_size(f, doc, f->s.cas, "could not replace state.json: File too large");
	cur = get_state(f);
	assert_string_equal(cur, text);
	free(cur);
	json_decref(doc);
}

/* __cluster is a file: the ledger cannot be created under it. */
static void test_create_error_not_dir(void **state)
{
	struct fixture *f = *state;
	json_t *doc = cfs_state_new(NULL);
	char *new_cas = NULL;

	assert_int_equal(cfs_store_put(f->store, "__cluster", "x", 1), 0);
	assert_int_equal(cfs_state_read(f->store, &f->s, &f->d), 0);
	assert_false(f->s.found);
	assert_int_equal(cfs_state_write(f->store, doc, NULL, &new_cas, &f->d), -1);
	assert_one_diag(f, "state_write_error", "__cluster/state.json", "could not create state.json: Not a directory");
	json_decref(doc);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_missing),
		T(test_example_e_and_defaults),
		T(test_read_error_not_utf8),
		T(test_read_error_io),
		T(test_invalid_json),
		T(test_closed_objects),
		T(test_types),
		T(test_unsupported_version),
		T(test_optionals_and_alias),
		T(test_legacy_manifest_version),
		T(test_write_key_order),
		T(test_write_new),
		T(test_write_refuses_bad_doc),
		T(test_cas_mismatch_changed),
		T(test_cas_is_content),
		T(test_create_race),
		T(test_failpoint_error),
		T(test_write_errors),
		T(test_create_error_not_dir),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
