/*
 * Tests of the read-query executor (engine/graph/exec.h).
 *
 * The catalog is $CFS_FIXTURES/graph/schema.pg, the data graph/small.json
 * (five people, three companies, Knows and WorksAt edges).  Each test parses
 * and typechecks a .gq query, runs it and compares the compact JSON of the
 * result rows (or the whole result, or the error) exactly.
 *
 * "A key lookup does not scan" is checked through the executor's work
 * counters (cfs_graph_exec_stats, engine/graph/exec_int.h): a lookup by
 * @key visits no row by scan (rows_scanned = 0) and does one key lookup.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fsutil.h"
#include "core/json.h"
#include "core/strbuf.h"
#include "engine/graph/exec.h"
#include "engine/graph/exec_int.h"
#include "engine/query/ast.h"
#include "engine/query/check.h"
#include "engine/schema/model.h"

struct env {
	struct cfs_schema schema;
	json_t *data;
	struct cfs_snapshot snap;
};

static const char *fixtures_root(void)
{
	const char *root = getenv("CFS_FIXTURES");

	return root && *root ? root : "tests/fixtures";
}

static char *read_fixture(const char *name, size_t *len)
{
	char *path = cfs_xasprintf("%s/graph/%s", fixtures_root(), name), *src = NULL;

	if (cfs_read_file(path, &src, len)) {
		print_error("cannot read %s\n", path);
		free(path);
		fail();
	}
	free(path);
	return src;
}

static int setup(void **state)
{
	struct env *e = cfs_xcalloc(1, sizeof *e);
	char *err = NULL, *src;
	size_t len;
	json_error_t jerr;

	src = read_fixture("schema.pg", &len);
	if (cfs_schema_load(src, len, &e->schema, &err) != CFS_SCHEMA_OK) {
		print_error("schema.pg: %s\n", err ? err : "?");
		free(err);
		free(src);
		free(e);
		return -1;
	}
	free(src);
	src = read_fixture("small.json", &len);
	e->data = json_loadb(src, len, 0, &jerr);
	free(src);
	if (!e->data) {
		print_error("small.json: %s\n", jerr.text);
		cfs_schema_free(&e->schema);
		free(e);
		return -1;
	}
	cfs_snapshot_init(&e->snap, &e->schema, 1, e->data);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	cfs_snapshot_free(&e->snap);
	json_decref(e->data);
	cfs_schema_free(&e->schema);
	free(e);
	return 0;
}

/*
 * Run the first query of src with params (JSON text or NULL).  Returns the
 * compact JSON of the whole result, or "error: <message>".  Caller frees.
 */
static char *run_query(void **state, const char *src, const char *params, struct cfs_exec_stats *st)
{
	struct env *e = *state;
	struct cfs_query_list l;
	struct cfs_typed_query tq;
	json_t *p = params ? json_loads(params, 0, NULL) : NULL, *res = NULL;
	char *err = NULL, *out;

	if (cfs_query_parse(src, strlen(src), &l, &err)) {
		print_error("parse: %s\n", err);
		fail();
	}
	if (cfs_query_check(&e->schema, &l.v[0], &tq, &err)) {
		print_error("check: %s\n", err);
		fail();
	}
	if (cfs_graph_exec_stats(&e->snap, &tq, p, &res, &err, st)) {
		out = cfs_xasprintf("error: %s", err);
		free(err);
	} else {
		out = cfs_json_compact(res, 0);
	}
	json_decref(res);
	json_decref(p);
	cfs_typed_query_free(&tq);
	cfs_query_list_free(&l);
	return out;
}

/* The "rows" part of a result, as compact JSON. */
static char *run_rows(void **state, const char *src, const char *params, struct cfs_exec_stats *st)
{
	char *all = run_query(state, src, params, st), *rows;
	json_t *r = json_loads(all, 0, NULL);

	if (!r) {
		print_error("%s\n", all);
		free(all);
		fail();
	}
	rows = cfs_json_compact(json_object_get(r, "rows"), 0);
	json_decref(r);
	free(all);
	return rows;
}

static void expect_rows(void **state, const char *src, const char *params, const char *want)
{
	char *got = run_rows(state, src, params, NULL);

	assert_string_equal(got, want);
	free(got);
}

