/*
 * graph/exec_int: the internals of the read-query executor (exec.h), shared
 * by its files and by the unit tests.
 *
 * A typed query is compiled (exec_plan.c) into a plan over numbered variable
 * slots: each clause list becomes a scheduled list of steps (key lookups
 * first, filters and negations as soon as their variables are bound,
 * scans deferred when a later traversal can bind the variable from an
 * already bound node).  The plan runs depth first (exec_match.c): one
 * current binding (slot -> row) is extended clause by clause and every
 * complete binding is handed to a sink, which projects it into a record or
 * folds it into an aggregation group (exec_result.c).  Expressions and the
 * comparison rules live in exec_eval.c, the text and vector functions in
 * exec_text.c.
 */
#ifndef CFS_GRAPH_EXEC_INT_H
#define CFS_GRAPH_EXEC_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hashmap.h"
#include "core/strbuf.h"
#include "engine/graph/snapshot.h"
#include "engine/query/check.h"

/* Work counters of one execution (tests assert that a key lookup does not
 * scan; the benchmark reads them too). */
struct cfs_exec_stats {
	size_t rows_scanned;            /* node rows visited by table scans */
	size_t key_lookups;             /* bindings resolved through the id index */
	size_t edges_visited;           /* adjacency entries followed */
};

/* cfs_graph_exec(), also reporting the work counters when stats != NULL. */
int cfs_graph_exec_stats(struct cfs_snapshot *s, const struct cfs_typed_query *q, const json_t *params,
			 json_t **result, char **err, struct cfs_exec_stats *stats);

/* A compiled expression: variables resolved to slots, constants to JSON. */
struct xexpr {
	enum cfs_texpr_kind kind;
	int slot;                       /* NODE, PROP: the variable's slot (-1: `$_`) */
	const char *prop;               /* PROP: borrowed from the typed query */
	const struct cfs_type *node;    /* NODE: its node type */
	json_t *value;                  /* NOW, LIT, PARAM: owned reference, NULL = null */
	long col;                       /* ALIAS: the column it names, -1 when unknown */
	enum cfs_agg agg;               /* AGG */
	struct xexpr *args;
	size_t nargs;
};

struct xmatch {                         /* one `p: value` of a binding */
	const char *prop;
	bool membership;
	json_t *value;                  /* owned, NULL = null (never matches) */
};

struct xplan;

struct xclause {
	enum cfs_tclause_kind kind;
	/* BINDING */
	int slot;
	struct cfs_table *table;
	struct xmatch *m;
	size_t nm;
	char *key_id;                   /* node id when the @key is fully matched */
	bool never;                     /* a match against null: no row can match */
	/* TRAVERSAL */
	int src, dst, eslot;            /* -1 for `$_` / no edge variable */
	struct cfs_table *etab, *stab, *dtab;
	enum cfs_tdir dir;
	uint32_t min, max;
	/* FILTER */
	struct xexpr left, right;
	enum cfs_qop op;
	/* NOT */
	struct xplan *inner;
	/* slots this clause reads that are bound outside it (scheduling) */
	int *uses;
	size_t nuses;
};

struct xplan {
	struct xclause *v;
	size_t n;
};

/*
 * A column of the result records: the projections first (visible), then
 * hidden ones for order expressions that are no projection and for the two
 * rank arguments of each rrf.
 */
struct xcol {
	struct xexpr e;
	bool agg;                       /* top-level aggregate call */
	bool key;                       /* aggregate query: part of the group key */
	bool rrf;                       /* computed after collection from ra, rb */
	size_t ra, rb;
	double rrf_k;
};

struct xorder {
	size_t col;
	bool desc;
};

struct xquery {
	struct xplan match;
	size_t nslots;
	struct xcol *cols;
	size_t ncols, nvisible;
	struct xorder *orders;
	size_t norders;
	bool aggregate, has_rrf, early_limit;
	bool keyed;                     /* aggregate query with grouping columns */
	bool has_limit;
	uint64_t limit;
};

/* Compile q (exec_plan.c).  0, or -1 and *err. */
int xq_compile(struct xquery *xq, struct cfs_snapshot *s, const struct cfs_typed_query *q,
	       const json_t *params, json_t *now, char **err);
void xq_free(struct xquery *xq);

struct xacc;                            /* aggregate accumulator (exec_result.c) */

struct xgroup {
	json_t **vals;                  /* ncols */
	struct xacc *acc;               /* ncols (used for agg columns) */
};

struct ectx {
	struct cfs_snapshot *s;
	const struct xquery *q;
	const json_t **slots;           /* the current binding: slot -> row, NULL unbound */
	bool stop;                      /* unwind: limit reached, negation proved, error */
	char *err;
	struct cfs_exec_stats st;
	uint32_t **marks;               /* per snapshot table: BFS visit stamps */
	uint32_t gen;
	json_t **cur_vals;              /* record being projected (alias references) */
	/* non-aggregate output */
	json_t ***recs;
	size_t nrecs, caprecs;
	/* aggregate output */
	struct cfs_hmap groups;         /* encoded key -> group index */
	json_t **scratch;               /* group key values being built */
	struct xgroup *gv;
	size_t ngroups, capgroups;
	struct cfs_sb key;
};

/* Fail the execution (first error wins) and unwind. */
void ex_fail(struct ectx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* exec_match.c: run plan p from step i, calling sink per complete binding. */
typedef void (*xsink)(struct ectx *c, void *arg);
void xrun(struct ectx *c, const struct xplan *p, size_t i, xsink sink, void *arg);

/* exec_eval.c */
json_t *xeval(struct ectx *c, const struct xexpr *e);  /* new reference, NULL = null */
const json_t *xpeek(struct ectx *c, const struct xexpr *e, json_t **tmp);
json_t *x_node_json(const struct cfs_type *t, const json_t *row);
bool xv_equal(const json_t *a, const json_t *b);
int xv_order(const json_t *a, const json_t *b);        /* total order, both non-null */
bool xv_test(enum cfs_qop op, const json_t *l, const json_t *r);

/* exec_text.c: the text and vector functions (documented there). */
bool xt_search(const char *field, const char *query);
bool xt_fuzzy(const char *field, const char *query, long max_edits);
bool xt_match_text(const char *field, const char *query);
double xt_bm25(const char *field, const char *query);
bool xt_cosine_distance(const json_t *a, const json_t *b, double *out);

/* exec_result.c: the sinks and the final result. */
void xr_collect(struct ectx *c, void *arg);
void xr_aggregate(struct ectx *c, void *arg);
json_t *xr_finish(struct ectx *c, const struct cfs_typed_query *q);
void xr_free(struct ectx *c);

#endif
