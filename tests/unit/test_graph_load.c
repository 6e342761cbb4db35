/*
 * Tests of graph/load (engine/graph/load.h): JSONL loads in the three
 * modes, every load error, export and its round trip, mutations and
 * parameter typing.
 *
 * Fixtures under $CFS_FIXTURES/graph:
 *   load_schema.pg           the schema (every property type, keys of
 *                            several shapes, a node type without @key)
 *   load/base.jsonl          loaded (append) into an empty graph: the base
 *                            snapshot most tests start from
 *   load/append.jsonl, merge.jsonl, overwrite.jsonl
 *                            valid loads over the base, checked below
 *   load/err-<mode>-<name>.jsonl + .err
 *                            a bad load over the base in <mode> and the
 *                            exact error it must give (one line); each
 *                            pair is its own cmocka test "err/<name>"
 *   load/mutations.gq        the mutation queries used below
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fsutil.h"
#include "core/json.h"
#include "core/strbuf.h"
#include "core/ulid.h"
#include "engine/graph/load.h"
#include "engine/query/ast.h"
#include "engine/query/check.h"

/* ------------------------------------------------------------ environment */

static const char *fixtures_root(void)
{
	const char *root = getenv("CFS_FIXTURES");

	return root && *root ? root : "tests/fixtures";
}

static char *read_fixture(const char *rel, size_t *len)
{
	char *path = cfs_xasprintf("%s/graph/%s", fixtures_root(), rel);
	char *data = NULL;
	size_t n = 0;

	int rc = cfs_read_file(path, &data, &n);

	if (rc)
		print_error("cannot read %s\n", path);
	free(path);
	if (rc)
		fail();
	if (len)
		*len = n;
	return data;
}

struct env {
	struct cfs_schema schema;
	struct cfs_snapshot empty;      /* version 1: no rows */
	json_t *base;                   /* tables after base.jsonl */
	struct cfs_snapshot snap;       /* version 2: the base */
	struct cfs_query_list queries;
};

static json_t *load_ok(struct cfs_snapshot *s, const char *text, size_t len, enum cfs_load_mode mode)
{
	json_t *tables = NULL;
	char *err = NULL;

	if (cfs_graph_apply_load(s, text, len, mode, &tables, &err)) {
		print_error("load failed: %s\n", err);
		free(err);
		fail();
	}
	assert_null(err);
	assert_non_null(tables);
	return tables;
}

static json_t *load_fixture_ok(struct cfs_snapshot *s, const char *rel, enum cfs_load_mode mode)
{
	size_t len;
	char *text = read_fixture(rel, &len);
	json_t *tables = load_ok(s, text, len, mode);

	free(text);
	return tables;
}

static struct env *env_new(void)
{
	struct env *e = cfs_xcalloc(1, sizeof(*e));
	size_t len;
	char *src = read_fixture("load_schema.pg", &len), *err = NULL;

	if (cfs_schema_load(src, len, &e->schema, &err) != CFS_SCHEMA_OK) {
		print_error("load_schema.pg: %s\n", err);
		fail();
	}
	free(src);
	cfs_snapshot_init(&e->empty, &e->schema, 1, NULL);
	e->base = load_fixture_ok(&e->empty, "load/base.jsonl", CFS_LOAD_APPEND);
	cfs_snapshot_init(&e->snap, &e->schema, 2, e->base);
	src = read_fixture("load/mutations.gq", &len);
	if (cfs_query_parse(src, len, &e->queries, &err)) {
		print_error("mutations.gq: %s\n", err);
		fail();
	}
	free(src);
	return e;
}

static void env_free(struct env *e)
{
	cfs_query_list_free(&e->queries);
	cfs_snapshot_free(&e->snap);
	cfs_snapshot_free(&e->empty);
	json_decref(e->base);
	cfs_schema_free(&e->schema);
	free(e);
}

static int setup(void **state)
{
	*state = env_new();
	return 0;
}

static int teardown(void **state)
{
	env_free(*state);
	return 0;
}

static json_t *table(const json_t *tables, const char *name)
{
	json_t *t = json_object_get(tables, name);

	assert_non_null(t);
	return t;
}

static json_t *row_by(const json_t *rows, const char *member, const char *value)
{
	size_t i;
	json_t *row;

	json_array_foreach(rows, i, row) {
		const char *v = json_string_value(json_object_get(row, member));
		if (v && !strcmp(v, value))
			return row;
	}
	return NULL;
}

