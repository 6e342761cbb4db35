/*
 * Unit tests for loading a config directory into the desired cluster
 * (cluster.md §2.2, §2.6, §4): query registration in all three forms,
 * resource paths, paths that leave the config directory, the header checks,
 * storage-root resolution, the stopping steps, the order diagnostics are
 * emitted in, and validate's default-deny warning.  Policies, providers,
 * dependencies, blob bases and ids are in test_desired_refs.c.
 */
#include "desired_harness.h"

/* ---- queries: the three forms ----------------------------------------- */

static void test_queries_form_a_directory(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	put(c->dir, "people.pg", PG);
	put(c->dir, "queries/people.gq", FIND_PERSON);
	put(c->dir, "queries/extra.gq", TWO_QUERIES);
	put(c->dir, "queries/notes.txt", "not a query file");
	put(c->dir, "queries/UPPER.GQ", "junk");                 /* case-sensitive suffix */
	put(c->dir, "queries/sub/deep.gq", "query deep() { }");  /* not recursive */
	load(c, "version: 1\ngraphs:\n  g:\n    schema: people.pg\n    queries: queries/\n", &des, &d);
	expect_count(&d, 0);
	assert_true(des.decoded);
	assert_int_equal(des.nresources, 5);
	/* address order */
	assert_string_equal(des.resources[0].address, "graph.g");
	assert_string_equal(des.resources[1].address, "query.g.a_q");
	assert_string_equal(des.resources[2].address, "query.g.b_q");
	assert_string_equal(des.resources[3].address, "query.g.find_person");
	assert_string_equal(des.resources[4].address, "schema.g");
	expect_resource(&des, "graph.g", "graph", NULL, NULL);
	expect_resource(&des, "schema.g", "schema", sha(c, PG), S(c, "%s/people.pg", c->dir));
	expect_resource(&des, "query.g.find_person", "query", sha(c, FIND_PERSON),
			S(c, "%s/queries/people.gq", c->dir));
	/* every query of a file carries the digest of the whole file */
	expect_resource(&des, "query.g.a_q", "query", sha(c, TWO_QUERIES), S(c, "%s/queries/extra.gq", c->dir));
	expect_resource(&des, "query.g.b_q", "query", sha(c, TWO_QUERIES), S(c, "%s/queries/extra.gq", c->dir));
	assert_non_null(des.config_digest);
	cleanup(&des, &d);

	/* without the trailing slash the declared path gets one joined in */
	load(c, "version: 1\ngraphs:\n  g:\n    schema: people.pg\n    queries: queries\n", &des, &d);
	expect_count(&d, 0);
	expect_resource(&des, "query.g.find_person", "query", NULL, S(c, "%s/queries/people.gq", c->dir));
	cleanup(&des, &d);
}

static void test_queries_form_b_list(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;
	const char *txt = "query from_txt() { match { $p: Person } return { $p } }\n";

	put(c->dir, "people.pg", PG);
	put(c->dir, "people.gq", FIND_PERSON);
	put(c->dir, "more/m.gq", "query m1() { match { $p: Person } return { $p } }\n");
	put(c->dir, "single.txt", txt);                          /* a file: any extension */
	load(c, "version: 1\ngraphs:\n  g:\n    schema: people.pg\n"
		"    queries: [people.gq, more/, single.txt]\n", &des, &d);
	expect_count(&d, 0);
	assert_int_equal(des.nresources, 5);
	expect_resource(&des, "query.g.find_person", "query", sha(c, FIND_PERSON), S(c, "%s/people.gq", c->dir));
	expect_resource(&des, "query.g.m1", "query", NULL, S(c, "%s/more/m.gq", c->dir));
	expect_resource(&des, "query.g.from_txt", "query", sha(c, txt), S(c, "%s/single.txt", c->dir));
	cleanup(&des, &d);
}

static void test_queries_form_c_explicit(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	put(c->dir, "people.pg", PG);
	put(c->dir, "knowledge.gq", FIND_PERSON);
	put(c->dir, "two.gq", TWO_QUERIES);
	load(c, "version: 1\ngraphs:\n  g:\n    schema: people.pg\n"
		"    queries: { find_person: { file: knowledge.gq }, a_q: { file: two.gq } }\n", &des, &d);
	expect_count(&d, 0);
	expect_resource(&des, "query.g.find_person", "query", sha(c, FIND_PERSON),
			S(c, "%s/knowledge.gq", c->dir));
	/* only the named query of two.gq registers, with the whole file's digest */
	expect_resource(&des, "query.g.a_q", "query", sha(c, TWO_QUERIES), S(c, "%s/two.gq", c->dir));
	assert_null(cfs_desired_find(&des, "query.g.b_q"));
	assert_int_equal(des.nresources, 4);
	cleanup(&des, &d);
}

