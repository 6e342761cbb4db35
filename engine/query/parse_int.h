/*
 * query/parse_int: state and helpers shared by the .gq parser's files
 * (parse.c: tokens, literals, values; parse_expr.c: expressions;
 * parse_query.c: clauses, statements, queries).  Not a public API.
 */
#ifndef CFS_QUERY_PARSE_INT_H
#define CFS_QUERY_PARSE_INT_H

#include "engine/lang/cursor.h"
#include "engine/query/ast.h"

struct qp {
	struct cfs_cur c;
	char *sem;              /* first §4.3 error, reported after a clean parse */
};

bool qp_tok(struct qp *p, const char *lit);
bool qp_try(struct qp *p, const char *lit);
bool qp_ident(struct qp *p, char **out);
bool qp_var(struct qp *p, char **out);
bool qp_edge_name(struct qp *p, char **out);
bool qp_string(struct qp *p, char **out);
bool qp_digits(struct qp *p, const char **s, size_t *n);
bool qp_u64(const char *s, size_t n, uint64_t max, uint64_t *out);
void qp_semantic(struct qp *p, const char *msg);

bool qp_literal(struct qp *p, struct cfs_qlit *l);
void qp_lit_free(struct cfs_qlit *l);
bool qp_value(struct qp *p, struct cfs_qvalue *v);
void qp_value_free(struct cfs_qvalue *v);

bool qp_expr(struct qp *p, struct cfs_qexpr *e);
bool qp_nearest(struct qp *p, struct cfs_qexpr *e);
bool qp_textsearch(struct qp *p, struct cfs_qexpr *e);
void qp_expr_free(struct cfs_qexpr *e);

#endif
