/*
 * graph_bench: the graph store against SQLite on the same rows, in the same
 * run.  Loads a generated social graph (N people, E "knows" edges), then
 * times key lookup, 1-hop and 2-hop expansion and a filtered scan, and
 * prints each as a ratio of our time to SQLite's equivalent SQL (indexes
 * on the key and the edge source, as a fair relational baseline).
 *
 *   graph_bench [N [E]]        (default 100000 500000)
 *
 * A benchmark, not a test: it asserts nothing about speed.
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/strbuf.h"
#include "engine/graph/exec.h"
#include "engine/graph/graph.h"
#include "engine/query/ast.h"
#include "engine/query/check.h"

static const char SCHEMA[] =
	"node Person {\n  name: String @key\n  age: I32\n  city: String\n}\n"
	"edge Knows: Person -> Person\n";

static const char QUERIES[] =
	"query lookup($n: String) { match { $p: Person { name: $n } } return { $p.age } }\n"
	"query hop1($n: String) { match { $p: Person { name: $n }\n $p knows $f } return { $f.name } }\n"
	"query hop2($n: String) { match { $p: Person { name: $n }\n $p knows $f\n $f knows $g } return { $g.name } }\n"
	"query scan() { match { $p: Person\n $p.age = 42\n $p.city = \"c2\" } return { $p.name } }\n";

static uint64_t rng = 88172645463325252ULL;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "graph_bench: %s\n", what);
	exit(1);
}

/* The generated rows, in our load format and as SQLite inserts. */
static char *make_jsonl(long n, long e, sqlite3 *db)
{
	struct cfs_sb sb = CFS_SB_INIT;
	sqlite3_stmt *ip, *ik;

	sqlite3_exec(db, "CREATE TABLE person(name TEXT PRIMARY KEY, age INT, city TEXT);"
			 "CREATE TABLE knows(src TEXT, dst TEXT); BEGIN;", NULL, NULL, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO person VALUES(?,?,?)", -1, &ip, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO knows VALUES(?,?)", -1, &ik, NULL);
	for (long i = 0; i < n; i++) {
		char name[32], city[16];
		snprintf(name, sizeof(name), "p%ld", i);
		snprintf(city, sizeof(city), "c%ld", i % 100);
		cfs_sb_addf(&sb, "{\"type\":\"Person\",\"data\":{\"name\":\"%s\",\"age\":%ld,\"city\":\"%s\"}}\n",
			    name, i % 90, city);
		sqlite3_bind_text(ip, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(ip, 2, (int)(i % 90));
		sqlite3_bind_text(ip, 3, city, -1, SQLITE_TRANSIENT);
		sqlite3_step(ip);
		sqlite3_reset(ip);
	}
	for (long i = 0; i < e; i++) {
		char a[32], b[32];
		snprintf(a, sizeof(a), "p%" PRIu64, next_rand() % (uint64_t)n);
		snprintf(b, sizeof(b), "p%" PRIu64, next_rand() % (uint64_t)n);
		cfs_sb_addf(&sb, "{\"edge\":\"Knows\",\"from\":\"%s\",\"to\":\"%s\"}\n", a, b);
		sqlite3_bind_text(ik, 1, a, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ik, 2, b, -1, SQLITE_TRANSIENT);
		sqlite3_step(ik);
		sqlite3_reset(ik);
	}
	sqlite3_finalize(ip);
	sqlite3_finalize(ik);
	sqlite3_exec(db, "COMMIT; CREATE INDEX knows_src ON knows(src); ANALYZE;", NULL, NULL, NULL);
	return cfs_sb_detach(&sb);
}

/* Count the result rows of one SQL statement with a text parameter. */
static long sql_run(sqlite3_stmt *st, const char *arg)
{
	long rows = 0;

	if (arg)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW)
		rows++;
	sqlite3_reset(st);
	return rows;
}

static long our_run(struct cfs_snapshot *s, const struct cfs_typed_query *q, const char *arg)
{
	json_t *params = arg ? json_pack("{s:s}", "n", arg) : json_object(), *res = NULL;
	char *err = NULL;

	if (cfs_graph_exec(s, q, params, &res, &err))
		die(err ? err : "query failed");
	long rows = (long)json_array_size(json_object_get(res, "rows"));
	json_decref(res);
	json_decref(params);
	return rows;
}

struct workload {
	const char *name, *sql;
	int reps;
	bool keyed;
};