static void test_declared_paths_not_normalized(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	put(c->dir, "people.pg", PG);
	put(c->dir, "queries/people.gq", FIND_PERSON);
	put(c->dir, "base.policy.yaml", POLICY);
	load(c, "version: 1\ngraphs:\n  g:\n    schema: ./people.pg\n    queries: ./queries/\n"
		"policies:\n  base:\n    file: ./base.policy.yaml\n    applies_to: [g]\n", &des, &d);
	expect_count(&d, 0);
	expect_resource(&des, "schema.g", "schema", NULL, S(c, "%s/./people.pg", c->dir));
	expect_resource(&des, "query.g.find_person", "query", NULL, S(c, "%s/./queries/people.gq", c->dir));
	expect_resource(&des, "policy.base", "policy", sha(c, POLICY), S(c, "%s/./base.policy.yaml", c->dir));
	cleanup(&des, &d);
}

static void test_duplicate_query_name(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;
	const char *a = "query dup() { match { $p: Person } return { $p } }\n"
			"query same() { match { $p: Person } return { $p } }\n"
			"query same() { match { $q: Person } return { $q } }\n";
	const char *b = "query dup() { match { $x: Person } return { $x } }\n";

	put(c->dir, "people.pg", PG);
	put(c->dir, "a.gq", a);
	put(c->dir, "b.gq", b);
	load(c, "version: 1\ngraphs:\n  g:\n    schema: people.pg\n    queries: [a.gq, b.gq]\n", &des, &d);
	expect_count(&d, 2);
	/* even the same file counts; emitted while discovering, in file order */
	expect_at(&d, 0, CFS_ERROR, "duplicate_query_name", "graphs.g.queries.same",
		  "query 'same' is declared in both 'a.gq' and 'a.gq'");
	expect_at(&d, 1, CFS_ERROR, "duplicate_query_name", "graphs.g.queries.dup",
		  "query 'dup' is declared in both 'a.gq' and 'b.gq'");
	/* first wins */
	expect_resource(&des, "query.g.dup", "query", sha(c, a), S(c, "%s/a.gq", c->dir));
	cleanup(&des, &d);

	/* from a directory: the declared paths are dir string + entry name */
	put(c->dir, "queries/a.gq", a);
	put(c->dir, "queries/b.gq", b);
	load(c, "version: 1\ngraphs:\n  g:\n    schema: people.pg\n    queries: queries/\n", &des, &d);
	expect_has(&d, CFS_ERROR, "duplicate_query_name", "graphs.g.queries.dup",
		   "query 'dup' is declared in both 'queries/a.gq' and 'queries/b.gq'");
	cleanup(&des, &d);
}

static void test_query_key_mismatch(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	put(c->dir, "people.pg", PG);
	put(c->dir, "people.gq", FIND_PERSON);
	load(c, "version: 1\ngraphs:\n  g:\n    schema: people.pg\n"
		"    queries:\n      nope:\n        file: people.gq\n", &des, &d);
	expect_count(&d, 1);
	expect_at(&d, 0, CFS_ERROR, "query_key_mismatch", "graphs.g.queries.nope",
		  "no `query nope` declaration found in the referenced .gq file");
	cleanup(&des, &d);
}

static void test_query_dir_empty(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	put(c->dir, "people.pg", PG);
	put(c->dir, "empty/readme.txt", "no queries here");
	put_dir(c->dir, "void");
	load(c, "version: 1\ngraphs:\n  g:\n    schema: people.pg\n    queries: [empty/, void]\n", &des, &d);
	expect_count(&d, 2);
	expect_at(&d, 0, CFS_WARNING, "query_dir_empty", "graphs.g.queries",
		  S(c, "query directory '%s/empty/' contains no .gq files", c->dir));
	expect_at(&d, 1, CFS_WARNING, "query_dir_empty", "graphs.g.queries",
		  S(c, "query directory '%s/void' contains no .gq files", c->dir));
	assert_false(cfs_diags_has_error(&d));
	cleanup(&des, &d);
}