static json_t *row_id(const json_t *tables, const char *type, const char *id)
{
	json_t *row = row_by(table(tables, type), "id", id);

	if (!row)
		print_error("no %s row with id %s\n", type, id);
	assert_non_null(row);
	return row;
}

static void assert_member_json(const json_t *row, const char *member, const char *json)
{
	const json_t *v = json_object_get(row, member);
	char *got = v ? cfs_json_compact(v, 0) : cfs_xstrdup("(absent)");

	if (strcmp(got, json))
		print_error("%s: expected %s, got %s\n", member, json, got);
	assert_string_equal(got, json);
	free(got);
}

/* ------------------------------------------------------------ loads */

static void test_base_rows(void **state)
{
	struct env *e = *state;
	const json_t *alice = row_id(e->base, "Person", "Alice");
	const char *keys[] = { "id", "name", "age", "score", "ratio", "active", "big", "count", "huge",
			       "status", "tags", "emb", "born", "seen", "photo" };
	size_t i = 0;
	const char *k;
	json_t *v;

	assert_int_equal(json_array_size(table(e->base, "Person")), 3);
	json_object_foreach((json_t *)alice, k, v) {   /* id, then schema order */
		assert_true(i < sizeof keys / sizeof keys[0]);
		assert_string_equal(k, keys[i++]);
	}
	assert_int_equal(i, sizeof keys / sizeof keys[0]);
	assert_member_json(alice, "score", "9.5");
	assert_member_json(alice, "emb", "[1.0,2.5]");          /* vectors hold reals */
	assert_member_json(alice, "huge", "9223372036854775807");
	assert_member_json(row_id(e->base, "Person", "Bob"), "score", "7.0");   /* F64 as real */
	assert_member_json(row_id(e->base, "Person", "Bob"), "tags", "null");   /* absent -> null */
	assert_member_json(row_id(e->base, "Person", "Carol"), "tags", "[]");
	/* ids: string key as is, integer key as JSON text, multi-column key as an array */
	assert_member_json(row_id(e->base, "Ticket", "7"), "num", "7");
	assert_member_json(row_id(e->base, "Slot", "[\"2024-05-01\",101]"), "room", "101");
	assert_non_null(row_id(e->base, "Note", "note-1"));
	/* the Note without an id got a ULID; edges too */
	json_t *notes = table(e->base, "Note");
	assert_true(cfs_ulid_valid(json_string_value(json_object_get(json_array_get(notes, 1), "id"))));
	json_t *knows = json_array_get(table(e->base, "Knows"), 0);
	assert_true(cfs_ulid_valid(json_string_value(json_object_get(knows, "id"))));
	assert_member_json(knows, "src", "\"Alice\"");
	assert_member_json(knows, "dst", "\"Bob\"");
	assert_member_json(json_array_get(table(e->base, "Knows"), 1), "weight", "1.0");
	assert_member_json(json_array_get(table(e->base, "Booked"), 0), "dst", "\"[\\\"2024-05-01\\\",101]\"");
	assert_member_json(json_array_get(table(e->base, "Assigned"), 0), "src", "\"7\"");
	assert_member_json(json_array_get(table(e->base, "About"), 0), "src", "\"note-1\"");
}

static void test_append(void **state)
{
	struct env *e = *state;
	json_t *t = load_fixture_ok(&e->snap, "load/append.jsonl", CFS_LOAD_APPEND);

	assert_int_equal(json_array_size(table(t, "Person")), 4);
	assert_int_equal(json_array_size(table(t, "Knows")), 4);       /* no key: both Dave->Alice kept */
	assert_int_equal(json_array_size(table(t, "Note")), 3);
	assert_non_null(row_id(t, "Person", "Dave"));
	/* untouched tables are the snapshot's own arrays */
	assert_ptr_equal(table(t, "Company"), table(e->base, "Company"));
	assert_ptr_equal(table(t, "WorksAt"), table(e->base, "WorksAt"));
	assert_ptr_not_equal(table(t, "Person"), table(e->base, "Person"));
	/* the base is left alone */
	assert_int_equal(json_array_size(table(e->base, "Person")), 3);
	json_decref(t);
}