/* A one-column query over every Person with one filter clause. */
static void expect_filter(void **state, const char *filter, const char *want)
{
	char *src = cfs_xasprintf("query f() { match { $p: Person %s } return { $p.name } }", filter);

	expect_rows(state, src, NULL, want);
	free(src);
}

static void test_key_lookup(void **state)
{
	const char *q = "query byName($n: String) { match { $p: Person { name: $n } } "
			"return { $p.name, $p.age } }";
	struct cfs_exec_stats st;
	char *got = run_query(state, q, "{\"n\": \"carol\"}", &st);

	assert_string_equal(got, "{\"columns\":[\"p.name\",\"p.age\"],\"rows\":[[\"carol\",35]]}");
	assert_int_equal(st.rows_scanned, 0);
	assert_int_equal(st.key_lookups, 1);
	free(got);
	got = run_rows(state, q, "{\"n\": \"nobody\"}", &st);
	assert_string_equal(got, "[]");
	assert_int_equal(st.rows_scanned, 0);
	free(got);
	expect_rows(state, "query q() { match { $p: Person { name: \"bob\", age: 25 } } return { $p.name } }",
		    NULL, "[[\"bob\"]]");
	expect_rows(state, "query q() { match { $p: Person { name: \"bob\", age: 26 } } return { $p.name } }",
		    NULL, "[]");
}

static void test_scan_filter(void **state)
{
	struct cfs_exec_stats st;
	char *got = run_rows(state, "query q() { match { $p: Person $p.age > 26 } return { $p.name, $p.age } }",
			     NULL, &st);

	assert_string_equal(got, "[[\"alice\",30],[\"carol\",35],[\"eve\",28]]");
	assert_int_equal(st.rows_scanned, 5);
	assert_int_equal(st.key_lookups, 0);
	free(got);
}

static void test_operators(void **state)
{
	expect_filter(state, "$p.age = 30", "[[\"alice\"]]");
	expect_filter(state, "$p.age != 30", "[[\"bob\"],[\"carol\"],[\"eve\"]]");   /* null: false */
	expect_filter(state, "$p.age < 28", "[[\"bob\"]]");
	expect_filter(state, "$p.age <= 28", "[[\"bob\"],[\"eve\"]]");
	expect_filter(state, "$p.age >= 30", "[[\"alice\"],[\"carol\"]]");
	expect_filter(state, "$p.age > 29.5", "[[\"alice\"],[\"carol\"]]");       /* int vs float */
	expect_filter(state, "$p.name < \"c\"", "[[\"alice\"],[\"bob\"]]");
	expect_filter(state, "$p.bio contains \"data\"", "[[\"alice\"],[\"carol\"]]");
	expect_filter(state, "$p.tags contains \"db\"", "[[\"alice\"],[\"carol\"]]");
	expect_filter(state, "$p.name starts_with \"ca\"", "[[\"carol\"]]");
	expect_rows(state, "query q() { match { $p: Person { tags: \"c\" } } return { $p.name } }", NULL,
		    "[[\"alice\"],[\"bob\"]]");
}

static void test_one_hop(void **state)
{
	/* out from a bound source */
	expect_rows(state, "query q() { match { $a: Person { name: \"alice\" } $a knows $b } return { $b.name } }",
		    NULL, "[[\"bob\"],[\"carol\"]]");
	/* destination bound: expanded backwards */
	expect_rows(state, "query q() { match { $b: Person { name: \"carol\" } $a knows $b } return { $a.name } }",
		    NULL, "[[\"alice\"],[\"bob\"]]");
	/* direction in: the source is the edge's To side */
	expect_rows(state, "query q() { match { $c: Company { name: \"acme\" } $c worksAt $p } return { $p.name } }",
		    NULL, "[[\"alice\"],[\"bob\"],[\"eve\"]]");
	/* undirected: out-edges, then in-edges */
	expect_rows(state, "query q() { match { $a: Person { name: \"carol\" } $a <knows> $b } return { $b.name } }",
		    NULL, "[[\"dave\"],[\"alice\"],[\"bob\"]]");
}