static void test_query_dir_unreadable(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	if (geteuid() == 0) {
		print_message("running as root: permissions are not enforced, skipping\n");
		skip();
	}
	put(c->dir, "people.pg", PG);
	put(c->dir, "locked/a.gq", FIND_PERSON);
	const char *locked = S(c, "%s/locked", c->dir);
	assert_int_equal(chmod(locked, 0), 0);
	load(c, "version: 1\ngraphs:\n  g:\n    schema: people.pg\n    queries: locked\n", &des, &d);
	chmod(locked, 0755);
	expect_count(&d, 1);
	expect_at(&d, 0, CFS_ERROR, "query_dir_unreadable", "graphs.g.queries", NULL);
	cleanup(&des, &d);
}

static void test_query_file_missing_and_parse_error(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	put(c->dir, "people.pg", PG);
	put(c->dir, "bad.gq", "query Foo() { }\n");
	load(c, "version: 1\ngraphs:\n  g:\n    schema: people.pg\n    queries: [nope.gq, bad.gq]\n", &des, &d);
	expect_count(&d, 2);
	expect_at(&d, 0, CFS_ERROR, "query_file_missing", "graphs.g.queries",
		  S(c, "could not read query file '%s/nope.gq': %s", c->dir, strerror(ENOENT)));
	expect_at(&d, 1, CFS_ERROR, "query_parse_error", "graphs.g.queries", NULL);
	assert_true(strncmp(d.v[1].message, S(c, "'%s/bad.gq' does not parse: parse error:  --> 1:7", c->dir),
			    strlen(S(c, "'%s/bad.gq' does not parse: parse error:  --> 1:7", c->dir))) == 0);
	cleanup(&des, &d);

	/* explicit form: the read fails at queries.<n>.file */
	load(c, "version: 1\ngraphs:\n  g:\n    schema: people.pg\n    queries: { q: { file: gone.gq } }\n",
	     &des, &d);
	expect_count(&d, 1);
	expect_at(&d, 0, CFS_ERROR, "query_file_missing", "graphs.g.queries.q.file",
		  S(c, "could not read query file '%s/gone.gq': %s", c->dir, strerror(ENOENT)));
	assert_null(cfs_desired_find(&des, "query.g.q"));
	cleanup(&des, &d);
}

static void test_schema_missing_skips_typecheck(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	put(c->dir, "queries/people.gq", FIND_PERSON);
	put(c->dir, "queries/two.gq", TWO_QUERIES);
	load(c, "version: 1\ngraphs:\n  g:\n    schema: missing.pg\n    queries: queries/\n", &des, &d);
	expect_count(&d, 4);
	expect_at(&d, 0, CFS_ERROR, "schema_file_missing", "graphs.g.schema",
		  S(c, "could not read schema file '%s/missing.pg': %s", c->dir, strerror(ENOENT)));
	/* then one warning per query, in name order */
	expect_at(&d, 1, CFS_WARNING, "query_typecheck_skipped", "graphs.g.queries.a_q", NULL);
	expect_at(&d, 2, CFS_WARNING, "query_typecheck_skipped", "graphs.g.queries.b_q", NULL);
	expect_at(&d, 3, CFS_WARNING, "query_typecheck_skipped", "graphs.g.queries.find_person",
		  "query parsed, but type-check was skipped because the graph schema is invalid");
	assert_null(cfs_desired_find(&des, "schema.g"));
	expect_resource(&des, "graph.g", "graph", NULL, NULL);
	expect_resource(&des, "query.g.find_person", "query", sha(c, FIND_PERSON),
			S(c, "%s/queries/people.gq", c->dir));
	assert_null(des.graphs[0].schema_digest);
	cleanup(&des, &d);
}