static void test_merge(void **state)
{
	struct env *e = *state;
	json_t *t = load_fixture_ok(&e->snap, "load/merge.jsonl", CFS_LOAD_MERGE);
	const json_t *alice = row_id(t, "Person", "Alice");
	const char *ab = json_string_value(json_object_get(row_by(table(e->base, "Knows"), "dst", "Bob"), "id"));

	assert_int_equal(json_array_size(table(t, "Person")), 4);
	assert_member_json(alice, "age", "31");
	assert_member_json(alice, "tags", "null");              /* given null replaces */
	assert_member_json(alice, "score", "9.5");              /* not given: kept */
	assert_member_json(alice, "emb", "[1.0,2.5]");
	assert_member_json(row_id(t, "Person", "Erin"), "age", "40");   /* upserted twice in the file */
	assert_member_json(row_id(t, "Person", "Erin"), "status", "\"retired\"");
	/* edges upsert by (from, to): same id, given property replaced, other kept */
	assert_int_equal(json_array_size(table(t, "Knows")), 3);
	const json_t *k = row_id(t, "Knows", ab);
	assert_member_json(k, "weight", "0.75");
	assert_member_json(k, "since", "\"2020-01-01\"");
	assert_member_json(row_id(t, "Note", "note-1"), "stars", "4");
	assert_member_json(row_id(t, "Note", "note-1"), "text", "\"Alice is nice\"");
	assert_ptr_equal(table(t, "Company"), table(e->base, "Company"));

	/* merging the same file again changes nothing */
	struct cfs_snapshot s2;
	cfs_snapshot_init(&s2, &e->schema, 3, t);
	json_t *t2 = load_fixture_ok(&s2, "load/merge.jsonl", CFS_LOAD_MERGE);
	assert_true(json_equal(t, t2));
	json_decref(t2);
	cfs_snapshot_free(&s2);
	json_decref(t);
}

static void test_overwrite(void **state)
{
	struct env *e = *state;
	json_t *t = load_fixture_ok(&e->snap, "load/overwrite.jsonl", CFS_LOAD_OVERWRITE);
	json_t *people = table(t, "Person");

	assert_int_equal(json_array_size(people), 2);
	assert_non_null(row_id(t, "Person", "Zoe"));
	assert_non_null(row_id(t, "Person", "Yan"));
	assert_int_equal(json_array_size(table(t, "Knows")), 1);
	assert_member_json(json_array_get(table(t, "Knows"), 0), "src", "\"Zoe\"");
	/* tables the file does not name are kept, even edges whose endpoints went */
	assert_ptr_equal(table(t, "Company"), table(e->base, "Company"));
	assert_ptr_equal(table(t, "WorksAt"), table(e->base, "WorksAt"));
	json_decref(t);
}

static void test_empty_and_blank(void **state)
{
	struct env *e = *state;
	static const char text[] = "\n  \r\n\t\n";
	json_t *t = load_ok(&e->snap, text, strlen(text), CFS_LOAD_OVERWRITE);

	for (size_t i = 0; i < e->snap.ntables; i++) {
		const char *name = e->snap.tables[i].type->name;
		assert_ptr_equal(table(t, name), table(e->base, name));
	}
	json_decref(t);
}

static void test_crlf_and_no_final_newline(void **state)
{
	struct env *e = *state;
	static const char text[] = "{\"type\": \"Company\", \"data\": {\"name\": \"Initech\"}}\r\n"
				   "\r\n"
				   "{\"edge\": \"WorksAt\", \"from\": \"Bob\", \"to\": \"Initech\"}";
	json_t *t = load_ok(&e->snap, text, strlen(text), CFS_LOAD_APPEND);
	char *err = NULL;
	json_t *none = NULL;

	assert_int_equal(json_array_size(table(t, "Company")), 2);
	assert_int_equal(json_array_size(table(t, "WorksAt")), 2);
	assert_member_json(row_id(t, "Company", "Initech"), "founded", "null");
	json_decref(t);
	/* the length bounds the input: a line cut short is malformed */
	assert_int_equal(cfs_graph_apply_load(&e->snap, text, 20, CFS_LOAD_APPEND, &none, &err), -1);
	assert_null(none);
	assert_true(!strncmp(err, "line 1: invalid JSON: ", 22));
	free(err);
}

/* ------------------------------------------------------------ load errors */

struct err_fixture {
	char *name;             /* "err/<file stem>" */
	char *stem;             /* "err-<mode>-<name>" */
};

