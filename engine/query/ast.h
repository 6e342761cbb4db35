/*
 * query/ast: the parsed form of a .gq file (query-lang.md §3-§4): the query
 * record with its parameters, the read part (clauses, projections,
 * orderings, limit) or the mutation statements.  Produced by
 * cfs_query_parse(), consumed by the typechecker (check.h), which turns a
 * query into the typed IR the graph store executes.
 */
#ifndef CFS_QUERY_AST_H
#define CFS_QUERY_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cfs_qlit_kind { QL_STRING, QL_INT, QL_FLOAT, QL_BOOL, QL_DATE, QL_DATETIME, QL_LIST };

struct cfs_qlit {
	enum cfs_qlit_kind kind;
	char *str;                      /* STRING: decoded; DATE/DATETIME: the string, unchecked */
	int64_t i;                      /* INT */
	double f;                       /* FLOAT */
	bool b;                         /* BOOL */
	char *text;                     /* INT/FLOAT: source text */
	struct cfs_qlit *items;         /* LIST */
	size_t nitems;
};

enum cfs_qvalue_kind { QV_LIT, QV_VAR, QV_NOW };

struct cfs_qvalue {                     /* value = literal | Var | now() */
	enum cfs_qvalue_kind kind;
	struct cfs_qlit lit;
	char *var;                      /* without '$' */
};

enum cfs_qexpr_kind {
	QE_NOW, QE_LIT, QE_VAR, QE_PROP, QE_ALIAS,
	QE_AGG, QE_NEAREST, QE_SEARCH, QE_FUZZY, QE_MATCH_TEXT, QE_BM25, QE_RRF,
};

enum cfs_agg { AGG_COUNT, AGG_SUM, AGG_AVG, AGG_MIN, AGG_MAX };

struct cfs_qexpr {
	enum cfs_qexpr_kind kind;
	struct cfs_qlit lit;            /* LIT */
	char *var;                      /* VAR, PROP: without '$' */
	char *prop;                     /* PROP */
	char *alias;                    /* ALIAS: the bare identifier */
	enum cfs_agg agg;               /* AGG */
	struct cfs_qexpr *args;         /* AGG (1), NEAREST (propacc, q), SEARCH/MATCH_TEXT/BM25 (2),
					   FUZZY (2-3), RRF (2-3) */
	size_t nargs;
};

enum cfs_qop { QOP_EQ, QOP_NE, QOP_GT, QOP_LT, QOP_GE, QOP_LE, QOP_CONTAINS, QOP_STARTS_WITH };

/* Whether a three-way comparison result c (<0, 0, >0) satisfies a
 * comparison operator; false for contains / starts_with. */
static inline bool cfs_qop_holds(enum cfs_qop op, int c)
{
	switch (op) {
	case QOP_EQ: return c == 0;
	case QOP_NE: return c != 0;
	case QOP_GT: return c > 0;
	case QOP_LT: return c < 0;
	case QOP_GE: return c >= 0;
	case QOP_LE: return c <= 0;
	default: return false;
	}
}

enum cfs_qclause_kind { QC_BINDING, QC_TRAVERSAL, QC_FILTER, QC_NOT };

struct cfs_qpropmatch {
	char *prop;
	struct cfs_qvalue value;
};

struct cfs_qclause {
	enum cfs_qclause_kind kind;
	unsigned line, col;
	/* QC_BINDING: $var: type { prop: value, ... } */
	char *var, *type;
	struct cfs_qpropmatch *props;
	size_t nprops;
	/* QC_TRAVERSAL: $src [$edge_var:] edge [{min,max}] $dst */
	char *src, *edge, *dst, *edge_var;     /* edge_var NULL when absent */
	uint32_t min, max;
	bool has_max, undirected;
	/* QC_FILTER: left op right; a text-search clause is (call = true) */
	struct cfs_qexpr left, right;
	enum cfs_qop op;
	bool is_call;
	/* QC_NOT */
	struct cfs_qclause *inner;
	size_t ninner;
};

struct cfs_qproj {
	struct cfs_qexpr expr;
	char *alias;                    /* NULL when absent */
};

struct cfs_qorder {
	struct cfs_qexpr expr;
	bool desc;
};

struct cfs_qassign {
	char *prop;
	struct cfs_qvalue value;
};

enum cfs_qstmt_kind { QS_INSERT, QS_UPDATE, QS_DELETE };

struct cfs_qstmt {
	enum cfs_qstmt_kind kind;
	char *type;
	struct cfs_qassign *assigns;    /* INSERT, UPDATE */
	size_t nassigns;
	char *pred_prop;                /* UPDATE, DELETE: where pred_prop op pred_value */
	enum cfs_qop pred_op;
	struct cfs_qvalue pred_value;
};

struct cfs_qparam {
	char *name;                     /* without '$' */
	char *type_text;                /* normalized (§4.1): "[X]", "Vector(N)", base name */
	bool nullable;
};

struct cfs_query {
	char *name;
	unsigned line, col;
	char *description, *instruction;        /* decoded, NULL when absent */
	struct cfs_qparam *params;
	size_t nparams;
	bool is_mutation;
	struct cfs_qclause *clauses;
	size_t nclauses;
	struct cfs_qproj *projs;
	size_t nprojs;
	struct cfs_qorder *orders;
	size_t norders;
	bool has_limit;
	uint64_t limit;
	struct cfs_qstmt *stmts;
	size_t nstmts;
};

struct cfs_query_list {
	struct cfs_query *v;            /* file order, repeats kept (§5) */
	size_t n;
};

/*
 * Parse a whole file.  0 and *out (free with cfs_query_list_free), or -1
 * with *err rendered: "parse error:  --> L:C = expected ..." for syntax,
 * "parse error: parse error: <message>" for §4.3.  Caller frees *err.
 */
int cfs_query_parse(const char *src, size_t len, struct cfs_query_list *out, char **err);
void cfs_query_list_free(struct cfs_query_list *l);
/* First query with that name (§5), or NULL. */
const struct cfs_query *cfs_query_find(const struct cfs_query_list *l, const char *name);

#endif