static void test_config_path_escape(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;
	char *outside = tmpdir_make();
	char *target = cfs_xasprintf("%s/x.pg", outside);
	char *link = cfs_xasprintf("%s/link.pg", c->dir);

	put(outside, "x.pg", PG);
	put(outside, "q.gq", FIND_PERSON);
	put(outside, "p.yaml", POLICY);
	assert_int_equal(symlink(target, link), 0);
	put(c->dir, "in.pg", PG);
	load(c, "version: 1\ngraphs:\n"
		"  a:\n    schema: ../x.pg\n"
		"  b:\n    schema: /etc/hostname\n"
		"  c:\n    schema: link.pg\n"
		"  d:\n    schema: in.pg\n    queries: [../q.gq]\n"
		"  e:\n    schema: in.pg\n    queries: { find_person: { file: ../q.gq } }\n"
		"policies:\n  p:\n    file: ../p.yaml\n    applies_to: [d]\n", &des, &d);
	expect_count(&d, 6);
	expect_at(&d, 0, CFS_ERROR, "config_path_escape", "graphs.a.schema",
		  "path '../x.pg' escapes the config directory: '..' leaves the config directory");
	expect_at(&d, 1, CFS_ERROR, "config_path_escape", "graphs.b.schema",
		  "path '/etc/hostname' escapes the config directory: it is absolute");
	expect_at(&d, 2, CFS_ERROR, "config_path_escape", "graphs.c.schema",
		  "path 'link.pg' escapes the config directory: a symlink resolves outside the config directory");
	expect_at(&d, 3, CFS_ERROR, "config_path_escape", "graphs.d.queries",
		  "path '../q.gq' escapes the config directory: '..' leaves the config directory");
	expect_at(&d, 4, CFS_ERROR, "config_path_escape", "graphs.e.queries.find_person.file",
		  "path '../q.gq' escapes the config directory: '..' leaves the config directory");
	expect_at(&d, 5, CFS_ERROR, "config_path_escape", "policies.p.file",
		  "path '../p.yaml' escapes the config directory: '..' leaves the config directory");
	/* nothing outside was read */
	assert_null(cfs_desired_find(&des, "schema.a"));
	assert_null(cfs_desired_find(&des, "schema.b"));
	assert_null(cfs_desired_find(&des, "schema.c"));
	assert_null(cfs_desired_find(&des, "query.d.find_person"));
	assert_null(cfs_desired_find(&des, "query.e.find_person"));
	assert_null(cfs_desired_find(&des, "policy.p"));
	cleanup(&des, &d);
	free(target);
	free(link);
	tmpdir_remove(outside);
}

/* A schema name the kernel refuses (ENAMETOOLONG) is an unreadable file,
 * reported with the OS reason, not a path that escapes the folder. */
static void test_schema_name_too_long(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;
	char name[301];

	memset(name, 'a', 300);
	name[300] = '\0';
	load(c, S(c, "version: 1\ngraphs:\n  g:\n    schema: %s\n", name), &des, &d);
	expect_count(&d, 1);
	expect_at(&d, 0, CFS_ERROR, "schema_file_missing", "graphs.g.schema",
		  S(c, "could not read schema file '%s/%s': %s", c->dir, name, strerror(ENAMETOOLONG)));
	cleanup(&des, &d);
}

/* ---- header ------------------------------------------------------------ */

static void test_header_checks(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	put(c->dir, "s.pg", PG);
	load(c, "version: 2\nmetadata:\n  name: '  '\nstorage: ' '\nstate:\n  backend: s3\n"
		"graphs:\n  g:\n    schema: s.pg\n", &des, &d);
	expect_count(&d, 4);
	expect_at(&d, 0, CFS_ERROR, "unsupported_cluster_config_version", "version",
		  "unsupported cluster config version 2; this build supports version 1");
	expect_at(&d, 1, CFS_ERROR, "empty_metadata_name", "metadata.name",
		  "metadata.name must not be empty when provided");
	expect_at(&d, 2, CFS_ERROR, "unsupported_state_backend", "state.backend",
		  "Stage 2C supports only omitted state.backend or `cluster`");
	expect_at(&d, 3, CFS_ERROR, "invalid_storage_root", "storage",
		  "storage must be a non-empty URI (e.g. s3://bucket/prefix) when provided");
	assert_null(des.storage_root);
	/* header errors do not stop the later steps */
	expect_resource(&des, "schema.g", "schema", NULL, S(c, "%s/s.pg", c->dir));
	cleanup(&des, &d);
}

static void test_header_storage_blank(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	load(c, "version: 1\nstorage: ''\n", &des, &d);
	expect_count(&d, 1);
	expect_at(&d, 0, CFS_ERROR, "invalid_storage_root", "storage",
		  "storage must be a non-empty URI (e.g. s3://bucket/prefix) when provided");
	assert_null(des.storage_root);
	cleanup(&des, &d);
}

