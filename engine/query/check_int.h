/*
 * query/check_int: the state shared by the typechecker's files (check.c:
 * entry, parameters, read-query finishing rules, freeing; check_types.c:
 * §6 types and literal checks; check_expr.c: expression resolution §7.6;
 * check_match.c: match clauses §7.2-§7.5; check_mut.c: mutations §7.7).
 * Not a public API.
 *
 * Every checking function returns 0, or -1 after ck_fail() recorded the
 * one error of the query; callers return -1 at once (fail-fast).  Typed IR
 * is built in place while checking; a partly built IR is always freeable
 * (arrays are zero-filled before they are counted).
 */
#ifndef CFS_QUERY_CHECK_INT_H
#define CFS_QUERY_CHECK_INT_H

#include "engine/query/check.h"
#include "core/strbuf.h"

struct ck_bind {                        /* one variable of the binding environment */
	const char *name;               /* borrowed from the AST */
	bool edge;
	const struct cfs_type *type;    /* node or edge type */
};

struct ck {
	const struct cfs_schema *cat;
	const struct cfs_query *q;
	struct cfs_typed_query *out;
	struct ck_bind *binds;          /* nodes and edges share one namespace */
	size_t nbinds, capbinds;
	size_t nvisible;                /* projections whose alias is recorded (§7.1.3) */
	struct cfs_sb err;              /* "type error: ..." once failed */
	char **scratch;                 /* display strings made for messages */
	size_t nscratch;
};

/* check.c */
int ck_fail(struct ck *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const struct cfs_ptype *ck_param(const struct ck *c, const char *name);
const struct ck_bind *ck_bound(const struct ck *c, const char *name);
const struct ck_bind *ck_bound_upto(const struct ck *c, const char *name, size_t upto);
void ck_bind(struct ck *c, const char *name, bool edge, const struct cfs_type *t);
const char *ck_pdisp(struct ck *c, const struct cfs_ptype *t);
const char *ck_edisp(struct ck *c, const struct cfs_etype *t);

/* check_types.c */
bool ck_numeric(enum cfs_scalar s);
bool ck_integer(enum cfs_scalar s);
bool ck_compat(const struct cfs_ptype *a, const struct cfs_ptype *b);
bool ck_is_string(const struct cfs_ptype *t);           /* non-list String (enums too) */
bool ck_is_blob(const struct cfs_etype *t);             /* scalar with scalar facet Blob */
struct cfs_ptype ck_ptype(enum cfs_scalar s);           /* non-list, non-null */
struct cfs_ptype ck_element(const struct cfs_ptype *list);
bool ck_numeric_vector(const struct cfs_qlit *l);
int ck_lit_type(struct ck *c, const struct cfs_qlit *l, struct cfs_ptype *out);
void ck_lit_copy(struct cfs_qlit *dst, const struct cfs_qlit *src);
void ck_lit_free(struct cfs_qlit *l);
void ck_lit_text(const struct cfs_qlit *l, struct cfs_sb *sb);
int ck_lit_check(struct ck *c, const struct cfs_qlit *lit, const struct cfs_ptype *P, const char *p,
		 struct cfs_tvalue *tv);
int ck_value(struct ck *c, const struct cfs_qvalue *v, const struct cfs_ptype *P, const char *p,
	     struct cfs_tvalue *tv);
void ck_value_free(struct cfs_tvalue *v);

/* check_expr.c */
int ck_expr(struct ck *c, const struct cfs_qexpr *e, struct cfs_texpr *t);
int ck_blob_value(struct ck *c, const struct cfs_texpr *t);     /* T24b */
void ck_expr_text(const struct cfs_texpr *e, struct cfs_sb *sb);
void ck_texpr_free(struct cfs_texpr *e);

/* check_match.c */
int ck_clauses(struct ck *c, const struct cfs_qclause *cl, size_t n, struct cfs_tclause **out,
	       size_t *nout);
void ck_clauses_free(struct cfs_tclause *cl, size_t n);

/* check_mut.c */
int ck_stmt(struct ck *c, const struct cfs_qstmt *s, struct cfs_tstmt *o);
void ck_stmt_free(struct cfs_tstmt *s);

#endif