static void test_error_fixture(void **state)
{
	const struct err_fixture *fx = *state;
	struct env *e = env_new();
	char *path = cfs_xasprintf("load/%s.jsonl", fx->stem), *epath = cfs_xasprintf("load/%s.err", fx->stem);
	size_t len, wlen;
	char *text = read_fixture(path, &len), *want = read_fixture(epath, &wlen), *got = NULL;
	enum cfs_load_mode mode = !strncmp(fx->stem, "err-merge-", 10)       ? CFS_LOAD_MERGE
				: !strncmp(fx->stem, "err-overwrite-", 14) ? CFS_LOAD_OVERWRITE
									   : CFS_LOAD_APPEND;
	json_t *tables = NULL;
	int rc;

	if (wlen > 0 && want[wlen - 1] == '\n')
		want[--wlen] = '\0';
	rc = cfs_graph_apply_load(&e->snap, text, len, mode, &tables, &got);
	bool ok = rc == -1 && !tables && got && !strcmp(got, want);
	if (!ok)
		print_error("%s:\n  expected \"%s\"\n  actual   \"%s\"\n", fx->stem, want, got ? got : "(loads)");
	json_decref(tables);
	free(got);
	free(want);
	free(text);
	free(path);
	free(epath);
	env_free(e);
	if (!ok)
		fail();
}