static void test_header_storage_s3_without_bucket(void **state)
{
	static const char *const bad[] = { "s3://", "s3:///", " s3:// ", NULL };
	struct ctx *c = *state;

	for (int i = 0; bad[i]; i++) {
		struct cfs_desired des;
		struct cfs_diags d = CFS_DIAGS_INIT;
		load(c, S(c, "version: 1\nstorage: '%s'\n", bad[i]), &des, &d);
		if (d.n != 1)
			print_error("storage: '%s' (storage_root %s)\n", bad[i],
				    des.storage_root ? des.storage_root : "NULL");
		expect_count(&d, 1);
		expect_at(&d, 0, CFS_ERROR, "invalid_storage_root", "storage", "storage s3:// URI must name a bucket");
		cleanup(&des, &d);
	}
}

/* §2.6: "`s3://` with no bucket -> invalid_storage_root"; a prefix after an
 * empty bucket does not name one. */
static void test_header_storage_s3_prefix_without_bucket(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	load(c, "version: 1\nstorage: s3:///prefix\n", &des, &d);
	expect_count(&d, 1);
	expect_at(&d, 0, CFS_ERROR, "invalid_storage_root", "storage", "storage s3:// URI must name a bucket");
	cleanup(&des, &d);
}

static void test_header_valid_values(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	load(c, "version: 1\nmetadata:\n  name: demo\nstate:\n  backend: cluster\n  lock: false\n", &des, &d);
	expect_count(&d, 0);
	assert_false(des.state_lock);
	cleanup(&des, &d);

	load(c, "version: 1\nmetadata:\n  name:\nstate:\n  lock: true\n", &des, &d);
	expect_count(&d, 0);
	assert_true(des.state_lock);
	cleanup(&des, &d);

	load(c, "version: 1\n", &des, &d);
	expect_count(&d, 0);
	assert_true(des.state_lock);                /* default true */
	assert_string_equal(des.config_file, S(c, "%s/cluster.yaml", c->dir));
	assert_string_equal(des.config_dir, c->dir);
	cleanup(&des, &d);
}

/* ---- storage root ------------------------------------------------------ */

static void expect_storage(struct ctx *c, const char *storage_line, const char *want)
{
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	load(c, S(c, "version: 1\n%s", storage_line), &des, &d);
	expect_count(&d, 0);
	assert_non_null(des.storage_root);
	assert_string_equal(des.storage_root, want);
	cleanup(&des, &d);
}

static void test_storage_root_resolution(void **state)
{
	struct ctx *c = *state;

	expect_storage(c, "", c->dir);
	expect_storage(c, "storage: st\n", S(c, "%s/st", c->dir));
	expect_storage(c, "storage: ' st/ '\n", S(c, "%s/st", c->dir));
	expect_storage(c, "storage: ./st//\n", S(c, "%s/st", c->dir));
	expect_storage(c, "storage: s3://b/p/\n", "s3://b/p");
	expect_storage(c, "storage: s3://b/p\n", "s3://b/p");
	expect_storage(c, "storage: /srv/cluster/\n", "/srv/cluster");
	expect_storage(c, "storage: file:///srv/cluster/\n", "/srv/cluster");
}

static void test_storage_root_relative_config_dir(void **state)
{
	struct ctx *c = *state;
	char *old = getcwd(NULL, 0);
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	assert_non_null(old);
	put(c->dir, "cfg/cluster.yaml", "version: 1\n");
	assert_int_equal(chdir(c->dir), 0);
	char *cwd = getcwd(NULL, 0);

	/* lexically absolute: "." and "//" removed, ".." kept, no symlinks */
	cfs_desired_load("./cfg//.", CFS_LOAD_FULL, &des, &d);
	expect_count(&d, 0);
	assert_string_equal(des.storage_root, S(c, "%s/cfg", cwd));
	assert_string_equal(des.config_dir, "./cfg//.");
	cleanup(&des, &d);

	cfs_desired_load("cfg/../cfg", CFS_LOAD_FULL, &des, &d);
	expect_count(&d, 0);
	assert_string_equal(des.storage_root, S(c, "%s/cfg/../cfg", cwd));
	cleanup(&des, &d);

	assert_int_equal(chdir(old), 0);
	free(cwd);
	free(old);
}