static void test_join_plans(void **state)
{
	struct cfs_exec_stats st;
	char *got;

	/* the scan of $a waits for the expansion from the looked-up $b */
	got = run_rows(state, "query q() { match { $a: Person $b: Person { name: \"carol\" } $a knows $b } "
			      "return { $a.name } }", NULL, &st);
	assert_string_equal(got, "[[\"alice\"],[\"bob\"]]");
	assert_int_equal(st.rows_scanned, 0);
	free(got);
	/* no cross product: one scan of Person, then edges */
	got = run_rows(state, "query q() { match { $a: Person $b: Person $a knows $b } return { count($b) } }",
		       NULL, &st);
	assert_string_equal(got, "[[5]]");
	assert_int_equal(st.rows_scanned, 5);
	free(got);
	/* a filter on the source runs before its edges are walked */
	got = run_rows(state, "query q() { match { $a knows $b $a.name = \"alice\" } return { $b.name } }",
		       NULL, &st);
	assert_string_equal(got, "[[\"bob\"],[\"carol\"]]");
	assert_int_equal(st.rows_scanned, 5);
	assert_int_equal(st.edges_visited, 2);
	free(got);
	/* both ends bound */
	expect_rows(state, "query q() { match { $a: Person { name: \"bob\" } $b: Person { name: \"carol\" } "
			   "$a knows $b } return { $a.name, $b.name } }", NULL, "[[\"bob\",\"carol\"]]");
	expect_rows(state, "query q() { match { $a: Person { name: \"carol\" } $b: Person { name: \"bob\" } "
			   "$a knows $b } return { $a.name } }", NULL, "[]");
}

static void test_two_hops(void **state)
{
	expect_rows(state, "query q() { match { $a: Person { name: \"alice\" } $a knows $b $b knows $c } "
			   "return { $b.name, $c.name } }", NULL, "[[\"bob\",\"carol\"],[\"carol\",\"dave\"]]");
}

static void test_multi_hop(void **state)
{
	expect_rows(state, "query q() { match { $a: Person { name: \"alice\" } $a knows{1,2} $c } "
			   "return { $c.name } }", NULL, "[[\"bob\"],[\"carol\"],[\"dave\"]]");
	/* shortest distance: carol is one hop away, so not a {2,2} result */
	expect_rows(state, "query q() { match { $a: Person { name: \"alice\" } $a knows{2,2} $c } "
			   "return { $c.name } }", NULL, "[[\"dave\"]]");
	expect_rows(state, "query q() { match { $a: Person { name: \"eve\" } $a knows{1,3} $c } "
			   "return { $c.name } }", NULL, "[[\"alice\"],[\"bob\"],[\"carol\"],[\"dave\"]]");
	/* backwards from a bound destination, and both ends bound */
	expect_rows(state, "query q() { match { $c: Person { name: \"dave\" } $a knows{2,3} $c } "
			   "return { $a.name } }", NULL, "[[\"alice\"],[\"bob\"],[\"eve\"]]");
	expect_rows(state, "query q() { match { $a: Person { name: \"eve\" } $c: Person { name: \"dave\" } "
			   "$a knows{1,3} $c } return { $a.name, $c.name } }", NULL, "[[\"eve\",\"dave\"]]");
	/* undirected, the start node excluded */
	expect_rows(state, "query q() { match { $a: Person { name: \"dave\" } $a <knows>{1,2} $c } "
			   "return { $c.name } }", NULL, "[[\"carol\"],[\"alice\"],[\"bob\"]]");
}

static void test_edge_variable(void **state)
{
	expect_rows(state, "query q() { match { $a: Person { name: \"alice\" } $a $k:knows $b } "
			   "return { $b.name, $k.since } order { $k.since } }", NULL,
		    "[[\"carol\",\"2019-03-15\"],[\"bob\",\"2020-01-01\"]]");
	expect_rows(state, "query q() { match { $a $k:knows $b $k.since >= date(\"2020-01-01\") } "
			   "return { $a.name, $b.name } }", NULL,
		    "[[\"alice\",\"bob\"],[\"bob\",\"carol\"],[\"eve\",\"alice\"]]");
}