/* Sorted stems of the err-*.jsonl files. */
static char **list_errors(size_t *count)
{
	char *dir = cfs_xasprintf("%s/graph/load", fixtures_root());
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;

	while (d && (de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		if (strncmp(de->d_name, "err-", 4) || l < 7 || strcmp(de->d_name + l - 6, ".jsonl"))
			continue;
		names = cfs_xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = cfs_xstrndup(de->d_name, l - 6);
	}
	if (d)
		closedir(d);
	free(dir);
	cfs_qsort(names, n, sizeof(*names), cfs_strptrcmp);
	*count = n;
	return names;
}

/* ------------------------------------------------------------ export */

static void test_export_round_trip(void **state)
{
	struct env *e = *state;
	char *text = cfs_graph_export(&e->snap);
	json_t *t = load_ok(&e->empty, text, strlen(text), CFS_LOAD_APPEND);
	struct cfs_snapshot s2;
	char *again;

	assert_true(json_equal(t, e->base));            /* same rows, ids, members, order */
	cfs_snapshot_init(&s2, &e->schema, 2, t);
	again = cfs_graph_export(&s2);
	assert_string_equal(again, text);
	/* nodes first (schema order), then edges; ids only where not a key */
	assert_true(!strncmp(text, "{\"type\":\"Person\",\"data\":{\"name\":\"Alice\",", 40));
	assert_non_null(strstr(text, "{\"type\":\"Note\",\"id\":\"note-1\",\"data\":{\"text\":\"Alice is nice\","
				     "\"stars\":5}}\n"));
	assert_non_null(strstr(text, "\"from\":\"Alice\",\"to\":[\"2024-05-01\",101],\"data\":{}}\n"));
	assert_non_null(strstr(text, "\"from\":7,\"to\":\"Carol\""));
	assert_true(strstr(text, "{\"edge\"") > strstr(text, "{\"type\":\"Note\""));
	free(again);
	cfs_snapshot_free(&s2);
	json_decref(t);
	free(text);
}

static void test_export_empty(void **state)
{
	struct env *e = *state;
	char *text = cfs_graph_export(&e->empty);

	assert_string_equal(text, "");
	free(text);
}

/* ------------------------------------------------------------ mutations */

static void typed(struct env *e, const char *name, struct cfs_typed_query *out)
{
	const struct cfs_query *q = cfs_query_find(&e->queries, name);
	char *err = NULL;

	assert_non_null(q);
	if (cfs_query_check(&e->schema, q, out, &err)) {
		print_error("%s: %s\n", name, err);
		free(err);
		fail();
	}
}

/* Run query `name` with "k=v" params on s: 0 and *tables, or -1 and *err. */
static int mutate(struct env *e, struct cfs_snapshot *s, const char *name, const char *const *kv, size_t n,
		  json_t **tables, uint64_t *affected, char **err)
{
	struct cfs_typed_query q;
	json_t *params = NULL;
	int rc;

	typed(e, name, &q);
	if (cfs_graph_params(&q, kv, n, &params, err)) {
		print_error("%s: params: %s\n", name, *err);
		fail();
	}
	rc = cfs_graph_apply_mutation(s, &q, params, tables, affected, err);
	if (rc)
		assert_null(*tables);
	else
		assert_null(*err);
	json_decref(params);
	cfs_typed_query_free(&q);
	return rc;
}

static json_t *mutate_ok(struct env *e, const char *name, const char *const *kv, size_t n, uint64_t want)
{
	json_t *t = NULL;
	uint64_t affected = 99;
	char *err = NULL;

	if (mutate(e, &e->snap, name, kv, n, &t, &affected, &err)) {
		print_error("%s: %s\n", name, err);
		free(err);
		fail();
	}
	assert_int_equal(affected, want);
	return t;
}

static void mutate_err(struct env *e, const char *name, const char *const *kv, size_t n, const char *want)
{
	json_t *t = NULL;
	uint64_t affected = 99;
	char *err = NULL;

	assert_int_equal(mutate(e, &e->snap, name, kv, n, &t, &affected, &err), -1);
	assert_int_equal(affected, 0);
	assert_non_null(err);
	if (strcmp(err, want))
		print_error("%s:\n  expected \"%s\"\n  actual   \"%s\"\n", name, want, err);
	assert_string_equal(err, want);
	free(err);
}

static void test_insert_node_params(void **state)
{
	struct env *e = *state;
	const char *kv[] = { "name=Pia", "age=41", "tags=[\"x\",\"y\"]", "emb=[3,4]", "born=1983-07-14" };
	json_t *t = mutate_ok(e, "add_person", kv, 5, 1);
	const json_t *pia = row_id(t, "Person", "Pia");

	assert_int_equal(json_array_size(table(t, "Person")), 4);
	assert_member_json(pia, "age", "41");
	assert_member_json(pia, "score", "2.5");
	assert_member_json(pia, "tags", "[\"x\",\"y\"]");
	assert_member_json(pia, "emb", "[3.0,4.0]");
	assert_member_json(pia, "born", "\"1983-07-14\"");
	assert_member_json(pia, "photo", "null");
	assert_true(json_is_string(json_object_get(pia, "seen")));       /* now() */
	char *seen = cfs_xstrdup(json_string_value(json_object_get(pia, "seen")));
	assert_int_equal(strlen(seen), 24);                             /* YYYY-MM-DDTHH:MM:SS.mmmZ */
	assert_int_equal(seen[23], 'Z');
	free(seen);
	assert_ptr_equal(table(t, "Knows"), table(e->base, "Knows"));
	json_decref(t);

	/* nullable parameters left out are null */
	const char *kv2[] = { "name=Quin" };
	t = mutate_ok(e, "add_person", kv2, 1, 1);
	assert_member_json(row_id(t, "Person", "Quin"), "age", "null");
	assert_member_json(row_id(t, "Person", "Quin"), "tags", "null");
	json_decref(t);
}

static void test_insert_node_literals(void **state)
{
	struct env *e = *state;
	json_t *t = mutate_ok(e, "add_person_lit", NULL, 0, 1);
	const json_t *lit = row_id(t, "Person", "Lit");

	assert_member_json(lit, "score", "1.0");
	assert_member_json(lit, "emb", "[0.5,1.0]");
	assert_member_json(lit, "tags", "[\"x\",\"y\"]");
	assert_member_json(lit, "born", "\"2001-02-03\"");
	assert_member_json(lit, "seen", "\"2024-01-02T03:04:05Z\"");
	assert_member_json(lit, "status", "\"active\"");
	json_decref(t);
}

static void test_insert_node_errors(void **state)
{
	struct env *e = *state;
	const char *kv[] = { "age=3000000000" };

	mutate_err(e, "bad_date", NULL, 0, "property `Person.born`: invalid Date \"2001-02-30\" (expected YYYY-MM-DD)");
	mutate_err(e, "big_age", kv, 1, "property `Person.age`: 3000000000 is out of range for I32");
	mutate_err(e, "dup_alice", NULL, 0, "duplicate key `Alice` for node `Person`: already in the graph");
}

static void test_insert_edge(void **state)
{
	struct env *e = *state;
	const char *kv[] = { "a=Alice", "b=Carol", "w=2" };
	json_t *t = mutate_ok(e, "add_knows", kv, 3, 1);
	const json_t *k = row_by(table(t, "Knows"), "dst", "Carol");

	assert_int_equal(json_array_size(table(t, "Knows")), 3);
	assert_non_null(k);
	k = json_array_get(table(t, "Knows"), 2);
	assert_member_json(k, "src", "\"Alice\"");
	assert_member_json(k, "dst", "\"Carol\"");
	assert_member_json(k, "weight", "2.0");
	assert_member_json(k, "since", "null");
	assert_true(cfs_ulid_valid(json_string_value(json_object_get(k, "id"))));
	assert_ptr_equal(table(t, "Person"), table(e->base, "Person"));
	json_decref(t);

	mutate_err(e, "link_nobody", NULL, 0, "edge `Knows`: \"to\" node `Nobody` not found in `Person`");
}

static void test_statements_see_earlier_ones(void **state)
{
	struct env *e = *state;
	const char *kv[] = { "name=Rex" };
	json_t *t = mutate_ok(e, "add_and_link", kv, 1, 2);

	assert_non_null(row_id(t, "Person", "Rex"));
	assert_non_null(row_by(table(t, "Knows"), "src", "Rex"));
	json_decref(t);
}

static void test_integer_key_endpoints(void **state)
{
	struct env *e = *state;
	const char *add[] = { "num=8", "title=paint" };
	const char *link[] = { "num=8", "who=Bob" };
	const char *del[] = { "num=7" };
	json_t *t1 = mutate_ok(e, "add_ticket", add, 2, 1);
	struct cfs_snapshot s1;
	json_t *t2 = NULL;
	uint64_t affected = 0;
	char *err = NULL;

	cfs_snapshot_init(&s1, &e->schema, 3, t1);
	assert_int_equal(mutate(e, &s1, "assign", link, 2, &t2, &affected, &err), 0);
	assert_int_equal(affected, 1);
	assert_non_null(row_by(table(t2, "Assigned"), "src", "8"));
	json_decref(t2);
	cfs_snapshot_free(&s1);
	json_decref(t1);

	/* deleting ticket 7 takes its Assigned edge along */
	t1 = mutate_ok(e, "delete_ticket", del, 1, 1);
	assert_int_equal(json_array_size(table(t1, "Ticket")), 0);
	assert_int_equal(json_array_size(table(t1, "Assigned")), 0);
	assert_ptr_equal(table(t1, "Knows"), table(e->base, "Knows"));
	json_decref(t1);
}

static void test_update(void **state)
{
	struct env *e = *state;
	const char *kv[] = { "min=25" };
	json_t *t = mutate_ok(e, "retire", kv, 1, 1);
	const json_t *alice = row_id(t, "Person", "Alice");

	assert_member_json(alice, "status", "\"retired\"");
	assert_member_json(alice, "active", "false");
	assert_member_json(alice, "age", "30");                 /* not assigned: kept */
	assert_member_json(alice, "emb", "[1.0,2.5]");
	/* the base rows are not edited in place */
	assert_member_json(row_id(e->base, "Person", "Alice"), "status", "\"active\"");
	assert_ptr_equal(row_id(t, "Person", "Bob"), row_id(e->base, "Person", "Bob"));
	json_decref(t);

	/* nothing matches: the table is not even copied */
	const char *none[] = { "min=100" };
	t = mutate_ok(e, "retire", none, 1, 0);
	assert_ptr_equal(table(t, "Person"), table(e->base, "Person"));
	json_decref(t);

	/* `= $p` with a null parameter matches the rows where the property is null */
	t = mutate_ok(e, "rate_unknown_age", NULL, 0, 1);
	assert_member_json(row_id(t, "Person", "Carol"), "ratio", "0.5");
	assert_member_json(row_id(t, "Person", "Alice"), "ratio", "0.25");
	json_decref(t);
}

static void test_update_key_refused(void **state)
{
	struct env *e = *state;
	const char *kv[] = { "old=Alice", "new=Alicia" };

	mutate_err(e, "rename", kv, 2, "updating @key property `name` is not supported");
}

static void test_delete_cascades(void **state)
{
	struct env *e = *state;
	const char *bob[] = { "name=Bob" };
	const char *alice[] = { "name=Alice" };
	json_t *t = mutate_ok(e, "delete_person", bob, 1, 1);

	assert_int_equal(json_array_size(table(t, "Person")), 2);
	assert_null(row_by(table(t, "Person"), "id", "Bob"));
	assert_int_equal(json_array_size(table(t, "Knows")), 0);       /* Alice->Bob, Bob->Carol */
	assert_ptr_equal(table(t, "WorksAt"), table(e->base, "WorksAt"));
	json_decref(t);

	t = mutate_ok(e, "delete_person", alice, 1, 1);
	assert_int_equal(json_array_size(table(t, "Knows")), 1);
	assert_int_equal(json_array_size(table(t, "WorksAt")), 0);
	assert_int_equal(json_array_size(table(t, "About")), 0);
	assert_int_equal(json_array_size(table(t, "Booked")), 0);
	assert_ptr_equal(table(t, "Assigned"), table(e->base, "Assigned"));
	json_decref(t);

	const char *nobody[] = { "name=Nobody" };
	t = mutate_ok(e, "delete_person", nobody, 1, 0);
	assert_ptr_equal(table(t, "Person"), table(e->base, "Person"));
	json_decref(t);
}

static void test_delete_edges(void **state)
{
	struct env *e = *state;
	const char *kv[] = { "name=Bob" };
	json_t *t = mutate_ok(e, "delete_knows_from", kv, 1, 1);

	assert_int_equal(json_array_size(table(t, "Knows")), 1);
	assert_member_json(json_array_get(table(t, "Knows"), 0), "src", "\"Alice\"");
	assert_ptr_equal(table(t, "Person"), table(e->base, "Person"));
	json_decref(t);
}

static void test_mixed_refused(void **state)
{
	struct env *e = *state;
	const char *kv[] = { "name=Sam" };

	mutate_err(e, "mixed", kv, 1,
		   "mutation 'mixed' on the same query mixes inserts/updates and deletes; split into separate "
		   "mutations");
}

static void test_keyless_insert(void **state)
{
	struct env *e = *state;
	const char *kv[] = { "text=hello" };
	json_t *t = mutate_ok(e, "add_note", kv, 1, 1);
	const json_t *n = json_array_get(table(t, "Note"), 2);

	assert_true(cfs_ulid_valid(json_string_value(json_object_get(n, "id"))));
	assert_member_json(n, "text", "\"hello\"");
	json_decref(t);
}

/* ------------------------------------------------------------ parameters */

static char *params_text(struct env *e, const char *const *kv, size_t n, int want_rc)
{
	struct cfs_typed_query q;
	json_t *p = NULL;
	char *err = NULL, *out;
	int rc;

	typed(e, "params_all", &q);
	rc = cfs_graph_params(&q, kv, n, &p, &err);
	cfs_typed_query_free(&q);
	if (rc != want_rc)
		print_error("params: rc %d, err %s\n", rc, err ? err : "(none)");
	assert_int_equal(rc, want_rc);
	if (rc) {
		assert_null(p);
		return err;
	}
	assert_null(err);
	out = cfs_json_compact(p, CFS_JSON_SORTED);
	json_decref(p);
	return out;
}

#define ALL_REQUIRED                                                                              \
	"i32=-2147483648", "i64=-9223372036854775808", "u32=4294967295", "u64=9223372036854775807",  \
	"f32=1.5", "f64=-2e-3", "b=true", "s=null", "d=2024-02-29", "dt=2024-02-29T10:00:00-05:00",   \
	"blob=base64:AA==", "tags=[\"a\", \"b\"]", "emb=[1, 2.5]"

static void test_params_convert(void **state)
{
	struct env *e = *state;
	const char *kv[] = { ALL_REQUIRED };
	char *got = params_text(e, kv, sizeof kv / sizeof kv[0], 0);

	assert_string_equal(got, "{\"b\":true,\"blob\":\"base64:AA==\",\"d\":\"2024-02-29\","
				 "\"dt\":\"2024-02-29T10:00:00-05:00\",\"emb\":[1.0,2.5],\"f32\":1.5,\"f64\":-0.002,"
				 "\"i32\":-2147483648,\"i64\":-9223372036854775808,\"ints\":null,\"opt\":null,"
				 "\"ostr\":null,\"s\":\"null\",\"tags\":[\"a\",\"b\"],\"u32\":4294967295,"
				 "\"u64\":9223372036854775807}");
	free(got);

	const char *kv2[] = { ALL_REQUIRED, "$opt=null", "ints=[1,2]", "ostr=null" };
	got = params_text(e, kv2, sizeof kv2 / sizeof kv2[0], 0);
	assert_non_null(strstr(got, "\"ints\":[1,2],\"opt\":null,\"ostr\":\"null\""));
	free(got);
}

static void param_err(struct env *e, const char *extra, const char *want)
{
	const char *kv[] = { ALL_REQUIRED, extra };
	size_t n = sizeof kv / sizeof kv[0];
	char *got = params_text(e, kv, n, -1);

	if (strcmp(got, want))
		print_error("%s:\n  expected \"%s\"\n  actual   \"%s\"\n", extra, want, got);
	assert_string_equal(got, want);
	free(got);
}

static void test_params_errors(void **state)
{
	struct env *e = *state;

	param_err(e, "nope=1", "unknown parameter `$nope`");
	param_err(e, "opt", "bad parameter `opt`: expected name=value");
	param_err(e, "i32=5", "parameter `$i32` given twice");
	param_err(e, "opt=abc", "bad value for parameter `$opt`: invalid I32 `abc`");
	param_err(e, "opt=2147483648", "bad value for parameter `$opt`: 2147483648 is out of range for I32");
	param_err(e, "opt=1.0", "bad value for parameter `$opt`: invalid I32 `1.0`");
	param_err(e, "opt= 1", "bad value for parameter `$opt`: invalid I32 ` 1`");
	param_err(e, "opt=99999999999999999999", "bad value for parameter `$opt`: invalid I32 `99999999999999999999`");
	param_err(e, "ints=[1,\"x\"]", "bad value for parameter `$ints`: element 1: expected I32, got a string");
	param_err(e, "ints=1", "bad value for parameter `$ints`: expected a JSON array (e.g. [1, 2] or [\"a\", \"b\"]), "
		  "got `1`");

	/* one bad required value at a time */
	struct { const char *kv, *want; } bad[] = {
		{ "u32=-1", "bad value for parameter `$u32`: -1 is out of range for U32" },
		{ "u64=-1", "bad value for parameter `$u64`: -1 is out of range for U64" },
		{ "f32=1e39", "bad value for parameter `$f32`: 1e+39 is out of range for F32" },
		{ "f64=abc", "bad value for parameter `$f64`: invalid F64 `abc`" },
		{ "f64=inf", "bad value for parameter `$f64`: invalid F64 `inf`" },
		{ "b=yes", "bad value for parameter `$b`: invalid Bool `yes` (expected true or false)" },
		{ "d=2024-13-01", "bad value for parameter `$d`: invalid Date \"2024-13-01\" (expected YYYY-MM-DD)" },
		{ "dt=2024-01-01", "bad value for parameter `$dt`: invalid DateTime \"2024-01-01\" (expected RFC 3339, "
				   "e.g. 2024-05-01T12:00:00Z)" },
		{ "emb=[1,2,3]", "bad value for parameter `$emb`: expected 2 numbers for Vector(2), got 3" },
		{ "emb=[1,", "bad value for parameter `$emb`: expected a JSON array (e.g. [1, 2] or [\"a\", \"b\"]), got "
			     "`[1,`" },
		{ "tags=null", "bad value for parameter `$tags`: expected a JSON array (e.g. [1, 2] or [\"a\", \"b\"]), "
			       "got `null`" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *kv[] = { ALL_REQUIRED };
		size_t n = sizeof kv / sizeof kv[0];
		for (size_t j = 0; j < n; j++)
			if (!strncmp(kv[j], bad[i].kv, strcspn(bad[i].kv, "=") + 1))
				kv[j] = bad[i].kv;
		char *got = params_text(e, kv, n, -1);
		if (strcmp(got, bad[i].want))
			print_error("%s:\n  expected \"%s\"\n  actual   \"%s\"\n", bad[i].kv, bad[i].want, got);
		assert_string_equal(got, bad[i].want);
		free(got);
	}

	/* a missing required parameter */
	const char *kv[] = { "i32=1" };
	char *got = params_text(e, kv, 1, -1);
	assert_string_equal(got, "missing parameter `$i64`");
	free(got);
}

/* ------------------------------------------------------------ main */

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test_setup_teardown(test_base_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overwrite, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_and_blank, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crlf_and_no_final_newline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_node_params, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_node_literals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_node_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_edge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statements_see_earlier_ones, setup, teardown),
		cmocka_unit_test_setup_teardown(test_integer_key_endpoints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_key_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_cascades, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_edges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mixed_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keyless_insert, setup, teardown),
		cmocka_unit_test_setup_teardown(test_params_convert, setup, teardown),
		cmocka_unit_test_setup_teardown(test_params_errors, setup, teardown),
	};
	size_t nfixed = sizeof fixed / sizeof fixed[0], nerr = 0;
	char **stems = list_errors(&nerr);
	struct err_fixture *fxs = cfs_xcalloc(nerr ? nerr : 1, sizeof(*fxs));
	struct CMUnitTest *tests = cfs_xcalloc(nfixed + nerr, sizeof(*tests));
	size_t n = nfixed;
	int rc;

	memcpy(tests, fixed, sizeof fixed);
	for (size_t i = 0; i < nerr; i++) {
		fxs[i].stem = stems[i];
		fxs[i].name = cfs_xasprintf("err/%s", stems[i] + 4);
		tests[n].name = fxs[i].name;
		tests[n].test_func = test_error_fixture;
		tests[n].initial_state = &fxs[i];
		n++;
	}
	if (nerr == 0)
		fprintf(stderr, "test_graph_load: no err-*.jsonl fixtures under %s/graph/load\n", fixtures_root());
	rc = _cmocka_run_group_tests("test_graph_load", tests, n, NULL, NULL);
	for (size_t i = 0; i < nerr; i++) {
		free(fxs[i].name);
		free(stems[i]);
	}
	free(stems);
	free(fxs);
	free(tests);
	return rc || nerr == 0;
}