/* ---- stopping steps ---------------------------------------------------- */

static void test_config_dir_not_found(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;
	const char *missing = S(c, "%s/nope", c->dir);
	const char *file = S(c, "%s/plain", c->dir);

	cfs_desired_load(missing, CFS_LOAD_FULL, &des, &d);
	expect_count(&d, 1);
	expect_at(&d, 0, CFS_ERROR, "config_dir_not_found", missing,
		  "`--config` must point at a directory containing cluster.yaml");
	assert_false(des.decoded);
	assert_int_equal(des.nresources, 0);
	assert_null(des.config_digest);
	cleanup(&des, &d);

	put(c->dir, "plain", "version: 1\n");
	cfs_desired_load(file, CFS_LOAD_FULL, &des, &d);
	expect_count(&d, 1);
	expect_at(&d, 0, CFS_ERROR, "config_dir_not_found", file,
		  "`--config` must point at a directory containing cluster.yaml");
	cleanup(&des, &d);
}

static void test_cluster_config_read_error(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	cfs_desired_load(c->dir, CFS_LOAD_FULL, &des, &d);
	expect_count(&d, 1);
	expect_at(&d, 0, CFS_ERROR, "cluster_config_read_error", "cluster.yaml",
		  S(c, "could not read cluster.yaml: %s", strerror(ENOENT)));
	assert_false(des.decoded);
	cleanup(&des, &d);

	load(c, "version: 1\nmetadata:\n  name: \xff\xfe\n", &des, &d);
	expect_count(&d, 1);
	expect_at(&d, 0, CFS_ERROR, "cluster_config_read_error", "cluster.yaml",
		  "could not read cluster.yaml: stream did not contain valid UTF-8");
	cleanup(&des, &d);
}

static void test_invalid_cluster_yaml_stops(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;
	const char *prefix = "could not parse cluster.yaml: graphs.g: unknown field `bogus`";

	put(c->dir, "s.pg", PG);
	load(c, "version: 1\nproviders:\n  embedding:\n    p: { kind: nope }\n"
		"graphs:\n  g:\n    schema: s.pg\n    bogus: 1\n", &des, &d);
	expect_count(&d, 1);
	expect_at(&d, 0, CFS_ERROR, "invalid_cluster_yaml", "cluster.yaml", NULL);
	assert_true(strncmp(d.v[0].message, prefix, strlen(prefix)) == 0);
	assert_non_null(strstr(d.v[0].message, "at line 8 column 5"));
	assert_false(des.decoded);
	assert_int_equal(des.nresources, 0);
	assert_int_equal(des.ndeps, 0);
	assert_null(des.storage_root);
	assert_null(des.config_digest);
	cleanup(&des, &d);
}

static void test_prescan_errors_stop_before_decode(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	/* the decoder would also fail; only the pre-scan results are reported */
	load(c, "ui: x\nversion: 1\nversion: 1\ngraphs:\n  g:\n    schema: s.pg\n    streaming: {}\n", &des, &d);
	expect_count(&d, 3);
	expect_at(&d, 0, CFS_ERROR, "duplicate_yaml_key", "version", "duplicate YAML key `version` on line 3");
	expect_at(&d, 1, CFS_ERROR, "future_phase_field", "ui", "`ui` is reserved for a later cluster-control phase");
	expect_at(&d, 2, CFS_ERROR, "removed_streaming_declaration", "graphs.g.streaming", NULL);
	assert_false(des.decoded);
	assert_int_equal(des.nresources, 0);
	cleanup(&des, &d);
}

static void test_header_depth_stops_after_step_5(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	put(c->dir, "cluster.yaml", "version: 1\nproviders:\n  embedding:\n    p: { kind: nope }\n"
				    "graphs:\n  g:\n    schema: missing.pg\n");
	cfs_desired_load(c->dir, CFS_LOAD_HEADER, &des, &d);
	expect_count(&d, 0);
	assert_true(des.decoded);
	assert_int_equal(des.nresources, 0);
	assert_string_equal(des.storage_root, c->dir);
	cleanup(&des, &d);
}

/* ---- step order ------------------------------------------------------ */