static void test_negation(void **state)
{
	expect_rows(state, "query q() { match { $p: Person not { $p worksAt $c } } return { $p.name } }", NULL,
		    "[[\"dave\"]]");
	expect_rows(state, "query q() { match { $p: Person not { $p knows $_ } } return { $p.name } }", NULL,
		    "[[\"dave\"]]");
	expect_rows(state, "query q() { match { $a: Person { name: \"alice\" } $p: Person not { $a knows $p } } "
			   "return { $p.name } }", NULL, "[[\"alice\"],[\"dave\"],[\"eve\"]]");
	/* $x inside the block is its own variable, not the later outer $x */
	expect_rows(state, "query q() { match { $p: Person not { $p knows $x } $x: Person { name: \"dave\" } } "
			   "return { $p.name, $x.name } }", NULL, "[[\"dave\",\"dave\"]]");
	/* a filter inside the block */
	expect_rows(state, "query q() { match { $p: Person not { $p knows $f $f.age > 26 } } "
			   "return { $p.name } }", NULL, "[[\"carol\"],[\"dave\"]]");
}

static void test_aggregates(void **state)
{
	char *got = run_query(state, "query q() { match { $p: Person $p worksAt $c } "
				     "return { $c.name, count($p) as n } }", NULL, NULL);

	assert_string_equal(got, "{\"columns\":[\"c.name\",\"n\"],\"rows\":[[\"acme\",3],[\"globex\",1]]}");
	free(got);
	expect_rows(state, "query q() { match { $p: Person $p worksAt $c } return { $c.name, count($p) as n } "
			   "order { n } }", NULL, "[[\"globex\",1],[\"acme\",3]]");
	expect_rows(state, "query q() { match { $p: Person $p worksAt $c } "
			   "return { $c.name, sum($p.age), avg($p.age), min($p.name), max($p.age) } }", NULL,
		    "[[\"acme\",83,27.666666666666668,\"alice\",30],[\"globex\",35,35.0,\"carol\",35]]");
	/* grouping by a bare node */
	expect_rows(state, "query q() { match { $c: Company $p worksAt $c } return { $c, count($p) } "
			   "order { count($p) desc } limit 1 }", NULL, "[[{\"id\":\"acme\",\"name\":\"acme\"},3]]");
	/* no grouping column: one row, even over nothing */
	expect_rows(state, "query q() { match { $p: Person } return { count($p), avg($p.age) } }", NULL,
		    "[[5,29.5]]");
	expect_rows(state, "query q() { match { $p: Person $p.age > 99 } return { count($p), sum($p.age) } }",
		    NULL, "[[0,null]]");
	expect_rows(state, "query q() { match { $p: Person $p.age > 99 } return { $p.name, count($p) } }",
		    NULL, "[]");
}

static void test_order_limit(void **state)
{
	expect_rows(state, "query q() { match { $p: Person } return { $p.name } order { $p.age } }", NULL,
		    "[[\"bob\"],[\"eve\"],[\"alice\"],[\"carol\"],[\"dave\"]]");
	expect_rows(state, "query q() { match { $p: Person } return { $p.name } order { $p.age desc } }", NULL,
		    "[[\"carol\"],[\"alice\"],[\"eve\"],[\"bob\"],[\"dave\"]]");
	expect_rows(state, "query q() { match { $p: Person } return { $p.name, $p.age } order { $p.age desc } "
			   "limit 2 }", NULL, "[[\"carol\",35],[\"alice\",30]]");
	expect_rows(state, "query q() { match { $p: Person } return { $p.name } limit 2 }", NULL,
		    "[[\"alice\"],[\"bob\"]]");
	expect_rows(state, "query q() { match { $p: Person } return { $p.name } limit 0 }", NULL, "[]");
	/* ties keep the match order, also when only the first rows are kept */
	expect_rows(state, "query q() { match { $a: Person $a knows $b } return { $a.name, $b.name } "
			   "order { $a.name } limit 2 }", NULL, "[[\"alice\",\"bob\"],[\"alice\",\"carol\"]]");
	expect_rows(state, "query q() { match { $a: Person $a knows $b } return { $b.name } "
			   "order { $b.age desc } limit 4 }", NULL,
		    "[[\"carol\"],[\"carol\"],[\"alice\"],[\"bob\"]]");
	/* aliases in order, and a second key */
	expect_rows(state, "query q() { match { $p: Person } return { $p.name as who, $p.age as years } "
			   "order { years desc, who } limit 3 }", NULL,
		    "[[\"carol\",35],[\"alice\",30],[\"eve\",28]]");
	expect_rows(state, "query q() { match { $a: Person $a knows $b } return { $b.name as who } "
			   "order { who desc } }", NULL,
		    "[[\"dave\"],[\"carol\"],[\"carol\"],[\"bob\"],[\"alice\"]]");
}