static const struct workload WORK[] = {
	{ "lookup", "SELECT age FROM person WHERE name = ?", 2000, true },
	{ "hop1", "SELECT f.name FROM person p JOIN knows k ON k.src = p.name JOIN person f ON f.name = k.dst "
		  "WHERE p.name = ?", 2000, true },
	{ "hop2", "SELECT g.name FROM person p JOIN knows k1 ON k1.src = p.name JOIN person f ON f.name = k1.dst "
		  "JOIN knows k2 ON k2.src = f.name JOIN person g ON g.name = k2.dst WHERE p.name = ?", 500, true },
	{ "scan", "SELECT name FROM person WHERE age = 42 AND city = 'c2'", 20, false },
};

static const struct cfs_query *find(const struct cfs_query_list *ql, const char *name)
{
	const struct cfs_query *q = cfs_query_find(ql, name);

	if (!q)
		die("missing bench query");
	return q;
}

static void run_workload(const struct workload *w, struct cfs_snapshot *s, const struct cfs_schema *schema,
			 const struct cfs_query_list *ql, sqlite3 *db, long n)
{
	struct cfs_typed_query tq;
	sqlite3_stmt *st;
	char *err, key[32];
	long ours = 0, theirs = 0;

	if (cfs_query_check(schema, find(ql, w->name), &tq, &err))
		die(err);
	if (sqlite3_prepare_v2(db, w->sql, -1, &st, NULL) != SQLITE_OK)
		die(sqlite3_errmsg(db));
	/* one untimed run each: the lazily built indexes belong to opening */
	our_run(s, &tq, w->keyed ? "p0" : NULL);
	sql_run(st, w->keyed ? "p0" : NULL);
	uint64_t seed = rng;
	double t0 = now_s();
	for (int i = 0; i < w->reps; i++) {
		snprintf(key, sizeof(key), "p%" PRIu64, next_rand() % (uint64_t)n);
		ours += our_run(s, &tq, w->keyed ? key : NULL);
	}
	double t1 = now_s();
	rng = seed;     /* the same keys for SQLite */
	for (int i = 0; i < w->reps; i++) {
		snprintf(key, sizeof(key), "p%" PRIu64, next_rand() % (uint64_t)n);
		theirs += sql_run(st, w->keyed ? key : NULL);
	}
	double t2 = now_s();
	printf("%-7s %6d runs  ours %9.3f ms/run  sqlite %9.3f ms/run  ratio %6.2fx  (rows %ld vs %ld)\n",
	       w->name, w->reps, (t1 - t0) * 1e3 / w->reps, (t2 - t1) * 1e3 / w->reps,
	       (t1 - t0) / (t2 - t1), ours, theirs);
	sqlite3_finalize(st);
	cfs_typed_query_free(&tq);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000, e = argc > 2 ? atol(argv[2]) : 500000;
	char root[] = "/tmp/cfs-bench.XXXXXX";
	struct cfs_diags d = CFS_DIAGS_INIT;
	struct cfs_graph *g;
	struct cfs_snapshot s;
	struct cfs_query_list ql;
	sqlite3 *db;
	char *err;

	if (n <= 0 || e < 0 || !mkdtemp(root))
		die("bad arguments or no temp dir");
	char *groot = cfs_xasprintf("%s/g.omni", root);
	sqlite3_open(":memory:", &db);
	double t0 = now_s();
	char *jsonl = make_jsonl(n, e, db);
	double t1 = now_s();
	if (cfs_graph_init(groot, SCHEMA, strlen(SCHEMA), NULL, &d) || cfs_graph_open(groot, false, &g, &d) ||
	    cfs_graph_load(g, "main", jsonl, strlen(jsonl), CFS_LOAD_APPEND, NULL, NULL, &d))
		die(d.n ? d.v[0].message : "graph setup failed");
	double t2 = now_s();
	if (cfs_graph_snapshot(g, "main", &s, &d))
		die("snapshot failed");
	double t3 = now_s();
	printf("graph_bench: %ld nodes, %ld edges\n", n, e);
	printf("load    sqlite (generate + insert + index) %.3f s, ours (load + commit) %.3f s, "
	       "ours snapshot open %.3f s\n", t1 - t0, t2 - t1, t3 - t2);
	if (cfs_query_parse(QUERIES, strlen(QUERIES), &ql, &err))
		die(err);
	for (size_t i = 0; i < sizeof(WORK) / sizeof(WORK[0]); i++)
		run_workload(&WORK[i], &s, cfs_graph_schema(g), &ql, db, n);
	cfs_query_list_free(&ql);
	cfs_snapshot_free(&s);
	cfs_graph_close(g);
	cfs_graph_delete_root(groot, &d);
	rmdir(root);
	sqlite3_close(db);
	free(jsonl);
	free(groot);
	cfs_diags_free(&d);
	return 0;
}