static void test_step_order(void **state)
{
	struct ctx *c = *state;
	struct cfs_desired des;
	struct cfs_diags d = CFS_DIAGS_INIT;

	put(c->dir, "q.gq", FIND_PERSON);
	/* declared out of order on purpose: checks go header, providers (name
	 * order), graphs (id order; inside one: id, blobs, provider, schema,
	 * queries), policies */
	load(c, "version: 1\n"
		"policies:\n  p:\n    file: p.yaml\n    applies_to: []\n"
		"graphs:\n"
		"  zz:\n    schema: missing.pg\n"
		"  1g:\n    schema: missing.pg\n    embedding_provider: nope\n"
		"    queries: { 9bad: { file: q.gq } }\n"
		"    external_blobs:\n      allow:\n        - { base: 'http://x/', scope: server_safe }\n"
		"providers:\n  embedding:\n    zz: { kind: foo, api_key: '${K}' }\n"
		"state:\n  backend: other\n", &des, &d);
	static const char *const codes[][2] = {
		{ "unsupported_state_backend", "state.backend" },
		{ "invalid_embedding_provider", "providers.embedding.zz" },
		{ "invalid_resource_id", "graphs.1g" },
		{ "invalid_external_blob_base", "graphs.1g.external_blobs.allow[0].base" },
		{ "dangling_embedding_provider_reference", "graphs.1g.embedding_provider" },
		{ "schema_file_missing", "graphs.1g.schema" },
		{ "invalid_resource_id", "graphs.1g.queries.9bad" },
		{ "query_key_mismatch", "graphs.1g.queries.9bad" },
		{ "schema_file_missing", "graphs.zz.schema" },
		{ "policy_missing_applies_to", "policies.p.applies_to" },
		{ "policy_file_missing", "policies.p.file" },
	};
	size_t n = sizeof(codes) / sizeof(codes[0]);
	expect_count(&d, n);
	for (size_t i = 0; i < n; i++)
		expect_at(&d, i, CFS_ERROR, codes[i][0], codes[i][1], NULL);
	cleanup(&des, &d);
}

/* ---- validate ---------------------------------------------------------- */

static void test_validate_default_deny_warning(void **state)
{
	struct ctx *c = *state;
	struct cfs_validate_report r;

	put(c->dir, "s.pg", PG);
	put(c->dir, "cluster.yaml", "version: 1\ngraphs:\n"
				    "  open:\n    schema: s.pg\n    external_blobs:\n      allow:\n"
				    "        - { base: 's3://b/x/', scope: server_safe }\n"
				    "  closed:\n    schema: s.pg\n");
	cfs_validate(c->dir, &r);
	assert_true(r.ok);
	expect_count(&r.diags, 1);
	expect_at(&r.diags, 0, CFS_WARNING, "external_blob_ingress_default_deny", "graphs.closed.external_blobs",
		  "effective policy is deny: new external Blob URI references will be rejected; existing stored "
		  "references remain readable");
	cfs_validate_report_free(&r);

	/* with an error the step-9 warnings are not emitted */
	put(c->dir, "cluster.yaml", "version: 1\ngraphs:\n  closed:\n    schema: missing.pg\n");
	cfs_validate(c->dir, &r);
	assert_false(r.ok);
	expect_count(&r.diags, 1);
	expect_at(&r.diags, 0, CFS_ERROR, "schema_file_missing", "graphs.closed.schema", NULL);
	cfs_validate_report_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_queries_form_a_directory),
		T(test_queries_form_b_list),
		T(test_queries_form_c_explicit),
		T(test_declared_paths_not_normalized),
		T(test_duplicate_query_name),
		T(test_query_key_mismatch),
		T(test_query_dir_empty),
		T(test_query_dir_unreadable),
		T(test_query_file_missing_and_parse_error),
		T(test_schema_missing_skips_typecheck),
		T(test_config_path_escape),
		T(test_schema_name_too_long),
		T(test_header_checks),
		T(test_header_storage_blank),
		T(test_header_storage_s3_without_bucket),
		T(test_header_storage_s3_prefix_without_bucket),
		T(test_header_valid_values),
		T(test_storage_root_resolution),
		T(test_storage_root_relative_config_dir),
		T(test_config_dir_not_found),
		T(test_cluster_config_read_error),
		T(test_invalid_cluster_yaml_stops),
		T(test_prescan_errors_stop_before_decode),
		T(test_header_depth_stops_after_step_5),
		T(test_step_order),
		T(test_validate_default_deny_warning),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