static void test_params_and_values(void **state)
{
	const char *q = "query q($min: I32, $tag: String) { match { $p: Person { tags: $tag } $p.age >= $min } "
			"return { $p.name } }";

	expect_rows(state, q, "{\"min\": 31, \"tag\": \"db\"}", "[[\"carol\"]]");
	expect_rows(state, q, "{\"min\": 0, \"tag\": \"c\"}", "[[\"alice\"],[\"bob\"]]");
	/* a null parameter matches nothing */
	expect_rows(state, "query q($n: String?) { match { $p: Person { name: $n } } return { $p.name } }",
		    "{\"n\": null}", "[]");
	expect_rows(state, "query q() { match { $p: Person { name: \"dave\" } } "
			   "return { $p, 1, \"x\", now() as t } }", "{\"__nanograph_now\": \"2024-01-02T03:04:05Z\"}",
		    "[[{\"id\":\"dave\",\"name\":\"dave\",\"bio\":null,\"emb\":[0.0,0.0,1.0]},1,\"x\","
		    "\"2024-01-02T03:04:05Z\"]]");
}

static void test_nearest(void **state)
{
	const char *q = "query q($v: Vector(3)) { match { $p: Person } return { $p.name } "
			"order { nearest($p.emb, $v) } limit 3 }";
	char *got;

	expect_rows(state, q, "{\"v\": [1.0, 0.0, 0.0]}", "[[\"alice\"],[\"carol\"],[\"eve\"]]");
	expect_rows(state, "query q() { match { $p: Person } return { $p.name, nearest($p.emb, [0.0, 0.0, 1.0]) } "
			   "order { nearest($p.emb, [0.0, 0.0, 1.0]) } limit 1 }", NULL, "[[\"dave\",0.0]]");
	got = run_query(state, "query q() { match { $p: Person } return { $p.name } "
			       "order { nearest($p.emb, \"graphs\") } limit 2 }", NULL, NULL);
	assert_string_equal(got, "error: nearest with a String query requires an embedding provider");
	free(got);
}

static void test_text_search(void **state)
{
	expect_filter(state, "search($p.bio, \"GRAPH databases\")", "[[\"alice\"]]");
	expect_filter(state, "fuzzy($p.bio, \"grafs\")", "[[\"alice\"],[\"carol\"]]");
	expect_filter(state, "fuzzy($p.bio, \"grafs\", 1)", "[]");
	expect_filter(state, "match_text($p.bio, \"WRITES C\")", "[[\"bob\"]]");
	expect_rows(state, "query q() { match { $p: Person } return { $p.name, bm25($p.bio, \"databases graphs\") } "
			   "order { bm25($p.bio, \"databases graphs\") desc } limit 2 }", NULL,
		    "[[\"carol\",2.0],[\"alice\",1.0]]");
	expect_rows(state, "query q($v: Vector(3)) { match { $p: Person } return { $p.name } "
			   "order { rrf(nearest($p.emb, $v), bm25($p.bio, \"databases\")) desc } limit 3 }",
		    "{\"v\": [0.0, 1.0, 0.0]}", "[[\"bob\"],[\"alice\"],[\"carol\"]]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_lookup),
		cmocka_unit_test(test_scan_filter),
		cmocka_unit_test(test_operators),
		cmocka_unit_test(test_one_hop),
		cmocka_unit_test(test_join_plans),
		cmocka_unit_test(test_two_hops),
		cmocka_unit_test(test_multi_hop),
		cmocka_unit_test(test_edge_variable),
		cmocka_unit_test(test_negation),
		cmocka_unit_test(test_aggregates),
		cmocka_unit_test(test_order_limit),
		cmocka_unit_test(test_params_and_values),
		cmocka_unit_test(test_nearest),
		cmocka_unit_test(test_text_search),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
